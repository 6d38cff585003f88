package server

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/internal/testkit"
)

// A limiter remembers at most maxBuckets keys; new keys beyond share the
// overflow bucket, and known clients keep their own (issue 13, item 1).
func TestLimiter_Bounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{Per: 1, Burst: 5}, func() time.Time { return now })
	ok, _ := l.take(t.Context(), "known")
	assert.True(t, ok)
	for i := range maxBuckets + 5_000 {
		l.take(t.Context(), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	assert.LessOrEqual(t, len(l.buckets), maxBuckets+1)
	ok, _ = l.take(t.Context(), "known")
	assert.True(t, ok, "a known client keeps its bucket")
	ok, _ = l.take(t.Context(), "203.0.113.250")
	assert.False(t, ok, "a new client under a flood shares the spent overflow bucket")

	now = now.Add(2 * time.Minute)
	ok, _ = l.take(t.Context(), "203.0.113.250")
	assert.True(t, ok, "idle buckets are dropped, so new clients get their own again")
	assert.Less(t, len(l.buckets), 10)
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ name, ip, key string }{
		{"IPv4", "203.0.113.7", "203.0.113.7"},
		{"IPv6 by its /64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"another address of the same /64", "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"IPv4-mapped", "::ffff:203.0.113.7", "::ffff:203.0.113.7"},
		{"not an address", "garbage", "garbage"},
	}
	for _, s := range scenarios {
		assert.Equal(t, s.key, clientKey(s.ip), s.name)
	}
}

// Two servers on one database admit a client's Burst together, not each
// (issue 21): their limiters count in the store's shared counters, and a
// refused client is refused without asking the store again until its
// wait is over.
func TestLimiter_SharedAcrossServers(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := testkit.NewShared(nil)
	log := slog.New(slog.DiscardHandler)
	a := sharedLimiter(Rate{Per: 5, Burst: 10}, clock, shared, "ip", log)
	b := sharedLimiter(Rate{Per: 5, Burst: 10}, clock, shared, "ip", log)
	admitted := 0
	for i := range 40 {
		l := a
		if i%2 == 1 {
			l = b
		}
		if ok, _ := l.take(t.Context(), "203.0.113.7"); ok {
			admitted++
		}
	}
	assert.Equal(t, 10, admitted, "the burst across both, not twice it")
	ok, wait := a.take(t.Context(), "203.0.113.7")
	assert.False(t, ok)
	assert.Positive(t, wait)
	ok, _ = b.take(t.Context(), "198.51.100.1")
	assert.True(t, ok, "another client has its own count")

	now = now.Add(2 * time.Second) // the next window: the last one weighs fully
	ok, _ = a.take(t.Context(), "203.0.113.7")
	assert.False(t, ok, "a sliding window: the last window's count still weighs")
	now = now.Add(time.Second) // half into this window: half of the last one weighs
	admitted = 0
	for range 20 {
		if ok, _ := b.take(t.Context(), "203.0.113.7"); ok {
			admitted++
		}
	}
	assert.Equal(t, 5, admitted, "room again as the last window slides away")

	shared.Fail(true)
	ok, _ = a.take(t.Context(), "192.0.2.9")
	assert.True(t, ok, "a store that does not answer leaves each server its own bucket")
}

// A server takes a tenth of the burst from the shared count at a time and
// spends it from memory: fewer round trips, and never more admitted than
// the burst across servers.
func TestLimiter_SharedGrants(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := &countingShared{Shared: testkit.NewShared(nil)}
	log := slog.New(slog.DiscardHandler)
	a := sharedLimiter(Rate{Per: 50, Burst: 100}, clock, shared, "key", log)
	b := sharedLimiter(Rate{Per: 50, Burst: 100}, clock, shared, "key", log)
	admitted := 0
	for i := range 300 {
		l := a
		if i%3 == 2 {
			l = b
		}
		if ok, _ := l.take(t.Context(), "acme|key1"); ok {
			admitted++
		}
	}
	assert.LessOrEqual(t, admitted, 100, "never more than the burst across both")
	assert.GreaterOrEqual(t, admitted, 80, "at most a tenth a server lost")
	assert.Less(t, shared.calls, 40, "a round trip per grant, not per request (%d calls)", shared.calls)
}

// countingShared counts the calls of the shared counters.
type countingShared struct {
	*testkit.Shared
	calls int
}

func (c *countingShared) AddCount(ctx context.Context, key string, window time.Duration, at time.Time, n int64) (int64, int64, error) {
	c.calls++
	return c.Shared.AddCount(ctx, key, window, at, n)
}
