package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestApproval_Notifies: approvers are told when a request reaches their
// step (in the submission's transaction), the submitter of the outcome,
// and the waiting approvers of a recall; the submitter is never told of
// their own submission.
func TestApproval_Notifies(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	ctx := context.Background()
	_, err := f.e.SaveObject(f.admin, []byte(`{"$id": "quote", "type": "object", "x-crm-label": {"zh": "报价", "en": "Quote"},
		"properties": {"name": {"type": "string", "x-crm-type": "text"}},
		"x-crm-approvals": [{"name": "price", "label": {"zh": "价格审批", "en": "Price"},
		  "steps": [{"name": "peers", "label": {"zh": "同事审批"}, "approvers": [{"type": "user", "value": "wang"}, {"type": "role", "value": "support"}]}]}]}`), SaveOptions{})
	require.NoError(t, err)
	li := WithActor(ctx, Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	wang := WithActor(ctx, Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	rec, err := f.e.CreateRecord(li, "quote", map[string]any{"name": "杭州报价"})
	require.NoError(t, err)

	req, err := f.e.SubmitForApproval(li, "quote", rec.ID, "price", "")
	require.NoError(t, err)
	inbox, _ := f.entries(t, "approval:price")
	assert.Equal(t, []string{"han", "wang"}, usersOf(inbox), "each approver once, not the submitter")
	msg := inbox["wang"][0].Data["message"].(map[string]any)
	assert.Equal(t, "李雷提交了报价“杭州报价”的价格审批（同事审批），等待你审批", msg["zh"])
	assert.Contains(t, msg["en"], `quote "杭州报价" for approval`)
	assert.Equal(t, "approval", inbox["wang"][0].Data["kind"])
	assert.Equal(t, rec.ID, inbox["wang"][0].Data["record"])

	_, err = f.e.ApproveRequest(wang, req.ID, "好")
	require.NoError(t, err)
	inbox, _ = f.entries(t, "approval:price")
	require.Len(t, inbox["li"], 1, "the submitter hears the outcome")
	assert.Contains(t, inbox["li"][0].Data["message"].(map[string]any)["zh"], "已通过")

	req, err = f.e.SubmitForApproval(li, "quote", rec.ID, "price", "")
	require.NoError(t, err)
	_, err = f.e.RecallRequest(li, req.ID, "")
	require.NoError(t, err)
	inbox, _ = f.entries(t, "approval:price")
	assert.Len(t, inbox["wang"], 3, "asked twice, told of the recall")
	recalled := 0
	for _, e := range inbox["wang"] {
		if zh, _ := e.Data["message"].(map[string]any)["zh"].(string); strings.Contains(zh, "撤回了报价“杭州报价”的价格审批") {
			recalled++
		}
	}
	assert.Equal(t, 1, recalled)
	assert.Len(t, inbox["li"], 1)

	// The inbox entries live in the submission's transaction: a refused
	// submission leaves none.
	_, err = f.e.SubmitForApproval(WithActor(ctx, Actor{TenantID: "acme", ID: "user:wang", Role: "sales"}), "quote", "nope", "price", "")
	require.Error(t, err)
	after, _ := f.entries(t, "approval:price")
	assert.Equal(t, len(inbox["wang"])+len(inbox["han"])+len(inbox["li"]), len(after["wang"])+len(after["han"])+len(after["li"]))
}
