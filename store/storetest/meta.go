package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func testMetadata(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal, item := dealObject(), itemObject()

	revision := func() int64 {
		t.Helper()
		r, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		return r
	}
	save := func(doc store.ObjectDoc) error {
		obj := deal
		if doc.Name == item.Name {
			obj = item
		}
		return ts.WithTx(ctx, func(tx store.Tx) error { return tx.SaveObject(ctx, doc, obj) })
	}
	del := func(doc store.ObjectDoc) error {
		return ts.WithTx(ctx, func(tx store.Tx) error { return tx.DeleteObject(ctx, doc) })
	}

	_, err := ts.Object(ctx, "deal")
	require.ErrorIs(t, err, store.ErrNotFound)
	hist, err := ts.ObjectHistory(ctx, "deal")
	require.NoError(t, err)
	assert.Empty(t, hist, "an unknown object has no history")

	r0 := revision()
	require.NoError(t, save(objectDoc(deal, 1)))
	r1 := revision()
	assert.Greater(t, r1, r0, "saving bumps the revision")

	got, err := ts.Object(ctx, "deal")
	require.NoError(t, err)
	assert.Equal(t, "deal", got.Name)
	assert.Equal(t, int64(1), got.Version)
	assert.JSONEq(t, string(definition(deal, 1)), string(got.Definition))
	assert.True(t, objectDoc(deal, 1).SavedAt.Equal(got.SavedAt))
	assert.Equal(t, "admin", got.SavedBy)
	assert.False(t, got.Deleted)

	scenarios := []struct {
		name string
		doc  store.ObjectDoc
	}{
		{name: "same version again", doc: objectDoc(deal, 1)},
		{name: "version skipped", doc: objectDoc(deal, 3)},
		{name: "version zero", doc: objectDoc(deal, 0)},
		{name: "new object not at version 1", doc: objectDoc(item, 2)},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.ErrorIs(t, save(sc.doc), store.ErrConflict)
		})
	}
	assert.Equal(t, r1, revision(), "refused saves leave the revision")
	_, err = ts.Object(ctx, "item")
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, save(objectDoc(deal, 2)))
	r2 := revision()
	assert.Greater(t, r2, r1)
	require.NoError(t, save(objectDoc(item, 1)))
	r3 := revision()
	assert.Greater(t, r3, r2)

	got, err = ts.Object(ctx, "deal")
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
	assert.JSONEq(t, string(definition(deal, 2)), string(got.Definition))

	objs, err := ts.Objects(ctx)
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, "deal", objs[0].Name, "ordered by name")
	assert.Equal(t, int64(2), objs[0].Version, "current version only")
	assert.Equal(t, "item", objs[1].Name)

	hist, err = ts.ObjectHistory(ctx, "deal")
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, []int64{1, 2}, []int64{hist[0].Version, hist[1].Version}, "oldest first")
	assert.JSONEq(t, string(definition(deal, 1)), string(hist[0].Definition))

	// Records go with the object when it is deleted.
	insert(t, ts, deal, record("d1", 0, map[string]any{"name": "doomed"}))

	require.ErrorIs(t, del(store.ObjectDoc{Name: "deal", Version: 2, SavedAt: base, SavedBy: "admin"}), store.ErrConflict)
	require.ErrorIs(t, del(store.ObjectDoc{Name: "nothing", Version: 1, SavedAt: base, SavedBy: "admin"}), store.ErrNotFound)
	assert.Equal(t, r3, revision())

	require.NoError(t, del(store.ObjectDoc{Name: "deal", Version: 3, SavedAt: base, SavedBy: "admin"}))
	r4 := revision()
	assert.Greater(t, r4, r3, "deleting bumps the revision")

	_, err = ts.Object(ctx, "deal")
	require.ErrorIs(t, err, store.ErrNotFound, "a deleted object is not found")
	objs, err = ts.Objects(ctx)
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, "item", objs[0].Name)
	hist, err = ts.ObjectHistory(ctx, "deal")
	require.NoError(t, err)
	require.Len(t, hist, 3)
	assert.True(t, hist[2].Deleted)
	assert.Equal(t, int64(3), hist[2].Version)

	require.ErrorIs(t, del(store.ObjectDoc{Name: "deal", Version: 4, SavedAt: base, SavedBy: "admin"}), store.ErrNotFound, "deleting twice")

	// Saving again continues the version sequence and starts without
	// records.
	require.ErrorIs(t, save(objectDoc(deal, 1)), store.ErrConflict)
	require.NoError(t, save(objectDoc(deal, 4)))
	got, err = ts.Object(ctx, "deal")
	require.NoError(t, err)
	assert.Equal(t, int64(4), got.Version)
	_, err = ts.Get(ctx, deal, "d1")
	require.ErrorIs(t, err, store.ErrNotFound)
	n, err := ts.Count(ctx, deal, nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Greater(t, revision(), r4)
}
