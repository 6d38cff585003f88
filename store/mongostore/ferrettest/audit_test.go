package ferrettest_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

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

// TestAuditByTimeAndActor_OnMongo: an entry's moment is its createdAt and
// its actor its createdBy on MongoDB too: the trail answers by time range
// at its edges (since inclusive, until exclusive), by actor, in pages,
// and the timeline shows both.
func TestAuditByTimeAndActor_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var (
		mu    sync.Mutex
		clock = time.Date(2026, 12, 6, 9, 0, 0, 123456000, time.UTC)
	)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Hour); return clock }
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler), Now: now})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	li := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	wang := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:wang", Admin: true})
	_, err = eng.SaveObject(li, []byte(`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	created := tick()
	a, err := eng.CreateRecord(li, "account", map[string]any{"name": "华为"})
	require.NoError(t, err)
	updated := tick()
	_, err = eng.UpdateRecord(wang, "account", a.ID, map[string]any{"name": "华为技术"}, nil)
	require.NoError(t, err)

	got := func(q engine.AuditQuery) []string {
		q.Object = "account"
		entries, _, err := eng.Audit(li, q)
		require.NoError(t, err)
		var out []string
		for _, en := range entries {
			out = append(out, en.Action+" "+en.At.Format("15:04:05.000000")+" "+en.Actor)
		}
		return out
	}
	all := []string{"update 11:00:00.123456 user:wang", "create 10:00:00.123456 user:li", "metadata 09:00:00.123456 user:li"}
	assert.Equal(t, all, got(engine.AuditQuery{}))
	assert.Equal(t, all[:1], got(engine.AuditQuery{Actor: "user:wang"}))
	assert.Equal(t, all[1:], got(engine.AuditQuery{Actor: "user:li"}))
	assert.Equal(t, all[:1], got(engine.AuditQuery{Since: updated}))
	assert.Equal(t, all[1:], got(engine.AuditQuery{Until: updated}))
	assert.Equal(t, all[1:2], got(engine.AuditQuery{Since: created, Until: created.Add(time.Microsecond), Actor: "user:li"}))
	assert.Empty(t, got(engine.AuditQuery{Since: updated.Add(time.Microsecond)}))
	var paged []string
	q := engine.AuditQuery{Object: "account", First: 1}
	for range 5 {
		entries, more, err := eng.Audit(li, q)
		require.NoError(t, err)
		require.Len(t, entries, 1)
		paged = append(paged, entries[0].Action+" "+entries[0].At.Format("15:04:05.000000")+" "+entries[0].Actor)
		if !more {
			break
		}
		q.After = entries[0].ID
	}
	assert.Equal(t, all, paged, "pages of one, each after the last")

	tl, err := eng.Timeline(li, engine.TimelineQuery{Object: "account", Record: a.ID, Kinds: []string{engine.TimelineChange}, First: 1})
	require.NoError(t, err)
	require.Len(t, tl.Items, 1)
	assert.Equal(t, updated, tl.Items[0].At)
	assert.Equal(t, "user:wang", tl.Items[0].Actor)
	tl, err = eng.Timeline(li, engine.TimelineQuery{Object: "account", Record: a.ID, Kinds: []string{engine.TimelineChange}, After: tl.EndCursor})
	require.NoError(t, err)
	require.Len(t, tl.Items, 1)
	assert.Equal(t, created, tl.Items[0].At)
	assert.Equal(t, "user:li", tl.Items[0].Actor)
}
