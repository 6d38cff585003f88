package sqlitestore

import (
	"database/sql/driver"
	"strconv"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// bucketFunc is the SQL function that cuts a date-time into its bucket in
// a zone: crm_bucket(value, bucket, zone) → "YYYY-MM-DD" or NULL.
//
// Note: SQLite's date functions know UTC and the machine's local time but
// no IANA zone, and a fixed offset is wrong across daylight saving time
// and past changes of a zone's rules; so date-times are cut by Go
// ([store.BucketStart], the reference's own code) called from SQL. Date
// fields have no zone and are cut by SQLite's date functions.
const bucketFunc = "crm_bucket"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(bucketFunc, 3, bucketStart)
}

// zones maps the names that statements pass to crm_bucket to their
// locations. Statements register their zone before they run, so a
// location that time.LoadLocation cannot find (time.FixedZone) works too.
var zones sync.Map // string → *time.Location

// zoneName registers z for crm_bucket and returns the name to pass: the
// zone's name and its offset at the Unix epoch, so that two fixed zones
// of one name and different offsets stay apart.
func zoneName(z *time.Location) string {
	_, offset := time.Unix(0, 0).In(z).Zone()
	name := z.String() + " " + strconv.Itoa(offset)
	if _, ok := zones.Load(name); !ok {
		zones.Store(name, z)
	}
	return name
}

// bucketStart implements crm_bucket. Anything but text in the value (a
// missing value is NULL) has no bucket.
func bucketStart(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	value, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	bucket, _ := args[1].(string)
	name, _ := args[2].(string)
	zone := time.UTC
	if z, ok := zones.Load(name); ok {
		zone = z.(*time.Location)
	}
	start, ok := store.BucketStart(value, schema.KindDateTime, store.Bucket(bucket), zone)
	if !ok {
		return nil, nil
	}
	return start, nil
}

// dateTimeBucketExpr is the SQL of the bucket start of the date-time e in
// zone.
func dateTimeBucketExpr(e string, b store.Bucket, zone *time.Location) string {
	return bucketFunc + "(" + e + ", " + quoteString(string(b)) + ", " + quoteString(zoneName(zone)) + ")"
}

// dateBucketExpr is the SQL of the bucket start of the date e
// ("YYYY-MM-DD"), in SQLite's date functions. The ISO week starts on the
// Monday six days before the Sunday that ends it ('weekday 0' moves to
// the next Sunday, or stays on one); a quarter's first month is found
// from the month's number.
func dateBucketExpr(e string, b store.Bucket) string {
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
