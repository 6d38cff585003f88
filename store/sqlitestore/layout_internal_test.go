package sqlitestore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// TestStore_RecordTableKeyedByID checks the layout of a new record table:
// rows stored in the B-tree of their id (WITHOUT ROWID), so no index of
// the primary key beside the table.
func TestStore_RecordTableKeyedByID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, SavedAt: time.Now()}, obj)
	}))
	db := ts.(*tenantStore).testDB(t)
	var text string
	require.NoError(t, db.reader.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'r_deal'`).Scan(&text))
	assert.True(t, strings.HasSuffix(text, "WITHOUT ROWID"), text)
	var autoindexes int
	require.NoError(t, db.reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'r_deal' AND sql IS NULL`).Scan(&autoindexes))
	assert.Zero(t, autoindexes, "the primary key is the table itself")
}

// TestTimeBounds_AsText checks that comparing a time column's integers
// with timeBounds' answers selects what comparing the times' text with
// the value did, for the texts filters and cursors send and for others.
func TestTimeBounds_AsText(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 10, 30, 15, 123456000, time.UTC)
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Unix(0, 0).UTC(),
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 30, 23, 59, 59, 999999000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	}
	for i := range 200 {
		times = append(times, base.Add(time.Duration(i-100)*time.Duration(i*i+1)*time.Microsecond*997))
	}
	values := []any{
		"", "0", "1", "2026", "2026-12", "2026-12-01", "2026-12-01T", "2026-12-01T10:30",
		"2026-12-01T10:30:15.123456Z", "2026-12-01T10:30:15.123456", "2026-12-01T10:30:15Z",
		"2026-12-01T10:30:15.1234567Z", "2026-12-01 10:30:15", "2026-12-01T10:30:15.123456+08:00",
		"0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Zz",
		"A", "z", "中文", "2026-13-01T00:00:00.000000Z", "2026-02-30T00:00:00.000000Z",
		float64(3), int64(1764000000), true, []byte("2026"),
	}
	for _, tm := range times {
		values = append(values, store.FormatTime(tm), store.FormatTime(tm)[:16])
	}
	// SQLite orders numbers and booleans below text and blobs above it.
	cmp := func(text string, v any) int {
		switch v := v.(type) {
		case string:
			return strings.Compare(text, v)
		case []byte:
			return -1
		}
		return 1
	}
	for _, v := range values {
		lo, hi := timeBounds(v)
		require.LessOrEqual(t, lo, hi)
		require.LessOrEqual(t, hi-lo, int64(1), "%v", v)
		for _, tm := range times {
			us, c := storedTime(tm), cmp(store.FormatTime(tm), v)
			assert.Equal(t, c < 0, us < lo, "text of %s < %v", tm, v)
			assert.Equal(t, c <= 0, us < hi, "text of %s <= %v", tm, v)
			assert.Equal(t, c == 0, lo <= us && us < hi, "text of %s = %v", tm, v)
		}
	}
	// Stored times round-trip as their text did: microseconds, UTC.
	for _, tm := range append(times, time.Date(2026, 5, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))) {
		want, err := store.ParseTime(store.FormatTime(tm))
		require.NoError(t, err)
		assert.Equal(t, want, loadTime(storedTime(tm)))
	}
}
