package engine

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func TestAggregateCache(t *testing.T) {
	t.Parallel()
	groups := []store.Group{{Keys: []any{"won"}, Values: []any{int64(3)}}}
	one := answerSize("a", groups)
	scenarios := []struct {
		name string
		run  func(t *testing.T, c *aggregateCache)
	}{
		{"an answer is kept for its version only", func(t *testing.T, c *aggregateCache) {
			c.put("a", 7, 3, groups)
			got, scanned, ok := c.get("a", 7)
			assert.True(t, ok)
			assert.Equal(t, groups, got)
			assert.Equal(t, int64(3), scanned)
			_, _, ok = c.get("a", 8)
			assert.False(t, ok, "the records changed")
			_, _, ok = c.get("a", 7)
			assert.False(t, ok, "an answer found stale is dropped")
			assert.Zero(t, c.size)
		}},
		{"the least recently used goes first", func(t *testing.T, c *aggregateCache) {
			c.max = 8 * one // eight answers of one letter's key
			for _, k := range "abcdefgh" {
				c.put(string(k), 1, 1, groups)
			}
			_, _, ok := c.get("a", 1) // a is now the most recent
			assert.True(t, ok)
			c.put("i", 1, 1, groups)
			_, _, ok = c.get("b", 1)
			assert.False(t, ok, "b was the least recently used")
			for _, k := range "acdefghi" {
				_, _, ok := c.get(string(k), 1)
				assert.True(t, ok, string(k))
			}
			assert.LessOrEqual(t, c.size, c.max)
		}},
		{"an answer too large for the bound is not kept", func(t *testing.T, c *aggregateCache) {
			c.max = 64 << 10
			big := []store.Group{{Keys: []any{strings.Repeat("x", 16<<10)}, Values: []any{int64(1)}}}
			c.put("big", 1, 1, big)
			_, _, ok := c.get("big", 1)
			assert.False(t, ok)
			assert.Zero(t, c.size)
		}},
		{"the same key again replaces the answer", func(t *testing.T, c *aggregateCache) {
			c.put("a", 1, 1, groups)
			c.put("a", 2, 5, groups)
			_, scanned, ok := c.get("a", 2)
			assert.True(t, ok)
			assert.Equal(t, int64(5), scanned)
			assert.Equal(t, answerSize("a", groups), c.size)
		}},
		{"a bound of zero or less keeps nothing", func(t *testing.T, c *aggregateCache) {
			c.max = -1
			c.put("a", 1, 1, groups)
			_, _, ok := c.get("a", 1)
			assert.False(t, ok)
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, newAggregateCache(DefaultAggregateCacheBytes))
		})
	}
}

// TestAggregateCache_OneComputation: callers that ask while an answer is
// being computed wait for it rather than computing it again; a failed
// computation leaves each waiter to compute its own.
func TestAggregateCache_OneComputation(t *testing.T) {
	t.Parallel()
	groups := []store.Group{{Keys: []any{"won"}, Values: []any{int64(3)}}}
	t.Run("waiters share the answer", func(t *testing.T) {
		t.Parallel()
		c := newAggregateCache(DefaultAggregateCacheBytes)
		release := make(chan struct{})
		var computed atomic.Int32
		compute := func() ([]store.Group, int64, error) {
			computed.Add(1)
			<-release
			return groups, 3, nil
		}
		type answer struct {
			shared bool
			err    error
		}
		answers := make(chan answer, 4)
		go func() {
			_, _, shared, err := c.compute(t.Context(), "k", 1, compute)
			answers <- answer{shared, err}
		}()
		require.Eventually(t, func() bool { return computed.Load() == 1 }, time.Minute, time.Millisecond, "the first caller computes")
		for range 3 {
			go func() {
				_, _, shared, err := c.compute(t.Context(), "k", 1, compute)
				answers <- answer{shared, err}
			}()
		}
		require.Eventually(t, func() bool { // the three wait on the flight
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, f := range c.flights {
				return f.waiters == 3
			}
			return false
		}, time.Minute, time.Millisecond)
		close(release)
		shared := 0
		for range 4 {
			a := <-answers
			require.NoError(t, a.err)
			if a.shared {
				shared++
			}
		}
		assert.Equal(t, int32(1), computed.Load(), "computed once")
		assert.Equal(t, 3, shared, "the three waiters shared the answer")
		_, _, ok := c.get("k", 1)
		assert.True(t, ok, "the answer is kept")
		assert.Empty(t, c.flights)
	})
	t.Run("a failed computation is not shared", func(t *testing.T) {
		t.Parallel()
		c := newAggregateCache(DefaultAggregateCacheBytes)
		failed := errors.New("budget spent")
		_, _, _, err := c.compute(t.Context(), "k", 1, func() ([]store.Group, int64, error) { return nil, 0, failed })
		require.ErrorIs(t, err, failed)
		_, _, ok := c.get("k", 1)
		assert.False(t, ok, "nothing is kept")
		got, _, shared, err := c.compute(t.Context(), "k", 1, func() ([]store.Group, int64, error) { return groups, 1, nil })
		require.NoError(t, err)
		assert.False(t, shared)
		assert.Equal(t, groups, got)
	})
	t.Run("a waiter's deadline ends its wait", func(t *testing.T) {
		t.Parallel()
		c := newAggregateCache(DefaultAggregateCacheBytes)
		release := make(chan struct{})
		started := make(chan struct{})
		go func() {
			_, _, _, _ = c.compute(context.Background(), "k", 1, func() ([]store.Group, int64, error) {
				close(started)
				<-release
				return groups, 1, nil
			})
		}()
		<-started
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, _, err := c.compute(ctx, "k", 1, func() ([]store.Group, int64, error) { return groups, 1, nil })
		assert.ErrorIs(t, err, context.Canceled)
		close(release)
	})
}
