package graphql

import (
	"strconv"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// listQuery turns the arguments of a list field (filter, orderBy, first,
// after; already coerced) into an engine query.
func listQuery(o *objectModel, args map[string]any) (engine.ListQuery, error) {
	q := engine.ListQuery{First: engine.DefaultPageSize}
	if n, ok := args["first"].(int64); ok {
		if n < 1 || n > engine.MaxPageSize {
			return q, badRequestf("first must be between 1 and %d, got %d", engine.MaxPageSize, n)
		}
		q.First = int(n)
	}
	if s, ok := args["after"].(string); ok {
		q.After = s
	}
	if s, ok := args["view"].(string); ok {
		q.View = s
	}
	if m, ok := args["filter"].(map[string]any); ok {
		f, nonEmpty, err := filterNode(o, m, "filter")
		if err != nil {
			return q, err
		}
		if nonEmpty {
			q.Filter = &f
		}
	}
	if list, ok := args["orderBy"].([]any); ok {
		sorts, err := orderBy(list)
		if err != nil {
			return q, err
		}
		q.Sort = sorts
	}
	return q, nil
}

// systemFilterFields are the record fields every filter offers, with the
// kind of their comparison.
var systemFilterFields = []struct {
	name string
	kind schema.Kind
}{
	{"id", schema.KindLookup},
	{"version", schema.KindInteger},
	{"createdAt", schema.KindDateTime},
	{"updatedAt", schema.KindDateTime},
	{"createdBy", schema.KindString},
	{"updatedBy", schema.KindString},
	{"ownerId", schema.KindString},
}

// filterNode translates one filter object. Everything in it must hold, so
// its parts are and-ed; nonEmpty is false when it sets no condition (and
// so matches every record).
func filterNode(o *objectModel, m map[string]any, where string) (f store.Filter, nonEmpty bool, err error) {
	var parts []store.Filter
	if list, ok := m["and"].([]any); ok {
		for i, item := range list {
			sub, _ := item.(map[string]any)
			c, ne, err := filterNode(o, sub, where+".and["+strconv.Itoa(i)+"]")
			if err != nil {
				return f, false, err
			}
			if ne {
				parts = append(parts, c)
			}
		}
	}
	if list, ok := m["or"].([]any); ok {
		if len(list) == 0 {
			return f, false, badRequestf("%s.or: give at least one filter", where)
		}
		var alts []store.Filter
		matchAll := false
		for i, item := range list {
			sub, _ := item.(map[string]any)
			c, ne, err := filterNode(o, sub, where+".or["+strconv.Itoa(i)+"]")
			if err != nil {
				return f, false, err
			}
			if !ne {
				matchAll = true // one alternative without conditions: the or always holds
			}
			alts = append(alts, c)
		}
		switch {
		case matchAll:
		case len(alts) == 1:
			parts = append(parts, alts[0])
		default:
			parts = append(parts, store.Filter{Or: alts})
		}
	}
	if sub, ok := m["not"].(map[string]any); ok {
		c, ne, err := filterNode(o, sub, where+".not")
		if err != nil {
			return f, false, err
		}
		if !ne {
			c = store.Filter{} // not(everything): nothing
		}
		parts = append(parts, store.Filter{Not: &c})
	}
	for _, sf := range systemFilterFields {
		if cmp, ok := m[sf.name].(map[string]any); ok {
			leaves, err := comparison(sf.name, sf.kind, cmp, where+"."+sf.name)
			if err != nil {
				return f, false, err
			}
			parts = append(parts, leaves...)
		}
	}
	for _, fm := range o.fields {
		cmp, ok := m[fm.name].(map[string]any)
		if !ok {
			continue
		}
		if !fm.filterable() {
			return f, false, badRequestf("%s.%s: the field cannot be filtered", where, fm.name)
		}
		leaves, err := comparison(fm.name, fm.kind, cmp, where+"."+fm.name)
		if err != nil {
			return f, false, err
		}
		parts = append(parts, leaves...)
	}
	switch len(parts) {
	case 0:
		return store.Filter{}, false, nil
	case 1:
		return parts[0], true, nil
	}
	return store.Filter{And: parts}, true, nil
}

// Operators of the comparison inputs, in the order leaves are emitted, with
// the store operator each one means.
var (
	scalarOps = []struct {
		name string
		op   store.Op
	}{
		{"eq", store.OpEq}, {"ne", store.OpNe}, {"gt", store.OpGt}, {"gte", store.OpGte},
		{"lt", store.OpLt}, {"lte", store.OpLte}, {"in", store.OpIn}, {"nin", store.OpNin},
		{"contains", store.OpContains}, {"startsWith", store.OpStartsWith}, {"isNull", store.OpIsNull},
	}
	listOps = []struct {
		name string
		op   store.Op
	}{
		{"includes", store.OpEq}, {"includesAny", store.OpIn}, {"includesAll", store.OpHasAll},
		{"excludes", store.OpNin}, {"isEmpty", store.OpIsNull},
	}
)

// comparison translates one comparison input on field into leaves (all of
// which must hold). A null operand sets no condition.
func comparison(field string, kind schema.Kind, cmp map[string]any, where string) ([]store.Filter, error) {
	var leaves []store.Filter
	switch kind {
	case schema.KindAddress:
		for _, part := range schema.AddressParts {
			sub, ok := cmp[part].(map[string]any)
			if !ok {
				continue
			}
			l, err := comparison(field+"."+part, schema.KindString, sub, where+"."+part)
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, l...)
		}
	case schema.KindStringList, schema.KindLookupList:
		for _, o := range listOps {
			if v, ok := cmp[o.name]; ok && v != nil {
				leaves = append(leaves, store.Leaf(field, o.op, filterValue(v)))
			}
		}
	default:
		for _, o := range scalarOps {
			if v, ok := cmp[o.name]; ok && v != nil {
				if err := checkTimeOperand(kind, v, where+"."+o.name); err != nil {
					return nil, err
				}
				leaves = append(leaves, store.Leaf(field, o.op, filterValue(v)))
			}
		}
	}
	return leaves, nil
}

// checkTimeOperand refuses a Date or DateTime operand that is not one
// (the scalars take any string; a filter needs the value to compare).
func checkTimeOperand(kind schema.Kind, v any, where string) error {
	if list, ok := v.([]any); ok {
		for i, item := range list {
			if err := checkTimeOperand(kind, item, where+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return nil
	}
	switch kind {
	case schema.KindDate:
		if _, err := time.Parse(schema.DateLayout, s); err != nil || len(s) != len(schema.DateLayout) {
			return badRequestf("%s: %q is not a date YYYY-MM-DD", where, s)
		}
	case schema.KindDateTime:
		if _, err := time.Parse(schema.DateTimeLayout, s); err != nil {
			return badRequestf("%s: %q is not an RFC 3339 date-time", where, s)
		}
	}
	return nil
}

// filterValue turns a coerced operand into the JSON-like value the store
// compares with: Int operands become float64 like stored numbers.
func filterValue(v any) any {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = filterValue(item)
		}
		return out
	}
	return v
}

// orderBy translates the orderBy list; each element must set exactly one
// field.
func orderBy(list []any) ([]store.Sort, error) {
	sorts := make([]store.Sort, 0, len(list))
	for i, item := range list {
		m, _ := item.(map[string]any)
		var field, dir string
		n := 0
		for k, v := range m {
			if s, ok := v.(string); ok {
				field, dir = k, s
				n++
			}
		}
		if n != 1 {
			return nil, badRequestf("orderBy[%d]: each orderBy element must set exactly one field, this one sets %d", i, n)
		}
		sorts = append(sorts, store.Sort{Field: field, Desc: dir == "DESC"})
	}
	return sorts, nil
}
