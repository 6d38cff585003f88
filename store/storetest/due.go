package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testDueIndex checks the due-work index ([store.DueIndex]): the one-time
// entries of tenants that had none, the due tenants in order, lowering
// that never raises, and setting that loses to a lowering made since the
// entry was read.
func testDueIndex(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	idx, ok := s.(store.DueIndex)
	if !ok {
		t.Skip("skipped: the store keeps no due index")
	}
	for _, id := range []string{"a", "b", "c"} {
		newTenant(t, s, id)
	}
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	due := func(now time.Time, limit int) []string {
		t.Helper()
		entries, err := idx.DueTenants(ctx, now, limit)
		require.NoError(t, err)
		ids := []string{}
		for _, e := range entries {
			ids = append(ids, e.Tenant)
		}
		return ids
	}
	entry := func(tenant string) store.DueEntry {
		t.Helper()
		entries, err := idx.DueTenants(ctx, at(1<<20), 100)
		require.NoError(t, err)
		for _, e := range entries {
			if e.Tenant == tenant {
				return e
			}
		}
		t.Fatalf("tenant %q has no entry", tenant)
		return store.DueEntry{}
	}

	// Tenants without entries get one, a bounded number at a time.
	assert.Empty(t, due(at(1<<20), 10), "no entries before EnsureDue")
	n, err := idx.EnsureDue(ctx, at(0), 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = idx.EnsureDue(ctx, at(0), 10)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = idx.EnsureDue(ctx, at(0), 10)
	require.NoError(t, err)
	assert.Zero(t, n, "every tenant has an entry")
	assert.Equal(t, []string{"a", "b", "c"}, due(at(0), 10))
	assert.Equal(t, []string{"a", "b"}, due(at(0), 2), "limit")
	assert.Empty(t, due(at(-1), 10), "nothing is due before its time")

	// Setting needs the version read.
	a := entry("a")
	assert.True(t, a.At.Equal(at(0)))
	ok, err = idx.SetDue(ctx, "a", a.Version, at(60))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = idx.SetDue(ctx, "a", a.Version, at(120))
	require.NoError(t, err)
	assert.False(t, ok, "a stale version sets nothing")
	assert.True(t, entry("a").At.Equal(at(60)))
	assert.Equal(t, []string{"b", "c"}, due(at(30), 10))
	assert.Equal(t, []string{"b", "c", "a"}, due(at(60), 10), "earliest first")

	// Lowering never raises.
	require.NoError(t, idx.LowerDue(ctx, "a", at(90)))
	assert.True(t, entry("a").At.Equal(at(60)), "a later time leaves the entry")
	require.NoError(t, idx.LowerDue(ctx, "a", at(10)))
	assert.True(t, entry("a").At.Equal(at(10)))

	// A lowering after the entry was read wins over setting it.
	a = entry("a")
	require.NoError(t, idx.LowerDue(ctx, "a", at(5)))
	ok, err = idx.SetDue(ctx, "a", a.Version, at(300))
	require.NoError(t, err)
	assert.False(t, ok, "lowered since read")
	assert.True(t, entry("a").At.Equal(at(5)))

	// A tenant without an entry gets one by lowering; a missing entry is
	// not set.
	newTenant(t, s, "d")
	ok, err = idx.SetDue(ctx, "d", 1, at(0))
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, idx.LowerDue(ctx, "d", at(7)))
	assert.True(t, entry("d").At.Equal(at(7)))

	// Deleting a tenant removes its entry.
	require.NoError(t, s.DeleteTenant(ctx, "b"))
	assert.Equal(t, []string{"c", "a", "d"}, due(at(1<<20), 10))
}

// testDueObjects checks a due index told which objects hold due work
// ([store.DueObjects]): writes of other records leave a raised entry
// where it is; a write of one of them (insert, update, delete) or of an
// object definition makes the tenant due.
func testDueObjects(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	idx, ok := s.(store.DueIndex)
	named, ok2 := s.(store.DueObjects)
	if !ok || !ok2 {
		t.Skip("skipped: the store keeps no due index or does not tell writes apart (store.DueObjects is optional)")
	}
	ts := newTenant(t, s, "a")
	queue, plain := dealObject(), itemObject()
	saveObject(t, ts, queue, 1)
	saveObject(t, ts, plain, 1)
	named.SetDueObjects([]string{queue.Name})
	later := base.Add(time.Hour)
	// raise raises the tenant's entry to later, as the worker does after
	// a visit.
	raise := func() {
		t.Helper()
		entries, err := idx.DueTenants(ctx, base, 10)
		require.NoError(t, err)
		require.Len(t, entries, 1, "the tenant is due")
		ok, err := idx.SetDue(ctx, "a", entries[0].Version, later)
		require.NoError(t, err)
		require.True(t, ok)
	}
	due := func() bool {
		t.Helper()
		entries, err := idx.DueTenants(ctx, base, 10)
		require.NoError(t, err)
		return len(entries) == 1
	}
	raise()
	insert(t, ts, plain, record("p1", 0, map[string]any{"name": "bolt"}))
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		rec := record("p1", 0, map[string]any{"name": "nut"})
		rec.Version = 2
		return tx.Update(ctx, plain, rec, 1)
	}))
	assert.False(t, due(), "writes of other records leave the entry")

	insert(t, ts, queue, record("q1", 0, map[string]any{"amount": 5.0}))
	assert.True(t, due(), "an insert into a named object makes the tenant due")
	raise()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		rec := record("q1", 0, map[string]any{"amount": 6.0})
		rec.Version = 2
		return tx.Update(ctx, queue, rec, 1)
	}))
	assert.True(t, due(), "an update of one")
	raise()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, queue, "q1") }))
	assert.True(t, due(), "a delete of one")
	raise()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, plain, record("p2", 0, map[string]any{"name": "washer"})); err != nil {
			return err
		}
		return tx.Insert(ctx, queue, record("q2", 0, map[string]any{"amount": 1.0}))
	}))
	assert.True(t, due(), "a transaction writing both")
	raise()
	saveObject(t, ts, plain, 2)
	assert.True(t, due(), "a saved object definition")
	raise()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.BumpMetaRevision(ctx) }))
	assert.True(t, due(), "a raised metadata revision")

	// A failed transaction adds nothing.
	raise()
	require.Error(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, plain, record("p3", 0, map[string]any{"name": "pin"})); err != nil {
			return err
		}
		return errors.New("refused")
	}))
	assert.False(t, due())
}
