package graphql_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// bulkLead is a lead with a unique email and a validate script that
// rejects one name.
const bulkLead = `{"$id": "lead", "type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "x-crm-type": "text"},
    "email": {"type": "string", "format": "email", "x-crm-type": "email", "x-crm-unique": true},
    "score": {"type": "number", "minimum": 0, "x-crm-type": "number"},
    "referrer": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "lead"},
    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist"}},
  "x-crm-scripts": [{"name": "picky", "kind": "validate", "source": "if (ctx.record.name === 'reject me') ctx.addError('name', '不要这个')"}]}`

const writeResult = `{ index outcome id record { name email score version } error { code message fields { field code message } } }`

func TestBulk_CreateAnswersEveryWrite(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(bulkLead))
	r := run(t, srv, admin, `mutation { createLeads(inputs: [
	    {name: "甲", email: "a@example.com"},
	    {name: "reject me", score: -1},
	    {email: "a@example.com", name: "乙"}]) `+writeResult+` }`, nil)
	require.Empty(t, r.Errors, r.messages())
	got := r.Data["createLeads"].([]any)
	require.Len(t, got, 3)
	first := got[0].(map[string]any)
	assert.NotEmpty(t, first["id"])
	first["id"] = "?"
	want := `[
	  {"index": 0, "outcome": "created", "id": "?", "record": {"name": "甲", "email": "a@example.com", "score": null, "version": 1}, "error": null},
	  {"index": 1, "outcome": "failed", "id": null, "record": null, "error": {"code": "VALIDATION_FAILED", "message": "lead记录未通过校验", "fields": [
	    {"field": "name", "code": "script", "message": "不要这个"},
	    {"field": "score", "code": "minimum", "message": "不能小于 0"}]}},
	  {"index": 2, "outcome": "failed", "id": null, "record": null, "error": {"code": "VALIDATION_FAILED", "message": "lead记录未通过校验", "fields": [
	    {"field": "email", "code": "unique", "message": "该值已被其他记录使用"}]}}
	]`
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, want, string(b))
}

func TestBulk_UpdateUpsertDelete(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(bulkLead))
	created := mustRun(t, srv, admin, `mutation { createLeads(inputs: [{name: "a", email: "a@example.com"}, {name: "b"}, {name: "c"}]) { id } }`, nil)
	var ids []string
	for _, r := range created["createLeads"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}

	data := mustRun(t, srv, admin, `mutation($u: [LeadUpdate!]!) { updateLeads(updates: $u) { outcome record { name score version } error { code } } }`,
		map[string]any{"u": []any{
			map[string]any{"id": ids[0], "version": 1, "input": map[string]any{"score": 5}},
			map[string]any{"id": ids[1], "version": 9, "input": map[string]any{"score": 5}},
			map[string]any{"id": ids[2], "input": map[string]any{"name": nil}},
		}})
	assert.Equal(t, []any{
		map[string]any{"outcome": "updated", "record": map[string]any{"name": "a", "score": 5.0, "version": 2.0}, "error": nil},
		map[string]any{"outcome": "failed", "record": nil, "error": map[string]any{"code": "CONFLICT"}},
		map[string]any{"outcome": "failed", "record": nil, "error": map[string]any{"code": "VALIDATION_FAILED"}},
	}, data["updateLeads"])

	data = mustRun(t, srv, admin, `mutation { upsertLeads(by: email, inputs: [
	    {input: {name: "a again", email: "a@example.com"}},
	    {input: {name: "d", email: "d@example.com", score: null}}]) { outcome id record { name score } } }`, nil)
	got := data["upsertLeads"].([]any)
	assert.Equal(t, map[string]any{"outcome": "updated", "id": ids[0], "record": map[string]any{"name": "a again", "score": 5.0}}, got[0])
	assert.Equal(t, "created", got[1].(map[string]any)["outcome"])

	data = mustRun(t, srv, admin, `mutation($id: ID) { upsertLeads(inputs: [{id: $id, input: {name: "b by id"}}, {id: "nope", input: {name: "x"}}]) { outcome error { code } } }`,
		map[string]any{"id": ids[1]})
	assert.Equal(t, []any{map[string]any{"outcome": "updated", "error": nil}, map[string]any{"outcome": "failed", "error": map[string]any{"code": "NOT_FOUND"}}}, data["upsertLeads"])

	data = mustRun(t, srv, admin, `mutation($ids: [ID!]!) { deleteLeads(ids: $ids) { index outcome id record { name } } }`,
		map[string]any{"ids": []any{ids[2], ids[2]}})
	assert.Equal(t, []any{
		map[string]any{"index": 0.0, "outcome": "deleted", "id": ids[2], "record": nil},
		map[string]any{"index": 1.0, "outcome": "failed", "id": ids[2], "record": nil},
	}, data["deleteLeads"])

	r := run(t, srv, admin, `mutation { upsertLeads(by: name, inputs: []) { outcome } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "by takes only unique fields")
}

func TestBulk_Atomic(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(bulkLead))
	data := mustRun(t, srv, admin, `mutation { createLeads(atomic: true, inputs: [{name: "a"}, {name: "reject me"}, {name: "c"}]) { outcome id record { name } error { code } } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"outcome": "notApplied", "id": nil, "record": nil, "error": nil},
		map[string]any{"outcome": "failed", "id": nil, "record": nil, "error": map[string]any{"code": "VALIDATION_FAILED"}},
		map[string]any{"outcome": "notApplied", "id": nil, "record": nil, "error": nil},
	}, data["createLeads"])
	data = mustRun(t, srv, admin, `{ leads { totalCount } }`, nil)
	assert.Equal(t, 0.0, data["leads"].(map[string]any)["totalCount"], "nothing stays")
}

func TestBulk_Limits(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(bulkLead))
	inputs := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprintf("lead %d", i)}
		}
		return out
	}
	ids := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprintf("id%d", i)
		}
		return out
	}
	tags := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = "a"
		}
		return out
	}
	literalIDs := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`"id%d"`, i)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	scenarios := []struct {
		name    string
		query   string
		vars    map[string]any
		message string // "" for success
	}{
		{name: "501 inputs in a variable", query: `mutation($in: [LeadInput!]!) { createLeads(inputs: $in) { outcome } }`,
			vars: map[string]any{"in": inputs(501)}, message: "A list may hold at most 500 elements, this one has 501."},
		{name: "501 ids in a literal", query: `mutation { deleteLeads(ids: ` + literalIDs(501) + `) { outcome } }`,
			message: "A list may hold at most 500 elements, this one has 501."},
		{name: "300 ids in a literal", query: `mutation { deleteLeads(ids: ` + literalIDs(300) + `) { outcome } }`},
		{name: "300 ids in a variable", query: `mutation($ids: [ID!]!) { deleteLeads(ids: $ids) { outcome } }`, vars: map[string]any{"ids": ids(300)}},
		{name: "a variable also used in a filter keeps the limit of filters",
			query: `mutation($ids: [ID!]!) { deleteLeads(ids: $ids) { record { leads(filter: {id: {in: $ids}}) { totalCount } } } }`,
			vars:  map[string]any{"ids": ids(300)}, message: "A list may hold at most 250 elements, this one has 300."},
		{name: "other lists keep 250", query: `query($ids: [ID!]) { leads(filter: {id: {in: $ids}}) { totalCount } }`,
			vars: map[string]any{"ids": ids(251)}, message: "A list may hold at most 250 elements, this one has 251."},
		{name: "a list inside a write keeps 250", query: `mutation($in: [LeadInput!]!) { createLeads(inputs: $in) { outcome } }`,
			vars: map[string]any{"in": []any{map[string]any{"name": "x", "tags": tags(251)}}}, message: "A list may hold at most 250 elements, this one has 251."},
		{name: "a literal list inside a write keeps 250", query: `mutation { createLeads(inputs: [{name: "x", tags: [` + strings.Repeat("a, ", 251) + `]}]) { outcome } }`,
			message: "A list may hold at most 250 elements, this one has 251."},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, admin, s.query, s.vars)
			if s.message == "" {
				require.Empty(t, r.Errors, r.messages())
				return
			}
			require.NotEmpty(t, r.Errors)
			assert.Contains(t, r.messages(), s.message)
			assert.Equal(t, "BAD_REQUEST", r.codes()[0])
			assert.Nil(t, r.Data, "a request error runs nothing")
		})
	}
	data := mustRun(t, srv, admin, `{ leads { totalCount } }`, nil)
	assert.Equal(t, 0.0, data["leads"].(map[string]any)["totalCount"])

	data = mustRun(t, srv, admin, `mutation($in: [LeadInput!]!) { createLeads(inputs: $in) { index outcome } }`, map[string]any{"in": inputs(engine.MaxBulkWrites)})
	got := data["createLeads"].([]any)
	require.Len(t, got, engine.MaxBulkWrites)
	for i, r := range got {
		assert.Equal(t, map[string]any{"index": float64(i), "outcome": "created"}, r)
	}
}
