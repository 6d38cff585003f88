package schema_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func withAutomations(t testing.TB, rules ...doc) doc {
	d := withPipeline(t)
	prop(d, "owner")["x-crm-type"] = "text"
	prop(d, "owner")["type"] = "string"
	prop(d, "lastContactAt")["x-crm-type"] = "datetime"
	prop(d, "lastContactAt")["type"] = "string"
	prop(d, "lastContactAt")["format"] = "date-time"
	list := make([]any, len(rules))
	for i, r := range rules {
		list[i] = r
	}
	d["x-crm-automations"] = list
	return d
}

func TestParseObject_Automations(t *testing.T) {
	t.Parallel()
	d := withAutomations(t,
		doc{"name": "bigDeal", "label": doc{"zh": "大单提醒"}, "trigger": doc{"event": "saved"},
			"condition": doc{"and": []any{doc{"field": "amount", "op": "gt", "value": 100000}, doc{"not": doc{"field": "stage", "op": "in", "value": []any{"won", "lost"}}}}},
			"actions": []any{
				doc{"type": "setFields", "values": doc{"title": "【大单】{{title}}"}},
				doc{"type": "notify", "recipients": []any{"sales-lead"}, "message": doc{"zh": "大单：{{title}}"}},
			}},
		doc{"name": "won", "active": false, "trigger": doc{"event": "stageEntered", "field": "stage", "stages": []any{"won"}},
			"actions": []any{doc{"type": "createRecord", "object": "task", "values": doc{"subject": "交付", "deal": "{{id}}"}},
				doc{"type": "webhook", "url": "https://erp.example.com/hooks/deal"}}},
		doc{"name": "remind", "trigger": doc{"event": "time", "dateField": "closeDate", "offsetDays": -1, "offsetHours": 9},
			"actions": []any{doc{"type": "assignRoundRobin", "field": "owner", "values": []any{"li", "wang"}}}},
		doc{"name": "amountChanged", "trigger": doc{"event": "fieldChanged", "fields": []any{"amount"}}, "actions": []any{doc{"type": "setFields", "values": doc{"email": "a@b.cn"}}}},
	)
	obj, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	require.Len(t, obj.Automations, 4)
	big := obj.Automations[0]
	assert.True(t, big.Active)
	assert.Equal(t, "大单提醒", big.Label.Zh)
	assert.JSONEq(t, `{"and":[{"field":"amount","op":"gt","value":100000},{"not":{"field":"stage","op":"in","value":["won","lost"]}}]}`, string(big.Condition))
	assert.Equal(t, map[string]any{"title": "【大单】{{title}}"}, big.Actions[0].Values)
	assert.Equal(t, []string{"sales-lead"}, big.Actions[1].Recipients)
	won := obj.Automations[1]
	assert.False(t, won.Active)
	assert.Equal(t, []string{"won"}, won.Stages)
	assert.Equal(t, "task", won.Actions[0].Object)
	remind := obj.Automations[2]
	assert.Equal(t, -24*time.Hour+9*time.Hour, remind.Offset)
	assert.Equal(t, []string{"li", "wang"}, remind.Actions[0].Rotation)
}

func TestParseObject_AutomationsRefused(t *testing.T) {
	t.Parallel()
	setOK := []any{doc{"type": "setFields", "values": doc{"title": "x"}}}
	scenarios := []struct {
		name string
		rule doc
		path string
		msg  string
	}{
		{"unknown event", doc{"name": "a", "trigger": doc{"event": "deleted"}, "actions": setOK}, "/x-crm-automations/0/trigger/event", `must be "created"`},
		{"fieldChanged without fields", doc{"name": "a", "trigger": doc{"event": "fieldChanged"}, "actions": setOK}, "/x-crm-automations/0/trigger", `needs "fields"`},
		{"unknown field changed", doc{"name": "a", "trigger": doc{"event": "fieldChanged", "fields": []any{"budget"}}, "actions": setOK}, "/x-crm-automations/0/trigger/fields/0", `"budget", which is not a property`},
		{"stage of no pipeline", doc{"name": "a", "trigger": doc{"event": "stageEntered", "field": "title", "stages": []any{"won"}}, "actions": setOK}, "/x-crm-automations/0/trigger/field", "not a pipeline field"},
		{"unknown stage", doc{"name": "a", "trigger": doc{"event": "stageEntered", "field": "stage", "stages": []any{"signed"}}, "actions": setOK}, "/x-crm-automations/0/trigger/stages/0", `"signed" is not a stage`},
		{"time on a text field", doc{"name": "a", "trigger": doc{"event": "time", "dateField": "title"}, "actions": setOK}, "/x-crm-automations/0/trigger/dateField", "needs a date or datetime field"},
		{"key of another event", doc{"name": "a", "trigger": doc{"event": "created", "dateField": "closeDate"}, "actions": setOK}, "/x-crm-automations/0/trigger/dateField", `does not apply to a "created" trigger`},
		{"condition on an unknown field", doc{"name": "a", "trigger": doc{"event": "saved"}, "condition": doc{"field": "budget", "op": "gt", "value": 1}, "actions": setOK}, "/x-crm-automations/0/condition/field", `"budget", which is not a property`},
		{"condition with a bad operator", doc{"name": "a", "trigger": doc{"event": "saved"}, "condition": doc{"field": "amount", "op": "like", "value": 1}, "actions": setOK}, "/x-crm-automations/0/condition/op", "is not a filter operator"},
		{"condition mixing leaf and and", doc{"name": "a", "trigger": doc{"event": "saved"}, "condition": doc{"field": "amount", "op": "gt", "value": 1, "and": []any{}}, "actions": setOK}, "/x-crm-automations/0/condition", "not both"},
		{"in without a list", doc{"name": "a", "trigger": doc{"event": "saved"}, "condition": doc{"field": "stage", "op": "in", "value": "won"}, "actions": setOK}, "/x-crm-automations/0/condition/value", "must be a list"},
		{"no actions", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{}}, "/x-crm-automations/0/actions", "must not be empty"},
		{"set an unknown field", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{doc{"type": "setFields", "values": doc{"budget": 1}}}}, "/x-crm-automations/0/actions/0/values/budget", "not a property"},
		{"webhook to javascript", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{doc{"type": "webhook", "url": "javascript:alert(1)"}}}, "/x-crm-automations/0/actions/0/url", "absolute http or https URL"},
		{"round robin on a number", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{doc{"type": "assignRoundRobin", "field": "amount", "values": []any{"li"}}}}, "/x-crm-automations/0/actions/0/field", "round robin assigns text or lookup fields"},
		{"notify without message", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{doc{"type": "notify", "recipients": []any{"x"}}}}, "/x-crm-automations/0/actions/0", `needs "message"`},
		{"unknown action", doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": []any{doc{"type": "sendSMS"}}}, "/x-crm-automations/0/actions/0/type", `must be "setFields"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.ParseObject(encode(t, withAutomations(t, s.rule)))
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}

	_, err := schema.ParseObject(encode(t, withAutomations(t,
		doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": setOK},
		doc{"name": "a", "trigger": doc{"event": "saved"}, "actions": setOK})))
	assert.Equal(t, "/x-crm-automations/1/name", problemsOf(t, err)[0].Path)
}
