package engine

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/crmkit/crm/store"
)

// Several servers on one database (a MongoDB that two or three `crm
// serve` processes share) keep what must hold across all of them in the
// store, through its optional capabilities:
//
//   - store.Counters: the sign-in throttle (five failures of a user lock
//     its sign-in on every server), each tenant's aggregation budget and
//     the guesses of guarded unique fields (guesses.go); the server's
//     rate limits use them too (internal/server);
//   - store.Leases: each piece of background work (an outbox entry, a
//     timer, a job's batch, a scheduled script's run) is taken by one
//     process at a time, under a lease that ends by itself, so that the
//     work of a server killed mid-way is taken again.
//
// A store without them (SQLite, whose files one process alone opens) keeps
// the throttle and budget in this process's memory and needs no leases.
// When the store fails to answer, the throttle and budget fall back to
// this process's memory (logged at most once a minute) rather than
// refusing everyone; a lease that cannot be taken is not taken (the work
// waits for the next pass).
type shared struct {
	counters store.Counters // nil: this process alone
	leases   store.Leases   // nil: this process alone
	// owner names this process in the leases it takes: a new one every
	// start, so that a restarted server waits for its old leases too.
	owner string
	// lease is Config.WorkLease.
	lease time.Duration

	mu        sync.Mutex
	failedLog time.Time
}

func newShared(s store.Store, lease time.Duration) *shared {
	sh := &shared{lease: lease}
	if sh.lease <= 0 {
		sh.lease = time.Minute
	}
	sh.counters, _ = s.(store.Counters)
	sh.leases, _ = s.(store.Leases)
	host, _ := os.Hostname()
	sh.owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), strings.ToLower(ulid.Make().String()))
	return sh
}

// unavailable logs, at most once a minute, that the store's shared
// counters did not answer.
func (e *Engine) sharedUnavailable(ctx context.Context, what string, err error) {
	e.shared.mu.Lock()
	defer e.shared.mu.Unlock()
	if now := e.now(); now.Sub(e.shared.failedLog) > time.Minute {
		e.shared.failedLog = now
		e.log.WarnContext(ctx, "shared counters unavailable; this process counts alone", "what", what, "err", err)
	}
}

// signInLocked reports whether key's sign-in is locked: with shared
// counters, when the failures of the current and the previous window of
// signInWindow (as every server counted them) reach signInFailures, so
// that a lock lasts at least signInWindow and at most twice that.
func (e *Engine) signInLocked(ctx context.Context, key string, now time.Time) bool {
	if c := e.shared.counters; c != nil {
		cur, prev, err := c.AddCount(ctx, "signin|"+key, signInWindow, now, 0)
		if err == nil {
			return cur+prev >= signInFailures
		}
		e.sharedUnavailable(ctx, "sign-in throttle", err)
	}
	return e.signIns.locked(key, now)
}

// signInFailed counts a failed sign-in of key.
func (e *Engine) signInFailed(ctx context.Context, key string, now time.Time) {
	if c := e.shared.counters; c != nil {
		_, _, err := c.AddCount(ctx, "signin|"+key, signInWindow, now, 1)
		if err == nil {
			return
		}
		e.sharedUnavailable(ctx, "sign-in throttle", err)
	}
	e.signIns.fail(key, now)
}

// takeRows charges an aggregation's rows to the tenant's budget of
// records a minute; false with the wait when too few are left. With
// shared counters the budget is the tenant's on every server: a sliding
// minute estimated from this minute's count and the last's, and a refused
// charge is given back.
func (e *Engine) takeRows(ctx context.Context, tenant string, rows int64, now time.Time) (bool, time.Duration) {
	if c := e.shared.counters; c != nil {
		ok, wait, err := slidingTake(ctx, c, "rows|"+tenant, time.Minute, float64(e.aggregatePerMinute), rows, now)
		if err == nil {
			return ok, wait
		}
		e.sharedUnavailable(ctx, "aggregation budget", err)
	}
	return e.aggregates.take(tenant, rows, now)
}

// takeGuess spends a guess of key (guesses.go): with shared counters,
// while the guesses of the last hour, as every server counted them (a
// sliding hour estimated from this hour's and the last's), stay within
// Config.UniqueGuesses; a refused guess is given back.
func (e *Engine) takeGuess(ctx context.Context, key string, now time.Time) (bool, time.Duration) {
	if c := e.shared.counters; c != nil {
		ok, wait, err := slidingTake(ctx, c, "guess|"+key, time.Hour, float64(e.guesses.perHour), 1, now)
		if err == nil {
			return ok, wait
		}
		e.sharedUnavailable(ctx, "unique guesses", err)
	}
	return e.guesses.take(key, now)
}

// slidingTake adds n to key's count in window-long windows and keeps it
// when the sliding estimate (this window's count and the share of the
// last one still within a window's length of now) stays within limit;
// otherwise it gives n back and says how long until n would fit, if this
// window's count alone leaves room, or until the window's end.
func slidingTake(ctx context.Context, c store.Counters, key string, window time.Duration, limit float64, n int64, now time.Time) (bool, time.Duration, error) {
	cur, prev, err := c.AddCount(ctx, key, window, now, n)
	if err != nil {
		return false, 0, err
	}
	into := now.Sub(store.WindowStart(now, window))
	if float64(prev)*(1-float64(into)/float64(window))+float64(cur) <= limit {
		return true, 0, nil
	}
	if _, _, err := c.AddCount(ctx, key, window, now, -n); err != nil {
		return false, 0, fmt.Errorf("give back %d of %s: %w", n, key, err)
	}
	wait := window - into
	if rest := limit - float64(cur); prev > 0 && rest >= 0 {
		wait = time.Duration((1-rest/float64(prev))*float64(window)) - into
	}
	return false, max(wait, time.Second), nil
}

// lease takes the lease called name for this process for at least ttl,
// renewing it if this process holds it; false when another server holds
// it. Without shared leases (one process alone on its database) it is
// always this process's.
func (e *Engine) lease(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	l := e.shared.leases
	if l == nil {
		return true, nil
	}
	ok, err := l.TakeLease(ctx, name, e.shared.owner, ttl, e.now())
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	return ok, nil
}
