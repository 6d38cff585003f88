package mongostore

import (
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The group documents an aggregation pipeline produces: {_id: {k0, k1,
// k2} (null without keys), m0, m1, …}, and for sum the helper n<j>
// counting the values summed (and o<j>, for exact sums of amounts, true
// when the sum overflowed).
func keyName(i int) string     { return "k" + strconv.Itoa(i) }
func measureName(j int) string { return "m" + strconv.Itoa(j) }
func valuesName(j int) string  { return "n" + strconv.Itoa(j) }

// overflowName is the helper of an exact sum telling that its longs
// overflowed.
func overflowName(j int) string { return "o" + strconv.Itoa(j) }

// Shapes of the stored text that date and date-time buckets accept, as
// [store.BucketStart] does: a date is "YYYY-MM-DD"; a date-time is UTC
// text (the engine stores every date-time as [schema.DateTimeLayout]).
const (
	datePattern     = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	dateTimePattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`
)

// aggregatePipeline renders p as one pipeline for MongoDB 5.0 or later:
// $match (the filter, as Find renders it) → $group on the keys with the
// measures → $set finishing sums and distinct counts → $match (having) →
// $sort (the plan's complete order) → $limit. Without keys the having is
// left to the caller: the server returns no group at all when nothing
// matches, and the caller must tell that from a group having refused.
func aggregatePipeline(p *store.AggregatePlan) (mongo.Pipeline, error) {
	var id any // null: one group of every matched record
	if len(p.Keys) > 0 {
		keys := make(bson.D, len(p.Keys))
		for i, k := range p.Keys {
			expr, err := keyExpr(k, p.Zone, p.FiscalYearStart)
			if err != nil {
				return nil, err
			}
			keys[i] = bson.E{Key: keyName(i), Value: expr}
		}
		id = keys
	}
	group := bson.D{{Key: keyID, Value: id}}
	var finish bson.D
	for j, m := range p.Measures {
		path := "$" + mongoColumn(m.Column).path
		name := measureName(j)
		switch m.Op {
		case store.MeasureCount:
			group = append(group, bson.E{Key: name, Value: bson.D{{Key: "$sum", Value: int32(1)}}})
		case store.MeasureCountDistinct:
			// Values of another type than the field's become null, and
			// null is taken out of the set.
			group = append(group, bson.E{Key: name, Value: bson.D{{Key: "$addToSet", Value: typedValue(m.Column.Kind, path)}}})
			finish = append(finish, bson.E{Key: name, Value: bson.D{{Key: "$size", Value: bson.D{{Key: "$setDifference", Value: bson.A{"$" + name, bson.A{nil}}}}}}})
		case store.MeasureSum, store.MeasureAvg:
			if m.Op == store.MeasureAvg && m.Scale == 0 {
				// $avg leaves non-numbers out and is null without numbers.
				group = append(group, bson.E{Key: name, Value: bson.D{{Key: "$avg", Value: path}}})
				break
			}
			if m.Scale > 0 {
				// Amounts add up exactly as longs of 1/scale; one division
				// gives the double nearest the decimal sum. $sum turns a
				// sum past the long range into a double: o<j> says so.
				units := bson.D{{Key: "$toLong", Value: bson.D{{Key: "$round", Value: bson.A{
					bson.D{{Key: "$multiply", Value: bson.A{path, m.Scale}}}, int32(0)}}}}}
				group = append(group,
					bson.E{Key: name, Value: bson.D{{Key: "$sum", Value: ifNumber(path, units, int64(0))}}},
					bson.E{Key: valuesName(j), Value: bson.D{{Key: "$sum", Value: ifNumber(path, int32(1), int32(0))}}})
				value := any(bson.D{{Key: "$divide", Value: bson.A{"$" + name, float64(m.Scale)}}})
				if m.Op == store.MeasureAvg {
					value = bson.D{{Key: "$divide", Value: bson.A{value, "$" + valuesName(j)}}}
				}
				finish = append(finish,
					bson.E{Key: name, Value: bson.D{{Key: "$cond", Value: bson.A{
						bson.D{{Key: "$gt", Value: bson.A{"$" + valuesName(j), int32(0)}}}, value, nil}}}},
					bson.E{Key: overflowName(j), Value: bson.D{{Key: "$eq", Value: bson.A{bson.D{{Key: "$type", Value: "$" + name}}, "double"}}}})
				break
			}
			// $sum leaves non-numbers out but gives 0 for a group
			// without numbers, which must be null: count them too.
			group = append(group,
				bson.E{Key: name, Value: bson.D{{Key: "$sum", Value: path}}},
				bson.E{Key: valuesName(j), Value: bson.D{{Key: "$sum", Value: ifNumber(path, int32(1), int32(0))}}})
			finish = append(finish, bson.E{Key: name, Value: bson.D{{Key: "$cond", Value: bson.A{
				bson.D{{Key: "$gt", Value: bson.A{"$" + valuesName(j), int32(0)}}}, "$" + name, nil}}}})
		case store.MeasureMin, store.MeasureMax:
			// $min and $max compare across types, so non-numbers become
			// null, which they leave out (null without numbers).
			op := map[store.MeasureOp]string{store.MeasureMin: "$min", store.MeasureMax: "$max"}[m.Op]
			group = append(group, bson.E{Key: name, Value: bson.D{{Key: op, Value: ifNumber(path, path, nil)}}})
		default:
			return nil, fmt.Errorf("measure %q has no pipeline", m.Op)
		}
	}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: condOf(p.Filter).render()}},
		{{Key: "$group", Value: group}},
	}
	if len(finish) > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$set", Value: finish}})
	}
	if len(p.Keys) == 0 {
		return pipeline, nil
	}
	if len(p.Having) > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: havingMatch(p.Having)}})
	}
	pipeline = append(pipeline, bson.D{{Key: "$sort", Value: groupSort(p.Order)}})
	if p.Limit > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$limit", Value: int64(p.Limit)}})
	}
	return pipeline, nil
}

// keyExpr is the group key of one record: its value if of the column's
// type, else null, so that missing, null and mistyped values form one
// group as in [store.AggregatePlan.Evaluate]; for date and date-time
// columns the bucket's key: its first day, or a fiscal key.
func keyExpr(k store.GroupKey, zone *time.Location, fiscalStart int) (any, error) {
	path := "$" + mongoColumn(k.Column).path
	if k.Bucket == store.BucketNone {
		return typedValue(k.Column.Kind, path), nil
	}
	unit := string(k.Bucket)
	switch k.Column.Kind {
	case schema.KindDate:
		// A date is a day: read and cut in UTC.
		day := dateFromString(matching(path, datePattern), "%Y-%m-%d")
		if k.Bucket.Fiscal() {
			return fiscalKey(day, k.Bucket, fiscalStart, utcOffset), nil
		}
		return dayText(dateTrunc(day, unit, utcOffset), utcOffset), nil
	case schema.KindDateTime:
		// UTC text; its fraction is cut off (MongoDB's formats read
		// milliseconds only), which moves no instant across midnight.
		tz, err := zoneName(zone)
		if err != nil {
			return nil, err
		}
		text := bson.D{{Key: "$substrBytes", Value: bson.A{matching(path, dateTimePattern), int32(0), int32(len("2006-01-02T15:04:05"))}}}
		instant := dateFromString(text, "%Y-%m-%dT%H:%M:%S")
		if k.Bucket.Fiscal() {
			return fiscalKey(instant, k.Bucket, fiscalStart, tz), nil
		}
		return dayText(dateTrunc(instant, unit, tz), tz), nil
	}
	return nil, fmt.Errorf("field %s is neither a date nor a date-time, so it has no buckets", k.Column.Field)
}

// typedValue is the value at path if it has the type values of kind
// have, else null.
func typedValue(kind schema.Kind, path string) any {
	switch kind {
	case schema.KindNumber, schema.KindInteger:
		return ifNumber(path, path, nil)
	case schema.KindBoolean:
		return ifType(path, "bool")
	}
	return ifType(path, "string") // text, lookups, dates, date-times
}

// ifNumber is then where the value at path is a number, else otherwise.
func ifNumber(path string, then, otherwise any) bson.D {
	return bson.D{{Key: "$cond", Value: bson.A{bson.D{{Key: "$isNumber", Value: path}}, then, otherwise}}}
}

// ifType is the value at path if its BSON type is typ, else null.
func ifType(path, typ string) bson.D {
	return bson.D{{Key: "$cond", Value: bson.A{bson.D{{Key: "$eq", Value: bson.A{bson.D{{Key: "$type", Value: path}}, typ}}}, path, nil}}}
}

// matching is the text at path if it matches pattern, else null.
func matching(path, pattern string) bson.D {
	// $regexMatch takes null (false) but refuses other non-text input.
	test := bson.D{{Key: "$regexMatch", Value: bson.D{{Key: "input", Value: ifType(path, "string")}, {Key: "regex", Value: pattern}}}}
	return bson.D{{Key: "$cond", Value: bson.A{test, path, nil}}}
}

// dateFromString reads text in format as a UTC instant; text that is
// null or not a valid date gives null.
func dateFromString(text any, format string) bson.D {
	return bson.D{{Key: "$dateFromString", Value: bson.D{
		{Key: "dateString", Value: text},
		{Key: "format", Value: format},
		{Key: "timezone", Value: utcOffset},
		{Key: "onError", Value: nil},
		{Key: "onNull", Value: nil},
	}}}
}

// dateTrunc is the first instant of date's bucket in zone, weeks starting
// on Monday (null stays null).
func dateTrunc(date any, unit, zone string) bson.D {
	spec := bson.D{
		{Key: "date", Value: date},
		{Key: "unit", Value: unit},
		{Key: "timezone", Value: zone},
	}
	if unit == string(store.BucketWeek) {
		spec = append(spec, bson.E{Key: "startOfWeek", Value: "monday"})
	}
	return bson.D{{Key: "$dateTrunc", Value: spec}}
}

// fiscalKey is the fiscal year ("2026") or quarter ("2026-Q1") of an
// instant in zone, as [store.FiscalKey] names them (null stays null):
// the first of its month moved back to the fiscal year's first month
// ($dateAdd, MongoDB 5.0, as $dateTrunc), whose year is the fiscal
// year's name and whose month gives the quarter.
func fiscalKey(date any, b store.Bucket, start int, zone string) any {
	var shifted any = dateTrunc(date, string(store.BucketMonth), zone)
	if start > 1 {
		shifted = bson.D{{Key: "$dateAdd", Value: bson.D{
			{Key: "startDate", Value: shifted},
			{Key: "unit", Value: "month"},
			{Key: "amount", Value: int32(1 - start)},
			{Key: "timezone", Value: zone},
		}}}
	}
	year := bson.D{{Key: "$dateToString", Value: bson.D{
		{Key: "date", Value: shifted},
		{Key: "format", Value: "%Y"},
		{Key: "timezone", Value: zone},
		{Key: "onNull", Value: nil},
	}}}
	if b == store.BucketFiscalYear {
		return year
	}
	// $concat is null when a part is: a missing date has no quarter.
	month := bson.D{{Key: "$month", Value: bson.D{{Key: "date", Value: shifted}, {Key: "timezone", Value: zone}}}}
	quarter := bson.D{{Key: "$toString", Value: bson.D{{Key: "$toInt", Value: bson.D{{Key: "$ceil", Value: bson.D{{Key: "$divide", Value: bson.A{month, int32(3)}}}}}}}}}
	return bson.D{{Key: "$concat", Value: bson.A{year, "-Q", quarter}}}
}

// dayText is the day of an instant in zone as "YYYY-MM-DD" (null stays
// null).
func dayText(date any, zone string) bson.D {
	return bson.D{{Key: "$dateToString", Value: bson.D{
		{Key: "date", Value: date},
		{Key: "format", Value: "%Y-%m-%d"},
		{Key: "timezone", Value: zone},
		{Key: "onNull", Value: nil},
	}}}
}

// utcOffset names UTC to MongoDB as an offset, which every server reads
// whatever time zone files it was given.
const utcOffset = "+00:00"

// zoneName is the name MongoDB knows zone by: its IANA name, or for a
// zone with one fixed offset that offset ("+08:00"); UTC is utcOffset.
func zoneName(zone *time.Location) (string, error) {
	name := zone.String()
	if name == "UTC" || name == "" {
		return utcOffset, nil
	}
	if name != "Local" {
		if _, err := time.LoadLocation(name); err == nil {
			return name, nil
		}
	}
	// A fixed zone has the same offset all year round.
	year := time.Now().Year()
	_, jan := time.Date(year, 1, 1, 0, 0, 0, 0, zone).Zone()
	_, jul := time.Date(year, 7, 1, 0, 0, 0, 0, zone).Zone()
	if name != "Local" && jan == jul {
		sign, off := '+', jan
		if off < 0 {
			sign, off = '-', -off
		}
		return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60), nil
	}
	return "", fmt.Errorf("time zone %q has no IANA name to cut date-times in: use time.LoadLocation", name)
}

// havingMatch keeps the groups whose measures meet every condition; a
// measure without a value (null) meets none, $ne included.
func havingMatch(hs []store.Having) bson.D {
	ops := map[store.Op]string{store.OpEq: "$eq", store.OpNe: "$ne", store.OpGt: "$gt", store.OpGte: "$gte", store.OpLt: "$lt", store.OpLte: "$lte"}
	all := make(bson.A, len(hs))
	for i, h := range hs {
		all[i] = bson.D{{Key: measureName(h.Measure), Value: bson.D{
			{Key: "$type", Value: "number"},
			{Key: ops[h.Op], Value: h.Value},
		}}}
	}
	return bson.D{{Key: "$and", Value: all}}
}

// groupSort is the $sort of the plan's complete order. MongoDB sorts null
// before every number and text ascending and after them descending, as
// the plan's order puts nil. A field named again never decides, and
// $sort refuses it: it is left out.
func groupSort(order []store.GroupOrder) bson.D {
	d := bson.D{}
	seen := map[string]bool{}
	for _, o := range order {
		field := keyID + "." + keyName(o.Index)
		if o.Measure {
			field = measureName(o.Index)
		}
		if seen[field] {
			continue
		}
		seen[field] = true
		dir := int32(1)
		if o.Desc {
			dir = -1
		}
		d = append(d, bson.E{Key: field, Value: dir})
	}
	return d
}
