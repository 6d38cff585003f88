package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

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
