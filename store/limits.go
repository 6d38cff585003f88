package store

import (
	"fmt"
	"unicode/utf8"
)

// Bounds of a filter tree. A filter comes from a caller (GraphQL, a
// script, a saved view) and becomes SQL or BSON: an "and" over 100 "or"s of
// 100 equalities (240 KB) spent 157 CPU-seconds in SQLite's statement
// preparation, where no deadline reaches, and a 1.9 MB "contains" went to
// the database as it was. The engine checks every caller's filter with
// [CheckFilter] before a store sees it; the figures are small enough that
// preparing the largest filter allowed takes milliseconds (see
// docs/security.md) and large enough for any list a person builds.
const (
	// MaxFilterNodes bounds the conditions and combinators (and, or, not)
	// of one filter.
	MaxFilterNodes = 50
	// MaxFilterDepth bounds how deeply combinators nest.
	MaxFilterDepth = 8
	// MaxFilterList bounds the values of one in, nin or hasAll.
	MaxFilterList = 250
	// MaxFilterValues bounds the values of one filter, lists included.
	MaxFilterValues = 1_000
	// MaxFilterString bounds a string value, in characters.
	MaxFilterString = 1_000
)

// Names of the filter limits, as errors and the limits API quote them.
const (
	LimitFilterNodes  = "filter.nodes"
	LimitFilterDepth  = "filter.depth"
	LimitFilterList   = "filter.listSize"
	LimitFilterValues = "filter.values"
	LimitFilterString = "filter.stringLength"
)

// FilterSize returns the nodes and values of a filter: what [CheckFilter]
// bounds, and what a query's cost counts.
func FilterSize(f *Filter) (nodes, values int) {
	if f == nil {
		return 0, 0
	}
	nodes = 1
	if f.IsLeaf() {
		if l, ok := f.Value.([]any); ok {
			return 1, len(l)
		}
		return 1, 1
	}
	for i := range f.And {
		n, v := FilterSize(&f.And[i])
		nodes, values = nodes+n, values+v
	}
	for i := range f.Or {
		n, v := FilterSize(&f.Or[i])
		nodes, values = nodes+n, values+v
	}
	if f.Not != nil {
		n, v := FilterSize(f.Not)
		nodes, values = nodes+n, values+v
	}
	return nodes, values
}

// CheckFilter refuses a filter past the bounds above with a
// [*FilterLimitError] that names the limit and its value. It stops at the first problem and
// never walks more than the bounds allow, so a huge filter costs little to
// refuse.
func CheckFilter(f *Filter) error {
	c := filterCheck{}
	return c.walk(f, 1)
}

type filterCheck struct {
	nodes, values int
}

// FilterLimitError reports a filter past one of the bounds above.
type FilterLimitError struct {
	Limit string // one of the LimitFilter* names
	Max   int    // the bound
	Field string // the field of the condition, when one condition is at fault
}

func (e *FilterLimitError) Error() string {
	what := map[string]string{
		LimitFilterNodes:  "the filter has more than %d conditions",
		LimitFilterDepth:  "the filter nests and/or/not more than %d deep",
		LimitFilterList:   "a list of values is longer than %d",
		LimitFilterValues: "the filter has more than %d values",
		LimitFilterString: "a value is longer than %d characters",
	}[e.Limit]
	msg := fmt.Sprintf("store: filter too large: "+what+" (limit %s)", e.Max, e.Limit)
	if e.Field != "" {
		msg += " on " + e.Field
	}
	return msg
}

// Is makes errors.Is(err, ErrInvalidQuery) true.
func (e *FilterLimitError) Is(target error) bool { return target == ErrInvalidQuery }

func (c *filterCheck) walk(f *Filter, depth int) error {
	if f == nil {
		return nil
	}
	if depth > MaxFilterDepth {
		return &FilterLimitError{Limit: LimitFilterDepth, Max: MaxFilterDepth}
	}
	c.nodes++
	if c.nodes > MaxFilterNodes {
		return &FilterLimitError{Limit: LimitFilterNodes, Max: MaxFilterNodes}
	}
	if f.IsLeaf() {
		return c.leaf(f)
	}
	for i := range f.And {
		if err := c.walk(&f.And[i], depth+1); err != nil {
			return err
		}
	}
	for i := range f.Or {
		if err := c.walk(&f.Or[i], depth+1); err != nil {
			return err
		}
	}
	return c.walk(f.Not, depth+1)
}

func (c *filterCheck) leaf(f *Filter) error {
	values := []any{f.Value}
	if l, ok := f.Value.([]any); ok {
		if len(l) > MaxFilterList {
			return &FilterLimitError{Limit: LimitFilterList, Max: MaxFilterList, Field: f.Field}
		}
		values = l
	}
	c.values += len(values)
	if c.values > MaxFilterValues {
		return &FilterLimitError{Limit: LimitFilterValues, Max: MaxFilterValues}
	}
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			continue
		}
		// Count characters without reading past the bound.
		if len(s) > MaxFilterString && utf8.RuneCountInString(s[:min(len(s), 4*MaxFilterString+4)]) > MaxFilterString {
			return &FilterLimitError{Limit: LimitFilterString, Max: MaxFilterString, Field: f.Field}
		}
	}
	return nil
}
