package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// randomSeed fixes the random aggregation test; a failure names it.
const randomSeed = 20261205

// testAggregateRandom compares the adapter with the reference on random
// records (nulls, missing values, amounts of either sign) and random
// aggregations. Amounts are multiples of 1/4, so that sums are exact in
// any order of addition and groups that tie stay tied.
func testAggregateRandom(t *testing.T, s store.Store, opts Options) {
	ctx := t.Context()
	ts := newTenant(t, s, "random")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	r := rand.New(rand.NewPCG(randomSeed, 1))
	recs := randomDeals(r, 400)
	insert(t, ts, deal, recs...)
	agg := ts.(store.Aggregator)
	for i := range 40 {
		a := randomAggregation(r, opts.AggregateSubset)
		msg := fmt.Sprintf("seed %d, aggregation %d: %+v", randomSeed, i, a)
		plan, err := store.PlanAggregate(deal, a)
		require.NoError(t, err, msg)
		got, err := agg.Aggregate(ctx, deal, a)
		require.NoError(t, err, msg)
		requireSameGroups(t, plan.Evaluate(recs), got, msg)
	}
}

// randomDeals returns n deals whose every field may be missing or null.
func randomDeals(r *rand.Rand, n int) []store.Record {
	stages := []any{"new", "won", "lost", nil}
	start := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]store.Record, n)
	for i := range recs {
		d := map[string]any{}
		maybe := func(field string, v func() any) {
			switch r.IntN(8) {
			case 0: // missing
			case 1:
				d[field] = nil
			default:
				d[field] = v()
			}
		}
		maybe("stage", func() any { return stages[r.IntN(len(stages))] })
		maybe("amount", func() any { return float64(r.IntN(8001)-4000) / 4 })
		maybe("qty", func() any { return float64(r.IntN(6)) })
		maybe("won", func() any { return r.IntN(2) == 0 })
		maybe("account", func() any { return fmt.Sprintf("acc%d", r.IntN(10)) })
		maybe("closeDate", func() any { return start.AddDate(0, 0, r.IntN(800)).Format(time.DateOnly) })
		maybe("closedAt", func() any {
			// Whole hours and a few microseconds either side of them, so
			// that many values sit on a day's edge in some zone.
			at := start.Add(time.Duration(r.IntN(800*24)) * time.Hour).Add(time.Duration(r.IntN(3)-1) * time.Microsecond)
			return at.Format(store.TimeLayout)
		})
		rec := record(fmt.Sprintf("d%03d", i), time.Duration(r.IntN(900*24))*time.Hour, d)
		rec.OwnerID = fmt.Sprintf("u%d", r.IntN(4))
		recs[i] = rec
	}
	return recs
}

// randomAggregation returns an aggregation of the deal object; within
// the subset only count and sum over keys that are not dates.
func randomAggregation(r *rand.Rand, subset bool) store.Aggregation {
	pool := []store.GroupBy{by("stage", ""), by("won", ""), by("qty", ""), by("account", ""), by("ownerId", "")}
	measures := []store.Measure{count(), measure(store.MeasureSum, "amount"), measure(store.MeasureSum, "qty")}
	if !subset {
		buckets := []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth, store.BucketQuarter, store.BucketYear, store.BucketFiscalQuarter, store.BucketFiscalYear}
		pool = append(pool,
			by("closeDate", append(buckets, store.BucketNone)[r.IntN(len(buckets)+1)]),
			by("closedAt", buckets[r.IntN(len(buckets))]), by("createdAt", buckets[r.IntN(len(buckets))]))
		measures = append(measures,
			measure(store.MeasureCountDistinct, "account"), measure(store.MeasureCountDistinct, "closeDate"),
			measure(store.MeasureAvg, "amount"), measure(store.MeasureMin, "amount"), measure(store.MeasureMax, "qty"))
	}
	var a store.Aggregation
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	a.GroupBy = pool[:r.IntN(store.MaxGroupBy+1)]
	for range 1 + r.IntN(4) {
		a.Measures = append(a.Measures, measures[r.IntN(len(measures))])
	}
	if r.IntN(3) == 0 {
		ops := []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGte, store.OpLt, store.OpLte}
		a.Having = []store.Having{{Measure: r.IntN(len(a.Measures)), Op: ops[r.IntN(len(ops))], Value: float64(r.IntN(20))}}
	}
	for range r.IntN(3) {
		o := store.GroupOrder{Measure: r.IntN(2) == 0 || len(a.GroupBy) == 0, Desc: r.IntN(2) == 0}
		if o.Measure {
			o.Index = r.IntN(len(a.Measures))
		} else {
			o.Index = r.IntN(len(a.GroupBy))
		}
		a.Order = append(a.Order, o)
	}
	if r.IntN(2) == 0 {
		a.Limit = 1 + r.IntN(10)
	}
	switch r.IntN(4) {
	case 0:
		a.Filter = leaf("stage", store.OpIn, []any{"new", "won"})
	case 1:
		a.Filter = leaf("amount", store.OpGte, float64(r.IntN(2000)-1000))
	}
	if r.IntN(2) == 0 {
		a.Zone = shanghai
	}
	a.FiscalYearStart = r.IntN(13) // zero is January
	return a
}
