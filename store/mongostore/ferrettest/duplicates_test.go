package ferrettest_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store/mongostore"
)

// TestDuplicates_OnMongo runs duplicate rules and a merge that re-points
// every kind of reference (lookup, multilookup, stage history, audit
// trail) on MongoDB, through FerretDB.
func TestDuplicates_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	for _, def := range []string{
		`{"$id": "account", "type": "object", "x-crm-label": {"zh": "客户", "en": "Account"},
		  "properties": {
		    "name": {"type": "string", "x-crm-type": "text"},
		    "uscc": {"type": "string", "x-crm-type": "text"},
		    "phone": {"type": "string", "x-crm-type": "text"},
		    "lifecycle": {"type": "string", "enum": ["new", "active"], "x-crm-type": "picklist",
		      "x-crm-pipeline": {"stages": [{"value": "new", "category": "open"}, {"value": "active", "category": "open"}]}}},
		  "x-crm-duplicates": [
		    {"name": "uscc", "label": {"zh": "信用代码", "en": "Credit code"}, "action": "block", "match": [{"field": "uscc", "normalizer": "uscc"}]},
		    {"name": "companyName", "action": "warn", "match": [{"field": "name", "normalizer": "company"}]}]}`,
		`{"$id": "contact", "type": "object", "properties": {
		    "name": {"type": "string", "x-crm-type": "text"},
		    "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		    "accounts": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "account"}}}`,
	} {
		_, err := eng.SaveObject(actx, []byte(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	a, err := eng.CreateRecord(actx, "account", map[string]any{"name": "华为技术有限公司", "uscc": "U1"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(actx, "account", map[string]any{"name": "深圳华为技术有限公司", "phone": "2", "lifecycle": "new"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(actx, "account", b.ID, map[string]any{"lifecycle": "active"}, nil)
	require.NoError(t, err)

	ms, err := eng.PossibleDuplicates(actx, "account", b.ID)
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	assert.Equal(t, a.ID, ms[0].ID)
	_, err = eng.CreateRecord(actx, "account", map[string]any{"name": "X", "uscc": "u1"})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "duplicate", ve.Fields[0].Code)
	groups, _, err := eng.DuplicateGroups(actx, "account", "companyName", 10, "")
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.ElementsMatch(t, []string{a.ID, b.ID}, groups[0].Records)

	c1, err := eng.CreateRecord(actx, "contact", map[string]any{"name": "张三", "account": b.ID})
	require.NoError(t, err)
	c2, err := eng.CreateRecord(actx, "contact", map[string]any{"name": "李四", "accounts": []any{a.ID, b.ID}})
	require.NoError(t, err)

	res, err := eng.MergeRecords(actx, "account", a.ID, []string{b.ID}, map[string]string{"phone": b.ID, "lifecycle": b.ID})
	require.NoError(t, err)
	assert.Equal(t, "2", res.Survivor.Data["phone"])
	got, err := eng.GetRecord(actx, "contact", c1.ID)
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.Data["account"])
	got, err = eng.GetRecord(actx, "contact", c2.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{a.ID}, got.Data["accounts"])
	_, err = eng.GetRecord(actx, "account", b.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	hist, err := eng.StageHistory(actx, "account", "lifecycle", []string{a.ID})
	require.NoError(t, err)
	assert.NotEmpty(t, hist[a.ID], "stage history moved")
	entries, _, err := eng.Audit(actx, engine.AuditQuery{Object: "account", RecordID: a.ID, First: 50})
	require.NoError(t, err)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	assert.Equal(t, 1, actions[engine.AuditMerge])
	assert.GreaterOrEqual(t, actions[engine.AuditCreate], 2, "the merged record's trail moved")
}
