package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// waitFor waits until the gate has n waiters (no timing is asserted: the
// deadline only keeps a broken gate from hanging the test).
func waitFor(t *testing.T, g *readGate, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return g.waiting() == n }, 30*time.Second, time.Millisecond,
		"want %d waiters", n)
}

func TestReadGate_LetsInAsManyAsSlotsThenInArrivalOrder(t *testing.T) {
	g := newReadGate(2)
	ctx := context.Background()
	require.NoError(t, g.enter(ctx, laneRead))
	require.NoError(t, g.enter(ctx, laneRead))
	assert.Equal(t, 0, g.waiting())

	// Five more arrive one after the other; each must wait.
	got := make(chan int, 5)
	for i := range 5 {
		go func() {
			if err := g.enter(ctx, laneRead); err == nil {
				got <- i
			}
		}()
		waitFor(t, g, i+1)
	}
	select {
	case i := <-got:
		t.Fatalf("waiter %d entered while both slots were held", i)
	default:
	}
	// Each slot given back lets in the oldest waiter, and only one.
	for want := range 5 {
		g.leave(laneRead, 0)
		assert.Equal(t, want, <-got)
		assert.Equal(t, 4-want, g.waiting())
	}
	// The last two in leave: both slots are free again.
	g.leave(laneRead, 0)
	g.leave(laneRead, 0)
	assert.Equal(t, 2, g.free)
}

// A read whose request is due sooner goes ahead of reads queued before
// it; reads due at the same time keep their order; a read without a
// deadline ranks as due noDeadlineHorizon from when it came.
func TestReadGate_FirstDueFirstIn(t *testing.T) {
	g := newReadGate(1)
	bg := context.Background()
	require.NoError(t, g.enter(bg, laneRead))

	now := time.Now()
	at := func(d time.Duration) context.Context {
		ctx, cancel := context.WithDeadline(bg, now.Add(d))
		t.Cleanup(cancel)
		return ctx
	}
	arrivals := []struct {
		name string
		ctx  context.Context
	}{
		{"late", at(time.Hour)},
		{"no deadline", bg},
		{"soon 1", at(10 * time.Minute)},
		{"soon 2", at(10 * time.Minute)},
		{"sooner", at(5 * time.Minute)},
		{"soon 3", at(10 * time.Minute)},
	}
	got := make(chan string, len(arrivals))
	for i, a := range arrivals {
		go func() {
			if err := g.enter(a.ctx, laneRead); err == nil {
				got <- a.name
			}
		}()
		waitFor(t, g, i+1)
	}
	var order []string
	for range arrivals {
		g.leave(laneRead, 0)
		order = append(order, <-got)
	}
	assert.Equal(t, []string{"no deadline", "sooner", "soon 1", "soon 2", "soon 3", "late"}, order)
	g.leave(laneRead, 0)
	assert.Equal(t, 1, g.free)
}

// Gets by id wait in their own lane; while both lanes have waiters, a
// slot goes to the lane that has held the readers for less time.
func TestReadGate_LanesShareTheReadersTime(t *testing.T) {
	type arrival struct {
		name string
		lane lane
	}
	// run queues arrivals behind a slot held by a read of lane first,
	// then gives a slot back each time one enters (the read in it having
	// held it for cost of its lane), and returns the order they entered.
	run := func(t *testing.T, first lane, arrivals []arrival, cost [2]time.Duration) []string {
		g := newReadGate(1)
		bg := context.Background()
		require.NoError(t, g.enter(bg, first))
		got := make(chan arrival, len(arrivals))
		for i, a := range arrivals {
			go func() {
				if err := g.enter(bg, a.lane); err == nil {
					got <- a
				}
			}()
			waitFor(t, g, i+1)
		}
		var order []string
		held := first
		for range arrivals {
			g.leave(held, cost[held])
			a := <-got
			order = append(order, a.name)
			held = a.lane
		}
		g.leave(held, cost[held])
		assert.Equal(t, 1, g.free)
		return order
	}
	page := func(n string) arrival { return arrival{"page " + n, laneRead} }
	get := func(n string) arrival { return arrival{"get " + n, lanePoint} }
	costs := [2]time.Duration{laneRead: 10 * time.Millisecond, lanePoint: time.Millisecond}

	t.Run("gets do not wait for every page queued", func(t *testing.T) {
		order := run(t, laneRead, []arrival{page("1"), page("2"), page("3"), get("1"), get("2"), get("3")}, costs)
		assert.Equal(t, []string{"get 1", "get 2", "get 3", "page 1", "page 2", "page 3"}, order)
	})
	t.Run("pages keep their share however many gets come", func(t *testing.T) {
		arrivals := []arrival{page("1"), page("2")}
		for i := range 24 {
			arrivals = append(arrivals, get(fmt.Sprint(i+1)))
		}
		order := run(t, laneRead, arrivals, costs)
		// The page before held 10 ms: ten gets (1 ms each) make it even,
		// the eleventh goes on the tie, then a page.
		assert.Equal(t, "page 1", order[11], "order %v", order)
		assert.Equal(t, "page 2", order[22], "order %v", order)
	})
	t.Run("one lane alone keeps its order", func(t *testing.T) {
		order := run(t, lanePoint, []arrival{page("1"), page("2"), page("3")}, costs)
		assert.Equal(t, []string{"page 1", "page 2", "page 3"}, order)
	})
}

func TestReadGate_WaiterWhoseContextEndsLeavesTheQueue(t *testing.T) {
	g := newReadGate(1)
	require.NoError(t, g.enter(context.Background(), laneRead))

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { first <- g.enter(ctx, laneRead) }()
	waitFor(t, g, 1)
	second := make(chan error, 1)
	go func() { second <- g.enter(context.Background(), laneRead) }()
	waitFor(t, g, 2)

	cancel()
	err := <-first
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, g.waiting(), "the cancelled read left the queue")

	// The slot goes to the second waiter, not to the one that left.
	g.leave(laneRead, 0)
	require.NoError(t, <-second)
	g.leave(laneRead, 0)
	assert.Equal(t, 1, g.free)
	assert.Equal(t, 0, g.waiting())
}

func TestReadGate_ExpiredContextDoesNotQueue(t *testing.T) {
	g := newReadGate(1)
	require.NoError(t, g.enter(context.Background(), laneRead))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.enter(ctx, laneRead), context.Canceled)
	assert.Equal(t, 0, g.waiting())
	g.leave(laneRead, 0)
	assert.Equal(t, 1, g.free)
}

// Many reads, some giving up while they wait (also just as a slot is
// handed to them): no slot is lost or made up, and never more than the
// slots are inside at once.
func TestReadGate_NoSlotLostWhenWaitersGiveUp(t *testing.T) {
	const slots = 2
	g := newReadGate(slots)
	var (
		mu     sync.Mutex
		inside int
		most   int
		wg     sync.WaitGroup
	)
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if i%3 == 0 {
				go cancel()
			}
			if err := g.enter(ctx, lane(i%2)); err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("enter: %v", err)
				}
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			mu.Lock()
			inside--
			mu.Unlock()
			g.leave(lane(i%2), time.Duration(i))
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, most, slots)
	assert.Equal(t, slots, g.free)
	assert.Equal(t, 0, g.waiting())
}

// Through the store: a read waiting for a reader gives up with its
// context, with an error that says so, and the next read is served.
func TestTenantRead_WaitingForAReaderEndsWithTheContext(t *testing.T) {
	ts := acmeTenant(t)
	obj := planDeal()
	now := time.Now()
	bg := context.Background()
	require.NoError(t, ts.WithTx(bg, func(tx store.Tx) error {
		if err := tx.SaveObject(bg, store.ObjectDoc{Name: "deal", Version: 1, SavedAt: now}, obj); err != nil {
			return err
		}
		return tx.Insert(bg, obj, store.Record{ID: "d1", Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "u", UpdatedBy: "u", Data: map[string]any{"name": "one"}})
	}))
	db := ts.(*tenantStore).testDB(t)
	slots := db.gate.free
	for range slots { // every reader is busy
		require.NoError(t, db.gate.enter(bg, laneRead))
	}

	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() {
		_, err := ts.Find(ctx, obj, store.Query{Limit: 10})
		done <- err
	}()
	waitFor(t, db.gate, 1)
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "wait for a reader")
	assert.Equal(t, 0, db.gate.waiting())

	for range slots {
		db.gate.leave(laneRead, 0)
	}
	rec, err := ts.Get(bg, obj, "d1")
	require.NoError(t, err)
	assert.Equal(t, "one", rec.Data["name"])
	assert.Equal(t, slots, db.gate.free)
}
