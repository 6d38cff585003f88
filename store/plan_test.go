package store_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func planObject() *schema.Object {
	return &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "name", Type: schema.TypeText},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "won", Type: schema.TypeBoolean},
		{Name: "tags", Type: schema.TypeMultiPicklist},
		{Name: "contacts", Type: schema.TypeMultiLookup, Target: "contact"},
		{Name: "account", Type: schema.TypeLookup, Target: "account", Unique: true},
		{Name: "shipTo", Type: schema.TypeAddress},
		{Name: "extra", Type: schema.TypeJSON},
	}}
}

func TestPlanQuery(t *testing.T) {
	t.Parallel()
	obj := planObject()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600))
	p, err := store.PlanQuery(obj, store.Query{
		Filter: &store.Filter{And: []store.Filter{
			store.Leaf("amount", store.OpIn, []any{1, json.Number("1"), 1.5, int64(2)}),
			store.Leaf("shipTo.city", store.OpStartsWith, "Sh"),
			store.Leaf("createdAt", store.OpGte, at),
			{Not: &store.Filter{Field: "tags", Op: store.OpHasAll, Value: []string{"a", "b", "a"}}},
		}},
		Sort:  []store.Sort{{Field: "amount", Desc: true}, {Field: "id"}},
		After: &store.Position{Values: []any{json.Number("7"), "r1"}, ID: "r1"},
		Limit: 10,
	})
	require.NoError(t, err)
	assert.Equal(t, 10, p.Limit)
	require.Len(t, p.Filter.And, 4)
	in := p.Filter.And[0]
	assert.Equal(t, store.Column{Field: "amount", Base: "amount", Kind: schema.KindNumber}, in.Column)
	assert.Equal(t, []any{int64(1), 1.5, int64(2)}, in.Values, "converted and de-duplicated")
	assert.Equal(t, store.Column{Field: "shipTo.city", Base: "shipTo", Part: "city", Kind: schema.KindString}, p.Filter.And[1].Column)
	assert.Equal(t, "2026-01-02T02:04:05.000006Z", p.Filter.And[2].Value, "a time becomes text in UTC")
	assert.True(t, p.Filter.And[2].Column.System)
	assert.Equal(t, []any{"a", "b"}, p.Filter.And[3].Not.Values)
	require.Len(t, p.Sort, 2)
	assert.True(t, p.Sort[0].Desc)
	assert.Equal(t, schema.KindLookup, p.Sort[1].Column.Kind)
	assert.Equal(t, &store.Cursor{Values: []any{int64(7), "r1"}, ID: "r1"}, p.After)

	p, err = store.PlanQuery(obj, store.Query{})
	require.NoError(t, err)
	assert.Nil(t, p.Filter, "no filter matches every record")
}

func TestPlanQuery_Refused(t *testing.T) {
	t.Parallel()
	obj := planObject()
	deep := store.Leaf("won", store.OpEq, true)
	for range 33 {
		inner := deep
		deep = store.Filter{Not: &inner}
	}
	scenarios := []struct {
		name  string
		query store.Query
		field string
		msg   string
	}{
		{name: "negative limit", query: store.Query{Limit: -1}, msg: "limit must not be negative"},
		{name: "sort on a list", query: store.Query{Sort: []store.Sort{{Field: "tags"}}}, field: "tags", msg: "list fields cannot be sorted"},
		{name: "sort on an unknown field", query: store.Query{Sort: []store.Sort{{Field: "nope"}}}, field: "nope", msg: "unknown field of deal"},
		{name: "position of the wrong length", query: store.Query{Sort: []store.Sort{{Field: "name"}}, After: &store.Position{ID: "r1"}},
			msg: "position has 0 values for 1 sort fields"},
		{name: "position value of the wrong type", query: store.Query{Sort: []store.Sort{{Field: "amount"}}, After: &store.Position{Values: []any{"x"}, ID: "r1"}},
			field: "amount", msg: "position value of type string does not fit a number field"},
		{name: "unknown operator", query: filterQuery(store.Leaf("name", "like", "x")), field: "name", msg: `unknown operator "like"`},
		{name: "operator of another kind", query: filterQuery(store.Leaf("won", store.OpGt, true)), field: "won", msg: "operator gt does not apply to boolean fields"},
		{name: "value of another kind", query: filterQuery(store.Leaf("amount", store.OpIn, []any{1, "2"})), field: "amount", msg: "in on a number field takes number values, not string"},
		{name: "element of another kind", query: filterQuery(store.Leaf("tags", store.OpEq, 1)), field: "tags", msg: "eq on a list field takes text values, not int"},
		{name: "isNull without a bool", query: filterQuery(store.Leaf("name", store.OpIsNull, "yes")), field: "name", msg: "isNull takes true or false, not string"},
		{name: "in without a list", query: filterQuery(store.Leaf("name", store.OpIn, "x")), field: "name", msg: "in takes a list of values, not string"},
		{name: "too long a list", query: filterQuery(store.Leaf("name", store.OpNin, make([]any, 10001))), field: "name", msg: "nin takes at most 10000 values"},
		{name: "startsWith invalid UTF-8", query: filterQuery(store.Leaf("name", store.OpStartsWith, "\xff")), field: "name", msg: "startsWith takes valid UTF-8 text"},
		{name: "address part unknown", query: filterQuery(store.Leaf("shipTo.planet", store.OpEq, "x")), field: "shipTo.planet", msg: "no such part of field shipTo"},
		{name: "path into text", query: filterQuery(store.Leaf("name.first", store.OpEq, "x")), field: "name.first", msg: "no such part of field name"},
		{name: "condition with a combinator", query: filterQuery(store.Filter{Field: "name", Op: store.OpEq, Value: "x", Not: &deep}), field: "name",
			msg: "a condition cannot also hold and, or or not"},
		{name: "operator without a field", query: filterQuery(store.Filter{Op: store.OpEq}), msg: `operator "eq" without a field`},
		{name: "two combinators", query: filterQuery(store.Filter{Or: []store.Filter{deep}, Not: &deep}), msg: "a filter node holds exactly one of and, or, not"},
		{name: "nested too deep", query: filterQuery(deep), msg: "filter is nested more than 32 levels deep"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.PlanQuery(obj, sc.query)
			require.ErrorIs(t, err, store.ErrInvalidQuery)
			var qe *store.QueryError
			require.True(t, errors.As(err, &qe))
			assert.Equal(t, sc.field, qe.Field)
			assert.Equal(t, sc.msg, qe.Message)
		})
	}
}

func filterQuery(f store.Filter) store.Query { return store.Query{Filter: &f} }

func TestIndexSpecs(t *testing.T) {
	t.Parallel()
	obj := planObject()
	obj.Fields[0].Indexed = true
	obj.Indexes = [][]string{{"won", "amount"}, {}, {"tags"}}

	_, err := store.IndexSpecs(obj, false)
	require.EqualError(t, err, "index on tags: list fields cannot be indexed", "without element indexes")

	specs, err := store.IndexSpecs(obj, true)
	require.NoError(t, err)
	type row struct {
		fields           string
		unique, elements bool
	}
	var got []row
	for _, s := range specs {
		require.Len(t, s.Columns, len(s.Fields))
		r := row{unique: s.Unique, elements: s.Elements}
		for i, f := range s.Fields {
			assert.Equal(t, f, s.Columns[i].Field)
			if i > 0 {
				r.fields += "+"
			}
			r.fields += f
		}
		got = append(got, r)
	}
	assert.Equal(t, []row{
		{fields: "won+amount"}, {fields: "tags", elements: true},
		{fields: "name"}, {fields: "contacts", elements: true}, {fields: "account", unique: true},
		{fields: "createdAt"}, {fields: "updatedAt"}, {fields: "ownerId"},
	}, got)

	obj.Indexes = nil
	specs, err = store.IndexSpecs(obj, false)
	require.NoError(t, err)
	for _, s := range specs {
		assert.False(t, s.Elements)
		assert.NotEqual(t, "contacts", s.Fields[0], "no list field without element indexes")
	}

	obj.NoSystemIndexes = true
	specs, err = store.IndexSpecs(obj, false)
	require.NoError(t, err)
	var fields []string
	for _, s := range specs {
		fields = append(fields, s.Fields[0])
	}
	assert.Equal(t, []string{"name", "account"}, fields, "no index on createdAt, updatedAt or ownerId")
	obj.NoSystemIndexes = false

	obj.Indexes = [][]string{{"extra"}}
	_, err = store.IndexSpecs(obj, true)
	require.EqualError(t, err, "index on extra: JSON fields cannot be indexed")
}

func TestCond_Match(t *testing.T) {
	t.Parallel()
	obj := planObject()
	rec := &store.Record{ID: "r1", Version: 2, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Data: map[string]any{
		"name": "Alpha", "amount": 100.0, "tags": []any{"a", "b"}, "shipTo": map[string]any{"city": "Shanghai"},
	}}
	scenarios := []struct {
		name      string
		filter    store.Filter
		want      bool
		converted bool // the operand is a time, which store.Match does not convert
	}{
		{name: "converted number", filter: store.Leaf("amount", store.OpEq, json.Number("100")), want: true},
		{name: "integer against float", filter: store.Leaf("amount", store.OpIn, []any{100, 7}), want: true},
		{name: "version", filter: store.Leaf("version", store.OpGt, 1), want: true},
		{name: "time as text", filter: store.Leaf("createdAt", store.OpLt, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), want: true, converted: true},
		{name: "address part", filter: store.Leaf("shipTo.city", store.OpStartsWith, "Sh"), want: true},
		{name: "hasAll with repeats", filter: store.Leaf("tags", store.OpHasAll, []any{"a", "a", "b"}), want: true},
		{name: "hasAll of nothing on a missing list", filter: store.Leaf("contacts", store.OpHasAll, []any{}), want: true},
		{name: "ne matches missing", filter: store.Leaf("won", store.OpNe, true), want: true},
		{name: "not", filter: store.Filter{Not: &store.Filter{Field: "name", Op: store.OpContains, Value: "LPH"}}, want: false},
		{name: "empty filter", filter: store.Filter{}, want: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			c, err := store.PlanFilter(obj, &sc.filter)
			require.NoError(t, err)
			assert.Equal(t, sc.want, c.Match(rec))
			if !sc.converted {
				assert.Equal(t, sc.want, store.Match(&sc.filter, rec), "store.Match agrees")
			}
		})
	}
}

func TestPlan_Page(t *testing.T) {
	t.Parallel()
	recs := []store.Record{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	scenarios := []struct {
		name    string
		limit   int
		want    int
		hasMore bool
	}{
		{name: "no limit", limit: 0, want: 3},
		{name: "one more than the limit read", limit: 2, want: 2, hasMore: true},
		{name: "limit reached exactly", limit: 3, want: 3},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p, err := store.PlanQuery(planObject(), store.Query{Limit: sc.limit})
			require.NoError(t, err)
			page := p.Page(recs)
			assert.Len(t, page.Records, sc.want)
			assert.Equal(t, sc.hasMore, page.HasMore)
		})
	}
}

func TestPlanSum(t *testing.T) {
	t.Parallel()
	obj := planObject()
	f := store.Leaf("won", store.OpEq, true)
	p, err := store.PlanSum(obj, &f, "amount")
	require.NoError(t, err)
	assert.Equal(t, "amount", p.Column.Field)
	assert.Equal(t, true, p.Filter.Value)

	_, err = store.PlanSum(obj, nil, "name")
	var qe *store.QueryError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, "name", qe.Field)
	bad := store.Leaf("won", store.OpGt, true)
	_, err = store.PlanSum(obj, &bad, "amount")
	require.ErrorIs(t, err, store.ErrInvalidQuery, "the filter is checked too")
}

func TestPlan_OrderIndex(t *testing.T) {
	t.Parallel()
	obj := &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won"}},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "closeDate", Type: schema.TypeDate},
		{Name: "region", Type: schema.TypeText},
		{Name: "code", Type: schema.TypeText, Unique: true},
	}, Indexes: [][]string{{"stage", "amount"}, {"stage", "closeDate"}, {"stage", "region", "closeDate"}, {"closeDate"}}}
	specs, err := store.IndexSpecs(obj, false)
	require.NoError(t, err)
	stage := store.Leaf("stage", store.OpEq, "won")
	scenarios := []struct {
		name  string
		query store.Query
		want  []string // the index's fields; nil for none
	}{
		{name: "equality then the sort", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage, store.Leaf("amount", store.OpGt, 5)}},
			Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 50}, want: []string{"stage", "closeDate"}},
		{name: "more equalities pinned win", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage, {And: []store.Filter{store.Leaf("region", store.OpEq, "north")}}}},
			Sort: []store.Sort{{Field: "closeDate"}}, Limit: 50}, want: []string{"stage", "region", "closeDate"}},
		{name: "a pinned sort key is skipped", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage}},
			Sort: []store.Sort{{Field: "stage"}, {Field: "amount"}}, Limit: 50}, want: []string{"stage", "amount"}},
		{name: "no equality: the sort field's own index", query: store.Query{Filter: &store.Filter{Field: "amount", Op: store.OpGt, Value: 5},
			Sort: []store.Sort{{Field: "closeDate"}}, Limit: 50}, want: []string{"closeDate"}},
		{name: "an equality under or pins nothing", query: store.Query{Filter: &store.Filter{Or: []store.Filter{stage, stage}},
			Sort: []store.Sort{{Field: "amount"}}, Limit: 50}},
		{name: "no limit", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage}}, Sort: []store.Sort{{Field: "closeDate"}}}},
		{name: "no sort", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage}}, Limit: 50}},
		{name: "every sort key pinned", query: store.Query{Filter: &store.Filter{And: []store.Filter{stage}}, Sort: []store.Sort{{Field: "stage"}}, Limit: 50}},
		{name: "a unique index is partial", query: store.Query{Sort: []store.Sort{{Field: "code"}}, Limit: 50}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p, err := store.PlanQuery(obj, sc.query)
			require.NoError(t, err)
			spec, ok := p.OrderIndex(specs)
			if sc.want == nil {
				assert.False(t, ok, "%v", spec.Fields)
				return
			}
			require.True(t, ok)
			assert.Equal(t, sc.want, spec.Fields)
		})
	}
}
