package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func aggregateObject() *schema.Object {
	obj := planObject()
	obj.Fields = append(obj.Fields,
		&schema.Field{Name: "stage", Type: schema.TypePicklist},
		&schema.Field{Name: "qty", Type: schema.TypeInteger},
		&schema.Field{Name: "closeDate", Type: schema.TypeDate},
		&schema.Field{Name: "signedAt", Type: schema.TypeDateTime},
		&schema.Field{Name: "salary", Type: schema.TypeCurrency, Sensitive: true},
		&schema.Field{Name: "idCard", Type: schema.TypeText, Sensitive: true},
	)
	return obj
}

func TestBucketStart(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	scenarios := []struct {
		name   string
		value  string
		kind   schema.Kind
		bucket store.Bucket
		want   string
	}{
		{"a date is its own day", "2026-12-04", schema.KindDate, store.BucketDay, "2026-12-04"},
		{"a Friday's week starts on Monday", "2026-12-04", schema.KindDate, store.BucketWeek, "2026-11-30"},
		{"a Monday starts its own week", "2026-11-30", schema.KindDate, store.BucketWeek, "2026-11-30"},
		{"a Sunday ends its week", "2026-12-06", schema.KindDate, store.BucketWeek, "2026-11-30"},
		{"a week crosses the year", "2027-01-01", schema.KindDate, store.BucketWeek, "2026-12-28"},
		{"month", "2026-12-31", schema.KindDate, store.BucketMonth, "2026-12-01"},
		{"quarter", "2026-08-15", schema.KindDate, store.BucketQuarter, "2026-07-01"},
		{"year", "2026-08-15", schema.KindDate, store.BucketYear, "2026-01-01"},
		{"midnight in Shanghai is 16:00 UTC the day before", "2026-11-30T16:00:00.000000Z", schema.KindDateTime, store.BucketDay, "2026-12-01"},
		{"a microsecond before it is still the old day", "2026-11-30T15:59:59.999999Z", schema.KindDateTime, store.BucketDay, "2026-11-30"},
		{"the month turns at Shanghai's midnight", "2026-11-30T16:00:00.000000Z", schema.KindDateTime, store.BucketMonth, "2026-12-01"},
		{"the year turns at Shanghai's midnight", "2026-12-31T16:00:00.000000Z", schema.KindDateTime, store.BucketYear, "2027-01-01"},
		{"the quarter before it", "2026-09-30T15:59:59.999999Z", schema.KindDateTime, store.BucketQuarter, "2026-07-01"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got, ok := store.BucketStart(s.value, s.kind, s.bucket, shanghai)
			require.True(t, ok)
			assert.Equal(t, s.want, got)
		})
	}
	_, ok := store.BucketStart("not a date", schema.KindDate, store.BucketDay, time.UTC)
	assert.False(t, ok)
}

func TestPlanAggregate_Refuses(t *testing.T) {
	t.Parallel()
	obj := aggregateObject()
	scenarios := []struct {
		name  string
		agg   store.Aggregation
		field string
	}{
		{"an unknown field", store.Aggregation{GroupBy: []store.GroupBy{{Field: "nope"}}}, "nope"},
		{"a list field", store.Aggregation{GroupBy: []store.GroupBy{{Field: "tags"}}}, "tags"},
		{"a whole address", store.Aggregation{GroupBy: []store.GroupBy{{Field: "shipTo"}}}, "shipTo"},
		{"a number", store.Aggregation{GroupBy: []store.GroupBy{{Field: "amount"}}}, "amount"},
		{"the id", store.Aggregation{GroupBy: []store.GroupBy{{Field: "id"}}}, "id"},
		{"a sensitive field", store.Aggregation{GroupBy: []store.GroupBy{{Field: "idCard"}}}, "idCard"},
		{"a date-time without a bucket", store.Aggregation{GroupBy: []store.GroupBy{{Field: "signedAt"}}}, "signedAt"},
		{"a bucket on text", store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage", Bucket: store.BucketMonth}}}, "stage"},
		{"an unknown bucket", store.Aggregation{GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: "decade"}}}, "closeDate"},
		{"the same key twice", store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "stage"}}}, "stage"},
		{"a sum of text", store.Aggregation{Measures: []store.Measure{{Op: store.MeasureSum, Field: "name"}}}, "name"},
		{"an average of ciphertext", store.Aggregation{Measures: []store.Measure{{Op: store.MeasureAvg, Field: "salary"}}}, "salary"},
		{"count with a field", store.Aggregation{Measures: []store.Measure{{Op: store.MeasureCount, Field: "amount"}}}, "amount"},
		{"distinct values of a list", store.Aggregation{Measures: []store.Measure{{Op: store.MeasureCountDistinct, Field: "tags"}}}, "tags"},
		{"an unknown measure", store.Aggregation{Measures: []store.Measure{{Op: "median", Field: "amount"}}}, "amount"},
		{"four group fields", store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "won"}, {Field: "account"}, {Field: "ownerId"}}}, ""},
		{"having on a missing measure", store.Aggregation{Having: []store.Having{{Measure: 0, Op: store.OpGt}}}, ""},
		{"having with a text operator", store.Aggregation{Measures: []store.Measure{{Op: store.MeasureCount}}, Having: []store.Having{{Measure: 0, Op: store.OpContains}}}, ""},
		{"order by a missing key", store.Aggregation{Order: []store.GroupOrder{{Index: 0}}}, ""},
		{"a negative limit", store.Aggregation{Limit: -1}, ""},
		{"a bad filter", store.Aggregation{Filter: &store.Filter{Field: "nope", Op: store.OpEq, Value: 1}}, "nope"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.PlanAggregate(obj, s.agg)
			var qe *store.QueryError
			require.ErrorAs(t, err, &qe)
			assert.ErrorIs(t, err, store.ErrInvalidQuery)
			assert.Equal(t, s.field, qe.Field)
		})
	}
}

func TestAggregatePlan_Evaluate(t *testing.T) {
	t.Parallel()
	obj := aggregateObject()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	recs := []store.Record{
		{ID: "1", Data: map[string]any{"stage": "won", "amount": 100.0, "qty": 1.0, "signedAt": "2026-11-30T16:00:00.000000Z"}},
		{ID: "2", Data: map[string]any{"stage": "won", "amount": 50.5, "signedAt": "2026-11-30T15:59:59.999999Z"}},
		{ID: "3", Data: map[string]any{"stage": "lost", "amount": nil, "qty": 3.0}},
		{ID: "4", Data: map[string]any{"amount": 7.0, "qty": 3.0}},
		{ID: "5", Data: map[string]any{"stage": "won", "amount": -1.0, "signedAt": "2026-12-31T23:00:00.000000Z"}},
	}
	t.Run("groups, measures and the default order", func(t *testing.T) {
		t.Parallel()
		p, err := store.PlanAggregate(obj, store.Aggregation{
			GroupBy: []store.GroupBy{{Field: "stage"}},
			Measures: []store.Measure{
				{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureAvg, Field: "amount"},
				{Op: store.MeasureMin, Field: "amount"}, {Op: store.MeasureMax, Field: "amount"}, {Op: store.MeasureCountDistinct, Field: "qty"},
			},
		})
		require.NoError(t, err)
		got := p.Evaluate(recs)
		assert.Equal(t, []store.Group{
			{Keys: []any{nil}, Values: []any{int64(1), 7.0, 7.0, 7.0, 7.0, int64(1)}},
			{Keys: []any{"lost"}, Values: []any{int64(1), nil, nil, nil, nil, int64(1)}},
			{Keys: []any{"won"}, Values: []any{int64(3), 149.5, 149.5 / 3, -1.0, 100.0, int64(1)}},
		}, got)
	})
	t.Run("buckets in the zone, having, order by a measure, limit", func(t *testing.T) {
		t.Parallel()
		p, err := store.PlanAggregate(obj, store.Aggregation{
			GroupBy:  []store.GroupBy{{Field: "signedAt", Bucket: store.BucketDay}},
			Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}},
			Having:   []store.Having{{Measure: 1, Op: store.OpGt, Value: 0}},
			Order:    []store.GroupOrder{{Measure: true, Index: 1, Desc: true}},
			Limit:    1,
			Zone:     shanghai,
		})
		require.NoError(t, err)
		assert.Equal(t, []store.Group{{Keys: []any{"2026-12-01"}, Values: []any{int64(1), 100.0}}}, p.Evaluate(recs))
	})
	t.Run("without groups there is one group, even for no records", func(t *testing.T) {
		t.Parallel()
		p, err := store.PlanAggregate(obj, store.Aggregation{Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}}})
		require.NoError(t, err)
		assert.Equal(t, []store.Group{{Keys: []any{}, Values: []any{int64(0), nil}}}, p.Evaluate(nil))
	})
}

func TestFiscalKey(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return d
	}
	scenarios := []struct {
		day           string
		start         int
		year, quarter string
	}{
		{"2026-01-01", 1, "2026", "2026-Q1"},
		{"2026-12-31", 1, "2026", "2026-Q4"},
		{"2026-04-01", 1, "2026", "2026-Q2"},
		{"2026-03-31", 4, "2025", "2025-Q4"},
		{"2026-04-01", 4, "2026", "2026-Q1"},
		{"2026-05-31", 4, "2026", "2026-Q1"},
		{"2026-12-31", 4, "2026", "2026-Q3"},
		{"2027-01-01", 4, "2026", "2026-Q4"},
		{"2026-09-30", 10, "2025", "2025-Q4"},
		{"2026-10-01", 10, "2026", "2026-Q1"},
		{"2027-01-01", 10, "2026", "2026-Q2"},
		{"2026-12-01", 12, "2026", "2026-Q1"},
		{"2026-11-30", 12, "2025", "2025-Q4"},
		{"0999-06-01", 7, "0998", "0998-Q4"},
		{"2026-06-01", 0, "2026", "2026-Q2"},  // out of range: January
		{"2026-06-01", 13, "2026", "2026-Q2"}, // out of range: January
	}
	for _, s := range scenarios {
		assert.Equal(t, s.year, store.FiscalKey(day(s.day), store.BucketFiscalYear, s.start), "%s from month %d", s.day, s.start)
		assert.Equal(t, s.quarter, store.FiscalKey(day(s.day), store.BucketFiscalQuarter, s.start), "%s from month %d", s.day, s.start)
		for _, key := range []string{s.year, s.quarter} {
			from, to, ok := store.FiscalSpan(key, s.start)
			require.True(t, ok, key)
			assert.False(t, day(s.day).Before(from), "%s starts by %s", key, s.day)
			assert.True(t, day(s.day).Before(to), "%s ends after %s", key, s.day)
		}
	}
}

func TestFiscalSpan(t *testing.T) {
	t.Parallel()
	from, to, ok := store.FiscalSpan("2026", 4)
	require.True(t, ok)
	assert.Equal(t, "2026-04-01", from.Format(time.DateOnly))
	assert.Equal(t, "2027-04-01", to.Format(time.DateOnly))
	from, to, ok = store.FiscalSpan("2026-Q4", 4)
	require.True(t, ok)
	assert.Equal(t, "2027-01-01", from.Format(time.DateOnly))
	assert.Equal(t, "2027-04-01", to.Format(time.DateOnly))
	from, to, ok = store.FiscalSpan("2026-Q2", 1)
	require.True(t, ok)
	assert.Equal(t, "2026-04-01", from.Format(time.DateOnly))
	assert.Equal(t, "2026-07-01", to.Format(time.DateOnly))
	for _, bad := range []string{"", "26", "2026-Q5", "2026-Q0", "2026Q1", "2026-01-01", "20x6", "2026-q1"} {
		_, _, ok := store.FiscalSpan(bad, 4)
		assert.False(t, ok, bad)
	}
}

func TestBucketKey(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	got, ok := store.BucketKey("2026-03-31T16:00:00Z", schema.KindDateTime, store.BucketFiscalYear, shanghai, 4)
	require.True(t, ok)
	assert.Equal(t, "2026", got, "midnight of 1 April in Shanghai starts the fiscal year")
	got, ok = store.BucketKey("2026-03-31T16:00:00Z", schema.KindDateTime, store.BucketFiscalYear, time.UTC, 4)
	require.True(t, ok)
	assert.Equal(t, "2025", got, "still 31 March in UTC")
	got, ok = store.BucketKey("2026-08-15", schema.KindDate, store.BucketQuarter, shanghai, 4)
	require.True(t, ok)
	assert.Equal(t, "2026-07-01", got, "calendar buckets keep their first day")
	_, ok = store.BucketKey("someday", schema.KindDate, store.BucketFiscalQuarter, time.UTC, 4)
	assert.False(t, ok)
	_, ok = store.BucketStart("2026-08-15", schema.KindDate, store.BucketFiscalQuarter, time.UTC)
	assert.False(t, ok, "BucketStart has no first day for a fiscal bucket")
}
