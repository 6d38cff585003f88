package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/schema"
)

// Importing records from a spreadsheet: rows of text (read by package
// spreadsheet at the edge), a mapping of columns to fields, and a mode
// (create, update or upsert by a unique field). Each row's cells are read
// as its fields' values (package importvalue), its lookups found among
// the records the rowImport sees, and the rows written through
// WriteRecords a batch at a time, so that every row gets what any write
// gets (permissions, validation, rules, scripts, automations, audit).
// A row that cannot be read or written is rejected with every problem it
// has, by line; the others land. Batches land in file order, so rows up
// to the last reported line are in whatever happens after.

// MaxImportRows bounds the rows of one import.
const MaxImportRows = 200_000

// ImportIDColumn is the target of a column that holds record ids.
const ImportIDColumn = importvalue.IDColumn

// ImportTable is a file's rows, as package spreadsheet reads them.
type ImportTable struct {
	Header []string
	Rows   []ImportRow
}

// ImportRow is one data row: its line in the file and a cell per column.
type ImportRow struct {
	Line  int
	Cells []string
}

// ImportSpec says how a table becomes records.
type ImportSpec struct {
	// Columns gives each column of the header its target: a field, an
	// address part, ImportIDColumn, or nothing (left out). Shorter than
	// the header leaves the last columns out.
	Columns []importvalue.Column
	// Mode is BulkCreate, BulkUpdate or BulkUpsert.
	Mode BulkAction
	// MatchBy names the unique field that update and upsert rows match
	// records on; "" matches on the id column.
	MatchBy string
	// LookupBy names, per lookup field, the field of its target whose
	// value the cells hold (a unique field, a name); a lookup not named
	// here is found by record id or by the target's title field.
	LookupBy map[string]string
	// SkipAutomations imports without the object's automations
	// (BulkOptions.SkipAutomations): administrators only.
	SkipAutomations bool
	// DryRun reports what the import would do and keeps nothing. Where
	// the store's transactions are isolated and have savepoints (the
	// embedded store) each batch is written for real, with every check,
	// rule, script and automation of the run, in a transaction that is
	// rolled back (no outbox, webhook or timer survives it); a later
	// batch also meets the unique values of the earlier rows that would
	// land, as the run would. Elsewhere (MongoDB without server
	// transactions) rows are read and checked only: rejected for what
	// their cells, lookups and matches say, their create's checks, and
	// unique values repeated within the file — an update's own checks,
	// scripts and clashes with stored records are left to the run.
	DryRun bool
}

// ImportReport is what an import did.
type ImportReport struct {
	Rows                      int
	Created, Updated, Skipped int
	// Valid counts, in a dry run, the rows that passed every check.
	Valid int
	// Rejected are the rows that did not land, in file order.
	Rejected []RejectedRow
	// Notes are the rows that landed with a remark, in file order: a
	// warning duplicate rule they match (a blocking one rejects the row).
	Notes []ImportNote
	// LastLine is the line of the last row of the last batch that was
	// written (checked, in a dry run): every row up to it that is not
	// rejected is in.
	LastLine int
}

// ImportNote is a remark on a row that landed, in both languages.
type ImportNote struct {
	Line      int
	Message   string
	MessageZh string
}

// RejectedRow is a row that did not land and why.
type RejectedRow struct {
	Line     int
	Cells    []string
	Problems []schema.FieldError // Field names the column's header ("手机号") or "" for the row
}

// ImportRecords imports table into object as spec says, reporting
// progress as rows are done. A spec that cannot run (an unknown or
// read-only field, a mode without its key, more than MaxImportRows rows)
// is refused before anything is written.
func (e *Engine) ImportRecords(ctx context.Context, object string, table ImportTable, spec ImportSpec, progress func(done, total int)) (*ImportReport, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return nil, err
	}
	if len(table.Rows) > MaxImportRows {
		return nil, errorOf(ErrBadRequest, nil, "import.tooManyRows", len(table.Rows), MaxImportRows)
	}
	im, err := e.newImport(w, obj, table, spec)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Rows: len(table.Rows)}
	for start := 0; start < len(table.Rows); start += MaxBulkWrites {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("import %s: stopped after line %d: %w", obj.Name, rep.LastLine, err)
		}
		end := min(start+MaxBulkWrites, len(table.Rows))
		if err := im.batch(ctx, table.Rows[start:end], rep); err != nil {
			return rep, err
		}
		rep.LastLine = table.Rows[end-1].Line
		if progress != nil {
			progress(end, len(table.Rows))
		}
	}
	return rep, nil
}

// rowImport is one import of rows under way.
type rowImport struct {
	e      *Engine
	w      *writer
	obj    *schema.Object
	header []string
	spec   ImportSpec
	// lookups are the lookup fields mapped, with how their cells find
	// records.
	lookups map[string]lookupKey
	// checksOnly: a dry run on a store that cannot roll writes back
	// (store.TxIsolation, savepoints) only reads and checks the rows.
	checksOnly bool
	// landed holds, in a dry run, the unique values (normalised) of the
	// rows that would land, by field, with the record each row writes
	// (rowKey).
	landed map[string]map[any]string
}

// lookupKey is how a lookup field's cells find records of its target:
// by the target's field by ("" for the title field or id).
type lookupKey struct {
	target *schema.Object
	by     string
}

// newImport checks spec against obj and the actor's rights.
func (e *Engine) newImport(w *writer, obj *schema.Object, table ImportTable, spec ImportSpec) (*rowImport, error) {
	im := &rowImport{e: e, w: w, obj: obj, header: table.Header, spec: spec, lookups: map[string]lookupKey{},
		checksOnly: spec.DryRun && !canDryRun(w.ts)}
	switch spec.Mode {
	case BulkCreate, BulkUpdate, BulkUpsert:
	default:
		return nil, errorOf(ErrBadRequest, nil, "import.badMode", string(spec.Mode))
	}
	if spec.SkipAutomations && !w.actor.Admin {
		return nil, errorOf(ErrForbidden, nil, "bulk.skipAutomationsAdminOnly")
	}
	if len(spec.Columns) > len(table.Header) {
		return nil, errorOf(ErrBadRequest, nil, "import.tooManyColumns", len(spec.Columns), len(table.Header))
	}
	hasID, mapped := false, map[string]bool{}
	for i, c := range spec.Columns {
		switch {
		case c.Field == "":
			continue
		case c.Field == ImportIDColumn && c.Part == "":
			hasID = true
			continue
		}
		f := obj.Field(c.Field)
		if f == nil || f.Hidden || w.snap.readRules(w.actor, obj).Hides(f.Name) {
			return nil, errorOf(ErrBadRequest, nil, "import.noSuchField", i+1, table.Header[i], c.Field, obj.Name)
		}
		if f.ReadOnly() {
			return nil, errorOf(ErrBadRequest, nil, "import.readOnly", i+1, table.Header[i], c.Field)
		}
		if c.Part != "" && (f.Kind() != schema.KindAddress || !slices.Contains(schema.AddressParts, c.Part)) {
			return nil, errorOf(ErrBadRequest, nil, "import.noSuchField", i+1, table.Header[i], c.Target(), obj.Name)
		}
		if mapped[c.Target()] {
			return nil, errorOf(ErrBadRequest, nil, "import.mappedTwice", c.Target())
		}
		mapped[c.Target()] = true
		if f.Kind() == schema.KindLookup || f.Kind() == schema.KindLookupList {
			key, err := im.lookupKey(f)
			if err != nil {
				return nil, err
			}
			im.lookups[f.Name] = key
		}
	}
	if spec.Mode != BulkCreate {
		switch {
		case spec.MatchBy == "" && !hasID:
			return nil, errorOf(ErrBadRequest, nil, "import.needsKey", string(spec.Mode))
		case spec.MatchBy != "":
			if err := w.checkUpsertKey(obj, spec.MatchBy); err != nil {
				return nil, err
			}
			if !mapped[spec.MatchBy] {
				return nil, errorOf(ErrBadRequest, nil, "import.keyNotMapped", spec.MatchBy)
			}
		}
	}
	return im, nil
}

// lookupKey checks how the cells of lookup field f find its records.
func (im *rowImport) lookupKey(f *schema.Field) (lookupKey, error) {
	target := im.w.snap.catalog.Object(f.Target)
	if target == nil {
		return lookupKey{}, errorOf(ErrBadRequest, nil, "import.noSuchField", 0, f.Name, f.Target, im.obj.Name)
	}
	rules := im.w.snap.readRules(im.w.actor, target)
	by := im.spec.LookupBy[f.Name]
	if by == "" {
		return lookupKey{target: target, by: titleField(target, rules)}, nil
	}
	tf := target.Field(by)
	if tf == nil || tf.Hidden || tf.Sensitive || rules.Hides(by) || rules.Masked[by] || tf.Kind() != schema.KindString {
		return lookupKey{}, errorOf(ErrBadRequest, nil, "import.badLookupBy", f.Name, by, target.Name)
	}
	return lookupKey{target: target, by: by}, nil
}
