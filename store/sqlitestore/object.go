package sqlitestore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// indexSpec is one index an object definition asks for.
type indexSpec struct {
	name   string
	unique bool
	fields []string
	create string // the CREATE INDEX statement
}

// indexSpecs renders the indexes [store.IndexSpecs] lists for obj's
// record table (SQLite indexes no array elements): a partial unique index
// per unique field, and non-unique ones ending with id so that keyset
// pages are range scans. Names are ix_/ux_<object>_<hash of the indexed
// expressions>, so an unchanged index keeps its name from one version to
// the next.
func indexSpecs(obj *schema.Object) ([]indexSpec, error) {
	planned, err := store.IndexSpecs(obj, false)
	if err != nil {
		return nil, err
	}
	specs := make([]indexSpec, 0, len(planned))
	seen := map[string]bool{}
	for _, p := range planned {
		exprs := make([]string, len(p.Columns))
		for i, c := range p.Columns {
			exprs[i] = sqlColumn(c).expr
		}
		spec := newIndexSpec(obj.Name, p.Unique, p.Fields, exprs)
		if !seen[spec.name] {
			seen[spec.name] = true
			specs = append(specs, spec)
		}
	}
	return specs, nil
}

// newIndexSpec describes the index of object's table over the column
// expressions exprs, which index fields. object must have passed
// [store.CheckObjectName].
func newIndexSpec(object string, unique bool, fields, exprs []string) indexSpec {
	body := "(" + strings.Join(exprs, ", ")
	if unique {
		// Missing values are not values: many records may lack one.
		body += ") WHERE " + exprs[0] + " IS NOT NULL"
	} else {
		body += ", id)"
	}
	prefix, kw := "ix_", "INDEX "
	if unique {
		prefix, kw = "ux_", "UNIQUE INDEX "
	}
	sum := sha256.Sum256([]byte(prefix + body))
	name := prefix + object + "_" + hex.EncodeToString(sum[:6])
	return indexSpec{
		name:   name,
		unique: unique,
		fields: fields,
		create: "CREATE " + kw + quoteIdent(name) + " ON " + quotedTable(object) + " " + body,
	}
}

// ownerIndex is the index on ownerId that every record table has (the one
// indexSpecs lists); migrations create it in tables made before owners.
func ownerIndex(object string) indexSpec {
	return newIndexSpec(object, false, []string{"ownerId"}, []string{systemExprs["ownerId"]})
}

// savepoint runs fn so that either all of its changes stay in the
// transaction or none does, even if the caller goes on after an error.
func (t *tx) savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.sqlTx.ExecContext(ctx, "SAVEPOINT meta_change"); err != nil {
		return store.ContextError(ctx, err)
	}
	if err := fn(); err != nil {
		bg := context.WithoutCancel(ctx)
		_, rerr := t.sqlTx.ExecContext(bg, "ROLLBACK TO meta_change")
		_, lerr := t.sqlTx.ExecContext(bg, "RELEASE meta_change")
		if rerr != nil || lerr != nil {
			return errors.Join(err, rerr, lerr)
		}
		return err
	}
	if _, err := t.sqlTx.ExecContext(ctx, "RELEASE meta_change"); err != nil {
		return store.ContextError(ctx, err)
	}
	return nil
}

// currentVersion returns the latest stored version of an object (0 if
// none) and whether that version marks it deleted.
func (t *tx) currentVersion(ctx context.Context, name string) (int64, bool, error) {
	var (
		v       int64
		deleted bool
	)
	err := t.sqlTx.QueryRowContext(ctx, `SELECT version, deleted FROM meta_objects WHERE name = ? ORDER BY version DESC LIMIT 1`, name).Scan(&v, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return v, deleted, store.ContextError(ctx, err)
}

// recordTableBody is the definition of a record table after its name.
// created_at and updated_at hold [storedTime]'s integers.
const recordTableBody = ` (
	id TEXT PRIMARY KEY NOT NULL,
	version INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	owner_id TEXT NOT NULL DEFAULT '',
	data BLOB NOT NULL
) WITHOUT ROWID`

// SaveObject implements [store.Tx]: it creates the record table if
// needed, drops the indexes obj no longer declares, creates the new ones
// and records the version, all or nothing.
//
// A new record table is a WITHOUT ROWID table keyed by id: the rows are
// stored in the B-tree of their id, so there is no separate B-tree of
// the primary key and the secondary indexes, which all end with id,
// carry no rowid; createdAt and updatedAt are integers ([storedTime])
// (docs/decisions.md, "The record table's layout"). Files of layout
// version 4 and below are rebuilt so when opened ([rebuildRecordTables]).
func (t *tx) SaveObject(ctx context.Context, doc store.ObjectDoc, obj *schema.Object) error {
	t.meta = true
	if obj == nil || doc.Name != obj.Name {
		return fmt.Errorf("save object %q: definition is for another object", doc.Name)
	}
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("save object: %w", err)
	}
	specs, err := indexSpecs(obj)
	if err != nil {
		return fmt.Errorf("save object %q: %w", obj.Name, err)
	}
	err = t.savepoint(ctx, func() error {
		cur, _, err := t.currentVersion(ctx, doc.Name)
		if err != nil {
			return err
		}
		if doc.Version != cur+1 {
			return fmt.Errorf("version %d does not follow stored version %d: %w", doc.Version, cur, store.ErrConflict)
		}
		if _, err := t.sqlTx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+quotedTable(obj.Name)+recordTableBody); err != nil {
			return fmt.Errorf("create table: %w", store.ContextError(ctx, err))
		}
		if err := t.syncIndexes(ctx, obj, specs); err != nil {
			return err
		}
		return t.recordVersion(ctx, doc, false)
	})
	if err != nil {
		return fmt.Errorf("save object %q version %d: %w", doc.Name, doc.Version, err)
	}
	return nil
}

// syncIndexes makes the table's indexes exactly specs.
func (t *tx) syncIndexes(ctx context.Context, obj *schema.Object, specs []indexSpec) error {
	rows, err := t.sqlTx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, tableName(obj.Name))
	if err != nil {
		return fmt.Errorf("list indexes: %w", store.ContextError(ctx, err))
	}
	existing := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("list indexes: %w", err)
		}
		existing[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list indexes: %w", store.ContextError(ctx, err))
	}
	want := make(map[string]bool, len(specs))
	for _, s := range specs {
		want[s.name] = true
	}
	// Drop first, so that a unique index given up frees its values.
	for name := range existing {
		if !want[name] {
			if _, err := t.sqlTx.ExecContext(ctx, "DROP INDEX "+quoteIdent(name)); err != nil {
				return fmt.Errorf("drop index %s: %w", name, store.ContextError(ctx, err))
			}
		}
	}
	for _, s := range specs {
		if existing[s.name] {
			continue
		}
		if _, err := t.sqlTx.ExecContext(ctx, s.create); err != nil {
			if isUniqueViolation(err) {
				return &store.UniqueError{Object: obj.Name, Fields: s.fields}
			}
			return fmt.Errorf("create index %s: %w", s.name, store.ContextError(ctx, err))
		}
	}
	if _, err := t.sqlTx.ExecContext(ctx, `DELETE FROM meta_indexes WHERE object = ?`, obj.Name); err != nil {
		return fmt.Errorf("record indexes: %w", store.ContextError(ctx, err))
	}
	for _, s := range specs {
		fields, _ := json.Marshal(s.fields) // a []string always marshals
		if _, err := t.sqlTx.ExecContext(ctx, `INSERT INTO meta_indexes (name, object, fields) VALUES (?, ?, ?)`, s.name, obj.Name, string(fields)); err != nil {
			return fmt.Errorf("record indexes: %w", store.ContextError(ctx, err))
		}
	}
	return nil
}

// recordVersion stores doc as a new version and bumps the revision.
func (t *tx) recordVersion(ctx context.Context, doc store.ObjectDoc, deleted bool) error {
	if _, err := t.sqlTx.ExecContext(ctx, `INSERT INTO meta_objects (name, version, definition, saved_at, saved_by, deleted) VALUES (?, ?, ?, ?, ?, ?)`,
		doc.Name, doc.Version, doc.Definition, store.FormatTime(doc.SavedAt), doc.SavedBy, deleted); err != nil {
		if isPrimaryKeyViolation(err) {
			return store.ErrConflict
		}
		return fmt.Errorf("store definition: %w", store.ContextError(ctx, err))
	}
	if _, err := t.sqlTx.ExecContext(ctx, `UPDATE meta_revision SET value = value + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump metadata revision: %w", store.ContextError(ctx, err))
	}
	return nil
}

// DeleteObject implements [store.Tx]: it stores doc as a deleted version
// and drops the object's table with its records and indexes. Returns
// [store.ErrNotFound] if the object is not live and [store.ErrConflict] if
// doc.Version does not follow the stored version.
func (t *tx) DeleteObject(ctx context.Context, doc store.ObjectDoc) error {
	t.meta = true
	if err := store.CheckObjectName(doc.Name); err != nil {
		return fmt.Errorf("delete object: %w", err)
	}
	err := t.savepoint(ctx, func() error {
		cur, deleted, err := t.currentVersion(ctx, doc.Name)
		if err != nil {
			return err
		}
		if cur == 0 || deleted {
			return store.ErrNotFound
		}
		if doc.Version != cur+1 {
			return fmt.Errorf("version %d does not follow stored version %d: %w", doc.Version, cur, store.ErrConflict)
		}
		if _, err := t.sqlTx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quotedTable(doc.Name)); err != nil {
			return fmt.Errorf("drop table: %w", store.ContextError(ctx, err))
		}
		t.wrote(doc.Name)
		if _, err := t.sqlTx.ExecContext(ctx, `DELETE FROM meta_indexes WHERE object = ?`, doc.Name); err != nil {
			return fmt.Errorf("forget indexes: %w", store.ContextError(ctx, err))
		}
		return t.recordVersion(ctx, doc, true)
	})
	if err != nil {
		return fmt.Errorf("delete object %q: %w", doc.Name, err)
	}
	return nil
}
