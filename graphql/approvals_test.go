package graphql_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

const approvalQuoteDef = `{
  "$id": "quote", "type": "object",
  "x-crm-label": {"zh": "报价", "en": "Quote"},
  "properties": {
    "name":     {"type": "string", "x-crm-type": "text"},
    "discount": {"type": "number", "x-crm-type": "percent"},
    "status":   {"type": "string", "enum": ["draft", "approved"], "x-crm-type": "picklist",
      "x-crm-pipeline": {"stages": [{"value": "draft", "category": "open"}, {"value": "approved", "category": "open", "requiresApproval": "discount"}]}}
  },
  "required": ["name"],
  "x-crm-approvals": [
    {"name": "discount", "label": {"zh": "折扣审批", "en": "Discount approval"},
     "entry": {"field": "discount", "op": "gt", "value": 10},
     "steps": [{"name": "boss", "label": {"zh": "总经理"}, "approvers": [{"type": "user", "value": "boss"}]}],
     "onApprove": [{"type": "moveStage", "field": "status", "stage": "approved"}],
     "editable": ["discount"]}
  ]
}`

// TestApprovals_GraphQL submits a quote, sees it locked and listed for its
// approver, who approves it; who may do what, and the arguments' checks.
func TestApprovals_GraphQL(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t, testkit.WithObjects(approvalQuoteDef))
	for _, u := range []engine.NewUser{{Username: "seller", Role: "admin"}, {Username: "boss", Role: "admin"}} {
		u.Password = "a long enough password"
		_, err := tn.Engine.CreateUser(tn.Background, tenantA, u)
		require.NoError(t, err)
	}
	seller := engine.Actor{TenantID: tenantA, ID: "user:seller", Admin: true}
	boss := engine.Actor{TenantID: tenantA, ID: "user:boss", Admin: true}

	procs := mustRun(t, srv, seller, `{ approvalProcesses(object: "quote") { name object label { zh en } editable
	  steps { name label { zh } mode approvers hasCondition } } }`, nil)
	assert.Equal(t, []any{map[string]any{"name": "discount", "object": "quote", "label": map[string]any{"zh": "折扣审批", "en": "Discount approval"},
		"editable": []any{"discount"}, "steps": []any{map[string]any{"name": "boss", "label": map[string]any{"zh": "总经理"}, "mode": "any",
			"approvers": []any{"user:boss"}, "hasCondition": false}}}}, procs["approvalProcesses"])

	id := path(mustRun(t, srv, seller, `mutation { createQuote(input: {name: "Q1", discount: 20, status: draft}) { id } }`, nil), "createQuote", "id").(string)
	sub := mustRun(t, srv, seller, `mutation($id: ID!) { submitForApproval(object: "quote", id: $id, process: "discount", comment: "急") {
	  id status step stepName stepLabel { zh } submitter comment title processLabel { en } pendingApprovers decidedAt
	  history { step stepName approver decision comment at } } }`, map[string]any{"id": id})
	req := sub["submitForApproval"].(map[string]any)
	reqID := req["id"].(string)
	assert.Equal(t, "pending", req["status"])
	assert.Equal(t, "boss", req["stepName"])
	assert.Equal(t, "user:seller", req["submitter"])
	assert.Equal(t, "急", req["comment"])
	assert.Equal(t, "Q1", req["title"])
	assert.Equal(t, []any{"user:boss"}, req["pendingApprovers"])
	assert.Nil(t, req["decidedAt"])
	assert.Equal(t, []any{map[string]any{"step": 0.0, "stepName": "boss", "approver": "user:boss", "decision": "pending", "comment": nil, "at": nil}}, req["history"])

	r := run(t, srv, seller, `mutation($id: ID!) { updateQuote(id: $id, input: {name: "Q2"}) { id } }`, map[string]any{"id": id})
	assert.Equal(t, []string{"CONFLICT"}, r.codes(), "locked while pending")
	r = run(t, srv, seller, `mutation($id: ID!) { updateQuote(id: $id, input: {status: approved}) { id } }`, map[string]any{"id": id})
	require.NotEmpty(t, r.Errors)

	mine := mustRun(t, srv, boss, `{ myPendingApprovals { id object record title } }`, nil)
	assert.Equal(t, []any{map[string]any{"id": reqID, "object": "quote", "record": id, "title": "Q1"}}, mine["myPendingApprovals"])
	none := mustRun(t, srv, seller, `{ myPendingApprovals(first: 10) { id } }`, nil)
	assert.Equal(t, []any{}, none["myPendingApprovals"])

	scenarios := []struct {
		name  string
		actor engine.Actor
		query string
		code  string
	}{
		{"the submitter approves", seller, `mutation($id: ID!) { approveRequest(id: $id) { id } }`, "FORBIDDEN"},
		{"the submitter rejects", seller, `mutation($id: ID!) { rejectRequest(id: $id) { id } }`, "FORBIDDEN"},
		{"the approver recalls", boss, `mutation($id: ID!) { recallRequest(id: $id) { id } }`, "FORBIDDEN"},
		{"an unknown request", boss, `mutation { approveRequest(id: "nope") { id } }`, "NOT_FOUND"},
		{"an unknown process", seller, `mutation($id: ID!) { submitForApproval(object: "quote", id: $id, process: "nope") { id } }`, "BAD_REQUEST"},
		{"first out of range", boss, `{ myPendingApprovals(first: 0) { id } }`, "BAD_REQUEST"},
		{"an unknown object", boss, `query($id: ID!) { approvalRequests(object: "ghost", record: $id) { id } }`, "BAD_REQUEST"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var vars map[string]any
			if strings.Contains(s.query, "$id") {
				vars = map[string]any{"id": reqID}
			}
			r := run(t, srv, s.actor, s.query, vars)
			assert.Equal(t, []string{s.code}, r.codes(), r.messages())
		})
	}

	done := mustRun(t, srv, boss, `mutation($id: ID!) { approveRequest(id: $id, comment: "同意") { status decidedAt history { decision comment at } } }`, map[string]any{"id": reqID})
	d := done["approveRequest"].(map[string]any)
	assert.Equal(t, "approved", d["status"])
	assert.NotNil(t, d["decidedAt"])
	h := d["history"].([]any)[0].(map[string]any)
	assert.Equal(t, "approved", h["decision"])
	assert.Equal(t, "同意", h["comment"])
	assert.NotNil(t, h["at"])

	q := mustRun(t, srv, seller, `query($id: ID!) { quote(id: $id) { status } approvalRequests(object: "quote", record: $id) { id status } }`, map[string]any{"id": id})
	assert.Equal(t, "approved", path(q, "quote", "status"))
	assert.Equal(t, []any{map[string]any{"id": reqID, "status": "approved"}}, q["approvalRequests"])
}
