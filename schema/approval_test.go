package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

const approvalDealJSON = `{"$id":"deal","type":"object",
 "properties":{
  "title":{"type":"string","x-crm-type":"text"},
  "discount":{"type":"number","x-crm-type":"percent"},
  "no":{"type":"string","x-crm-type":"autonumber","x-crm-format":"D{0000}"},
  "stage":{"type":"string","enum":["new","approved","won","lost"],"x-crm-type":"picklist",
   "x-crm-pipeline":{"stages":[{"value":"new","category":"open"},{"value":"approved","category":"open","requiresApproval":"discount"},
    {"value":"won","category":"won"},{"value":"lost","category":"lost"}]}}},
 "x-crm-automations":[{"name":"mark","trigger":{"event":"updated"},"actions":[{"type":"setFields","values":{"title":"x"}}]}],
 "x-crm-approvals":[
  {"name":"discount","label":{"zh":"折扣审批","en":"Discount"},"entry":{"field":"discount","op":"gt","value":10},
   "steps":[{"approvers":[{"type":"manager"}]},
            {"name":"vp","mode":"all","condition":{"field":"discount","op":"gt","value":30},"approvers":[{"type":"role","value":"vp"},{"type":"user","value":"cfo"}]}],
   "onApprove":[{"type":"moveStage","field":"stage","stage":"approved"},{"type":"setFields","values":{"title":"ok {{title}}"}},{"type":"runAutomation","automation":"mark"}],
   "onReject":[{"type":"setFields","values":{"discount":0}}],
   "editable":["discount"]},
  {"name":"other","active":false,"steps":[{"approvers":[{"type":"user","value":"boss"}]}]}
 ]}`

func TestParseObject_Approvals(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, approvalDealJSON)
	require.Len(t, obj.Approvals, 2)
	p := obj.Approval("discount")
	require.NotNil(t, p)
	assert.True(t, p.Active)
	assert.False(t, obj.Approval("other").Active)
	assert.Nil(t, obj.Approval("nope"))
	assert.JSONEq(t, `{"field":"discount","op":"gt","value":10}`, string(p.Entry))
	require.Len(t, p.Steps, 2)
	assert.Equal(t, "step1", p.Steps[0].Name, "a step without a name is named by its place")
	assert.Equal(t, schema.ApprovalAny, p.Steps[0].Mode)
	assert.Equal(t, []schema.Approver{{Kind: schema.ApproverManager}}, p.Steps[0].Approvers)
	assert.Equal(t, schema.ApprovalAll, p.Steps[1].Mode)
	assert.Equal(t, []schema.Approver{{Kind: schema.ApproverRole, Value: "vp"}, {Kind: schema.ApproverUser, Value: "cfo"}}, p.Steps[1].Approvers)
	assert.NotEmpty(t, p.Steps[1].Condition)
	assert.Equal(t, []schema.ApprovalAction{
		{Type: schema.ApprovalMoveStage, Field: "stage", Stage: "approved"},
		{Type: schema.ApprovalSetFields, Values: map[string]any{"title": "ok {{title}}"}},
		{Type: schema.ApprovalRunAutomation, Automation: "mark"},
	}, p.OnApprove)
	assert.Equal(t, []string{"discount"}, p.Editable)
	assert.Equal(t, "discount", obj.Field("stage").Pipeline.Stage("approved").RequiresApproval)

	red := obj.Redacted(nil)
	assert.NotContains(t, string(red.Definition), "x-crm-approvals", "conditions and approvers are for administrators")
}

func TestParseObject_ApprovalsRefused(t *testing.T) {
	t.Parallel()
	proc := func(d doc, i int) doc { return d["x-crm-approvals"].([]any)[i].(doc) }
	step := func(d doc, i int) doc { return proc(d, 0)["steps"].([]any)[i].(doc) }
	approver := func(d doc, i, j int) doc { return step(d, i)["approvers"].([]any)[j].(doc) }
	onApprove := func(d doc, i int) doc { return proc(d, 0)["onApprove"].([]any)[i].(doc) }
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"process name twice", func(d doc) { proc(d, 1)["name"] = "discount" }, "/x-crm-approvals/1/name", "names another approval process"},
		{"step name twice", func(d doc) { step(d, 1)["name"] = "step1" }, "/x-crm-approvals/0/steps/1/name", "names another step"},
		{"entry on an unknown field", func(d doc) { proc(d, 0)["entry"] = doc{"field": "nope", "op": "eq", "value": 1} }, "/x-crm-approvals/0/entry/field", `"nope", which is not a property`},
		{"step condition without op", func(d doc) { step(d, 1)["condition"] = doc{"field": "discount"} }, "/x-crm-approvals/0/steps/1/condition", `needs "op"`},
		{"bad approver type", func(d doc) { approver(d, 0, 0)["type"] = "boss" }, "/x-crm-approvals/0/steps/0/approvers/0/type", `"manager"`},
		{"role without a name", func(d doc) { delete(approver(d, 1, 0), "value") }, "/x-crm-approvals/0/steps/1/approvers/0", `needs "value"`},
		{"manager with a name", func(d doc) { approver(d, 0, 0)["value"] = "x" }, "/x-crm-approvals/0/steps/0/approvers/0/value", "submitter's manager"},
		{"no approvers", func(d doc) { step(d, 0)["approvers"] = []any{} }, "/x-crm-approvals/0/steps/0/approvers", "1 to 20 approvers"},
		{"no steps", func(d doc) { proc(d, 0)["steps"] = []any{} }, "/x-crm-approvals/0/steps", "1 to 10 steps"},
		{"bad mode", func(d doc) { step(d, 0)["mode"] = "most" }, "/x-crm-approvals/0/steps/0/mode", `"any"`},
		{"set an unknown field", func(d doc) { onApprove(d, 1)["values"] = doc{"nope": 1} }, "/x-crm-approvals/0/onApprove/1/values/nope", "not a property"},
		{"set an autonumber", func(d doc) { onApprove(d, 1)["values"] = doc{"no": "1"} }, "/x-crm-approvals/0/onApprove/1/values/no", "the engine fills it"},
		{"move a field that is no pipeline", func(d doc) { onApprove(d, 0)["field"] = "title" }, "/x-crm-approvals/0/onApprove/0/field", "not a pipeline field"},
		{"move to no stage", func(d doc) { onApprove(d, 0)["stage"] = "heaven" }, "/x-crm-approvals/0/onApprove/0/stage", `"heaven" is not a stage of stage`},
		{"move without a stage", func(d doc) { delete(onApprove(d, 0), "stage") }, "/x-crm-approvals/0/onApprove/0", `needs "stage"`},
		{"an unknown automation", func(d doc) { onApprove(d, 2)["automation"] = "nope" }, "/x-crm-approvals/0/onApprove/2/automation", "not an automation of this object"},
		{"a member of another action", func(d doc) { onApprove(d, 2)["stage"] = "won" }, "/x-crm-approvals/0/onApprove/2/stage", "does not apply to a runAutomation action"},
		{"bad action type", func(d doc) { onApprove(d, 0)["type"] = "webhook" }, "/x-crm-approvals/0/onApprove/0/type", `"setFields"`},
		{"editable unknown field", func(d doc) { proc(d, 0)["editable"] = []any{"nope"} }, "/x-crm-approvals/0/editable/0", "not a property"},
		{"stage requires an unknown process", func(d doc) {
			prop(d, "stage")["x-crm-pipeline"].(doc)["stages"].([]any)[1].(doc)["requiresApproval"] = "ghost"
		}, "/properties/stage/x-crm-pipeline/stages/1/requiresApproval", `"ghost", which is not an approval process`},
		{"unknown member", func(d doc) { proc(d, 0)["when"] = "always" }, "/x-crm-approvals/0", ""},
		{"twenty-one processes", func(d doc) {
			var many []any
			for i := range 21 {
				many = append(many, doc{"name": "p" + string(rune('a'+i)), "steps": []any{doc{"approvers": []any{doc{"type": "manager"}}}}})
			}
			d["x-crm-approvals"] = many
			prop(d, "stage")["x-crm-pipeline"].(doc)["stages"].([]any)[1].(doc)["requiresApproval"] = "pa"
		}, "/x-crm-approvals", "at most 20"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			require.NoError(t, json.Unmarshal([]byte(approvalDealJSON), &d))
			s.change(d)
			obj, err := schema.ParseObject(encode(t, d))
			assert.Nil(t, obj)
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path || (s.msg == "" && len(p.Path) >= len(s.path) && p.Path[:len(s.path)] == s.path) {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}
