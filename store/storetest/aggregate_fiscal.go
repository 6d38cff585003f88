package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// ledgerObject holds the records of the fiscal bucket cases.
func ledgerObject() *schema.Object {
	return &schema.Object{Name: "ledger", Fields: []*schema.Field{
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "day", Type: schema.TypeDate},
		{Name: "at", Type: schema.TypeDateTime},
	}}
}

// fiscalRecords sit on the edges of fiscal years starting in January,
// April and October: the last and first day of each, a 31st whose month
// moved back three months has no 31st (2026-05-31), instants a moment
// either side of midnight in Asia/Shanghai (16:00Z the day before), and
// records without a date or with text that is none.
func fiscalRecords() []store.Record {
	days := []struct{ day, at any }{
		{"2025-12-31", "2025-12-31T15:59:59.999999Z"}, // f1: 2025-12-31 in both zones
		{"2026-01-01", "2025-12-31T16:00:00Z"},        // f2: 2026-01-01 in Shanghai, 2025-12-31 in UTC
		{"2026-03-31", "2026-03-31T15:59:59.999999Z"}, // f3
		{"2026-04-01", "2026-03-31T16:00:00Z"},        // f4: 04-01 in Shanghai, 03-31 in UTC
		{"2026-05-31", "2026-05-31T12:00:00Z"},        // f5
		{"2026-09-30", "2026-09-30T15:59:59Z"},        // f6
		{"2026-10-01", "2026-09-30T16:00:00Z"},        // f7: 10-01 in Shanghai, 09-30 in UTC
		{"2027-03-31", "2027-03-31T16:00:00Z"},        // f8: 2027-04-01 in Shanghai
		{nil, nil},                                    // f9
		{"someday", "later"},                          // f10: text that is no date
	}
	recs := make([]store.Record, len(days))
	for i, d := range days {
		data := map[string]any{"amount": float64(i + 1)}
		if d.day != nil {
			data["day"], data["at"] = d.day, d.at
		}
		recs[i] = record("f"+string(rune('a'+i)), time.Duration(i)*time.Hour, data)
	}
	return recs
}

// testAggregateFiscal checks the fiscal buckets: keys "2026" and
// "2026-Q1" named by the calendar year the fiscal year starts in, years
// starting in January (the calendar's), April and October, dates on
// every edge, date-times cut in Shanghai and in UTC, and the refusals.
func testAggregateFiscal(t *testing.T, ts store.TenantStore, agg store.Aggregator, opts Options) {
	obj := ledgerObject()
	saveObject(t, ts, obj, 1)
	recs := fiscalRecords()
	insert(t, ts, obj, recs...)
	fy, fq := store.BucketFiscalYear, store.BucketFiscalQuarter
	sum := measure(store.MeasureSum, "amount")
	scenarios := []aggScenario{
		{name: "start 1: fiscal years are calendar years", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("day", fy)}, Measures: []store.Measure{count(), sum}, FiscalYearStart: 1},
			want: []store.Group{
				group(keys(nil), int64(2), 9.0+10),
				group(keys("2025"), int64(1), 1.0),
				group(keys("2026"), int64(6), 2.0+3+4+5+6+7),
				group(keys("2027"), int64(1), 8.0),
			}},
		{name: "start 0 means January", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("day", fq)}, Measures: []store.Measure{count()}},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025-Q4"), int64(1)),
				group(keys("2026-Q1"), int64(2)),
				group(keys("2026-Q2"), int64(2)),
				group(keys("2026-Q3"), int64(1)),
				group(keys("2026-Q4"), int64(1)),
				group(keys("2027-Q1"), int64(1)),
			}},
		{name: "start 4: a year runs from April to March", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("day", fy), by("day", fq)}, Measures: []store.Measure{count(), sum}, FiscalYearStart: 4},
			want: []store.Group{
				group(keys(nil, nil), int64(2), 19.0),
				group(keys("2025", "2025-Q3"), int64(1), 1.0),
				group(keys("2025", "2025-Q4"), int64(2), 2.0+3),
				group(keys("2026", "2026-Q1"), int64(2), 4.0+5),
				group(keys("2026", "2026-Q2"), int64(1), 6.0),
				group(keys("2026", "2026-Q3"), int64(1), 7.0),
				group(keys("2026", "2026-Q4"), int64(1), 8.0),
			}},
		{name: "start 10: a year runs from October to September", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("day", fq)}, Measures: []store.Measure{count()}, FiscalYearStart: 10},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025-Q1"), int64(1)),
				group(keys("2025-Q2"), int64(2)),
				group(keys("2025-Q3"), int64(2)),
				group(keys("2025-Q4"), int64(1)),
				group(keys("2026-Q1"), int64(1)),
				group(keys("2026-Q2"), int64(1)),
			}},
		{name: "start 4: date-times cut in Shanghai", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("at", fy)}, Measures: []store.Measure{count()}, FiscalYearStart: 4, Zone: shanghai},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025"), int64(3)),
				group(keys("2026"), int64(4)),
				group(keys("2027"), int64(1)),
			}},
		{name: "start 4: the same instants in UTC", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("at", fy)}, Measures: []store.Measure{count()}, FiscalYearStart: 4},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025"), int64(4)),
				group(keys("2026"), int64(4)),
			}},
		{name: "start 10: quarters of date-times in Shanghai", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("at", fq)}, Measures: []store.Measure{count()}, FiscalYearStart: 10, Zone: shanghai},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025-Q1"), int64(1)),
				group(keys("2025-Q2"), int64(2)),
				group(keys("2025-Q3"), int64(2)),
				group(keys("2025-Q4"), int64(1)),
				group(keys("2026-Q1"), int64(1)),
				group(keys("2026-Q3"), int64(1)),
			}},
		{name: "start 10: quarters of the same instants in UTC", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("at", fq)}, Measures: []store.Measure{count()}, FiscalYearStart: 10},
			want: []store.Group{
				group(keys(nil), int64(2)),
				group(keys("2025-Q1"), int64(2)),
				group(keys("2025-Q2"), int64(2)),
				group(keys("2025-Q3"), int64(1)),
				group(keys("2025-Q4"), int64(2)),
				group(keys("2026-Q2"), int64(1)),
			}},
		{name: "start 1: date-times in Shanghai by fiscal year and calendar year", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("at", fy), by("at", store.BucketYear)}, Measures: []store.Measure{count()}, FiscalYearStart: 1, Zone: shanghai},
			want: []store.Group{
				group(keys(nil, nil), int64(2)),
				group(keys("2025", "2025-01-01"), int64(1)),
				group(keys("2026", "2026-01-01"), int64(6)),
				group(keys("2027", "2027-01-01"), int64(1)),
			}},
		{name: "fiscal quarters with a month, descending, a limit and having", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("day", fq), by("day", store.BucketMonth)}, Measures: []store.Measure{count(), sum},
			Having: []store.Having{{Measure: 1, Op: store.OpGt, Value: 1}}, Order: []store.GroupOrder{{Index: 0, Desc: true}},
			Limit: 4, FiscalYearStart: 7}},
		{name: "the creation time by fiscal quarter in Shanghai", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("createdAt", fq)}, Measures: []store.Measure{count()}, FiscalYearStart: 12, Zone: shanghai}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runAggScenario(t, agg, obj, recs, sc, opts)
		})
	}
	t.Run("refusals are query errors", func(t *testing.T) {
		t.Parallel()
		for _, a := range []store.Aggregation{
			{GroupBy: []store.GroupBy{by("amount", fy)}},
			{GroupBy: []store.GroupBy{by("day", fq)}, FiscalYearStart: 13},
			{GroupBy: []store.GroupBy{by("day", fy)}, FiscalYearStart: -1},
			{GroupBy: []store.GroupBy{by("day", fy), by("day", fy)}},
		} {
			_, err := agg.Aggregate(t.Context(), obj, a)
			requireQueryError(t, err)
		}
	})
	t.Run("every start agrees with the reference", func(t *testing.T) {
		t.Parallel()
		for start := 1; start <= 12; start++ {
			for _, a := range []store.Aggregation{
				{GroupBy: []store.GroupBy{by("day", fq), by("at", fy)}, Measures: []store.Measure{count(), sum}, FiscalYearStart: start, Zone: shanghai},
				{GroupBy: []store.GroupBy{by("at", fq)}, Measures: []store.Measure{count()}, FiscalYearStart: start},
			} {
				plan, err := store.PlanAggregate(obj, a)
				require.NoError(t, err)
				got, err := agg.Aggregate(t.Context(), obj, a)
				require.NoError(t, err)
				requireSameGroups(t, plan.Evaluate(recs), got, "fiscal year starting in month %d", start)
			}
		}
	})
}
