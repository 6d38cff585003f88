package ferrettest_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/mongostore"
)

// TestAuditCreation_OnMongo: a create's entry holds no values on MongoDB
// either, and the history shows the values at creation after updates
// (a field set, one cleared, a lookup changed), a merge, a delete and a
// restore.
func TestAuditCreation_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	for _, def := range []string{
		`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "contact", "type": "object", "properties": {
		    "name": {"type": "string", "x-crm-type": "text"},
		    "city": {"type": "string", "x-crm-type": "text"},
		    "note": {"type": "string", "x-crm-type": "text"},
		    "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`,
	} {
		_, err := eng.SaveObject(actx, []byte(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	a1, err := eng.CreateRecord(actx, "account", map[string]any{"name": "华为"})
	require.NoError(t, err)
	a2, err := eng.CreateRecord(actx, "account", map[string]any{"name": "中兴"})
	require.NoError(t, err)
	c, err := eng.CreateRecord(actx, "contact", map[string]any{"name": "王伟", "note": "老客户", "account": a1.ID})
	require.NoError(t, err)
	d, err := eng.CreateRecord(actx, "contact", map[string]any{"name": "王 伟", "city": "深圳"})
	require.NoError(t, err)
	for _, patch := range []map[string]any{{"city": "杭州"}, {"note": nil}, {"account": a2.ID, "name": "王炜"}} {
		_, err = eng.UpdateRecord(actx, "contact", c.ID, patch, nil)
		require.NoError(t, err)
	}
	_, err = eng.UpdateRecord(actx, "contact", d.ID, map[string]any{"city": "广州"}, nil)
	require.NoError(t, err)
	_, err = eng.MergeRecords(actx, "contact", c.ID, []string{d.ID}, nil)
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(actx, "contact", c.ID))
	res, err := eng.RestoreDeleted(actx, []string{c.ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)

	entries, _, err := eng.Audit(actx, engine.AuditQuery{RecordID: c.ID, First: 100})
	require.NoError(t, err)
	var creates []engine.AuditEntry
	for _, en := range entries {
		if en.Action == engine.AuditCreate {
			creates = append(creates, en)
		}
	}
	require.Len(t, creates, 2)
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "王 伟"}, "city": {New: "深圳"}}, creates[0].Changes, "the merged record's")
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "王伟"}, "note": {New: "老客户"}, "account": {New: a1.ID}}, creates[1].Changes)
}
