package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

var errRollback = errors.New("storetest: roll back")

func testSequences(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)

	next := func(name string) (int64, error) {
		var n int64
		err := ts.WithTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.NextSequence(ctx, name)
			return err
		})
		return n, err
	}
	n, err := next("other")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "a new sequence starts at 1")

	// 16 concurrent transactions take a number each and insert a record
	// with it; every fourth rolls back. The committed numbers are exactly
	// 1..12: a rolled-back transaction gives its number back.
	const workers = 16
	var (
		mu        sync.Mutex
		committed []int64
		wg        sync.WaitGroup
	)
	errs := make([]error, workers)
	for i := range workers {
		wg.Go(func() {
			var got int64
			err := ts.WithTx(ctx, func(tx store.Tx) error {
				n, err := tx.NextSequence(ctx, "ticket")
				if err != nil {
					return err
				}
				got = n
				if err := tx.Insert(ctx, deal, record(fmt.Sprintf("t%02d", i), 0, map[string]any{"qty": float64(n)})); err != nil {
					return err
				}
				if i%4 == 3 {
					return errRollback
				}
				return nil
			})
			if errors.Is(err, errRollback) {
				return
			}
			errs[i] = err
			mu.Lock()
			committed = append(committed, got)
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "worker %d", i)
	}
	slices.Sort(committed)
	want := make([]int64, 0, 12)
	for i := int64(1); i <= 12; i++ {
		want = append(want, i)
	}
	assert.Equal(t, want, committed)

	page, err := ts.Find(ctx, deal, store.Query{Sort: []store.Sort{{Field: "qty"}}})
	require.NoError(t, err)
	var stored []int64
	for _, r := range page.Records {
		stored = append(stored, int64(r.Data["qty"].(float64)))
	}
	assert.Equal(t, want, stored, "the records hold the same gap-free numbers")

	n, err = next("ticket")
	require.NoError(t, err)
	assert.Equal(t, int64(13), n)
	n, err = next("other")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "sequences are independent")
}

func testTransactions(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal, item := dealObject(), itemObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal,
		record("keep", 0, map[string]any{"name": "kept", "code": "K"}),
		record("doomed", 0, map[string]any{"name": "doomed"}),
	)
	rev, err := ts.MetaRevision(ctx)
	require.NoError(t, err)

	// writeAll makes one write of every kind inside tx.
	writeAll := func(ctx context.Context, tx store.Tx) error {
		if err := tx.Insert(ctx, deal, record("new", 0, map[string]any{"name": "new"})); err != nil {
			return err
		}
		upd := record("keep", 0, map[string]any{"name": "changed"})
		upd.Version = 2
		if err := tx.Update(ctx, deal, upd, 1); err != nil {
			return err
		}
		if err := tx.Delete(ctx, deal, "doomed"); err != nil {
			return err
		}
		if _, err := tx.NextSequence(ctx, "seq"); err != nil {
			return err
		}
		if err := tx.BumpMetaRevision(ctx); err != nil {
			return err
		}
		if err := tx.SaveObject(ctx, objectDoc(item, 1), item); err != nil {
			return err
		}
		return tx.SaveObject(ctx, objectDoc(deal, 2), deal)
	}
	requireUnchanged := func(t *testing.T) {
		t.Helper()
		_, err := ts.Get(ctx, deal, "new")
		require.ErrorIs(t, err, store.ErrNotFound)
		keep, err := ts.Get(ctx, deal, "keep")
		require.NoError(t, err)
		assert.Equal(t, int64(1), keep.Version)
		assert.Equal(t, "kept", keep.Data["name"])
		_, err = ts.Get(ctx, deal, "doomed")
		require.NoError(t, err)
		_, err = ts.Object(ctx, "item")
		require.ErrorIs(t, err, store.ErrNotFound)
		doc, err := ts.Object(ctx, "deal")
		require.NoError(t, err)
		assert.Equal(t, int64(1), doc.Version)
		r, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		assert.Equal(t, rev, r)
	}

	t.Run("error rolls back", func(t *testing.T) {
		err := ts.WithTx(ctx, func(tx store.Tx) error {
			if err := writeAll(ctx, tx); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback, "fn's error comes back")
		requireUnchanged(t)
	})

	t.Run("panic rolls back and goes on", func(t *testing.T) {
		require.PanicsWithValue(t, "boom", func() {
			_ = ts.WithTx(ctx, func(tx store.Tx) error {
				if err := writeAll(ctx, tx); err != nil {
					return err
				}
				panic("boom")
			})
		})
		requireUnchanged(t)
	})

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := ts.WithTx(cctx, func(tx store.Tx) error { return writeAll(cctx, tx) })
		require.ErrorIs(t, err, context.Canceled)
		requireUnchanged(t)
	})

	t.Run("context cancelled before commit", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		err := ts.WithTx(cctx, func(tx store.Tx) error {
			if err := writeAll(cctx, tx); err != nil {
				return err
			}
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		// A store that undoes a transaction by compensation may finish
		// undoing one whose context ended after answering, before the
		// tenant's next transaction runs.
		require.NoError(t, ts.WithTx(ctx, func(store.Tx) error {
			requireUnchanged(t)
			return nil
		}))
	})

	t.Run("reads see the transaction's writes", func(t *testing.T) {
		err := ts.WithTx(ctx, func(tx store.Tx) error {
			if err := writeAll(ctx, tx); err != nil {
				return err
			}
			got, err := tx.Get(ctx, deal, "new")
			require.NoError(t, err)
			assert.Equal(t, "new", got.Data["name"])
			keep, err := tx.Get(ctx, deal, "keep")
			require.NoError(t, err)
			assert.Equal(t, "changed", keep.Data["name"])
			_, err = tx.Get(ctx, deal, "doomed")
			require.ErrorIs(t, err, store.ErrNotFound)
			many, err := tx.GetMany(ctx, deal, []string{"new", "keep", "doomed"})
			require.NoError(t, err)
			assert.Len(t, many, 2)
			page, err := tx.Find(ctx, deal, store.Query{Filter: leaf("name", store.OpIn, list("new", "changed")), Sort: []store.Sort{{Field: "name"}}})
			require.NoError(t, err)
			assert.Equal(t, []string{"keep", "new"}, ids(page.Records))
			n, err := tx.Count(ctx, deal, nil)
			require.NoError(t, err)
			assert.Equal(t, int64(2), n)
			n, err = tx.Count(ctx, item, nil)
			require.NoError(t, err)
			assert.Zero(t, n, "an object saved in the transaction is usable in it")
			return nil
		})
		require.NoError(t, err)

		got, err := ts.Get(ctx, deal, "new")
		require.NoError(t, err)
		assert.Equal(t, "new", got.Data["name"])
		doc, err := ts.Object(ctx, "item")
		require.NoError(t, err)
		assert.Equal(t, int64(1), doc.Version)
		r, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		assert.Greater(t, r, rev)
	})

	t.Run("a bump alone moves the revision", func(t *testing.T) {
		before, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.BumpMetaRevision(ctx) }))
		after, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		assert.Greater(t, after, before)
	})
}

func testIsolation(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	a, b := newTenant(t, s, "tenant-a"), newTenant(t, s, "tenant-b")
	deal := dealObject()
	saveObject(t, a, deal, 1)
	saveObject(t, b, deal, 1)
	secret := itemObject()
	saveObject(t, a, secret, 1)

	recsA := filterRecords()
	insert(t, a, deal, recsA...)
	insert(t, b, deal, record("b1", 0, map[string]any{"name": "Alpha Deal", "code": "A-1", "stage": "new"}))

	// Nothing of A is reachable through B.
	for _, r := range recsA {
		_, err := b.Get(ctx, deal, r.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "record %s of tenant A read in B", r.ID)
	}
	many, err := b.GetMany(ctx, deal, ids(recsA))
	require.NoError(t, err)
	assert.Empty(t, many)

	filters := []*store.Filter{
		nil,
		leaf("id", store.OpIn, list("r1", "r2", "r3")),
		leaf("id", store.OpEq, "r1"),
		leaf("name", store.OpEq, "Alpha Deal"),
		not(leaf("id", store.OpEq, "b1")),
	}
	for _, f := range filters {
		page, err := b.Find(ctx, deal, store.Query{Filter: f})
		require.NoError(t, err)
		for _, r := range page.Records {
			assert.Equal(t, "b1", r.ID, "tenant B reads only its own records")
		}
		n, err := b.Count(ctx, deal, f)
		require.NoError(t, err)
		assert.Equal(t, int64(len(page.Records)), n)
	}
	// A cursor taken in A positions a query in B over B's records only
	// (T3).
	sorts := []store.Sort{{Field: "name"}}
	page, err := b.Find(ctx, deal, store.Query{Sort: sorts, After: positionOf(recsA[0], sorts)})
	require.NoError(t, err)
	for _, r := range page.Records {
		assert.Equal(t, "b1", r.ID)
	}

	// Writes through B never touch A.
	upd := recsA[0]
	upd.Version, upd.Data = 2, map[string]any{"name": "hijacked"}
	err = b.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, upd, 1) })
	require.ErrorIs(t, err, store.ErrNotFound)
	err = b.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, deal, "r1") })
	require.ErrorIs(t, err, store.ErrNotFound)
	// Unique values are per tenant: "A-1" exists in both.
	got, err := a.Get(ctx, deal, "r1")
	require.NoError(t, err)
	requireSameRecord(t, recsA[0], got)
	n, err := a.Count(ctx, deal, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(recsA)), n)

	// An id in B equal to one in A is a separate record.
	insert(t, b, deal, record("r1", 0, map[string]any{"name": "B's own r1"}))
	got, err = a.Get(ctx, deal, "r1")
	require.NoError(t, err)
	assert.Equal(t, "Alpha Deal", got.Data["name"])

	// Metadata and sequences are per tenant too.
	_, err = b.Object(ctx, "item")
	require.ErrorIs(t, err, store.ErrNotFound)
	objs, err := b.Objects(ctx)
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, "deal", objs[0].Name)
	hist, err := b.ObjectHistory(ctx, "item")
	require.NoError(t, err)
	assert.Empty(t, hist)

	for _, ts := range []store.TenantStore{a, a, b} {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			_, err := tx.NextSequence(ctx, "shared-name")
			return err
		}))
	}
	var nb int64
	require.NoError(t, b.WithTx(ctx, func(tx store.Tx) error {
		var err error
		nb, err = tx.NextSequence(ctx, "shared-name")
		return err
	}))
	assert.Equal(t, int64(2), nb)
}

func testTxIsolation(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal, record("kept", 0, map[string]any{"name": "kept"}))

	// Readers outside an open transaction see the state before it, until
	// it commits.
	err := ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, deal, record("new", 0, map[string]any{"name": "new"})); err != nil {
			return err
		}
		upd := record("kept", 0, map[string]any{"name": "changed"})
		upd.Version = 2
		if err := tx.Update(ctx, deal, upd, 1); err != nil {
			return err
		}
		_, err := ts.Get(ctx, deal, "new")
		require.ErrorIs(t, err, store.ErrNotFound, "an uncommitted insert is not seen outside")
		kept, err := ts.Get(ctx, deal, "kept")
		require.NoError(t, err)
		assert.Equal(t, "kept", kept.Data["name"], "an uncommitted update is not seen outside")
		n, err := ts.Count(ctx, deal, nil)
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		return nil
	})
	require.NoError(t, err)
	got, err := ts.Get(ctx, deal, "new")
	require.NoError(t, err)
	assert.Equal(t, "new", got.Data["name"], "seen once committed")
}
