package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

const redactDefinition = `{
  "$id": "deal", "type": "object", "$comment": "margin comes from the ERP",
  "x-crm-label": {"zh": "商机", "en": "Deal"},
  "properties": {
    "title":  {"type": "string", "x-crm-type": "text"},
    "margin": {"type": "number", "x-crm-type": "currency", "$comment": "secret"},
    "amount": {"type": "number", "x-crm-type": "currency"},
    "net":    {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount - margin"}},
    "stage":  {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist",
      "x-crm-pipeline": {"amount": "margin", "stages": [{"value": "new", "category": "open"}, {"value": "won", "category": "won", "required": ["margin", "amount"]}]}},
    "lines":  {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "line", "via": "deal", "function": "sum", "field": "cost"}},
    "owner2": {"type": "string", "x-crm-type": "text"}
  },
  "required": ["title", "margin"],
  "x-crm-indexes": [["stage", "margin"], ["stage", "amount"]],
  "x-crm-validations": [{"name": "m", "condition": "margin < 0", "field": "margin", "message": {"zh": "毛利", "en": "margin"}}],
  "x-crm-scripts": [{"name": "s", "kind": "validate", "source": "if (ctx.record.margin) ctx.addError('margin', 'x')"}],
  "x-crm-automations": [{"name": "a", "trigger": {"event": "created"}, "actions": [{"type": "webhook", "url": "https://erp.example.com/margin"}]}]
}`

func TestObject_Redacted(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(redactDefinition))
	require.NoError(t, err)
	r := obj.Redacted(map[string]bool{"margin": true})

	text := string(r.Definition)
	assert.NotContains(t, text, "margin", "no trace of the hidden field")
	for _, gone := range []string{"$comment", "x-crm-scripts", "x-crm-automations", "x-crm-validations", "x-crm-formula", "x-crm-rollup", "erp.example.com", "secret", "cost"} {
		assert.NotContains(t, text, gone)
	}
	var doc map[string]any
	require.NoError(t, json.Unmarshal(r.Definition, &doc))
	assert.Equal(t, []any{"title"}, doc["required"])
	assert.Equal(t, []any{[]any{"stage", "amount"}}, doc["x-crm-indexes"])
	assert.Equal(t, "formula", doc["properties"].(map[string]any)["net"].(map[string]any)["x-crm-type"], "the field stays, its expression goes")
	won := doc["properties"].(map[string]any)["stage"].(map[string]any)["x-crm-pipeline"].(map[string]any)["stages"].([]any)[1]
	assert.Equal(t, []any{"amount"}, won.(map[string]any)["required"])
	assert.Less(t, strings.Index(text, `"title"`), strings.Index(text, `"amount"`), "property order is kept")
	assert.Less(t, strings.Index(text, `"amount"`), strings.Index(text, `"owner2"`))

	var names []string
	for _, f := range r.Fields {
		names = append(names, f.Name)
		assert.Empty(t, f.Formula)
		assert.Nil(t, f.Rollup)
		assert.NotContains(t, string(f.Schema), "margin")
	}
	assert.Equal(t, []string{"title", "amount", "net", "stage", "lines", "owner2"}, names)
	assert.Equal(t, []string{"amount"}, r.Field("stage").Pipeline.Stage("won").Required)
	assert.Empty(t, r.Field("stage").Pipeline.Amount, "the pipeline's amount was the hidden field")
	assert.Equal(t, "margin", obj.Field("stage").Pipeline.Amount)
	assert.Equal(t, schema.KindNumber, r.Field("net").Kind(), "a formula keeps its result type")
	assert.Empty(t, r.Scripts)
	assert.Empty(t, r.Automations)
	assert.Empty(t, r.Validations)
	assert.Equal(t, [][]string{{"stage", "amount"}}, r.Indexes)

	assert.Equal(t, []string{"margin", "amount"}, obj.Field("stage").Pipeline.Stage("won").Required, "the original is untouched")
	assert.Contains(t, string(obj.Definition), "x-crm-scripts")
	assert.Equal(t, "amount - margin", obj.Field("net").Formula)

	plain := obj.Redacted(nil)
	assert.Contains(t, string(plain.Definition), "margin", "nothing hidden: the field stays")
	assert.NotContains(t, string(plain.Definition), "x-crm-scripts", "scripts are for administrators whatever the role")
}
