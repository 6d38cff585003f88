package sqlitestore

import (
	"database/sql/driver"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// bucketFunc is the SQL function that cuts a date-time into its bucket in
// a zone: crm_bucket(value, bucket, zone) → "YYYY-MM-DD" (or a fiscal
// key, "2026-Q1") or NULL, where bucket is a bucket code (see bucketCode)
// and zone an index into the registered zones.
//
// Note: SQLite's date functions know UTC and the machine's local time but
// no IANA zone, and a fixed offset is wrong across daylight saving time
// and past changes of a zone's rules; so date-times are cut by Go
// ([store.BucketStart], the reference's own code) called from SQL. Date
// fields have no zone and are cut by SQLite's date functions. Bucket and
// zone travel as integers: text arguments cost the call a copy each.
const bucketFunc = "crm_bucket"

// timeBucketFunc is bucketFunc for the integers of a time column
// (createdAt, updatedAt: [storedTime]).
const timeBucketFunc = "crm_time_bucket"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(bucketFunc, 3, bucketStart)
	sqlite.MustRegisterDeterministicScalarFunction(timeBucketFunc, 3, timeBucketStart)
}

var bucketCodes = []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth, store.BucketQuarter, store.BucketYear, store.BucketFiscalQuarter, store.BucketFiscalYear}

// bucketCode numbers bucket b with fiscal years starting in month
// fiscalStart (1–12): its index into bucketCodes, plus the month's
// offset from January times 16 (a fiscal bucket is a bucket and a month).
func bucketCode(b store.Bucket, fiscalStart int) int {
	code := slices.Index(bucketCodes, b)
	if b.Fiscal() {
		code += (fiscalStart - 1) * 16
	}
	return code
}

// zoneRegistry numbers the zones that statements pass to crm_bucket.
// Statements register their zone before they run, so a location that
// time.LoadLocation cannot find (time.FixedZone) works too. Zones are
// told apart by name and offset at the Unix epoch, so that two fixed
// zones of one name and different offsets stay apart; the list only
// grows, by the zones tenants use.
type zoneRegistry struct {
	mu   sync.Mutex
	ids  map[string]int
	list atomic.Pointer[[]*time.Location] // read per row without a lock
}

var zones = &zoneRegistry{ids: map[string]int{}}

// id registers z and returns its number.
func (r *zoneRegistry) id(z *time.Location) int {
	_, offset := time.Unix(0, 0).In(z).Zone()
	key := z.String() + " " + strconv.Itoa(offset)
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.ids[key]; ok {
		return id
	}
	var list []*time.Location
	if cur := r.list.Load(); cur != nil {
		list = append(list, *cur...)
	}
	list = append(list, z)
	r.list.Store(&list)
	r.ids[key] = len(list) - 1
	return len(list) - 1
}

// zone returns the zone numbered id, UTC if there is none.
func (r *zoneRegistry) zone(id int64) *time.Location {
	if list := r.list.Load(); list != nil && id >= 0 && id < int64(len(*list)) {
		return (*list)[id]
	}
	return time.UTC
}

// bucketStart implements crm_bucket. Anything but text in the value (a
// missing value is NULL) has no bucket.
func bucketStart(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	value, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	return bucketOf(value, args)
}

// timeBucketStart implements crm_time_bucket: crm_bucket of a time
// column's integer ([storedTime]).
func timeBucketStart(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	us, ok := args[0].(int64)
	if !ok {
		return nil, nil
	}
	return bucketOf(store.FormatTime(loadTime(us)), args)
}

// bucketOf is the bucket key of the date-time value for the bucket code
// and zone in args[1:].
func bucketOf(value string, args []driver.Value) (driver.Value, error) {
	code, _ := args[1].(int64)
	zone, _ := args[2].(int64)
	b, fiscalStart := code%16, code/16+1
	if code < 0 || b >= int64(len(bucketCodes)) || fiscalStart > 12 {
		return nil, nil
	}
	key, ok := store.BucketKey(value, schema.KindDateTime, bucketCodes[b], zones.zone(zone), int(fiscalStart))
	if !ok {
		return nil, nil
	}
	return key, nil
}

// dateTimeBucketExpr is the SQL of the bucket key of the date-time c in
// zone, fiscal years starting in month fiscalStart.
func dateTimeBucketExpr(c column, b store.Bucket, zone *time.Location, fiscalStart int) string {
	fn := bucketFunc
	if c.times {
		fn = timeBucketFunc
	}
	return fn + "(" + c.expr + ", " + strconv.Itoa(bucketCode(b, fiscalStart)) + ", " + strconv.Itoa(zones.id(zone)) + ")"
}

// dateBucketExpr is the SQL of the bucket start of the date e
// ("YYYY-MM-DD"), in SQLite's date functions. The ISO week starts on the
// Monday six days before the Sunday that ends it ('weekday 0' moves to
// the next Sunday, or stays on one); a quarter's first month is found
// from the month's number. A fiscal key is read from the date moved back
// to its fiscal year's first month: its first of the month first, so
// that no day runs past a shorter month's end (SQLite would carry
// 2026-05-31 minus three months to 2026-03-03). SQLite's %Y has four
// digits, as [store.FiscalKey]'s. Text that is no date is NULL all
// through.
func dateBucketExpr(e string, b store.Bucket, fiscalStart int) string {
	if b.Fiscal() {
		shift := ""
		if fiscalStart > 1 {
			shift = ", '-" + strconv.Itoa(fiscalStart-1) + " months'"
		}
		year := "strftime('%Y', " + e + ", 'start of month'" + shift + ")"
		if b == store.BucketFiscalYear {
			return year
		}
		month := "strftime('%m', " + e + ", 'start of month'" + shift + ")"
		return year + " || '-Q' || ((" + month + " - 1) / 3 + 1)"
	}
	switch b {
	case store.BucketWeek:
		return "date(" + e + ", 'weekday 0', '-6 days')"
	case store.BucketMonth:
		return "date(" + e + ", 'start of month')"
	case store.BucketQuarter:
		return "date(" + e + ", 'start of month', '-' || ((strftime('%m', " + e + ") - 1) % 3) || ' months')"
	case store.BucketYear:
		return "date(" + e + ", 'start of year')"
	}
	return "date(" + e + ")"
}
