package sqlitestore

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// TestStore_MigratesOldTenantFiles opens a tenant file written before
// records had owners (schema version 3): its record tables get owner_id,
// filled with created_by, and the owner index.
func TestStore_MigratesOldTenantFiles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	cfg := Config{Dir: dir, Synchronous: "NORMAL"}
	s, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	require.NoError(t, s.Close())

	// Rewrite the tenant's file as version 3 wrote it: the record table
	// without owner_id and its indexes without the owner index.
	obj := planDeal()
	specs, err := indexSpecs(obj)
	require.NoError(t, err)
	path := filepath.Join(dir, "tenants", "acme.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	stmts := []string{
		`CREATE TABLE r_deal (
			id TEXT PRIMARY KEY NOT NULL,
			version INTEGER NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			created_by TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			data BLOB NOT NULL
		)`,
		`INSERT INTO meta_objects (name, version, definition, saved_at, saved_by) VALUES ('deal', 1, '{}', '2026-01-01T00:00:00.000000Z', 'admin')`,
		`INSERT INTO r_deal VALUES ('d1', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 'user:ann', 'user:ann', jsonb('{"name":"one"}'))`,
		`INSERT INTO r_deal VALUES ('d2', 3, '2026-01-02T00:00:00.000000Z', '2026-01-03T00:00:00.000000Z', 'user:bob', 'user:ann', jsonb('{"name":"two"}'))`,
		`INSERT INTO r_deal VALUES ('d3', 1, '2026-01-04T00:00:00.000000Z', '2026-01-04T00:00:00.000000Z', 'key:k1', 'key:k1', jsonb('{}'))`,
		`PRAGMA user_version = 3`,
	}
	for _, spec := range specs {
		if spec.fields[0] == "ownerId" {
			continue
		}
		stmts = append(stmts, spec.create,
			`INSERT INTO meta_indexes (name, object, fields) VALUES ('`+spec.name+`', 'deal', '[]')`)
	}
	for _, stmt := range stmts {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())

	s, err = New(cfg)
	require.NoError(t, err)
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	owners := map[string]string{}
	page, err := ts.Find(ctx, obj, store.Query{})
	require.NoError(t, err)
	for _, r := range page.Records {
		owners[r.ID] = r.OwnerID
	}
	assert.Equal(t, map[string]string{"d1": "user:ann", "d2": "user:bob", "d3": "key:k1"}, owners, "the creator owns what was stored before owners")
	got, err := ts.Get(ctx, obj, "d2")
	require.NoError(t, err)
	assert.Equal(t, "user:bob", got.OwnerID)
	assert.Equal(t, "user:ann", got.UpdatedBy)
	assert.Equal(t, map[string]any{"name": "two"}, got.Data)

	f := store.Leaf("ownerId", store.OpIn, []any{"user:ann", "key:k1"})
	page, err = ts.Find(ctx, obj, store.Query{Filter: &f})
	require.NoError(t, err)
	assert.Equal(t, []string{"d1", "d3"}, recordIDs(page.Records))

	tdb := ts.(*tenantStore).testDB(t)
	indexes := func() []string {
		rows, err := tdb.reader.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'r_deal' AND sql IS NOT NULL ORDER BY name`)
		require.NoError(t, err)
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			names = append(names, n)
		}
		require.NoError(t, rows.Err())
		return names
	}
	var want []string
	for _, spec := range specs {
		want = append(want, spec.name)
	}
	slices.Sort(want)
	assert.Equal(t, want, indexes(), "the owner index has the name the definition's specs give it")
	var recorded int
	require.NoError(t, tdb.reader.QueryRowContext(ctx, `SELECT count(*) FROM meta_indexes WHERE object = 'deal' AND name = ?`, ownerIndex("deal").name).Scan(&recorded))
	assert.Equal(t, 1, recorded)
	var version int
	require.NoError(t, tdb.reader.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version))
	assert.Equal(t, tenantLayout.version, version)

	// The migrated table takes new records and definition versions like
	// a new one; saving keeps every index.
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 2, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		if err := tx.Insert(ctx, obj, store.Record{ID: "d4", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), CreatedBy: "user:ann", OwnerID: "user:cy"}); err != nil {
			return err
		}
		cur, err := tx.Get(ctx, obj, "d1")
		if err != nil {
			return err
		}
		next := cur
		next.Version, next.OwnerID = cur.Version+1, ""
		return tx.Update(ctx, obj, next, cur.Version)
	}))
	assert.Equal(t, want, indexes())
	got, err = ts.Get(ctx, obj, "d4")
	require.NoError(t, err)
	assert.Equal(t, "user:cy", got.OwnerID)
	require.NoError(t, s.Close())

	// Opening a migrated file again migrates nothing: an owner taken away
	// since stays away.
	s, err = New(cfg)
	require.NoError(t, err)
	defer s.Close()
	ts, err = s.Tenant(ctx, "acme")
	require.NoError(t, err)
	got, err = ts.Get(ctx, obj, "d1")
	require.NoError(t, err)
	assert.Empty(t, got.OwnerID)
}

func recordIDs(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}
