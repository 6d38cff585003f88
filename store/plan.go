package store

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/crmkit/crm/schema"
)

// Bounds every adapter puts on a filter, whoever built it. The engine's
// bounds for callers' filters ([CheckFilter]) are far smaller; these keep
// a filter built in code from reaching a database in a shape it fails on
// less clearly (SQLite's own expression depth limit, for one).
const (
	// maxFilterDepth bounds the nesting of and/or/not.
	maxFilterDepth = 32
	// maxListValues bounds the values of one in/nin/hasAll.
	maxListValues = 10000
)

// Plan is a [Query] checked against an object definition, with everything
// that does not depend on a backend decided: columns resolved, operators
// checked against the one table of operators per kind of field, values
// converted to the types drivers receive, lists bounded and de-duplicated,
// sort fields and the cursor checked. Adapters render a plan into SQL or
// BSON and add nothing to its meaning; [Cond.Match] evaluates its filter
// in memory with the same meaning.
//
// [PlanQuery], [PlanFilter] and [PlanSum] return a [*QueryError] (which
// [errors.Is] matches with [ErrInvalidQuery]) for a query that cannot run,
// with the same words for every adapter.
type Plan struct {
	Filter *Cond     // nil matches every record
	Sort   []SortKey // the caller's order; the id tie-breaker is not listed
	After  *Cursor   // nil for the first page
	Limit  int       // zero means no limit
	// Fields are the data fields the records must hold, distinct, in the
	// caller's order; nil for every field (also when the caller named
	// every field of the object: reading the whole record is then no
	// more work). See [Query.Fields].
	Fields []string
}

// Page makes the page of a plan from the records an adapter read: up to
// Limit+1 of them, in order, so that one more than the limit says that
// more follow.
func (p *Plan) Page(recs []Record) Page {
	if p.Limit > 0 && len(recs) > p.Limit {
		return Page{Records: recs[:p.Limit], HasMore: true}
	}
	return Page{Records: recs}
}

// TieDesc tells whether p's ties follow each other by id descending
// ([TieDesc]).
func (p *Plan) TieDesc() bool {
	return len(p.Sort) > 0 && p.Sort[len(p.Sort)-1].Desc
}

// SortKey is one resolved sort field; its column is scalar.
type SortKey struct {
	Column Column
	Desc   bool
}

// Cursor is a [Position] checked against a plan's sort keys: one value per
// key, converted like a filter value for the key's kind, nil for missing.
type Cursor struct {
	Values []any
	ID     string
}

// Cond is a checked filter node. A leaf has a column; otherwise exactly one
// of And, Or and Not is set, or none, which matches every record.
//
// A leaf's operand is in Value for eq, ne, gt, gte, lt, lte, contains and
// startsWith (a string, float64, int64 or bool that fits the column's
// element kind), and for isNull (a bool); for in, nin and hasAll it is in
// Values, distinct, in the caller's order, possibly empty.
type Cond struct {
	And []Cond
	Or  []Cond
	Not *Cond

	Column Column
	Op     Op
	Value  any
	Values []any
}

// IsLeaf reports whether c is a single comparison.
func (c *Cond) IsLeaf() bool { return c.Column.Field != "" }

// PlanQuery checks q against obj and returns its plan.
func PlanQuery(obj *schema.Object, q Query) (*Plan, error) {
	if q.Limit < 0 {
		return nil, &QueryError{Message: "limit must not be negative"}
	}
	p := &Plan{Limit: q.Limit, Sort: make([]SortKey, 0, len(q.Sort))}
	for _, s := range q.Sort {
		c, err := ResolveColumn(obj, s.Field)
		if err != nil {
			return nil, err
		}
		if !c.IsScalar() {
			return nil, &QueryError{Field: s.Field, Message: fmt.Sprintf("%s fields cannot be sorted", kindNames[c.Kind])}
		}
		p.Sort = append(p.Sort, SortKey{Column: c, Desc: s.Desc})
	}
	f, err := PlanFilter(obj, q.Filter)
	if err != nil {
		return nil, err
	}
	p.Filter = f
	if q.After != nil {
		if p.After, err = planCursor(p.Sort, q.After); err != nil {
			return nil, err
		}
	}
	if p.Fields, err = PlanFields(obj, q.Fields); err != nil {
		return nil, err
	}
	return p, nil
}

// PlanFields checks the data fields a read asks for ([Query.Fields]):
// each a field of obj (system fields are skipped: records always hold
// them), distinct, in the caller's order. It returns nil, meaning every
// field, for nil or when every field of obj is named.
func PlanFields(obj *schema.Object, names []string) ([]string, error) {
	if names == nil {
		return nil, nil
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if _, system := systemKinds[n]; system {
			continue
		}
		if f := fieldOf(obj, n); f == nil || !fieldNamePattern.MatchString(n) {
			return nil, &QueryError{Field: n, Message: "unknown field of " + obj.Name}
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	all := true
	for _, f := range obj.Fields {
		if f != nil && !slices.Contains(out, f.Name) {
			all = false
			break
		}
	}
	if all {
		return nil, nil
	}
	return out, nil
}

// PlanFilter checks f against obj and returns its condition; a nil filter
// gives a nil condition, which matches every record.
func PlanFilter(obj *schema.Object, f *Filter) (*Cond, error) {
	if f == nil {
		return nil, nil
	}
	c, err := planNode(obj, f, 0)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// SumPlan is a [Summer.Sum] checked against an object definition: the
// column to add up and the condition records must meet.
type SumPlan struct {
	Column Column
	Filter *Cond // nil matches every record
	// Scale is the units a currency field's amounts are added up in
	// ([schema.Field.SumScale]; the sum is exact, see [MoneySum]); 0
	// for other fields, whose sum adds float64s.
	Scale int64
}

// PlanSum checks a sum of field over the records of obj matching f; the
// field must be one [SummableField] allows.
func PlanSum(obj *schema.Object, f *Filter, field string) (*SumPlan, error) {
	sf, err := SummableField(obj, field)
	if err != nil {
		return nil, err
	}
	col, err := ResolveColumn(obj, field)
	if err != nil {
		return nil, err
	}
	c, err := PlanFilter(obj, f)
	if err != nil {
		return nil, err
	}
	return &SumPlan{Column: col, Filter: c, Scale: sf.SumScale()}, nil
}

func planNode(obj *schema.Object, f *Filter, depth int) (Cond, error) {
	if depth > maxFilterDepth {
		return Cond{}, &QueryError{Message: fmt.Sprintf("filter is nested more than %d levels deep", maxFilterDepth)}
	}
	combinators := 0
	if len(f.And) > 0 {
		combinators++
	}
	if len(f.Or) > 0 {
		combinators++
	}
	if f.Not != nil {
		combinators++
	}
	if f.IsLeaf() {
		if combinators > 0 {
			return Cond{}, &QueryError{Field: f.Field, Message: "a condition cannot also hold and, or or not"}
		}
		return planLeaf(obj, f)
	}
	if f.Op != "" {
		return Cond{}, &QueryError{Message: fmt.Sprintf("operator %q without a field", f.Op)}
	}
	if combinators > 1 {
		return Cond{}, &QueryError{Message: "a filter node holds exactly one of and, or, not"}
	}
	children := func(fs []Filter) ([]Cond, error) {
		out := make([]Cond, len(fs))
		for i := range fs {
			c, err := planNode(obj, &fs[i], depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	var (
		c   Cond
		err error
	)
	switch {
	case f.Not != nil:
		var inner Cond
		inner, err = planNode(obj, f.Not, depth+1)
		c.Not = &inner
	case len(f.Or) > 0:
		c.Or, err = children(f.Or)
	case len(f.And) > 0:
		c.And, err = children(f.And)
	}
	return c, err
}

func planLeaf(obj *schema.Object, f *Filter) (Cond, error) {
	col, err := ResolveColumn(obj, f.Field)
	if err != nil {
		return Cond{}, err
	}
	if !slices.Contains(opsByKind[col.Kind], f.Op) {
		if !slices.Contains(knownOps, f.Op) {
			return Cond{}, &QueryError{Field: f.Field, Message: fmt.Sprintf("unknown operator %q", f.Op)}
		}
		return Cond{}, &QueryError{Field: f.Field, Message: fmt.Sprintf("operator %s does not apply to %s fields", f.Op, kindNames[col.Kind])}
	}
	c := Cond{Column: col, Op: f.Op}
	if f.Op == OpIsNull {
		want, ok := f.Value.(bool)
		if !ok {
			return Cond{}, &QueryError{Field: f.Field, Message: fmt.Sprintf("isNull takes true or false, not %T", f.Value)}
		}
		c.Value = want
		return c, nil
	}
	ek := elementKind(col.Kind)
	if f.Op == OpIn || f.Op == OpNin || f.Op == OpHasAll {
		raw, ok := listValues(f.Value)
		if !ok {
			return Cond{}, &QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes a list of values, not %T", f.Op, f.Value)}
		}
		if len(raw) > maxListValues {
			return Cond{}, &QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes at most %d values", f.Op, maxListValues)}
		}
		c.Values = make([]any, 0, len(raw))
		seen := make(map[any]bool, len(raw))
		for _, r := range raw {
			v, ok := queryValue(ek, r)
			if !ok {
				return Cond{}, valueError(col, f.Op, ek, r)
			}
			if !seen[v] { // hasAll counts distinct values
				seen[v] = true
				c.Values = append(c.Values, v)
			}
		}
		return c, nil
	}
	v, ok := queryValue(ek, f.Value)
	if !ok {
		return Cond{}, valueError(col, f.Op, ek, f.Value)
	}
	if f.Op == OpStartsWith && !utf8.ValidString(v.(string)) {
		// A prefix is rendered as a byte range or an anchored pattern,
		// both of which need whole characters.
		return Cond{}, &QueryError{Field: f.Field, Message: "startsWith takes valid UTF-8 text"}
	}
	c.Value = v
	return c, nil
}

func valueError(c Column, op Op, k schema.Kind, v any) error {
	return &QueryError{Field: c.Field, Message: fmt.Sprintf("%s on a %s field takes %s values, not %T", op, kindNames[c.Kind], kindNames[k], v)}
}

// planCursor checks pos against the sort keys and converts its values.
func planCursor(keys []SortKey, pos *Position) (*Cursor, error) {
	if len(pos.Values) != len(keys) {
		return nil, &QueryError{Message: fmt.Sprintf("position has %d values for %d sort fields", len(pos.Values), len(keys))}
	}
	vals := make([]any, len(keys))
	for i, k := range keys {
		if pos.Values[i] == nil {
			continue
		}
		v, ok := queryValue(k.Column.Kind, pos.Values[i])
		if !ok {
			return nil, &QueryError{Field: k.Column.Field, Message: fmt.Sprintf("position value of type %T does not fit a %s field", pos.Values[i], kindNames[k.Column.Kind])}
		}
		vals[i] = v
	}
	return &Cursor{Values: vals, ID: pos.ID}, nil
}

// OrderIndex returns the index among specs that gives p's records in p's
// order once the filter's equalities are fixed, so that an adapter which
// walks it can stop after the page instead of sorting every match: a
// plain (neither unique nor over elements) index whose leading columns
// are fields that the filter pins with eq at its top, in any order,
// followed by p's first sort key that the filter does not pin. Of several, it prefers the one that
// pins the most fields, then the first listed. ok is false when p has no
// limit, no sort key the filter leaves free, or when no index fits.
//
// A database left to choose may prefer an index that serves a range of
// the filter ("amount > x") and sort every record in that range, which
// reads all of them to return a page; see [Plan.Pinned] for the fields.
func (p *Plan) OrderIndex(specs []IndexSpec) (spec IndexSpec, ok bool) {
	if p.Limit <= 0 || len(p.Sort) == 0 {
		return IndexSpec{}, false
	}
	pinned := p.Pinned()
	first := ""
	for _, k := range p.Sort {
		if !pinned[k.Column.Field] {
			first = k.Column.Field
			break
		}
	}
	if first == "" {
		return IndexSpec{}, false
	}
	best := -1
	for _, s := range specs {
		if s.Unique || s.Elements {
			continue
		}
		k := 0
		for k < len(s.Columns) && pinned[s.Columns[k].Field] && s.Columns[k].Field != first {
			k++
		}
		if k < len(s.Columns) && s.Columns[k].Field == first && k > best {
			spec, best, ok = s, k, true
		}
	}
	return spec, ok
}

// Pinned returns the fields that every record matching p's filter holds
// equal to one value: scalar fields compared with eq in the filter or in
// the conjunctions at its top.
func (p *Plan) Pinned() map[string]bool {
	into := map[string]bool{}
	pinnedFields(p.Filter, into)
	return into
}

func pinnedFields(c *Cond, into map[string]bool) {
	if c == nil {
		return
	}
	if c.IsLeaf() {
		if c.Op == OpEq && c.Column.IsScalar() {
			into[c.Column.Field] = true
		}
		return
	}
	if c.Not != nil || len(c.Or) > 0 {
		return
	}
	for i := range c.And {
		pinnedFields(&c.And[i], into)
	}
}
