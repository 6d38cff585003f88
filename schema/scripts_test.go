package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestParseObject_ScriptsRulesFormulas(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	prop(d, "discount")["type"] = "number"
	prop(d, "discount")["x-crm-type"] = "percent"
	prop(d, "net")["type"] = "number"
	prop(d, "net")["x-crm-type"] = "formula"
	prop(d, "net")["x-crm-formula"] = doc{"expression": "amount * (1 - discount / 100)"}
	prop(d, "due")["type"] = "string"
	prop(d, "due")["format"] = "date"
	prop(d, "due")["x-crm-type"] = "formula"
	prop(d, "due")["x-crm-formula"] = doc{"expression": "closeDate"}
	d["x-crm-scripts"] = []any{
		doc{"name": "checkDiscount", "kind": "validate", "source": "if (ctx.record.discount > 30) ctx.addError('discount', '折扣超过 30% 需要审批')"},
		doc{"name": "nightly", "kind": "scheduled", "schedule": "0 2 * * *", "source": "log('ok')", "active": false},
	}
	d["x-crm-validations"] = []any{
		doc{"name": "wonNeedsDate", "condition": `stage === "won" && !closeDate`, "field": "closeDate", "message": doc{"zh": "赢单需要填写成交日期", "en": "A won deal needs a close date"}},
	}
	obj, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	net := obj.Field("net")
	assert.Equal(t, "amount * (1 - discount / 100)", net.Formula)
	assert.Equal(t, schema.KindNumber, net.Kind())
	assert.True(t, net.ReadOnly())
	assert.Equal(t, schema.KindDate, obj.Field("due").Kind())
	require.Len(t, obj.Scripts, 2)
	assert.True(t, obj.Scripts[0].Active)
	assert.False(t, obj.Scripts[1].Active)
	assert.Equal(t, "0 2 * * *", obj.Scripts[1].Schedule)
	require.Len(t, obj.Validations, 1)
	assert.Equal(t, "closeDate", obj.Validations[0].Field)
	assert.Equal(t, "赢单需要填写成交日期", obj.Validations[0].Message.Zh)

	v, err := schema.NewValidator(obj)
	require.NoError(t, err)
	assert.NoError(t, v.Validate(map[string]any{"title": "x", "net": 5.0}), "formula values are checked with the result type")
	assert.Error(t, v.Validate(map[string]any{"title": "x", "net": "5"}))
}

func TestParseObject_ScriptsRulesFormulasRefused(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"formula without expression", func(d doc) { prop(d, "net")["type"] = "number"; prop(d, "net")["x-crm-type"] = "formula" },
			"/properties/net/x-crm-formula", "is required"},
		{"formula of an object type", func(d doc) {
			prop(d, "net")["type"] = "object"
			prop(d, "net")["x-crm-type"] = "formula"
			prop(d, "net")["x-crm-formula"] = doc{"expression": "1"}
		}, "/properties/net/type", "the type of the formula's result"},
		{"required formula", func(d doc) {
			prop(d, "net")["type"] = "number"
			prop(d, "net")["x-crm-type"] = "formula"
			prop(d, "net")["x-crm-formula"] = doc{"expression": "1"}
			d["required"] = []any{"title", "net"}
		}, "/required/1", "the engine fills it"},
		{"scheduled without schedule", func(d doc) { d["x-crm-scripts"] = []any{doc{"name": "a", "kind": "scheduled", "source": "1"}} },
			"/x-crm-scripts/0", `needs "schedule"`},
		{"bad schedule", func(d doc) {
			d["x-crm-scripts"] = []any{doc{"name": "a", "kind": "scheduled", "source": "1", "schedule": "0 25 * * *"}}
		}, "/x-crm-scripts/0/schedule", "hour field"},
		{"schedule on a validate script", func(d doc) {
			d["x-crm-scripts"] = []any{doc{"name": "a", "kind": "validate", "source": "1", "schedule": "@daily"}}
		}, "/x-crm-scripts/0/schedule", "only to scheduled scripts"},
		{"unknown script kind", func(d doc) { d["x-crm-scripts"] = []any{doc{"name": "a", "kind": "onDelete", "source": "1"}} },
			"/x-crm-scripts/0/kind", `must be "validate"`},
		{"rule on an unknown field", func(d doc) {
			d["x-crm-validations"] = []any{doc{"name": "a", "condition": "true", "field": "budget", "message": doc{"zh": "x"}}}
		}, "/x-crm-validations/0/field", `"budget", which is not a property`},
		{"two rules of one name", func(d doc) {
			r := doc{"name": "a", "condition": "true", "message": doc{"zh": "x"}}
			d["x-crm-validations"] = []any{r, r}
		}, "/x-crm-validations/1/name", "another validation rule"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			s.change(d)
			_, err := schema.ParseObject(encode(t, d))
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
}
