package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestAudit_RecordsEveryChange(t *testing.T) {
	t.Parallel()
	eng, ctx := keyed(t, sqlitestore.NewForTest(t), 7)
	_, err := eng.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	ctx = engine.WithDoor(ctx, "graphql")
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "patient", "type": "object", "properties": {
	  "name":   {"type": "string", "x-crm-type": "text"},
	  "idCard": {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true},
	  "city":   {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "张伟", "idCard": "11010519491231002X"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", p.ID, map[string]any{"city": "北京", "idCard": "110105194912310021"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", p.ID, map[string]any{"city": "北京"}, nil)
	require.NoError(t, err, "a no-op")
	require.NoError(t, eng.DeleteRecord(ctx, "patient", p.ID))

	entries, more, err := eng.Audit(ctx, engine.AuditQuery{RecordID: p.ID})
	require.NoError(t, err)
	assert.False(t, more)
	require.Len(t, entries, 3, "create, update, delete; the no-op wrote nothing")
	del, upd, cre := entries[0], entries[1], entries[2]
	assert.Equal(t, engine.AuditCreate, cre.Action)
	assert.Equal(t, "user:doc", cre.Actor)
	assert.Equal(t, "graphql", cre.Door)
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "张伟"}, "idCard": {New: "•••"}}, cre.Changes, "sensitive values never enter the trail")
	assert.Equal(t, engine.AuditUpdate, upd.Action)
	assert.EqualValues(t, 2, upd.Version)
	assert.Equal(t, map[string]engine.FieldChange{"city": {New: "北京"}, "idCard": {Old: "•••", New: "•••"}}, upd.Changes)
	assert.Equal(t, engine.AuditDelete, del.Action)
	assert.Equal(t, map[string]engine.FieldChange{"name": {Old: "张伟"}, "idCard": {Old: "•••"}, "city": {Old: "北京"}}, del.Changes)

	meta, _, err := eng.Audit(ctx, engine.AuditQuery{Action: engine.AuditMetadata})
	require.NoError(t, err)
	require.Len(t, meta, 1)
	assert.Equal(t, "patient", meta[0].Object)
	assert.Equal(t, engine.FieldChange{New: 1.0}, meta[0].Changes["version"])

	page1, more, err := eng.Audit(ctx, engine.AuditQuery{First: 2})
	require.NoError(t, err)
	assert.True(t, more)
	page2, more, err := eng.Audit(ctx, engine.AuditQuery{First: 2, After: page1[1].ID})
	require.NoError(t, err)
	assert.False(t, more)
	assert.Len(t, append(page1, page2...), 4)
	assert.Equal(t, engine.AuditMetadata, page2[1].Action, "oldest last")

	user := engine.WithActor(ctx, engine.Actor{TenantID: "clinic", ID: "user:x"})
	_, _, err = eng.Audit(user, engine.AuditQuery{})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
}
