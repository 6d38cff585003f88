package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Aggregates: groups of an object's records with figures per group
// ("deals by stage: count and sum of amount"), computed by the store
// (SQL GROUP BY, a $group pipeline) under the same role, field and
// sharing rules as lists. Each aggregation first counts the records it
// will read: that count is its cost, refused past the per-aggregation
// bound and charged to the tenant's per-minute budget.

// Group page sizes.
const (
	DefaultGroups = 100
	MaxGroups     = 1000
)

// Aggregate bounds, when Config leaves them zero.
const (
	// DefaultAggregateRows bounds the records one aggregation may read.
	DefaultAggregateRows = 5_000_000
	// DefaultAggregateRowsPerMinute is a tenant's budget of records read
	// by aggregations per minute (a token bucket that refills evenly).
	DefaultAggregateRowsPerMinute = 50_000_000
)

// AggregateQuery asks for groups of an object's records.
type AggregateQuery struct {
	// View names a saved view to start from: its filter is and-ed with
	// Filter.
	View     string
	Filter   *store.Filter
	GroupBy  []store.GroupBy
	Measures []store.Measure
	Having   []store.Having
	Order    []store.GroupOrder
	// First bounds the groups returned, 1 to MaxGroups; zero means
	// DefaultGroups.
	First int
}

// AggregateResult is the answer to an [AggregateQuery].
type AggregateResult struct {
	Groups []AggregateGroup
	// HasMore reports that more groups matched than First.
	HasMore bool
	// Scanned is the number of records the aggregation read: its cost.
	// Zero when the answer was kept.
	Scanned int64
	// Cached reports an answer computed earlier and kept because no
	// record of the object changed since (aggregate_cache.go).
	Cached bool
}

// AggregateGroup is one group: its keys (one per GroupBy) and its
// measures (one per Measure: int64 for counts, float64 or nil).
type AggregateGroup struct {
	Keys   []GroupKey
	Values []any
}

// GroupKey is one key of a group, with what a person reads for it.
type GroupKey struct {
	Field  string
	Bucket store.Bucket
	// Value is a string (text, picklist value, record or user id, a
	// bucket's first day, a fiscal year "2026" or quarter "2026-Q1"), a
	// bool, an int64, or nil for records without a value.
	Value any
	// Label is the value as people read it: a picklist option's label,
	// the title of the record a lookup names, a user's display name, a
	// bucket as "2026-12", "2026 Q4" or "FY2026 Q1"; empty when the value
	// reads as it is.
	Label schema.Label
	// From and To bound a bucket (To excluded): dates for date fields,
	// RFC 3339 instants for date-time fields, so that gte From and lt To
	// select the records of the group. Empty for other keys.
	From, To string
}

// Aggregate groups the records of object that q's filter and view match
// and the caller may see, and computes q's measures per group. A field
// the caller's role may not read is refused as unknown, a masked or
// sensitive one as protected (BAD_REQUEST naming it); an aggregation
// that would read more records than the bound, or more than the tenant's
// budget has left this minute, is refused before it runs (BAD_REQUEST
// and RATE_LIMITED). The store must implement [store.Aggregator] (both
// adapters do).
func (e *Engine) Aggregate(ctx context.Context, object string, q AggregateQuery) (*AggregateResult, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	lq, err := e.applyView(ctx, ts, snap, a, obj, ListQuery{View: q.View, Filter: q.Filter})
	if err != nil {
		return nil, err
	}
	if err := rules.check(lq.Filter, nil); err != nil {
		return nil, err
	}
	if err := e.checkAggregateFields(obj, rules, q); err != nil {
		return nil, err
	}
	first := q.First
	if first == 0 {
		first = DefaultGroups
	}
	if first < 1 || first > MaxGroups {
		return nil, errorOf(ErrBadRequest, nil, "aggregate.firstOutOfRange", MaxGroups, first)
	}
	filter, err := normalizeFilter(obj, rules.Scope(lq.Filter))
	if err != nil {
		return nil, err
	}
	agg := store.Aggregation{
		Filter: filter, GroupBy: q.GroupBy, Measures: convertedMeasures(obj, q.Measures), Having: q.Having, Order: q.Order,
		Limit: first + 1, Zone: snap.zone(), FiscalYearStart: snap.clock().settings.FiscalYearStart,
	}
	if _, err := store.PlanAggregate(obj, agg); err != nil {
		return nil, queryFailed(obj, err)
	}
	aggregator, can := ts.(store.Aggregator)
	if !can {
		return nil, seal.ErrCannotAggregate
	}
	groups, scanned, cached, err := e.aggregateGroups(ctx, ts, aggregator, sc, obj, agg)
	if err != nil {
		return nil, err
	}
	res := &AggregateResult{Scanned: scanned, Cached: cached}
	if cached {
		res.Scanned = 0
	}
	if len(groups) > first {
		groups, res.HasMore = groups[:first], true
	}
	res.Groups = make([]AggregateGroup, len(groups))
	for i, g := range groups {
		out := AggregateGroup{Keys: make([]GroupKey, len(g.Keys)), Values: slices.Clone(g.Values)} // kept answers are shared
		for j, v := range g.Keys {
			out.Keys[j] = GroupKey{Field: q.GroupBy[j].Field, Bucket: q.GroupBy[j].Bucket, Value: v}
		}
		for j, v := range out.Values {
			if f, ok := v.(float64); ok && !exactSum(obj, q.Measures[j]) {
				out.Values[j] = roundSum(f) // decimal amounts without binary noise
			}
		}
		res.Groups[i] = out
	}
	if err := e.labelGroups(ctx, sc.scope, obj, res.Groups); err != nil {
		return nil, err
	}
	return res, nil
}

// aggregateGroups returns the store's groups for agg: a kept answer
// while obj's records are unchanged, or the one another caller is
// computing for the same question (cached), else a new one, whose
// records are first counted, refused past the bounds and charged
// (scanned), and which is then kept.
func (e *Engine) aggregateGroups(ctx context.Context, ts store.TenantStore, aggregator store.Aggregator, sc objectScope, obj *schema.Object, agg store.Aggregation) (groups []store.Group, scanned int64, cached bool, err error) {
	tenant := sc.actor.TenantID
	version, versioned, err := dataVersion(ctx, ts, obj)
	if err != nil {
		return nil, 0, false, queryFailed(obj, err)
	}
	key, named := aggregateKey(tenant, sc.snap.catalog.Revision, obj, agg)
	read := func() ([]store.Group, int64, error) {
		scanned, err := ts.Count(ctx, obj, agg.Filter)
		if err != nil {
			return nil, 0, queryFailed(obj, err)
		}
		if err := e.chargeAggregate(ctx, tenant, obj, scanned); err != nil {
			return nil, 0, err
		}
		groups, err := aggregator.Aggregate(ctx, obj, agg)
		if err != nil {
			return nil, 0, queryFailed(obj, err)
		}
		return groups, scanned, nil
	}
	if !versioned || !named {
		groups, scanned, err := read()
		return groups, scanned, false, err
	}
	if groups, scanned, ok := e.aggregateCache.get(key, version); ok {
		e.usage.Add(tenant, usage.AggregateCached, 1)
		return groups, scanned, true, nil
	}
	groups, scanned, shared, err := e.aggregateCache.compute(ctx, key, version, read)
	if err != nil {
		return nil, 0, false, err
	}
	if shared {
		e.usage.Add(tenant, usage.AggregateCached, 1)
	}
	return groups, scanned, shared, nil
}

// checkAggregateFields refuses group and measure fields the caller's role
// hides (as unknown, so that their existence does not show) or masks.
func (e *Engine) checkAggregateFields(obj *schema.Object, rules *readRules, q AggregateQuery) error {
	check := func(name string) error {
		if name == "" {
			return nil
		}
		base, _, _ := strings.Cut(name, ".")
		switch {
		case rules.Hides(base):
			return errorOf(ErrBadRequest, nil, "aggregate.noSuchField", obj.Name, name, labelZh(obj))
		case rules.Masked[base]:
			return errorOf(ErrBadRequest, nil, "aggregate.protected", obj.Name, name)
		}
		return nil
	}
	for _, g := range q.GroupBy {
		if err := check(g.Field); err != nil {
			return err
		}
	}
	for _, m := range q.Measures {
		if err := check(m.Field); err != nil {
			return err
		}
	}
	return nil
}

// errAggregateBudget reports a tenant whose aggregation budget is spent.
var errAggregateBudget = errors.New("aggregation budget spent")

// chargeAggregate refuses an aggregation that would read more records than
// one may, or than the tenant has left this minute, and otherwise charges
// them.
func (e *Engine) chargeAggregate(ctx context.Context, tenant string, obj *schema.Object, rows int64) error {
	if rows > e.aggregateRows {
		e.usage.Add(tenant, usage.AggregateRefused, 1)
		return errorOf(ErrBadRequest, nil, "aggregate.tooLarge", obj.Name, rows, e.aggregateRows, labelZh(obj))
	}
	if ok, wait := e.takeRows(ctx, tenant, rows, e.now()); !ok {
		e.usage.Add(tenant, usage.AggregateRefused, 1)
		secs := int64(wait/time.Second) + 1
		return errorOf(ErrRateLimited, errAggregateBudget, "aggregate.budget", e.aggregatePerMinute, secs)
	}
	e.usage.Add(tenant, usage.AggregateRows, float64(rows))
	return nil
}

// exactSum reports a measure the store computes exactly: the sum or
// average of a currency field (added as integers of minor units).
func exactSum(obj *schema.Object, m store.Measure) bool {
	return (m.Op == store.MeasureSum || m.Op == store.MeasureAvg) && obj.Field(m.Field).SumScale() > 0
}

// convertedMeasures returns measures with the amounts of a multi-currency
// object in the record's currency replaced by their converted twins: a
// report adds one currency, the tenant's (docs/money.md).
func convertedMeasures(obj *schema.Object, measures []store.Measure) []store.Measure {
	if obj.MultiCurrency == nil {
		return measures
	}
	out := slices.Clone(measures)
	for i, m := range out {
		if f := obj.Field(m.Field); f != nil && m.Op != store.MeasureCountDistinct && m.Op != store.MeasureCount && obj.Converts(f) {
			out[i].Field = schema.ConvertedField(f.Name)
		}
	}
	return out
}
