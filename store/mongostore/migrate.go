package mongostore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// layoutVersion is the layout of tenant databases this build writes. The
// meta collection records the layout of a database as {_id: "layout",
// value}; a database without that document has layout 1.
//
//  1. the first layout
//  2. records have an owner (key o), indexed in every collection
const layoutVersion = 2

// layoutID is the _id of the layout document in the meta collection.
const layoutID = "layout"

// ownerBatch is how many records one round of fillOwners reads and
// updates.
const ownerBatch = 1000

// migrateTenant brings a tenant's database up to layoutVersion. It runs
// when a process first opens the tenant. Every step may run again, so two
// processes opening the tenant at once, or a migration cut short, do no
// harm. A database written by a newer build is refused.
func (ts *tenantStore) migrateTenant(ctx context.Context) error {
	meta := ts.db.Collection(collMeta)
	var d struct {
		Value int64 `bson:"value"`
	}
	octx, cancel := ts.s.op(ctx)
	err := meta.FindOne(octx, eq(keyID, layoutID)).Decode(&d)
	cancel()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		d.Value = 1
	case err != nil:
		return fmt.Errorf("read layout version: %w", ts.s.fail(octx, err))
	}
	if d.Value > layoutVersion {
		return fmt.Errorf("tenant database has layout version %d, this build knows %d", d.Value, layoutVersion)
	}
	if d.Value == layoutVersion {
		return nil
	}
	if d.Value < 2 {
		if err := ts.addOwners(ctx); err != nil {
			return fmt.Errorf("migrate to layout version 2: %w", err)
		}
	}
	octx, cancel = ts.s.op(ctx)
	defer cancel()
	_, err = meta.UpdateOne(octx, eq(keyID, layoutID),
		bson.D{{Key: "$max", Value: bson.D{{Key: "value", Value: int64(layoutVersion)}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a concurrent upsert won
		return fmt.Errorf("record layout version: %w", ts.s.fail(octx, err))
	}
	return nil
}

// addOwners gives the records of every live object that have no owner
// their creator as owner, and every live object's collection the owner
// index. Versions stored before owners do not list that index; reconcile
// keeps it all the same.
func (ts *tenantStore) addOwners(ctx context.Context) error {
	heads, err := ts.versions(ctx, bson.D{}, bson.D{{Key: "name", Value: int32(1)}, {Key: "version", Value: int32(1)}}, 0, false)
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	newest := map[string]objectVersionDoc{}
	for _, h := range heads {
		if cur, ok := newest[h.Name]; !ok || h.Version > cur.Version {
			newest[h.Name] = h
		}
	}
	for _, name := range slices.Sorted(maps.Keys(newest)) {
		if newest[name].Deleted || store.CheckObjectName(name) != nil {
			continue
		}
		coll := ts.db.Collection(collectionName(name))
		if err := ts.fillOwners(ctx, coll); err != nil {
			return fmt.Errorf("set owners of %s: %w", coll.Name(), err)
		}
		spec := ownerIndex()
		octx, cancel := ts.s.op(ctx)
		err := ensureIndexes(octx, coll, []mongo.IndexModel{ts.s.model(spec)})
		cancel()
		if err != nil {
			return fmt.Errorf("create index %s on %s: %w", spec.Name, coll.Name(), ts.s.fail(octx, err))
		}
	}
	return nil
}

// fillOwners sets the owner of every record of coll that has none to its
// creator (the empty string if it has none either, so that every round
// makes progress), ownerBatch records at a time.
//
// Note: on MongoDB 4.2+ a single update with an aggregation pipeline
// ({$set: {o: "$cb"}}) would do this, but FerretDB v1, which this adapter
// also serves, does not support pipeline updates. So the records are read
// in batches and updated one by one, in one unordered bulk write per
// batch, which both run.
func (ts *tenantStore) fillOwners(ctx context.Context, coll *mongo.Collection) error {
	missing := bson.E{Key: keyOwnerID, Value: bson.D{{Key: "$exists", Value: false}}}
	find := options.Find().
		SetProjection(bson.D{{Key: keyCreatedBy, Value: int32(1)}}).
		SetLimit(ownerBatch)
	for {
		var docs []struct {
			ID        any    `bson:"_id"`
			CreatedBy string `bson:"cb"`
		}
		octx, cancel := ts.s.op(ctx)
		cur, err := coll.Find(octx, bson.D{missing}, find)
		if err == nil {
			err = cur.All(octx, &docs)
		}
		if err != nil {
			cancel()
			return fmt.Errorf("read records without owner: %w", ts.s.fail(octx, err))
		}
		if len(docs) == 0 {
			cancel()
			return nil
		}
		models := make([]mongo.WriteModel, 0, len(docs))
		for _, d := range docs {
			models = append(models, mongo.NewUpdateOneModel().
				SetFilter(bson.D{{Key: keyID, Value: d.ID}, missing}).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: keyOwnerID, Value: d.CreatedBy}}}}))
		}
		_, err = coll.BulkWrite(octx, models, options.BulkWrite().SetOrdered(false))
		cancel()
		if err != nil {
			return fmt.Errorf("set owners: %w", ts.s.fail(octx, err))
		}
	}
}
