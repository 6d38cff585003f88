// Package mongotest holds the MongoDB adapter's own tests that need a
// server, so that they run against a real server (store/mongostore, when
// CRM_TEST_MONGODB_URI is set) and against embedded FerretDB
// (store/mongostore/ferrettest) alike. Only _test.go files import it.
package mongotest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
)

// Run runs the tests against the server at cfg.URI. Every test opens its
// own store with [mongostore.NewForTest].
func Run(t *testing.T, cfg mongostore.Config) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, cfg mongostore.Config)
	}{
		{name: "operator injection stays literal", run: testInjection},
		{name: "indexes follow the definition", run: testIndexes},
		{name: "rolled-back save drops its indexes", run: testRollbackIndexes},
		{name: "concurrent first use of a sequence", run: testSequenceRace},
		{name: "deleted object's collection is dropped", run: testDeleteDrops},
		{name: "sequences are read and moved forward", run: testSetSequence},
		{name: "a page walks the index of its order, or reads without it", run: testOrderHint},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, cfg)
		})
	}
}

var at = time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)

func noteObject() *schema.Object {
	return &schema.Object{
		Name: "note",
		Fields: []*schema.Field{
			{Name: "title", Type: schema.TypeText},
			{Name: "code", Type: schema.TypeText, Unique: true},
			{Name: "email", Type: schema.TypeEmail, Indexed: true},
			{Name: "owner", Type: schema.TypeLookup, Target: "user"},
			{Name: "watchers", Type: schema.TypeMultiLookup, Target: "user"},
			{Name: "extra", Type: schema.TypeJSON},
		},
	}
}

func doc(obj *schema.Object, version int64) store.ObjectDoc {
	return store.ObjectDoc{Name: obj.Name, Version: version, Definition: []byte(`{"$id":"` + obj.Name + `"}`), SavedAt: at, SavedBy: "admin"}
}

func save(t testing.TB, ts store.TenantStore, obj *schema.Object, version int64) {
	t.Helper()
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error { return tx.SaveObject(t.Context(), doc(obj, version), obj) }))
}

func rec(id string, data map[string]any) store.Record {
	return store.Record{ID: id, Version: 1, CreatedAt: at, UpdatedAt: at, CreatedBy: "u", UpdatedBy: "u", Data: data}
}

func insert(t testing.TB, ts store.TenantStore, obj *schema.Object, rs ...store.Record) {
	t.Helper()
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Insert(t.Context(), obj, r); err != nil {
				return err
			}
		}
		return nil
	}))
}

// open returns a store, one tenant of it, and a driver client on the same
// server for looking at what was stored.
func open(t *testing.T, cfg mongostore.Config) (*mongostore.Store, store.TenantStore, *mongo.Database) {
	t.Helper()
	s := mongostore.NewForTest(t, cfg)
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: "acme", Name: "Acme", CreatedAt: at}))
	ts, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	name, err := mongostore.DatabaseName(s.Prefix(), "acme")
	require.NoError(t, err)
	return s, ts, client.Database(name)
}

func indexNames(t testing.TB, db *mongo.Database, coll string) []string {
	t.Helper()
	specs, err := db.Collection(coll).Indexes().ListSpecifications(t.Context())
	require.NoError(t, err)
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

func testInjection(t *testing.T, cfg mongostore.Config) {
	ctx := t.Context()
	_, ts, db := open(t, cfg)
	note := noteObject()
	save(t, ts, note, 1)

	hostile := map[string]any{
		"title": `{"$ne": null}`,
		"code":  "$where",
		"extra": map[string]any{
			"$where": "sleep(1000)",
			"$ne":    nil,
			"a.b":    map[string]any{"$gt": "", "~": "tilde", "": "empty"},
			"list":   []any{map[string]any{"$in": []any{1.0}}},
		},
	}
	insert(t, ts, note, rec("h1", hostile), rec("h2", map[string]any{"title": "plain"}))

	got, err := ts.Get(ctx, note, "h1")
	require.NoError(t, err)
	assert.Equal(t, hostile, got.Data, "keys that look like operators come back as data")

	// Stored escaped: no key of the document starts with '$' or holds '.'.
	raw, err := db.Collection("r_note").FindOne(ctx, bson.D{{Key: "_id", Value: "h1"}}).Raw()
	require.NoError(t, err)
	extra := raw.Lookup("d", "extra").Document()
	_, err = extra.LookupErr("~swhere")
	require.NoError(t, err, "stored as %s", extra)
	_, err = extra.LookupErr("a~db", "~sgt")
	require.NoError(t, err, "stored as %s", extra)

	scenarios := []struct {
		name   string
		filter store.Filter
		want   []string
	}{
		{name: "operator text as an equal value", filter: store.Leaf("title", store.OpEq, `{"$ne": null}`), want: []string{"h1"}},
		{name: "operator name as an equal value", filter: store.Leaf("code", store.OpEq, "$where"), want: []string{"h1"}},
		{name: "operator name in a list", filter: store.Leaf("code", store.OpIn, []any{"$ne", "$where"}), want: []string{"h1"}},
		{name: "regex characters in contains", filter: store.Leaf("title", store.OpContains, `"$ne": n`), want: []string{"h1"}},
		{name: "regex characters in startsWith", filter: store.Leaf("title", store.OpStartsWith, `{"`), want: []string{"h1"}},
		{name: "dot and star are literal", filter: store.Leaf("title", store.OpContains, ".*"), want: []string{}},
	}
	for _, sc := range scenarios {
		page, err := ts.Find(ctx, note, store.Query{Filter: &sc.filter})
		require.NoError(t, err, sc.name)
		ids := []string{}
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		assert.Equal(t, sc.want, ids, sc.name)
	}

	refused := []struct {
		name  string
		value any
	}{
		{name: "operator document as a value", value: map[string]any{"$ne": nil}},
		{name: "where document as a value", value: map[string]any{"$where": "true"}},
		{name: "bson document as a value", value: bson.D{{Key: "$ne", Value: nil}}},
		{name: "regex as a value", value: bson.Regex{Pattern: ".*"}},
	}
	for _, sc := range refused {
		f := store.Leaf("title", store.OpEq, sc.value)
		_, err := ts.Find(ctx, note, store.Query{Filter: &f})
		require.ErrorIs(t, err, store.ErrInvalidQuery, sc.name)
		f = store.Leaf("code", store.OpIn, []any{sc.value})
		_, err = ts.Find(ctx, note, store.Query{Filter: &f})
		require.ErrorIs(t, err, store.ErrInvalidQuery, sc.name)
		_, err = ts.Find(ctx, note, store.Query{Sort: []store.Sort{{Field: "title"}}, After: &store.Position{Values: []any{sc.value}, ID: "h1"}})
		require.ErrorIs(t, err, store.ErrInvalidQuery, sc.name)
	}
	_, err = ts.Find(ctx, note, store.Query{Filter: &store.Filter{Field: "$where", Op: store.OpEq, Value: "1"}})
	require.ErrorIs(t, err, store.ErrInvalidQuery, "an operator as a field name")
}

func testIndexes(t *testing.T, cfg mongostore.Config) {
	_, ts, db := open(t, cfg)
	note := noteObject()
	save(t, ts, note, 1)
	v1 := indexNames(t, db, "r_note")
	has := func(names []string, prefix string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return len(n) >= len(prefix) && n[:len(prefix)] == prefix })
	}
	for _, p := range []string{"_id_", "ux_code_", "ix_email_", "ix_owner_", "ix_watchers_", "ix_createdAt_", "ix_updatedAt_"} {
		assert.True(t, has(v1, p), "index %s* in %v", p, v1)
	}
	assert.False(t, has(v1, "ix_title_"), "title is not indexed")

	// Version 2: email no longer indexed, code no longer unique, title
	// indexed, and a composite index.
	next := noteObject()
	next.Fields[2].Indexed = false
	next.Fields[1].Unique = false
	next.Fields[0].Indexed = true
	next.Indexes = [][]string{{"title", "createdAt"}}
	save(t, ts, next, 2)
	v2 := indexNames(t, db, "r_note")
	assert.False(t, has(v2, "ix_email_"), "dropped: %v", v2)
	assert.False(t, has(v2, "ux_code_"), "dropped: %v", v2)
	assert.True(t, has(v2, "ix_title_"), "created: %v", v2)
	assert.Len(t, v2, len(v1)+1-2+1, "%v", v2)

	// Without the unique index, duplicates are allowed ...
	insert(t, ts, next, rec("a", map[string]any{"code": "X"}), rec("b", map[string]any{"code": "X"}))
	// ... and asking for it again over them is a unique error that
	// changes nothing.
	err := ts.WithTx(t.Context(), func(tx store.Tx) error { return tx.SaveObject(t.Context(), doc(note, 3), note) })
	var ue *store.UniqueError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, []string{"code"}, ue.Fields)
	assert.Equal(t, v2, indexNames(t, db, "r_note"), "a failed save leaves the indexes as they were")
}

func testRollbackIndexes(t *testing.T, cfg mongostore.Config) {
	_, ts, db := open(t, cfg)
	note := noteObject()
	save(t, ts, note, 1)
	before := indexNames(t, db, "r_note")

	next := noteObject()
	next.Fields[0].Unique = true // a new unique index on title
	next.Fields[2].Indexed = false
	err := ts.WithTx(t.Context(), func(tx store.Tx) error {
		if err := tx.SaveObject(t.Context(), doc(next, 2), next); err != nil {
			return err
		}
		return fmt.Errorf("changed my mind")
	})
	require.Error(t, err)
	assert.Equal(t, before, indexNames(t, db, "r_note"), "the new index is gone and the old ones stay")
	got, err := ts.Object(t.Context(), "note")
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version)
	// Two records with one title are still allowed.
	insert(t, ts, note, rec("a", map[string]any{"title": "same"}), rec("b", map[string]any{"title": "same"}))
}

func testSequenceRace(t *testing.T, cfg mongostore.Config) {
	_, ts, _ := open(t, cfg)
	const workers = 50
	var (
		mu  sync.Mutex
		got []int64
		wg  sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			var n int64
			err := ts.WithTx(t.Context(), func(tx store.Tx) error {
				var err error
				n, err = tx.NextSequence(t.Context(), "fresh")
				return err
			})
			assert.NoError(t, err)
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(got)
	want := make([]int64, workers)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, got)
}

func testDeleteDrops(t *testing.T, cfg mongostore.Config) {
	ctx := t.Context()
	_, ts, db := open(t, cfg)
	note := noteObject()
	save(t, ts, note, 1)
	insert(t, ts, note, rec("a", map[string]any{"title": "x"}))
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.DeleteObject(ctx, store.ObjectDoc{Name: "note", Version: 2, SavedAt: at, SavedBy: "admin"})
	}))
	names, err := db.ListCollectionNames(ctx, bson.D{})
	require.NoError(t, err)
	assert.NotContains(t, names, "r_note")

	// A collection left behind (as by a crash between commit and drop) is
	// not taken over by the next incarnation.
	_, err = db.Collection("r_note").InsertOne(ctx, bson.D{{Key: "_id", Value: "ghost"}, {Key: "v", Value: int64(1)}})
	require.NoError(t, err)
	save(t, ts, note, 3)
	_, err = ts.Get(ctx, note, "ghost")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testSetSequence(t *testing.T, cfg mongostore.Config) {
	ctx := t.Context()
	_, ts, _ := open(t, cfg)
	set := func(name string, atLeast int64, fail bool) error {
		return ts.WithTx(ctx, func(tx store.Tx) error {
			ss, ok := tx.(store.SequenceSetter)
			require.True(t, ok, "the transaction sets sequences")
			if err := ss.SetSequence(ctx, name, atLeast); err != nil {
				return err
			}
			if fail {
				return fmt.Errorf("roll back")
			}
			return nil
		})
	}
	require.NoError(t, set("a", 10, false))
	require.NoError(t, set("a", 5, false), "never moves back")
	require.Error(t, set("a", 20, true))
	require.Error(t, set("b", 3, true))
	sr, ok := ts.(store.SequenceReader)
	require.True(t, ok)
	got, err := sr.Sequences(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"a": 10}, got, "rolled-back moves are undone")
	var n int64
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.NextSequence(ctx, "a")
		return err
	}))
	assert.Equal(t, int64(11), n)
}

// testOrderHint: a page whose order an index gives once its equalities
// are fixed is read with that index as its hint (the server may ignore
// it); it returns what the same page returns without one, and it still
// returns it when the index is gone (dropped by hand behind the store's
// back), since a hint naming no index fails on MongoDB.
func testOrderHint(t *testing.T, cfg mongostore.Config) {
	ctx := t.Context()
	_, ts, db := open(t, cfg)
	deal := &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won"}},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "closeDate", Type: schema.TypeDate},
	}, Indexes: [][]string{{"stage", "amount"}, {"stage", "closeDate"}}}
	save(t, ts, deal, 1)
	var recs []store.Record
	for i := range 60 {
		recs = append(recs, rec(fmt.Sprintf("d%02d", i), map[string]any{
			"stage": []string{"new", "won"}[i%2], "amount": float64(i * 10), "closeDate": fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28)}))
	}
	insert(t, ts, deal, recs...)
	q := store.Query{Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "new"},
		Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 10}
	ids := func() []string {
		var out []string
		q := q
		for range 10 {
			page, err := ts.Find(ctx, deal, q)
			require.NoError(t, err)
			for _, r := range page.Records {
				out = append(out, r.ID)
			}
			if !page.HasMore {
				return out
			}
			last := page.Records[len(page.Records)-1]
			q.After = &store.Position{Values: []any{last.Data["closeDate"]}, ID: last.ID}
		}
		t.Fatal("pages do not end")
		return nil
	}
	var want []string
	slices.SortFunc(recs, func(a, b store.Record) int {
		if c := strings.Compare(b.Data["closeDate"].(string), a.Data["closeDate"].(string)); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID) // ties descending, as the order
	})
	for _, r := range recs {
		if r.Data["stage"] == "new" {
			want = append(want, r.ID)
		}
	}
	assert.Equal(t, want, ids(), "with the index")
	names := indexNames(t, db, "r_deal")
	dropped := 0
	for _, n := range names {
		if strings.HasPrefix(n, "ix_stage_") {
			require.NoError(t, db.Collection("r_deal").Indexes().DropOne(ctx, n))
			dropped++
		}
	}
	require.Equal(t, 2, dropped, "the two indexes on stage in %v", names)
	assert.Equal(t, want, ids(), "without it")
}
