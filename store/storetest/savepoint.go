package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// testSavepoints checks the optional [store.Savepointer]: rolling back to
// a savepoint undoes the writes and the sequence numbers since it and
// nothing before; the transaction then goes on, a failed unique insert
// included, and commits the rest; released savepoints keep their writes;
// savepoints nest; names that are not open are [store.ErrNotFound]; a
// transaction that fails after a release keeps nothing.
func testSavepoints(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	var supported bool
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		_, supported = tx.(store.Savepointer)
		return nil
	}))
	if !supported {
		t.Skip("skipped: the adapter's transactions have no savepoints (store.Savepointer is optional)")
	}
	deal1 := func(id, code string) store.Record { return record(id, 0, map[string]any{"name": id, "code": code}) }
	absent := func(ctx context.Context, tx store.Tx, id string) {
		t.Helper()
		_, err := tx.Get(ctx, deal, id)
		assert.ErrorIs(t, err, store.ErrNotFound, "%s is undone", id)
	}

	err := ts.WithTx(ctx, func(tx store.Tx) error {
		sp := tx.(store.Savepointer)
		require.NoError(t, tx.Insert(ctx, deal, deal1("before", "A")))
		first, err := tx.NextSequence(ctx, "seq")
		require.NoError(t, err)

		require.NoError(t, sp.Savepoint(ctx, "w0"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("undone", "B")))
		n, err := tx.NextSequence(ctx, "seq")
		require.NoError(t, err)
		assert.Equal(t, first+1, n)
		require.NoError(t, sp.RollbackTo(ctx, "w0"))
		absent(ctx, tx, "undone")
		_, err = tx.Get(ctx, deal, "before")
		require.NoError(t, err, "the write before the savepoint stays")
		n, err = tx.NextSequence(ctx, "seq")
		require.NoError(t, err)
		assert.Equal(t, first+1, n, "the number taken after the savepoint is given back")

		require.NoError(t, sp.Savepoint(ctx, "w1"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("kept", "C")))
		require.NoError(t, sp.Release(ctx, "w1"))

		require.NoError(t, sp.Savepoint(ctx, "w2"))
		var ue *store.UniqueError
		require.ErrorAs(t, tx.Insert(ctx, deal, deal1("duplicate", "A")), &ue)
		require.NoError(t, sp.RollbackTo(ctx, "w2"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("after", "D")), "the transaction goes on after a failed write")

		require.NoError(t, sp.Savepoint(ctx, "outer"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("outer", "E")))
		require.NoError(t, sp.Savepoint(ctx, "inner"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("inner", "F")))
		require.NoError(t, sp.RollbackTo(ctx, "outer"))
		absent(ctx, tx, "outer")
		absent(ctx, tx, "inner")
		require.ErrorIs(t, sp.Release(ctx, "inner"), store.ErrNotFound, "rolling back to outer closed inner")
		require.ErrorIs(t, sp.RollbackTo(ctx, "outer"), store.ErrNotFound)
		require.ErrorIs(t, sp.Release(ctx, "never"), store.ErrNotFound)
		require.Error(t, sp.Savepoint(ctx, "not a name; DROP"), "a name that is not one is refused")
		return nil
	})
	require.NoError(t, err)
	got, err := ts.GetMany(ctx, deal, []string{"before", "undone", "kept", "duplicate", "after", "outer", "inner"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"before", "kept", "after"}, ids(got))

	failed := errors.New("changed my mind")
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		sp := tx.(store.Savepointer)
		require.NoError(t, sp.Savepoint(ctx, "w"))
		require.NoError(t, tx.Insert(ctx, deal, deal1("released", "G")))
		require.NoError(t, sp.Release(ctx, "w"))
		return failed
	})
	require.ErrorIs(t, err, failed)
	_, err = ts.Get(ctx, deal, "released")
	require.ErrorIs(t, err, store.ErrNotFound, "a released savepoint's writes go with the failed transaction")
}
