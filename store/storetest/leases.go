package storetest

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testLeases checks [store.Leases] on stores that offer it.
func testLeases(t *testing.T, newStore func(t testing.TB) store.Store) {
	s := newStore(t)
	l, ok := s.(store.Leases)
	if !ok {
		t.Skip("skipped: this store offers no shared leases (one process alone opens its database)")
	}
	ctx := t.Context()
	at := time.Date(2024, 3, 1, 9, 0, 30, 0, time.UTC)
	take := func(name, owner string, at time.Time) bool {
		t.Helper()
		ok, err := l.TakeLease(ctx, name, owner, time.Minute, at)
		require.NoError(t, err)
		return ok
	}

	require.True(t, take("outbox|acme|e1", "a", at), "a free lease")
	assert.False(t, take("outbox|acme|e1", "b", at.Add(time.Second)), "held by another")
	assert.True(t, take("outbox|acme|e2", "b", at), "another lease")
	assert.True(t, take("outbox|acme|e1", "a", at.Add(10*time.Second)), "its owner takes it again")
	assert.False(t, take("outbox|acme|e1", "b", at.Add(59*time.Second)), "held for at least the lease's length")
	assert.True(t, take("outbox|acme|e1", "a", at.Add(50*time.Second)), "renewed by its owner")
	assert.False(t, take("outbox|acme|e1", "b", at.Add(109*time.Second)), "a renewal holds a lease's length on")
	assert.True(t, take("outbox|acme|e1", "b", at.Add(3*time.Minute)), "an owner that stops renewing loses it")
	assert.False(t, take("outbox|acme|e1", "a", at.Add(3*time.Minute)), "now the other's")

	t.Run("one owner among many at once", func(t *testing.T) {
		for round := range 5 {
			var won atomic.Int64
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Go(func() {
					ok, err := l.TakeLease(ctx, "job|acme|j1", string(rune('a'+g)), time.Minute, at.Add(time.Duration(round)*3*time.Minute))
					assert.NoError(t, err)
					if ok {
						won.Add(1)
					}
				})
			}
			wg.Wait()
			assert.EqualValues(t, 1, won.Load(), "round %d", round)
		}
	})
	t.Run("bad names, owners and lengths are refused", func(t *testing.T) {
		_, err := l.TakeLease(ctx, "", "a", time.Minute, at)
		require.ErrorContains(t, err, "name")
		_, err = l.TakeLease(ctx, "x", strings.Repeat("o", store.MaxCounterKey+1), time.Minute, at)
		require.ErrorContains(t, err, "owner")
		_, err = l.TakeLease(ctx, "x", "a", time.Millisecond, at)
		require.ErrorContains(t, err, "second")
	})
}
