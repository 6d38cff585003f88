package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// walk reads every page of q (q.Limit records each) and returns the
// records in the order read.
func walk(t testing.TB, r store.Reader, obj *schema.Object, q store.Query) []store.Record {
	t.Helper()
	var out []store.Record
	q.After = nil
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10000, "pagination does not end")
		page, err := r.Find(t.Context(), obj, q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Records), q.Limit)
		out = append(out, page.Records...)
		if !page.HasMore {
			return out
		}
		require.Len(t, page.Records, q.Limit, "a page before the last is full")
		q.After = positionOf(page.Records[len(page.Records)-1], q.Sort)
	}
}

func num(r store.Record, field string) (float64, bool) {
	v, ok := r.Data[field].(float64)
	return v, ok
}

func testPagination(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	item := itemObject()
	saveObject(t, ts, item, 1)
	recs := itemRecords(250, 1)
	insert(t, ts, item, recs...)

	scenarios := []struct {
		name   string
		sort   []store.Sort
		filter *store.Filter
		keep   func(store.Record) bool
	}{
		{name: "by id"},
		{name: "integer", sort: []store.Sort{{Field: "rank"}}},
		{name: "integer descending then text", sort: []store.Sort{{Field: "rank", Desc: true}, {Field: "label"}}},
		{name: "boolean descending then date", sort: []store.Sort{{Field: "flag", Desc: true}, {Field: "day"}}},
		{name: "text descending then number", sort: []store.Sort{{Field: "label", Desc: true}, {Field: "score"}}},
		{name: "three mixed keys", sort: []store.Sort{{Field: "day"}, {Field: "rank", Desc: true}, {Field: "flag"}}},
		{name: "createdAt descending", sort: []store.Sort{{Field: "createdAt", Desc: true}}},
		{name: "number descending", sort: []store.Sort{{Field: "score", Desc: true}}},
		{name: "lookup then version", sort: []store.Sort{{Field: "owner"}, {Field: "version", Desc: true}}},
		{name: "id descending", sort: []store.Sort{{Field: "id", Desc: true}}},
		{
			name:   "filtered",
			sort:   []store.Sort{{Field: "score", Desc: true}},
			filter: leaf("rank", store.OpGte, 3),
			keep:   func(r store.Record) bool { v, ok := num(r, "rank"); return ok && v >= 3 },
		},
		{
			name:   "filtered with a negation",
			sort:   []store.Sort{{Field: "label"}, {Field: "rank", Desc: true}},
			filter: not(leaf("flag", store.OpEq, true)),
			keep:   func(r store.Record) bool { return r.Data["flag"] != true },
		},
	}
	for _, sc := range scenarios {
		t.Run("walk "+sc.name, func(t *testing.T) {
			t.Parallel()
			got := walk(t, ts, item, store.Query{Filter: sc.filter, Sort: sc.sort, Limit: 7})
			want := oracleOrder(recs, sc.sort, sc.keep)
			require.NotEmpty(t, want)
			assert.Equal(t, ids(want), ids(got), "every record exactly once, in order")
		})
	}

	t.Run("page edges", func(t *testing.T) {
		t.Parallel()
		sorts := []store.Sort{{Field: "rank"}}
		order := oracleOrder(recs, sorts, nil)
		edges := []struct {
			name    string
			q       store.Query
			want    []string
			hasMore bool
		}{
			{name: "no match", q: store.Query{Filter: leaf("label", store.OpEq, "nope"), Sort: sorts, Limit: 7}, want: []string{}},
			{name: "cursor at the last record", q: store.Query{Sort: sorts, Limit: 7, After: positionOf(order[len(order)-1], sorts)}, want: []string{}},
			{name: "cursor past every value", q: store.Query{Sort: sorts, Limit: 7, After: &store.Position{Values: []any{1e9}, ID: ""}}, want: []string{}},
			{name: "cursor before every value", q: store.Query{Sort: sorts, Limit: 2, After: &store.Position{Values: []any{nil}, ID: ""}}, want: ids(order[:2]), hasMore: true},
			{name: "limit equal to the count", q: store.Query{Sort: sorts, Limit: 250}, want: ids(order)},
			{name: "limit one below the count", q: store.Query{Sort: sorts, Limit: 249}, want: ids(order[:249]), hasMore: true},
			{name: "limit above the count", q: store.Query{Sort: sorts, Limit: 1000}, want: ids(order)},
			{name: "no limit", q: store.Query{Sort: sorts}, want: ids(order)},
			{name: "last page exactly full", q: store.Query{Sort: sorts, Limit: 5, After: positionOf(order[244], sorts)}, want: ids(order[245:])},
		}
		for _, e := range edges {
			page, err := ts.Find(ctx, item, e.q)
			require.NoError(t, err, e.name)
			assert.Equal(t, e.want, ids(page.Records), e.name)
			assert.Equal(t, e.hasMore, page.HasMore, e.name)
		}
		_, err := ts.Find(ctx, item, store.Query{Sort: sorts, Limit: 7, After: &store.Position{Values: []any{1.0, "x"}, ID: "it-0001"}})
		require.ErrorIs(t, err, store.ErrInvalidQuery, "a position with more values than sort fields")
		_, err = ts.Find(ctx, item, store.Query{Sort: sorts, Limit: 7, After: &store.Position{ID: "it-0001"}})
		require.ErrorIs(t, err, store.ErrInvalidQuery, "a position with fewer values than sort fields")
	})

	t.Run("writes between pages", func(t *testing.T) {
		t.Parallel()
		// A tenant of its own: the walks above read the same records.
		ts, item := newTenant(t, s, "beta"), itemObject()
		saveObject(t, ts, item, 1)
		insert(t, ts, item, recs...)
		sorts := []store.Sort{{Field: "rank"}, {Field: "label", Desc: true}}
		q := store.Query{Sort: sorts, Limit: 7}
		order := oracleOrder(recs, sorts, nil)
		var seen []store.Record
		for range 2 {
			page, err := ts.Find(ctx, item, q)
			require.NoError(t, err)
			require.True(t, page.HasMore)
			seen = append(seen, page.Records...)
			q.After = positionOf(page.Records[len(page.Records)-1], sorts)
		}
		mark := seen[len(seen)-1]

		before := record("0-before", 0, map[string]any{"label": "zzz"}) // rank missing: first
		after := record("z-after", 0, map[string]any{"rank": 1000.0})
		deleted := map[string]bool{order[0].ID: true, order[40].ID: true, order[200].ID: true}
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			for _, r := range []store.Record{before, after} {
				if err := tx.Insert(ctx, item, r); err != nil {
					return err
				}
			}
			for id := range deleted {
				if err := tx.Delete(ctx, item, id); err != nil {
					return err
				}
			}
			return nil
		}))

		for {
			page, err := ts.Find(ctx, item, q)
			require.NoError(t, err)
			seen = append(seen, page.Records...)
			if !page.HasMore {
				break
			}
			q.After = positionOf(page.Records[len(page.Records)-1], sorts)
		}

		counts := map[string]int{}
		for _, r := range seen {
			counts[r.ID]++
		}
		for id, n := range counts {
			assert.Equal(t, 1, n, "%s read %d times", id, n)
		}
		assert.Zero(t, counts[before.ID], "a record inserted before the position is not read")
		assert.Equal(t, 1, counts[after.ID], "a record inserted after the position is read")
		assert.Zero(t, counts[order[40].ID], "a record deleted before its page is not read")
		assert.Zero(t, counts[order[200].ID], "a record deleted before its page is not read")

		// Everything after the position that still exists comes in order.
		final := append([]store.Record{after}, recs...)
		var rest []store.Record
		for _, r := range oracleOrder(final, sorts, nil) {
			if !deleted[r.ID] && compareRecords(r, mark, sorts) > 0 {
				rest = append(rest, r)
			}
		}
		assert.Equal(t, ids(rest), ids(seen[14:]))
	})
}

func testCount(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	item := itemObject()
	saveObject(t, ts, item, 1)

	n, err := ts.Count(ctx, item, nil)
	require.NoError(t, err)
	assert.Zero(t, n, "an empty object")

	recs := itemRecords(250, 3)
	insert(t, ts, item, recs...)
	scenarios := []struct {
		name   string
		filter *store.Filter
		keep   func(store.Record) bool
	}{
		{name: "all", filter: nil, keep: func(store.Record) bool { return true }},
		{name: "eq", filter: leaf("rank", store.OpEq, 3), keep: func(r store.Record) bool { v, ok := num(r, "rank"); return ok && v == 3 }},
		{name: "range", filter: and(leaf("score", store.OpGte, 0), leaf("score", store.OpLt, 50)), keep: func(r store.Record) bool {
			v, ok := num(r, "score")
			return ok && v >= 0 && v < 50
		}},
		{name: "missing", filter: leaf("label", store.OpIsNull, true), keep: func(r store.Record) bool { return r.Data["label"] == nil }},
		{name: "negation", filter: not(leaf("flag", store.OpEq, false)), keep: func(r store.Record) bool { return r.Data["flag"] != false }},
		{name: "none", filter: leaf("owner", store.OpEq, "nobody"), keep: func(store.Record) bool { return false }},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			n, err := ts.Count(ctx, item, sc.filter)
			require.NoError(t, err)
			assert.Equal(t, int64(len(oracleOrder(recs, nil, sc.keep))), n)
		})
	}
}
