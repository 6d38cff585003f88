package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A limiter remembers at most maxBuckets keys; new keys beyond share the
// overflow bucket, and known clients keep their own (issue 13, item 1).
func TestLimiter_Bounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{Per: 1, Burst: 5}, func() time.Time { return now })
	ok, _ := l.take("known")
	assert.True(t, ok)
	for i := range maxBuckets + 5_000 {
		l.take(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	assert.LessOrEqual(t, len(l.buckets), maxBuckets+1)
	ok, _ = l.take("known")
	assert.True(t, ok, "a known client keeps its bucket")
	ok, _ = l.take("203.0.113.250")
	assert.False(t, ok, "a new client under a flood shares the spent overflow bucket")

	now = now.Add(2 * time.Minute)
	ok, _ = l.take("203.0.113.250")
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
