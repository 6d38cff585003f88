package storetest

import (
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
