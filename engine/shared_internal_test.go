package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// windowCounts is store.Counters in memory, as servers on one database
// share it.
type windowCounts map[string]int64

func (w windowCounts) AddCount(_ context.Context, key string, window time.Duration, at time.Time, n int64) (int64, int64, error) {
	start := store.WindowStart(at, window)
	k := key + start.String()
	w[k] += n
	return w[k], w[key+start.Add(-window).String()], nil
}

// slidingTake keeps a limit over a sliding window across whoever shares
// the counts: the aggregation budget, unique guesses (issue 21).
func TestSlidingTake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := windowCounts{}
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	take := func(n int64, at time.Time) (bool, time.Duration) {
		ok, wait, err := slidingTake(ctx, c, "rows|acme", time.Minute, 100, n, at)
		require.NoError(t, err)
		return ok, wait
	}
	ok, _ := take(60, at)
	assert.True(t, ok)
	ok, wait := take(50, at.Add(10*time.Second))
	assert.False(t, ok, "60 + 50 is over 100")
	assert.Equal(t, 50*time.Second, wait, "this minute alone has no room: until it ends")
	ok, _ = take(40, at.Add(20*time.Second))
	assert.True(t, ok, "a refused charge was given back: 60 + 40 fit")

	next := at.Add(time.Minute + 30*time.Second) // half of the last minute weighs: 50
	ok, _ = take(50, next)
	assert.True(t, ok, "50 + 50")
	ok, wait = take(10, next)
	assert.False(t, ok)
	assert.Equal(t, 6*time.Second, wait, "once the last minute weighs 40 or less: 10 + 50 + 40")
}
