package engine

import (
	"context"

	"github.com/crmkit/crm/schema"
)

// DefaultImportPreview and MaxImportPreview bound the rows of a preview.
const (
	DefaultImportPreview = 20
	MaxImportPreview     = 200
)

// ImportPreviewRow is a row as an import would take it.
type ImportPreviewRow struct {
	Line  int
	Cells []string
	// Values are the fields' values read from the cells (lookups as the
	// ids of the records they found), as the row's write would get them.
	Values map[string]any
	// Problems are everything that would reject the row: cells that are
	// not values, lookups not found, and, for a create, what the write's
	// own checks say (required fields, validation rules, scripts).
	Problems []schema.FieldError
}

// PreviewImport reads the first rows of table as ImportRecords would,
// with the same checks of spec, and says what each would be and every
// problem it has; nothing is written. first is bounded by
// MaxImportPreview (DefaultImportPreview when not positive). Rows an
// update matches by a unique field are found; the writes' own checks of
// updates and upserts are not run, since they depend on the records.
func (e *Engine) PreviewImport(ctx context.Context, object string, table ImportTable, spec ImportSpec, first int) ([]ImportPreviewRow, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return nil, err
	}
	if first <= 0 {
		first = DefaultImportPreview
	}
	first = min(first, MaxImportPreview, len(table.Rows))
	im, err := e.newImport(w, obj, table, spec)
	if err != nil {
		return nil, err
	}
	items, err := im.prepare(ctx, table.Rows[:first], false)
	if err != nil {
		return nil, err
	}
	out := make([]ImportPreviewRow, len(items))
	for i, it := range items {
		out[i] = ImportPreviewRow{Line: it.row.Line, Cells: it.row.Cells, Values: it.data, Problems: it.problems}
		if out[i].Problems == nil {
			out[i].Problems = []schema.FieldError{}
		}
	}
	return out, nil
}
