package store

import (
	"context"
	"time"
)

// MaxCounterKey bounds the bytes of a [Counters] key.
const MaxCounterKey = 512

// Counters is an optional capability of a [Store], found by type
// assertion: counters that every process using the same database shares,
// each counting within one window of time and forgotten some time after
// the window ends. Several servers on one database keep their rate limits
// and sign-in throttles in them, so that a limit holds across all of them.
// An adapter whose database one process alone opens (SQLite) need not
// offer them: the process's own memory is as good and costs nothing.
type Counters interface {
	// AddCount adds n (which may be negative, or 0 to only read) to the
	// counter named key for the window of length window that holds at
	// (see [WindowStart]).
	// It returns the counter's value after the addition and the value of
	// the window just before, 0 for a window nothing was counted in.
	// Adding is atomic: concurrent callers in any process never lose a
	// count. window must be at least a second and key at most
	// [MaxCounterKey] bytes.
	AddCount(ctx context.Context, key string, window time.Duration, at time.Time, n int64) (cur, prev int64, err error)
}

// WindowStart is the start of the window of length window that holds at,
// as [Counters] cuts time: windows start at whole multiples of window
// since the zero time (as [time.Time.Truncate] rounds).
func WindowStart(at time.Time, window time.Duration) time.Time {
	return at.Truncate(window)
}
