package sqlitestore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestMain(m *testing.M) {
	code := m.Run()
	deals.close()
	dealsSummed.close()
	millionDeals.close()
	os.Exit(code)
}

// benchDeal is the deal of the performance workload in DESIGN.md: about
// fifteen fields and a composite index [stage, closeDate].
func benchDeal() *schema.Object {
	return &schema.Object{
		Name: "deal",
		Fields: []*schema.Field{
			{Name: "name", Type: schema.TypeText, Required: true},
			{Name: "stage", Type: schema.TypePicklist, Options: benchStages},
			{Name: "amount", Type: schema.TypeCurrency},
			{Name: "probability", Type: schema.TypePercent},
			{Name: "closeDate", Type: schema.TypeDate},
			{Name: "account", Type: schema.TypeLookup, Target: "account"},
			{Name: "owner", Type: schema.TypeLookup, Target: "user"},
			{Name: "email", Type: schema.TypeEmail},
			{Name: "phone", Type: schema.TypePhone},
			{Name: "source", Type: schema.TypePicklist, Options: []string{"web", "referral", "event", "partner"}},
			{Name: "region", Type: schema.TypePicklist, Options: []string{"north", "south", "east", "west"}},
			{Name: "won", Type: schema.TypeBoolean},
			{Name: "nextStep", Type: schema.TypeText},
			{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"hot", "cold", "big", "vip"}},
			{Name: "description", Type: schema.TypeTextarea},
		},
		Indexes: [][]string{{"stage", "closeDate"}},
	}
}

var benchStages = []string{"prospect", "qualify", "propose", "negotiate", "closed"}

func benchData(rng *rand.Rand, i int) map[string]any {
	day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(3*365))
	return map[string]any{
		"name":        fmt.Sprintf("Deal %06d", i),
		"stage":       benchStages[rng.IntN(len(benchStages))],
		"amount":      float64(rng.IntN(10_000_000)) / 100,
		"probability": float64(rng.IntN(101)),
		"closeDate":   day.Format(schema.DateLayout),
		"account":     fmt.Sprintf("acc-%05d", rng.IntN(10_000)),
		"owner":       fmt.Sprintf("user-%02d", rng.IntN(50)),
		"email":       fmt.Sprintf("buyer%d@example.com", i),
		"phone":       fmt.Sprintf("+86 138 %04d %04d", rng.IntN(10000), rng.IntN(10000)),
		"source":      []string{"web", "referral", "event", "partner"}[rng.IntN(4)],
		"region":      []string{"north", "south", "east", "west"}[rng.IntN(4)],
		"won":         rng.IntN(4) == 0,
		"nextStep":    "Call back about the proposal",
		"tags":        []any{[]string{"hot", "cold", "big", "vip"}[rng.IntN(4)]},
		"description": "A deal generated for the benchmark; the text is about as long as a real note.",
	}
}

// dealFixture holds 100k deals, built once per run of the benchmarks.
type dealFixture struct {
	once sync.Once
	dir  string
	s    *sqlitestore.Store
	ts   store.TenantStore
	obj  *schema.Object
	ids  []string
	load time.Duration
	err  error
	// index is an extra composite index of the object, if any.
	index []string
	// size is how many deals it holds; zero means fixtureSize.
	size int
	// reopen closes the store after loading and opens it again.
	reopen bool
}

var (
	deals dealFixture
	// dealsSummed has the index a board's sums use: [stage, amount].
	dealsSummed = dealFixture{index: []string{"stage", "amount"}}
)

const fixtureSize = 100_000

func (f *dealFixture) get(b *testing.B) (store.TenantStore, *schema.Object, []string) {
	b.Helper()
	f.once.Do(f.build)
	if f.err != nil {
		b.Fatal(f.err)
	}
	b.Logf("fixture: %d deals inserted in one transaction in %s", f.len(), f.load.Round(time.Millisecond))
	return f.ts, f.obj, f.ids
}

func (f *dealFixture) len() int {
	if f.size == 0 {
		return fixtureSize
	}
	return f.size
}

func (f *dealFixture) build() {
	ctx := context.Background()
	if f.dir, f.err = os.MkdirTemp("", "sqlitestore-bench-"); f.err != nil {
		return
	}
	if f.s, f.err = sqlitestore.New(sqlitestore.Config{Dir: f.dir}); f.err != nil {
		return
	}
	if f.err = f.s.CreateTenant(ctx, store.Tenant{ID: "bench", CreatedAt: now}); f.err != nil {
		return
	}
	if f.ts, f.err = f.s.Tenant(ctx, "bench"); f.err != nil {
		return
	}
	f.obj = benchDeal()
	if f.index != nil {
		f.obj.Indexes = append(f.obj.Indexes, f.index)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	f.err = f.ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: now}, f.obj); err != nil {
			return err
		}
		for i := range f.len() {
			id := fmt.Sprintf("deal-%06d", i)
			at := now.Add(time.Duration(i) * time.Second)
			data := benchData(rng, i)
			rec := store.Record{ID: id, Version: 1, CreatedAt: at, UpdatedAt: at, CreatedBy: "u", UpdatedBy: "u", OwnerID: data["owner"].(string), Data: data}
			if err := tx.Insert(ctx, f.obj, rec); err != nil {
				return err
			}
			f.ids = append(f.ids, id)
		}
		return nil
	})
	f.load = time.Since(start)
	if f.err == nil && f.reopen {
		// Closing the last connection checkpoints the WAL into the file
		// and removes it: reads then come from the file, as after a
		// restart, not page by page from a WAL as large as the data.
		if f.err = f.s.Close(); f.err != nil {
			return
		}
		if f.s, f.err = sqlitestore.New(sqlitestore.Config{Dir: f.dir}); f.err != nil {
			return
		}
		f.ts, f.err = f.s.Tenant(ctx, "bench")
	}
}

func (f *dealFixture) close() {
	if f.s != nil {
		_ = f.s.Close()
	}
	if f.dir != "" {
		_ = os.RemoveAll(f.dir)
	}
}

func BenchmarkStore_Get(b *testing.B) {
	ts, obj, ids := deals.get(b)
	ctx := b.Context()
	b.Run("serial", func(b *testing.B) {
		i := 0
		cpu := testkit.CPUNow()
		for b.Loop() {
			if _, err := ts.Get(ctx, obj, ids[(i*7919)%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		testkit.ReportCPU(b, cpu)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(ids))
			for pb.Next() {
				if _, err := ts.Get(ctx, obj, ids[(i*7919)%len(ids)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkStore_Find is the list page of DESIGN.md: 50 deals with
// stage = X and amount > Y, sorted by close date, over 100k deals.
func BenchmarkStore_Find(b *testing.B) {
	ts, obj, _ := deals.get(b)
	ctx := b.Context()
	q := store.Query{
		Filter: &store.Filter{And: []store.Filter{
			store.Leaf("stage", store.OpEq, "propose"),
			store.Leaf("amount", store.OpGt, 50_000.0),
		}},
		Sort:  []store.Sort{{Field: "closeDate"}},
		Limit: 50,
	}
	first, err := ts.Find(ctx, obj, q)
	if err != nil || len(first.Records) != 50 || !first.HasMore {
		b.Fatalf("first page: %d records, %v", len(first.Records), err)
	}
	last := first.Records[49]
	next := q
	next.After = &store.Position{Values: []any{last.Data["closeDate"]}, ID: last.ID}
	deep := q
	deep.After = &store.Position{Values: []any{"2025-06-01"}, ID: ""}

	scenarios := []struct {
		name string
		q    store.Query
	}{
		{name: "first page", q: q},
		{name: "next page", q: next},
		{name: "page deep in the order", q: deep},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			cpu := testkit.CPUNow()
			for b.Loop() {
				page, err := ts.Find(ctx, obj, sc.q)
				if err != nil || len(page.Records) != 50 {
					b.Fatalf("%d records, %v", len(page.Records), err)
				}
			}
			testkit.ReportCPU(b, cpu)
		})
	}
	b.Run("first page parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := ts.Find(ctx, obj, q); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkStore_Sum is a board column's sum: the amount of every deal
// in one stage (about 20k of the 100k), and of every deal; over the
// fixture's indexes, and with an index [stage, amount] that covers the
// column's sum (its own 100k-deal fixture, built only without -short).
func BenchmarkStore_Sum(b *testing.B) {
	stage := store.Leaf("stage", store.OpEq, "propose")
	fixtures := []struct {
		name string
		f    *dealFixture
	}{{"", &deals}, {"index [stage amount], ", &dealsSummed}}
	for _, fx := range fixtures {
		if fx.f == &dealsSummed && testing.Short() {
			continue
		}
		ts, obj, _ := fx.f.get(b)
		summer := ts.(store.Summer)
		for _, sc := range []struct {
			name string
			f    *store.Filter
		}{{"one stage", &stage}, {"every deal", nil}} {
			b.Run(fx.name+sc.name, func(b *testing.B) {
				for b.Loop() {
					if _, ok, err := summer.Sum(b.Context(), obj, sc.f, "amount"); err != nil || !ok {
						b.Fatalf("sum: %v %v", ok, err)
					}
				}
			})
		}
	}
}

func BenchmarkStore_Insert(b *testing.B) {
	scenarios := []struct {
		name        string
		synchronous string
		batch       int
	}{
		{name: "one per transaction FULL", synchronous: "FULL", batch: 1},
		{name: "one per transaction NORMAL", synchronous: "NORMAL", batch: 1},
		{name: "1000 per transaction FULL", synchronous: "FULL", batch: 1000},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			ctx := b.Context()
			s, err := sqlitestore.New(sqlitestore.Config{Dir: b.TempDir(), Synchronous: sc.synchronous})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.CreateTenant(ctx, store.Tenant{ID: "bench", CreatedAt: now}); err != nil {
				b.Fatal(err)
			}
			ts, err := s.Tenant(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			obj := benchDeal()
			if err := ts.WithTx(ctx, func(tx store.Tx) error {
				return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: now}, obj)
			}); err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			n := 0
			cpu := testkit.CPUNow()
			for b.Loop() {
				err := ts.WithTx(ctx, func(tx store.Tx) error {
					for range sc.batch {
						rec := store.Record{ID: fmt.Sprintf("deal-%08d", n), Version: 1, CreatedAt: now, UpdatedAt: now, Data: benchData(rng, n)}
						if err := tx.Insert(ctx, obj, rec); err != nil {
							return err
						}
						n++
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
			b.ReportMetric(float64(testkit.CPUNow()-cpu)/float64(n), "cpu-ns/record")
		})
	}
}

// largestFilter is a filter at the bounds of store.CheckFilter: 50 nodes
// (an or of 45 conditions and four in lists) holding 945 values.
func largestFilter() *store.Filter {
	var or []store.Filter
	for i := range 45 {
		or = append(or, store.Leaf("name", store.OpEq, fmt.Sprintf("Deal %06d", i)))
	}
	for _, field := range []string{"account", "owner", "email", "phone"} {
		vals := make([]any, 225)
		for i := range vals {
			vals[i] = fmt.Sprintf("%s-%d", field, i)
		}
		or = append(or, store.Leaf(field, store.OpIn, vals))
	}
	return &store.Filter{Or: or}
}

// A page of 50 under the largest filter the engine lets through, over 100k
// deals: preparing and running it is what a caller can make one query
// cost (docs/security.md).
func BenchmarkStore_FindLargestFilter(b *testing.B) {
	ts, obj, _ := deals.get(b)
	f := largestFilter()
	if err := store.CheckFilter(f); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := ts.Find(ctx, obj, store.Query{Filter: f, Sort: []store.Sort{{Field: "closeDate"}}, Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStore_FindRange is the list page over the indexes of a board
// and a list, [stage, amount] and [stage, closeDate] (about 20k deals a
// stage): 50 deals of one stage above an amount, latest close date
// first, for ranges that about half, 1 % and 0.1 % of the stage's deals
// are in. The first is the list everybody opens; the last reads the
// stage's every deal when the page walks the close dates.
func BenchmarkStore_FindRange(b *testing.B) {
	ts, obj, _ := dealsSummed.get(b)
	ctx := b.Context()
	for _, sc := range []struct {
		name   string
		above  float64
		fields []string // nil: every field (store.Query.Fields)
	}{
		{name: "half the stage", above: 50_000},
		{name: "1 % of the stage", above: 99_000},
		{name: "0.1 % of the stage", above: 99_900},
		{name: "half the stage, 3 of 15 fields", above: 50_000, fields: []string{"name", "amount", "closeDate"}},
	} {
		q := store.Query{
			Filter: &store.Filter{And: []store.Filter{
				store.Leaf("stage", store.OpEq, "propose"),
				store.Leaf("amount", store.OpGt, sc.above),
			}},
			Sort:   []store.Sort{{Field: "closeDate", Desc: true}},
			Limit:  50,
			Fields: sc.fields,
		}
		b.Run(sc.name, func(b *testing.B) {
			cpu := testkit.CPUNow()
			for b.Loop() {
				if _, err := ts.Find(ctx, obj, q); err != nil {
					b.Fatal(err)
				}
			}
			testkit.ReportCPU(b, cpu)
		})
	}
}
