package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_Approvals: an approval round trip through the real server with
// two users' sessions — the rep submits, the record is locked, a stranger
// may not decide, the manager approves from their pending list, the stage
// moves through its gate and the request's history shows the decision; a
// second request is recalled. .ci/ferretdb-e2e runs it on the
// MongoDB adapter too.
func TestServe_Approvals(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	def := `{"$id": "quote", "type": "object", "x-crm-label": {"zh": "报价", "en": "Quote"},
	  "properties": {
	    "name": {"type": "string", "x-crm-type": "text"},
	    "discount": {"type": "number", "x-crm-type": "percent"},
	    "status": {"type": "string", "enum": ["draft", "approved"], "x-crm-type": "picklist",
	      "x-crm-pipeline": {"stages": [{"value": "draft", "category": "open"}, {"value": "approved", "category": "open", "requiresApproval": "discount"}]}}},
	  "required": ["name"],
	  "x-crm-approvals": [{"name": "discount", "label": {"zh": "折扣审批"}, "entry": {"field": "discount", "op": "gt", "value": 10},
	    "steps": [{"name": "manager", "approvers": [{"type": "manager"}]}],
	    "onApprove": [{"type": "moveStage", "field": "status", "stage": "approved"}]}]}`
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	role := `{"name": "sales", "objects": {"*": {"read": true, "create": true, "update": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	for _, u := range []string{
		`{username: "mgr", password: "manager password", role: "sales"}`,
		`{username: "rep", password: "rep one password", role: "sales", manager: "mgr"}`,
		`{username: "other", password: "other password", role: "sales"}`,
	} {
		s.ok(t, `mutation { createUser(input: `+u+`) { username } }`, nil)
	}
	mgr, rep, other := s.signIn(t, "mgr", "manager password"), s.signIn(t, "rep", "rep one password"), s.signIn(t, "other", "other password")

	data, codes := rep.do(t, `mutation { createQuote(input: {name: "Q1", discount: 20, status: draft}) { id } }`)
	require.Empty(t, codes)
	id := path(data, "createQuote", "id").(string)
	_, codes = rep.do(t, fmt.Sprintf(`mutation { updateQuote(id: %q, input: {status: approved}) { id } }`, id))
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes, "the stage needs the approval")

	data, codes = rep.do(t, fmt.Sprintf(`mutation { submitForApproval(object: "quote", id: %q, process: "discount", comment: "请批") { id status pendingApprovers } }`, id))
	require.Empty(t, codes)
	req := path(data, "submitForApproval", "id").(string)
	assert.Equal(t, "pending", path(data, "submitForApproval", "status"))
	assert.Equal(t, []any{"user:mgr"}, path(data, "submitForApproval", "pendingApprovers"))

	_, codes = rep.do(t, fmt.Sprintf(`mutation { updateQuote(id: %q, input: {name: "Q2"}) { id } }`, id))
	assert.Equal(t, []string{"CONFLICT"}, codes, "locked")
	_, codes = other.do(t, fmt.Sprintf(`mutation { approveRequest(id: %q) { id } }`, req))
	assert.Equal(t, []string{"FORBIDDEN"}, codes)
	_, codes = rep.do(t, fmt.Sprintf(`mutation { approveRequest(id: %q) { id } }`, req))
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "not one's own")

	data, codes = mgr.do(t, `{ myPendingApprovals { id title } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{map[string]any{"id": req, "title": "Q1"}}, data["myPendingApprovals"])
	data, codes = mgr.do(t, fmt.Sprintf(`mutation { approveRequest(id: %q, comment: "同意") { status history { approver decision comment } } }`, req))
	require.Empty(t, codes)
	assert.Equal(t, "approved", path(data, "approveRequest", "status"))
	assert.Equal(t, []any{map[string]any{"approver": "user:mgr", "decision": "approved", "comment": "同意"}}, path(data, "approveRequest", "history"))

	data, codes = rep.do(t, fmt.Sprintf(`{ quote(id: %q) { status } approvalRequests(object: "quote", record: %q) { status } }`, id, id))
	require.Empty(t, codes)
	assert.Equal(t, "approved", path(data, "quote", "status"))
	assert.Equal(t, []any{map[string]any{"status": "approved"}}, data["approvalRequests"])
	_, codes = rep.do(t, fmt.Sprintf(`mutation { updateQuote(id: %q, input: {name: "Q1 改"}) { id } }`, id))
	assert.Empty(t, codes, "unlocked")

	data, codes = rep.do(t, `mutation { createQuote(input: {name: "Q3", discount: 30}) { id } }`)
	require.Empty(t, codes)
	id3 := path(data, "createQuote", "id").(string)
	data, codes = rep.do(t, fmt.Sprintf(`mutation { submitForApproval(object: "quote", id: %q, process: "discount") { id } }`, id3))
	require.Empty(t, codes)
	req3 := path(data, "submitForApproval", "id").(string)
	_, codes = mgr.do(t, fmt.Sprintf(`mutation { recallRequest(id: %q) { id } }`, req3))
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "only the submitter recalls")
	data, codes = rep.do(t, fmt.Sprintf(`mutation { recallRequest(id: %q) { status } }`, req3))
	require.Empty(t, codes)
	assert.Equal(t, "recalled", path(data, "recallRequest", "status"))
	data, codes = mgr.do(t, `{ myPendingApprovals { id } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{}, data["myPendingApprovals"])
}
