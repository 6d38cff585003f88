package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_BulkWrites: bulk writes through the real server — results per
// write in input order with the reasons of those that failed, in the
// request's language; autonumbers without gaps; updates and deletes of the
// created records; an atomic call that leaves nothing; more than 500
// writes a request error that runs nothing. .ci/ferretdb-e2e runs it on
// the MongoDB adapter too, whose transactions have no savepoints (a
// transaction per write).
func TestServe_BulkWrites(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)

	data := s.ok(t, `mutation($in: [DealInput!]!) { createDeals(inputs: $in) {
	    index outcome id record { number title amount stage } error { code message fields { field code message } } } }`,
		map[string]any{"in": []any{
			map[string]any{"title": "批量一", "amount": 100},
			map[string]any{"amount": -1, "email": "not an email"},
			map[string]any{"title": "批量三", "stage": "won"},
		}})
	results := data["createDeals"].([]any)
	require.Len(t, results, 3)
	assert.Equal(t, map[string]any{"number": "DEAL-00001", "title": "批量一", "amount": 100.0, "stage": "new"}, path(results, 0, "record"))
	assert.Equal(t, map[string]any{"code": "VALIDATION_FAILED", "message": "invalid Deal record", "fields": []any{
		map[string]any{"field": "amount", "code": "minimum", "message": "must be at least 0"},
		map[string]any{"field": "email", "code": "format", "message": "is not a valid email address"},
		map[string]any{"field": "title", "code": "required", "message": "is required"},
	}}, path(results, 1, "error"))
	assert.Equal(t, "failed", path(results, 1, "outcome"))
	assert.Equal(t, map[string]any{"number": "DEAL-00002", "title": "批量三", "amount": nil, "stage": "won"}, path(results, 2, "record"), "no number is lost to the failed write")
	first, third := path(results, 0, "id").(string), path(results, 2, "id").(string)

	data = s.ok(t, `mutation($u: [DealUpdate!]!) { updateDeals(updates: $u) { outcome record { title amount version } error { code } } }`,
		map[string]any{"u": []any{
			map[string]any{"id": first, "version": 1, "input": map[string]any{"amount": 150}},
			map[string]any{"id": third, "version": 5, "input": map[string]any{"amount": 1}},
		}})
	assert.Equal(t, []any{
		map[string]any{"outcome": "updated", "record": map[string]any{"title": "批量一", "amount": 150.0, "version": 2.0}, "error": nil},
		map[string]any{"outcome": "failed", "record": nil, "error": map[string]any{"code": "CONFLICT"}},
	}, data["updateDeals"])

	data = s.ok(t, `mutation { createDeals(atomic: true, inputs: [{title: "不会留下"}, {title: "也不会", closeDate: "2026-02-30"}]) { outcome } }`, nil)
	assert.Equal(t, []any{map[string]any{"outcome": "notApplied"}, map[string]any{"outcome": "failed"}}, data["createDeals"])

	inputs := make([]any, 501)
	for i := range inputs {
		inputs[i] = map[string]any{"title": fmt.Sprintf("商机 %d", i)}
	}
	r := s.gql(t, s.Key, `mutation($in: [DealInput!]!) { createDeals(inputs: $in) { outcome } }`, map[string]any{"in": inputs})
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
	assert.Contains(t, r.Errors[0].Message, "A list may hold at most 500 elements, this one has 501.")
	assert.Nil(t, r.Data)

	data = s.ok(t, `mutation($ids: [ID!]!) { deleteDeals(ids: $ids) { outcome id } }`, map[string]any{"ids": []any{third, "gone"}})
	assert.Equal(t, []any{map[string]any{"outcome": "deleted", "id": third}, map[string]any{"outcome": "failed", "id": "gone"}}, data["deleteDeals"])

	data = s.ok(t, `{ deals(orderBy: [{title: ASC}]) { totalCount nodes { title amount } } }`, nil)
	assert.Equal(t, map[string]any{"totalCount": 1.0, "nodes": []any{map[string]any{"title": "批量一", "amount": 150.0}}}, data["deals"],
		"what landed is what the results said")
}
