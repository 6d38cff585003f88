package store

import (
	"strings"
	"time"
)

// Match reports whether the record satisfies the filter, with the meaning
// the operators have in adapters (see [Op]): the engine uses it to check a
// record in memory, before it is stored, against the same conditions that
// queries use. It evaluates the filter as it is, without an object
// definition, as a [Cond] the way [Cond.Match] does: a leaf on an unknown
// field sees the field as missing; an operator that does not apply to the
// value's type does not match. Numbers compare numerically whatever Go
// type or json.Number holds them, as [Number] reads them.
func Match(f *Filter, r *Record) bool {
	if f == nil {
		return true
	}
	c := uncheckedCond(f)
	return c.Match(r)
}

// uncheckedCond is f as a condition whose columns name fields and whose
// operands are the caller's values, unconverted.
func uncheckedCond(f *Filter) Cond {
	if f.IsLeaf() {
		c := Cond{Column: Column{Field: f.Field}, Op: f.Op, Value: f.Value}
		if f.Op == OpIn || f.Op == OpNin || f.Op == OpHasAll {
			c.Values, _ = f.Value.([]any)
		}
		return c
	}
	var c Cond
	if f.And != nil {
		c.And = make([]Cond, len(f.And))
		for i := range f.And {
			c.And[i] = uncheckedCond(&f.And[i])
		}
	}
	if f.Or != nil {
		c.Or = make([]Cond, len(f.Or))
		for i := range f.Or {
			c.Or[i] = uncheckedCond(&f.Or[i])
		}
	}
	if f.Not != nil {
		n := uncheckedCond(f.Not)
		c.Not = &n
	}
	return c
}

// Match reports whether the record satisfies c, with the meaning the
// adapters give the plan c is part of (see [Op]).
func (c *Cond) Match(r *Record) bool {
	if c.IsLeaf() {
		v, ok := r.Value(c.Column.Field)
		if t, isTime := v.(time.Time); isTime {
			v = FormatTime(t)
		}
		if v == nil {
			ok = false
		}
		operand := c.Value
		if c.Op == OpIn || c.Op == OpNin || c.Op == OpHasAll {
			operand = c.Values
		}
		return matchLeaf(c.Op, operand, v, ok)
	}
	for i := range c.And {
		if !c.And[i].Match(r) {
			return false
		}
	}
	if c.Or != nil {
		any := false
		for i := range c.Or {
			if c.Or[i].Match(r) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	if c.Not != nil && c.Not.Match(r) {
		return false
	}
	return true
}

func matchLeaf(op Op, operand, v any, present bool) bool {
	if op == OpIsNull {
		want, _ := operand.(bool)
		empty := !present
		if arr, ok := v.([]any); ok && len(arr) == 0 {
			empty = true
		}
		return empty == want
	}
	if arr, ok := v.([]any); ok {
		return matchArray(op, operand, arr)
	}
	switch op {
	case OpEq:
		return present && equalValues(v, operand)
	case OpNe:
		return !present || !equalValues(v, operand)
	case OpIn:
		return present && containsValue(operand, v)
	case OpNin:
		return !present || !containsValue(operand, v)
	case OpGt, OpGte, OpLt, OpLte:
		if !present {
			return false
		}
		c, ok := compareScalars(v, operand)
		if !ok {
			return false
		}
		switch op {
		case OpGt:
			return c > 0
		case OpGte:
			return c >= 0
		case OpLt:
			return c < 0
		}
		return c <= 0
	case OpContains:
		s, ok1 := v.(string)
		sub, ok2 := operand.(string)
		return ok1 && ok2 && strings.Contains(asciiLower(s), asciiLower(sub))
	case OpStartsWith:
		s, ok1 := v.(string)
		prefix, ok2 := operand.(string)
		return ok1 && ok2 && strings.HasPrefix(s, prefix)
	case OpHasAll:
		// A missing list has all of no elements, as in the adapters.
		list, _ := operand.([]any)
		return len(list) == 0
	}
	return false
}

func matchArray(op Op, operand any, arr []any) bool {
	has := func(x any) bool {
		for _, el := range arr {
			if equalValues(el, x) {
				return true
			}
		}
		return false
	}
	switch op {
	case OpEq:
		return has(operand)
	case OpNe:
		return !has(operand)
	case OpIn, OpNin, OpHasAll:
		list, _ := operand.([]any)
		n := 0
		for _, x := range list {
			if has(x) {
				n++
			}
		}
		switch op {
		case OpIn:
			return n > 0
		case OpNin:
			return n == 0
		}
		return n == len(list)
	}
	return false
}

func containsValue(list, v any) bool {
	l, _ := list.([]any)
	for _, x := range l {
		if equalValues(v, x) {
			return true
		}
	}
	return false
}

func equalValues(a, b any) bool {
	c, ok := compareScalars(a, b)
	return ok && c == 0
}

// compareScalars orders two values of the same kind: numbers numerically,
// strings by bytes, false before true. ok is false for values of different
// kinds.
func compareScalars(a, b any) (int, bool) {
	if x, ok := asFloat(a); ok {
		y, ok := asFloat(b)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

// asciiLower lower-cases ASCII letters only, as the adapters' contains does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
