package sqlitestore

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// insertManyRows is how many records one INSERT statement of InsertMany
// carries (8 parameters each, far below SQLite's limit of 32,766); a
// statement of this many rows is prepared once per transaction and
// object, a shorter last one each time.
const insertManyRows = 100

var _ store.BatchInserter = (*tx)(nil)

// InsertMany implements [store.BatchInserter] with multi-row INSERT
// statements of up to [insertManyRows] rows. One statement is atomic in
// SQLite; more than one run under a savepoint, so that a failure leaves
// none of recs.
func (t *tx) InsertMany(ctx context.Context, obj *schema.Object, recs []store.Record) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("insert records: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	t.wrote(obj.Name)
	args := make([]any, 0, 8*min(len(recs), insertManyRows))
	for _, rec := range recs {
		if rec.ID == "" {
			return fmt.Errorf("insert %s records: empty id", obj.Name)
		}
	}
	run := func() error {
		for start := 0; start < len(recs); start += insertManyRows {
			chunk := recs[start:min(start+insertManyRows, len(recs))]
			args = args[:0]
			for _, rec := range chunk {
				data, err := encodeData(rec.Data)
				if err != nil {
					return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, err)
				}
				args = append(args, rec.ID, rec.Version, storedTime(rec.CreatedAt), storedTime(rec.UpdatedAt),
					rec.CreatedBy, rec.UpdatedBy, rec.OwnerID, data)
			}
			text := `INSERT INTO ` + quotedTable(obj.Name) +
				` (id, version, created_at, updated_at, created_by, updated_by, owner_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, jsonb(?))` +
				strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?, jsonb(?))`, len(chunk)-1)
			var err error
			if len(chunk) == insertManyRows || len(chunk) == 1 {
				_, err = t.exec(ctx, text, args...)
			} else {
				_, err = t.sqlTx.ExecContext(ctx, text, args...)
			}
			if err != nil {
				return fmt.Errorf("insert %d %s records from %q: %w", len(chunk), obj.Name, chunk[0].ID, writeError(ctx, t.sqlTx, obj.Name, err))
			}
		}
		return nil
	}
	if len(recs) <= insertManyRows {
		return run() // one statement: all or nothing by itself
	}
	return t.savepoint(ctx, run)
}
