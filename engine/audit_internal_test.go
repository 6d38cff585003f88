package engine

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestAudit_OlderCreateEntriesRead: a create entry written before creates
// stopped holding values (it holds them) reads as it was written, and is
// not rebuilt from the record.
func TestAudit_OlderCreateEntriesRead(t *testing.T) {
	t.Parallel()
	eng, err := New(Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(context.Background(), "t1", "")
	require.NoError(t, err)
	ctx := WithActor(context.Background(), Actor{TenantID: "t1", ID: "user:li", Admin: true})
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "lead", "type": "object", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"}, "city": {"type": "string", "x-crm-type": "text"}}}`), SaveOptions{})
	require.NoError(t, err)
	sc, err := eng.scope(ctx)
	require.NoError(t, err)
	w, err := eng.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	require.NoError(t, err)
	obj := sc.snap.catalog.Object("lead")
	now := eng.stamp()
	rec := store.Record{ID: "lead-old", Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:li", UpdatedBy: "user:li", OwnerID: "user:li",
		Data: map[string]any{"name": "旧线索", "city": "杭州"}}
	require.NoError(t, sc.ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, obj, rec); err != nil {
			return err
		}
		// As an older version wrote it: every value.
		return w.audit(ctx, tx, AuditCreate, obj, rec.ID, 1, auditChanges(obj, nil, rec.Data))
	}))
	_, err = eng.UpdateRecord(ctx, "lead", rec.ID, map[string]any{"city": "宁波"}, nil)
	require.NoError(t, err)
	entries, _, err := eng.Audit(ctx, AuditQuery{RecordID: rec.ID})
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, map[string]FieldChange{"name": {New: "旧线索"}, "city": {New: "杭州"}}, entries[1].Changes)

	// A create entry holds nothing but a change of owner now.
	made, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "新线索"})
	require.NoError(t, err)
	page, err := sc.ts.Find(ctx, w.auditObj, store.Query{Filter: &store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, made.ID)}}})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Empty(t, page.Records[0].Data["changes"], "stored without values")
	entries, _, err = eng.Audit(ctx, AuditQuery{RecordID: made.ID})
	require.NoError(t, err)
	assert.Equal(t, map[string]FieldChange{"name": {New: "新线索"}}, entries[0].Changes, "read with them")
}
