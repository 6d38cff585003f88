package ferrettest_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The pooled layout of docs/scale.md, tried on FerretDB with the plain
// driver: the records of two tenants and two objects in one collection,
// each document carrying its tenant t and object obj, queried the way the
// adapter queries a tenant's own collection (filter, keyset page, count,
// $group), with the tenant and object in front of every filter and every
// index. Nothing in the production adapter uses this layout.

// pooledDeal is one record in the pooled collection.
type pooledDeal struct {
	tenant, id, stage string
	amount            int64
}

func pooledID(tenant, object, id string) string { return tenant + "/" + object + "/" + id }

// pooledIndexes are the indexes of the pool's records collection that
// FerretDB v1.24 accepts: the system fields behind tenant and object,
// and one data field indexed the same way (what a pool would make for a
// field every tenant of a template indexes).
var pooledIndexes = []mongo.IndexModel{
	{Keys: bson.D{{Key: "t", Value: 1}, {Key: "obj", Value: 1}, {Key: "ca", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("ix_t_obj_ca")},
	{Keys: bson.D{{Key: "t", Value: 1}, {Key: "obj", Value: 1}, {Key: "ua", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("ix_t_obj_ua")},
	{Keys: bson.D{{Key: "t", Value: 1}, {Key: "obj", Value: 1}, {Key: "o", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("ix_t_obj_o")},
	{Keys: bson.D{{Key: "t", Value: 1}, {Key: "obj", Value: 1}, {Key: "d.stage", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("ix_t_obj_stage")},
}

// pooledCollection makes an empty pool on the shared FerretDB.
func pooledCollection(t *testing.T) (*mongo.Database, *mongo.Collection) {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Disconnect(t.Context()) })
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	db := client.Database("pool" + hex.EncodeToString(b))
	t.Cleanup(func() { _ = db.Drop(t.Context()) })
	coll := db.Collection("records")
	require.NoError(t, db.CreateCollection(t.Context(), "records"))
	return db, coll
}

// TestScalePooled_WildcardIndexesBreakInserts: FerretDB v1.24 (SQLite
// handler) accepts the compound wildcard index the pooled layout needs
// for the tenants' own fields, and plain wildcard indexes, as indexes on
// a literal path, and from then on refuses every insert into the
// collection (SQLite: bad JSON path '$**'). The pooled layout's data
// field indexes can therefore not be tried here; its compound indexes
// behind tenant and object can.
func TestScalePooled_WildcardIndexesBreakInserts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	doc := bson.D{{Key: "_id", Value: "acme/deal/d1"}, {Key: "t", Value: "acme"}, {Key: "obj", Value: "deal"}, {Key: "d", Value: bson.D{{Key: "stage", Value: "won"}}}}
	for _, keys := range []bson.D{
		{{Key: "t", Value: 1}, {Key: "obj", Value: 1}, {Key: "d.$**", Value: 1}},
		{{Key: "d.$**", Value: 1}},
		{{Key: "$**", Value: 1}},
	} {
		_, coll := pooledCollection(t)
		_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: keys, Options: options.Index().SetName("wx")})
		require.NoError(t, err, "FerretDB refused the wildcard index %v: docs/scale.md says it accepts it", keys)
		_, err = coll.InsertOne(ctx, doc)
		assert.ErrorContains(t, err, "bad JSON path", "an insert beside the wildcard index %v: docs/scale.md says FerretDB refuses it", keys)
	}
	_, coll := pooledCollection(t)
	names, err := coll.Indexes().CreateMany(ctx, pooledIndexes)
	require.NoError(t, err)
	assert.Len(t, names, len(pooledIndexes))
	_, err = coll.InsertOne(ctx, doc)
	require.NoError(t, err)
}

// TestScalePooled_FerretScans: FerretDB v1.24 answers a filter on
// tenant, object and a data field by scanning the collection (no filter
// pushdown, an SQLite SCAN), indexes or not, so whether the pooled
// indexes serve the queries can be shown only on MongoDB (explain there).
func TestScalePooled_FerretScans(t *testing.T) {
	t.Parallel()
	db, coll := pooledCollection(t)
	ctx := t.Context()
	_, err := coll.Indexes().CreateMany(ctx, pooledIndexes)
	require.NoError(t, err)
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "acme/deal/d1"}, {Key: "t", Value: "acme"}, {Key: "obj", Value: "deal"}, {Key: "d", Value: bson.D{{Key: "stage", Value: "won"}}}})
	require.NoError(t, err)
	var res struct {
		FilterPushdown bool `bson:"filterPushdown"`
		QueryPlanner   struct {
			Plan []string `bson:"Plan"`
		} `bson:"queryPlanner"`
	}
	filter := bson.D{{Key: "t", Value: "acme"}, {Key: "obj", Value: "deal"}, {Key: "d.stage", Value: "won"}}
	err = db.RunCommand(ctx, bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: "records"}, {Key: "filter", Value: filter}}}}).Decode(&res)
	require.NoError(t, err)
	assert.False(t, res.FilterPushdown)
	require.NotEmpty(t, res.QueryPlanner.Plan)
	assert.Contains(t, strings.Join(res.QueryPlanner.Plan, " "), "SCAN")
}

// TestScalePooled_QueriesStayInTheirTenant: filters, keyset pages, counts
// and groups with the tenant and object in front see exactly their
// tenant's records of their object on FerretDB.
func TestScalePooled_QueriesStayInTheirTenant(t *testing.T) {
	t.Parallel()
	db, coll := pooledCollection(t)
	ctx := t.Context()
	_, err := coll.Indexes().CreateMany(ctx, pooledIndexes)
	require.NoError(t, err)

	stages := []string{"open", "won", "lost"}
	var deals []pooledDeal
	var docs []any
	for _, tenant := range []string{"acme", "globex"} {
		n := 25
		if tenant == "globex" {
			n = 18
		}
		for i := range n {
			d := pooledDeal{tenant: tenant, id: fmt.Sprintf("d%03d", i), stage: stages[i%3], amount: int64((i * 37) % 11 * 100)}
			deals = append(deals, d)
			docs = append(docs, bson.D{
				{Key: "_id", Value: pooledID(tenant, "deal", d.id)}, {Key: "t", Value: tenant}, {Key: "obj", Value: "deal"},
				{Key: "id", Value: d.id}, {Key: "v", Value: int64(1)},
				{Key: "ca", Value: fmt.Sprintf("2026-12-06T10:%02d:00.000000Z", i)}, {Key: "ua", Value: fmt.Sprintf("2026-12-06T10:%02d:00.000000Z", i)},
				{Key: "o", Value: "user:" + tenant},
				{Key: "d", Value: bson.D{{Key: "stage", Value: d.stage}, {Key: "amount", Value: d.amount}}},
			})
		}
		// Another object of the same tenant, with a field of the same
		// name, shares the collection.
		docs = append(docs, bson.D{
			{Key: "_id", Value: pooledID(tenant, "account", "a1")}, {Key: "t", Value: tenant}, {Key: "obj", Value: "account"},
			{Key: "id", Value: "a1"}, {Key: "v", Value: int64(1)}, {Key: "o", Value: "user:" + tenant},
			{Key: "d", Value: bson.D{{Key: "stage", Value: "won"}, {Key: "amount", Value: int64(1)}}},
		})
	}
	_, err = coll.InsertMany(ctx, docs)
	require.NoError(t, err)

	scope := func(tenant string, rest ...bson.E) bson.D {
		return append(bson.D{{Key: "t", Value: tenant}, {Key: "obj", Value: "deal"}}, rest...)
	}
	mine := func(tenant string, keep func(pooledDeal) bool) []pooledDeal {
		var out []pooledDeal
		for _, d := range deals {
			if d.tenant == tenant && keep(d) {
				out = append(out, d)
			}
		}
		return out
	}

	for _, tenant := range []string{"acme", "globex"} {
		t.Run(tenant+"/filter and count", func(t *testing.T) {
			want := mine(tenant, func(d pooledDeal) bool { return d.stage == "won" })
			n, err := coll.CountDocuments(ctx, scope(tenant, bson.E{Key: "d.stage", Value: "won"}))
			require.NoError(t, err)
			assert.Equal(t, int64(len(want)), n)
			n, err = coll.CountDocuments(ctx, scope(tenant, bson.E{Key: "d.amount", Value: bson.D{{Key: "$gte", Value: int64(500)}}}))
			require.NoError(t, err)
			assert.Equal(t, int64(len(mine(tenant, func(d pooledDeal) bool { return d.amount >= 500 }))), n)
		})

		t.Run(tenant+"/keyset pages", func(t *testing.T) {
			// Amount descending, id ascending to break ties; pages of 4,
			// each asking for one more to know whether another follows.
			want := mine(tenant, func(pooledDeal) bool { return true })
			slices.SortFunc(want, func(a, b pooledDeal) int {
				if a.amount != b.amount {
					return int(b.amount - a.amount)
				}
				return strings.Compare(pooledID(a.tenant, "deal", a.id), pooledID(b.tenant, "deal", b.id))
			})
			var got []string
			filter := scope(tenant)
			for pages := 0; ; pages++ {
				require.Less(t, pages, 20, "paging does not end")
				cur, err := coll.Find(ctx, filter, options.Find().
					SetSort(bson.D{{Key: "d.amount", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(5))
				require.NoError(t, err)
				var page []struct {
					ID string `bson:"_id"`
					T  string `bson:"t"`
					D  struct {
						Amount int64 `bson:"amount"`
					} `bson:"d"`
				}
				require.NoError(t, cur.All(ctx, &page))
				more := len(page) == 5
				if more {
					page = page[:4]
				}
				for _, p := range page {
					assert.Equal(t, tenant, p.T)
					got = append(got, p.ID)
				}
				if !more {
					break
				}
				last := page[len(page)-1]
				filter = scope(tenant, bson.E{Key: "$or", Value: bson.A{
					bson.D{{Key: "d.amount", Value: bson.D{{Key: "$lt", Value: last.D.Amount}}}},
					bson.D{{Key: "d.amount", Value: last.D.Amount}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: last.ID}}}},
				}})
			}
			var wantIDs []string
			for _, d := range want {
				wantIDs = append(wantIDs, pooledID(d.tenant, "deal", d.id))
			}
			assert.Equal(t, wantIDs, got)
		})

		t.Run(tenant+"/group", func(t *testing.T) {
			want := map[string]int64{}
			for _, d := range mine(tenant, func(pooledDeal) bool { return true }) {
				want[d.stage] += d.amount
			}
			cur, err := coll.Aggregate(ctx, mongo.Pipeline{
				{{Key: "$match", Value: scope(tenant)}},
				{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$d.stage"}, {Key: "sum", Value: bson.D{{Key: "$sum", Value: "$d.amount"}}}}}},
				{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
			})
			require.NoError(t, err)
			var rows []struct {
				Stage string `bson:"_id"`
				Sum   int64  `bson:"sum"`
			}
			require.NoError(t, cur.All(ctx, &rows))
			got := map[string]int64{}
			for _, r := range rows {
				got[r.Stage] = r.Sum
			}
			assert.Equal(t, want, got)
		})
	}

	t.Run("get many by id", func(t *testing.T) {
		// The adapter's GetMany is an $in on _id: a caller's ids become
		// its tenant's keys, so another tenant's record of the same id
		// is out of reach.
		ids := bson.A{pooledID("acme", "deal", "d000"), pooledID("acme", "deal", "d020"), pooledID("acme", "deal", "d999")}
		cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		require.NoError(t, err)
		var got []struct {
			T  string `bson:"t"`
			ID string `bson:"id"`
		}
		require.NoError(t, cur.All(ctx, &got))
		require.Len(t, got, 2)
		for _, g := range got {
			assert.Equal(t, "acme", g.T)
		}
	})

	t.Run("counters per tenant", func(t *testing.T) {
		// Gap-free counters keyed by tenant in one pooled collection.
		seq := db.Collection("sequences")
		next := func(tenant string) int64 {
			var out struct {
				Value int64 `bson:"value"`
			}
			err := seq.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: tenant + "/deal.no"}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: int64(1)}}}},
				options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out)
			require.NoError(t, err)
			return out.Value
		}
		assert.Equal(t, int64(1), next("acme"))
		assert.Equal(t, int64(2), next("acme"))
		assert.Equal(t, int64(1), next("globex"))
		assert.Equal(t, int64(3), next("acme"))
	})

	t.Run("unique values per tenant", func(t *testing.T) {
		// A unique field of a pooled object: one document per value in
		// use, keyed by tenant, object and field; the same value is free
		// in another tenant and taken twice in one.
		uv := db.Collection("unique_values")
		_, err := uv.InsertOne(ctx, bson.D{{Key: "_id", Value: "acme/deal/code/X-1"}})
		require.NoError(t, err)
		_, err = uv.InsertOne(ctx, bson.D{{Key: "_id", Value: "globex/deal/code/X-1"}})
		require.NoError(t, err)
		_, err = uv.InsertOne(ctx, bson.D{{Key: "_id", Value: "acme/deal/code/X-1"}})
		assert.True(t, mongo.IsDuplicateKeyError(err), "a second X-1 in acme: %v", err)
	})

	t.Run("erasing one tenant", func(t *testing.T) {
		// Erasure in a pool is a delete by tenant, not a dropped database.
		res, err := coll.DeleteMany(ctx, bson.D{{Key: "t", Value: "globex"}})
		require.NoError(t, err)
		assert.Equal(t, int64(18+1), res.DeletedCount)
		n, err := coll.CountDocuments(ctx, bson.D{{Key: "t", Value: "acme"}})
		require.NoError(t, err)
		assert.Equal(t, int64(25+1), n)
	})

}
