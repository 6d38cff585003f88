package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

// everyTypeDef has a field of each stored type and no automation or
// script of its own.
const everyTypeDef = `{"$id": "sample", "type": "object", "required": ["title"], "properties": {
  "title":    {"type": "string", "x-crm-type": "text"},
  "body":     {"type": "string", "x-crm-type": "textarea"},
  "notes":    {"type": "string", "x-crm-type": "richtext"},
  "score":    {"type": "number", "x-crm-type": "number"},
  "qty":      {"type": "integer", "x-crm-type": "integer"},
  "amount":   {"type": "number", "x-crm-type": "currency"},
  "margin":   {"type": "number", "x-crm-type": "percent"},
  "done":     {"type": "boolean", "x-crm-type": "boolean"},
  "due":      {"type": "string", "format": "date", "x-crm-type": "date"},
  "at":       {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
  "email":    {"type": "string", "format": "email", "x-crm-type": "email"},
  "phone":    {"type": "string", "x-crm-type": "phone"},
  "mobile":   {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
  "site":     {"type": "string", "format": "uri", "x-crm-type": "url"},
  "stage":    {"type": "string", "enum": ["new", "won"], "default": "new", "x-crm-type": "picklist"},
  "tags":     {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "x-crm-type": "multipicklist"},
  "org":      {"type": "string", "x-crm-type": "lookup", "x-crm-target": "org"},
  "orgs":     {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "org"},
  "number":   {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "S-{0000}"},
  "address":  {"type": "object", "x-crm-type": "address"},
  "extra":    {"x-crm-type": "json"},
  "net":      {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount * (1 - (margin || 0) / 100)"}}}}`

const orgDef = `{"$id": "org", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`

// withAutomationDef makes the tenant not quiet: another object has an
// automation.
const withAutomationDef = `{"$id": "ticket", "type": "object", "properties": {
  "subject": {"type": "string", "x-crm-type": "text"}, "urgent": {"type": "boolean", "x-crm-type": "boolean"}},
  "x-crm-automations": [{"name": "flag", "trigger": {"event": "created"}, "actions": [{"type": "setFields", "values": {"urgent": true}}]}]}`

// TestEngine_WritesAnswerAsStored: a create and an update of an object
// without automations or scripts answer with the record exactly as a
// read gives it afterwards (the writer no longer reads it back in the
// transaction), in a tenant where no object has any and in one where
// another object has an automation; with encryption on.
func TestEngine_WritesAnswerAsStored(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name string
		defs []string
	}{
		{"quiet tenant", []string{orgDef, everyTypeDef}},
		{"automations elsewhere", []string{orgDef, everyTypeDef, withAutomationDef}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			tn := testkit.New(t, "acme", testkit.WithObjects(sc.defs...), testkit.WithEncryption())
			eng, ctx := tn.Engine, tn.Admin
			org, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "华为"})
			require.NoError(t, err)
			org2, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "中兴"})
			require.NoError(t, err)
			input := map[string]any{
				"title": "  样品 ", "body": "第一行\n第二行", "notes": "<p>好<script>x</script></p>", "score": 0.1 + 0.2,
				"qty": 12, "amount": 1234567.89, "margin": 12.5, "done": true, "due": "2026-12-31",
				"at": "2026-12-06T18:30:00.123456+08:00", "email": " Buyer@Example.com ", "phone": "021-5555 0100",
				"mobile": "+86 138 0013 8000", "site": "https://example.com/a?b=c", "tags": []any{"b", "a", "b"},
				"org": org.ID, "orgs": []any{org2.ID, org.ID, org2.ID}, "address": map[string]any{"province": "上海市", "city": " 上海市 ", "street": ""},
				"extra": map[string]any{"n": 1e21, "big": 9007199254740993, "list": []any{1, "二", nil, true}, "empty": map[string]any{}},
			}
			created, err := eng.CreateRecord(ctx, "sample", input)
			require.NoError(t, err)
			got, err := eng.GetRecord(ctx, "sample", created.ID)
			require.NoError(t, err)
			assert.Equal(t, got, created, "a create answers as stored")
			assert.Equal(t, "S-0001", created.Data["number"])

			v := created.Version
			updated, err := eng.UpdateRecord(ctx, "sample", created.ID, map[string]any{
				"title": "改", "qty": 13.0, "tags": []string{"c"}, "body": nil, "at": "2026-12-07T01:02:03Z", "extra": []any{1.5},
			}, &v)
			require.NoError(t, err)
			got, err = eng.GetRecord(ctx, "sample", created.ID)
			require.NoError(t, err)
			assert.Equal(t, got, updated, "an update answers as stored")
			assert.Equal(t, v+1, updated.Version)

			// The object with an automation still answers what it did to
			// the record.
			if len(sc.defs) == 3 {
				ticket, err := eng.CreateRecord(ctx, "ticket", map[string]any{"subject": "坏了"})
				require.NoError(t, err)
				assert.Equal(t, true, ticket.Data["urgent"])
			}
		})
	}
}
