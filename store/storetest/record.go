package storetest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func testRecords(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)

	full := record("full", 0, map[string]any{
		"name":      "Großauftrag 北京 \"quoted\" <b>",
		"code":      "X-1",
		"stage":     "new",
		"amount":    1234.56,
		"qty":       7.0,
		"won":       false,
		"closeDate": "2024-05-31",
		"closedAt":  "2024-05-31T12:00:00.000001Z",
		"email":     "big@example.com",
		"account":   "acc1",
		"tags":      []any{"hot", "big"},
		"contacts":  []any{"c1"},
		"shipTo":    map[string]any{"country": "CN", "province": "北京市", "city": "北京", "street": "长安街 1 号"},
		"extra":     map[string]any{"nested": []any{1.0, "two", nil, true}, "n": nil},
	})
	full.CreatedBy, full.UpdatedBy = "creator", "updater"
	full.UpdatedAt = full.CreatedAt.Add(time.Microsecond)
	empty := record("empty", time.Second, nil)
	insert(t, ts, deal, full, empty)

	got, err := ts.Get(ctx, deal, "full")
	require.NoError(t, err)
	requireSameRecord(t, full, got)
	got, err = ts.Get(ctx, deal, "empty")
	require.NoError(t, err)
	requireSameRecord(t, empty, got)

	_, err = ts.Get(ctx, deal, "missing")
	require.ErrorIs(t, err, store.ErrNotFound)

	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, deal, record("full", 0, nil)) })
	require.ErrorIs(t, err, store.ErrConflict, "an existing id")
	require.NotErrorIs(t, err, store.ErrDuplicate)
	got, err = ts.Get(ctx, deal, "full")
	require.NoError(t, err)
	requireSameRecord(t, full, got)

	// Update replaces the record.
	next := full
	next.Version = 2
	next.UpdatedAt = base.Add(time.Hour)
	next.UpdatedBy = "editor"
	next.Data = map[string]any{"name": "renamed", "tags": []any{"cold"}}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, next, 1) }))
	got, err = ts.Get(ctx, deal, "full")
	require.NoError(t, err)
	requireSameRecord(t, next, got)

	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, record("missing", 0, nil), 1) })
	require.ErrorIs(t, err, store.ErrNotFound)

	// Delete.
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, deal, "empty") }))
	_, err = ts.Get(ctx, deal, "empty")
	require.ErrorIs(t, err, store.ErrNotFound)
	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, deal, "empty") })
	require.ErrorIs(t, err, store.ErrNotFound)

	// GetMany: existing ids only, each once, across more ids than one
	// batch of a thousand.
	var many []store.Record
	for i := range 1100 {
		many = append(many, record(fmt.Sprintf("m%04d", i), time.Duration(i)*time.Millisecond, map[string]any{"qty": float64(i)}))
	}
	insert(t, ts, deal, many...)
	scenarios := []struct {
		name string
		ids  []string
		want []string
	}{
		{name: "none", ids: nil, want: []string{}},
		{name: "missing only", ids: []string{"nope", "empty"}, want: []string{}},
		{name: "some missing", ids: []string{"m0001", "nope", "full", "m0002"}, want: []string{"full", "m0001", "m0002"}},
		{name: "duplicates", ids: []string{"m0003", "m0003", "full", "m0003"}, want: []string{"full", "m0003"}},
		{name: "more than a thousand", ids: append(append([]string{"nope"}, ids(many)...), "m0000", "x"), want: ids(many)},
	}
	for _, sc := range scenarios {
		t.Run("get many "+sc.name, func(t *testing.T) {
			recs, err := ts.GetMany(ctx, deal, sc.ids)
			require.NoError(t, err)
			gotIDs := ids(recs)
			sort.Strings(gotIDs)
			assert.Equal(t, sc.want, gotIDs)
		})
	}
	recs, err := ts.GetMany(ctx, deal, []string{"m0042"})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	requireSameRecord(t, many[42], recs[0])
}

func testUnique(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)

	insert(t, ts, deal,
		record("a", 0, map[string]any{"code": "A", "name": "same"}),
		record("b", 0, map[string]any{"code": "B", "name": "same"}),
		// Missing and null values are not values: they never clash.
		record("c", 0, map[string]any{"name": "other"}),
		record("d", 0, map[string]any{"name": "other"}),
		record("e", 0, map[string]any{"code": nil}),
		record("f", 0, map[string]any{"code": nil}),
	)

	requireUnique := func(t *testing.T, err error, fields ...string) {
		t.Helper()
		require.ErrorIs(t, err, store.ErrDuplicate)
		var ue *store.UniqueError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, "deal", ue.Object)
		assert.Equal(t, fields, ue.Fields)
	}

	t.Run("insert", func(t *testing.T) {
		err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, deal, record("g", 0, map[string]any{"code": "A"})) })
		requireUnique(t, err, "code")
		_, err = ts.Get(ctx, deal, "g")
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	t.Run("update", func(t *testing.T) {
		b, err := ts.Get(ctx, deal, "b")
		require.NoError(t, err)
		next := b
		next.Version = 2
		next.Data = map[string]any{"code": "A"}
		err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, next, 1) })
		requireUnique(t, err, "code")
		got, err := ts.Get(ctx, deal, "b")
		require.NoError(t, err)
		requireSameRecord(t, b, got)

		// Keeping one's own value is no clash.
		next.Data = map[string]any{"code": "B", "name": "kept"}
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, next, 1) }))
	})

	t.Run("save object over duplicate data", func(t *testing.T) {
		rev, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		uniqueName := dealObject()
		uniqueName.Fields[0].Unique = true // "name" holds "same" twice
		err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.SaveObject(ctx, objectDoc(uniqueName, 2), uniqueName) })
		requireUnique(t, err, "name")

		// Even a caller that carries on after the error keeps nothing of
		// the failed save.
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			err := tx.SaveObject(ctx, objectDoc(uniqueName, 2), uniqueName)
			requireUnique(t, err, "name")
			return nil
		}))

		doc, err := ts.Object(ctx, "deal")
		require.NoError(t, err)
		assert.Equal(t, int64(1), doc.Version)
		after, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		assert.Equal(t, rev, after)
		insert(t, ts, deal, record("h", 0, map[string]any{"name": "same"}))
	})

	t.Run("indexes follow the definition", func(t *testing.T) {
		// Version 2 gives up the unique code, so duplicates are allowed.
		relaxed := dealObject()
		relaxed.Fields[1].Unique = false
		saveObject(t, ts, relaxed, 2)
		insert(t, ts, relaxed, record("i", 0, map[string]any{"code": "A"}))

		// Version 3 asks for it again over the duplicate.
		strict := dealObject()
		err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.SaveObject(ctx, objectDoc(strict, 3), strict) })
		requireUnique(t, err, "code")
		doc, err := ts.Object(ctx, "deal")
		require.NoError(t, err)
		assert.Equal(t, int64(2), doc.Version)

		// Once the duplicate is gone, it works, and is enforced.
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, relaxed, "i") }))
		saveObject(t, ts, strict, 3)
		err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, strict, record("j", 0, map[string]any{"code": "B"})) })
		requireUnique(t, err, "code")
	})
}

func testVersions(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal, record("a", 0, map[string]any{"name": "v1"}))

	// Two editors read version 1; the first to write wins.
	first, err := ts.Get(ctx, deal, "a")
	require.NoError(t, err)
	second := first

	first.Version, first.Data = 2, map[string]any{"name": "first"}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, first, 1) }))

	second.Version, second.Data = 2, map[string]any{"name": "second"}
	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, second, 1) })
	require.ErrorIs(t, err, store.ErrConflict)
	require.NotErrorIs(t, err, store.ErrNotFound)

	got, err := ts.Get(ctx, deal, "a")
	require.NoError(t, err)
	requireSameRecord(t, first, got)

	scenarios := []struct {
		name     string
		expected int64
	}{
		{name: "older version", expected: 1},
		{name: "newer version", expected: 3},
		{name: "zero", expected: 0},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			rec := first
			rec.Version, rec.Data = sc.expected+1, map[string]any{"name": sc.name}
			err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, rec, sc.expected) })
			require.ErrorIs(t, err, store.ErrConflict)
		})
	}

	third := first
	third.Version, third.Data = 3, map[string]any{"name": "third"}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, deal, third, 2) }))
	got, err = ts.Get(ctx, deal, "a")
	require.NoError(t, err)
	requireSameRecord(t, third, got)
}
