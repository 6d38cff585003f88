package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm/schema"
)

// Aggregator is an optional capability of a [Reader], found by type
// assertion: it groups the records a filter matches and computes
// measures per group, in the database, without reading the records.
type Aggregator interface {
	// Aggregate returns the groups of a, in a's order and within its
	// limit. Without GroupBy there is exactly one group (counting zero
	// records if none match). A query that cannot run is a [*QueryError]
	// from [PlanAggregate], with the same words on every adapter.
	Aggregate(ctx context.Context, obj *schema.Object, a Aggregation) ([]Group, error)
}

// Bounds of one aggregation.
const (
	// MaxGroupBy bounds the fields an aggregation groups by.
	MaxGroupBy = 3
	// MaxMeasures bounds the measures of one aggregation.
	MaxMeasures = 10
	// MaxHaving bounds the conditions on measures.
	MaxHaving = 10
)

// MeasureOp is what a [Measure] computes over a group's records.
type MeasureOp string

// Measures. Count needs no field; CountDistinct takes any field a group
// may be keyed by and counts its distinct values, missing ones left out;
// Sum, Avg, Min and Max take a number field (as [SummableField] allows)
// and leave out records without a value. Count and CountDistinct are
// int64; the others are float64, or nil when no record of the group has
// a value.
const (
	MeasureCount         MeasureOp = "count"
	MeasureCountDistinct MeasureOp = "countDistinct"
	MeasureSum           MeasureOp = "sum"
	MeasureAvg           MeasureOp = "avg"
	MeasureMin           MeasureOp = "min"
	MeasureMax           MeasureOp = "max"
)

// Bucket is the span a date or date-time group key is cut to.
type Bucket string

// Buckets. A calendar bucket's key is the first day of its span as
// "YYYY-MM-DD": the day itself, the Monday of its ISO week, the first of
// its month, quarter or year. A fiscal bucket's key names the fiscal
// year by the calendar year it starts in, "2026", and its quarter
// "2026-Q1", with the year starting in the aggregation's
// FiscalYearStart (see [FiscalKey]). Date-times are cut in the
// aggregation's Zone. A date field without a bucket groups by day; a
// date-time field needs one.
const (
	BucketNone          Bucket = ""
	BucketDay           Bucket = "day"
	BucketWeek          Bucket = "week"
	BucketMonth         Bucket = "month"
	BucketQuarter       Bucket = "quarter"
	BucketYear          Bucket = "year"
	BucketFiscalQuarter Bucket = "fiscalQuarter"
	BucketFiscalYear    Bucket = "fiscalYear"
)

// Fiscal reports whether b is a fiscal bucket, whose keys are
// [FiscalKey]s rather than first days.
func (b Bucket) Fiscal() bool {
	return b == BucketFiscalQuarter || b == BucketFiscalYear
}

// GroupBy is one field an aggregation groups by.
type GroupBy struct {
	Field  string `json:"field"`
	Bucket Bucket `json:"bucket,omitempty"`
}

// Measure is one figure computed per group.
type Measure struct {
	Op    MeasureOp `json:"op"`
	Field string    `json:"field,omitempty"`
}

// Having keeps only the groups whose measure (an index into Measures)
// compares to Value with Op: eq, ne, gt, gte, lt or lte. A measure
// without a value (nil) meets no condition.
type Having struct {
	Measure int     `json:"measure"`
	Op      Op      `json:"op"`
	Value   float64 `json:"value"`
}

// GroupOrder orders groups by a group key (Measure false; Index into
// GroupBy) or a measure (Measure true; Index into Measures). Missing
// keys and measures without a value sort first ascending, last
// descending, as in [Sort].
type GroupOrder struct {
	Measure bool `json:"measure,omitempty"`
	Index   int  `json:"index"`
	Desc    bool `json:"desc,omitempty"`
}

// Aggregation asks for groups of an object's records.
type Aggregation struct {
	Filter   *Filter
	GroupBy  []GroupBy
	Measures []Measure
	Having   []Having
	// Order comes first; the group keys ascending follow it, so the
	// order is total.
	Order []GroupOrder
	// Limit bounds the groups returned; zero means no limit.
	Limit int
	// Zone is where date-times are cut into buckets; nil means UTC.
	Zone *time.Location
	// FiscalYearStart is the month (1–12) fiscal years start in, for
	// the fiscal buckets; zero means January.
	FiscalYearStart int
}

// Group is one group of an aggregation's answer.
type Group struct {
	// Keys holds one value per GroupBy: a string (text, picklist, lookup
	// or owner id, bucket start date), a bool, an int64, or nil for
	// records without a value.
	Keys []any
	// Values holds one value per Measure, typed as [MeasureOp] says.
	Values []any
}

// AggregatePlan is an [Aggregation] checked against an object definition.
// Adapters render it; [AggregatePlan.Evaluate] computes it in memory with
// the same meaning.
type AggregatePlan struct {
	Filter   *Cond // nil matches every record
	Keys     []GroupKey
	Measures []PlannedMeasure
	Having   []Having
	// Order is complete: the caller's order, then every key not in it
	// ascending.
	Order []GroupOrder
	Limit int
	Zone  *time.Location // never nil
	// FiscalYearStart is the month (1–12) fiscal years start in.
	FiscalYearStart int
}

// GroupKey is one resolved group field; its column is scalar.
type GroupKey struct {
	Column Column
	// Bucket is set for date and date-time columns (day when a date
	// field was given none) and empty for every other kind.
	Bucket Bucket
}

// PlannedMeasure is one resolved measure; Column is the zero Column for
// count.
type PlannedMeasure struct {
	Op     MeasureOp
	Column Column
	// Scale is, for sums and averages of a currency field, the units of
	// money its amounts are added up in ([schema.Field.SumScale]): the
	// sum is exact (see [MoneySum]). 0 for other measures, which add
	// float64s.
	Scale int64
}

// PlanAggregate checks a against obj and returns its plan, or a
// [*QueryError] naming what cannot run.
func PlanAggregate(obj *schema.Object, a Aggregation) (*AggregatePlan, error) {
	switch {
	case a.Limit < 0:
		return nil, &QueryError{Message: "limit must not be negative"}
	case len(a.GroupBy) > MaxGroupBy:
		return nil, &QueryError{Message: fmt.Sprintf("an aggregation groups by at most %d fields", MaxGroupBy)}
	case len(a.Measures) > MaxMeasures:
		return nil, &QueryError{Message: fmt.Sprintf("an aggregation computes at most %d measures", MaxMeasures)}
	case len(a.Having) > MaxHaving:
		return nil, &QueryError{Message: fmt.Sprintf("an aggregation takes at most %d having conditions", MaxHaving)}
	case a.FiscalYearStart < 0 || a.FiscalYearStart > 12:
		return nil, &QueryError{Message: fmt.Sprintf("the fiscal year starts in a month from 1 to 12, not %d", a.FiscalYearStart)}
	}
	p := &AggregatePlan{Limit: a.Limit, Zone: a.Zone, Having: slices.Clone(a.Having), FiscalYearStart: a.FiscalYearStart}
	if p.Zone == nil {
		p.Zone = time.UTC
	}
	if p.FiscalYearStart == 0 {
		p.FiscalYearStart = 1
	}
	seen := map[GroupBy]bool{}
	for _, g := range a.GroupBy {
		k, err := planGroupKey(obj, g)
		if err != nil {
			return nil, err
		}
		if seen[GroupBy{Field: k.Column.Field, Bucket: k.Bucket}] {
			return nil, &QueryError{Field: g.Field, Message: "the aggregation groups by this field twice"}
		}
		seen[GroupBy{Field: k.Column.Field, Bucket: k.Bucket}] = true
		p.Keys = append(p.Keys, k)
	}
	for _, m := range a.Measures {
		pm, err := planMeasure(obj, m)
		if err != nil {
			return nil, err
		}
		p.Measures = append(p.Measures, pm)
	}
	for _, h := range a.Having {
		if h.Measure < 0 || h.Measure >= len(p.Measures) {
			return nil, &QueryError{Message: fmt.Sprintf("having names measure %d of %d", h.Measure, len(p.Measures))}
		}
		if !slices.Contains(havingOps, h.Op) {
			return nil, &QueryError{Message: fmt.Sprintf("having takes eq, ne, gt, gte, lt or lte, not %q", h.Op)}
		}
	}
	used := map[int]bool{}
	for _, o := range a.Order {
		if o.Measure {
			if o.Index < 0 || o.Index >= len(p.Measures) {
				return nil, &QueryError{Message: fmt.Sprintf("order names measure %d of %d", o.Index, len(p.Measures))}
			}
		} else {
			if o.Index < 0 || o.Index >= len(p.Keys) {
				return nil, &QueryError{Message: fmt.Sprintf("order names group field %d of %d", o.Index, len(p.Keys))}
			}
			if used[o.Index] {
				continue
			}
			used[o.Index] = true
		}
		p.Order = append(p.Order, o)
	}
	for i := range p.Keys {
		if !used[i] {
			p.Order = append(p.Order, GroupOrder{Index: i})
		}
	}
	f, err := PlanFilter(obj, a.Filter)
	if err != nil {
		return nil, err
	}
	p.Filter = f
	return p, nil
}

var havingOps = []Op{OpEq, OpNe, OpGt, OpGte, OpLt, OpLte}

// planGroupKey resolves one group field: a scalar column that is not the
// record id, a version, a plain number or a sensitive field.
func planGroupKey(obj *schema.Object, g GroupBy) (GroupKey, error) {
	col, err := ResolveColumn(obj, g.Field)
	if err != nil {
		return GroupKey{}, err
	}
	if err := groupable(obj, col); err != nil {
		return GroupKey{}, err
	}
	k := GroupKey{Column: col}
	switch col.Kind {
	case schema.KindDate:
		k.Bucket = g.Bucket
		if k.Bucket == BucketNone {
			k.Bucket = BucketDay
		}
	case schema.KindDateTime:
		if g.Bucket == BucketNone {
			return GroupKey{}, &QueryError{Field: g.Field, Message: "a date-time field is grouped by day, week, month, quarter, year, fiscalQuarter or fiscalYear: name a bucket"}
		}
		k.Bucket = g.Bucket
	default:
		if g.Bucket != BucketNone {
			return GroupKey{}, &QueryError{Field: g.Field, Message: "only date and date-time fields are cut into buckets"}
		}
	}
	if k.Bucket != BucketNone && !slices.Contains(buckets, k.Bucket) {
		return GroupKey{}, &QueryError{Field: g.Field, Message: fmt.Sprintf("unknown bucket %q: use day, week, month, quarter, year, fiscalQuarter or fiscalYear", k.Bucket)}
	}
	return k, nil
}

var buckets = []Bucket{BucketDay, BucketWeek, BucketMonth, BucketQuarter, BucketYear, BucketFiscalQuarter, BucketFiscalYear}

// groupable refuses the columns that make no groups: lists, whole
// addresses, plain numbers, ids, versions and ciphertext.
func groupable(obj *schema.Object, col Column) error {
	switch {
	case col.Field == "id" || col.Field == "version":
		return &QueryError{Field: col.Field, Message: "every record has its own " + col.Field + ", so it makes no groups"}
	case !col.IsScalar():
		return &QueryError{Field: col.Field, Message: fmt.Sprintf("%s fields cannot be grouped by", kindNames[col.Kind])}
	case col.Kind == schema.KindNumber:
		return &QueryError{Field: col.Field, Message: "a number field cannot be grouped by: measure it instead"}
	}
	if !col.System {
		if f := fieldOf(obj, col.Base); f != nil && f.Sensitive {
			return &QueryError{Field: col.Field, Message: "a sensitive field is stored encrypted and cannot be grouped by"}
		}
	}
	return nil
}

// distinctCountable refuses the columns whose distinct values cannot be
// counted: lists, whole addresses and ciphertext.
func distinctCountable(obj *schema.Object, col Column) error {
	if !col.IsScalar() {
		return &QueryError{Field: col.Field, Message: fmt.Sprintf("distinct values of %s fields cannot be counted", kindNames[col.Kind])}
	}
	if !col.System {
		if f := fieldOf(obj, col.Base); f != nil && f.Sensitive {
			return &QueryError{Field: col.Field, Message: "a sensitive field is stored encrypted and its values cannot be counted"}
		}
	}
	return nil
}

func planMeasure(obj *schema.Object, m Measure) (PlannedMeasure, error) {
	switch m.Op {
	case MeasureCount:
		if m.Field != "" {
			return PlannedMeasure{}, &QueryError{Field: m.Field, Message: "count counts records and takes no field: use countDistinct"}
		}
		return PlannedMeasure{Op: m.Op}, nil
	case MeasureCountDistinct:
		col, err := ResolveColumn(obj, m.Field)
		if err != nil {
			return PlannedMeasure{}, err
		}
		if err := distinctCountable(obj, col); err != nil {
			return PlannedMeasure{}, err
		}
		return PlannedMeasure{Op: m.Op, Column: col}, nil
	case MeasureSum, MeasureAvg, MeasureMin, MeasureMax:
		f, err := SummableField(obj, m.Field)
		if err != nil {
			return PlannedMeasure{}, err
		}
		col, err := ResolveColumn(obj, m.Field)
		if err != nil {
			return PlannedMeasure{}, err
		}
		pm := PlannedMeasure{Op: m.Op, Column: col}
		if m.Op == MeasureSum || m.Op == MeasureAvg {
			pm.Scale = f.SumScale()
		}
		return pm, nil
	}
	return PlannedMeasure{}, &QueryError{Field: m.Field, Message: fmt.Sprintf("unknown measure %q: use count, countDistinct, sum, avg, min or max", m.Op)}
}

// BucketStart returns the first day ("YYYY-MM-DD") of the calendar
// bucket that a date ("YYYY-MM-DD") or date-time (RFC 3339, as stored)
// value falls in, date-times cut in zone. It returns false for text that
// is neither, and for a fiscal bucket (see [BucketKey]).
func BucketStart(value string, kind schema.Kind, b Bucket, zone *time.Location) (string, bool) {
	if b.Fiscal() {
		return "", false
	}
	day, ok := dayOf(value, kind, zone)
	if !ok {
		return "", false
	}
	y, m, _ := day.Date()
	switch b {
	case BucketWeek:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		day = day.AddDate(0, 0, -back)
	case BucketMonth:
		day = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case BucketQuarter:
		day = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case BucketYear:
		day = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return day.Format(time.DateOnly), true
}

// BucketKey returns the group key of a date or date-time value in bucket
// b: [BucketStart] for a calendar bucket, [FiscalKey] for a fiscal one
// with fiscal years starting in month fiscalStart (1–12). Date-times are
// cut in zone. It returns false for text that is neither a date nor a
// date-time as stored. Adapters that cannot express a bucket in their
// query language call it per value.
func BucketKey(value string, kind schema.Kind, b Bucket, zone *time.Location, fiscalStart int) (string, bool) {
	if !b.Fiscal() {
		return BucketStart(value, kind, b, zone)
	}
	day, ok := dayOf(value, kind, zone)
	if !ok {
		return "", false
	}
	return FiscalKey(day, b, fiscalStart), true
}

// dayOf is the day of a date, or of a date-time in zone, as midnight UTC.
func dayOf(value string, kind schema.Kind, zone *time.Location) (time.Time, bool) {
	switch kind {
	case schema.KindDate:
		t, err := time.Parse(time.DateOnly, value)
		return t, err == nil
	case schema.KindDateTime:
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return time.Time{}, false
		}
		y, m, d := t.In(zone).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// FiscalKey names the fiscal year or quarter (b) that day falls in, with
// fiscal years starting on the first of month start (1–12; anything else
// counts as January). A fiscal year is named by the calendar year it
// starts in: with start 4, 2027-03-31 is in "2026" and its quarter
// "2026-Q4"; 2027-04-01 is in "2027-Q1". With start 1 the fiscal year is
// the calendar year. Years are written with four digits.
func FiscalKey(day time.Time, b Bucket, start int) string {
	if start < 1 || start > 12 {
		start = 1
	}
	// Months since year 0, moved back to the fiscal year's first month.
	n := day.Year()*12 + int(day.Month()) - 1 - (start - 1)
	year, month := n/12, n%12
	if n < 0 { // before year 0: floor, not truncation
		year, month = (n-11)/12, (n%12+12)%12
	}
	if b == BucketFiscalQuarter {
		return fmt.Sprintf("%04d-Q%d", year, month/3+1)
	}
	return fmt.Sprintf("%04d", year)
}

// FiscalSpan returns the days a fiscal key (as [FiscalKey] writes it:
// "2026" or "2026-Q1") covers with fiscal years starting in month start:
// its first day and the first day after it, at midnight UTC. It returns
// false for text that is no fiscal key.
func FiscalSpan(key string, start int) (from, to time.Time, ok bool) {
	if start < 1 || start > 12 {
		start = 1
	}
	if len(key) != 4 && (len(key) != 7 || key[4:6] != "-Q" || key[6] < '1' || key[6] > '4') {
		return time.Time{}, time.Time{}, false
	}
	year := 0
	for _, c := range key[:4] {
		if c < '0' || c > '9' {
			return time.Time{}, time.Time{}, false
		}
		year = year*10 + int(c-'0')
	}
	from = time.Date(year, time.Month(start), 1, 0, 0, 0, 0, time.UTC)
	if len(key) == 4 {
		return from, from.AddDate(1, 0, 0), true
	}
	from = from.AddDate(0, 3*int(key[6]-'1'), 0)
	return from, from.AddDate(0, 3, 0), true
}
