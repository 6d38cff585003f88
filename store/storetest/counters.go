package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testCounters checks [store.Counters] on stores that offer it.
func testCounters(t *testing.T, newStore func(t testing.TB) store.Store, opts Options) {
	s := newStore(t)
	c, ok := s.(store.Counters)
	if !ok {
		t.Skip("skipped: this store offers no shared counters (one process alone opens its database)")
	}
	ctx := t.Context()
	at := time.Date(2024, 3, 1, 9, 0, 30, 0, time.UTC)
	add := func(key string, window time.Duration, at time.Time, n int64) (int64, int64) {
		t.Helper()
		cur, prev, err := c.AddCount(ctx, key, window, at, n)
		require.NoError(t, err)
		return cur, prev
	}

	cur, prev := add("ip:10.0.0.1", time.Minute, at, 0)
	assert.Equal(t, [2]int64{0, 0}, [2]int64{cur, prev}, "nothing counted yet")
	cur, _ = add("ip:10.0.0.1", time.Minute, at, 1)
	assert.EqualValues(t, 1, cur)
	cur, _ = add("ip:10.0.0.1", time.Minute, at.Add(20*time.Second), 2)
	assert.EqualValues(t, 3, cur, "the same window")
	cur, _ = add("ip:10.0.0.1", time.Minute, at, -1)
	assert.EqualValues(t, 2, cur, "a negative count gives back")
	cur, _ = add("ip:10.0.0.1", time.Minute, at, 0)
	assert.EqualValues(t, 2, cur, "0 only reads")

	cur, prev = add("ip:10.0.0.1", time.Minute, at.Add(time.Minute), 1)
	assert.Equal(t, [2]int64{1, 2}, [2]int64{cur, prev}, "the next window starts at 0 and reads the one before")
	cur, prev = add("ip:10.0.0.1", time.Minute, at.Add(3*time.Minute), 1)
	assert.Equal(t, [2]int64{1, 0}, [2]int64{cur, prev}, "a window with nothing before it")

	cur, prev = add("ip:10.0.0.2", time.Minute, at, 1)
	assert.Equal(t, [2]int64{1, 0}, [2]int64{cur, prev}, "keys are counted apart")
	cur, _ = add("ip:10.0.0.1", time.Hour, at, 1)
	assert.EqualValues(t, 1, cur, "windows of another length are counted apart")
	cur, _ = add("ip:10.0.0.1|60", time.Minute, at, 1)
	assert.EqualValues(t, 1, cur, "a key that ends like another key's window")

	t.Run("concurrent adds lose nothing", func(t *testing.T) {
		if opts.NoAtomicUpdates {
			t.Skip("skipped: this server loses concurrent increments of one document (an update is a read and a write); it runs against MongoDB (CRM_TEST_MONGODB_URI)")
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					_, _, err := c.AddCount(ctx, "signin:acme\x00ann", 15*time.Minute, at, 1)
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		cur, _ := add("signin:acme\x00ann", 15*time.Minute, at, 0)
		assert.EqualValues(t, 40, cur)
	})
	t.Run("bad keys and windows are refused", func(t *testing.T) {
		_, _, err := c.AddCount(ctx, "", time.Minute, at, 1)
		require.ErrorContains(t, err, "key")
		_, _, err = c.AddCount(ctx, strings.Repeat("k", store.MaxCounterKey+1), time.Minute, at, 1)
		require.ErrorContains(t, err, "key")
		_, _, err = c.AddCount(ctx, "k", time.Millisecond, at, 1)
		require.ErrorContains(t, err, "window")
	})
}
