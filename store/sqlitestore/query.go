package sqlitestore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

const (
	// maxFilterDepth bounds the nesting of and/or/not (SQLite's own
	// expression depth limit would fail later and less clearly).
	maxFilterDepth = 32
	// maxListValues bounds the values of one in/nin/hasAll.
	maxListValues = 10000
)

// recordColumns are the columns scanRecord reads, in order.
const recordColumns = "id, version, created_at, updated_at, created_by, updated_by, owner_id, json(data)"

// builder accumulates SQL text and its bound arguments. Values only ever
// reach SQL as arguments; identifiers and JSON paths come from the object
// definition through resolve.
type builder struct {
	obj  *schema.Object
	sb   strings.Builder
	args []any
}

func (b *builder) w(s string) { b.sb.WriteString(s) }

func (b *builder) arg(v any) {
	b.sb.WriteByte('?')
	b.args = append(b.args, v)
}

func (b *builder) argList(vs []any) {
	b.w("(")
	for i, v := range vs {
		if i > 0 {
			b.w(", ")
		}
		b.arg(v)
	}
	b.w(")")
}

// buildFind returns the statement of [store.Reader.Find].
func buildFind(obj *schema.Object, q store.Query) (string, []any, error) {
	if q.Limit < 0 {
		return "", nil, &store.QueryError{Message: "limit must not be negative"}
	}
	keys, err := sortKeys(obj, q.Sort)
	if err != nil {
		return "", nil, err
	}
	b := &builder{obj: obj}
	b.w("SELECT " + recordColumns + " FROM " + quotedTable(obj.Name))
	where := " WHERE "
	if q.Filter != nil {
		b.w(where + "(")
		if err := b.filter(q.Filter, 0); err != nil {
			return "", nil, err
		}
		b.w(")")
		where = " AND "
	}
	if q.After != nil {
		b.w(where + "(")
		if err := b.after(keys, q.After); err != nil {
			return "", nil, err
		}
		b.w(")")
	}
	// Note: SQLite does not see that a sort key pinned by an equality in
	// the filter is constant, and would sort in a temporary b-tree instead
	// of walking the index; such keys are left out of ORDER BY, which does
	// not change the order.
	pinned := map[string]bool{}
	pinnedExprs(obj, q.Filter, pinned)
	b.w(" ORDER BY ")
	for _, k := range keys {
		if pinned[k.col.expr] {
			continue
		}
		b.w(k.col.expr)
		if k.desc {
			b.w(" DESC")
		}
		b.w(", ")
	}
	b.w("id")
	if q.Limit > 0 {
		b.w(" LIMIT ")
		b.arg(q.Limit + 1)
	}
	return b.sb.String(), b.args, nil
}

// pinnedExprs collects the expressions that every match of f holds equal
// to one value: scalar fields compared with eq in f or in the conjunctions
// at its top.
func pinnedExprs(obj *schema.Object, f *store.Filter, into map[string]bool) {
	if f == nil {
		return
	}
	if f.IsLeaf() {
		if f.Op != store.OpEq {
			return
		}
		if c, err := resolve(obj, f.Field); err == nil && isScalar(c.kind) {
			into[c.expr] = true
		}
		return
	}
	if f.Not != nil || len(f.Or) > 0 {
		return
	}
	for i := range f.And {
		pinnedExprs(obj, &f.And[i], into)
	}
}

// buildCount returns the statement of [store.Reader.Count].
func buildCount(obj *schema.Object, f *store.Filter) (string, []any, error) {
	b := &builder{obj: obj}
	b.w("SELECT count(*) FROM " + quotedTable(obj.Name))
	if f != nil {
		b.w(" WHERE (")
		if err := b.filter(f, 0); err != nil {
			return "", nil, err
		}
		b.w(")")
	}
	return b.sb.String(), b.args, nil
}

// buildSum returns the statement of [store.Summer.Sum].
func buildSum(obj *schema.Object, f *store.Filter, field string) (string, []any, error) {
	if _, err := store.SummableField(obj, field); err != nil {
		return "", nil, err
	}
	c, err := resolve(obj, field)
	if err != nil {
		return "", nil, err
	}
	b := &builder{obj: obj}
	b.w("SELECT total(" + c.expr + "), count(" + c.expr + ") FROM " + quotedTable(obj.Name))
	if f != nil {
		b.w(" WHERE (")
		if err := b.filter(f, 0); err != nil {
			return "", nil, err
		}
		b.w(")")
	}
	return b.sb.String(), b.args, nil
}

// filter writes a condition that is never NULL where it matters: SQL's
// three-valued logic would make NOT (x = 1) skip records where x is
// missing, so a negation maps an unknown inner result to false first.
func (b *builder) filter(f *store.Filter, depth int) error {
	if depth > maxFilterDepth {
		return &store.QueryError{Message: fmt.Sprintf("filter is nested more than %d levels deep", maxFilterDepth)}
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
			return &store.QueryError{Field: f.Field, Message: "a condition cannot also hold and, or or not"}
		}
		return b.leaf(f)
	}
	if f.Op != "" {
		return &store.QueryError{Message: fmt.Sprintf("operator %q without a field", f.Op)}
	}
	if combinators > 1 {
		return &store.QueryError{Message: "a filter node holds exactly one of and, or, not"}
	}
	switch {
	case f.Not != nil:
		b.w("NOT coalesce((")
		if err := b.filter(f.Not, depth+1); err != nil {
			return err
		}
		b.w("), 0)")
	case len(f.Or) > 0:
		return b.join(mergeEqualities(f.Or), " OR ", depth)
	case len(f.And) > 0:
		return b.join(f.And, " AND ", depth)
	default:
		b.w("1")
	}
	return nil
}

// mergeEqualities turns the eq and in conditions of an or that name the
// same field into one in: SQLite evaluates every alternative on every row
// and extracts the field from the document again for each, so "title = a
// OR title = b OR …" cost a JSON extraction per alternative and row,
// where one IN costs one extraction and a lookup. On a list field eq and
// in both mean "has one of", so they merge the same way.
func mergeEqualities(fs []store.Filter) []store.Filter {
	first := map[string]int{} // field → index in out of its merged in
	var out []store.Filter
	for _, f := range fs {
		if !f.IsLeaf() || (f.Op != store.OpEq && f.Op != store.OpIn) {
			out = append(out, f)
			continue
		}
		vals := []any{f.Value}
		if f.Op == store.OpIn {
			l, ok := listValues(f.Value)
			if !ok {
				out = append(out, f)
				continue
			}
			vals = l
		}
		i, seen := first[f.Field]
		if !seen {
			first[f.Field] = len(out)
			out = append(out, store.Filter{Field: f.Field, Op: store.OpIn, Value: slices.Clip(vals)})
			continue
		}
		out[i].Value = append(out[i].Value.([]any), vals...)
	}
	return out
}

func (b *builder) join(fs []store.Filter, sep string, depth int) error {
	b.w("(")
	for i := range fs {
		if i > 0 {
			b.w(sep)
		}
		b.w("(")
		if err := b.filter(&fs[i], depth+1); err != nil {
			return err
		}
		b.w(")")
	}
	b.w(")")
	return nil
}

var knownOps = []store.Op{
	store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte,
	store.OpContains, store.OpStartsWith, store.OpIsNull, store.OpHasAll,
}

var comparisons = map[store.Op]string{
	store.OpGt: " > ", store.OpGte: " >= ", store.OpLt: " < ", store.OpLte: " <= ",
}

func (b *builder) leaf(f *store.Filter) error {
	c, err := resolve(b.obj, f.Field)
	if err != nil {
		return err
	}
	if !slices.Contains(opsByKind[c.kind], f.Op) {
		if !slices.Contains(knownOps, f.Op) {
			return &store.QueryError{Field: f.Field, Message: fmt.Sprintf("unknown operator %q", f.Op)}
		}
		return &store.QueryError{Field: f.Field, Message: fmt.Sprintf("operator %s does not apply to %s fields", f.Op, kindNames[c.kind])}
	}
	if f.Op == store.OpIsNull {
		want, ok := f.Value.(bool)
		if !ok {
			return &store.QueryError{Field: f.Field, Message: fmt.Sprintf("isNull takes true or false, not %T", f.Value)}
		}
		b.isNull(c, want)
		return nil
	}
	ek := elementKind(c.kind)
	if f.Op == store.OpIn || f.Op == store.OpNin || f.Op == store.OpHasAll {
		raw, ok := listValues(f.Value)
		if !ok {
			return &store.QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes a list of values, not %T", f.Op, f.Value)}
		}
		if len(raw) > maxListValues {
			return &store.QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes at most %d values", f.Op, maxListValues)}
		}
		vals := make([]any, 0, len(raw))
		seen := make(map[any]bool, len(raw))
		for _, r := range raw {
			v, ok := sqlValue(ek, r)
			if !ok {
				return valueError(c, f.Op, ek, r)
			}
			if !seen[v] { // hasAll counts distinct values
				seen[v] = true
				vals = append(vals, v)
			}
		}
		if isList(c.kind) {
			b.listHas(c, f.Op, vals)
		} else {
			b.scalarIn(c, f.Op, vals)
		}
		return nil
	}
	v, ok := sqlValue(ek, f.Value)
	if !ok {
		return valueError(c, f.Op, ek, f.Value)
	}
	if isList(c.kind) {
		b.listHas(c, f.Op, []any{v})
		return nil
	}
	switch f.Op {
	case store.OpEq:
		b.w(c.expr + " = ")
		b.arg(v)
	case store.OpNe:
		// IS NOT is false only for an equal value: missing matches.
		b.w(c.expr + " IS NOT ")
		b.arg(v)
	case store.OpGt, store.OpGte, store.OpLt, store.OpLte:
		b.w(c.expr + comparisons[f.Op])
		b.arg(v)
	case store.OpContains:
		// LIKE folds ASCII letters only, which is the documented meaning.
		b.w(c.expr + " LIKE ")
		b.arg("%" + escapeLike(v.(string)) + "%")
		b.w(` ESCAPE '\'`)
	case store.OpStartsWith:
		// Note: LIKE would fold case and GLOB cannot use an index, so the
		// prefix becomes a range [p, successor(p)) in byte order, which is
		// how SQLite compares text.
		p := v.(string)
		if !utf8.ValidString(p) {
			return &store.QueryError{Field: f.Field, Message: "startsWith takes valid UTF-8 text"}
		}
		b.w("(" + c.expr + " >= ")
		b.arg(p)
		if p != "" {
			b.w(" AND " + c.expr + " < ")
			b.arg(prefixEnd(p))
		}
		b.w(")")
	}
	return nil
}

func valueError(c column, op store.Op, k schema.Kind, v any) error {
	return &store.QueryError{Field: c.field, Message: fmt.Sprintf("%s on a %s field takes %s values, not %T", op, kindNames[c.kind], kindNames[k], v)}
}

func (b *builder) isNull(c column, want bool) {
	if isList(c.kind) {
		// Missing (NULL), JSON null (0) and [] (0) are all empty.
		b.w("coalesce(json_array_length(data, " + quoteString(c.path) + "), 0)")
		if want {
			b.w(" = 0")
		} else {
			b.w(" > 0")
		}
		return
	}
	b.w(c.expr)
	if want {
		b.w(" IS NULL")
	} else {
		b.w(" IS NOT NULL")
	}
}

func (b *builder) scalarIn(c column, op store.Op, vals []any) {
	switch {
	case len(vals) == 0 && op == store.OpIn:
		b.w("0")
	case len(vals) == 0:
		b.w("1")
	case op == store.OpIn:
		b.w(c.expr + " IN ")
		b.argList(vals)
	default:
		b.w("(" + c.expr + " IS NULL OR " + c.expr + " NOT IN ")
		b.argList(vals)
		b.w(")")
	}
}

// listHas writes the array conditions: eq/in (has one of), ne/nin (has
// none of, missing included) and hasAll.
func (b *builder) listHas(c column, op store.Op, vals []any) {
	each := "json_each(data, " + quoteString(c.path) + ")"
	if op == store.OpHasAll {
		if len(vals) == 0 {
			b.w("1")
			return
		}
		b.w("(SELECT count(DISTINCT value) FROM " + each + " WHERE value IN ")
		b.argList(vals)
		b.w(") = " + strconv.Itoa(len(vals)))
		return
	}
	has := op == store.OpEq || op == store.OpIn
	if len(vals) == 0 {
		if has {
			b.w("0")
		} else {
			b.w("1")
		}
		return
	}
	if !has {
		b.w("NOT ")
	}
	b.w("EXISTS (SELECT 1 FROM " + each + " WHERE value IN ")
	b.argList(vals)
	b.w(")")
}

// escapeLike escapes LIKE's wildcards for ESCAPE '\'.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '%', '_':
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// prefixEnd returns the smallest byte string greater than every string
// that starts with p. p is valid UTF-8, so its last byte is below 0xFF and
// incrementing it suffices.
func prefixEnd(p string) string {
	bs := []byte(p)
	bs[len(bs)-1]++
	return string(bs)
}

// sortKey is one resolved sort field.
type sortKey struct {
	col  column
	desc bool
}

func sortKeys(obj *schema.Object, sorts []store.Sort) ([]sortKey, error) {
	keys := make([]sortKey, 0, len(sorts))
	for _, s := range sorts {
		c, err := resolve(obj, s.Field)
		if err != nil {
			return nil, err
		}
		if !isScalar(c.kind) {
			return nil, &store.QueryError{Field: s.Field, Message: fmt.Sprintf("%s fields cannot be sorted", kindNames[c.kind])}
		}
		keys = append(keys, sortKey{col: c, desc: s.Desc})
	}
	return keys, nil
}

// after writes "strictly after pos" in the order keys + id ascending:
// (k1 after v1) OR (k1 = v1 AND ((k2 after v2) OR (k2 = v2 AND ... id > ?))),
// where "after" and "=" know that NULL sorts first ascending and last
// descending.
func (b *builder) after(keys []sortKey, pos *store.Position) error {
	if len(pos.Values) != len(keys) {
		return &store.QueryError{Message: fmt.Sprintf("position has %d values for %d sort fields", len(pos.Values), len(keys))}
	}
	vals := make([]any, len(keys))
	for i, k := range keys {
		if pos.Values[i] == nil {
			continue
		}
		v, ok := sqlValue(k.col.kind, pos.Values[i])
		if !ok {
			return &store.QueryError{Field: k.col.field, Message: fmt.Sprintf("position value of type %T does not fit a %s field", pos.Values[i], kindNames[k.col.kind])}
		}
		vals[i] = v
	}
	// A redundant bound on the first key lets SQLite start a range scan of
	// an index instead of testing the OR-chain on every entry.
	if len(keys) > 0 {
		k := keys[0]
		switch {
		case !k.desc && vals[0] != nil:
			b.w(k.col.expr + " >= ")
			b.arg(vals[0])
			b.w(" AND ")
		case k.desc && vals[0] == nil:
			b.w(k.col.expr + " IS NULL AND ")
		}
	}
	b.afterFrom(keys, vals, pos.ID)
	return nil
}

func (b *builder) afterFrom(keys []sortKey, vals []any, id string) {
	if len(keys) == 0 {
		b.w("id > ")
		b.arg(id)
		return
	}
	k, v, e := keys[0], vals[0], keys[0].col.expr
	b.w("(")
	switch {
	case v == nil && !k.desc:
		b.w(e + " IS NOT NULL")
	case v == nil:
		b.w("0")
	case !k.desc:
		b.w(e + " > ")
		b.arg(v)
	default:
		b.w("(" + e + " < ")
		b.arg(v)
		b.w(" OR " + e + " IS NULL)")
	}
	b.w(" OR (")
	if v == nil {
		b.w(e + " IS NULL")
	} else {
		b.w(e + " = ")
		b.arg(v)
	}
	b.w(" AND ")
	b.afterFrom(keys[1:], vals[1:], id)
	b.w("))")
}
