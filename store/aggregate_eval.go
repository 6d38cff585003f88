package store

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
)

// Evaluate computes the plan over records in memory, with the meaning
// adapters give it: the reference the conformance suite holds adapters
// to, and the way to aggregate records that are not stored.
func (p *AggregatePlan) Evaluate(recs []Record) []Group {
	type acc struct {
		group    Group
		n        int64
		sums     []float64
		money    []MoneySum
		counts   []int64
		mins     []float64
		maxs     []float64
		distinct []map[any]bool
	}
	index := map[string]*acc{}
	var order []*acc
	newAcc := func(keys []any) *acc {
		a := &acc{
			group:    Group{Keys: keys},
			sums:     make([]float64, len(p.Measures)),
			money:    make([]MoneySum, len(p.Measures)),
			counts:   make([]int64, len(p.Measures)),
			mins:     make([]float64, len(p.Measures)),
			maxs:     make([]float64, len(p.Measures)),
			distinct: make([]map[any]bool, len(p.Measures)),
		}
		for i := range a.distinct {
			a.distinct[i] = map[any]bool{}
			a.money[i].Scale = p.Measures[i].Scale
		}
		return a
	}
	if len(p.Keys) == 0 {
		a := newAcc([]any{})
		index[""] = a
		order = append(order, a)
	}
	for i := range recs {
		r := &recs[i]
		if p.Filter != nil && !p.Filter.Match(r) {
			continue
		}
		keys := make([]any, len(p.Keys))
		var id strings.Builder
		for j, k := range p.Keys {
			keys[j] = k.value(r, p.Zone, p.FiscalYearStart)
			id.WriteString(keyText(keys[j]))
			id.WriteByte(0)
		}
		a := index[id.String()]
		if a == nil {
			a = newAcc(keys)
			index[id.String()] = a
			order = append(order, a)
		}
		a.n++
		for j, m := range p.Measures {
			switch m.Op {
			case MeasureCount:
				continue
			case MeasureCountDistinct:
				if v := columnValue(r, m.Column); v != nil {
					a.distinct[j][v] = true
				}
				continue
			}
			v, ok := asFloat(columnValue(r, m.Column))
			if !ok {
				continue
			}
			if a.counts[j] == 0 || v < a.mins[j] {
				a.mins[j] = v
			}
			if a.counts[j] == 0 || v > a.maxs[j] {
				a.maxs[j] = v
			}
			a.sums[j] += v
			a.money[j].Add(v)
			a.counts[j]++
		}
	}
	out := make([]Group, 0, len(order))
	for _, a := range order {
		a.group.Values = make([]any, len(p.Measures))
		for j, m := range p.Measures {
			switch {
			case m.Op == MeasureCount:
				a.group.Values[j] = a.n
			case m.Op == MeasureCountDistinct:
				a.group.Values[j] = int64(len(a.distinct[j]))
			case a.counts[j] == 0:
				a.group.Values[j] = nil
			case m.Op == MeasureSum:
				a.group.Values[j] = moneyOr(a.money[j], a.sums[j])
			case m.Op == MeasureAvg:
				a.group.Values[j] = moneyOr(a.money[j], a.sums[j]) / float64(a.counts[j])
			case m.Op == MeasureMin:
				a.group.Values[j] = a.mins[j]
			case m.Op == MeasureMax:
				a.group.Values[j] = a.maxs[j]
			}
		}
		if p.keeps(a.group) {
			out = append(out, a.group)
		}
	}
	slices.SortStableFunc(out, p.Compare)
	if p.Limit > 0 && len(out) > p.Limit {
		out = out[:p.Limit]
	}
	return out
}

// keeps reports whether g meets every having condition.
func (p *AggregatePlan) keeps(g Group) bool {
	for _, h := range p.Having {
		v, ok := asFloat(g.Values[h.Measure])
		if !ok {
			return false
		}
		var met bool
		switch h.Op {
		case OpEq:
			met = v == h.Value
		case OpNe:
			met = v != h.Value
		case OpGt:
			met = v > h.Value
		case OpGte:
			met = v >= h.Value
		case OpLt:
			met = v < h.Value
		case OpLte:
			met = v <= h.Value
		}
		if !met {
			return false
		}
	}
	return true
}

// Compare orders two groups of the plan's answer by its complete order.
func (p *AggregatePlan) Compare(a, b Group) int {
	for _, o := range p.Order {
		var c int
		if o.Measure {
			c = compareGroupValues(a.Values[o.Index], b.Values[o.Index])
		} else {
			c = compareGroupValues(a.Keys[o.Index], b.Keys[o.Index])
		}
		if o.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareGroupValues orders keys and measures: nil first, numbers
// numerically, text in byte order, false before true.
func compareGroupValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := asFloat(a); ok {
		if y, ok := asFloat(b); ok {
			return cmp.Compare(x, y)
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

// value is the record's key for k: nil when missing, null or not of the
// column's kind.
func (k GroupKey) value(r *Record, zone *time.Location, fiscalStart int) any {
	v := columnValue(r, k.Column)
	if v == nil {
		return nil
	}
	if k.Bucket != BucketNone {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		key, ok := BucketKey(s, k.Column.Kind, k.Bucket, zone, fiscalStart)
		if !ok {
			return nil
		}
		return key
	}
	return v
}

// columnValue is the record's value of a scalar column in the form keys
// and distinct counts compare: text, bool, int64 for integers, float64
// for numbers, text for date-times; nil when missing, null or of another
// type.
func columnValue(r *Record, c Column) any {
	v, ok := r.Value(c.Field)
	if !ok || v == nil {
		return nil
	}
	if t, isTime := v.(time.Time); isTime {
		return FormatTime(t)
	}
	switch c.Kind {
	case schema.KindNumber, schema.KindInteger:
		f, ok := asFloat(v)
		if !ok {
			return nil
		}
		if c.Kind == schema.KindInteger && f == float64(int64(f)) {
			return int64(f)
		}
		return f
	case schema.KindBoolean:
		if b, ok := v.(bool); ok {
			return b
		}
		return nil
	}
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

// keyText is a key value as text that tells types apart, for indexing
// groups.
func keyText(v any) string {
	switch x := v.(type) {
	case nil:
		return "n"
	case string:
		return "s" + x
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		return "i" + strconv.FormatInt(x, 10)
	}
	return "?"
}
