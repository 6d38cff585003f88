package engine

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestAuditEntry_TimeAndActorAreTheRecords: an entry keeps its moment in
// createdAt and its actor in createdBy only (no "at", no "actor", no
// empty "changes", no updatedBy), and entries written before, which keep
// them in their data too, read the same: by time range at its edges, by
// actor, by object and record, in pages, in the timeline, with their
// moment and actor; newest first is by time, then id.
func TestAuditEntry_TimeAndActorAreTheRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	var (
		mu    sync.Mutex
		clock = time.Date(2026, 12, 6, 9, 0, 0, 123456000, time.UTC)
	)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	tick := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); clock = clock.Add(d) }
	e, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: now})
	require.NoError(t, err)
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	admin := WithActor(ctx, Actor{ID: "user:admin", TenantID: "acme", Admin: true})
	li := WithActor(ctx, Actor{ID: "user:li", TenantID: "acme", Admin: true})
	_, err = e.SaveObject(admin, []byte(`{"$id": "note", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"}}}`), SaveOptions{})
	require.NoError(t, err)
	tick(time.Hour)
	rec, err := e.CreateRecord(admin, "note", map[string]any{"title": "a"})
	require.NoError(t, err)
	created := now()

	ts, err := e.tenantStore(ctx, "acme")
	require.NoError(t, err)
	snap, err := e.state(ctx, "acme", ts)
	require.NoError(t, err)
	au := snap.platform[auditObject]
	require.NotNil(t, au)
	f := store.Leaf("record", store.OpEq, rec.ID)
	page, err := ts.Find(ctx, au, store.Query{Filter: &f})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	stored := page.Records[0]
	assert.Equal(t, map[string]any{"door": "api", "action": AuditCreate, "object": "note", "record": rec.ID, "recordVersion": float64(1)}, stored.Data)
	assert.Equal(t, created, stored.CreatedAt)
	assert.Equal(t, "user:admin", stored.CreatedBy)
	assert.Empty(t, stored.UpdatedBy)

	// An entry as earlier builds wrote it: time and actor in its data too.
	tick(time.Hour)
	old := now()
	oldEntry := store.Record{ID: e.newID(), Version: 1, CreatedAt: old, UpdatedAt: old, CreatedBy: "user:li", UpdatedBy: "user:li",
		Data: map[string]any{"at": old.Format(schema.DateTimeLayout), "actor": "user:li", "door": "api", "action": AuditUpdate,
			"object": "note", "record": rec.ID, "recordVersion": float64(2), "changes": map[string]any{"title": map[string]any{"old": "a", "new": "b"}}}}
	rec.Data["title"] = "b"
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		next := rec
		next.Version, next.UpdatedAt, next.UpdatedBy = 2, old, "user:li"
		if err := tx.Update(ctx, snap.catalog.Object("note"), next, 1); err != nil {
			return err
		}
		return tx.Insert(ctx, au, oldEntry)
	}))
	tick(time.Hour)
	_, err = e.UpdateRecord(li, "note", rec.ID, map[string]any{"title": "c"}, nil)
	require.NoError(t, err)
	last := now()

	ids := func(q AuditQuery) []string {
		q.Object = "note"
		got, _, err := e.Audit(admin, q)
		require.NoError(t, err)
		var out []string
		for _, en := range got {
			out = append(out, string(en.Action[0])+en.At.Format("15:04")+en.Actor)
		}
		return out
	}
	all := []string{"u12:00user:li", "u11:00user:li", "c10:00user:admin", "m09:00user:admin"} // m: the object's definition
	assert.Equal(t, all, ids(AuditQuery{}))
	assert.Equal(t, all[:3], ids(AuditQuery{RecordID: rec.ID}))
	assert.Equal(t, all[:2], ids(AuditQuery{Actor: "user:li"}))
	assert.Equal(t, all[2:], ids(AuditQuery{Actor: "user:admin"}))
	assert.Equal(t, all[1:], ids(AuditQuery{Until: last}), "until is exclusive")
	assert.Equal(t, all[:1], ids(AuditQuery{Since: last}), "since is inclusive")
	assert.Equal(t, all[1:2], ids(AuditQuery{Since: old, Until: old.Add(time.Microsecond)}), "the old entry by its own time")
	assert.Equal(t, all[2:3], ids(AuditQuery{Since: created, Until: old}))
	assert.Equal(t, all[1:2], ids(AuditQuery{Since: created.Add(time.Microsecond), Actor: "user:li", Until: last}))
	assert.Empty(t, ids(AuditQuery{Since: last.Add(time.Microsecond)}))
	assert.Equal(t, all[1:3], ids(AuditQuery{Since: created.Add(-time.Nanosecond), Until: last.Add(-time.Nanosecond)}), "instants inside a microsecond fall to its start")
	paged := func(q AuditQuery) []string {
		q.Object, q.First = "note", 1
		var out []string
		for range 10 {
			got, more, err := e.Audit(admin, q)
			require.NoError(t, err)
			require.Len(t, got, 1)
			out = append(out, string(got[0].Action[0])+got[0].At.Format("15:04")+got[0].Actor)
			if !more {
				break
			}
			q.After = got[0].ID
		}
		return out
	}
	assert.Equal(t, all, paged(AuditQuery{}), "pages of one, each after the last")
	assert.Equal(t, all[1:3], paged(AuditQuery{RecordID: rec.ID, Until: last}))
	unknown, _, err := e.Audit(admin, AuditQuery{Object: "note", After: "zzzzzzzzzzzzzzzzzzzzzzzzzz"})
	require.NoError(t, err)
	assert.Len(t, unknown, 4, "a cursor naming no entry pages on by id")

	got, _, err := e.Audit(admin, AuditQuery{RecordID: rec.ID, Action: AuditCreate})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "a", got[0].Changes["title"].New, "the creation rebuilt past both formats")

	tl, err := e.Timeline(admin, TimelineQuery{Object: "note", Record: rec.ID, Kinds: []string{TimelineChange}, First: 2})
	require.NoError(t, err)
	require.Len(t, tl.Items, 2)
	assert.Equal(t, []time.Time{last, old}, []time.Time{tl.Items[0].At, tl.Items[1].At})
	assert.Equal(t, []string{"user:li", "user:li"}, []string{tl.Items[0].Actor, tl.Items[1].Actor})
	tl, err = e.Timeline(admin, TimelineQuery{Object: "note", Record: rec.ID, Kinds: []string{TimelineChange}, After: tl.EndCursor})
	require.NoError(t, err)
	require.Len(t, tl.Items, 1)
	assert.Equal(t, created, tl.Items[0].At)
	assert.Equal(t, "user:admin", tl.Items[0].Actor)

	// Newest first is by time: an entry written by a clock set back comes
	// after those of later times, its higher id notwithstanding.
	tick(-30 * time.Minute)
	_, err = e.UpdateRecord(li, "note", rec.ID, map[string]any{"title": "d"}, nil)
	require.NoError(t, err)
	all = []string{"u12:00user:li", "u11:30user:li", "u11:00user:li", "c10:00user:admin", "m09:00user:admin"}
	assert.Equal(t, all, ids(AuditQuery{}))
	assert.Equal(t, all, paged(AuditQuery{}))
}

// TestAuditEntry_PagesThroughEntriesOfOneInstant: entries written at the
// same microsecond come by id, newest first, and pages of two neither
// skip nor repeat one.
func TestAuditEntry_PagesThroughEntriesOfOneInstant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	frozen := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	e, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return frozen }})
	require.NoError(t, err)
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	admin := WithActor(ctx, Actor{ID: "user:admin", TenantID: "acme", Admin: true})
	_, err = e.SaveObject(admin, []byte(`{"$id": "note", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"}}}`), SaveOptions{})
	require.NoError(t, err)
	writes := make([]BulkWrite, 7)
	for i := range writes {
		writes[i] = BulkWrite{Action: BulkCreate, Data: map[string]any{"title": "n"}}
	}
	_, err = e.WriteRecords(admin, "note", writes, BulkOptions{Atomic: true})
	require.NoError(t, err)

	every, more, err := e.Audit(admin, AuditQuery{Object: "note", First: 100})
	require.NoError(t, err)
	require.False(t, more)
	require.Len(t, every, 8, "seven creates and the definition")
	var want, got []string
	for i, en := range every {
		assert.Equal(t, frozen, en.At)
		if i > 0 {
			assert.Less(t, en.ID, every[i-1].ID, "by id, newest first")
		}
		want = append(want, en.ID)
	}
	q := AuditQuery{Object: "note", First: 2}
	for range 10 {
		page, more, err := e.Audit(admin, q)
		require.NoError(t, err)
		for _, en := range page {
			got = append(got, en.ID)
		}
		if !more {
			break
		}
		q.After = page[len(page)-1].ID
	}
	assert.Equal(t, want, got)
}
