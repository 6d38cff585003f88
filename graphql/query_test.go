package graphql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

func TestQuery_GetByID(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "account", "a1", map[string]any{"name": "Acme", "industry": "tech", "tags": []any{"vip"}, "address": map[string]any{"city": "上海", "street": 42.0}})
	f.put(tenantA, "deal", "d1", map[string]any{"title": "Big", "amount": 1200.5, "stage": "won", "closeDate": "2025-06-30", "account": "a1"})

	data := mustRun(t, srv, user, `{
		deal(id: "d1") { id version createdAt updatedAt createdBy updatedBy title amount stage closeDate email
			account { id name industry tags address { city street country } } }
		missing: deal(id: "nope") { id }
	}`, nil)
	assert.Equal(t, map[string]any{
		"id": "d1", "version": 1.0, "createdAt": "2025-03-01T08:00:00.000000Z", "updatedAt": "2025-03-01T08:00:00.000000Z",
		"createdBy": "key:test", "updatedBy": "key:test", "title": "Big", "amount": 1200.5, "stage": "won",
		"closeDate": "2025-06-30", "email": nil,
		"account": map[string]any{"id": "a1", "name": "Acme", "industry": "tech", "tags": []any{"vip"},
			"address": map[string]any{"city": "上海", "street": nil, "country": nil}},
	}, data["deal"])
	assert.Nil(t, data["missing"], "a missing record is null without an error")
}

func TestQuery_StoredValuesOfTheWrongShapeAreNull(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "account", "a1", map[string]any{"name": "Acme"})
	f.put(tenantA, "ticket", "t1", map[string]any{
		"number": "T-0001", "notes": 7.0, "count": 3.0, "score": "high", "done": "yes", "dueAt": "2025-01-02T03:04:05+08:00",
		"extra": map[string]any{"k": []any{1.0, "x"}}, "watchers": []any{"a1", "gone", 5.0}, "labels": []any{"a", 1.0},
		"site": "https://example.com", "shipTo": "not an address", "ghost": "x1",
	})
	f.put(tenantA, "ticket", "t2", map[string]any{"count": 2.5, "dueAt": "yesterday", "labels": []any{"b", "c"}, "extra": nil})
	f.put(tenantA, "ticket", "t3", map[string]any{"count": 3e10})

	data := mustRun(t, srv, user, `{ tickets { nodes { id number notes count score done dueAt extra watchers { id name } labels site shipTo { city } } } }`, nil)
	nodes := data["tickets"].(map[string]any)["nodes"].([]any)
	require.Len(t, nodes, 3)
	assert.Equal(t, map[string]any{
		"id": "t1", "number": "T-0001", "notes": nil, "count": 3.0, "score": nil, "done": nil,
		"dueAt": "2025-01-01T19:04:05.000000Z", "extra": map[string]any{"k": []any{1.0, "x"}},
		"watchers": []any{map[string]any{"id": "a1", "name": "Acme"}}, "labels": nil,
		"site": "https://example.com", "shipTo": nil,
	}, nodes[0])
	assert.Equal(t, map[string]any{
		"id": "t2", "number": nil, "notes": nil, "count": nil, "score": nil, "done": nil, "dueAt": nil, "extra": nil,
		"watchers": []any{}, "labels": []any{"b", "c"}, "site": nil, "shipTo": nil,
	}, nodes[1])
	assert.Nil(t, nodes[2].(map[string]any)["count"], "an integer beyond Int's 32 bits is null")
}

func TestQuery_LookupToAMissingObjectIsLeftOut(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	r := run(t, srv, user, `{ tickets { nodes { ghost } } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, `Cannot query field "ghost"`)
}

func TestQuery_ConnectionAndTotalCount(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	for _, id := range []string{"d1", "d2", "d3"} {
		f.put(tenantA, "deal", id, map[string]any{"title": id})
	}
	data := mustRun(t, srv, user, `{ deals(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, nil)
	assert.Equal(t, map[string]any{
		"edges": []any{
			map[string]any{"cursor": "c:d1", "node": map[string]any{"id": "d1"}},
			map[string]any{"cursor": "c:d2", "node": map[string]any{"id": "d2"}},
		},
		"pageInfo": map[string]any{"hasNextPage": true, "endCursor": "c:d2"},
	}, data["deals"])
	require.Len(t, f.listQueries, 1)
	assert.False(t, f.listQueries[0].WithTotal, "no count unless totalCount is selected")
	assert.Equal(t, 2, f.listQueries[0].First)

	data = mustRun(t, srv, user, `query($after: String) { deals(after: $after) { ...Count } } fragment Count on DealConnection { totalCount }`, map[string]any{"after": "c:d2"})
	assert.Equal(t, 3.0, data["deals"].(map[string]any)["totalCount"])
	require.Len(t, f.listQueries, 2)
	assert.True(t, f.listQueries[1].WithTotal, "totalCount selected through a fragment")
	assert.Equal(t, engine.DefaultPageSize, f.listQueries[1].First)
	assert.Equal(t, "c:d2", f.listQueries[1].After)
}

// TestQuery_SharedSelections: a page's items and their accounts share
// their selection, collected once a request; one fragment under two
// parents with different siblings still gives each parent its own.
func TestQuery_SharedSelections(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "account", "a1", map[string]any{"name": "Acme", "industry": "tech"})
	for _, id := range []string{"d1", "d2", "d3"} {
		f.put(tenantA, "deal", id, map[string]any{"title": id, "account": "a1"})
	}
	data := mustRun(t, srv, user, `query($more: Boolean!) {
		deals(first: 3) {
			nodes { ...A account { name } }
			edges { node { ...A account { industry @include(if: $more) } title } }
		}
	} fragment A on Deal { id account { id } }`, map[string]any{"more": true})
	deals := data["deals"].(map[string]any)
	for i, n := range deals["nodes"].([]any) {
		assert.Equal(t, map[string]any{"id": []string{"d1", "d2", "d3"}[i], "account": map[string]any{"id": "a1", "name": "Acme"}}, n)
	}
	for i, e := range deals["edges"].([]any) {
		assert.Equal(t, map[string]any{"id": []string{"d1", "d2", "d3"}[i], "title": []string{"d1", "d2", "d3"}[i],
			"account": map[string]any{"id": "a1", "industry": "tech"}}, e.(map[string]any)["node"])
	}
}

// listQueryOf runs a deals query and returns the ListQuery the engine got.
func listQueryOf(t *testing.T, args string, vars map[string]any) (engine.ListQuery, result) {
	t.Helper()
	srv, f := newTestServer(t)
	decl := ""
	if vars != nil {
		decl = "($v: DealFilter)"
	}
	r := run(t, srv, user, `query`+decl+` { deals`+args+` { nodes { id } } }`, vars)
	if len(f.listQueries) == 0 {
		return engine.ListQuery{}, r
	}
	return f.listQueries[0], r
}

func TestQuery_FilterTranslation(t *testing.T) {
	t.Parallel()
	leaf := store.Leaf
	and := func(fs ...store.Filter) *store.Filter { return &store.Filter{And: fs} }
	one := func(f store.Filter) *store.Filter { return &f }
	scenarios := []struct {
		name   string
		filter string
		vars   map[string]any
		want   *store.Filter
	}{
		{name: "no filter", filter: "", want: nil},
		{name: "empty filter", filter: "{}", want: nil},
		{name: "string eq", filter: `{title: {eq: "Big"}}`, want: one(leaf("title", store.OpEq, "Big"))},
		{name: "string operators together are and-ed", filter: `{title: {ne: "x", in: ["a", "b"], nin: ["c"], contains: "ig", startsWith: "B", isNull: false}}`,
			want: and(leaf("title", store.OpNe, "x"), leaf("title", store.OpIn, []any{"a", "b"}), leaf("title", store.OpNin, []any{"c"}),
				leaf("title", store.OpContains, "ig"), leaf("title", store.OpStartsWith, "B"), leaf("title", store.OpIsNull, false))},
		{name: "float range, Int literals become float64", filter: `{amount: {gt: 100, lte: 2.5e3, in: [1, 2.5]}}`,
			want: and(leaf("amount", store.OpGt, 100.0), leaf("amount", store.OpLte, 2500.0), leaf("amount", store.OpIn, []any{1.0, 2.5}))},
		{name: "several fields are and-ed", filter: `{stage: {eq: won}, amount: {gte: 10}}`,
			want: and(leaf("amount", store.OpGte, 10.0), leaf("stage", store.OpEq, "won"))},
		{name: "date", filter: `{closeDate: {gte: "2025-01-01", lt: "2025-02-01"}}`,
			want: and(leaf("closeDate", store.OpGte, "2025-01-01"), leaf("closeDate", store.OpLt, "2025-02-01"))},
		{name: "system fields", filter: `{id: {in: ["d1", "d2"]}, version: {gt: 2}, createdAt: {gte: "2025-01-01T08:00:00+08:00"}, createdBy: {eq: "key:1"}}`,
			want: and(leaf("id", store.OpIn, []any{"d1", "d2"}), leaf("version", store.OpGt, 2.0),
				leaf("createdAt", store.OpGte, "2025-01-01T00:00:00.000000Z"), leaf("createdBy", store.OpEq, "key:1"))},
		{name: "lookup by id", filter: `{account: {eq: "a1", isNull: false}}`,
			want: and(leaf("account", store.OpEq, "a1"), leaf("account", store.OpIsNull, false))},
		{name: "null operand sets no condition", filter: `{title: {eq: null}, amount: {gt: 5}}`, want: one(leaf("amount", store.OpGt, 5.0))},
		{name: "or", filter: `{or: [{stage: {eq: won}}, {amount: {gt: 1000}}]}`,
			want: one(store.Filter{Or: []store.Filter{leaf("stage", store.OpEq, "won"), leaf("amount", store.OpGt, 1000.0)}})},
		{name: "or with a match-all alternative is dropped", filter: `{or: [{stage: {eq: won}}, {}], title: {eq: "x"}}`,
			want: one(leaf("title", store.OpEq, "x"))},
		{name: "and, or, not nested", filter: `{and: [{title: {eq: "a"}}, {not: {or: [{stage: {eq: lost}}, {and: [{amount: {lt: 0}}]}]}}]}`,
			want: and(leaf("title", store.OpEq, "a"), store.Filter{Not: &store.Filter{Or: []store.Filter{
				leaf("stage", store.OpEq, "lost"), leaf("amount", store.OpLt, 0.0)}}})},
		{name: "not of nothing matches nothing", filter: `{not: {}}`, want: one(store.Filter{Not: &store.Filter{}})},
		{name: "through a variable", filter: `$v`, vars: map[string]any{"v": map[string]any{"amount": map[string]any{"gt": 7, "lt": 9.5}, "or": []any{map[string]any{"title": map[string]any{"eq": "x"}}}}},
			want: and(leaf("title", store.OpEq, "x"), leaf("amount", store.OpGt, 7.0), leaf("amount", store.OpLt, 9.5))},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			args := ""
			if s.filter != "" {
				args = "(filter: " + s.filter + ")"
			}
			q, r := listQueryOf(t, args, s.vars)
			require.Empty(t, r.Errors, r.messages())
			assert.Equal(t, s.want, q.Filter)
		})
	}
}

func TestQuery_ListAndAddressFilters(t *testing.T) {
	t.Parallel()
	leaf := store.Leaf
	scenarios := []struct {
		name  string
		query string
		want  *store.Filter
	}{
		{name: "multipicklist", query: `{ accounts(filter: {tags: {includes: vip, includesAny: [vip, partner], includesAll: [partner], excludes: [vip], isEmpty: false}}) { nodes { id } } }`,
			want: &store.Filter{And: []store.Filter{leaf("tags", store.OpEq, "vip"), leaf("tags", store.OpIn, []any{"vip", "partner"}),
				leaf("tags", store.OpHasAll, []any{"partner"}), leaf("tags", store.OpNin, []any{"vip"}), leaf("tags", store.OpIsNull, false)}}},
		{name: "address parts are dotted paths", query: `{ accounts(filter: {address: {city: {eq: "上海"}, postalCode: {startsWith: "20"}}}) { nodes { id } } }`,
			want: &store.Filter{And: []store.Filter{leaf("address.city", store.OpEq, "上海"), leaf("address.postalCode", store.OpStartsWith, "20")}}},
		{name: "multilookup", query: `{ tickets(filter: {watchers: {includesAny: ["a1", "a2"]}}) { nodes { id } } }`,
			want: &store.Filter{Field: "watchers", Op: store.OpIn, Value: []any{"a1", "a2"}}},
		{name: "integer, boolean, datetime, json", query: `{ tickets(filter: {count: {eq: 3, nin: [1]}, done: {ne: true}, dueAt: {lt: "2025-05-05T10:00:00Z"}, extra: {isNull: true}}) { nodes { id } } }`,
			want: &store.Filter{And: []store.Filter{leaf("count", store.OpEq, 3.0), leaf("count", store.OpNin, []any{1.0}),
				leaf("done", store.OpNe, true), leaf("dueAt", store.OpLt, "2025-05-05T10:00:00.000000Z"), leaf("extra", store.OpIsNull, true)}}},
		{name: "shipTo address on another object", query: `{ tickets(filter: {shipTo: {country: {in: ["CN"]}}}) { nodes { id } } }`,
			want: &store.Filter{Field: "shipTo.country", Op: store.OpIn, Value: []any{"CN"}}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			mustRun(t, srv, user, s.query, nil)
			require.Len(t, f.listQueries, 1)
			assert.Equal(t, s.want, f.listQueries[0].Filter)
		})
	}
}

func TestQuery_BadListArguments(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		args    string
		vars    map[string]any
		code    string
		message string
	}{
		{name: "first over 100", args: "(first: 101)", code: "BAD_REQUEST", message: "first must be between 1 and 100, got 101"},
		{name: "first zero", args: "(first: 0)", code: "BAD_REQUEST", message: "first must be between 1 and 100, got 0"},
		{name: "first over 100 in a variable", args: "(first: $n)", vars: map[string]any{"n": 500}, code: "BAD_REQUEST", message: "first must be between 1 and 100"},
		{name: "two fields in one orderBy element", args: `(orderBy: [{amount: DESC, title: ASC}])`, code: "BAD_REQUEST", message: "each orderBy element must set exactly one field"},
		{name: "no field in an orderBy element", args: `(orderBy: [{}])`, code: "BAD_REQUEST", message: "each orderBy element must set exactly one field"},
		{name: "empty or", args: `(filter: {or: []})`, code: "BAD_REQUEST", message: "filter.or: give at least one filter"},
		{name: "wrong scalar in a variable", args: `(filter: $v)`, vars: map[string]any{"v": map[string]any{"amount": map[string]any{"gt": "lots"}}}, code: "BAD_REQUEST", message: `got invalid value {"amount":{"gt":"lots"}} at "v.amount.gt"; Float cannot represent non numeric value: "lots"`},
		{name: "bad date in a variable", args: `(filter: $v)`, vars: map[string]any{"v": map[string]any{"closeDate": map[string]any{"eq": "2025-13-01"}}}, code: "BAD_REQUEST", message: "not a date"},
		{name: "unknown field in a variable", args: `(filter: $v)`, vars: map[string]any{"v": map[string]any{"nope": map[string]any{}}}, code: "BAD_REQUEST", message: `"nope" is not defined`},
		{name: "too long a list", args: `(filter: $v)`, vars: map[string]any{"v": map[string]any{"title": map[string]any{"in": strings.Split(strings.Repeat("x,", 250)+"x", ",")}}}, code: "BAD_REQUEST", message: "at most 250 elements"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			decl := ""
			switch {
			case strings.Contains(s.args, "$n"):
				decl = "($n: Int)"
			case strings.Contains(s.args, "$v"):
				decl = "($v: DealFilter)"
			}
			q := `query` + decl + ` { deals` + s.args + ` { nodes { id } } }`
			r := run(t, srv, user, q, s.vars)
			require.NotEmpty(t, r.Errors)
			assert.Equal(t, s.code, r.codes()[0])
			assert.Contains(t, r.messages(), s.message)
			assert.Empty(t, f.listQueries, "the engine is not called")
		})
	}
}

func TestQuery_OrderBy(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	mustRun(t, srv, user, `query($o: [DealOrderBy!]) { a: deals(orderBy: [{amount: DESC}, {closeDate: ASC}, {id: ASC}]) { nodes { id } } b: deals(orderBy: $o) { nodes { id } } c: deals(orderBy: {createdAt: DESC}) { nodes { id } } }`,
		map[string]any{"o": []any{map[string]any{"stage": "DESC", "title": nil}}})
	require.Len(t, f.listQueries, 3)
	sorts := map[string]bool{}
	for _, q := range f.listQueries {
		sorts[fmtSorts(q.Sort)] = true
	}
	assert.Equal(t, map[string]bool{"amount desc,closeDate,id": true, "stage desc": true, "createdAt desc": true}, sorts)

	r := run(t, srv, user, `{ deals(orderBy: [{email: ASC}, {account: DESC}]) { nodes { id } } }`, nil)
	assert.Empty(t, r.Errors, r.messages())
	r = run(t, srv, user, `{ accounts(orderBy: [{tags: ASC}]) { nodes { id } } }`, nil)
	assert.NotEmpty(t, r.Errors, "multipicklists are not sortable")
}

func fmtSorts(ss []store.Sort) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s.Field
		if s.Desc {
			out += " desc"
		}
	}
	return out
}

func TestQuery_EngineErrorsKeepTheirCode(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.ListFunc = func(context.Context, string, engine.ListQuery) (*engine.ListResult, error) {
		return nil, &engine.Error{Kind: engine.ErrBadRequest, Message: "bad cursor", MessageZh: "无效的游标"}
	}
	r := run(t, srv, user, `{ deals(after: "zzz") { nodes { id } } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
	assert.Equal(t, "无效的游标", r.Errors[0].Message, "Chinese by default")
	assert.Equal(t, []any{"deals"}, r.Errors[0].Path)
}
