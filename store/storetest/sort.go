package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// itemRecords generates n item records with many ties, missing and null
// values, and ids in an order unrelated to insertion.
func itemRecords(n int, seed uint64) []store.Record {
	rng := rand.New(rand.NewPCG(seed, 42))
	labels := []string{"apple", "Banana", "cherry", "date", "Éclair", "fig", "apple pie"}
	perm := rng.Perm(n)
	recs := make([]store.Record, n)
	for i := range n {
		d := map[string]any{}
		if rng.IntN(10) > 0 {
			d["rank"] = float64(rng.IntN(10))
		}
		if rng.IntN(10) > 0 {
			d["score"] = float64(rng.IntN(1000))/8 - 40
		}
		switch rng.IntN(10) {
		case 0:
		case 1:
			d["label"] = nil
		default:
			d["label"] = labels[rng.IntN(len(labels))]
		}
		if rng.IntN(10) > 0 {
			d["flag"] = rng.IntN(2) == 0
		}
		if rng.IntN(5) > 0 {
			d["day"] = fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(3), 1+rng.IntN(28))
		}
		if rng.IntN(3) > 0 {
			d["owner"] = fmt.Sprintf("u%d", rng.IntN(5))
		}
		r := record(fmt.Sprintf("it-%04d", perm[i]), time.Duration(rng.IntN(50))*time.Minute, d)
		r.UpdatedAt = r.CreatedAt.Add(time.Duration(rng.IntN(3)) * time.Second)
		r.Version = int64(1 + rng.IntN(3))
		recs[i] = r
	}
	return recs
}

func testSort(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	item := itemObject()
	saveObject(t, ts, item, 1)

	// A small set with every shape of tie and emptiness, checked against
	// orders written out by hand.
	insert(t, ts, item,
		record("a", 0, map[string]any{"rank": 2.0, "label": "x", "flag": true}),
		record("b", 0, map[string]any{"label": "x", "flag": false}),
		record("c", 0, map[string]any{"rank": 1.0, "label": "Y", "flag": true}),
		record("d", 0, map[string]any{"rank": nil, "label": nil}),
		record("e", 0, map[string]any{"rank": 2.0, "label": "x", "flag": false}),
		record("f", 0, map[string]any{"rank": 10.0, "label": "x", "flag": true}),
	)
	explicit := []struct {
		name string
		sort []store.Sort
		want []string
	}{
		{name: "no sort is by id", sort: nil, want: []string{"a", "b", "c", "d", "e", "f"}},
		{name: "nulls first ascending, ties by id", sort: []store.Sort{{Field: "rank"}}, want: []string{"b", "d", "c", "a", "e", "f"}},
		{name: "nulls last descending, ties by id descending", sort: []store.Sort{{Field: "rank", Desc: true}}, want: []string{"f", "e", "a", "c", "d", "b"}},
		{name: "text in byte order", sort: []store.Sort{{Field: "label"}}, want: []string{"d", "c", "a", "b", "e", "f"}},
		{name: "booleans false first", sort: []store.Sort{{Field: "flag"}}, want: []string{"d", "b", "e", "a", "c", "f"}},
		{name: "mixed directions", sort: []store.Sort{{Field: "flag", Desc: true}, {Field: "rank"}}, want: []string{"c", "a", "f", "b", "e", "d"}},
		{name: "three keys", sort: []store.Sort{{Field: "label", Desc: true}, {Field: "flag"}, {Field: "rank", Desc: true}}, want: []string{"e", "b", "f", "a", "c", "d"}},
		{name: "id descending", sort: []store.Sort{{Field: "id", Desc: true}}, want: []string{"f", "e", "d", "c", "b", "a"}},
	}
	for _, sc := range explicit {
		t.Run(sc.name, func(t *testing.T) {
			page, err := ts.Find(ctx, item, store.Query{Sort: sc.sort})
			require.NoError(t, err)
			assert.Equal(t, sc.want, ids(page.Records))
		})
	}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
			if err := tx.Delete(ctx, item, id); err != nil {
				return err
			}
		}
		return nil
	}))

	// A larger set against the oracle.
	recs := itemRecords(120, 7)
	insert(t, ts, item, recs...)
	scenarios := []struct {
		name string
		sort []store.Sort
	}{
		{name: "integer", sort: []store.Sort{{Field: "rank"}}},
		{name: "number descending", sort: []store.Sort{{Field: "score", Desc: true}}},
		{name: "text", sort: []store.Sort{{Field: "label"}}},
		{name: "boolean descending then date", sort: []store.Sort{{Field: "flag", Desc: true}, {Field: "day"}}},
		{name: "lookup then updatedAt", sort: []store.Sort{{Field: "owner"}, {Field: "updatedAt", Desc: true}}},
		{name: "createdAt descending", sort: []store.Sort{{Field: "createdAt", Desc: true}}},
		{name: "version then createdBy", sort: []store.Sort{{Field: "version"}, {Field: "createdBy"}}},
		{name: "three mixed keys", sort: []store.Sort{{Field: "day", Desc: true}, {Field: "rank"}, {Field: "label", Desc: true}}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			page, err := ts.Find(ctx, item, store.Query{Sort: sc.sort})
			require.NoError(t, err)
			assert.Equal(t, ids(oracleOrder(recs, sc.sort, nil)), ids(page.Records))
		})
	}

	invalid := []struct {
		name string
		sort []store.Sort
	}{
		{name: "unknown field", sort: []store.Sort{{Field: "nope"}}},
		{name: "array field", sort: []store.Sort{{Field: "tags"}}},
		{name: "address field", sort: []store.Sort{{Field: "addr"}}},
		{name: "json field", sort: []store.Sort{{Field: "extra"}}},
	}
	for _, sc := range invalid {
		t.Run("invalid "+sc.name, func(t *testing.T) {
			_, err := ts.Find(ctx, item, store.Query{Sort: sc.sort})
			require.ErrorIs(t, err, store.ErrInvalidQuery)
		})
	}
}
