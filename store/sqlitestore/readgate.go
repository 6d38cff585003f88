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
// Gets by id (one row by its key, a tenth of a millisecond) wait in a
// lane of their own, and while both lanes have waiters a freed slot goes
// to the lane that has held the readers for less time (each lane's time
// counted since the gate was last without waiters; a lane that starts
// waiting starts from the other's count, so idle time is no credit). A
// get therefore waits for the gets ahead of it and about as much page
// time as those gets take, not for every page queued; pages keep at least
// half the readers' time however many gets come.
//
// The gate lets in no more reads than the pool has connections, so it
// never makes a read wait that the pool would have served at once; the
// waiters are bounded by the reads in flight, and each waits at most
// until its context ends.
type readGate struct {
	mu   sync.Mutex
	free int // slots not held
	// lanes hold the waiters, each by due time, then arrival: the other
	// reads, then gets by id.
	lanes [2][]gateWaiter
	// used is how long each lane's reads have held a slot, since the
	// gate was last without waiters.
	used [2]time.Duration
}

// lane is a kind of read, waiting apart from the other.
type lane int

const (
	laneRead  lane = iota // any read of records
	lanePoint             // a get by id
)

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

// enter waits for a slot in lane l, in the order above, until ctx ends.
// On success the caller must call leave once.
func (g *readGate) enter(ctx context.Context, l lane) error {
	g.mu.Lock()
	if g.free > 0 { // then nobody waits: a freed slot goes to a waiter
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
	q := g.lanes[l]
	if len(q) == 0 {
		g.used[l] = max(g.used[l], g.used[1-l])
	}
	i := len(q) // after every waiter due no later (mostly the last)
	for i > 0 && q[i-1].due.After(due) {
		i--
	}
	g.lanes[l] = slices.Insert(q, i, w)
	g.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	for i, o := range g.lanes[l] {
		if o.ch == w.ch { // still waiting: leave the queue
			g.lanes[l] = slices.Delete(g.lanes[l], i, i+1)
			g.mu.Unlock()
			return ctx.Err()
		}
	}
	g.mu.Unlock()
	// Handed a slot just as ctx ended: pass it on.
	g.leave(l, 0)
	return ctx.Err()
}

// leave gives back a slot that a read of lane l held for held: to the
// first waiter of the lane that has held slots for less time if both
// lanes have waiters (gets on a tie), else to the first of the lane that
// has, else it is free.
func (g *readGate) leave(l lane, held time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used[l] += held
	reads, points := len(g.lanes[laneRead]) > 0, len(g.lanes[lanePoint]) > 0
	switch {
	case reads && points:
		l = laneRead
		if g.used[lanePoint] <= g.used[laneRead] {
			l = lanePoint
		}
	case reads:
		l = laneRead
	case points:
		l = lanePoint
	default:
		g.free++
		g.used = [2]time.Duration{}
		return
	}
	close(g.lanes[l][0].ch)
	g.lanes[l] = slices.Delete(g.lanes[l], 0, 1)
}

// waiting is how many reads wait (tests).
func (g *readGate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.lanes[laneRead]) + len(g.lanes[lanePoint])
}

// read runs fn on the reader pool once the gate lets it in (lane l).
func (d *database) read(ctx context.Context, l lane, fn func(records) error) error {
	if err := d.gate.enter(ctx, l); err != nil {
		return fmt.Errorf("wait for a reader of %s: %w", d.path, err)
	}
	start := time.Now()
	defer func() { d.gate.leave(l, time.Since(start)) }()
	return fn(d.records())
}
