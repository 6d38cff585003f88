package sqlitestore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Aggregate implements [store.Aggregator] as one GROUP BY statement.
func (r records) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) ([]store.Group, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return nil, fmt.Errorf("aggregate records: %w", err)
	}
	p, err := store.PlanAggregate(obj, a)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", obj.Name, err)
	}
	text, args := aggregateStatement(obj, p)
	rows, err := r.q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", obj.Name, aggregateError(ctx, r.q, obj.Name, p, err))
	}
	defer rows.Close()
	width := len(p.Keys) + len(p.Measures)
	cells := make([]any, width+1) // and the count(*) every statement ends with
	dest := make([]any, len(cells))
	for i := range cells {
		dest[i] = &cells[i]
	}
	out := []store.Group{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", obj.Name, err)
		}
		out = append(out, groupOf(p, cells))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", obj.Name, aggregateError(ctx, r.q, obj.Name, p, err))
	}
	return out, nil
}

// aggregateError is readError, and for a sum of amounts past the int64
// range of units the error naming its field.
func aggregateError(ctx context.Context, q querier, obj string, p *store.AggregatePlan, err error) error {
	if overflowed(err) {
		for _, m := range p.Measures {
			if m.Scale > 0 {
				return store.SumOverflow(m.Column.Field, m.Scale)
			}
		}
	}
	return readError(ctx, q, obj, err)
}

// aggregateStatement renders an aggregate plan. Its result columns are
// the keys (k0…), the measures (m0…) and count(*), so that a statement
// without keys and measures still selects something:
//
//	SELECT <key>, … , <measure>, … , count(*) FROM r_deal WHERE …
//	GROUP BY k0, … HAVING … ORDER BY … LIMIT …
//
// A plan that [preGroups] is grouped in two steps: FROM is a subquery
// that groups by the dates themselves, and the outer statement cuts its
// groups into buckets and combines their measures.
//
// SQLite's NULL is below every value, which is the contract's order of
// missing keys and measures: first ascending, last descending.
func aggregateStatement(obj *schema.Object, p *store.AggregatePlan) (string, []any) {
	twoSteps := preGroups(p)
	keys := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		switch {
		case !twoSteps:
			keys[i] = keyExpr(k, p)
		case k.Bucket != store.BucketNone:
			keys[i] = dateBucketExpr("r"+strconv.Itoa(i), k.Bucket, p.FiscalYearStart)
		default:
			keys[i] = "r" + strconv.Itoa(i)
		}
	}
	measures := make([]string, len(p.Measures))
	for i, m := range p.Measures {
		if twoSteps {
			measures[i] = combinedExpr(m, i)
		} else {
			measures[i] = measureExpr(m)
		}
	}
	b := &builder{}
	b.w("SELECT ")
	for i := range keys {
		b.w(keys[i] + " AS k" + strconv.Itoa(i) + ", ")
	}
	for i := range measures {
		b.w(measures[i] + " AS m" + strconv.Itoa(i) + ", ")
	}
	b.w("count(*) FROM ")
	if twoSteps {
		b.w("(")
		b.preGroup(obj, p)
		b.w(")")
	} else {
		b.w(quotedTable(obj.Name))
		b.where(p.Filter)
	}
	if len(p.Keys) > 0 {
		b.w(" GROUP BY ")
		for i := range p.Keys {
			if i > 0 {
				b.w(", ")
			}
			b.w("k" + strconv.Itoa(i))
		}
	}
	for i, h := range p.Having {
		if i == 0 {
			b.w(" HAVING ")
		} else {
			b.w(" AND ")
		}
		// A measure without a value is NULL, and NULL compares to nothing.
		b.w(measures[h.Measure] + havingOps[h.Op])
		b.arg(h.Value)
	}
	if len(p.Order) > 0 {
		b.w(" ORDER BY ")
		for i, o := range p.Order {
			if i > 0 {
				b.w(", ")
			}
			if o.Measure {
				b.w("m" + strconv.Itoa(o.Index))
			} else {
				b.w("k" + strconv.Itoa(o.Index))
			}
			if o.Desc {
				b.w(" DESC")
			}
		}
	}
	if p.Limit > 0 {
		b.w(" LIMIT ")
		b.arg(p.Limit)
	}
	return b.sb.String(), b.args
}

var havingOps = map[store.Op]string{
	store.OpEq: " = ", store.OpNe: " != ",
	store.OpGt: " > ", store.OpGte: " >= ", store.OpLt: " < ", store.OpLte: " <= ",
}

// keyExpr is the SQL of one group key: the column, or its bucket's key.
func keyExpr(k store.GroupKey, p *store.AggregatePlan) string {
	c := sqlColumn(k.Column)
	switch {
	case k.Bucket == store.BucketNone:
		return c.expr
	case k.Column.Kind == schema.KindDateTime:
		return dateTimeBucketExpr(c, k.Bucket, p.Zone, p.FiscalYearStart)
	}
	return dateBucketExpr(c.expr, k.Bucket, p.FiscalYearStart)
}

// measureExpr is the SQL of one measure. Sums, averages, minimums and
// maximums take numbers only (text that looks like one is left out), as
// the reference does, and are NULL for a group without any. A sum adds
// reals, so that it never overflows as a sum of integers would.
//
// Note: SQLite orders every number below every text and blob, so
// "e <= 9e999" (infinity) holds for numbers only, and NULL stays NULL: a
// comparison, cheaper per row than typeof(e). Each aggregate evaluates
// its argument, and SQLite evaluates an expression as often as it is
// written, so a measure names its column twice, not more: a column read
// from a covering expression index costs little, one extracted from the
// JSON document costs a lookup each time.
func measureExpr(m store.PlannedMeasure) string {
	if m.Op == store.MeasureCount {
		return "count(*)"
	}
	e := sqlColumn(m.Column).expr
	if m.Op == store.MeasureCountDistinct {
		return "count(DISTINCT " + e + ")"
	}
	number := "iif(" + e + " <= 9e999, " + e
	if m.Scale > 0 {
		// Amounts add up exactly as integers of 1/scale (past int64
		// sum() fails with "integer overflow"); one division by the
		// scale gives the float64 nearest the decimal sum.
		scale := strconv.FormatInt(m.Scale, 10) + ".0"
		switch m.Op {
		case store.MeasureSum:
			return "(sum(" + moneyUnits(e, m.Scale) + ") / " + scale + ")"
		case store.MeasureAvg:
			return "(sum(" + moneyUnits(e, m.Scale) + ") / " + scale + " / count(iif(" + e + " <= 9e999, 1, NULL)))"
		}
	}
	switch m.Op {
	case store.MeasureSum:
		return "sum(" + number + " + 0.0, NULL))"
	case store.MeasureAvg:
		return "avg(" + number + ", NULL))"
	case store.MeasureMin:
		return "min(" + number + ", NULL))"
	}
	return "max(" + number + ", NULL))"
}

// preGroups reports whether p is computed in two steps: it cuts dates
// into buckets, and neither cuts date-times nor counts distinct values.
//
// Note: SQLite groups rows in the order of an index whose leading
// columns are the group keys, and otherwise sorts every row in a
// temporary b-tree, which cost ten times the scan in our measurements. A
// bucket is an expression no index has, so "by stage and month" sorted
// every deal even with an index [stage, closeDate]. Grouped by the dates
// themselves, the rows come in that index's order, and the outer
// statement sorts only the (stage, day) groups: a few thousand. A
// date-time has about as many values as there are records, so it gains
// nothing, and distinct counts cannot be combined from groups.
func preGroups(p *store.AggregatePlan) bool {
	dated := false
	for _, k := range p.Keys {
		switch {
		case k.Bucket == store.BucketNone:
		case k.Column.Kind == schema.KindDate:
			dated = true
		default:
			return false
		}
	}
	for _, m := range p.Measures {
		if m.Op == store.MeasureCountDistinct {
			return false
		}
	}
	return dated
}

// preGroup writes the first step of a two-step plan: the groups of the
// keys' own values (r0…), with each measure's parts (p0…, and q0… for
// the number count of an average).
func (b *builder) preGroup(obj *schema.Object, p *store.AggregatePlan) {
	b.w("SELECT ")
	for i, k := range p.Keys {
		e := sqlColumn(k.Column).expr
		if k.Bucket == store.BucketNone {
			e = keyExpr(k, p)
		}
		b.w(e + " AS r" + strconv.Itoa(i) + ", ")
	}
	for i, m := range p.Measures {
		n := strconv.Itoa(i)
		switch {
		case m.Scale > 0 && (m.Op == store.MeasureSum || m.Op == store.MeasureAvg):
			e := sqlColumn(m.Column).expr
			b.w("sum(" + moneyUnits(e, m.Scale) + ") AS p" + n + ", ")
			b.w("count(iif(" + e + " <= 9e999, 1, NULL)) AS q" + n + ", ")
		case m.Op == store.MeasureAvg:
			e := sqlColumn(m.Column).expr
			b.w(measureExpr(store.PlannedMeasure{Op: store.MeasureSum, Column: m.Column}) + " AS p" + n + ", ")
			b.w("count(iif(" + e + " <= 9e999, 1, NULL)) AS q" + n + ", ")
		default:
			b.w(measureExpr(m) + " AS p" + n + ", ")
		}
	}
	b.w("1 FROM " + quotedTable(obj.Name))
	b.where(p.Filter)
	b.w(" GROUP BY ")
	for i := range p.Keys {
		if i > 0 {
			b.w(", ")
		}
		b.w("r" + strconv.Itoa(i))
	}
}

// combinedExpr is the second step of measure i of a two-step plan: the
// measure of a bucket from those of its groups. An average with no
// number divides by zero, which is NULL in SQLite.
func combinedExpr(m store.PlannedMeasure, i int) string {
	n := strconv.Itoa(i)
	if m.Scale > 0 {
		scale := strconv.FormatInt(m.Scale, 10) + ".0"
		switch m.Op {
		case store.MeasureSum:
			return "(sum(p" + n + ") / " + scale + ")"
		case store.MeasureAvg:
			return "(sum(p" + n + ") / " + scale + " / sum(q" + n + "))"
		}
	}
	switch m.Op {
	case store.MeasureCount, store.MeasureSum:
		return "sum(p" + n + ")"
	case store.MeasureAvg:
		return "sum(p" + n + ") / sum(q" + n + ")"
	case store.MeasureMin:
		return "min(p" + n + ")"
	}
	return "max(p" + n + ")"
}

// groupOf turns one result row into a group, its values in the Go types
// of [store.Group]: booleans from SQLite's 0 and 1, measures other than
// counts as float64.
func groupOf(p *store.AggregatePlan, cells []any) store.Group {
	g := store.Group{Keys: make([]any, len(p.Keys)), Values: make([]any, len(p.Measures))}
	for i, k := range p.Keys {
		g.Keys[i] = keyValue(k, cells[i])
	}
	for i, m := range p.Measures {
		v := cells[len(p.Keys)+i]
		switch m.Op {
		case store.MeasureCount, store.MeasureCountDistinct:
			g.Values[i] = v
		default:
			if n, ok := v.(int64); ok {
				v = float64(n)
			}
			g.Values[i] = v
		}
	}
	return g
}

// keyValue is a key cell in the type the reference gives it.
func keyValue(k store.GroupKey, v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int64:
		if k.Bucket == store.BucketNone && k.Column.Kind == schema.KindBoolean {
			return x != 0
		}
	}
	return v
}
