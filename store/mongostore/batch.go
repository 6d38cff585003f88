package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

var _ store.BatchInserter = (*tx)(nil)

// InsertMany implements [store.BatchInserter]. In a server transaction
// it is one insertMany (a failure aborts the transaction, as a failed
// Insert does). A compensated transaction inserts the records one by one
// and, when one fails, undoes at once those this call had inserted, so
// that none of recs stays while the transaction goes on.
func (t *tx) InsertMany(ctx context.Context, obj *schema.Object, recs []store.Record) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("insert records: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	if t.compensate {
		return t.insertEach(ctx, obj, recs)
	}
	docs := make([]any, len(recs))
	for i, rec := range recs {
		if rec.ID == "" {
			return fmt.Errorf("insert %s records: empty id", obj.Name)
		}
		doc, err := encodeRecord(rec)
		if err != nil {
			return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, err)
		}
		docs[i] = doc
	}
	coll := t.records(obj)
	if err := t.mayAddDue(ctx, obj.Name); err != nil {
		return err
	}
	t.wrote[obj.Name] = true
	octx, cancel := t.s.op(ctx)
	defer cancel()
	if _, err := coll.InsertMany(t.sessCtx(octx), docs); err != nil {
		failed := recs[0]
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 && bwe.WriteErrors[0].Index < len(recs) {
			failed = recs[bwe.WriteErrors[0].Index]
		}
		return fmt.Errorf("insert %d %s records, at %q: %w", len(recs), obj.Name, failed.ID, t.writeError(octx, obj, failed, true, err))
	}
	return nil
}

// insertEach is InsertMany in a compensated transaction.
func (t *tx) insertEach(ctx context.Context, obj *schema.Object, recs []store.Record) error {
	mark := len(t.undo)
	for _, rec := range recs {
		err := t.Insert(ctx, obj, rec)
		if err == nil {
			continue
		}
		steps := append([]undoStep(nil), t.undo[mark:]...)
		t.undo = t.undo[:mark]
		bg := context.WithoutCancel(ctx)
		for i := len(steps) - 1; i >= 0; i-- {
			octx, cancel := context.WithTimeout(bg, t.s.cfg.OperationTimeout)
			uerr := steps[i].run(octx)
			cancel()
			if uerr != nil {
				// Left to the transaction's own undo.
				t.undo = append(t.undo, steps[:i+1]...)
				return errors.Join(err, fmt.Errorf("undo %s: %w", steps[i].what, uerr))
			}
		}
		return err
	}
	return nil
}
