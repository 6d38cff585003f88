package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/sqlitestore"
)

// auditTrailFixture is a tenant with patients that name an account and
// keep an encrypted identity card number.
func auditTrailFixture(t *testing.T) (*engine.Engine, context.Context) {
	t.Helper()
	eng, ctx := keyed(t, sqlitestore.NewForTest(t), 7)
	_, err := eng.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "account", "type": "object", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "patient", "type": "object", "properties": {
	  "name":    {"type": "string", "x-crm-type": "text"},
	  "idCard":  {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true},
	  "city":    {"type": "string", "x-crm-type": "text"},
	  "note":    {"type": "string", "x-crm-type": "text"},
	  "visits":  {"type": "integer", "x-crm-type": "integer"},
	  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	return eng, ctx
}

// creation is the create entry of a record's history, as Audit reads it.
func creation(t *testing.T, eng *engine.Engine, ctx context.Context, id string) engine.AuditEntry {
	t.Helper()
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: id, First: engine.MaxPageSize})
	require.NoError(t, err)
	var found []engine.AuditEntry
	for _, en := range entries {
		if en.Action == engine.AuditCreate && en.RecordID == id {
			found = append(found, en)
		}
	}
	require.Len(t, found, 1, "one create entry of %s", id)
	return found[0]
}

// A create's entry no longer stores the values (they are the record's
// first version), yet every reader shows the values at creation exactly
// as when the entry held them, after updates that clear, set and change
// fields, a lookup cleared by its target's delete, a definition change
// that clears values, the record's delete and restore.
func TestAudit_CreationValuesRebuilt(t *testing.T) {
	t.Parallel()
	eng, ctx := auditTrailFixture(t)
	a1, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "协和"})
	require.NoError(t, err)
	a2, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "同仁"})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "张伟", "idCard": "11010519491231002X", "note": "过敏", "visits": 1, "account": a1.ID})
	require.NoError(t, err)
	want := map[string]engine.FieldChange{"name": {New: "张伟"}, "idCard": {New: "•••"}, "note": {New: "过敏"}, "visits": {New: 1.0}, "account": {New: a1.ID}}
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes)

	for _, patch := range []map[string]any{
		{"city": "北京", "idCard": "110105194912310021"}, // a field set, a sensitive one changed
		{"note": nil},               // a field cleared
		{"account": a2.ID},          // a lookup changed
		{"visits": 2, "name": "张威"}, // values changed
	} {
		_, err = eng.UpdateRecord(ctx, "patient", p.ID, patch, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "after updates")

	// The timeline's field changes show the same creation.
	tl, err := eng.Timeline(ctx, engine.TimelineQuery{Object: "patient", Record: p.ID, Kinds: []string{engine.TimelineChange}, First: 50})
	require.NoError(t, err)
	require.NotEmpty(t, tl.Items)
	first := tl.Items[len(tl.Items)-1]
	assert.Equal(t, engine.AuditCreate, first.Data["action"])
	assert.Equal(t, map[string]any{"name": map[string]any{"old": nil, "new": "张伟"}, "idCard": map[string]any{"old": nil, "new": "•••"},
		"note": map[string]any{"old": nil, "new": "过敏"}, "visits": map[string]any{"old": nil, "new": 1.0},
		"account": map[string]any{"old": nil, "new": a1.ID}}, first.Data["changes"])

	// The account it names now goes: the cleared lookup is audited.
	require.NoError(t, eng.DeleteRecord(ctx, "account", a2.ID))
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, engine.AuditUpdate, entries[0].Action)
	assert.Equal(t, map[string]engine.FieldChange{"account": {Old: a2.ID}}, entries[0].Changes)
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "after a lookup cleared by a delete")

	// A definition change that clears a field's values is audited.
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "patient", "type": "object", "properties": {
	  "name":    {"type": "string", "x-crm-type": "text"},
	  "idCard":  {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true},
	  "city":    {"type": "string", "x-crm-type": "text"},
	  "note":    {"type": "string", "x-crm-type": "text"},
	  "visits":  {"type": "integer", "x-crm-type": "integer"},
	  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`), engine.SaveOptions{Clear: []string{"name"}})
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "patient", p.ID)
	require.NoError(t, err)
	assert.NotContains(t, got.Data, "name")
	entries, _, err = eng.Audit(ctx, engine.AuditQuery{RecordID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, map[string]engine.FieldChange{"name": {Old: "张威"}}, entries[0].Changes)
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "after a definition change")

	// Deleted, in the recycle bin: the history still reads.
	require.NoError(t, eng.DeleteRecord(ctx, "patient", p.ID))
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "in the recycle bin")
	res, err := eng.RestoreDeleted(ctx, []string{p.ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	_, err = eng.UpdateRecord(ctx, "patient", p.ID, map[string]any{"city": "上海"}, nil)
	require.NoError(t, err)
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "restored and changed again")

	// Purged: the delete entry still tells.
	require.NoError(t, eng.DeleteRecord(ctx, "patient", p.ID))
	_, err = eng.PurgeDeleted(ctx, []string{p.ID})
	require.NoError(t, err)
	assert.Equal(t, want, creation(t, eng, ctx, p.ID).Changes, "purged")
}

// Merged records' entries move to the survivor; each create entry keeps
// its own record's values, and the survivor's creation is not mixed with
// the changes of the records merged into it.
func TestAudit_CreationValuesAfterMerge(t *testing.T) {
	t.Parallel()
	eng, ctx := auditTrailFixture(t)
	keep, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "李娜", "city": "北京"})
	require.NoError(t, err)
	gone, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "李娜", "note": "复诊", "visits": 3})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", gone.ID, map[string]any{"city": "天津", "name": "李 娜"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", keep.ID, map[string]any{"visits": 5}, nil)
	require.NoError(t, err)
	_, err = eng.MergeRecords(ctx, "patient", keep.ID, []string{gone.ID}, map[string]string{"note": gone.ID})
	require.NoError(t, err)

	entries, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: keep.ID, First: engine.MaxPageSize})
	require.NoError(t, err)
	var creates []engine.AuditEntry
	for _, en := range entries {
		if en.Action == engine.AuditCreate {
			creates = append(creates, en)
		}
	}
	require.Len(t, creates, 2, "the survivor's and the merged record's")
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "李娜"}, "note": {New: "复诊"}, "visits": {New: 3.0}}, creates[0].Changes, "the merged record's, newer")
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "李娜"}, "city": {New: "北京"}}, creates[1].Changes, "the survivor's")

	// Later changes of the survivor leave both as they are.
	_, err = eng.UpdateRecord(ctx, "patient", keep.ID, map[string]any{"city": nil, "name": "李娜娜"}, nil)
	require.NoError(t, err)
	again, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: keep.ID, First: engine.MaxPageSize})
	require.NoError(t, err)
	n := 0
	for _, en := range again {
		if en.Action == engine.AuditCreate {
			assert.Equal(t, creates[n].Changes, en.Changes)
			n++
		}
	}
	assert.Equal(t, 2, n)
}

// A deleted object's records are gone; their create entries were given
// their values first.
func TestAudit_CreationValuesAfterObjectDelete(t *testing.T) {
	t.Parallel()
	eng, ctx := auditTrailFixture(t)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "visit", "type": "object", "properties": {
	  "reason": {"type": "string", "x-crm-type": "text"},
	  "room":   {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	v, err := eng.CreateRecord(ctx, "visit", map[string]any{"reason": "体检"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"reason": "复查", "room": "301"}, nil)
	require.NoError(t, err)
	_, err = eng.DeleteObject(ctx, "visit", 1, false)
	require.NoError(t, err)
	assert.Equal(t, map[string]engine.FieldChange{"reason": {New: "体检"}}, creation(t, eng, ctx, v.ID).Changes)
}

// Erasure forgets: the values at creation read as erased, as before.
func TestAudit_CreationValuesErased(t *testing.T) {
	t.Parallel()
	eng, ctx := auditTrailFixture(t)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "王芳", "idCard": "11010519491231002X"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", p.ID, map[string]any{"city": "北京"}, nil)
	require.NoError(t, err)
	require.NoError(t, eng.ErasePersonalData(ctx, "patient", p.ID))
	assert.Equal(t, map[string]engine.FieldChange{"name": {New: "[erased]"}, "idCard": {New: "[erased]"}}, creation(t, eng, ctx, p.ID).Changes)
}
