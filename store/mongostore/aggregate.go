package mongostore

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

var (
	_ store.Aggregator = (*tenantStore)(nil)
	_ store.Aggregator = (*tx)(nil)
)

// Aggregate implements [store.Aggregator] with one aggregation pipeline
// (see aggregatePipeline). A server without the pipeline's operators
// (FerretDB, MongoDB before 4.4, and before 5.0 for date buckets) groups
// the records by their raw values instead and the groups are formed here
// (see valuesPipeline), with the same answer.
func (r reader) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) ([]store.Group, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return nil, fmt.Errorf("aggregate records: %w", err)
	}
	p, err := store.PlanAggregate(obj, a)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", obj.Name, err)
	}
	var groups []store.Group
	if r.s.caps.pipelines(p) {
		groups, err = r.aggregateOnServer(ctx, obj, p)
	} else {
		groups, err = r.aggregateByValues(ctx, obj, p)
	}
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", obj.Name, err)
	}
	return groups, nil
}

// pipelines reports whether the server runs the aggregation pipeline of
// p: MongoDB 4.4 ($isNumber), not FerretDB (no $cond, and only the first
// accumulator of a $group sees the documents), and for date buckets
// MongoDB 5.0 ($dateTrunc).
func (c capabilities) pipelines(p *store.AggregatePlan) bool {
	if !c.groupExpressions {
		return false
	}
	for _, k := range p.Keys {
		if k.Bucket != store.BucketNone && !c.dateTrunc {
			return false
		}
	}
	return true
}

// aggregateOnServer runs p's pipeline and decodes the groups.
func (r reader) aggregateOnServer(ctx context.Context, obj *schema.Object, p *store.AggregatePlan) ([]store.Group, error) {
	pipeline, err := aggregatePipeline(p)
	if err != nil {
		return nil, err
	}
	out := []store.Group{}
	err = r.eachResult(ctx, obj, pipeline, func(doc bson.Raw) error {
		g, err := decodeGroup(p, doc)
		if err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p.Keys) == 0 {
		return oneGroup(p, out), nil
	}
	return out, nil
}

// oneGroup finishes the answer of a plan without keys: one group even
// when nothing matched (the server returns none then), kept only if it
// meets the having, which the pipeline left to here (see
// aggregatePipeline).
func oneGroup(p *store.AggregatePlan, got []store.Group) []store.Group {
	g := emptyGroup(p)
	if len(got) > 0 {
		g = got[0]
	}
	if !meetsHaving(p, g) {
		return []store.Group{}
	}
	return []store.Group{g}
}

// eachResult runs pipeline on obj's records within the operation deadline
// and calls fn with every document of the answer.
func (r reader) eachResult(ctx context.Context, obj *schema.Object, pipeline mongo.Pipeline, fn func(bson.Raw) error) error {
	octx, cancel := r.s.op(ctx)
	defer cancel()
	sctx := r.sessCtx(octx)
	cur, err := r.records(obj).Aggregate(sctx, pipeline)
	if err != nil {
		return r.s.fail(octx, err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(sctx)) }()
	for cur.Next(sctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return r.s.fail(octx, err)
	}
	return nil
}

// emptyGroup is the one group of an aggregation without keys when no
// record matches: counts are zero, other measures have no value.
func emptyGroup(p *store.AggregatePlan) store.Group {
	g := store.Group{Keys: []any{}, Values: make([]any, len(p.Measures))}
	for j, m := range p.Measures {
		if m.Op == store.MeasureCount || m.Op == store.MeasureCountDistinct {
			g.Values[j] = int64(0)
		}
	}
	return g
}

// meetsHaving reports whether g meets every having condition of p; a
// measure without a value meets none.
func meetsHaving(p *store.AggregatePlan, g store.Group) bool {
	for _, h := range p.Having {
		var v float64
		switch x := g.Values[h.Measure].(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		default:
			return false
		}
		var met bool
		switch h.Op {
		case store.OpEq:
			met = v == h.Value
		case store.OpNe:
			met = v != h.Value
		case store.OpGt:
			met = v > h.Value
		case store.OpGte:
			met = v >= h.Value
		case store.OpLt:
			met = v < h.Value
		case store.OpLte:
			met = v <= h.Value
		}
		if !met {
			return false
		}
	}
	return true
}

// decodeGroup reads one group document of p's pipeline: keys in the Go
// types [store.AggregatePlan.Evaluate] gives, measures as int64 (counts)
// or float64, nil for null or missing.
func decodeGroup(p *store.AggregatePlan, doc bson.Raw) (store.Group, error) {
	g := store.Group{Keys: make([]any, len(p.Keys)), Values: make([]any, len(p.Measures))}
	if len(p.Keys) > 0 {
		id, ok := doc.Lookup(keyID).DocumentOK()
		if !ok {
			return store.Group{}, fmt.Errorf("the server returned a group without its keys: %s", doc)
		}
		for i, k := range p.Keys {
			v, err := decodeKey(k, id.Lookup(keyName(i)))
			if err != nil {
				return store.Group{}, fmt.Errorf("group key %s: %w", k.Column.Field, err)
			}
			g.Keys[i] = v
		}
	}
	for j, m := range p.Measures {
		if over, ok := doc.Lookup(overflowName(j)).BooleanOK(); ok && over {
			return store.Group{}, store.SumOverflow(m.Column.Field, m.Scale)
		}
		v, err := decodeMeasure(m.Op, doc.Lookup(measureName(j)))
		if err != nil {
			return store.Group{}, fmt.Errorf("%s of %s: %w", m.Op, m.Column.Field, err)
		}
		g.Values[j] = v
	}
	return g, nil
}

// decodeKey reads a group key rendered by keyExpr. Missing (the zero
// RawValue) and null are nil.
func decodeKey(k store.GroupKey, v bson.RawValue) (any, error) {
	switch v.Type {
	case 0, bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	}
	if k.Bucket != store.BucketNone {
		if s, ok := v.StringValueOK(); ok {
			return s, nil
		}
		return nil, fmt.Errorf("the server returned a %s for a bucket", v.Type)
	}
	switch k.Column.Kind {
	case schema.KindBoolean:
		if b, ok := v.BooleanOK(); ok {
			return b, nil
		}
	case schema.KindInteger, schema.KindNumber:
		if f, ok := numberOf(v); ok {
			if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				return int64(f), nil
			}
			return f, nil
		}
	default:
		if s, ok := v.StringValueOK(); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("the server returned a %s, which is no value of %s", v.Type, k.Column.Field)
}

// decodeMeasure reads a measure: counts as int64, the others as float64,
// null or missing as nil (no value).
func decodeMeasure(op store.MeasureOp, v bson.RawValue) (any, error) {
	switch v.Type {
	case 0, bson.TypeNull, bson.TypeUndefined:
		if op == store.MeasureCount || op == store.MeasureCountDistinct {
			return int64(0), nil
		}
		return nil, nil
	}
	if op == store.MeasureCount || op == store.MeasureCountDistinct {
		if n, ok := v.AsInt64OK(); ok {
			return n, nil
		}
		return nil, fmt.Errorf("the server returned a %s for a count", v.Type)
	}
	if f, ok := numberOf(v); ok {
		return f, nil
	}
	return nil, fmt.Errorf("the server returned a %s for a number", v.Type)
}

// numberOf is a BSON number as a float64: double, int32, int64 or
// decimal.
func numberOf(v bson.RawValue) (float64, bool) {
	if v.Type == bson.TypeDecimal128 {
		f, err := strconv.ParseFloat(v.Decimal128().String(), 64)
		return f, err == nil && !math.IsInf(f, 0)
	}
	return v.AsFloat64OK()
}
