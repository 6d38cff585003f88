package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// The due-work index ([store.DueIndex]) is the system collection "due":
// {_id: tenant, at: due time as store.FormatTime text, v: version}.
// Several servers may share the database, so every lowering writes (a
// $min and an $inc of the version in one update), and every write
// transaction that may add due work lowers its tenant's entry before its
// first such write and again when it ended (tx.go): a worker that read
// the entry before another server added work never raises it over that
// work. That costs two small writes to the system database a
// transaction that writes records of the objects named by SetDueObjects
// (every transaction that writes, before it is called), metadata
// versions or the metadata revision; other transactions cost none.
const collDue = "due"

// SetDueObjects implements [store.DueObjects].
func (s *Store) SetDueObjects(objects []string) {
	set := make(map[string]bool, len(objects))
	for _, o := range objects {
		set[o] = true
	}
	s.dueObjects.Store(&set)
}

// txDue is what the attempts of one WithTx did to the due index.
type txDue struct{ lowered bool }

// mayAddDue lowers the tenant's entry before the transaction's first
// write that may add due work: one of the records of object, or with
// object "" of object definitions or the metadata revision. In a
// compensated transaction the write is applied at once, so the entry is
// lowered before it; in a server transaction, before the commit.
func (t *tx) mayAddDue(ctx context.Context, object string) error {
	if t.due == nil || t.due.lowered {
		return nil
	}
	if set := t.s.dueObjects.Load(); object != "" && set != nil && !(*set)[object] {
		return nil
	}
	if err := t.s.LowerDue(ctx, t.ts.id, store.DueAtOnce); err != nil {
		return err
	}
	t.due.lowered = true
	return nil
}

// duePage is how many tenants EnsureDue reads at a time.
const duePage = 1000

var _ store.DueIndex = (*Store)(nil)

type dueDoc struct {
	Tenant  string `bson:"_id"`
	At      string `bson:"at"`
	Version int64  `bson:"v"`
}

// prepareDue creates the index the due tenants are read by.
func (s *Store) prepareDue(ctx context.Context) error {
	if err := ensureIndexes(ctx, s.system.Collection(collDue), []mongo.IndexModel{{
		Keys:    bson.D{{Key: "at", Value: int32(1)}, {Key: keyID, Value: int32(1)}},
		Options: options.Index().SetName("ix_at"),
	}}); err != nil {
		return s.unavailable(ctx, "create index on the due index", err)
	}
	return nil
}

// LowerDue implements [store.DueIndex].
func (s *Store) LowerDue(ctx context.Context, tenant string, at time.Time) error {
	octx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.system.Collection(collDue).UpdateOne(octx, eq(keyID, tenant), bson.D{
		{Key: "$min", Value: bson.D{{Key: "at", Value: store.FormatTime(at)}}},
		{Key: "$inc", Value: bson.D{{Key: "v", Value: int64(1)}}},
	}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // two upserts at once: the other made it
		return s.LowerDue(ctx, tenant, at)
	}
	if err != nil {
		return fmt.Errorf("lower the due time of tenant %q: %w", tenant, s.fail(octx, err))
	}
	return nil
}

// DueTenants implements [store.DueIndex].
func (s *Store) DueTenants(ctx context.Context, now time.Time, limit int) ([]store.DueEntry, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	cur, err := s.system.Collection(collDue).Find(octx, bson.D{{Key: "at", Value: bson.D{{Key: "$lte", Value: store.FormatTime(now)}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: int32(1)}, {Key: keyID, Value: int32(1)}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("read due tenants: %w", s.fail(octx, err))
	}
	var docs []dueDoc
	if err := cur.All(octx, &docs); err != nil {
		return nil, fmt.Errorf("read due tenants: %w", s.fail(octx, err))
	}
	out := make([]store.DueEntry, 0, len(docs))
	for _, d := range docs {
		at, err := store.ParseTime(d.At)
		if err != nil {
			return nil, fmt.Errorf("read due tenants: %w", err)
		}
		out = append(out, store.DueEntry{Tenant: d.Tenant, At: at, Version: d.Version})
	}
	return out, nil
}

// SetDue implements [store.DueIndex].
func (s *Store) SetDue(ctx context.Context, tenant string, version int64, at time.Time) (bool, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	res, err := s.system.Collection(collDue).UpdateOne(octx, bson.D{equality(keyID, tenant), equality("v", version)}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "at", Value: store.FormatTime(at)}}},
		{Key: "$inc", Value: bson.D{{Key: "v", Value: int64(1)}}},
	})
	if err != nil {
		return false, fmt.Errorf("set the due time of tenant %q: %w", tenant, s.fail(octx, err))
	}
	return res.MatchedCount > 0, nil
}

// EnsureDue implements [store.DueIndex]: it reads the tenants a page at
// a time and inserts the entries missing from each page.
func (s *Store) EnsureDue(ctx context.Context, at time.Time, limit int) (int, error) {
	text := store.FormatTime(at)
	added, after := 0, ""
	for added < limit {
		ids, err := s.tenantIDs(ctx, after, duePage)
		if err != nil {
			return added, fmt.Errorf("give tenants an entry in the due index: %w", err)
		}
		if len(ids) == 0 {
			return added, nil
		}
		after = ids[len(ids)-1]
		octx, cancel := s.op(ctx)
		cur, err := s.system.Collection(collDue).Find(octx, bson.D{{Key: keyID, Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(bson.D{{Key: keyID, Value: int32(1)}}))
		var have []dueDoc
		if err == nil {
			err = cur.All(octx, &have)
		}
		if err != nil {
			cancel()
			return added, fmt.Errorf("give tenants an entry in the due index: %w", s.fail(octx, err))
		}
		known := make(map[string]bool, len(have))
		for _, d := range have {
			known[d.Tenant] = true
		}
		for _, id := range ids {
			if known[id] || added == limit {
				continue
			}
			_, err := s.system.Collection(collDue).InsertOne(octx, dueDoc{Tenant: id, At: text, Version: 1})
			if mongo.IsDuplicateKeyError(err) {
				continue // made meanwhile
			}
			if err != nil {
				cancel()
				return added, fmt.Errorf("give tenant %q an entry in the due index: %w", id, s.fail(octx, err))
			}
			added++
		}
		cancel()
	}
	return added, nil
}

// tenantIDs returns at most limit tenant ids after after, in order.
func (s *Store) tenantIDs(ctx context.Context, after string, limit int) ([]string, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	cur, err := s.system.Collection(collTenants).Find(octx, bson.D{{Key: keyID, Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: keyID, Value: int32(1)}}).SetLimit(int64(limit)).SetProjection(bson.D{{Key: keyID, Value: int32(1)}}))
	if err != nil {
		return nil, s.fail(octx, err)
	}
	var docs []dueDoc
	if err := cur.All(octx, &docs); err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.fail(octx, err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.Tenant
	}
	return ids, nil
}
