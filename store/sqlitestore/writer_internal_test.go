package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// writerFixture is a store with one tenant whose deal table exists.
type writerFixture struct {
	s   *Store
	ts  *tenantStore
	obj *schema.Object
}

func newWriterFixture(t *testing.T, cfg Config) writerFixture {
	t.Helper()
	ctx := t.Context()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	s, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	pts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := planDeal()
	require.NoError(t, pts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj)
	}))
	return writerFixture{s: s, ts: pts.(*tenantStore), obj: obj}
}

func (f writerFixture) insert(ctx context.Context, tx store.Tx, id string) error {
	now := time.Now()
	return tx.Insert(ctx, f.obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"name": id}})
}

// exists reads id outside any transaction (what is committed).
func (f writerFixture) exists(t *testing.T, id string) bool {
	t.Helper()
	_, err := f.ts.Get(t.Context(), f.obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	require.NoError(t, err)
	return true
}

// hold starts a write that blocks the writer until the returned function
// is called, and waits until it runs; the writes queued meanwhile join
// its batch.
func (f writerFixture) hold(t *testing.T, id string) (release func() error) {
	t.Helper()
	running, proceed := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- f.ts.WithTx(context.Background(), func(tx store.Tx) error {
			close(running)
			<-proceed
			return f.insert(context.Background(), tx, id)
		})
	}()
	<-running
	return func() error {
		close(proceed)
		return <-done
	}
}

// waitQueued waits until n writes wait in the writer's queue.
func (f writerFixture) waitQueued(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(f.ts.testDB(t).writes.reqs) == n }, 30*time.Second, time.Millisecond)
}

// TestGroupCommit_OneCommitIsolatedFailures queues writes behind one that
// holds the writer, so that they share its transaction: the ones that
// fail (error, panic, unique violation, cancelled context) fail alone,
// leave nothing behind, and the others commit together in one commit.
func TestGroupCommit_OneCommitIsolatedFailures(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	f.ts.testDB(t).writes.maxTime = time.Hour // the batch ends when the queue is empty
	commits := f.ts.testDB(t).writes.commits.Load()
	release := f.hold(t, "first")

	type outcome struct {
		err      error
		panicked any
	}
	kinds := []string{"ok", "error", "panic", "unique", "cancelled", "sees-earlier", "nested"}
	results := make([]outcome, len(kinds))
	var wg sync.WaitGroup
	for i, kind := range kinds {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		wg.Go(func() {
			defer func() { results[i].panicked = recover() }() // in the caller's goroutine
			results[i].err = f.ts.WithTx(ctx, func(tx store.Tx) error {
				id := "w-" + kind
				if err := f.insert(ctx, tx, id); err != nil {
					return err
				}
				switch kind {
				case "error":
					return errors.New("invalid")
				case "panic":
					panic("boom")
				case "unique":
					return f.insert(ctx, tx, "first") // the held write's id: conflict
				case "cancelled":
					cancel()
					return f.insert(ctx, tx, id+"-2")
				case "sees-earlier":
					// Written by "first" and "ok", earlier in the batch, not
					// by "error", rolled back.
					for _, want := range []struct {
						id     string
						exists bool
					}{{"first", true}, {"w-ok", true}, {"w-error", false}, {"w-panic", false}} {
						_, err := tx.Get(ctx, f.obj, want.id)
						if want.exists != (err == nil) {
							return fmt.Errorf("%s: exists %v, got %v", want.id, want.exists, err)
						}
					}
				case "nested":
					sp := tx.(store.Savepointer)
					if err := sp.Savepoint(ctx, "inner"); err != nil {
						return err
					}
					if err := f.insert(ctx, tx, "w-nested-undone"); err != nil {
						return err
					}
					if err := sp.RollbackTo(ctx, "inner"); err != nil {
						return err
					}
				}
				return nil
			})
		})
		f.waitQueued(t, i+1) // queue in kinds' order
	}
	require.NoError(t, release())
	wg.Wait()

	for i, kind := range kinds {
		switch kind {
		case "ok", "sees-earlier", "nested":
			assert.NoError(t, results[i].err, kind)
			assert.Nil(t, results[i].panicked, kind)
			assert.True(t, f.exists(t, "w-"+kind), kind)
		case "panic":
			assert.Equal(t, "boom", results[i].panicked, "the panic is raised again in its caller")
			assert.False(t, f.exists(t, "w-panic"))
		default:
			assert.Error(t, results[i].err, kind)
			assert.Nil(t, results[i].panicked, kind)
			assert.False(t, f.exists(t, "w-"+kind), kind)
		}
	}
	assert.ErrorIs(t, results[3].err, store.ErrConflict)
	assert.ErrorIs(t, results[4].err, context.Canceled)
	assert.False(t, f.exists(t, "w-cancelled-2"))
	assert.False(t, f.exists(t, "w-nested-undone"))
	assert.True(t, f.exists(t, "first"))
	assert.Equal(t, int64(1), f.ts.testDB(t).writes.commits.Load()-commits, "the writes that succeeded shared one commit")
}

// TestGroupCommit_BrokenTransactionFailsTheBatch: a write that ends the
// transaction under the writer (here a raw ROLLBACK) takes the writes
// before it in the batch with it; none of them is acknowledged or kept,
// and the writer goes on with the next batch.
func TestGroupCommit_BrokenTransactionFailsTheBatch(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	f.ts.testDB(t).writes.maxTime = time.Hour
	release := f.hold(t, "first")
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.ts.WithTx(context.Background(), func(stx store.Tx) error {
				if err := f.insert(context.Background(), stx, fmt.Sprint("b", i)); err != nil {
					return err
				}
				if i == 1 {
					_, err := stx.(*tx).sqlTx.ExecContext(context.Background(), "ROLLBACK")
					return err
				}
				return nil
			})
		})
		f.waitQueued(t, i+1)
	}
	assert.Error(t, release(), "the held write was in the rolled-back transaction")
	wg.Wait()
	assert.Error(t, errs[0])
	assert.Error(t, errs[1])
	for _, id := range []string{"first", "b0", "b1"} {
		assert.False(t, f.exists(t, id), id)
	}
	// b2 came after the break: a new transaction.
	assert.NoError(t, errs[2])
	assert.True(t, f.exists(t, "b2"))
	require.NoError(t, f.ts.WithTx(t.Context(), func(tx store.Tx) error { return f.insert(t.Context(), tx, "after") }))
	assert.True(t, f.exists(t, "after"))
}

// TestGroupCommit_CancelWhileQueued: a caller whose context ends while
// its write waits in the queue returns at once, and its write never runs.
func TestGroupCommit_CancelWhileQueued(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	release := f.hold(t, "first")
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error, 1)
	go func() {
		done <- f.ts.WithTx(ctx, func(tx store.Tx) error { ran = true; return nil })
	}()
	f.waitQueued(t, 1)
	cancel()
	err := <-done // before the held write ends
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, release())
	require.NoError(t, f.ts.WithTx(t.Context(), func(tx store.Tx) error { return nil })) // after the skipped one
	assert.False(t, ran)
}

// TestGroupCommit_Goexit: a write that ends its goroutine (t.FailNow in a
// test's fn) fails, its batch is rolled back, and writing goes on.
func TestGroupCommit_Goexit(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	err := f.ts.WithTx(t.Context(), func(tx store.Tx) error {
		if err := f.insert(t.Context(), tx, "gone"); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	})
	assert.ErrorContains(t, err, "Goexit")
	assert.False(t, f.exists(t, "gone"))
	require.NoError(t, f.ts.WithTx(t.Context(), func(tx store.Tx) error { return f.insert(t.Context(), tx, "next") }))
	assert.True(t, f.exists(t, "next"))
}

// TestGroupCommit_CloseDrainsTheQueue: closing the store runs and commits
// the writes already queued; later ones fail with a clear error.
func TestGroupCommit_CloseDrainsTheQueue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := newWriterFixture(t, Config{Dir: dir, Synchronous: "NORMAL"})
	release := f.hold(t, "first")
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.ts.WithTx(context.Background(), func(tx store.Tx) error {
				return f.insert(context.Background(), tx, fmt.Sprint("q", i))
			})
		})
	}
	f.waitQueued(t, len(errs))
	closed := make(chan error, 1)
	go func() { closed <- f.s.Close() }()
	require.NoError(t, release())
	require.NoError(t, <-closed)
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, i)
	}
	err := f.ts.WithTx(t.Context(), func(tx store.Tx) error { return nil })
	assert.ErrorContains(t, err, "closed")

	s, err := New(Config{Dir: dir, Synchronous: "NORMAL"})
	require.NoError(t, err)
	defer s.Close()
	ts, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	for i := range errs {
		_, err := ts.Get(t.Context(), f.obj, fmt.Sprint("q", i))
		assert.NoError(t, err, "queued write %d committed before the close", i)
	}
}

// TestGroupCommit_ManyWriters: goroutines that write at once, some
// failing, some panicking, some cancelled: every acknowledged write is
// there, no failed one is, counters read and raised inside the
// transactions (one after another, as if serial) lose no update, and the
// data version moved. Run with -race.
func TestGroupCommit_ManyWriters(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	ctx := t.Context()
	before, err := f.ts.DataVersion(ctx, "deal")
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, f.ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, f.obj, store.Record{ID: "counter", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"amount": 0.0}})
	}))
	const writers, each = 24, 20
	var (
		mu                   sync.Mutex
		acked, failed        []string
		increments, panicked int
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("m%d-%d", w, i)
				ctx, cancel := context.WithCancel(context.Background())
				kind := (w + i) % 5
				var err error
				func() {
					defer func() {
						if recover() != nil {
							mu.Lock()
							panicked++
							mu.Unlock()
							err = errors.New("panicked")
						}
					}()
					err = f.ts.WithTx(ctx, func(tx store.Tx) error {
						if err := f.insert(ctx, tx, id); err != nil {
							return err
						}
						rec, err := tx.Get(ctx, f.obj, "counter")
						if err != nil {
							return err
						}
						rec.Data["amount"] = rec.Data["amount"].(float64) + 1
						next := rec
						next.Version++
						if err := tx.Update(ctx, f.obj, next, rec.Version); err != nil {
							return err
						}
						switch kind {
						case 1:
							return errors.New("invalid")
						case 2:
							panic("boom")
						case 3:
							cancel()
						}
						return nil
					})
				}()
				cancel()
				mu.Lock()
				if err == nil {
					acked = append(acked, id)
					increments++
				} else {
					failed = append(failed, id)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, acked, writers*each*2/5)
	assert.Equal(t, writers*each/5, panicked)
	for _, id := range acked {
		assert.True(t, f.exists(t, id), id)
	}
	for _, id := range failed {
		assert.False(t, f.exists(t, id), id)
	}
	rec, err := f.ts.Get(ctx, f.obj, "counter")
	require.NoError(t, err)
	assert.Equal(t, float64(increments), rec.Data["amount"], "no update lost, none of a failed write kept")
	after, err := f.ts.DataVersion(ctx, "deal")
	require.NoError(t, err)
	assert.Greater(t, after, before)
}

// TestGroupCommit_FirstWriteWithoutSavepoint: the first write of a
// transaction runs without a savepoint of the batch's. Failing, it
// rolls the transaction back and the writes queued behind it run in the
// next one, in the same batch; ending the transaction under the writer
// fails it; its own savepoints work as in any write.
func TestGroupCommit_FirstWriteWithoutSavepoint(t *testing.T) {
	t.Parallel()
	f := newWriterFixture(t, Config{Synchronous: "NORMAL"})
	w := f.ts.testDB(t).writes
	require.True(t, w.watched, "the writer sees rollbacks on its connection")
	w.maxTime = time.Hour
	commits := w.commits.Load()

	// A first write that fails, holding the writer while others queue.
	running, proceed := make(chan struct{}), make(chan struct{})
	firstErr := make(chan error, 1)
	go func() {
		firstErr <- f.ts.WithTx(context.Background(), func(tx store.Tx) error {
			close(running)
			<-proceed
			if err := f.insert(context.Background(), tx, "failed-first"); err != nil {
				return err
			}
			return errors.New("invalid")
		})
	}()
	<-running
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.ts.WithTx(context.Background(), func(tx store.Tx) error {
				return f.insert(context.Background(), tx, fmt.Sprint("behind", i))
			})
		})
		f.waitQueued(t, i+1)
	}
	close(proceed)
	require.Error(t, <-firstErr)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.False(t, f.exists(t, "failed-first"))
	assert.True(t, f.exists(t, "behind0"))
	assert.True(t, f.exists(t, "behind1"))
	assert.Equal(t, int64(1), w.commits.Load()-commits, "the two behind it shared the next transaction")

	// A lone write that ends the transaction itself is not acknowledged.
	err := f.ts.WithTx(t.Context(), func(stx store.Tx) error {
		if err := f.insert(t.Context(), stx, "ended"); err != nil {
			return err
		}
		_, err := stx.(*tx).sqlTx.ExecContext(t.Context(), "ROLLBACK")
		return err
	})
	require.Error(t, err)
	assert.False(t, f.exists(t, "ended"))

	// A lone write that rolls back a savepoint of its own commits the rest.
	require.NoError(t, f.ts.WithTx(t.Context(), func(tx store.Tx) error {
		if err := f.insert(t.Context(), tx, "kept"); err != nil {
			return err
		}
		sp := tx.(store.Savepointer)
		if err := sp.Savepoint(t.Context(), "inner"); err != nil {
			return err
		}
		if err := f.insert(t.Context(), tx, "undone"); err != nil {
			return err
		}
		return sp.RollbackTo(t.Context(), "inner")
	}))
	assert.True(t, f.exists(t, "kept"))
	assert.False(t, f.exists(t, "undone"))
}
