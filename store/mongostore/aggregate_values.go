package mongostore

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Servers without the expressions of aggregatePipeline still group: the
// records are grouped by the raw values of every key and measured field
// with one accumulator (a count), the only $group FerretDB v1.24 answers
// correctly, and the groups of the plan are formed from those rows here,
// with the typing, buckets, measures, having, order and limit of
// [store.AggregatePlan.Evaluate]. The server returns one row per distinct
// combination of values, at most one per matched record; the operation
// deadline bounds it.

// valuePaths names the document paths a plan reads: "p0", "p1", … in the
// order first used, one name per path.
type valuePaths struct {
	names map[string]string
	group bson.D
}

func (vp *valuePaths) name(c store.Column) string {
	path := mongoColumn(c).path
	if n, ok := vp.names[path]; ok {
		return n
	}
	n := fmt.Sprintf("p%d", len(vp.names))
	vp.names[path] = n
	vp.group = append(vp.group, bson.E{Key: n, Value: "$" + path})
	return n
}

// valuesPipeline renders the pipeline of p's raw rows: {_id: {p0, p1, …},
// c: records}. It returns the row field of every key and measure ("" for
// count).
func valuesPipeline(p *store.AggregatePlan) (mongo.Pipeline, []string, []string) {
	vp := &valuePaths{names: map[string]string{}, group: bson.D{}}
	keys := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		keys[i] = vp.name(k.Column)
	}
	measures := make([]string, len(p.Measures))
	for j, m := range p.Measures {
		if m.Op != store.MeasureCount {
			measures[j] = vp.name(m.Column)
		}
	}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: condOf(p.Filter).render()}},
		{{Key: "$group", Value: bson.D{
			{Key: keyID, Value: vp.group},
			{Key: "c", Value: bson.D{{Key: "$sum", Value: int32(1)}}},
		}}},
	}
	return pipeline, keys, measures
}

// aggregateByValues runs p's raw-value pipeline and forms the groups.
func (r reader) aggregateByValues(ctx context.Context, obj *schema.Object, p *store.AggregatePlan) ([]store.Group, error) {
	pipeline, keyFields, measureFields := valuesPipeline(p)
	f := newGroupFolder(p)
	err := r.eachResult(ctx, obj, pipeline, func(doc bson.Raw) error {
		id, _ := doc.Lookup(keyID).DocumentOK()
		n, ok := doc.Lookup("c").AsInt64OK()
		if !ok {
			return fmt.Errorf("the server returned a row without its count: %s", doc)
		}
		keys := make([]any, len(keyFields))
		for i, name := range keyFields {
			raw, err := rawValue(id.Lookup(name))
			if err != nil {
				return fmt.Errorf("group key %s: %w", p.Keys[i].Column.Field, err)
			}
			keys[i] = keyOf(p.Keys[i], raw, p.Zone, p.FiscalYearStart)
		}
		values := make([]any, len(measureFields))
		for j, name := range measureFields {
			if name == "" {
				continue
			}
			raw, err := rawValue(id.Lookup(name))
			if err != nil {
				return fmt.Errorf("%s of %s: %w", p.Measures[j].Op, p.Measures[j].Column.Field, err)
			}
			values[j] = raw
		}
		f.add(keys, values, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f.groups()
}

// rawValue is a row value in decoded-JSON form; missing is nil.
func rawValue(v bson.RawValue) (any, error) {
	if v.Type == 0 {
		return nil, nil
	}
	return decodeValue(v)
}

// keyOf is the group key of a raw value, as Evaluate types it: text,
// bool, int64 for whole integers, a bucket's key; nil for missing,
// null or another type.
func keyOf(k store.GroupKey, raw any, zone *time.Location, fiscalStart int) any {
	if k.Bucket == store.BucketNone {
		return typedOf(k.Column.Kind, raw)
	}
	s, ok := raw.(string)
	if !ok {
		return nil
	}
	key, ok := store.BucketKey(s, k.Column.Kind, k.Bucket, zone, fiscalStart)
	if !ok {
		return nil
	}
	return key
}

// typedOf is raw if it has the type values of kind have (integers whole
// as int64), else nil.
func typedOf(kind schema.Kind, raw any) any {
	switch kind {
	case schema.KindNumber, schema.KindInteger:
		f, ok := raw.(float64)
		if !ok {
			return nil
		}
		if kind == schema.KindInteger && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
		return f
	case schema.KindBoolean:
		if b, ok := raw.(bool); ok {
			return b
		}
		return nil
	}
	if s, ok := raw.(string); ok {
		return s
	}
	return nil
}

// groupFolder forms a plan's groups from weighted rows.
type groupFolder struct {
	p     *store.AggregatePlan
	index map[string]*folded
	order []*folded
}

// folded is one group being formed.
type folded struct {
	keys     []any
	n        int64
	sums     []float64
	money    []store.MoneySum
	counts   []int64
	mins     []float64
	maxs     []float64
	distinct []map[any]bool
}

func newGroupFolder(p *store.AggregatePlan) *groupFolder {
	f := &groupFolder{p: p, index: map[string]*folded{}}
	if len(p.Keys) == 0 {
		f.get([]any{}) // one group even when nothing matches
	}
	return f
}

func (f *groupFolder) get(keys []any) *folded {
	var id strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&id, "%T:%v\x00", k, k)
	}
	g := f.index[id.String()]
	if g == nil {
		m := len(f.p.Measures)
		g = &folded{keys: keys, sums: make([]float64, m), money: make([]store.MoneySum, m), counts: make([]int64, m),
			mins: make([]float64, m), maxs: make([]float64, m), distinct: make([]map[any]bool, m)}
		for j := range g.distinct {
			g.distinct[j] = map[any]bool{}
			g.money[j].Scale = f.p.Measures[j].Scale
		}
		f.index[id.String()] = g
		f.order = append(f.order, g)
	}
	return g
}

// add counts n records with the given keys and raw measured values.
func (f *groupFolder) add(keys, raw []any, n int64) {
	g := f.get(keys)
	g.n += n
	for j, m := range f.p.Measures {
		switch m.Op {
		case store.MeasureCount:
			continue
		case store.MeasureCountDistinct:
			if v := typedOf(m.Column.Kind, raw[j]); v != nil {
				g.distinct[j][v] = true
			}
			continue
		}
		v, ok := raw[j].(float64)
		if !ok {
			continue
		}
		if g.counts[j] == 0 || v < g.mins[j] {
			g.mins[j] = v
		}
		if g.counts[j] == 0 || v > g.maxs[j] {
			g.maxs[j] = v
		}
		g.sums[j] += v * float64(n)
		g.money[j].AddTimes(v, n)
		g.counts[j] += n
	}
}

// groups returns the formed groups that meet the having, in the plan's
// order and within its limit; an exact sum of amounts past the int64
// range of units is an error.
func (f *groupFolder) groups() ([]store.Group, error) {
	out := []store.Group{}
	for _, g := range f.order {
		grp := store.Group{Keys: g.keys, Values: make([]any, len(f.p.Measures))}
		for j, m := range f.p.Measures {
			if m.Scale > 0 && g.counts[j] > 0 && (m.Op == store.MeasureSum || m.Op == store.MeasureAvg) {
				sum, err := g.money[j].Value(m.Column.Field)
				if err != nil {
					return nil, err
				}
				if m.Op == store.MeasureAvg {
					sum /= float64(g.counts[j])
				}
				grp.Values[j] = sum
				continue
			}
			switch {
			case m.Op == store.MeasureCount:
				grp.Values[j] = g.n
			case m.Op == store.MeasureCountDistinct:
				grp.Values[j] = int64(len(g.distinct[j]))
			case g.counts[j] == 0:
				grp.Values[j] = nil
			case m.Op == store.MeasureSum:
				grp.Values[j] = g.sums[j]
			case m.Op == store.MeasureAvg:
				grp.Values[j] = g.sums[j] / float64(g.counts[j])
			case m.Op == store.MeasureMin:
				grp.Values[j] = g.mins[j]
			case m.Op == store.MeasureMax:
				grp.Values[j] = g.maxs[j]
			}
		}
		if meetsHaving(f.p, grp) {
			out = append(out, grp)
		}
	}
	slices.SortStableFunc(out, f.p.Compare)
	if f.p.Limit > 0 && len(out) > f.p.Limit {
		out = out[:f.p.Limit]
	}
	return out, nil
}
