package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func planDeal() *schema.Object {
	return &schema.Object{
		Name: "deal",
		Fields: []*schema.Field{
			{Name: "name", Type: schema.TypeText},
			{Name: "code", Type: schema.TypeText, Unique: true},
			{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won", "lost"}},
			{Name: "amount", Type: schema.TypeCurrency},
			{Name: "closeDate", Type: schema.TypeDate},
			{Name: "account", Type: schema.TypeLookup, Target: "account"},
		},
		// A list's index and a board's (sums by stage): both serve
		// "stage = ? AND amount > ?", only the first its order by date.
		Indexes: [][]string{{"stage", "closeDate"}, {"stage", "amount"}},
	}
}

// indexNamed returns the name of obj's index over exactly fields.
func indexNamed(t *testing.T, obj *schema.Object, fields ...string) string {
	t.Helper()
	specs, err := indexSpecs(obj)
	require.NoError(t, err)
	for _, s := range specs {
		if slices.Equal(s.fields, fields) {
			return s.name
		}
	}
	t.Fatalf("no index over %v", fields)
	return ""
}

func queryPlan(t *testing.T, db *sql.DB, text string, args []any) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+text, args...)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}

func TestStore_QueryPlan(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		stages := []string{"new", "won", "lost"}
		for i := range 300 {
			rec := store.Record{ID: fmt.Sprintf("d%04d", i), Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), OwnerID: fmt.Sprintf("user:u%d", i%30), Data: map[string]any{
				"stage": stages[i%3], "amount": float64(i * 10), "closeDate": fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28),
				"code": fmt.Sprintf("C%d", i), "account": fmt.Sprintf("a%d", i%20),
			}}
			if err := tx.Insert(ctx, obj, rec); err != nil {
				return err
			}
		}
		return nil
	}))
	reader := ts.(*tenantStore).testDB(t).reader

	composite := indexNamed(t, obj, "stage", "closeDate")
	sorted := []store.Sort{{Field: "closeDate"}}
	filter := &store.Filter{And: []store.Filter{store.Leaf("stage", store.OpEq, "won"), store.Leaf("amount", store.OpGt, 500.0)}}
	scenarios := []struct {
		name  string
		query store.Query
		index string
	}{
		{name: "filtered and sorted first page", query: store.Query{Filter: filter, Sort: sorted, Limit: 50}, index: composite},
		{name: "filtered and sorted next page", query: store.Query{Filter: filter, Sort: sorted, Limit: 50,
			After: &store.Position{Values: []any{"2024-06-01"}, ID: "d0100"}}, index: composite},
		{name: "sorted descending", query: store.Query{Filter: filter, Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 50}, index: composite},
		{name: "unique field", query: store.Query{Filter: &store.Filter{Field: "code", Op: store.OpEq, Value: "C7"}}, index: indexNamed(t, obj, "code")},
		{name: "lookup field", query: store.Query{Filter: &store.Filter{Field: "account", Op: store.OpEq, Value: "a3"}, Sort: []store.Sort{{Field: "account"}}, Limit: 20}, index: indexNamed(t, obj, "account")},
		{name: "sorted by the field of an equality", query: store.Query{Filter: filter, Sort: []store.Sort{{Field: "stage"}, {Field: "closeDate"}}, Limit: 50}, index: composite},
		{name: "one owner", query: store.Query{Filter: &store.Filter{Field: "ownerId", Op: store.OpEq, Value: "user:u1"}, Limit: 5},
			index: ownerIndex("deal").name},
		{name: "owners sorted by owner", query: store.Query{Filter: &store.Filter{Field: "ownerId", Op: store.OpIn, Value: []any{"user:u1", "user:u2"}},
			Sort: []store.Sort{{Field: "ownerId"}}, Limit: 20}, index: ownerIndex("deal").name},
		{name: "createdAt page", query: store.Query{Sort: []store.Sort{{Field: "createdAt"}}, Limit: 20,
			After: &store.Position{Values: []any{"2024-01-01T00:00:00.000000Z"}, ID: "x"}}, index: indexNamed(t, obj, "createdAt")},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			text, args, err := buildFind(obj, sc.query)
			require.NoError(t, err)
			plan := queryPlan(t, reader, text, args)
			assert.Contains(t, plan, sc.index, "plan:\n%s", plan)
			// Descending too: its ties follow by id descending, as the
			// index walked backwards gives them.
			assert.NotContains(t, plan, "TEMP B-TREE", "sorted by the index, plan:\n%s", plan)
			page, err := ts.Find(ctx, obj, sc.query)
			require.NoError(t, err)
			assert.NotEmpty(t, page.Records)
		})
	}
}

func TestStore_IndexesFollowDefinition(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	db := ts.(*tenantStore).testDB(t)

	indexes := func() []string {
		rows, err := db.reader.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'r_deal' AND sql IS NOT NULL ORDER BY name`)
		require.NoError(t, err)
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			names = append(names, n)
		}
		return names
	}
	wantOf := func(obj *schema.Object) []string {
		specs, err := indexSpecs(obj)
		require.NoError(t, err)
		var names []string
		for _, s := range specs {
			names = append(names, s.name)
		}
		slices.Sort(names)
		return names
	}
	save := func(obj *schema.Object, v int64) {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: v, SavedAt: time.Now()}, obj)
		}))
	}

	v1 := planDeal()
	save(v1, 1)
	assert.Equal(t, wantOf(v1), indexes())
	assert.Len(t, indexes(), 7, "two composites, unique code, lookup account, createdAt, updatedAt, ownerId")
	assert.Contains(t, indexes(), ownerIndex("deal").name)

	v2 := planDeal()
	v2.Indexes = [][]string{{"amount"}, {"stage", "amount"}}
	v2.Fields[1].Unique = false
	v2.Fields[0].Indexed = true
	save(v2, 2)
	assert.Equal(t, wantOf(v2), indexes())
	assert.NotContains(t, indexes(), indexNamed(t, v1, "stage", "closeDate"))
	assert.Contains(t, indexes(), indexNamed(t, v1, "createdAt"), "unchanged indexes keep their names")
	assert.Contains(t, indexes(), ownerIndex("deal").name, "the owner index stays")

	var n int
	require.NoError(t, db.reader.QueryRowContext(ctx, `SELECT count(*) FROM meta_indexes WHERE object = 'deal'`).Scan(&n))
	assert.Equal(t, len(wantOf(v2)), n)
}

func TestStore_Pragmas(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := New(Config{Dir: t.TempDir(), ReadConns: 3, CacheKiB: 1024})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)

	pragma := func(db *sql.DB, name string) string {
		var v string
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v))
		return v
	}
	for _, d := range []*database{s.system, ts.(*tenantStore).testDB(t)} {
		for _, db := range []*sql.DB{d.writer, d.reader} {
			assert.Equal(t, "wal", pragma(db, "journal_mode"))
			assert.Equal(t, "5000", pragma(db, "busy_timeout"))
			assert.Equal(t, "2", pragma(db, "synchronous"), "FULL by default")
			assert.Equal(t, "0", pragma(db, "foreign_keys"))
			assert.Equal(t, "-1024", pragma(db, "cache_size"))
			assert.Equal(t, "2", pragma(db, "temp_store"), "memory")
			assert.Equal(t, fmt.Sprint(journalSizeLimit), pragma(db, "journal_size_limit"))
			assert.Equal(t, "0", pragma(db, "mmap_size"), "no memory map: its pages count once per connection")
		}
		assert.Equal(t, "0", pragma(d.writer, "query_only"))
		assert.Equal(t, "1", pragma(d.reader, "query_only"))
		assert.Equal(t, 1, d.writer.Stats().MaxOpenConnections, "one writer connection")
		assert.Equal(t, 3, d.reader.Stats().MaxOpenConnections)
	}
}

func TestBuildFind_BindsValues(t *testing.T) {
	t.Parallel()
	obj := planDeal()
	hostile := `x' OR 1=1; DROP TABLE r_deal; --`
	text, args, err := buildFind(obj, store.Query{
		Filter: &store.Filter{Or: []store.Filter{
			store.Leaf("name", store.OpContains, hostile),
			store.Leaf("name", store.OpStartsWith, hostile),
			store.Leaf("stage", store.OpIn, []any{hostile}),
		}},
		Sort:  []store.Sort{{Field: "name", Desc: true}},
		After: &store.Position{Values: []any{hostile}, ID: hostile},
		Limit: 10,
	})
	require.NoError(t, err)
	assert.NotContains(t, text, "DROP")
	assert.NotContains(t, text, "1=1")
	assert.Contains(t, args, hostile)
}

func TestStore_ContextCancelsQuery(t *testing.T) {
	t.Parallel()
	s := NewForTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.ListTenants(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// TestStore_FindWalksOrderIndex is issue 20's list page: "stage = ? AND
// amount > ? ORDER BY closeDate" with indexes on [stage, closeDate] and
// [stage, amount]. A wide range walks the first and stops after the page;
// a narrow one (fewer than walkBelow records) is read through the second
// and sorted; either way the records are the same.
func TestStore_FindWalksOrderIndex(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	stages := []string{"new", "won", "lost"}
	const n = 3 * (walkBelow + 300)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		for i := range n {
			data := map[string]any{"stage": stages[i%3], "amount": float64(i), "closeDate": fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+(i/12)%28)}
			if i%50 == 0 {
				delete(data, "closeDate") // missing values sort first
			}
			rec := store.Record{ID: fmt.Sprintf("d%05d", i), Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Data: data}
			if err := tx.Insert(ctx, obj, rec); err != nil {
				return err
			}
		}
		return nil
	}))
	tdb := ts.(*tenantStore).testDB(t)
	reader, tenant := tdb.reader, tdb.records()
	listIndex, boardIndex := indexNamed(t, obj, "stage", "closeDate"), indexNamed(t, obj, "stage", "amount")
	page := func(filter ...store.Filter) store.Query {
		return store.Query{Filter: &store.Filter{And: filter}, Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 50}
	}
	won := store.Leaf("stage", store.OpEq, "won")

	scenarios := []struct {
		name  string
		query store.Query
		walks bool
		// nullsSorted: the page from a missing close date pins it (IS
		// NULL), and SQLite sorts that run by id.
		nullsSorted bool
	}{
		{name: "wide range walks the order", query: page(won, store.Leaf("amount", store.OpGt, 100.0)), walks: true},
		{name: "narrow range is sorted", query: page(won, store.Leaf("amount", store.OpGt, float64(n-300))), walks: false},
		// Every third deal is won: walkBelow - 1 of them from here, and
		// walkBelow from two amounts lower.
		{name: "range just below the bound is sorted", query: page(won, store.Leaf("amount", store.OpGte, float64(n-3*walkBelow+2))), walks: false},
		{name: "range at the bound walks", query: page(won, store.Leaf("amount", store.OpGte, float64(n-3*walkBelow))), walks: true},
		{name: "empty range is sorted", query: page(won, store.Leaf("amount", store.OpLt, 0.0)), walks: false},
		{name: "range and other conditions", query: page(won, store.Leaf("amount", store.OpLte, float64(n-100)),
			store.Filter{Or: []store.Filter{store.Leaf("account", store.OpIsNull, true), store.Leaf("name", store.OpContains, "x")}},
			store.Filter{Not: &store.Filter{Field: "amount", Op: store.OpEq, Value: 7.0}}), walks: true},
		{name: "ascending from a position", query: store.Query{Filter: &store.Filter{And: []store.Filter{won, store.Leaf("amount", store.OpGt, 10.0)}},
			Sort: []store.Sort{{Field: "closeDate"}}, Limit: 50, After: &store.Position{Values: []any{"2024-03-05"}, ID: "d00100"}}, walks: true},
		{name: "descending from a missing value", query: store.Query{Filter: &store.Filter{And: []store.Filter{won, store.Leaf("amount", store.OpGt, 10.0)}},
			Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 50, After: &store.Position{Values: []any{nil}, ID: "d01000"}}, walks: true, nullsSorted: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p, err := store.PlanQuery(obj, sc.query)
			require.NoError(t, err)
			probe, args, ok := rangeProbe(obj, p)
			require.True(t, ok, "the board index serves the range")
			plan := queryPlan(t, reader, probe, args)
			assert.Contains(t, plan, "COVERING INDEX "+boardIndex, "the probe reads the board index only, plan:\n%s", plan)
			assert.Contains(t, probe, fmt.Sprintf("LIMIT %d", walkBelow))

			text, _, err := tenant.findStatement(ctx, obj, p)
			require.NoError(t, err)
			walks := strings.Contains(text, "+(")
			assert.Equal(t, sc.walks, walks, text)

			walked, args := findStatement(obj, p, true)
			plan = queryPlan(t, reader, walked, args)
			assert.Contains(t, plan, listIndex, "plan:\n%s", plan)
			if !sc.nullsSorted {
				assert.NotContains(t, plan, "TEMP B-TREE FOR ORDER BY", "plan:\n%s", plan)
			}
			sorted, sortedArgs := findStatement(obj, p, false)
			if !sc.walks {
				assert.Contains(t, queryPlan(t, reader, sorted, sortedArgs), boardIndex)
			}

			got, err := tenant.query(ctx, obj, walked, args, nil, 0)
			require.NoError(t, err)
			want, err := tenant.query(ctx, obj, sorted, sortedArgs, nil, 0)
			require.NoError(t, err)
			assert.Equal(t, ids(want), ids(got), "both ways give the same page")
			if sc.name != "empty range is sorted" {
				assert.NotEmpty(t, got)
			}
		})
	}

	t.Run("no other index serves the filter", func(t *testing.T) {
		t.Parallel()
		p, err := store.PlanQuery(obj, page(won, store.Leaf("name", store.OpStartsWith, "x")))
		require.NoError(t, err)
		_, _, ok := rangeProbe(obj, p)
		assert.False(t, ok, "walking costs nothing extra: no probe")
		text, args, err := tenant.findStatement(ctx, obj, p)
		require.NoError(t, err)
		assert.Contains(t, queryPlan(t, reader, text, args), listIndex)
	})
	t.Run("no limit, no walk", func(t *testing.T) {
		t.Parallel()
		q := page(won, store.Leaf("amount", store.OpGt, 100.0))
		q.Limit = 0
		p, err := store.PlanQuery(obj, q)
		require.NoError(t, err)
		_, _, ok := rangeProbe(obj, p)
		assert.False(t, ok)
		text, _ := findStatement(obj, p, true)
		assert.NotContains(t, text, "+(")
	})
}

func ids(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// TestStore_VaryingStatementsBounded: pages keep their prepared statements
// up to varyingStmts texts; filters of ever new shapes past that are
// prepared for each use and still answer.
func TestStore_VaryingStatementsBounded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		return tx.Insert(ctx, obj, store.Record{ID: "d1", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Data: map[string]any{"stage": "won", "amount": 5.0}})
	}))
	cache := ts.(*tenantStore).testDB(t).readStmts
	for n := 1; n <= 2*varyingStmts; n++ {
		values := make([]any, n) // one more value: a new statement text
		for i := range values {
			values[i] = fmt.Sprint("won", i)
		}
		values[0] = "won"
		page, err := ts.Find(ctx, obj, store.Query{Filter: &store.Filter{Field: "stage", Op: store.OpIn, Value: values}, Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	assert.Equal(t, varyingStmts, cache.varying)
	assert.LessOrEqual(t, len(cache.m), varyingStmts+10, "the fixed texts besides")
}
