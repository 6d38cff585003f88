package store

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/crmkit/crm/schema"
)

// opsByKind is the one table of the operators each kind of column
// supports (see [Op] for their meaning).
var opsByKind = func() map[schema.Kind][]Op {
	equality := []Op{OpEq, OpNe, OpIn, OpNin, OpIsNull}
	ordered := append(slices.Clone(equality), OpGt, OpGte, OpLt, OpLte)
	lists := append(slices.Clone(equality), OpHasAll)
	return map[schema.Kind][]Op{
		schema.KindString:     append(slices.Clone(ordered), OpContains, OpStartsWith),
		schema.KindNumber:     ordered,
		schema.KindInteger:    ordered,
		schema.KindBoolean:    equality,
		schema.KindDate:       ordered,
		schema.KindDateTime:   ordered,
		schema.KindLookup:     ordered,
		schema.KindStringList: lists,
		schema.KindLookupList: lists,
		schema.KindAddress:    {OpIsNull},
		schema.KindJSON:       {OpIsNull},
	}
}()

var knownOps = []Op{
	OpEq, OpNe, OpIn, OpNin, OpGt, OpGte, OpLt, OpLte,
	OpContains, OpStartsWith, OpIsNull, OpHasAll,
}

// queryValue converts a filter or cursor value for a column of kind k (an
// element kind for arrays) into the one Go type that reaches a driver for
// that kind: string, float64, int64 or bool; date-times given as
// time.Time become text in [TimeLayout]. Anything else, maps and slices
// included, is refused (false), so a caller's value can never turn into
// a query operator.
func queryValue(k schema.Kind, v any) (any, bool) {
	switch k {
	case schema.KindNumber, schema.KindInteger:
		return Number(v)
	case schema.KindBoolean:
		b, ok := v.(bool)
		return b, ok
	case schema.KindDateTime:
		if t, ok := v.(time.Time); ok {
			return FormatTime(t), true
		}
	}
	s, ok := v.(string)
	return s, ok
}

// Number converts Go's numeric types and json.Number to an int64 (whole
// numbers that fit) or a float64. It returns false for anything else, and
// for NaN and the infinities, which are not values.
func Number(v any) (any, bool) {
	i, f, isInt, ok := numeric(v)
	switch {
	case !ok:
		return nil, false
	case isInt:
		return i, true
	}
	return f, true
}

// numeric is [Number] without boxing the result: i when isInt, else f.
func numeric(v any) (i int64, f float64, isInt, ok bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, 0, false, false
		}
		return 0, x, false, true
	case float32:
		return numeric(float64(x))
	case int:
		return int64(x), 0, true, true
	case int8:
		return int64(x), 0, true, true
	case int16:
		return int64(x), 0, true, true
	case int32:
		return int64(x), 0, true, true
	case int64:
		return x, 0, true, true
	case uint8:
		return int64(x), 0, true, true
	case uint16:
		return int64(x), 0, true, true
	case uint32:
		return int64(x), 0, true, true
	case uint:
		return unsigned(uint64(x))
	case uint64:
		return unsigned(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, 0, true, true
		}
		if n, err := x.Float64(); err == nil {
			return numeric(n)
		}
	}
	return 0, 0, false, false
}

func unsigned(x uint64) (int64, float64, bool, bool) {
	if x <= math.MaxInt64 {
		return int64(x), 0, true, true
	}
	return 0, float64(x), false, true
}

// asFloat is v as a float64 for comparing numbers, if [Number] takes it.
func asFloat(v any) (float64, bool) {
	i, f, isInt, ok := numeric(v)
	if isInt {
		return float64(i), ok
	}
	return f, ok
}

// listValues returns the elements of a list-valued filter value.
func listValues(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case nil:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}
