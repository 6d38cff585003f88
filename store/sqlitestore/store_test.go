package sqlitestore_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/store/storetest"
)

func TestStore_Conformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t testing.TB) store.Store { return sqlitestore.NewForTest(t) })
}

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func counterObject() *schema.Object {
	return &schema.Object{
		Name: "counter",
		Fields: []*schema.Field{
			{Name: "n", Type: schema.TypeInteger},
			{Name: "code", Type: schema.TypeText, Unique: true},
		},
	}
}

func saveObject(t testing.TB, ts store.TenantStore, obj *schema.Object) {
	t.Helper()
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		return tx.SaveObject(t.Context(), store.ObjectDoc{Name: obj.Name, Version: 1, Definition: []byte(`{"$id":"` + obj.Name + `"}`), SavedAt: now, SavedBy: "admin"}, obj)
	}))
}

func TestNew_Config(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		cfg  sqlitestore.Config
	}{
		{name: "no directory", cfg: sqlitestore.Config{}},
		{name: "unknown synchronous", cfg: sqlitestore.Config{Dir: t.TempDir(), Synchronous: "OFF"}},
		{name: "question mark in directory", cfg: sqlitestore.Config{Dir: filepath.Join(t.TempDir(), "a?b")}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlitestore.New(sc.cfg)
			require.Error(t, err)
			assert.Nil(t, s)
		})
	}
	s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir(), Synchronous: "normal"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestStore_TenantIDs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	scenarios := []struct{ name, id string }{
		{name: "parent directory", id: "../escape"},
		{name: "absolute path", id: "/tmp/x"},
		{name: "upper case", id: "Acme"},
		{name: "empty", id: ""},
		{name: "leading digit", id: "1acme"},
		{name: "dot", id: "acme.db"},
		{name: "too long", id: "a" + strings.Repeat("b", 63)},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.Error(t, s.CreateTenant(ctx, store.Tenant{ID: sc.id, CreatedAt: now}))
			_, err := s.Tenant(ctx, sc.id)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
	entries, err := os.ReadDir(filepath.Join(dir, "tenants"))
	require.NoError(t, err)
	assert.Empty(t, entries, "no file was created")
	_, err = os.Stat(filepath.Join(filepath.Dir(dir), "escape.db"))
	require.ErrorIs(t, err, os.ErrNotExist)

	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme-2", CreatedAt: now}))
	_, err = os.Stat(filepath.Join(dir, "tenants", "acme-2.db"))
	require.NoError(t, err, "creating a tenant creates its file")
}

func TestStore_MissingObject(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: now}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := counterObject() // never saved

	_, err = ts.Get(ctx, obj, "x")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = ts.Find(ctx, obj, store.Query{})
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = ts.Count(ctx, obj, nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, obj, store.Record{ID: "x", Version: 1, CreatedAt: now, UpdatedAt: now})
	})
	require.ErrorIs(t, err, store.ErrNotFound)

	bad := &schema.Object{Name: `x"; DROP TABLE meta_objects; --`}
	_, err = ts.Get(ctx, bad, "x")
	require.Error(t, err)
	_, err = ts.Objects(ctx)
	require.NoError(t, err)
}

func TestStore_Reopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	obj := counterObject()

	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: now}))
	require.NoError(t, s.CreateAPIKey(ctx, store.APIKey{ID: "k1", TenantID: "acme", Name: "ci", Hash: "h1", Prefix: "crm_1", CreatedAt: now}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	saveObject(t, ts, obj)
	rec := store.Record{ID: "c1", Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "u", UpdatedBy: "u", Data: map[string]any{"n": 1.0, "code": "A"}}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.NextSequence(ctx, "seq"); err != nil {
			return err
		}
		return tx.Insert(ctx, obj, rec)
	}))
	rev, err := ts.MetaRevision(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is harmless")
	_, err = s.Tenant(ctx, "acme")
	require.Error(t, err, "a closed store opens no tenant")

	s, err = sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	tenant, err := s.GetTenant(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, "Acme", tenant.Name)
	k, err := s.APIKeyByHash(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, "k1", k.ID)
	ts, err = s.Tenant(ctx, "acme")
	require.NoError(t, err)
	got, err := ts.Get(ctx, obj, "c1")
	require.NoError(t, err)
	assert.Equal(t, rec.Data, got.Data)
	assert.True(t, now.Equal(got.CreatedAt))
	after, err := ts.MetaRevision(ctx)
	require.NoError(t, err)
	assert.Equal(t, rev, after)
	doc, err := ts.Object(ctx, "counter")
	require.NoError(t, err)
	assert.Equal(t, int64(1), doc.Version)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		n, err := tx.NextSequence(ctx, "seq")
		assert.Equal(t, int64(2), n)
		if err != nil {
			return err
		}
		// The unique index survived too.
		err = tx.Insert(ctx, obj, store.Record{ID: "c2", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"code": "A"}})
		var ue *store.UniqueError
		require.ErrorAs(t, err, &ue)
		return nil
	}))
}

// TestStore_DataVersionAcrossStores: a write through another store on
// the same files, as another process would make it, moves the data
// version this one reads.
func TestStore_DataVersionAcrossStores(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	obj := counterObject()
	open := func() store.TenantStore {
		s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		ts, err := s.Tenant(ctx, "acme")
		require.NoError(t, err)
		return ts
	}
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: now}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	saveObject(t, ts, obj)
	other := open()
	version := func() int64 {
		v, err := ts.(store.DataVersioner).DataVersion(ctx, "counter")
		require.NoError(t, err)
		return v
	}
	before := version()
	require.NoError(t, other.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, obj, store.Record{ID: "c1", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"n": 1.0}})
	}))
	assert.NotEqual(t, before, version(), "the other store's insert is seen")
}

// TestStore_WriteContention is D3: 32 writers whose transactions read then
// write see no SQLITE_BUSY ("database is locked"), whether they share one
// store or are spread over two stores on the same files, as two processes
// would be.
func TestStore_WriteContention(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		stores int
	}{
		{name: "one store", stores: 1},
		{name: "two stores on the same files", stores: 2},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runWriters(t, sc.stores)
		})
	}
}

func runWriters(t *testing.T, stores int) {
	ctx := t.Context()
	dir := t.TempDir()
	obj := counterObject()
	tenants := make([]store.TenantStore, stores)
	for i := range stores {
		s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		if i == 0 {
			require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: now}))
		}
		ts, err := s.Tenant(ctx, "acme")
		require.NoError(t, err)
		tenants[i] = ts
	}
	saveObject(t, tenants[0], obj)
	require.NoError(t, tenants[0].WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, obj, store.Record{ID: "shared", Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"n": 0.0}})
	}))

	const writers = 32
	perWriter := 20
	if testing.Short() {
		perWriter = 5
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		latencies []time.Duration
	)
	errs := make([]error, writers)
	began := time.Now()
	for w := range writers {
		ts := tenants[w%stores]
		wg.Go(func() {
			for i := range perWriter {
				start := time.Now()
				err := ts.WithTx(ctx, func(tx store.Tx) error {
					cur, err := tx.Get(ctx, obj, "shared")
					if err != nil {
						return err
					}
					next := cur
					next.Version++
					next.Data = map[string]any{"n": cur.Data["n"].(float64) + 1}
					if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
						return err
					}
					return tx.Insert(ctx, obj, store.Record{ID: fmt.Sprintf("w%02d-%03d", w, i), Version: 1, CreatedAt: now, UpdatedAt: now})
				})
				if err != nil {
					errs[w] = err
					return
				}
				mu.Lock()
				latencies = append(latencies, time.Since(start))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	require.NoError(t, errors.Join(errs...))

	got, err := tenants[stores-1].Get(ctx, obj, "shared")
	require.NoError(t, err)
	assert.Equal(t, float64(writers*perWriter), got.Data["n"], "no update was lost")
	assert.Equal(t, int64(1+writers*perWriter), got.Version)
	n, err := tenants[0].Count(ctx, obj, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1+writers*perWriter), n)

	slices.Sort(latencies)
	t.Logf("%d transactions by %d writers in %s (%.0f/s, synchronous=FULL): latency p50 %s, p99 %s",
		len(latencies), writers, elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(),
		latencies[len(latencies)/2].Round(time.Microsecond), latencies[len(latencies)*99/100].Round(time.Microsecond))
}

// TestStore_ConcurrentTenants opens tenant files lazily from many
// goroutines at once.
func TestStore_ConcurrentTenants(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	for i := range 4 {
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: fmt.Sprintf("t%d", i), CreatedAt: now}))
	}
	require.NoError(t, s.Close())
	s, err = sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	var wg sync.WaitGroup
	got := make([]store.TenantStore, 32)
	errs := make([]error, 32)
	for i := range 32 {
		wg.Go(func() { got[i], errs[i] = s.Tenant(ctx, fmt.Sprintf("t%d", i%4)) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	for i := range got {
		assert.Same(t, got[i%4], got[i], "one store per tenant")
	}
}

// TestStore_Sequences checks the counters' export and import half: they
// list with their values, and SetSequence only moves a counter forward.
func TestStore_Sequences(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	reader, ok := ts.(store.SequenceReader)
	require.True(t, ok)
	got, err := reader.Sequences(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	next := func(name string) int64 {
		var n int64
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.NextSequence(ctx, name)
			return err
		}))
		return n
	}
	set := func(name string, v int64) {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			return tx.(store.SequenceSetter).SetSequence(ctx, name, v)
		}))
	}
	next("a")
	next("a")
	set("b", 41)
	got, err = reader.Sequences(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"a": 2, "b": 41}, got)
	assert.EqualValues(t, 42, next("b"))
	set("b", 10)
	assert.EqualValues(t, 43, next("b"), "a counter never moves back")
}

// TestStore_MigratesOldSystemFiles opens a system.db written before keys
// could expire (schema version 1) and adds the column.
func TestStore_MigratesOldSystemFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "system.db"))
	require.NoError(t, err)
	for _, stmt := range []string{
		`CREATE TABLE tenants (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL)`,
		`CREATE TABLE api_keys (id TEXT PRIMARY KEY NOT NULL, tenant_id TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, prefix TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
		`INSERT INTO tenants VALUES ('acme', 'Acme', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO api_keys VALUES ('k1', 'acme', 'old', 'hash-1', 'crm_11', '2026-01-01T00:00:00.000000Z', NULL)`,
		`PRAGMA user_version = 1`,
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	s, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	defer s.Close()
	k, err := s.APIKeyByHash(t.Context(), "hash-1")
	require.NoError(t, err)
	assert.Equal(t, "old", k.Name)
	assert.True(t, k.ExpiresAt.IsZero())
	require.NoError(t, s.CreateAPIKey(t.Context(), store.APIKey{ID: "k2", TenantID: "acme", Hash: "hash-2", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}))
}
