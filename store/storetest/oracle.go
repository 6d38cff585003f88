package storetest

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/store"
)

// The oracle orders records in memory the way the contract says adapters
// must: by each sort field (missing and null first ascending, last
// descending; numbers numerically, text in byte order, false before true),
// then by id ascending.

// sortValue returns a record's value for a sort field, nil if missing.
func sortValue(r store.Record, field string) any {
	v, ok := r.Value(field)
	if !ok {
		return nil
	}
	return v
}

func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case float64:
		return cmp.Compare(x, b.(float64))
	case int64:
		return cmp.Compare(x, b.(int64))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	panic("storetest: cannot compare values of type " + typeName(a))
}

func typeName(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// compareRecords orders a before b in the order of sorts plus id, the id
// in the direction of the last sort ([store.TieDesc]).
func compareRecords(a, b store.Record, sorts []store.Sort) int {
	for _, s := range sorts {
		c := compareValues(sortValue(a, s.Field), sortValue(b, s.Field))
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	if store.TieDesc(sorts) {
		return strings.Compare(b.ID, a.ID)
	}
	return strings.Compare(a.ID, b.ID)
}

// oracleOrder returns the records matching keep, in the order of sorts.
func oracleOrder(recs []store.Record, sorts []store.Sort, keep func(store.Record) bool) []store.Record {
	var out []store.Record
	for _, r := range recs {
		if keep == nil || keep(r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b store.Record) int { return compareRecords(a, b, sorts) })
	return out
}

// positionOf is the position of r in the order of sorts, as an API cursor
// carries it: through JSON, so numbers come back as float64 and times as
// text in [store.TimeLayout].
func positionOf(r store.Record, sorts []store.Sort) *store.Position {
	vals := make([]any, len(sorts))
	for i, s := range sorts {
		v := sortValue(r, s.Field)
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(store.TimeLayout)
		}
		vals[i] = v
	}
	b, err := json.Marshal(vals)
	if err != nil {
		panic(err)
	}
	var back []any
	if err := json.Unmarshal(b, &back); err != nil {
		panic(err)
	}
	return &store.Position{Values: back, ID: r.ID}
}
