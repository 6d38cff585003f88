package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// tenantSchema is set up in every tenant file. Record tables (r_<object>)
// are created by SaveObject.
var tenantSchema = []string{
	`CREATE TABLE IF NOT EXISTS meta_objects (
		name TEXT NOT NULL,
		version INTEGER NOT NULL,
		definition BLOB,
		saved_at TEXT NOT NULL,
		saved_by TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (name, version)
	)`,
	`CREATE TABLE IF NOT EXISTS meta_revision (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		value INTEGER NOT NULL
	)`,
	`INSERT OR IGNORE INTO meta_revision (id, value) VALUES (1, 0)`,
	// meta_indexes maps each index of a record table to the fields it
	// covers, to name the fields of a unique violation.
	`CREATE TABLE IF NOT EXISTS meta_indexes (
		name TEXT PRIMARY KEY,
		object TEXT NOT NULL,
		fields TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS sequences (
		name TEXT PRIMARY KEY,
		value INTEGER NOT NULL
	)`,
	dataVersionTable,
}

// tenantLayout is the layout of a tenant file. Versions 1 to 3 changed
// system.db only (the two kinds of file shared one version number then).
var tenantLayout = layout{
	version: 5,
	stmts:   tenantSchema,
	migrations: map[int]migration{
		4: {run: addOwners},
		5: {run: rebuildRecordTables, compact: true},
	},
}

// rebuildTable is the name a record table is rebuilt under; no record
// table's name (r_<object>) is like it.
const rebuildTable = "layout_rebuild"

// rebuildRecordTables brings every record table of a file written before
// layout version 5 to the layout of SaveObject ([recordTableBody]): keyed
// by id WITHOUT ROWID, createdAt and updatedAt as integers. Each table is
// copied in id order into a new one, which takes its name and its
// indexes (the same statements, so the same names and meta_indexes rows).
// Like every migration it runs in the transaction that sets the file's
// version: a crash leaves the file as it was, and the next open starts
// again. The old tables' pages are left free, so the file is compacted
// (VACUUM) after the commit. It costs time in proportion to the records
// (measured in docs/performance.md, "Disk (issue 20)"), memory within
// SQLite's page cache and, while it runs, disk for a second copy of the
// records, once per file.
func rebuildRecordTables(ctx context.Context, tx *sql.Tx) error {
	objects, err := recordTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, object := range objects {
		if err := rebuildRecordTable(ctx, tx, object); err != nil {
			return fmt.Errorf("rebuild the table of %s: %w", object, err)
		}
	}
	return nil
}

func rebuildRecordTable(ctx context.Context, tx *sql.Tx, object string) error {
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, tableName(object))
	if err != nil {
		return fmt.Errorf("list indexes: %w", store.ContextError(ctx, err))
	}
	var indexes []string
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			rows.Close()
			return fmt.Errorf("list indexes: %w", err)
		}
		indexes = append(indexes, text)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list indexes: %w", store.ContextError(ctx, err))
	}
	stmts := []string{
		`DROP TABLE IF EXISTS ` + rebuildTable,
		`CREATE TABLE ` + rebuildTable + recordTableBody,
		`INSERT INTO ` + rebuildTable + ` (id, version, created_at, updated_at, created_by, updated_by, owner_id, data)
			SELECT id, version, ` + storedTimeFunc + `(created_at), ` + storedTimeFunc + `(updated_at), created_by, updated_by, owner_id, data
			FROM ` + quotedTable(object) + ` ORDER BY id`,
		`DROP TABLE ` + quotedTable(object),
		`ALTER TABLE ` + rebuildTable + ` RENAME TO ` + quotedTable(object),
	}
	for _, text := range append(stmts, indexes...) {
		if _, err := tx.ExecContext(ctx, text); err != nil {
			return store.ContextError(ctx, err)
		}
	}
	return nil
}

// addOwners gives the record tables of a file written before records had
// owners an owner_id column and its index. The owner of a record stored
// before then is its creator. Tables that already have the column are
// left alone.
func addOwners(ctx context.Context, tx *sql.Tx) error {
	objects, err := recordTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, object := range objects {
		table := tableName(object)
		var has bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM pragma_table_info(?) WHERE name = 'owner_id'`, table).Scan(&has); err != nil {
			return fmt.Errorf("read columns of %s: %w", table, store.ContextError(ctx, err))
		}
		if has {
			continue
		}
		ix := ownerIndex(object)
		fields, _ := json.Marshal(ix.fields) // a []string always marshals
		for _, stmt := range []struct {
			text string
			args []any
		}{
			{text: `ALTER TABLE ` + quotedTable(object) + ` ADD COLUMN owner_id TEXT NOT NULL DEFAULT ''`},
			{text: `UPDATE ` + quotedTable(object) + ` SET owner_id = created_by`},
			{text: ix.create},
			{text: `INSERT OR REPLACE INTO meta_indexes (name, object, fields) VALUES (?, ?, ?)`, args: []any{ix.name, object, string(fields)}},
		} {
			if _, err := tx.ExecContext(ctx, stmt.text, stmt.args...); err != nil {
				return fmt.Errorf("add owners to %s: %w", table, store.ContextError(ctx, err))
			}
		}
	}
	return nil
}

// recordTables returns the objects whose record tables (r_<object>) the
// file holds, in name order.
func recordTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'r\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list record tables: %w", store.ContextError(ctx, err))
	}
	defer rows.Close()
	var objects []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list record tables: %w", err)
		}
		object := strings.TrimPrefix(name, "r_")
		if store.CheckObjectName(object) == nil { // else not a table of this package
			objects = append(objects, object)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list record tables: %w", store.ContextError(ctx, err))
	}
	return objects, nil
}

// tenantStore is a handle on one tenant's file: each method holds the
// file's database while it runs (cache.go).
type tenantStore struct {
	s  *Store
	id string
	// blobDir holds the tenant's blobs (blob.go).
	blobDir string
}

var (
	_ store.TenantStore    = (*tenantStore)(nil)
	_ store.SequenceReader = (*tenantStore)(nil)
	_ store.SequenceSetter = (*tx)(nil)
	_ store.Summer         = (*tenantStore)(nil)
	_ store.Summer         = (*tx)(nil)
	_ store.Aggregator     = (*tenantStore)(nil)
	_ store.Aggregator     = (*tx)(nil)
	_ store.DataVersioner  = (*tenantStore)(nil)
)

// records reads outside transactions: the reader pool.
func (d *database) records() records { return records{q: d.reader, stmts: d.readStmts} }

// Get implements [store.Reader].
func (t *tenantStore) Get(ctx context.Context, obj *schema.Object, id string) (rec store.Record, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, lanePoint, func(r records) error {
			rec, err = r.Get(ctx, obj, id)
			return err
		})
	})
	return rec, err
}

// GetFields implements [store.Reader].
func (t *tenantStore) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) (recs []store.Record, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			recs, err = r.GetFields(ctx, obj, ids, fields)
			return err
		})
	})
	return recs, err
}

// GetMany implements [store.Reader].
func (t *tenantStore) GetMany(ctx context.Context, obj *schema.Object, ids []string) (recs []store.Record, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			recs, err = r.GetMany(ctx, obj, ids)
			return err
		})
	})
	return recs, err
}

// Find implements [store.Reader].
func (t *tenantStore) Find(ctx context.Context, obj *schema.Object, q store.Query) (page store.Page, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			page, err = r.Find(ctx, obj, q)
			return err
		})
	})
	return page, err
}

// Count implements [store.Reader].
func (t *tenantStore) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (n int64, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			n, err = r.Count(ctx, obj, f)
			return err
		})
	})
	return n, err
}

// Sum implements [store.Summer].
func (t *tenantStore) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (sum float64, any bool, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			sum, any, err = r.Sum(ctx, obj, f, field)
			return err
		})
	})
	return sum, any, err
}

// Aggregate implements [store.Aggregator].
func (t *tenantStore) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) (groups []store.Group, err error) {
	err = t.withDB(ctx, func(db *database) error {
		return db.read(ctx, laneRead, func(r records) error {
			groups, err = r.Aggregate(ctx, obj, a)
			return err
		})
	})
	return groups, err
}

// MetaRevision implements [store.TenantStore].
func (t *tenantStore) MetaRevision(ctx context.Context) (v int64, err error) {
	err = t.withDB(ctx, func(db *database) (err error) {
		v, err = db.metaRevision(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read metadata revision: %w", store.ContextError(ctx, err))
	}
	return v, nil
}

const objectColumns = "name, version, definition, saved_at, saved_by, deleted"

// Objects implements [store.TenantStore].
func (t *tenantStore) Objects(ctx context.Context) (docs []store.ObjectDoc, err error) {
	err = t.withDB(ctx, func(db *database) error {
		docs, err = queryObjects(ctx, db.reader, `SELECT `+objectColumns+` FROM meta_objects m
		WHERE version = (SELECT max(version) FROM meta_objects WHERE name = m.name) AND deleted = 0
		ORDER BY name`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", store.ContextError(ctx, err))
	}
	return docs, nil
}

// Object implements [store.TenantStore].
func (t *tenantStore) Object(ctx context.Context, name string) (store.ObjectDoc, error) {
	var docs []store.ObjectDoc
	err := t.withDB(ctx, func(db *database) (err error) {
		docs, err = queryObjects(ctx, db.reader, `SELECT `+objectColumns+` FROM meta_objects
		WHERE name = ? ORDER BY version DESC LIMIT 1`, name)
		return err
	})
	if err != nil {
		return store.ObjectDoc{}, fmt.Errorf("read object %q: %w", name, store.ContextError(ctx, err))
	}
	if len(docs) == 0 || docs[0].Deleted {
		return store.ObjectDoc{}, fmt.Errorf("read object %q: %w", name, store.ErrNotFound)
	}
	return docs[0], nil
}

// ObjectHistory implements [store.TenantStore]. An unknown object has an
// empty history.
func (t *tenantStore) ObjectHistory(ctx context.Context, name string) (docs []store.ObjectDoc, err error) {
	err = t.withDB(ctx, func(db *database) error {
		docs, err = queryObjects(ctx, db.reader, `SELECT `+objectColumns+` FROM meta_objects
		WHERE name = ? ORDER BY version`, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read history of object %q: %w", name, store.ContextError(ctx, err))
	}
	return docs, nil
}

func queryObjects(ctx context.Context, q querier, text string, args ...any) ([]store.ObjectDoc, error) {
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := []store.ObjectDoc{}
	for rows.Next() {
		var (
			d     store.ObjectDoc
			saved string
		)
		if err := rows.Scan(&d.Name, &d.Version, &d.Definition, &saved, &d.SavedBy, &d.Deleted); err != nil {
			return nil, err
		}
		if d.SavedAt, err = store.ParseTime(saved); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// WithTx implements [store.TenantStore] with group commit (writer.go):
// fn runs on the tenant's writer goroutine, inside a savepoint of a
// transaction it may share with other writes queued with it, and WithTx
// returns nil only once that transaction committed. A panic in fn rolls
// its writes back and is raised again here. fn must not call WithTx on
// the same tenant: it would wait for itself.
func (t *tenantStore) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	// The worker's SetDue sees the transaction while it runs (due.go).
	defer t.s.endWork(t.s.beginWork(t.id))
	// The database is held for the transaction's whole life.
	return t.withDB(ctx, func(db *database) error {
		w := db.group(&dueHook{s: t.s, tenant: t.id})
		if w == nil {
			return fmt.Errorf("begin transaction: %w", errClosed)
		}
		return w.do(ctx, func(t *tx) error { return fn(t) })
	})
}

// tx is a write transaction of one tenant.
type tx struct {
	records // reads see the transaction's writes
	sqlTx   txConn
	// written are the objects whose records the transaction changed, to
	// raise their data versions before it commits.
	written map[string]bool
	// savepoints are the open savepoints, outermost first.
	savepoints []string
	// meta: the transaction saved or deleted an object definition or
	// raised the metadata revision (for the due index: due.go).
	meta bool
}

var _ store.Tx = (*tx)(nil)

// Insert implements [store.Tx].
func (t *tx) Insert(ctx context.Context, obj *schema.Object, rec store.Record) error {
	return t.InsertEncoded(ctx, obj, rec, nil)
}

var (
	_ store.DataEncoder     = (*tenantStore)(nil)
	_ store.EncodedInserter = (*tx)(nil)
)

// encodedData is record data as JSONB, encoded ahead of its write
// (EncodeData).
type encodedData []byte

// EncodeData implements [store.DataEncoder]: data's JSONB (appendJSONB),
// or nil for data holding a value it does not encode.
func (s *tenantStore) EncodeData(_ *schema.Object, data map[string]any) any {
	if data == nil {
		return nil
	}
	b, err := appendJSONB(make([]byte, 0, 512), data)
	if err != nil {
		return nil // Insert encodes it and answers its error
	}
	return encodedData(b)
}

// InsertEncoded implements [store.EncodedInserter]: Insert with the
// JSONB of rec.Data that EncodeData made ahead, off the writer.
func (t *tx) InsertEncoded(ctx context.Context, obj *schema.Object, rec store.Record, encoded any) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("insert record: %w", err)
	}
	t.wrote(obj.Name)
	if rec.ID == "" {
		return fmt.Errorf("insert %s record: empty id", obj.Name)
	}
	var data any
	if b, ok := encoded.(encodedData); ok {
		data = []byte(b)
	} else {
		var err error
		if data, err = encodeData(rec.Data); err != nil {
			return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, err)
		}
	}
	_, err := t.exec(ctx, `INSERT INTO `+quotedTable(obj.Name)+
		` (id, version, created_at, updated_at, created_by, updated_by, owner_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, jsonb(?))`,
		rec.ID, rec.Version, storedTime(rec.CreatedAt), storedTime(rec.UpdatedAt), rec.CreatedBy, rec.UpdatedBy, rec.OwnerID, data)
	if err != nil {
		return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, writeError(ctx, t.sqlTx, obj.Name, err))
	}
	return nil
}

// Update implements [store.Tx].
func (t *tx) Update(ctx context.Context, obj *schema.Object, rec store.Record, expectedVersion int64) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	t.wrote(obj.Name)
	data, err := encodeData(rec.Data)
	if err != nil {
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, err)
	}
	res, err := t.exec(ctx, `UPDATE `+quotedTable(obj.Name)+
		` SET version = ?, created_at = ?, updated_at = ?, created_by = ?, updated_by = ?, owner_id = ?, data = jsonb(?)
		WHERE id = ? AND version = ?`,
		rec.Version, storedTime(rec.CreatedAt), storedTime(rec.UpdatedAt), rec.CreatedBy, rec.UpdatedBy, rec.OwnerID, data,
		rec.ID, expectedVersion)
	if err != nil {
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, writeError(ctx, t.sqlTx, obj.Name, err))
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	var v int64
	err = t.queryRow(ctx, `SELECT version FROM `+quotedTable(obj.Name)+` WHERE id = ?`, rec.ID).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, store.ContextError(ctx, err))
	}
	return fmt.Errorf("update %s record %q: version is %d, not %d: %w", obj.Name, rec.ID, v, expectedVersion, store.ErrConflict)
}

// Delete implements [store.Tx].
func (t *tx) Delete(ctx context.Context, obj *schema.Object, id string) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("delete record: %w", err)
	}
	t.wrote(obj.Name)
	res, err := t.exec(ctx, `DELETE FROM `+quotedTable(obj.Name)+` WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete %s record %q: %w", obj.Name, id, readError(ctx, t.sqlTx, obj.Name, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete %s record %q: %w", obj.Name, id, err)
	}
	if n == 0 {
		return fmt.Errorf("delete %s record %q: %w", obj.Name, id, store.ErrNotFound)
	}
	return nil
}

// NextSequence implements [store.Tx]. The counter lives in the tenant file,
// so a rolled-back transaction gives its number back.
func (t *tx) NextSequence(ctx context.Context, name string) (int64, error) {
	var v int64
	err := t.queryRow(ctx, `INSERT INTO sequences (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next value of sequence %q: %w", name, store.ContextError(ctx, err))
	}
	return v, nil
}

// Sequences implements [store.SequenceReader].
func (t *tenantStore) Sequences(ctx context.Context) (out map[string]int64, err error) {
	err = t.withDB(ctx, func(db *database) error {
		out, err = db.sequences(ctx)
		return err
	})
	return out, err
}

func (db *database) sequences(ctx context.Context) (map[string]int64, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT name, value FROM sequences ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read sequences: %w", store.ContextError(ctx, err))
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return nil, fmt.Errorf("read sequences: %w", err)
		}
		out[name] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sequences: %w", store.ContextError(ctx, err))
	}
	return out, nil
}

// SetSequence implements [store.SequenceSetter].
func (t *tx) SetSequence(ctx context.Context, name string, atLeast int64) error {
	_, err := t.exec(ctx, `INSERT INTO sequences (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`, name, atLeast)
	if err != nil {
		return fmt.Errorf("set sequence %q: %w", name, store.ContextError(ctx, err))
	}
	return nil
}

// BumpMetaRevision implements [store.Tx].
func (t *tx) BumpMetaRevision(ctx context.Context) error {
	t.meta = true
	if _, err := t.exec(ctx, `UPDATE meta_revision SET value = value + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump metadata revision: %w", store.ContextError(ctx, err))
	}
	return nil
}

var _ store.TxIsolation = (*tenantStore)(nil)

// IsolatedTx implements [store.TxIsolation]: SQLite's transactions are.
func (t *tenantStore) IsolatedTx() bool { return true }
