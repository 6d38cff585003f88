package graphql_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/testkit"
)

// pipelineStack is a server over the real engine and store whose tenant
// has an account object and a deal object with a sales pipeline.
func pipelineStack(t *testing.T) *graphql.Server {
	t.Helper()
	srv, _ := realServer(t, testkit.WithObjects(
		`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "deal", "type": "object", "properties": {
		  "title": {"type": "string", "x-crm-type": "text"},
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		  "stage": {"type": "string", "enum": ["new", "proposal", "won", "lost"], "default": "new", "x-crm-type": "picklist",
		    "x-crm-options": [{"value": "new", "label": {"zh": "新建", "en": "New"}}, {"value": "won", "label": {"zh": "赢单", "en": "Won"}, "color": "green"}],
		    "x-crm-pipeline": {"label": {"zh": "销售流程", "en": "Sales"}, "stages": [
		      {"value": "new", "category": "open", "probability": 10, "next": ["proposal", "lost"]},
		      {"value": "proposal", "category": "open", "probability": 60, "required": ["amount"]},
		      {"value": "won", "category": "won", "probability": 100, "next": []},
		      {"value": "lost", "category": "lost", "probability": 0}]}}},
		  "required": ["title"]}`))
	return srv
}

func TestPipeline_MovesAndHistory(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	acc := mustRun(t, srv, admin, `mutation { createAccount(input: {name: "远景能源"}) { id } }`, nil)
	accID := path(acc, "createAccount", "id").(string)
	d := mustRun(t, srv, admin, `mutation($a: ID) { createDeal(input: {title: "风机", account: $a}) { id stage } }`, map[string]any{"a": accID})
	id := path(d, "createDeal", "id").(string)
	assert.Equal(t, "new", path(d, "createDeal", "stage"))

	r := run(t, srv, admin, `mutation($id: ID!) { updateDeal(id: $id, input: {stage: won}) { id } }`, map[string]any{"id": id})
	assert.Equal(t, []string{"VALIDATION_FAILED"}, r.codes())
	assert.Equal(t, []any{map[string]any{"field": "stage", "code": "transition",
		"message": "不能从“新建”转到“赢单”；可转到的阶段：“proposal”、“lost”"}}, r.Errors[0].Extensions["fields"])

	r = run(t, srv, admin, `mutation($id: ID!) { updateDeal(id: $id, input: {stage: proposal}) { id } }`, map[string]any{"id": id})
	assert.Equal(t, []string{"VALIDATION_FAILED"}, r.codes())
	assert.Equal(t, "amount", path(r.Errors[0].Extensions, "fields", 0, "field"))
	assert.Equal(t, "stageRequired", path(r.Errors[0].Extensions, "fields", 0, "code"))

	mustRun(t, srv, admin, `mutation($id: ID!) { updateDeal(id: $id, input: {stage: proposal, amount: 500}) { id } }`, map[string]any{"id": id})
	data := mustRun(t, srv, admin, `{ deals { nodes { title stageHistory { from to by secondsInPrevious at } } } }`, nil)
	hist := path(data, "deals", "nodes", 0, "stageHistory").([]any)
	require.Len(t, hist, 2)
	assert.Nil(t, path(hist, 0, "from"))
	assert.Equal(t, "new", path(hist, 0, "to"))
	assert.Nil(t, path(hist, 0, "secondsInPrevious"))
	assert.Equal(t, "new", path(hist, 1, "from"))
	assert.Equal(t, "proposal", path(hist, 1, "to"))
	assert.Equal(t, admin.ID, path(hist, 1, "by"))
	assert.GreaterOrEqual(t, path(hist, 1, "secondsInPrevious"), 0.0)
}

func TestPipeline_Board(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	acc := mustRun(t, srv, admin, `mutation { createAccount(input: {name: "远景能源"}) { id } }`, nil)
	accID := path(acc, "createAccount", "id").(string)
	for _, in := range []map[string]any{
		{"title": "a", "stage": "new", "account": accID}, {"title": "b", "stage": "new"},
		{"title": "c", "stage": "proposal", "amount": 10.0, "account": accID}, {"title": "d", "stage": "won", "amount": 99.0},
	} {
		mustRun(t, srv, admin, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": in})
	}
	data := mustRun(t, srv, admin, `{ dealsByStage(first: 1, orderBy: [{title: DESC}]) {
		stage { value category probability next required label { zh } }
		totalCount nodes { title account { name } } pageInfo { hasNextPage } } }`, nil)
	cols := path(data, "dealsByStage").([]any)
	require.Len(t, cols, 4)
	assert.Equal(t, map[string]any{"value": "new", "category": "open", "probability": 10.0,
		"next": []any{"proposal", "lost"}, "required": []any{}, "label": map[string]any{"zh": "新建"}}, path(cols, 0, "stage"))
	assert.EqualValues(t, 2, path(cols, 0, "totalCount"))
	assert.Equal(t, "b", path(cols, 0, "nodes", 0, "title"))
	assert.Equal(t, true, path(cols, 0, "pageInfo", "hasNextPage"))
	assert.Equal(t, "远景能源", path(cols, 1, "nodes", 0, "account", "name"))
	assert.Equal(t, []any{"amount"}, path(cols, 1, "stage", "required"))
	assert.Nil(t, path(cols, 1, "stage", "next"), "no next list: any stage")
	assert.EqualValues(t, 0, path(cols, 3, "totalCount"))
	assert.Empty(t, path(cols, 3, "nodes"))

	data = mustRun(t, srv, admin, `{ dealsByStage(filter: {amount: {gt: 50}}) { stage { value } totalCount } }`, nil)
	assert.EqualValues(t, 1, path(data, "dealsByStage", 2, "totalCount"))
	assert.EqualValues(t, 0, path(data, "dealsByStage", 1, "totalCount"))

	data = mustRun(t, srv, admin, `{ object(name: "deal") { fields { name pipeline { label { en } stages { value } } } } }`, nil)
	for _, f := range path(data, "object", "fields").([]any) {
		if path(f, "name") == "stage" {
			assert.Equal(t, "Sales", path(f, "pipeline", "label", "en"))
			assert.Len(t, path(f, "pipeline", "stages"), 4)
		} else {
			assert.Nil(t, path(f, "pipeline"))
		}
	}
}

// TestPipeline_HistoryIsBatched checks that a page's stage histories cost
// one engine call, and that a board's cost counts a page per stage.
func TestPipeline_HistoryIsBatchedAndBoardsCost(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	for _, id := range []string{"d1", "d2", "d3"} {
		f.put(tenantA, "deal", id, map[string]any{"title": id, "stage": "new"})
	}
	mustRun(t, srv, user, `{ deals { nodes { stageHistory { to } } } }`, nil)
	assert.Equal(t, 1, f.count("StageHistory"))

	// 4 stages × 100 deals × 100 deals × 2 = 80,400 estimated records:
	// refused, though without the stages it would be 20,100.
	r := run(t, srv, user, `{ dealsByStage(first: 100) { nodes { account { deals(first: 100) { nodes { account { deals(first: 2) { nodes { id } } } } } } } } }`, nil)
	assert.Equal(t, []string{graphql.CodeQueryTooComplex}, r.codes())
	assert.Zero(t, f.count("Board"))
	data := mustRun(t, srv, user, `{ dealsByStage { stage { value } totalCount } }`, nil)
	assert.Len(t, path(data, "dealsByStage"), 4)
}

// path walks decoded JSON by object keys (string) and array indexes (int);
// nil when a step is missing.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestRollup_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t)
	for _, def := range []string{
		`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
		  "openAmount": {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "sum", "field": "amount"}}}}`,
		`{"$id": "deal", "type": "object", "properties": {"amount": {"type": "number", "x-crm-type": "currency"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`,
	} {
		mustRun(t, srv, admin, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	acc := mustRun(t, srv, admin, `mutation { createAccount(input: {name: "A"}) { id openAmount } }`, nil)
	assert.Equal(t, 0.0, path(acc, "createAccount", "openAmount"))
	id := path(acc, "createAccount", "id")
	mustRun(t, srv, admin, `mutation($a: ID) { d1: createDeal(input: {amount: 100, account: $a}) { id } d2: createDeal(input: {amount: 23.5, account: $a}) { id } }`, map[string]any{"a": id})
	data := mustRun(t, srv, admin, `{ accounts(filter: {openAmount: {gt: 100}}, orderBy: [{openAmount: DESC}]) { nodes { openAmount } } }`, nil)
	assert.Equal(t, 123.5, path(data, "accounts", "nodes", 0, "openAmount"), "roll-ups filter and sort like any field")
	r := run(t, srv, admin, `mutation { createAccount(input: {name: "B", openAmount: 5}) { id } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "not an input field")
	data = mustRun(t, srv, admin, `mutation { rebuildRollup(object: "account", field: "openAmount") }`, nil)
	assert.EqualValues(t, 0, path(data, "rebuildRollup"))
}

func TestAuditTrail_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	d := mustRun(t, srv, admin, `mutation { createDeal(input: {title: "审计"}) { id } }`, nil)
	id := path(d, "createDeal", "id")
	mustRun(t, srv, admin, `mutation($id: ID!) { updateDeal(id: $id, input: {amount: 5}) { id } }`, map[string]any{"id": id})
	data := mustRun(t, srv, admin, `query($id: ID) { auditTrail(recordId: $id, first: 1) { entries { action actor door object version changes } hasNextPage endCursor } }`, map[string]any{"id": id})
	e := path(data, "auditTrail", "entries", 0)
	assert.Equal(t, "update", path(e, "action"))
	assert.Equal(t, admin.ID, path(e, "actor"))
	assert.Equal(t, "graphql", path(e, "door"))
	assert.EqualValues(t, 2, path(e, "version"))
	assert.Equal(t, map[string]any{"amount": map[string]any{"old": nil, "new": 5.0}}, path(e, "changes"))
	assert.Equal(t, true, path(data, "auditTrail", "hasNextPage"))
	data = mustRun(t, srv, admin, `query($id: ID, $after: String) { auditTrail(recordId: $id, after: $after) { entries { action } hasNextPage } }`,
		map[string]any{"id": id, "after": path(data, "auditTrail", "endCursor")})
	assert.Equal(t, "create", path(data, "auditTrail", "entries", 0, "action"))
	r := run(t, srv, user, `{ auditTrail { entries { id } } }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
}

// TestBoard_Sums: every board column and every connection sums a number
// field over all its matches (not the page loaded), in the caller's
// sharing and role; a field that cannot be summed is a BAD_REQUEST
// naming it.
func TestBoard_Sums(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	acc := path(mustRun(t, srv, admin, `mutation { createAccount(input: {name: "远景能源"}) { id } }`, nil), "createAccount", "id")
	for _, d := range []struct {
		title  string
		amount float64
		stage  string
	}{{"a", 100.1, "new"}, {"b", 200.2, "new"}, {"c", 300, "proposal"}, {"d", 0.5, "new"}} {
		mustRun(t, srv, admin, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"title": d.title, "amount": d.amount, "stage": d.stage, "account": acc}})
	}
	mustRun(t, srv, admin, `mutation { createDeal(input: {title: "no amount"}) { id } }`, nil)

	data := mustRun(t, srv, admin, `{ dealsByStage(first: 1) { stage { value } totalCount sum(field: "amount") nodes { title } } }`, nil)
	cols := data["dealsByStage"].([]any)
	require.Len(t, cols, 4)
	assert.Equal(t, map[string]any{"stage": map[string]any{"value": "new"}, "totalCount": 4.0, "sum": 300.8, "nodes": path(cols[0], "nodes")}, cols[0],
		"all four in the stage, not the one loaded (the one without an amount counts, adds nothing)")
	assert.Len(t, path(cols[0], "nodes"), 1)
	assert.Equal(t, 300.0, path(cols[1], "sum"))
	assert.Nil(t, path(cols[2], "sum"), "no record in the stage: null")
	colors := mustRun(t, srv, admin, `{ dealsByStage { stage { value color } } }`, nil)
	assert.Equal(t, map[string]any{"value": "won", "color": "green"}, path(colors, "dealsByStage", 2, "stage"), "a column has its stage's colour")
	assert.Nil(t, path(colors, "dealsByStage", 0, "stage", "color"), "none set")

	data = mustRun(t, srv, admin, `{ big: deals(first: 1, filter: {amount: {gte: 100}}) { sum(field: "amount") }
	  all: deals(first: 2) { sum(field: "amount") totalCount }
	  account(id: "`+acc.(string)+`") { deals(first: 1, filter: {stage: {eq: new}}) { sum(field: "amount") } } }`, nil)
	assert.Equal(t, 600.3, path(data, "big", "sum"))
	assert.Equal(t, 600.8, path(data, "all", "sum"))
	assert.Equal(t, 300.8, path(data, "account", "deals", "sum"), "a reverse list sums its parent's records")

	for _, s := range []struct{ query, message string }{
		{`{ deals { sum(field: "title") } }`, "deal.title"},
		{`{ dealsByStage { sum(field: "nope") } }`, "deal.nope"},
		{`{ deals { sum(field: "stage") } }`, "deal.stage"},
	} {
		r := run(t, srv, admin, s.query, nil)
		require.NotEmpty(t, r.Errors, s.query)
		assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
		assert.Contains(t, r.Errors[0].Message, s.message)
	}

	mustRun(t, srv, admin, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(
		`{"name": "sales", "objects": {"deal": {"read": true, "fields": {"amount": "hidden"}}}}`)})
	r := run(t, srv, engine.Actor{TenantID: tenantA, ID: "user:wang", Role: "sales"}, `{ dealsByStage { sum(field: "amount") } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "无法汇总 deal.amount", "a hidden field is as if unknown")
}

// TestBoard_SumOnlyWhenSelected: the engine is asked for a sum only when
// the query selects one, with the column's stage and the view.
func TestBoard_SumOnlyWhenSelected(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "deal", "d1", map[string]any{"title": "x", "amount": 5.0})
	mustRun(t, srv, admin, `{ deals { totalCount nodes { id } } }`, nil)
	assert.Zero(t, f.calls["SumRecords"])
	data := mustRun(t, srv, admin, `{ deals(view: "mine", filter: {title: {eq: "x"}}) { a: sum(field: "amount") b: sum(field: "amount") } }`, nil)
	assert.Equal(t, 5.0, path(data, "deals", "a"))
	require.Len(t, f.sumQueries, 2, "one call per selection")
	assert.Equal(t, "mine", f.sumQueries[0].View)
	require.NotNil(t, f.sumQueries[0].Filter)
	assert.Equal(t, "title", f.sumQueries[0].Filter.Field)
}
