package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testInsertMany checks the optional [store.BatchInserter]: many records
// (more than one statement's worth) stored as Insert stores each, read
// back alike; a failure — a unique value taken by a stored record or by
// another of the batch, an id that exists, an empty id — stores none of
// the batch and names the kind; a transaction that fails after a batch
// keeps none of it; no records is no write.
func testInsertMany(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	var supported bool
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		_, supported = tx.(store.BatchInserter)
		return nil
	}))
	if !supported {
		t.Skip("skipped: the adapter has no multi-record insert (store.BatchInserter is optional)")
	}
	batch := func(prefix string, n int) []store.Record {
		recs := make([]store.Record, n)
		for i := range recs {
			recs[i] = record(fmt.Sprintf("%s%03d", prefix, i), time.Duration(i)*time.Second, map[string]any{
				"name": fmt.Sprintf("商机 %d", i), "code": fmt.Sprintf("%s-%d", prefix, i), "amount": float64(i) * 1.5,
				"qty": float64(i), "won": i%2 == 0, "tags": []any{"hot", "vip"}, "closeDate": "2026-12-31",
			})
			recs[i].OwnerID = "u2"
		}
		return recs
	}
	insertMany := func(recs []store.Record) error {
		return ts.WithTx(ctx, func(tx store.Tx) error {
			return tx.(store.BatchInserter).InsertMany(ctx, deal, recs)
		})
	}
	stored := func(recs []store.Record) []string {
		t.Helper()
		want := make([]string, len(recs))
		for i, r := range recs {
			want[i] = r.ID
		}
		got, err := ts.GetMany(ctx, deal, want)
		require.NoError(t, err)
		return ids(got)
	}

	good := batch("a", 250)
	require.NoError(t, insertMany(good))
	got, err := ts.GetMany(ctx, deal, []string{"a000", "a137", "a249"})
	require.NoError(t, err)
	require.Len(t, got, 3)
	byID := map[string]store.Record{}
	for _, r := range got {
		byID[r.ID] = r
	}
	for _, i := range []int{0, 137, 249} {
		want := good[i]
		have := byID[want.ID]
		assert.Equal(t, want.Data, have.Data, "record %s", want.ID)
		assert.Equal(t, want.Version, have.Version)
		assert.True(t, want.CreatedAt.Equal(have.CreatedAt), "createdAt of %s", want.ID)
		assert.Equal(t, "u2", have.OwnerID)
		assert.Equal(t, "u1", have.CreatedBy)
	}
	n, err := ts.Count(ctx, deal, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 250, n)

	// A unique value a stored record holds, late in the batch: none of it.
	clash := batch("b", 150)
	clash[130].Data["code"] = "a-7"
	var ue *store.UniqueError
	require.ErrorAs(t, insertMany(clash), &ue)
	assert.Equal(t, []string{"code"}, ue.Fields)
	assert.Empty(t, stored(clash), "no record of a failed batch stays")

	// Two of the batch share a unique value.
	twins := batch("c", 120)
	twins[110].Data["code"] = twins[5].Data["code"]
	require.ErrorAs(t, insertMany(twins), &ue)
	assert.Empty(t, stored(twins))

	// An id that exists.
	again := batch("d", 3)
	again[2].ID = "a001"
	require.ErrorIs(t, insertMany(again), store.ErrConflict)
	assert.Empty(t, stored(again[:2]))

	// An empty id.
	blank := batch("e", 3)
	blank[1].ID = ""
	require.Error(t, insertMany(blank))
	assert.Empty(t, stored(blank[:1]))

	// A transaction that fails after its batch keeps none of it.
	failed := errors.New("changed my mind")
	undone := batch("f", 120)
	require.ErrorIs(t, ts.WithTx(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.(store.BatchInserter).InsertMany(ctx, deal, undone))
		in, err := tx.Get(ctx, deal, "f119")
		require.NoError(t, err, "the transaction reads its batch")
		assert.Equal(t, "f-119", in.Data["code"])
		return failed
	}), failed)
	assert.Empty(t, stored(undone))

	require.NoError(t, insertMany(nil), "no records is no write")
	n, err = ts.Count(ctx, deal, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 250, n, "only the good batch stayed")
}

// testIsolationClaim checks that an adapter's optional
// [store.TxIsolation] says what the suite was told: isolated exactly
// when the transaction isolation case runs (opts.NoIsolation unset), as
// the engine trusts it to roll a dry run back without a trace.
func testIsolationClaim(t *testing.T, newStore func(t testing.TB) store.Store, opts Options) {
	ts := newTenant(t, newStore(t), "acme")
	iso, ok := ts.(store.TxIsolation)
	if !ok {
		t.Skip("skipped: the adapter does not say whether its transactions are isolated (store.TxIsolation is optional)")
	}
	assert.Equal(t, !opts.NoIsolation, iso.IsolatedTx(), "IsolatedTx against Options.NoIsolation")
}
