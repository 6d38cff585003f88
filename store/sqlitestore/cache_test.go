package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/store/storetest"
)

// TestStore_ConformanceOneOpenTenant runs the conformance suite with room
// for one open tenant database: every switch between tenants closes one
// file and opens another.
func TestStore_ConformanceOneOpenTenant(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t testing.TB) store.Store {
		s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir(), Synchronous: "NORMAL", ReadConns: 2, CacheKiB: 1024, OpenTenants: 1})
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		return s
	})
}

func newSmallCache(t *testing.T, dir string, open int) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL", ReadConns: 2, CacheKiB: 1024, OpenTenants: open})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestStore_TenantCacheBounded has 20 tenants doing reads, writes and
// transactions at once through a cache of two open databases: every
// write lands in its own tenant, the counts add up, and once nothing is
// held no more than two databases are open.
func TestStore_TenantCacheBounded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newSmallCache(t, t.TempDir(), 2)
	const tenants, workers, rounds = 20, 16, 15
	obj := counterObject()
	handles := make([]store.TenantStore, tenants)
	for i := range tenants {
		id := fmt.Sprintf("t%02d", i)
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: id, Name: id, CreatedAt: now}))
		ts, err := s.Tenant(ctx, id)
		require.NoError(t, err)
		saveObject(t, ts, obj)
		handles[i] = ts
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				i := (w*7 + r*3) % tenants
				ts := handles[i]
				id := fmt.Sprintf("w%d-r%d", w, r)
				// A transaction that reads, writes and reads its write.
				err := ts.WithTx(ctx, func(tx store.Tx) error {
					if _, err := tx.Count(ctx, obj, nil); err != nil {
						return err
					}
					if err := tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now,
						Data: map[string]any{"n": int64(i), "code": id}}); err != nil {
						return err
					}
					_, err := tx.Get(ctx, obj, id)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("tenant %d: %w", i, err)
					continue
				}
				// A read outside the transaction, on another tenant too.
				if _, err := ts.Get(ctx, obj, id); err != nil {
					errs <- fmt.Errorf("read back in tenant %d: %w", i, err)
				}
				if _, err := handles[(i+1)%tenants].Count(ctx, obj, nil); err != nil {
					errs <- fmt.Errorf("count in tenant %d: %w", (i+1)%tenants, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	want := make([]int64, tenants)
	for w := range workers {
		for r := range rounds {
			want[(w*7+r*3)%tenants]++
		}
	}
	for i, ts := range handles {
		n, err := ts.Count(ctx, obj, &store.Filter{Field: "n", Op: store.OpEq, Value: int64(i)})
		require.NoError(t, err)
		assert.Equal(t, want[i], n, "tenant %d", i)
		all, err := ts.Count(ctx, obj, nil)
		require.NoError(t, err)
		assert.Equal(t, want[i], all, "tenant %d holds only its own records", i)
	}
	st := s.CacheStats()
	assert.LessOrEqual(t, st.Open, 2)
	assert.Zero(t, st.Held)
	assert.Positive(t, st.Evictions)
}

// TestStore_TenantReopened evicts a tenant's database and reads it
// again: the data is there, counted as a second open.
func TestStore_TenantReopened(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s := newSmallCache(t, dir, 1)
	obj := counterObject()
	for _, id := range []string{"a", "b"} {
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: id, CreatedAt: now}))
	}
	a, err := s.Tenant(ctx, "a")
	require.NoError(t, err)
	saveObject(t, a, obj)
	require.NoError(t, a.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, obj, store.Record{ID: "r1", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"n": int64(1)}})
	}))
	b, err := s.Tenant(ctx, "b")
	require.NoError(t, err)
	_, err = b.MetaRevision(ctx) // evicts a
	require.NoError(t, err)
	before := s.CacheStats()
	assert.Equal(t, 1, before.Open)
	rec, err := a.Get(ctx, obj, "r1")
	require.NoError(t, err)
	assert.EqualValues(t, 1, rec.Data["n"])
	after := s.CacheStats()
	assert.Equal(t, before.Opens+1, after.Opens)
	// The file was closed cleanly: its write-ahead log was checkpointed
	// into it and removed.
	_, err = os.Stat(filepath.Join(dir, "tenants", "b.db-wal"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestStore_TransactionHoldsTenant keeps a transaction open on one tenant
// while others are used through a cache of one: the held database is not
// closed under the transaction, which commits.
func TestStore_TransactionHoldsTenant(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newSmallCache(t, t.TempDir(), 1)
	obj := counterObject()
	handles := map[string]store.TenantStore{}
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: id, CreatedAt: now}))
		ts, err := s.Tenant(ctx, id)
		require.NoError(t, err)
		saveObject(t, ts, obj)
		handles[id] = ts
	}
	require.NoError(t, handles["a"].WithTx(ctx, func(tx store.Tx) error {
		for _, id := range []string{"b", "c", "b"} {
			if _, err := handles[id].Count(ctx, obj, nil); err != nil {
				return err
			}
		}
		assert.Equal(t, 1, s.CacheStats().Held)
		return tx.Insert(ctx, obj, store.Record{ID: "r1", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{}})
	}))
	n, err := handles["a"].Count(ctx, obj, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	assert.LessOrEqual(t, s.CacheStats().Open, 1)
}

// TestStore_DeleteHeldTenant deletes a tenant while a transaction holds
// its database: the deletion waits for the transaction, then the
// tenant's handle finds nothing, and a tenant made again under the id
// starts empty.
func TestStore_DeleteHeldTenant(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newSmallCache(t, t.TempDir(), 4)
	obj := counterObject()
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	a, err := s.Tenant(ctx, "a")
	require.NoError(t, err)
	saveObject(t, a, obj)
	inTx, deleted := make(chan struct{}), make(chan error, 1)
	require.NoError(t, a.WithTx(ctx, func(tx store.Tx) error {
		go func() {
			<-inTx
			deleted <- s.DeleteTenant(ctx, "a")
		}()
		close(inTx)
		for s.CacheStats().Open != 0 { // the deletion took it out of the cache
			time.Sleep(time.Millisecond)
		}
		select {
		case err := <-deleted:
			return fmt.Errorf("deletion did not wait for the transaction: %v", err)
		default:
		}
		return tx.Insert(ctx, obj, store.Record{ID: "r1", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{}})
	}))
	require.NoError(t, <-deleted)
	_, err = a.Count(ctx, obj, nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Tenant(ctx, "a")
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	objs, err := a.Objects(ctx)
	require.NoError(t, err)
	assert.Empty(t, objs, "a tenant made again under the id starts empty")
}

// TestStore_DeleteTenantGivesUp stops waiting for a holder when the
// deletion's context ends: the tenant stays, whole.
func TestStore_DeleteTenantGivesUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newSmallCache(t, t.TempDir(), 4)
	obj := counterObject()
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "a", CreatedAt: now}))
	a, err := s.Tenant(ctx, "a")
	require.NoError(t, err)
	saveObject(t, a, obj)
	require.NoError(t, a.WithTx(ctx, func(tx store.Tx) error {
		dctx, cancel := context.WithCancel(ctx)
		deleted := make(chan error, 1)
		go func() { deleted <- s.DeleteTenant(dctx, "a") }()
		for s.CacheStats().Open != 0 { // the deletion waits for this transaction
			time.Sleep(time.Millisecond)
		}
		cancel()
		err := <-deleted
		if err == nil || !strings.Contains(err.Error(), "holders") {
			return fmt.Errorf("deletion with an ended context: %v", err)
		}
		return tx.Insert(ctx, obj, store.Record{ID: "r1", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{}})
	}))
	n, err := a.Count(ctx, obj, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

// TestStore_CloseWhileOpening closes the store while goroutines open
// tenants: nothing panics or leaks, and later calls say the store is
// closed.
func TestStore_CloseWhileOpening(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL", ReadConns: 1, OpenTenants: 2})
	require.NoError(t, err)
	handles := make([]store.TenantStore, 8)
	for i := range handles {
		id := fmt.Sprintf("t%d", i)
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: id, CreatedAt: now}))
		handles[i], err = s.Tenant(ctx, id)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 20 {
				_, _ = handles[(i+j)%len(handles)].MetaRevision(ctx)
			}
		})
	}
	require.NoError(t, s.Close())
	wg.Wait()
	_, err = handles[0].MetaRevision(ctx)
	require.ErrorContains(t, err, "closed")
}
