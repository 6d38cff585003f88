package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestEngine_CreateRecord_EncodedAhead: a single create encodes its data
// into the store's form before its transaction when nothing on the
// writer's path changes it. Each create reads back as it was answered
// and as it was given (normalised); a field action of an automation
// that fires is stored, not the data encoded before it; a sensitive
// field is still sealed in the store; a unique value taken still fails
// the create and stores nothing.
func TestEngine_CreateRecord_EncodedAhead(t *testing.T) {
	t.Parallel()
	const lead = `{"$id": "lead", "type": "object", "required": ["code"], "properties": {
	    "code":   {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
	    "amount": {"type": "number", "minimum": 0, "x-crm-type": "currency"},
	    "note":   {"type": "string", "x-crm-type": "textarea"},
	    "tags":   {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist"},
	    "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
	    "org":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "org"}}}`
	const marked = `{"$id": "marked", "type": "object", "properties": {
	    "title": {"type": "string", "x-crm-type": "text"},
	    "note":  {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "mark", "trigger": {"event": "created"}, "actions": [{"type": "setFields", "values": {"note": "marked {{title}}"}}]}]}`
	tn := testkit.New(t, "acme", testkit.WithStore(func(t testing.TB) store.Store { return sqlitestore.NewForTest(t) }),
		testkit.WithEncryption(), testkit.WithObjects(
			`{"$id": "org", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`, lead,
			strings.NewReplacer(`"lead"`, `"prospect"`, `, "x-crm-sensitive": true`, ``).Replace(lead), marked))
	eng, ctx := tn.Engine, tn.Admin
	org, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "华为"})
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	ts, err := tn.Store.Tenant(ctx, "acme")
	require.NoError(t, err)

	for _, name := range []string{"lead", "prospect"} {
		in := map[string]any{"code": "L-1", "amount": 12.5, "note": "客户 <关注> \"交付\"\n周期",
			"tags": []any{"b", "a"}, "mobile": "13800138000", "org": org.ID}
		rec, err := eng.CreateRecord(ctx, name, in)
		require.NoError(t, err, name)
		got, err := eng.GetRecord(ctx, name, rec.ID)
		require.NoError(t, err)
		assert.Equal(t, got, rec, "%s is answered as stored", name)
		assert.Equal(t, "L-1", got.Data["code"])
		assert.Equal(t, 12.5, got.Data["amount"])
		assert.Equal(t, "客户 <关注> \"交付\"\n周期", got.Data["note"])
		assert.Equal(t, "13800138000", got.Data["mobile"])
		assert.Equal(t, org.ID, got.Data["org"])

		raw, err := ts.Get(ctx, cat.Object(name), rec.ID)
		require.NoError(t, err)
		if name == "lead" {
			assert.NotEqual(t, "13800138000", raw.Data["mobile"], "sealed in the store")
		} else {
			assert.Equal(t, "13800138000", raw.Data["mobile"])
		}

		_, err = eng.CreateRecord(ctx, name, map[string]any{"code": "L-1"})
		require.Error(t, err, "%s: the code is taken", name)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "a unique value taken is reported on its field")
		assert.Equal(t, int64(1), count(t, eng, ctx, name), "%s: the failed create stored nothing", name)
	}

	rec, err := eng.CreateRecord(ctx, "marked", map[string]any{"title": "甲", "note": "given"})
	require.NoError(t, err)
	assert.Equal(t, "marked 甲", rec.Data["note"], "the field action's value is answered")
	got, err := eng.GetRecord(ctx, "marked", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, "marked 甲", got.Data["note"], "and stored")
}
