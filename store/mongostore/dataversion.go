package mongostore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// Data versions ([store.DataVersioner]): the collection data_versions
// holds a number per object, {_id: object, value}, that every write
// transaction raises for each object whose records it inserted, updated
// or deleted, or whose definition it saved or deleted.
//
// In a server transaction the raise is the transaction's last write, so
// it commits or aborts with the records. Without server transactions
// (FerretDB, a standalone server) the store keeps data versions only when
// [Config.DataVersionsWithoutTransactions] asks for them, as each raise is
// then a durable write of its own. A compensated transaction applies its
// writes as it goes: it raises the numbers after its last write and again after undoing, so
// that an answer computed from writes that were later undone carries a
// number that no longer holds. What this cannot cover: a process killed
// between undoing and raising leaves the number where the undone writes
// put it, so another process that kept an answer computed from them
// during that window keeps it until a later write raises the number.
//
// An object's first number is the clock's nanoseconds rather than 1, so
// that a tenant deleted and made again under the same id does not repeat
// the old one's numbers.
const collDataVersions = "data_versions"

// DataVersion implements [store.DataVersioner]. An object never written
// is at version 0.
func (ts *tenantStore) DataVersion(ctx context.Context, object string) (int64, error) {
	if !ts.s.keepsDataVersions() {
		return 0, fmt.Errorf("read data version of %q: %w", object, store.ErrNoDataVersion)
	}
	var d struct {
		Value int64 `bson:"value"`
	}
	octx, cancel := ts.s.op(ctx)
	defer cancel()
	err := ts.db.Collection(collDataVersions).FindOne(octx, eq(keyID, object)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read data version of %q: %w", object, ts.s.fail(octx, err))
	}
	return d.Value, nil
}

// changedObjects are the objects whose data version the transaction
// must raise, in name order.
func (t *tx) changedObjects() []string {
	set := maps.Clone(t.wrote)
	for name := range t.deletedHere {
		set[name] = true
	}
	for name := range t.touched {
		set[name] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// raiseDataVersions raises the data version of every object the
// transaction changed, inside the server transaction when there is one.
func (t *tx) raiseDataVersions(ctx context.Context) error {
	if !t.s.keepsDataVersions() {
		return nil
	}
	versions := t.db.Collection(collDataVersions)
	for _, object := range t.changedObjects() {
		err := t.inTx(ctx, func(ctx context.Context) error {
			res, err := versions.UpdateOne(ctx, eq(keyID, object), bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: int64(1)}}}})
			if err != nil || res.MatchedCount > 0 {
				return err
			}
			// The object's first raise. Two processes racing here both
			// upsert: in a server transaction the loser's conflict runs
			// its transaction again; without one its duplicate key is the
			// winner's number.
			_, err = versions.UpdateOne(ctx, eq(keyID, object),
				bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "value", Value: time.Now().UnixNano()}}}},
				options.UpdateOne().SetUpsert(true))
			if t.compensate && mongo.IsDuplicateKeyError(err) {
				err = nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("raise data version of %q: %w", object, store.ContextError(ctx, err))
		}
	}
	return nil
}

// raiseAfterUndo raises the data versions once a compensated
// transaction's writes are undone; a failure is logged, as the undo is
// what the caller waits for.
func (t *tx) raiseAfterUndo(ctx context.Context) {
	if err := t.raiseDataVersions(ctx); err != nil {
		t.s.log.Warn("raise data versions after an undo", "tenant", t.ts.id, "err", err)
	}
}

// keepsDataVersions reports whether the store raises data versions.
func (s *Store) keepsDataVersions() bool {
	return s.caps.transactions || s.cfg.DataVersionsWithoutTransactions
}

var _ store.DataVersioner = (*tenantStore)(nil)
