package sqlitestore_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// millionDeals holds 1,000,000 deals (10,000 with -short) with the
// indexes a template declares for its board: [stage, closeDate] and
// [stage, amount]; each deal's owner is its owner lookup. The store is
// reopened after loading, so that the file is read as a server finds it.
var millionDeals = dealFixture{index: []string{"stage", "amount"}, size: 1_000_000, reopen: true}

// BenchmarkStore_Aggregate is what a report or dashboard card costs: one
// aggregation over every deal (or one stage's fifth of them). The peer
// case is the peer workload's group-by, count and sum of the amount by
// stage over 100,000 deals, with and without the covering index.
func BenchmarkStore_Aggregate(b *testing.B) {
	if testing.Short() {
		millionDeals.size = 10_000
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		b.Fatal(err)
	}
	count := store.Measure{Op: store.MeasureCount}
	sum := store.Measure{Op: store.MeasureSum, Field: "amount"}
	byStage := store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}}, Measures: []store.Measure{count, sum}}
	propose := store.Leaf("stage", store.OpEq, "propose")
	scenarios := []struct {
		name string
		f    *dealFixture
		a    store.Aggregation
	}{
		{name: "count and sum by stage", f: &millionDeals, a: byStage},
		{name: "count and sum by stage and month", f: &millionDeals, a: store.Aggregation{
			GroupBy:  []store.GroupBy{{Field: "stage"}, {Field: "closeDate", Bucket: store.BucketMonth}},
			Measures: []store.Measure{count, sum}}},
		{name: "count and sum by owner having a count above the average", f: &millionDeals, a: store.Aggregation{
			GroupBy: []store.GroupBy{{Field: "ownerId"}}, Measures: []store.Measure{count, sum},
			// 50 owners: about half of them have more than a fiftieth.
			Having: []store.Having{{Measure: 0, Op: store.OpGt, Value: float64(millionDeals.len()) / 50}},
			Order:  []store.GroupOrder{{Measure: true, Index: 1, Desc: true}}}},
		{name: "count of distinct accounts", f: &millionDeals, a: store.Aggregation{
			Measures: []store.Measure{{Op: store.MeasureCountDistinct, Field: "account"}}}},
		{name: "one stage by month", f: &millionDeals, a: store.Aggregation{
			Filter: &propose, GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketMonth}}, Measures: []store.Measure{count, sum}}},
		{name: "count by week of creation in Shanghai", f: &millionDeals, a: store.Aggregation{
			GroupBy: []store.GroupBy{{Field: "createdAt", Bucket: store.BucketWeek}}, Measures: []store.Measure{count}, Zone: shanghai}},
		{name: "peer: count and sum by stage over 100k", f: &deals, a: byStage},
		{name: "peer: count and sum by stage over 100k, index [stage amount]", f: &dealsSummed, a: byStage},
	}
	for _, sc := range scenarios {
		if sc.f == &dealsSummed && testing.Short() {
			continue
		}
		b.Run(sc.name, func(b *testing.B) {
			ts, obj, _ := sc.f.get(b)
			agg := ts.(store.Aggregator)
			cpu0, measured := testkit.ProcessCPU()
			for b.Loop() {
				groups, err := agg.Aggregate(b.Context(), obj, sc.a)
				if err != nil || len(groups) == 0 {
					b.Fatalf("%d groups, %v", len(groups), err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "aggregates/s")
			if cpu1, ok := testkit.ProcessCPU(); measured && ok {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
