package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testDataVersion checks the optional [store.DataVersioner]: reads leave
// an object's version alone; every committed insert, update and delete
// moves it to a value it never had; writes to another object or tenant
// do not; an object deleted and made again does not return to a value it
// had.
func testDataVersion(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	dv, ok := ts.(store.DataVersioner)
	if !ok {
		t.Skip("skipped: the adapter's tenant store has no data versions (store.DataVersioner is optional)")
	}
	if _, err := dv.DataVersion(ctx, "deal"); errors.Is(err, store.ErrNoDataVersion) {
		t.Skip("skipped: the adapter keeps no data versions in this configuration")
	}
	deal, item := dealObject(), itemObject()
	seen := map[int64]bool{}
	version := func() int64 {
		t.Helper()
		v, err := dv.DataVersion(ctx, deal.Name)
		require.NoError(t, err)
		return v
	}
	moved := func(what string) {
		t.Helper()
		v := version()
		assert.False(t, seen[v], "%s moves the version to a value it never had (got %d)", what, v)
		seen[v] = true
	}
	seen[version()] = true // before the object exists
	saveObject(t, ts, deal, 1)
	saveObject(t, ts, item, 1)
	before := version()
	seen[before] = true

	insert(t, ts, deal, record("d1", 0, map[string]any{"amount": 5.0, "stage": "new"}))
	moved("an insert")

	stable := version()
	_, err := ts.Get(ctx, deal, "d1")
	require.NoError(t, err)
	_, err = ts.Count(ctx, deal, nil)
	require.NoError(t, err)
	_, err = ts.Find(ctx, deal, store.Query{Limit: 10})
	require.NoError(t, err)
	insert(t, ts, item, record("i1", 0, map[string]any{"name": "bolt"}))
	other := newTenant(t, s, "other")
	saveObject(t, other, dealObject(), 1)
	insert(t, other, dealObject(), record("x1", 0, map[string]any{"amount": 1.0}))
	assert.Equal(t, stable, version(), "reads, another object's writes and another tenant's writes leave the version alone")

	rec, err := ts.Get(ctx, deal, "d1")
	require.NoError(t, err)
	rec.Data["amount"] = 6.0
	rec.Version = 2
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, rec, 1) }))
	moved("an update")

	failed := errors.New("changed my mind")
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, deal, record("d2", 0, map[string]any{"amount": 1.0})); err != nil {
			return err
		}
		return failed
	})
	require.ErrorIs(t, err, failed)
	n, err := ts.Count(ctx, deal, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "the rolled back insert left nothing")

	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, deal, "d1") }))
	moved("a delete")

	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.DeleteObject(ctx, objectDoc(deal, 2)) }))
	moved("deleting the object")
	saveObject(t, ts, deal, 3)
	insert(t, ts, deal, record("d3", 0, map[string]any{"amount": 2.0}))
	moved("an insert into the object made again")
}
