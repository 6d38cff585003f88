package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// expr is one value of a recipe, written in JSON:
//
//   - a string, number, boolean or null is itself; a string that starts
//     with $ names a value in scope ($account.key, $item.price);
//   - an array is a list of expressions;
//   - an object with one member is an operation: {"int": [1, 4]},
//     {"pick": "$trades"}; a single argument needs no brackets, and an
//     operation of one argument takes an array as that one list. The ops
//     table lists the operations; {"w": {...}} (a weighted choice),
//     {"obj": {...}} (an object) and {"table": [key, {...}]} (a lookup)
//     take a JSON object of their own.
type expr struct {
	op    *op
	name  string   // the operation, or the path of a $name
	path  []string // of a $name
	lit   any
	args  []*expr
	keys  []string  // of w, obj and table, in order
	vals  []*expr   // of obj and table
	wts   []float64 // of w
	isLit bool
}

// op is an operation: fn gets the unevaluated arguments, so that if,
// cond and map evaluate only what they need.
type op struct {
	min, max int // number of arguments; max -1 for any
	fn       func(r *run, s *scope, e *expr) any
}

func (e *expr) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		var list []*expr
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		e.name, e.args = "list", nulls(list)
		e.op = ops["list"]
		return nil
	case len(b) > 0 && b[0] == '{':
		return e.decodeOp(b)
	}
	if err := json.Unmarshal(b, &e.lit); err != nil {
		return err
	}
	e.isLit = true
	if s, ok := e.lit.(string); ok && strings.HasPrefix(s, "$") {
		e.isLit, e.lit = false, nil
		e.name, e.path, e.op = s, strings.Split(s[1:], "."), ops["$"]
	}
	return nil
}

func (e *expr) decodeOp(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m) != 1 {
		return fmt.Errorf("want one operation, got %s", b)
	}
	for name, raw := range m {
		o, ok := ops[name]
		if !ok {
			return fmt.Errorf("unknown operation %q", name)
		}
		e.name, e.op = name, o
		if name == "w" || name == "obj" || name == "table" {
			return e.decodeObjectOp(raw)
		}
		raw = bytes.TrimSpace(raw)
		switch {
		case string(raw) == "{}" || string(raw) == "null":
			// no arguments
		case len(raw) > 0 && raw[0] == '[' && o.max != 1:
			if err := json.Unmarshal(raw, &e.args); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			e.args = nulls(e.args)
		default:
			a := new(expr)
			if err := json.Unmarshal(raw, a); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			e.args = []*expr{a}
		}
		if len(e.args) < o.min || (o.max >= 0 && len(e.args) > o.max) {
			return fmt.Errorf("%s: %d arguments, want %d to %d", name, len(e.args), o.min, o.max)
		}
	}
	return nil
}

// decodeObjectOp decodes the operations that take a JSON object: w, obj
// and table.
func (e *expr) decodeObjectOp(raw json.RawMessage) error {
	switch e.name {
	case "w":
		var w ordered[float64]
		if err := json.Unmarshal(raw, &w); err != nil {
			return fmt.Errorf("w: %w", err)
		}
		e.keys, e.wts = w.keys, w.vals
		return nil
	case "table":
		var parts []json.RawMessage
		if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 2 {
			return fmt.Errorf("table: want [key, {value: result}]")
		}
		e.args = []*expr{new(expr)}
		if err := json.Unmarshal(parts[0], e.args[0]); err != nil {
			return fmt.Errorf("table: %w", err)
		}
		raw = parts[1]
	}
	return e.decodeObject(raw)
}

// nulls gives the JSON nulls in a list, which decode as nil pointers,
// their literal expression.
func nulls(l []*expr) []*expr {
	for i, e := range l {
		if e == nil {
			l[i] = &expr{isLit: true}
		}
	}
	return l
}

func (e *expr) decodeObject(raw json.RawMessage) error {
	var o ordered[*expr]
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	e.keys, e.vals = o.keys, nulls(o.vals)
	return nil
}

// String is the expression as the recipe names it, for errors.
func (e *expr) String() string {
	if e.isLit {
		return fmt.Sprint(e.lit)
	}
	return e.name
}

// recipeError is a mistake in a recipe found while running it: a name
// not in scope, a value of the wrong kind. It panics up to Generate.
type recipeError struct{ msg string }

func fail(format string, args ...any) { panic(recipeError{fmt.Sprintf(format, args...)}) }

// scope holds the named values an expression can see: a record's, its
// parent's, and the recipe's vocabulary at the root. A scope holds either
// a record's values or one binding ($it, $i) in a loop.
type scope struct {
	vars map[string]any
	name string // of the one binding, when vars is nil
	val  any
	up   *scope
}

func (s *scope) lookup(name string) (any, bool) {
	for ; s != nil; s = s.up {
		if s.vars == nil {
			if s.name == name {
				return s.val, true
			}
		} else if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// child returns a scope below s with one value set.
func (s *scope) child(name string, v any) *scope {
	return &scope{name: name, val: v, up: s}
}

// eval evaluates e in scope s.
func (r *run) eval(s *scope, e *expr) any {
	if e.isLit {
		return e.lit
	}
	return e.op.fn(r, s, e)
}

// resolve reads a $name.path.
func resolve(s *scope, e *expr) any {
	v, ok := s.lookup(e.path[0])
	if !ok {
		fail("%s: no %s in scope", e.name, e.path[0])
	}
	for _, p := range e.path[1:] {
		v = member(v, p)
	}
	return v
}

// member is the named part of a value: a field of a record or a
// vocabulary entry, of a person, a region or a stage.
func member(v any, name string) any {
	var part func() any
	switch x := v.(type) {
	case map[string]any:
		if v, ok := x[name]; ok {
			return v
		}
	case Stage:
		if name == "at" {
			return x.At
		}
		if name == "stage" {
			return x.Stage
		}
	case person:
		if f := personParts[name]; f != nil {
			part = func() any { return f(x) }
		}
	case region:
		if f := regionParts[name]; f != nil {
			part = func() any { return f(x) }
		}
	}
	if part == nil {
		fail("no %q in %T", name, v)
	}
	return part()
}

// personParts and regionParts are what $p.name and $r.city can read.
var (
	personParts = map[string]func(person) any{"name": func(p person) any { return p.name }, "surname": func(p person) any { return p.surname },
		"givenName": func(p person) any { return strings.TrimPrefix(p.name, p.surname) }, "family": func(p person) any { return p.family },
		"given": func(p person) any { return p.given }, "male": func(p person) any { return p.male }, "gender": func(p person) any { return gender(p) }}
	regionParts = map[string]func(region) any{"province": func(r region) any { return r.province }, "city": func(r region) any { return r.city },
		"district": func(r region) any { return r.district }, "zone": func(r region) any { return r.zone }, "code": func(r region) any { return r.code },
		"short": func(r region) any { return r.cityShort() }}
)
