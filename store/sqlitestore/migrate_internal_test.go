package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// layoutRecords are the records both stores of
// TestStore_MigratesToKeyedTables hold: times with ties, before 1970 and
// with nanoseconds (stored truncated to microseconds, as text did).
func layoutRecords() []store.Record {
	base := time.Date(2026, 3, 30, 22, 15, 0, 987654321, time.UTC)
	stages := []string{"new", "won", "lost"}
	var recs []store.Record
	for i := range 40 {
		created := base.Add(time.Duration(i/2) * 37 * time.Hour)
		if i == 39 {
			created = time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC)
		}
		data := map[string]any{
			"name":      fmt.Sprintf("Deal %02d", i),
			"stage":     stages[i%3],
			"amount":    float64(i*1000) + 0.5,
			"closeDate": fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28),
			"account":   fmt.Sprintf("acc%d", i%5),
		}
		if i%4 == 0 {
			data["code"] = fmt.Sprintf("C-%d", i)
		}
		recs = append(recs, store.Record{
			ID: fmt.Sprintf("d%03d", (i*17)%40), Version: int64(1 + i%3),
			CreatedAt: created, UpdatedAt: created.Add(time.Duration(i%4) * 90 * time.Minute),
			CreatedBy: "user:ann", UpdatedBy: "user:bob", OwnerID: fmt.Sprintf("user:%d", i%3), Data: data,
		})
	}
	return recs
}

// TestStore_MigratesToKeyedTables opens a tenant file of layout version
// 4 (record tables with a rowid and times as text) next to a new store
// holding the same records, and checks that after the migration both
// answer every read alike — gets, sorted and filtered pages walked with
// cursors, counts, sums, aggregates by time buckets — before and after
// the same writes.
func TestStore_MigratesToKeyedTables(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	obj := planDeal()
	recs := layoutRecords()

	// The old file, written with version 4's statements.
	dir := t.TempDir()
	cfg := Config{Dir: dir, Synchronous: "NORMAL"}
	s, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", filepath.Join(dir, "tenants", "acme.db"))
	require.NoError(t, err)
	stmts := []string{
		`CREATE TABLE r_deal (
			id TEXT PRIMARY KEY NOT NULL,
			version INTEGER NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			created_by TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			owner_id TEXT NOT NULL DEFAULT '',
			data BLOB NOT NULL
		)`,
		`CREATE TABLE r_empty (
			id TEXT PRIMARY KEY NOT NULL,
			version INTEGER NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			created_by TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			owner_id TEXT NOT NULL DEFAULT '',
			data BLOB NOT NULL
		)`,
		`INSERT INTO meta_objects (name, version, definition, saved_at, saved_by) VALUES ('deal', 1, '{}', '2026-01-01T00:00:00.000000Z', 'admin')`,
		`PRAGMA user_version = 4`,
	}
	specs, err := indexSpecs(obj)
	require.NoError(t, err)
	var wantIndexes []string
	for _, spec := range specs {
		stmts = append(stmts, spec.create, `INSERT INTO meta_indexes (name, object, fields) VALUES ('`+spec.name+`', 'deal', '[]')`)
		wantIndexes = append(wantIndexes, spec.name)
	}
	for _, stmt := range stmts {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	for _, r := range recs {
		data, err := encodeData(r.Data)
		require.NoError(t, err)
		_, err = db.Exec(`INSERT INTO r_deal (id, version, created_at, updated_at, created_by, updated_by, owner_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, jsonb(?))`,
			r.ID, r.Version, store.FormatTime(r.CreatedAt), store.FormatTime(r.UpdatedAt), r.CreatedBy, r.UpdatedBy, r.OwnerID, data)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, err = New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	old, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)

	// The new store, written through the port.
	fresh := NewForTest(t)
	require.NoError(t, fresh.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: time.Now()}))
	now, err := fresh.Tenant(ctx, "acme")
	require.NoError(t, err)
	require.NoError(t, now.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		return store.InsertMany(ctx, tx, obj, recs)
	}))

	// The migrated file has the new layout, the same indexes and version.
	tdb := old.(*tenantStore).testDB(t)
	for _, table := range []string{"r_deal", "r_empty"} {
		var text string
		require.NoError(t, tdb.reader.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = ?`, table).Scan(&text))
		assert.Contains(t, text, "created_at INTEGER NOT NULL", table)
		assert.True(t, strings.HasSuffix(text, "WITHOUT ROWID"), text)
	}
	var indexes []string
	rows, err := tdb.reader.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'r_deal'`)
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		indexes = append(indexes, n)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	assert.ElementsMatch(t, wantIndexes, indexes, "the same indexes, no primary-key index")
	var version, leftover int
	require.NoError(t, tdb.reader.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version))
	assert.Equal(t, tenantLayout.version, version)
	require.NoError(t, tdb.reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = ?`, rebuildTable).Scan(&leftover))
	assert.Zero(t, leftover)
	var free int
	require.NoError(t, tdb.reader.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free))
	assert.Zero(t, free, "the old tables' pages are given back")
	var tempStore int
	require.NoError(t, tdb.writer.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&tempStore))
	assert.Equal(t, 2, tempStore, "the writer keeps temporary data in memory again")

	sameAnswers(t, obj, old, now, recs)

	// The same writes on both, then the same answers again.
	write := func(ts store.TenantStore) {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			cur, err := tx.Get(ctx, obj, "d005")
			if err != nil {
				return err
			}
			next := cur
			next.Version++
			next.UpdatedAt = time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC)
			next.Data = map[string]any{"name": "changed", "stage": "won", "amount": 1.25}
			if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
				return err
			}
			if err := tx.Delete(ctx, obj, "d007"); err != nil {
				return err
			}
			return tx.Insert(ctx, obj, store.Record{ID: "e001", Version: 1, CreatedAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
				UpdatedAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), CreatedBy: "user:cy", Data: map[string]any{"name": "new", "code": "C-new"}})
		}))
	}
	write(old)
	write(now)
	after, err := now.Find(ctx, obj, store.Query{})
	require.NoError(t, err)
	require.Len(t, after.Records, len(recs))
	sameAnswers(t, obj, old, now, after.Records)

	// A unique value stays unique across the migration.
	err = old.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, obj, store.Record{ID: "e002", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Data: map[string]any{"code": "C-4"}})
	})
	var ue *store.UniqueError
	require.ErrorAs(t, err, &ue)
}

// sameAnswers asks a and b the same reads and requires the same answers.
func sameAnswers(t *testing.T, obj *schema.Object, a, b store.TenantStore, recs []store.Record) {
	t.Helper()
	ctx := context.Background()
	for _, r := range recs {
		ra, err := a.Get(ctx, obj, r.ID)
		require.NoError(t, err)
		rb, err := b.Get(ctx, obj, r.ID)
		require.NoError(t, err)
		assert.Equal(t, rb, ra, "record %s", r.ID)
		assert.Equal(t, store.FormatTime(r.CreatedAt), store.FormatTime(ra.CreatedAt), "createdAt of %s", r.ID)
		assert.Equal(t, store.FormatTime(r.UpdatedAt), store.FormatTime(ra.UpdatedAt), "updatedAt of %s", r.ID)
		assert.Equal(t, r.Data, ra.Data, "data of %s", r.ID)
	}
	mid := store.FormatTime(recs[len(recs)/2].CreatedAt)
	filters := []*store.Filter{
		nil,
		ptr(store.Leaf("createdAt", store.OpGte, mid)),
		ptr(store.Leaf("createdAt", store.OpLt, mid)),
		ptr(store.Leaf("createdAt", store.OpEq, mid)),
		ptr(store.Leaf("createdAt", store.OpNe, mid)),
		ptr(store.Leaf("updatedAt", store.OpGt, "2026-04-15")),
		ptr(store.Leaf("updatedAt", store.OpLte, "2026-04-15")),
		ptr(store.Leaf("createdAt", store.OpLte, "1970")),
		ptr(store.Leaf("createdAt", store.OpIn, []any{mid, "2026-04", store.FormatTime(recs[0].CreatedAt)})),
		ptr(store.Leaf("createdAt", store.OpNin, []any{mid, "nope"})),
		{And: []store.Filter{store.Leaf("stage", store.OpEq, "won"), store.Leaf("createdAt", store.OpGt, "2026-04-10T12")}},
		{Not: ptr(store.Leaf("updatedAt", store.OpGte, mid))},
	}
	sorts := [][]store.Sort{
		nil,
		{{Field: "createdAt"}},
		{{Field: "createdAt", Desc: true}},
		{{Field: "updatedAt", Desc: true}, {Field: "name"}},
		{{Field: "stage"}, {Field: "createdAt"}},
		{{Field: "closeDate", Desc: true}},
	}
	for fi, f := range filters {
		na, err := a.Count(ctx, obj, f)
		require.NoError(t, err)
		nb, err := b.Count(ctx, obj, f)
		require.NoError(t, err)
		require.Equal(t, nb, na, "count of filter %d", fi)
		sa, _, err := a.(store.Summer).Sum(ctx, obj, f, "amount")
		require.NoError(t, err)
		sb, _, err := b.(store.Summer).Sum(ctx, obj, f, "amount")
		require.NoError(t, err)
		require.Equal(t, sb, sa, "sum of filter %d", fi)
		for si, sort := range sorts {
			ia, ib := walkPages(t, obj, a, f, sort), walkPages(t, obj, b, f, sort)
			require.Equal(t, ib, ia, "filter %d, sort %d", fi, si)
			require.Len(t, ia, int(na), "filter %d, sort %d", fi, si)
		}
		for _, bucket := range []store.Bucket{store.BucketDay, store.BucketMonth, store.BucketFiscalQuarter} {
			agg := store.Aggregation{Filter: f, GroupBy: []store.GroupBy{{Field: "createdAt", Bucket: bucket}, {Field: "stage"}},
				Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}}, Zone: time.FixedZone("CST", 8*3600)}
			ga, err := a.(store.Aggregator).Aggregate(ctx, obj, agg)
			require.NoError(t, err)
			gb, err := b.(store.Aggregator).Aggregate(ctx, obj, agg)
			require.NoError(t, err)
			require.Equal(t, gb, ga, "groups of filter %d by %s", fi, bucket)
		}
	}
}

// walkPages lists the ids of every record of f in sort's order, three a
// page, each page after the last record of the one before.
func walkPages(t *testing.T, obj *schema.Object, ts store.TenantStore, f *store.Filter, sort []store.Sort) []string {
	t.Helper()
	var ids []string
	q := store.Query{Filter: f, Sort: sort, Limit: 3}
	for range 100 {
		page, err := ts.Find(context.Background(), obj, q)
		require.NoError(t, err)
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		if !page.HasMore {
			return ids
		}
		last := page.Records[len(page.Records)-1]
		pos := &store.Position{ID: last.ID}
		for _, s := range sort {
			switch s.Field {
			case "createdAt":
				pos.Values = append(pos.Values, store.FormatTime(last.CreatedAt))
			case "updatedAt":
				pos.Values = append(pos.Values, store.FormatTime(last.UpdatedAt))
			default:
				pos.Values = append(pos.Values, last.Data[s.Field])
			}
		}
		q.After = pos
	}
	t.Fatal("more than 100 pages")
	return nil
}

// TestStore_MigrationFailsWhole: a file whose rebuild fails (a stored
// time that is no time) stays as it was, every table of it, and says
// which table and value; once the value is mended the next open
// migrates it.
func TestStore_MigrationFailsWhole(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	cfg := Config{Dir: dir, Synchronous: "NORMAL"}
	s, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	require.NoError(t, s.Close())
	path := filepath.Join(dir, "tenants", "acme.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, table := range []string{"r_a", "r_b"} {
		_, err := db.Exec(`CREATE TABLE ` + table + ` (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
			created_by TEXT NOT NULL, updated_by TEXT NOT NULL, owner_id TEXT NOT NULL DEFAULT '', data BLOB NOT NULL)`)
		require.NoError(t, err)
		_, err = db.Exec(`INSERT INTO ` + table + ` VALUES ('x1', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 'u', 'u', '', jsonb('{}'))`)
		require.NoError(t, err)
	}
	_, err = db.Exec(`INSERT INTO r_b VALUES ('x2', 1, '2026-01-01T00:00:00.000000Z', 'yesterday', 'u', 'u', '', jsonb('{}'))`)
	require.NoError(t, err)
	_, err = db.Exec(`PRAGMA user_version = 4`)
	require.NoError(t, err)

	s, err = New(cfg)
	require.NoError(t, err)
	ts, err := s.Tenant(ctx, "acme")
	if err == nil {
		_, err = ts.Get(ctx, &schema.Object{Name: "a"}, "x1")
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rebuild the table of b")
	assert.Contains(t, err.Error(), `"yesterday"`)
	require.NoError(t, s.Close())

	var version int
	require.NoError(t, db.QueryRow(`PRAGMA user_version`).Scan(&version))
	assert.Equal(t, 4, version, "the file keeps its version")
	for _, table := range []string{"r_a", "r_b"} {
		var text string
		require.NoError(t, db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = ?`, table).Scan(&text))
		assert.Contains(t, text, "created_at TEXT", "%s is as it was", table)
	}

	_, err = db.Exec(`UPDATE r_b SET updated_at = '2026-01-02T00:00:00.000000Z' WHERE id = 'x2'`)
	require.NoError(t, err)
	s, err = New(cfg)
	require.NoError(t, err)
	defer s.Close()
	ts, err = s.Tenant(ctx, "acme")
	require.NoError(t, err)
	got, err := ts.Get(ctx, &schema.Object{Name: "b"}, "x2")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), got.UpdatedAt)
}
