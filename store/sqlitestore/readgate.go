package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// readGate lets reads of records into a database's reader pool as many
// at once as the pool has connections, the read whose request is due
// first going first.
//
// Without it, reads wait inside database/sql, which hands a freed
// connection to one of its waiters at random: with 32 clients paging
// through 2 readers, a page that loses the draw several times in a row
// waits many times as long as the others (issue 20: p99 six times p50 at
// 32 clients; a runtime trace put four fifths of the time those requests
// spent blocked in database/sql's wait for a connection). Here the
// waiters are ordered by their context's deadline: every HTTP request
// gets one when it arrives (the same timeout for all), so requests are
// served in arrival order, and a request's second read (a page's related
// records) goes ahead of requests that came after it. Reads with the same
// deadline, or without one, keep their order of arrival at the gate; a
// read without a deadline ranks as one made now with
// noDeadlineHorizon to go, so it is neither first nor overtaken forever.
//
// The gate lets in no more reads than the pool has connections, so it
// never makes a read wait that the pool would have served at once; the
// waiters are bounded by the reads in flight, and each waits at most
// until its context ends.
type readGate struct {
	mu    sync.Mutex
	free  int          // slots not held
	queue []gateWaiter // by due time, then arrival
}

// noDeadlineHorizon is when a read without a deadline counts as due: as
// the server's default request timeout.
const noDeadlineHorizon = 30 * time.Second

type gateWaiter struct {
	due time.Time
	ch  chan struct{} // closed to hand over a slot
}

func newReadGate(slots int) *readGate {
	return &readGate{free: max(slots, 1)}
}

// enter waits for a slot, in the order above, until ctx ends; on success
// the caller must call leave once.
func (g *readGate) enter(ctx context.Context) error {
	g.mu.Lock()
	if g.free > 0 && len(g.queue) == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		g.mu.Unlock()
		return err
	}
	due, ok := ctx.Deadline()
	if !ok {
		due = time.Now().Add(noDeadlineHorizon)
	}
	w := gateWaiter{due: due, ch: make(chan struct{})}
	i := len(g.queue) // after every waiter due no later (mostly the last)
	for i > 0 && g.queue[i-1].due.After(due) {
		i--
	}
	g.queue = slices.Insert(g.queue, i, w)
	g.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	for i, q := range g.queue {
		if q.ch == w.ch { // still waiting: leave the queue
			g.queue = slices.Delete(g.queue, i, i+1)
			g.mu.Unlock()
			return ctx.Err()
		}
	}
	g.mu.Unlock()
	// Handed a slot just as ctx ended: pass it on.
	g.leave()
	return ctx.Err()
}

// leave gives a slot back, to the first waiter if there is one.
func (g *readGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		close(g.queue[0].ch)
		g.queue = slices.Delete(g.queue, 0, 1)
		return
	}
	g.free++
}

// waiting is how many reads wait (tests).
func (g *readGate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// read runs fn on the reader pool once the gate lets it in.
func (d *database) read(ctx context.Context, fn func(records) error) error {
	if err := d.gate.enter(ctx); err != nil {
		return fmt.Errorf("wait for a reader of %s: %w", d.path, err)
	}
	defer d.gate.leave()
	return fn(d.records())
}
