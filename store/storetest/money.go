package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// testMoney checks that sums of currency fields are exact: many amounts
// of 0.1, 0.2 and 0.7, whose float64 sum drifts, add up to the decimal
// sum in [store.Summer] and in the sum and average measures of
// [store.Aggregator] (grouped, by date buckets, without groups); a yen
// field adds whole yen; a sum past the range the adapters add exactly in
// is a [*store.QueryError], not a wrong figure.
func testMoney(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	ledger := &schema.Object{Name: "ledger", Fields: []*schema.Field{
		{Name: "kind", Type: schema.TypePicklist, Options: []string{"a", "b"}},
		{Name: "day", Type: schema.TypeDate},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "yen", Type: schema.TypeCurrency, Currency: "JPY"},
		{Name: "dinar", Type: schema.TypeCurrency, Currency: "KWD"},
		{Name: "ratio", Type: schema.TypeNumber},
	}}
	saveObject(t, ts, ledger, 1)
	const n = 999
	amounts := []float64{0.1, 0.2, 0.7}
	var recs []store.Record
	floatSum := 0.0
	for i := range n {
		a := amounts[i%3]
		floatSum += a
		day := time.Date(2026, time.Month(1+i%2), 1+i%28, 0, 0, 0, 0, time.UTC).Format(schema.DateLayout)
		recs = append(recs, record(fmt.Sprintf("m%04d", i), time.Duration(i)*time.Second, map[string]any{
			"kind": []string{"a", "b"}[i%2], "day": day, "amount": a, "yen": float64(1000 + i), "dinar": 0.001, "ratio": 0.1,
		}))
	}
	require.NotEqual(t, 333.0, floatSum, "the float64 sum drifts: the case can fail")
	insert(t, ts, ledger, recs...)

	summer, ok := ts.(store.Summer)
	require.True(t, ok)
	got, has, err := summer.Sum(ctx, ledger, nil, "amount")
	require.NoError(t, err)
	assert.True(t, has)
	assert.Equal(t, 333.0, got, "999 amounts of 0.1, 0.2 and 0.7 make 333 exactly")
	got, _, err = summer.Sum(ctx, ledger, leaf("kind", store.OpEq, "a"), "amount")
	require.NoError(t, err)
	assert.Equal(t, 166.8, got, "the 500 of even rank: 167×0.1 + 167×0.7 + 166×0.2")
	got, _, err = summer.Sum(ctx, ledger, nil, "yen")
	require.NoError(t, err)
	assert.Equal(t, float64(n*1000+n*(n-1)/2), got, "whole yen")
	got, _, err = summer.Sum(ctx, ledger, nil, "dinar")
	require.NoError(t, err)
	assert.Equal(t, 0.999, got, "fils add up exactly")

	agg, ok := ts.(store.Aggregator)
	require.True(t, ok)
	groups, err := agg.Aggregate(ctx, ledger, store.Aggregation{
		Measures: []store.Measure{measure(store.MeasureSum, "amount"), measure(store.MeasureAvg, "amount"), measure(store.MeasureSum, "yen")}})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, 333.0, groups[0].Values[0])
	assert.Equal(t, 333.0/n, groups[0].Values[1], "the average of the exact sum")
	assert.Equal(t, float64(n*1000+n*(n-1)/2), groups[0].Values[2])

	groups, err = agg.Aggregate(ctx, ledger, store.Aggregation{GroupBy: []store.GroupBy{by("kind", "")},
		Measures: []store.Measure{measure(store.MeasureSum, "amount")}})
	require.NoError(t, err)
	assert.Equal(t, []store.Group{group(keys("a"), 166.8), group(keys("b"), 166.2)}, groups)

	groups, err = agg.Aggregate(ctx, ledger, store.Aggregation{GroupBy: []store.GroupBy{by("day", store.BucketMonth)},
		Measures: []store.Measure{measure(store.MeasureSum, "amount"), measure(store.MeasureSum, "dinar")},
		Having:   []store.Having{{Measure: 0, Op: store.OpEq, Value: 166.8}}})
	require.NoError(t, err)
	assert.Equal(t, []store.Group{group(keys("2026-01-01"), 166.8, 0.5)}, groups, "by month (days grouped first), and a having on the exact sum")

	t.Run("a sum too large to add exactly", func(t *testing.T) {
		t.Parallel()
		huge := &schema.Object{Name: "huge", Fields: []*schema.Field{{Name: "amount", Type: schema.TypeCurrency}}}
		saveObject(t, ts, huge, 1)
		insert(t, ts, huge, record("h1", 0, map[string]any{"amount": 4e14}), record("h2", time.Second, map[string]any{"amount": 4e14}),
			record("h3", 2*time.Second, map[string]any{"amount": 4e14}))
		_, _, err := summer.Sum(ctx, huge, nil, "amount")
		var qe *store.QueryError
		require.True(t, errors.As(err, &qe), "%v", err)
		assert.Equal(t, "amount", qe.Field)
		assert.Contains(t, qe.Message, "too large to add exactly")
		_, err = agg.Aggregate(ctx, huge, store.Aggregation{Measures: []store.Measure{measure(store.MeasureSum, "amount")}})
		require.True(t, errors.As(err, &qe), "%v", err)
		assert.Equal(t, "amount", qe.Field)
	})
}
