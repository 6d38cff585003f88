package sqlitestore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestStore_DueIndexWrites: a write transaction makes its tenant due at
// once, and the worker cannot raise an entry over a write transaction
// that ran or runs since it read the entry.
func TestStore_DueIndexWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	ts, err := s.Tenant(ctx, "a")
	require.NoError(t, err)
	obj := counterObject()
	saveObject(t, ts, obj)
	later := now.Add(time.Hour)
	read := func() store.DueEntry {
		t.Helper()
		entries, err := s.DueTenants(ctx, later, 10)
		require.NoError(t, err)
		require.Len(t, entries, 1, "the tenant is due")
		return entries[0]
	}
	e := read()
	assert.True(t, e.At.Equal(store.DueAtOnce))
	ok, err := s.SetDue(ctx, "a", e.Version, later.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	entries, err := s.DueTenants(ctx, later, 10)
	require.NoError(t, err)
	assert.Empty(t, entries, "raised")

	// A write makes it due; the next write costs no write of system.db.
	insert := func(id string) {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			return tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"code": id}})
		}))
	}
	insert("r1")
	e = read()
	assert.True(t, e.At.Equal(store.DueAtOnce))

	// A write after the entry was read: no raise.
	insert("r2")
	ok, err = s.SetDue(ctx, "a", e.Version, later.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, ok, "written since read")

	// A write running while the worker sets: no raise either.
	e = read()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		ok, err := s.SetDue(ctx, "a", e.Version, later.Add(time.Hour))
		require.NoError(t, err)
		assert.False(t, ok, "a write is running")
		return nil
	}))
	e = read()
	ok, err = s.SetDue(ctx, "a", e.Version, later.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestStore_DueIndexOtherProcess: a second store on the same directory
// (a command such as crm import while the server runs) marks the tenant
// due in the file, even after the server's worker raised the entry.
func TestStore_DueIndexOtherProcess(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	server := newSmallCache(t, dir, 4)
	require.NoError(t, server.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	ts, err := server.Tenant(ctx, "a")
	require.NoError(t, err)
	saveObject(t, ts, counterObject())
	entries, err := server.DueTenants(ctx, now, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	ok, err := server.SetDue(ctx, "a", entries[0].Version, now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)

	cmd, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmd.Close() })
	other, err := cmd.Tenant(ctx, "a")
	require.NoError(t, err)
	for _, id := range []string{"x1", "x2"} { // the second after the server raised again
		require.NoError(t, other.WithTx(ctx, func(tx store.Tx) error {
			return tx.Insert(ctx, counterObject(), store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"code": id}})
		}))
		entries, err = server.DueTenants(ctx, now, 10)
		require.NoError(t, err)
		require.Len(t, entries, 1, "due after the other process's write")
		ok, err := server.SetDue(ctx, "a", entries[0].Version, now.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
	}
}

// TestStore_DueIndexOtherProcessNamed: a process without the worker that
// was told which objects hold due work (crm import, crm serve
// --worker=false) leaves system.db alone for other writes, and still
// makes the tenant due, over a worker that read the entry before, for a
// write of one of those objects.
func TestStore_DueIndexOtherProcessNamed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	server := newSmallCache(t, dir, 4)
	server.SetDueObjects([]string{"queue"})
	require.NoError(t, server.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	ts, err := server.Tenant(ctx, "a")
	require.NoError(t, err)
	queue := &schema.Object{Name: "queue", Fields: []*schema.Field{{Name: "code", Type: schema.TypeText}}}
	saveObject(t, ts, counterObject())
	saveObject(t, ts, queue)
	read := func() []store.DueEntry {
		t.Helper()
		entries, err := server.DueTenants(ctx, now, 10)
		require.NoError(t, err)
		return entries
	}
	entries := read()
	require.Len(t, entries, 1)
	ok, err := server.SetDue(ctx, "a", entries[0].Version, now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)

	cmd, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmd.Close() })
	cmd.SetDueObjects([]string{"queue"})
	other, err := cmd.Tenant(ctx, "a")
	require.NoError(t, err)
	write := func(obj *schema.Object, id string) {
		t.Helper()
		require.NoError(t, other.WithTx(ctx, func(tx store.Tx) error {
			return tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"code": id}})
		}))
	}
	for _, id := range []string{"c1", "c2", "c3"} {
		write(counterObject(), id)
	}
	assert.Empty(t, read(), "other writes leave the raised entry")

	// The worker read the entry (and the queues) before the other
	// process's write of a queue committed: it cannot raise it.
	entries, err = server.DueTenants(ctx, now.Add(2*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	write(queue, "q1")
	ok, err = server.SetDue(ctx, "a", entries[0].Version, now.Add(3*time.Hour))
	require.NoError(t, err)
	assert.False(t, ok, "lowered since read")
	entries = read()
	require.Len(t, entries, 1, "due after the other process's write")
	assert.True(t, entries[0].At.Equal(store.DueAtOnce))
	// A visit that reads the queues after it raises it again.
	ok, err = server.SetDue(ctx, "a", entries[0].Version, now.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, ok)
}
