package sqlitestore_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestMatch_AgreesWithSQLite checks store.Match and the planned filter's
// Cond.Match, the in-memory meaning of filters, against the adapter's
// queries: for random records and random filters, the records they accept
// are exactly those Find returns.
func TestMatch_AgreesWithSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := &schema.Object{Name: "item", Fields: []*schema.Field{
		{Name: "name", Type: schema.TypeText},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "qty", Type: schema.TypeInteger},
		{Name: "won", Type: schema.TypeBoolean},
		{Name: "closeDate", Type: schema.TypeDate},
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"a", "b", "c"}},
		{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"x", "y", "z"}},
		{Name: "shipTo", Type: schema.TypeAddress},
	}}
	def := []byte(`{"$id": "item", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: "item", Version: 1, Definition: def, SavedAt: time.Now()}, obj)
	}))

	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"Alpha", "alpine", "BETA", "beta", "杭州", "", "al"}
	pick := func(vs ...any) any { return vs[r.IntN(len(vs))] }
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []store.Record
	for i := range 300 {
		data := map[string]any{}
		set := func(k string, v any) {
			if r.IntN(5) > 0 { // a fifth of the fields are missing
				data[k] = v
			}
		}
		set("name", pick(names[0], names[1], names[2], names[3], names[4], names[5], names[6]))
		set("amount", float64(r.IntN(5))*2.5)
		set("qty", float64(r.IntN(4)))
		set("won", r.IntN(2) == 0)
		set("closeDate", base.AddDate(0, 0, r.IntN(4)).Format(schema.DateLayout))
		set("stage", pick("a", "b", "c"))
		var tags []any
		for _, tag := range []string{"x", "y", "z"} {
			if r.IntN(2) == 0 {
				tags = append(tags, tag)
			}
		}
		if tags == nil {
			tags = []any{}
		}
		set("tags", tags)
		set("shipTo", map[string]any{"city": pick("杭州市", "上海市")})
		at := base.Add(time.Duration(r.IntN(4)) * time.Hour)
		recs = append(recs, store.Record{ID: fmt.Sprintf("r%03d", i), Version: int64(1 + r.IntN(3)), CreatedAt: at, UpdatedAt: at, CreatedBy: "u", UpdatedBy: "u", Data: data})
	}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		for _, rec := range recs {
			if err := tx.Insert(ctx, obj, rec); err != nil {
				return err
			}
		}
		return nil
	}))

	scalarLeaf := func() store.Filter {
		type gen struct {
			field string
			ops   []store.Op
			value func() any
		}
		gens := []gen{
			{"name", []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpLte, store.OpContains, store.OpStartsWith, store.OpIsNull}, func() any { return pick("al", "Alpha", "beta", "杭", "") }},
			{"amount", []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull}, func() any { return float64(r.IntN(5)) * 2.5 }},
			{"qty", []store.Op{store.OpEq, store.OpGt, store.OpLt}, func() any { return int64(r.IntN(4)) }},
			{"won", []store.Op{store.OpEq, store.OpNe, store.OpIsNull}, func() any { return r.IntN(2) == 0 }},
			{"closeDate", []store.Op{store.OpEq, store.OpGt, store.OpLte}, func() any { return base.AddDate(0, 0, r.IntN(4)).Format(schema.DateLayout) }},
			{"stage", []store.Op{store.OpIn, store.OpNin, store.OpEq, store.OpNe}, func() any { return pick("a", "b", "c") }},
			{"tags", []store.Op{store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpHasAll, store.OpIsNull}, func() any { return pick("x", "y", "z") }},
			{"shipTo.city", []store.Op{store.OpEq, store.OpNe, store.OpStartsWith}, func() any { return pick("杭州市", "上海市", "杭") }},
			{"version", []store.Op{store.OpEq, store.OpGt}, func() any { return int64(1 + r.IntN(3)) }},
			{"createdAt", []store.Op{store.OpGte, store.OpLt}, func() any { return base.Add(time.Duration(r.IntN(4)) * time.Hour).Format(store.TimeLayout) }},
		}
		g := gens[r.IntN(len(gens))]
		op := g.ops[r.IntN(len(g.ops))]
		var v any
		switch op {
		case store.OpIsNull:
			v = r.IntN(2) == 0
		case store.OpIn, store.OpNin, store.OpHasAll:
			v = []any{g.value(), g.value()}
		default:
			v = g.value()
		}
		return store.Leaf(g.field, op, v)
	}
	var filter func(depth int) store.Filter
	filter = func(depth int) store.Filter {
		if depth == 0 || r.IntN(3) == 0 {
			return scalarLeaf()
		}
		switch r.IntN(3) {
		case 0:
			return store.Filter{And: []store.Filter{filter(depth - 1), filter(depth - 1)}}
		case 1:
			return store.Filter{Or: []store.Filter{filter(depth - 1), filter(depth - 1)}}
		}
		f := filter(depth - 1)
		return store.Filter{Not: &f}
	}
	for i := range 1500 {
		f := filter(3)
		page, err := ts.Find(ctx, obj, store.Query{Filter: &f})
		require.NoError(t, err, "filter %d: %+v", i, f)
		var fromStore, fromMatch []string
		for _, rec := range page.Records {
			fromStore = append(fromStore, rec.ID)
		}
		for _, rec := range recs {
			if store.Match(&f, &rec) {
				fromMatch = append(fromMatch, rec.ID)
			}
		}
		slices.Sort(fromStore)
		require.Equal(t, fromStore, fromMatch, "filter %d: %+v", i, f)

		c, err := store.PlanFilter(obj, &f)
		require.NoError(t, err)
		var fromPlan []string
		for _, rec := range recs {
			if c.Match(&rec) {
				fromPlan = append(fromPlan, rec.ID)
			}
		}
		require.Equal(t, fromStore, fromPlan, "the plan's Match, filter %d: %+v", i, f)
	}
}
