package storetest

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// shanghai is the zone the bucket edges are cut in: UTC+8 all year, so
// 16:00:00Z is midnight there.
var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic("storetest: " + err.Error())
	}
	return z
}

// subsetSkip is why a case outside [Options.AggregateSubset] is skipped.
const subsetSkip = "skipped: this server lacks the aggregation operators it needs ($avg, $min, $max, $addToSet, date operators); a real MongoDB runs it (CRM_TEST_MONGODB_URI)"

// aggregateRecords are the fixture of the aggregate tests: the filter
// fixture (missing and null values, zero, a negative amount) plus records
// on the bucket edges: a minute either side of midnight in Asia/Shanghai,
// a week that crosses a year, a date-time in one year in UTC and the next
// in Shanghai, and an amount that is text, not a number.
func aggregateRecords() []store.Record {
	recs := filterRecords()
	for i, d := range []map[string]any{
		{ // e1: Sunday 23:59:59.999999 in Shanghai; Monday of the week 2025-W01
			"stage": "won", "amount": 10.0, "qty": 4.0, "won": true, "account": "acc1",
			"closeDate": "2024-12-30", "closedAt": "2024-06-30T15:59:59.999999Z",
		},
		{ // e2: midnight of Monday in Shanghai; the Sunday that ends 2025-W01
			"stage": "won", "amount": 20.25, "qty": 4.0, "won": false, "account": "acc2",
			"closeDate": "2025-01-05", "closedAt": "2024-06-30T16:00:00.000000Z",
		},
		{ // e3: a Sunday of the week before; 2025 in Shanghai, 2024 in UTC
			"stage": "lost", "amount": -7.5, "account": "acc2",
			"closeDate": "2024-12-29", "closedAt": "2024-12-31T16:00:00.000000Z",
		},
		{ // e4: an amount that is not a number is left out of the measures
			"stage": "new", "amount": "12", "qty": 1.0, "closeDate": "2024-01-15",
		},
	} {
		r := record("e"+string(rune('1'+i)), time.Duration(7+i)*time.Hour, d)
		r.OwnerID = "u2"
		recs = append(recs, r)
	}
	for i := range recs[:4] {
		recs[i].OwnerID = "u1"
	}
	return recs
}

// aggScenario is one aggregation compared with the reference.
type aggScenario struct {
	name string
	agg  store.Aggregation
	// want, when set, is the answer spelled out, checked besides the
	// reference.
	want []store.Group
}

func count() store.Measure { return store.Measure{Op: store.MeasureCount} }

func measure(op store.MeasureOp, field string) store.Measure {
	return store.Measure{Op: op, Field: field}
}

func by(field string, b store.Bucket) store.GroupBy { return store.GroupBy{Field: field, Bucket: b} }

func group(keys []any, values ...any) store.Group { return store.Group{Keys: keys, Values: values} }

func keys(vs ...any) []any { return append([]any{}, vs...) }

// testAggregate checks the optional [store.Aggregator] against
// [store.AggregatePlan.Evaluate] over the same records: every measure and
// bucket, zero to three keys, having, order, limit, missing values, bucket
// edges in a zone, inside transactions, never across tenants, and the
// refusals. Under opts.AggregateSubset only count and sum grouped by
// fields that are not dates run.
func testAggregate(t *testing.T, newStore func(t testing.TB) store.Store, opts Options) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	agg, ok := ts.(store.Aggregator)
	require.True(t, ok, "the adapter's tenant store implements store.Aggregator")
	recs := aggregateRecords()
	insert(t, ts, deal, recs...)
	other := newTenant(t, s, "other")
	saveObject(t, other, deal, 1)
	insert(t, other, deal, record("x1", 0, map[string]any{"amount": 7.0, "stage": "other", "closeDate": "2024-12-30"}))

	all := []store.Measure{
		count(), measure(store.MeasureCountDistinct, "account"), measure(store.MeasureSum, "amount"),
		measure(store.MeasureAvg, "amount"), measure(store.MeasureMin, "amount"), measure(store.MeasureMax, "amount"),
	}
	edges := leaf("id", store.OpIn, []any{"e1", "e2"})
	scenarios := []aggScenario{
		{name: "count without groups", agg: store.Aggregation{Measures: []store.Measure{count()}},
			want: []store.Group{group(keys(), int64(len(recs)))}},
		{name: "every measure without groups", agg: store.Aggregation{Measures: all},
			want: []store.Group{group(keys(), int64(11), int64(3), 100+250.5+0-50+1000000+10+20.25-7.5, (100+250.5+0-50+1000000+10+20.25-7.5)/8, -50.0, 1000000.0)}},
		{name: "no measures", agg: store.Aggregation{GroupBy: []store.GroupBy{by("stage", "")}}},
		{name: "count and sum by stage", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}},
			want: []store.Group{
				group(keys(nil), int64(2), nil),
				group(keys("lost"), int64(2), -7.5),
				group(keys("new"), int64(3), 50.0),
				group(keys("won"), int64(4), 250.5+1000000+10+20.25),
			}},
		{name: "every measure by stage", agg: store.Aggregation{GroupBy: []store.GroupBy{by("stage", "")}, Measures: all}},
		{name: "count and sum by address parts", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("shipTo.country", ""), by("shipTo.city", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}}},
		{name: "distinct cities by province", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("shipTo.province", "")}, Measures: []store.Measure{count(), measure(store.MeasureCountDistinct, "shipTo.city")}}},
		{name: "by a boolean", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("won", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "qty")}},
			want: []store.Group{
				group(keys(nil), int64(4), 1.0),
				group(keys(false), int64(4), 1+0+10+4.0),
				group(keys(true), int64(3), 3+2+4.0),
			}},
		{name: "by an integer", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("qty", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}}},
		{name: "by a lookup and the owner", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("account", ""), by("ownerId", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}}},
		{name: "three keys", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", ""), by("won", ""), by("account", "")}, Measures: []store.Measure{count()}}},
		{name: "a text field and a system field", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("createdBy", ""), by("email", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "qty")}}},
		{name: "a filter", agg: store.Aggregation{
			Filter:  or(leaf("qty", store.OpGt, 1), leaf("won", store.OpEq, true)),
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}}},
		{name: "a filter nothing matches, without groups", agg: store.Aggregation{
			Filter: leaf("stage", store.OpEq, "nobody"), Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}},
			want: []store.Group{group(keys(), int64(0), nil)}},
		{name: "a filter nothing matches, with groups", agg: store.Aggregation{
			Filter: leaf("stage", store.OpEq, "nobody"), GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count()}},
			want: []store.Group{}},
		{name: "having without groups", agg: store.Aggregation{
			Measures: []store.Measure{count()}, Having: []store.Having{{Measure: 0, Op: store.OpGt, Value: 100}}},
			want: []store.Group{}},
		{name: "having on count", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("account", "")}, Measures: []store.Measure{count()},
			Having: []store.Having{{Measure: 0, Op: store.OpGt, Value: 1}}}},
		{name: "having on a sum leaves out groups without a value", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")},
			Having: []store.Having{{Measure: 1, Op: store.OpNe, Value: 50}}},
			want: []store.Group{group(keys("lost"), int64(2), -7.5), group(keys("won"), int64(4), 250.5+1000000+10+20.25)}},
		{name: "having, both bounds", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("qty", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")},
			Having: []store.Having{{Measure: 1, Op: store.OpGte, Value: -50}, {Measure: 1, Op: store.OpLt, Value: 250.5}}}},
		{name: "having eq and lte", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("won", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "qty")},
			Having: []store.Having{{Measure: 0, Op: store.OpEq, Value: 4}, {Measure: 1, Op: store.OpLte, Value: 100}}}},
		{name: "order by a measure descending, then the keys", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("account", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")},
			Order: []store.GroupOrder{{Measure: true, Index: 0, Desc: true}}}},
		{name: "order by a sum ascending puts no value first", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{measure(store.MeasureSum, "amount")},
			Order: []store.GroupOrder{{Measure: true, Index: 0}}}},
		{name: "order by a sum descending puts no value last", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{measure(store.MeasureSum, "amount")},
			Order: []store.GroupOrder{{Measure: true, Index: 0, Desc: true}}},
			want: []store.Group{group(keys("won"), 250.5+1000000+10+20.25), group(keys("new"), 50.0), group(keys("lost"), -7.5), group(keys(nil), nil)}},
		{name: "order by a key descending puts missing last", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("won", ""), by("stage", "")}, Measures: []store.Measure{count()},
			Order: []store.GroupOrder{{Index: 1, Desc: true}, {Index: 0, Desc: true}}}},
		{name: "a limit", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("account", "")}, Measures: []store.Measure{count()},
			Order: []store.GroupOrder{{Measure: true, Index: 0, Desc: true}}, Limit: 2}},
		{name: "a limit above the groups", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count()}, Limit: 50}},
		{name: "count distinct of a date, a boolean and an integer", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{
				measure(store.MeasureCountDistinct, "closeDate"), measure(store.MeasureCountDistinct, "won"), measure(store.MeasureCountDistinct, "qty")}}},
		{name: "avg, min and max of an integer", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("won", "")}, Measures: []store.Measure{
				measure(store.MeasureAvg, "qty"), measure(store.MeasureMin, "qty"), measure(store.MeasureMax, "qty")},
			Order: []store.GroupOrder{{Measure: true, Index: 0}}}},
		{name: "order by min descending", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("account", "")}, Measures: []store.Measure{measure(store.MeasureMin, "amount"), count()},
			Order: []store.GroupOrder{{Measure: true, Index: 0, Desc: true}}}},
		{name: "a date by day when no bucket is named", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("closeDate", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}}},
		{name: "a week that crosses a year", agg: store.Aggregation{
			Filter: leaf("id", store.OpIn, []any{"e1", "e2", "e3"}), GroupBy: []store.GroupBy{by("closeDate", store.BucketWeek)}, Measures: []store.Measure{count()}},
			want: []store.Group{group(keys("2024-12-23"), int64(1)), group(keys("2024-12-30"), int64(2))}},
		{name: "a quarter and a year that a week crosses", agg: store.Aggregation{
			Filter:  leaf("id", store.OpIn, []any{"e1", "e2", "e3"}),
			GroupBy: []store.GroupBy{by("closeDate", store.BucketYear), by("closeDate", store.BucketQuarter)}, Measures: []store.Measure{count()}},
			want: []store.Group{group(keys("2024-01-01", "2024-10-01"), int64(2)), group(keys("2025-01-01", "2025-01-01"), int64(1))}},
		{name: "midnight in Shanghai splits days", agg: store.Aggregation{
			Filter: edges, GroupBy: []store.GroupBy{by("closedAt", store.BucketDay)}, Measures: []store.Measure{count()}, Zone: shanghai},
			want: []store.Group{group(keys("2024-06-30"), int64(1)), group(keys("2024-07-01"), int64(1))}},
		{name: "midnight in Shanghai splits months and quarters", agg: store.Aggregation{
			Filter:  edges,
			GroupBy: []store.GroupBy{by("closedAt", store.BucketMonth), by("closedAt", store.BucketQuarter)}, Measures: []store.Measure{count()}, Zone: shanghai},
			want: []store.Group{group(keys("2024-06-01", "2024-04-01"), int64(1)), group(keys("2024-07-01", "2024-07-01"), int64(1))}},
		{name: "the same instants in UTC are one day", agg: store.Aggregation{
			Filter: edges, GroupBy: []store.GroupBy{by("closedAt", store.BucketDay)}, Measures: []store.Measure{count()}},
			want: []store.Group{group(keys("2024-06-30"), int64(2))}},
		{name: "a week of date-times in Shanghai", agg: store.Aggregation{
			Filter: edges, GroupBy: []store.GroupBy{by("closedAt", store.BucketWeek)}, Measures: []store.Measure{count()}, Zone: shanghai},
			want: []store.Group{group(keys("2024-06-24"), int64(1)), group(keys("2024-07-01"), int64(1))}},
		{name: "a year of date-times in Shanghai", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("closedAt", store.BucketYear)}, Measures: []store.Measure{count()}, Zone: shanghai},
			want: []store.Group{group(keys(nil), int64(4)), group(keys("2024-01-01"), int64(6)), group(keys("2025-01-01"), int64(1))}},
		{name: "a year of date-times in UTC", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("closedAt", store.BucketYear)}, Measures: []store.Measure{count()}},
			want: []store.Group{group(keys(nil), int64(4)), group(keys("2023-01-01"), int64(1)), group(keys("2024-01-01"), int64(6))}},
		{name: "every bucket of a date", agg: store.Aggregation{
			GroupBy:  []store.GroupBy{by("closeDate", store.BucketMonth), by("closeDate", store.BucketWeek), by("closeDate", store.BucketDay)},
			Measures: []store.Measure{count(), measure(store.MeasureAvg, "amount")}}},
		{name: "every bucket of a date-time", agg: store.Aggregation{
			GroupBy:  []store.GroupBy{by("closedAt", store.BucketQuarter), by("closedAt", store.BucketMonth), by("closedAt", store.BucketDay)},
			Measures: []store.Measure{count(), measure(store.MeasureMax, "amount")}, Zone: shanghai}},
		{name: "the creation time by week in Shanghai, with a picklist", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("createdAt", store.BucketWeek), by("stage", "")}, Measures: []store.Measure{count()}, Zone: shanghai}},
		{name: "order by a bucket descending with a limit", agg: store.Aggregation{
			GroupBy: []store.GroupBy{by("closeDate", store.BucketMonth)}, Measures: []store.Measure{count()},
			Order: []store.GroupOrder{{Index: 0, Desc: true}}, Limit: 3}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runAggScenario(t, agg, deal, recs, sc, opts)
		})
	}

	t.Run("an empty object", func(t *testing.T) {
		t.Parallel()
		empty := &schema.Object{Name: "gadget", Fields: []*schema.Field{
			{Name: "label", Type: schema.TypeText}, {Name: "score", Type: schema.TypeNumber}, {Name: "rank", Type: schema.TypeInteger},
		}}
		saveObject(t, ts, empty, 1)
		for _, sc := range []aggScenario{
			{name: "without groups", agg: store.Aggregation{Measures: []store.Measure{count(), measure(store.MeasureSum, "score")}},
				want: []store.Group{group(keys(), int64(0), nil)}},
			{name: "every measure without groups", agg: store.Aggregation{Measures: []store.Measure{
				count(), measure(store.MeasureCountDistinct, "label"), measure(store.MeasureAvg, "score"), measure(store.MeasureMin, "rank"), measure(store.MeasureMax, "rank")}},
				want: []store.Group{group(keys(), int64(0), int64(0), nil, nil, nil)}},
			{name: "with groups", agg: store.Aggregation{GroupBy: []store.GroupBy{by("label", "")}, Measures: []store.Measure{count()}},
				want: []store.Group{}},
		} {
			runAggScenario(t, agg, empty, nil, sc, opts)
		}
	})

	t.Run("inside a transaction", func(t *testing.T) {
		t.Parallel()
		item := itemObject()
		saveObject(t, ts, item, 1)
		insert(t, ts, item, record("i1", 0, map[string]any{"label": "a", "score": 1.5}))
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			require.NoError(t, tx.Insert(ctx, item, record("i2", 0, map[string]any{"label": "a", "score": 2.25})))
			txAgg, ok := tx.(store.Aggregator)
			require.True(t, ok, "the adapter's transactions implement store.Aggregator")
			got, err := txAgg.Aggregate(ctx, item, store.Aggregation{
				GroupBy: []store.GroupBy{by("label", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "score")}})
			require.NoError(t, err)
			requireSameGroups(t, []store.Group{group(keys("a"), int64(2), 3.75)}, got, "the transaction's own write is counted")
			return nil
		}))
	})

	t.Run("never across tenants", func(t *testing.T) {
		t.Parallel()
		otherAgg := other.(store.Aggregator)
		got, err := otherAgg.Aggregate(ctx, deal, store.Aggregation{
			GroupBy: []store.GroupBy{by("stage", "")}, Measures: []store.Measure{count(), measure(store.MeasureSum, "amount")}})
		require.NoError(t, err)
		requireSameGroups(t, []store.Group{group(keys("other"), int64(1), 7.0)}, got)
	})

	t.Run("sensitive fields are ciphertext", func(t *testing.T) {
		t.Parallel()
		salary := &schema.Object{Name: "salary", Fields: []*schema.Field{
			{Name: "grade", Type: schema.TypePicklist, Options: []string{"a", "b"}, Sensitive: true},
			{Name: "amount", Type: schema.TypeCurrency, Sensitive: true},
		}}
		saveObject(t, ts, salary, 1)
		for _, a := range []store.Aggregation{
			{GroupBy: []store.GroupBy{by("grade", "")}, Measures: []store.Measure{count()}},
			{Measures: []store.Measure{measure(store.MeasureCountDistinct, "grade")}},
			{Measures: []store.Measure{measure(store.MeasureSum, "amount")}},
			{Measures: []store.Measure{measure(store.MeasureMax, "amount")}},
		} {
			_, err := agg.Aggregate(ctx, salary, a)
			requireQueryError(t, err)
		}
	})

	t.Run("refusals are query errors", func(t *testing.T) {
		t.Parallel()
		for _, a := range []store.Aggregation{
			{GroupBy: []store.GroupBy{by("nope", "")}},
			{GroupBy: []store.GroupBy{by("tags", "")}},
			{GroupBy: []store.GroupBy{by("amount", "")}},
			{GroupBy: []store.GroupBy{by("id", "")}},
			{GroupBy: []store.GroupBy{by("closedAt", "")}},
			{GroupBy: []store.GroupBy{by("stage", store.BucketMonth)}},
			{GroupBy: []store.GroupBy{by("closeDate", "fortnight")}},
			{GroupBy: []store.GroupBy{by("stage", ""), by("stage", "")}},
			{GroupBy: []store.GroupBy{by("stage", ""), by("won", ""), by("account", ""), by("qty", "")}},
			{Measures: []store.Measure{measure(store.MeasureSum, "stage")}},
			{Measures: []store.Measure{measure(store.MeasureCount, "amount")}},
			{Measures: []store.Measure{measure("median", "amount")}},
			{Measures: []store.Measure{measure(store.MeasureCountDistinct, "tags")}},
			{Measures: []store.Measure{count()}, Having: []store.Having{{Measure: 1, Op: store.OpGt}}},
			{Measures: []store.Measure{count()}, Having: []store.Having{{Measure: 0, Op: store.OpContains}}},
			{Measures: []store.Measure{count()}, Order: []store.GroupOrder{{Index: 0}}},
			{Measures: []store.Measure{count()}, Order: []store.GroupOrder{{Measure: true, Index: 2}}},
			{Measures: []store.Measure{count()}, Limit: -1},
			{Measures: []store.Measure{count()}, Filter: leaf("nope", store.OpEq, 1)},
		} {
			_, err := agg.Aggregate(ctx, deal, a)
			requireQueryError(t, err)
		}
	})

	t.Run("fiscal buckets", func(t *testing.T) {
		t.Parallel()
		testAggregateFiscal(t, ts, agg, opts)
	})

	t.Run("random", func(t *testing.T) {
		t.Parallel()
		testAggregateRandom(t, s, opts)
	})
}

// runAggScenario runs sc on a and compares the answer with the reference
// over recs, and with sc.want when set.
func runAggScenario(t *testing.T, a store.Aggregator, obj *schema.Object, recs []store.Record, sc aggScenario, opts Options) {
	t.Helper()
	plan, err := store.PlanAggregate(obj, sc.agg)
	require.NoError(t, err, sc.name)
	if opts.AggregateSubset && !inSubset(plan) {
		t.Skip(subsetSkip)
	}
	want := plan.Evaluate(recs)
	if sc.want != nil {
		requireSameGroups(t, sc.want, want, "%s: the reference", sc.name)
	}
	got, err := a.Aggregate(t.Context(), obj, sc.agg)
	require.NoError(t, err, sc.name)
	requireSameGroups(t, want, got, sc.name)
}

// inSubset reports whether p stays within [Options.AggregateSubset]:
// count and sum measures, keys that are not cut into buckets.
func inSubset(p *store.AggregatePlan) bool {
	for _, k := range p.Keys {
		if k.Bucket != store.BucketNone {
			return false
		}
	}
	for _, m := range p.Measures {
		if m.Op != store.MeasureCount && m.Op != store.MeasureSum {
			return false
		}
	}
	return true
}

// requireSameGroups compares groups one by one: keys equal with their Go
// types, counts equal, other measures within a relative 1e-6.
func requireSameGroups(t testing.TB, want, got []store.Group, msgAndArgs ...any) {
	t.Helper()
	require.Len(t, got, len(want), append([]any{"groups: want %v, got %v"}, want, got)...)
	for i := range want {
		if len(want[i].Keys) > 0 || len(got[i].Keys) > 0 {
			require.Equal(t, want[i].Keys, got[i].Keys, "keys of group %d, %v", i, msgAndArgs)
		}
		require.Len(t, got[i].Values, len(want[i].Values), "values of group %d, %v", i, msgAndArgs)
		for j, w := range want[i].Values {
			g := got[i].Values[j]
			switch w := w.(type) {
			case nil, int64:
				require.Equal(t, w, g, "measure %d of group %v, %v", j, want[i].Keys, msgAndArgs)
			case float64:
				f, ok := g.(float64)
				require.True(t, ok, "measure %d of group %v is %T %v, not a float64, %v", j, want[i].Keys, g, g, msgAndArgs)
				require.LessOrEqual(t, math.Abs(w-f), 1e-6*math.Max(1, math.Abs(w)),
					"measure %d of group %v: want %v, got %v, %v", j, want[i].Keys, w, f, msgAndArgs)
			default:
				t.Fatalf("the reference gave measure %d as %T", j, w)
			}
		}
	}
}

// requireQueryError checks that err is the [*store.QueryError] of a
// refused aggregation.
func requireQueryError(t testing.TB, err error) {
	t.Helper()
	var qe *store.QueryError
	require.True(t, errors.As(err, &qe), "want a *store.QueryError, got %v", err)
	assert.ErrorIs(t, err, store.ErrInvalidQuery)
}
