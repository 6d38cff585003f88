package graphql_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seed stores 10 accounts and 50 deals (5 per account) and 50 tickets
// watched by 3 accounts each.
func seed(f *fakeEngine) {
	for i := 0; i < 10; i++ {
		f.put(tenantA, "account", fmt.Sprintf("a%02d", i), map[string]any{"name": fmt.Sprintf("Account %d", i)})
	}
	for i := 0; i < 50; i++ {
		f.put(tenantA, "deal", fmt.Sprintf("d%02d", i), map[string]any{"title": fmt.Sprintf("Deal %d", i), "amount": float64(i), "account": fmt.Sprintf("a%02d", i%10)})
		f.put(tenantA, "ticket", fmt.Sprintf("t%02d", i), map[string]any{"watchers": []any{fmt.Sprintf("a%02d", i%10), fmt.Sprintf("a%02d", (i+1)%10), "missing"}})
	}
}

func TestBatch_NoNPlusOne(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name        string
		query       string
		getRecords  int
		listRelated int
		check       func(t *testing.T, data map[string]any)
	}{
		{
			name:       "a page of 50 deals with their account",
			query:      `{ deals(first: 50) { nodes { title account { name } } } }`,
			getRecords: 1,
			check: func(t *testing.T, data map[string]any) {
				nodes := data["deals"].(map[string]any)["nodes"].([]any)
				require.Len(t, nodes, 50)
				for i, n := range nodes {
					assert.Equal(t, fmt.Sprintf("Account %d", i%10), n.(map[string]any)["account"].(map[string]any)["name"])
				}
			},
		},
		{
			name:       "nodes and edges of one page share the batch",
			query:      `{ deals(first: 50) { nodes { account { name } } edges { node { account { id } } } } }`,
			getRecords: 1,
		},
		{
			name:        "accounts with their deals",
			query:       `{ accounts(first: 10) { nodes { name deals(first: 10) { totalCount nodes { title } } } } }`,
			listRelated: 1,
			check: func(t *testing.T, data map[string]any) {
				nodes := data["accounts"].(map[string]any)["nodes"].([]any)
				require.Len(t, nodes, 10)
				for _, n := range nodes {
					deals := n.(map[string]any)["deals"].(map[string]any)
					assert.Len(t, deals["nodes"], 5)
					assert.Equal(t, 5.0, deals["totalCount"])
				}
			},
		},
		{
			name:        "two levels: the children of every account batch their lookups together",
			query:       `{ accounts(first: 10) { nodes { deals { nodes { account { name } } } } } }`,
			listRelated: 1,
			getRecords:  1,
		},
		{
			name:        "different arguments are different batches",
			query:       `{ accounts { nodes { a: deals(first: 1) { nodes { id } } b: deals(first: 2) { nodes { id } } c: deals(first: 1) { nodes { title } } } } }`,
			listRelated: 2,
		},
		{
			name:       "multilookups",
			query:      `{ tickets(first: 50) { nodes { watchers { name } } } }`,
			getRecords: 1,
			check: func(t *testing.T, data map[string]any) {
				nodes := data["tickets"].(map[string]any)["nodes"].([]any)
				require.Len(t, nodes, 50)
				assert.Equal(t, []any{map[string]any{"name": "Account 3"}, map[string]any{"name": "Account 4"}},
					nodes[3].(map[string]any)["watchers"], "in the stored order, missing records left out")
			},
		},
		{
			name:        "reverse list of a multilookup",
			query:       `{ accounts(first: 3) { nodes { tickets { nodes { id } } } } }`,
			listRelated: 1,
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			seed(f)
			data := mustRun(t, srv, user, s.query, nil)
			assert.Equal(t, s.getRecords, f.count("GetRecords"), "GetRecords calls")
			assert.Equal(t, s.listRelated, f.count("ListRelated"), "ListRelated calls")
			if s.check != nil {
				s.check(t, data)
			}
		})
	}
}

func TestBatch_ReverseListArguments(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	seed(f)
	mustRun(t, srv, user, `{ account(id: "a01") { deals(filter: {amount: {gt: 10}}, orderBy: [{amount: DESC}], first: 3) { nodes { id } } } }`, nil)
	require.Len(t, f.relatedQueries, 1)
	q := f.relatedQueries[0]
	assert.Equal(t, 3, q.First)
	assert.Equal(t, "amount", q.Filter.Field)
	assert.Equal(t, 10.0, q.Filter.Value)
	assert.Equal(t, "amount", q.Sort[0].Field)
	assert.True(t, q.Sort[0].Desc)
	assert.False(t, q.WithTotal)
}

func TestBatch_ReverseListReadsTheSelectedFields(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name      string
		query     string
		fields    []string
		noCursors bool
	}{
		{name: "nodes", query: `{ account(id: "a01") { deals { nodes { title amount } } } }`,
			fields: []string{"title", "amount"}, noCursors: true},
		{name: "ids and the end cursor only", query: `{ account(id: "a01") { deals { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
			fields: []string{}, noCursors: true},
		{name: "edges and nodes under aliases", query: `{ account(id: "a01") { deals { a: nodes { title } edges { cursor node { b: amount } } } } }`,
			fields: []string{"title", "amount"}},
		{name: "a lookup on the listed records", query: `{ account(id: "a01") { deals { nodes { account { name } } } } }`,
			fields: []string{"account"}, noCursors: true},
		{name: "the start cursor", query: `{ account(id: "a01") { deals { nodes { title } pageInfo { startCursor } } } }`,
			fields: []string{"title"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			seed(f)
			mustRun(t, srv, user, s.query, nil)
			require.Len(t, f.relatedQueries, 1)
			assert.Equal(t, s.fields, f.relatedQueries[0].Fields)
			assert.Equal(t, s.noCursors, f.relatedQueries[0].NoCursors)
		})
	}
}
