package store

import (
	"context"

	"github.com/crmkit/crm/schema"
)

// BatchInserter is an optional capability of a [Tx], found by type
// assertion: many new records of one object stored in as few statements
// as the adapter can (a multi-row INSERT, an insertMany), which costs a
// fraction of one [Tx.Insert] each. The engine uses it for what many
// writes append together, such as their audit entries.
type BatchInserter interface {
	// InsertMany stores recs in obj as Insert stores each, all or
	// nothing: when it returns an error (an id that exists is
	// [ErrConflict], a unique value taken — by a stored record or by
	// another of recs — a [*UniqueError], an empty id an error) none of
	// recs is stored, and the transaction goes on or not as after a
	// failed Insert. No records is no write.
	InsertMany(ctx context.Context, obj *schema.Object, recs []Record) error
}

// InsertMany stores recs through tx's [BatchInserter] when it has one,
// else with one [Tx.Insert] each (then a failure may leave the records
// before it in the transaction, which its caller then rolls back).
func InsertMany(ctx context.Context, tx Tx, obj *schema.Object, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	if bi, ok := tx.(BatchInserter); ok {
		return bi.InsertMany(ctx, obj, recs)
	}
	for _, r := range recs {
		if err := tx.Insert(ctx, obj, r); err != nil {
			return err
		}
	}
	return nil
}
