package sqlitestore

import (
	"context"
	"errors"
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
	require.NoError(t, g.enter(ctx))
	require.NoError(t, g.enter(ctx))
	assert.Equal(t, 0, g.waiting())

	// Five more arrive one after the other; each must wait.
	got := make(chan int, 5)
	for i := range 5 {
		go func() {
			if err := g.enter(ctx); err == nil {
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
		g.leave()
		assert.Equal(t, want, <-got)
		assert.Equal(t, 4-want, g.waiting())
	}
	// The last two in leave: both slots are free again.
	g.leave()
	g.leave()
	assert.Equal(t, 2, g.free)
}

// A read whose request is due sooner goes ahead of reads queued before
// it; reads due at the same time keep their order; a read without a
// deadline ranks as due noDeadlineHorizon from when it came.
func TestReadGate_FirstDueFirstIn(t *testing.T) {
	g := newReadGate(1)
	bg := context.Background()
	require.NoError(t, g.enter(bg))

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
			if err := g.enter(a.ctx); err == nil {
				got <- a.name
			}
		}()
		waitFor(t, g, i+1)
	}
	var order []string
	for range arrivals {
		g.leave()
		order = append(order, <-got)
	}
	assert.Equal(t, []string{"no deadline", "sooner", "soon 1", "soon 2", "soon 3", "late"}, order)
	g.leave()
	assert.Equal(t, 1, g.free)
}

func TestReadGate_WaiterWhoseContextEndsLeavesTheQueue(t *testing.T) {
	g := newReadGate(1)
	require.NoError(t, g.enter(context.Background()))

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { first <- g.enter(ctx) }()
	waitFor(t, g, 1)
	second := make(chan error, 1)
	go func() { second <- g.enter(context.Background()) }()
	waitFor(t, g, 2)

	cancel()
	err := <-first
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, g.waiting(), "the cancelled read left the queue")

	// The slot goes to the second waiter, not to the one that left.
	g.leave()
	require.NoError(t, <-second)
	g.leave()
	assert.Equal(t, 1, g.free)
	assert.Equal(t, 0, g.waiting())
}

func TestReadGate_ExpiredContextDoesNotQueue(t *testing.T) {
	g := newReadGate(1)
	require.NoError(t, g.enter(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.enter(ctx), context.Canceled)
	assert.Equal(t, 0, g.waiting())
	g.leave()
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
			if err := g.enter(ctx); err != nil {
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
			g.leave()
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
		require.NoError(t, db.gate.enter(bg))
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
		db.gate.leave()
	}
	rec, err := ts.Get(bg, obj, "d1")
	require.NoError(t, err)
	assert.Equal(t, "one", rec.Data["name"])
	assert.Equal(t, slots, db.gate.free)
}
