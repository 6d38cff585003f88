package ferrettest_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
)

// benchDeals is the number of deals of the benchmark fixture: FerretDB
// scans every document for any filter but _id, so it is kept small.
const benchDeals = 10_000

var bench struct {
	once sync.Once
	ts   store.TenantStore
	obj  *schema.Object
	load time.Duration
}

func benchFixture(b *testing.B) (store.TenantStore, *schema.Object) {
	bench.once.Do(func() {
		// Not NewForTest: the fixture outlives the first benchmark, and
		// TestMain removes the server's files.
		s, err := mongostore.New(mongostore.Config{URI: uri, DatabasePrefix: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		if err = s.CreateTenant(ctx, store.Tenant{ID: "bench", Name: "Bench", CreatedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
		ts, err := s.Tenant(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		obj := &schema.Object{Name: "deal", Fields: []*schema.Field{
			{Name: "name", Type: schema.TypeText},
			{Name: "stage", Type: schema.TypePicklist},
			{Name: "amount", Type: schema.TypeCurrency},
			{Name: "closeDate", Type: schema.TypeDate},
			{Name: "account", Type: schema.TypeLookup, Target: "account"},
		}, Indexes: [][]string{{"stage", "closeDate"}}}
		if err := ts.WithTx(ctx, func(tx store.Tx) error {
			return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj)
		}); err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		stages := []string{"prospect", "qualify", "propose", "negotiate", "closed"}
		start := time.Now()
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			for i := range benchDeals {
				at := time.Now()
				err := tx.Insert(ctx, obj, store.Record{ID: fmt.Sprintf("d%06d", i), Version: 1, CreatedAt: at, UpdatedAt: at, Data: map[string]any{
					"name":      fmt.Sprintf("Deal %d", i),
					"stage":     stages[rng.IntN(len(stages))],
					"amount":    float64(rng.IntN(1_000_000)) / 100,
					"closeDate": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365)).Format(schema.DateLayout),
					"account":   fmt.Sprintf("acc-%04d", rng.IntN(1000)),
				}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		bench.load = time.Since(start)
		bench.ts, bench.obj = ts, obj
	})
	if bench.ts == nil {
		b.Skip("fixture failed")
	}
	b.Logf("fixture: %d deals inserted in one compensated transaction in %s (%.0f/s)", benchDeals, bench.load.Round(time.Millisecond), benchDeals/bench.load.Seconds())
	return bench.ts, bench.obj
}

func BenchmarkFerretDB_Get(b *testing.B) {
	ts, obj := benchFixture(b)
	i := 0
	for b.Loop() {
		if _, err := ts.Get(b.Context(), obj, fmt.Sprintf("d%06d", i%benchDeals)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkFerretDB_FindPage(b *testing.B) {
	ts, obj := benchFixture(b)
	f := store.Filter{And: []store.Filter{store.Leaf("stage", store.OpEq, "propose"), store.Leaf("amount", store.OpGt, 5000)}}
	for b.Loop() {
		page, err := ts.Find(b.Context(), obj, store.Query{Filter: &f, Sort: []store.Sort{{Field: "closeDate"}}, Limit: 50})
		if err != nil || len(page.Records) != 50 {
			b.Fatal(err, len(page.Records))
		}
	}
}

func BenchmarkFerretDB_Count(b *testing.B) {
	ts, obj := benchFixture(b)
	f := store.Leaf("stage", store.OpEq, "closed")
	for b.Loop() {
		if _, err := ts.Count(b.Context(), obj, &f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFerretDB_InsertTx is one record per compensated transaction:
// what a single create costs the adapter, data version raise included.
func BenchmarkFerretDB_InsertTx(b *testing.B) {
	ts, obj := benchFixture(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		at := time.Now()
		rec := store.Record{ID: fmt.Sprintf("n%09d-%d", i, at.UnixNano()), Version: 1, CreatedAt: at, UpdatedAt: at,
			Data: map[string]any{"name": "New deal", "stage": "prospect", "amount": 10.0}}
		if err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, obj, rec) }); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
