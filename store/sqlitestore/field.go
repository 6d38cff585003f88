package sqlitestore

import (
	"database/sql/driver"
	"fmt"
	"time"

	"modernc.org/sqlite"

	"github.com/crmkit/crm/store"
)

// tableName is the table of an object's records; name must have passed
// [store.CheckObjectName].
func tableName(name string) string { return "r_" + name }

// quotedTable is tableName quoted for SQL text.
func quotedTable(name string) string { return quoteIdent(tableName(name)) }

// column is a [store.Column] rendered for SQL.
type column struct {
	store.Column
	expr string // SQL expression yielding the value (NULL if missing)
	path string // JSON path into data; "" for system columns
	// times: the column holds createdAt or updatedAt as an integer
	// ([storedTime]); values compared with it go through [timeBounds].
	times bool
}

// systemExprs map the record's system fields to table columns.
var systemExprs = map[string]string{
	"id":        "id",
	"version":   "version",
	"createdAt": "created_at",
	"updatedAt": "updated_at",
	"createdBy": "created_by",
	"updatedBy": "updated_by",
	"ownerId":   "owner_id",
}

// dataExpr is the one expression text used for a JSON path, in indexes and
// in queries alike, so that SQLite matches them.
func dataExpr(path string) string { return "data ->> " + quoteString(path) }

// sqlColumn renders c: a table column, or a JSON path into data. The
// names in the path passed [store.ResolveColumn]'s pattern.
func sqlColumn(c store.Column) column {
	if c.System {
		return column{Column: c, expr: systemExprs[c.Field], times: c.Field == "createdAt" || c.Field == "updatedAt"}
	}
	path := "$." + c.Base
	if c.Part != "" {
		path += "." + c.Part
	}
	return column{Column: c, expr: dataExpr(path), path: path}
}

// storedTime is how a record table stores createdAt and updatedAt: whole
// microseconds since the Unix epoch (UTC), an integer of 6 bytes in the
// row and its index entries where [store.TimeLayout]'s text took 27. It
// keeps exactly what the text kept (microseconds, truncated), and
// integer order is time order as text order was.
func storedTime(t time.Time) int64 { return t.UnixMicro() }

// loadTime is the time [storedTime] stored, in UTC as [store.ParseTime]
// gives it.
func loadTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// The times [store.TimeLayout] writes in its order (years 0000–9999):
// every time a record table held as text lies between them.
var (
	firstStoredTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	lastStoredTime  = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// timeBounds turns a value compared with a time column into the integers
// that give the same answers as comparing it with the time's text did:
// for every stored time t, text(t) < v ⟺ t < lo and text(t) <= v ⟺ t <
// hi, so text(t) = v ⟺ lo <= t < hi (hi is lo+1 when v is the text of a
// time, lo otherwise). Filters and cursors send times as text in
// [store.TimeLayout] (the fast path); other text (a date alone, another
// layout) keeps the meaning it had, found by a binary search over the
// times' text order. SQLite orders numbers before text and text before
// blobs, so a number or boolean is below every time and a blob above.
func timeBounds(v any) (lo, hi int64) {
	switch v := v.(type) {
	case string:
		if t, err := time.Parse(store.TimeLayout, v); err == nil && store.FormatTime(t) == v {
			us := storedTime(t)
			return us, us + 1
		}
		return firstTimeWhere(func(text string) bool { return text >= v }),
			firstTimeWhere(func(text string) bool { return text > v })
	case []byte:
		return lastStoredTime + 1, lastStoredTime + 1
	}
	return firstStoredTime, firstStoredTime
}

// firstTimeWhere returns the first time from firstStoredTime on whose text
// holds above (which must hold for every later time once it holds), or
// lastStoredTime+1 if none: 62 steps of a binary search.
func firstTimeWhere(above func(text string) bool) int64 {
	lo, hi := firstStoredTime, lastStoredTime+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if above(store.FormatTime(loadTime(mid))) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// storedTimeFunc is the SQL function that turns a time column's text
// ([store.TimeLayout], as layout versions 4 and below stored it) into
// [storedTime]'s integer, for the migration to version 5; an integer
// stays as it is, and anything else is an error naming the value.
const storedTimeFunc = "crm_stored_time"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(storedTimeFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case int64:
			return v, nil
		case string:
			t, err := store.ParseTime(v)
			if err != nil {
				return nil, err
			}
			return storedTime(t), nil
		}
		return nil, fmt.Errorf("stored time %v (%T) is not text", args[0], args[0])
	})
}
