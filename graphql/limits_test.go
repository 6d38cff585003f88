package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/graphql"
)

func nested(levels int, first string) string {
	// deals { nodes { account { deals { nodes { account ... } } } } }
	q := "id"
	for i := 0; i < levels; i++ {
		q = "deals" + first + " { nodes { account { " + q + " } } }"
	}
	return "{ " + q + " }"
}

// fragments writes n fragment definitions from a format with one %d.
func fragments(n int, format string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format+" ", i)
	}
	return b.String()
}

func TestLimits(t *testing.T) {
	t.Parallel()
	fragmentBomb := func(levels int) string {
		var b strings.Builder
		b.WriteString(`{ deal(id: "d1") { ...F0 } }`)
		for i := 0; i < levels; i++ {
			fmt.Fprintf(&b, " fragment F%d on Deal { id ...F%d ...F%d }", i, i+1, i+1)
		}
		fmt.Fprintf(&b, " fragment F%d on Deal { id }", levels)
		return b.String()
	}
	repeat := func(n int, f func(i int) string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := 0; i < n; i++ {
			b.WriteString(f(i) + " ")
		}
		b.WriteString("}")
		return b.String()
	}
	scenarios := []struct {
		name    string
		query   string
		code    string
		message string
	}{
		{name: "51 root fields (G5)", query: repeat(51, func(i int) string { return fmt.Sprintf(`d%d: deal(id: "x") { id }`, i) }),
			code: graphql.CodeQueryTooComplex, message: "at most 50 root fields"},
		{name: "201 aliases (G5)", query: `{ deal(id: "x") ` + strings.Replace(repeat(201, func(i int) string { return fmt.Sprintf("a%d: id", i) }), "{ ", "{ ", 1) + ` }`,
			code: graphql.CodeQueryTooComplex, message: "at most 200 fields"},
		{name: "too many records by nested pages (G6)", query: `{ accounts(first: 100) { nodes { deals(first: 100) { nodes { account { deals(first: 10) { nodes { id } } } } } } } }`,
			code: graphql.CodeQueryTooComplex, message: "more than 50000"},
		{name: "default page sizes count too", query: `{ accounts { nodes { deals { nodes { account { deals { nodes { account { deals { nodes { id } } } } } } } } } } }`,
			code: graphql.CodeQueryTooComplex, message: "more than 50000"},
		{name: "nested first over 100 (G6)", query: `{ accounts { nodes { deals(first: 1000) { nodes { id } } } } }`,
			code: "BAD_REQUEST", message: "first must be between 1 and 100, got 1000"},
		{name: "depth 13 over MaxDepth 12 (G3)", query: nested(4, "(first: 1)"), code: "BAD_REQUEST", message: "exceeds max depth 12"},
		{name: "depth through a fragment spread deep down (G3)", query: `{ deals(first: 1) { nodes { account { deals(first: 1) { nodes { account { deals(first: 1) { nodes { ...D } } } } } } } } } fragment D on Deal { account { deals(first: 1) { nodes { account { id } } } } }`,
			code: "BAD_REQUEST", message: "exceeds max depth 12"},
		{name: "exponential fragments (G4)", query: fragmentBomb(30), code: graphql.CodeQueryTooComplex, message: "more than 5000 selections"},
		{name: "one field repeated 700 times (quadratic overlap validation)", query: `{ deals { nodes { ` + strings.Repeat("account { name } ", 700) + `} } }`,
			code: graphql.CodeQueryTooComplex, message: "more than 20000"},
		{name: "one field repeated through many fragments", query: `{ deals { nodes { ` + repeat(210, func(i int) string { return fmt.Sprintf("...F%d", i) })[2:] +
			` } } ` + strings.Repeat(" ", 1) + fragments(210, "fragment F%d on Deal { title }"),
			code: graphql.CodeQueryTooComplex, message: "more than 20000"},
		{name: "fragment spreading itself below a field (crashed the server once)", query: `{ deals { nodes { ...F } } } fragment F on Deal { id account { deals { nodes { ...F } } } }`,
			code: "BAD_REQUEST", message: `Cannot spread fragment "F" within itself`},
		{name: "fragment cycle on an unknown type", query: `fragment F on Dealn { id ...F more { ...F } }`,
			code: "BAD_REQUEST", message: `Unknown type "Dealn"`},
		{name: "query longer than 16 KiB (G2)", query: "{ deals { nodes { id } } }" + strings.Repeat(" ", 16<<10), code: "BAD_REQUEST", message: "more than the limit of 16384"},
		{name: "syntax error", query: `{ deals { nodes { id } }`, code: "BAD_REQUEST", message: "Syntax Error: Expected Name, found <EOF>"},
		{name: "subscription", query: `subscription { deals { nodes { id } } }`, code: "BAD_REQUEST", message: `Schema does not support operation type "subscription"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			r := run(t, srv, user, s.query, nil)
			require.NotEmpty(t, r.Errors)
			assert.Equal(t, s.code, r.codes()[0], r.messages())
			assert.Contains(t, r.messages(), s.message)
			assert.Nil(t, r.Data)
			assert.Zero(t, f.count("ListRecords")+f.count("GetRecord"), "nothing ran")
		})
	}
}

// TestLimits_WidthIsCheckedBeforeValidation checks G5 with 1,000 aliases
// and 1,000 root fields under a query length limit that lets them through.
func TestLimits_WidthIsCheckedBeforeValidation(t *testing.T) {
	t.Parallel()
	f := newFakeEngine()
	f.setObjects(tenantA, accountObject(), dealObject())
	srv, err := graphql.New(graphql.Config{Engine: f, MaxQueryLength: 1 << 20, Logger: discardLogger()})
	require.NoError(t, err)
	var roots, aliases strings.Builder
	roots.WriteString("{")
	aliases.WriteString(`{ deal(id: "x") {`)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&roots, ` r%d: deal(id: "x") { id }`, i)
		fmt.Fprintf(&aliases, " a%d: id", i)
	}
	roots.WriteString("}")
	aliases.WriteString("} }")
	mustRun(t, srv, user, `{ deals { nodes { id } } }`, nil) // builds the schema
	for _, q := range []string{roots.String(), aliases.String()} {
		r := run(t, srv, user, q, nil)
		assert.Equal(t, []string{graphql.CodeQueryTooComplex}, r.codes())
	}
	assert.Zero(t, f.count("GetRecord"))
}

func TestLimits_WithinLimitsRuns(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	mustRun(t, srv, user, `{ accounts(first: 100) { nodes { deals(first: 100) { nodes { id } } } } }`, nil)
	mustRun(t, srv, user, nested(3, "(first: 1)"), nil)
}

// introspectionQuery is the query GraphiQL sends (graphql-js 16's
// getIntrospectionQuery with descriptions).
const introspectionQuery = `
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

func TestIntrospection(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)

	data := mustRun(t, srv, admin, introspectionQuery, nil)
	sch := data["__schema"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "Query"}, sch["queryType"])
	assert.Equal(t, map[string]any{"name": "Mutation"}, sch["mutationType"])
	assert.Nil(t, sch["subscriptionType"])
	var deal map[string]any
	for _, ty := range sch["types"].([]any) {
		if ty.(map[string]any)["name"] == "Deal" {
			deal = ty.(map[string]any)
		}
	}
	require.NotNil(t, deal)
	assert.Equal(t, "OBJECT", deal["kind"])
	assert.Equal(t, "商机 / Deal", deal["description"])
	var account map[string]any
	for _, fl := range deal["fields"].([]any) {
		if fl.(map[string]any)["name"] == "account" {
			account = fl.(map[string]any)
		}
	}
	assert.Equal(t, map[string]any{"kind": "OBJECT", "name": "Account", "ofType": nil}, account["type"])

	data = mustRun(t, srv, admin, `{ __type(name: "DealFilter") { kind inputFields { name type { name } } } nope: __type(name: "Nope") { name } __typename }`, nil)
	assert.Equal(t, "INPUT_OBJECT", data["__type"].(map[string]any)["kind"])
	assert.Nil(t, data["nope"])
	assert.Equal(t, "Query", data["__typename"])

	// Mixed with data, in one operation.
	f.put(tenantA, "deal", "d1", map[string]any{"title": "x"})
	data = mustRun(t, srv, admin, `{ deal(id: "d1") { __typename title } __type(name: "Deal") { name } }`, nil)
	assert.Equal(t, map[string]any{"__typename": "Deal", "title": "x"}, data["deal"])

	for _, q := range []string{introspectionQuery, `{ __type(name: "Deal") { name } }`, `{ deals { nodes { id } } __schema { queryType { name } } }`} {
		r := run(t, srv, user, q, nil)
		assert.Empty(t, r.Errors, "everyone signed in introspects their own schema (G8): %s", q)
		assert.NotNil(t, r.Data)
	}
	data = mustRun(t, srv, user, `{ deals { __typename nodes { __typename } } }`, nil)
	assert.Equal(t, "DealConnection", data["deals"].(map[string]any)["__typename"], "__typename is not introspection")
}

// A filter's values count into the query's cost, once per page it runs
// for: a modest filter on a list nested under 100 parents is refused
// before anything runs (issue 13, item 4).
func TestLimits_FilterCountsIntoCost(t *testing.T) {
	t.Parallel()
	ors := make([]any, 200)
	for i := range ors {
		ors[i] = map[string]any{"title": map[string]any{"eq": fmt.Sprintf("t%d", i)}}
	}
	vars := map[string]any{"f": map[string]any{"or": ors}}
	srv, f := newTestServer(t)
	r := run(t, srv, user, `query($f: DealFilter) { accounts(first: 100) { nodes { deals(first: 10, filter: $f) { nodes { id } } } } }`, vars)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, graphql.CodeQueryTooComplex, r.codes()[0], r.messages())
	assert.Contains(t, r.messages(), "filters and pages cost about")
	assert.Zero(t, f.count("ListRecords")+f.count("ListRelated"), "nothing ran")

	r = run(t, srv, user, `query($f: DealFilter) { deals(first: 10, filter: $f) { nodes { id } } }`, vars)
	assert.NotEqual(t, []string{graphql.CodeQueryTooComplex}, r.codes(), "the same filter at the root is within the cost")
}
