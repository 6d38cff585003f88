package sqlitestore

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// recordColumns are the columns scanRecord reads, in order. data is the
// stored JSONB, which decodeJSONB reads (jsonbdecode.go).
const recordColumns = "id, version, created_at, updated_at, created_by, updated_by, owner_id, data"

// builder accumulates SQL text and its bound arguments. Values only ever
// reach SQL as arguments; identifiers and JSON paths come from the object
// definition through a [store.Plan].
type builder struct {
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
	p, err := store.PlanQuery(obj, q)
	if err != nil {
		return "", nil, err
	}
	text, args := findStatement(obj, p, true)
	return text, args, nil
}

// findStatement renders a find plan: the records of obj it selects, in
// its order, one more than its limit. With walk, it is written so that
// SQLite walks the index that gives the order ([walkedIndex]), which the
// caller decides with [rangeProbe].
func findStatement(obj *schema.Object, p *store.Plan, walk bool) (string, []any) {
	keys := make([]sortKey, len(p.Sort))
	for i, k := range p.Sort {
		keys[i] = sortKey{col: sqlColumn(k.Column), desc: k.Desc}
	}
	b := &builder{}
	b.w("SELECT " + recordColumns + " FROM " + quotedTable(obj.Name))
	where := " WHERE "
	if p.Filter != nil {
		b.w(where + "(")
		if keys, ok := walkedIndex(obj, p); ok && walk {
			b.condWalking(p.Filter, keys)
		} else {
			b.cond(p.Filter)
		}
		b.w(")")
		where = " AND "
	}
	if p.After != nil {
		b.w(where + "(")
		b.after(keys, p.After, p.TieDesc())
		b.w(")")
	}
	// Note: SQLite does not see that a sort key pinned by an equality in
	// the filter is constant, and would sort in a temporary b-tree instead
	// of walking the index; such keys are left out of ORDER BY, which does
	// not change the order.
	pinned := map[string]bool{}
	pinnedExprs(p.Filter, pinned)
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
	// Ties follow the last key's direction ([store.TieDesc]): an index of
	// the order's fields and the id is then walked one way for all of
	// it, where "…DESC, id" made SQLite sort each run of equal values in
	// a temporary b-tree.
	b.w("id")
	if p.TieDesc() {
		b.w(" DESC")
	}
	if p.Limit > 0 {
		b.w(" LIMIT ")
		b.arg(p.Limit + 1)
	}
	return b.sb.String(), b.args
}

// walkedIndex tells whether a page of p can walk the index that gives
// its order ([store.Plan.OrderIndex]) and returns what the walk uses.
// SQLite otherwise prefers an index that also serves a range of the
// filter ("stage = ? AND amount > ?" on [stage, amount] over [stage,
// closeDate] for ORDER BY closeDate), reads every record in the range and
// sorts them all to return 50 (docs/performance.md, "Lists (issue 20)").
func walkedIndex(obj *schema.Object, p *store.Plan) (walkKeys, bool) {
	if p.Filter == nil || p.Limit <= 0 || len(p.Sort) == 0 {
		return walkKeys{}, false
	}
	specs, err := store.IndexSpecs(obj, false)
	if err != nil {
		return walkKeys{}, false
	}
	spec, ok := p.OrderIndex(specs)
	if !ok {
		return walkKeys{}, false
	}
	pinned := p.Pinned()
	keys := walkKeys{equal: map[string]bool{}}
	for _, c := range spec.Columns {
		if !pinned[c.Field] {
			keys.sorted = c.Field
			break
		}
		keys.equal[c.Field] = true
	}
	return keys, true
}

// walkKeys is what a walk of the index of a page's order looks up: the
// equalities on its leading fields, then the range of its sort field.
type walkKeys struct {
	equal  map[string]bool
	sorted string
}

// uses tells whether the walk looks c up in the index.
func (k walkKeys) uses(c *store.Cond) bool {
	if !c.IsLeaf() || !c.Column.IsScalar() {
		return false
	}
	switch c.Column.Field {
	case k.sorted:
		return rangeOps[c.Op] && c.Op != store.OpIn
	default:
		return c.Op == store.OpEq && k.equal[c.Column.Field]
	}
}

// walkBelow is how many records a range of the filter must hold, at
// least, for a page to walk the index of its order rather than read the
// range and sort it: below, reading and sorting costs at most that many
// records; at or above, the walk reads about limit × (records with the
// equalities) ÷ (records in the range) records when the range and the
// order are unrelated, 51 × 20 = 1,020 of a stage of 20,000 deals.
// Measured in docs/performance.md, "Lists (issue 20)".
const walkBelow = 1000

// rangeProbe returns the statement that counts, up to [walkBelow], the
// records in the range of p's filter that SQLite would otherwise read
// and sort: the conjunction at the top of the filter of one index's
// equalities and the comparisons on its next column. It reads that
// index's entries only, at most walkBelow of them. ok is false when p
// walks no index ([walkedIndex]) or when no other index serves part of
// its filter: then walking costs nothing extra.
func rangeProbe(obj *schema.Object, p *store.Plan) (text string, args []any, ok bool) {
	keep, ok := walkedIndex(obj, p)
	if !ok {
		return "", nil, false
	}
	parts := conjuncts(p.Filter)
	specs, err := store.IndexSpecs(obj, false)
	if err != nil {
		return "", nil, false
	}
	pinned := p.Pinned()
	var best []*store.Cond
	for _, spec := range specs {
		if spec.Elements {
			continue
		}
		var terms []*store.Cond
		other := false // a term the walk does not use
		for _, col := range spec.Columns {
			if col.Field == keep.sorted {
				break
			}
			n := len(terms)
			for _, c := range parts {
				if !c.IsLeaf() || c.Column.Field != col.Field || !c.Column.IsScalar() || !rangeOps[c.Op] {
					continue
				}
				if pinned[col.Field] && c.Op != store.OpEq {
					continue
				}
				terms = append(terms, c)
				other = other || !keep.uses(c)
				if pinned[col.Field] {
					break // one equality pins the column
				}
			}
			if len(terms) == n || !pinned[col.Field] {
				break
			}
		}
		if other && len(terms) > len(best) {
			best = terms
		}
	}
	if best == nil {
		return "", nil, false
	}
	b := &builder{}
	b.w("SELECT count(*) FROM (SELECT 1 FROM " + quotedTable(obj.Name) + " WHERE ")
	for i, c := range best {
		if i > 0 {
			b.w(" AND ")
		}
		b.w("(")
		b.cond(c)
		b.w(")")
	}
	b.w(" LIMIT " + strconv.Itoa(walkBelow) + ")")
	return b.sb.String(), b.args, true
}

// conjuncts lists the parts of the conjunction at the top of c: c itself
// unless it is an and, whose parts are listed in turn.
func conjuncts(c *store.Cond) []*store.Cond {
	if c == nil {
		return nil
	}
	if c.IsLeaf() || c.Not != nil || len(c.Or) > 0 || len(c.And) == 0 {
		return []*store.Cond{c}
	}
	var out []*store.Cond
	for i := range c.And {
		out = append(out, conjuncts(&c.And[i])...)
	}
	return out
}

// rangeOps are the comparisons SQLite can look up in an index.
var rangeOps = map[store.Op]bool{
	store.OpEq: true, store.OpIn: true, store.OpGt: true, store.OpGte: true,
	store.OpLt: true, store.OpLte: true, store.OpStartsWith: true,
}

// condWalking writes c like cond, except that of the conjunction at its
// top only what the walk uses (keys) can be looked up in an index: every
// other part is written +(…), which SQLite evaluates the same but never
// looks up in an index, so the index that gives the order is the one left
// to walk.
func (b *builder) condWalking(c *store.Cond, keys walkKeys) {
	b.w("(")
	for i, part := range conjuncts(c) {
		if i > 0 {
			b.w(" AND ")
		}
		if keys.uses(part) {
			b.cond(part)
			continue
		}
		b.w("+(")
		b.cond(part)
		b.w(")")
	}
	b.w(")")
}

// pinnedExprs collects the expressions that every match of c holds equal
// to one value: scalar fields compared with eq in c or in the conjunctions
// at its top.
func pinnedExprs(c *store.Cond, into map[string]bool) {
	if c == nil {
		return
	}
	if c.IsLeaf() {
		if c.Op == store.OpEq && c.Column.IsScalar() {
			into[sqlColumn(c.Column).expr] = true
		}
		return
	}
	if c.Not != nil || len(c.Or) > 0 {
		return
	}
	for i := range c.And {
		pinnedExprs(&c.And[i], into)
	}
}

// buildCount returns the statement of [store.Reader.Count].
func buildCount(obj *schema.Object, f *store.Filter) (string, []any, error) {
	c, err := store.PlanFilter(obj, f)
	if err != nil {
		return "", nil, err
	}
	b := &builder{}
	b.w("SELECT count(*) FROM " + quotedTable(obj.Name))
	b.where(c)
	return b.sb.String(), b.args, nil
}

// buildSum returns the statement of [store.Summer.Sum].
func buildSum(obj *schema.Object, f *store.Filter, field string) (string, []any, error) {
	p, err := store.PlanSum(obj, f, field)
	if err != nil {
		return "", nil, err
	}
	expr := sqlColumn(p.Column).expr
	b := &builder{}
	if p.Scale > 0 {
		// Amounts add up as integers of 1/scale: exact, and an error
		// ("integer overflow") rather than a wrong figure past int64.
		b.w("SELECT coalesce(sum(" + moneyUnits(expr, p.Scale) + "), 0), count(" + expr + ") FROM " + quotedTable(obj.Name))
	} else {
		b.w("SELECT total(" + expr + "), count(" + expr + ") FROM " + quotedTable(obj.Name))
	}
	b.where(p.Filter)
	return b.sb.String(), b.args, nil
}

// moneyUnits is the SQL of the amount e as a whole number of units of
// 1/scale, rounded half away from zero (SQLite's round), NULL for a
// value that is not a number.
func moneyUnits(e string, scale int64) string {
	return "iif(" + e + " <= 9e999, CAST(round(" + e + " * " + strconv.FormatInt(scale, 10) + ") AS INTEGER), NULL)"
}

// where writes the WHERE clause of c, if any.
func (b *builder) where(c *store.Cond) {
	if c != nil {
		b.w(" WHERE (")
		b.cond(c)
		b.w(")")
	}
}

// cond writes a condition that is never NULL where it matters: SQL's
// three-valued logic would make NOT (x = 1) skip records where x is
// missing, so a negation maps an unknown inner result to false first.
func (b *builder) cond(c *store.Cond) {
	switch {
	case c.IsLeaf():
		b.leaf(c)
	case c.Not != nil:
		b.w("NOT coalesce((")
		b.cond(c.Not)
		b.w("), 0)")
	case len(c.Or) > 0:
		b.join(mergeEqualities(c.Or), " OR ")
	case len(c.And) > 0:
		b.join(c.And, " AND ")
	default:
		b.w("1")
	}
}

// mergeEqualities turns the eq and in conditions of an or that name the
// same field into one in: SQLite evaluates every alternative on every row
// and extracts the field from the document again for each, so "title = a
// OR title = b OR …" cost a JSON extraction per alternative and row,
// where one IN costs one extraction and a lookup. On a list field eq and
// in both mean "has one of", so they merge the same way.
func mergeEqualities(cs []store.Cond) []store.Cond {
	first := map[string]int{} // field → index in out of its merged in
	var out []store.Cond
	for _, c := range cs {
		if !c.IsLeaf() || (c.Op != store.OpEq && c.Op != store.OpIn) {
			out = append(out, c)
			continue
		}
		vals := c.Values
		if c.Op == store.OpEq {
			vals = []any{c.Value}
		}
		i, seen := first[c.Column.Field]
		if !seen {
			first[c.Column.Field] = len(out)
			out = append(out, store.Cond{Column: c.Column, Op: store.OpIn, Values: slices.Clip(vals)})
			continue
		}
		// A value repeated across the merged conditions is harmless in IN.
		out[i].Values = append(out[i].Values, vals...)
	}
	return out
}

func (b *builder) join(cs []store.Cond, sep string) {
	b.w("(")
	for i := range cs {
		if i > 0 {
			b.w(sep)
		}
		b.w("(")
		b.cond(&cs[i])
		b.w(")")
	}
	b.w(")")
}

var comparisons = map[store.Op]string{
	store.OpGt: " > ", store.OpGte: " >= ", store.OpLt: " < ", store.OpLte: " <= ",
}

// leaf writes one planned comparison; its operator fits the column and
// its values are converted.
func (b *builder) leaf(cd *store.Cond) {
	c := sqlColumn(cd.Column)
	switch cd.Op {
	case store.OpIsNull:
		b.isNull(c, cd.Value.(bool))
		return
	case store.OpIn, store.OpNin, store.OpHasAll:
		if c.IsList() {
			b.listHas(c, cd.Op, cd.Values)
		} else {
			b.scalarIn(c, cd.Op, cd.Values)
		}
		return
	}
	v := cd.Value
	if c.IsList() {
		b.listHas(c, cd.Op, []any{v})
		return
	}
	switch cd.Op {
	case store.OpEq:
		b.compare(c, " = ", v)
	case store.OpNe:
		// IS NOT is false only for an equal value: missing matches.
		b.compare(c, " IS NOT ", v)
	case store.OpGt, store.OpGte, store.OpLt, store.OpLte:
		b.compare(c, comparisons[cd.Op], v)
	case store.OpContains:
		// LIKE folds ASCII letters only, which is the documented meaning.
		b.w(c.expr + " LIKE ")
		b.arg("%" + escapeLike(v.(string)) + "%")
		b.w(` ESCAPE '\'`)
	case store.OpStartsWith:
		// Note: LIKE would fold case and GLOB cannot use an index, so the
		// prefix becomes a range [p, successor(p)) in byte order, which is
		// how SQLite compares text. The plan checked that p is UTF-8.
		p := v.(string)
		b.w("(")
		b.compare(c, " >= ", p)
		if p != "" {
			b.w(" AND ")
			b.compare(c, " < ", prefixEnd(p))
		}
		b.w(")")
	}
}

// compare writes "c op v" for op " = ", " IS NOT ", " > ", " >= ", " < "
// or " <= ". A time column holds integers ([storedTime]) where it held
// text: v becomes the bound that [timeBounds] gives, which selects the
// same records as comparing v with the text did.
func (b *builder) compare(c column, op string, v any) {
	if !c.times || v == nil {
		b.w(c.expr + op)
		b.arg(v)
		return
	}
	lo, hi := timeBounds(v)
	switch op {
	case " = ", " IS NOT ":
		if hi == lo {
			// No time's text is v: none is equal, every one differs.
			if op == " = " {
				b.w("0")
			} else {
				b.w("1")
			}
			return
		}
		b.w(c.expr + op)
		b.arg(lo)
	case " > ":
		b.w(c.expr + " >= ")
		b.arg(hi)
	case " >= ":
		b.w(c.expr + " >= ")
		b.arg(lo)
	case " < ":
		b.w(c.expr + " < ")
		b.arg(lo)
	default: // " <= "
		b.w(c.expr + " < ")
		b.arg(hi)
	}
}

func (b *builder) isNull(c column, want bool) {
	if c.IsList() {
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
	if c.times {
		// Values that are no time's text match no record: left out.
		times := make([]any, 0, len(vals))
		for _, v := range vals {
			if lo, hi := timeBounds(v); hi > lo {
				times = append(times, lo)
			}
		}
		vals = times
	}
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

// sortKey is one planned sort field, rendered.
type sortKey struct {
	col  column
	desc bool
}

// after writes "strictly after cur" in the order keys + id, ascending
// or, with tieDesc, descending:
// (k1 after v1) OR (k1 = v1 AND ((k2 after v2) OR (k2 = v2 AND ... id > ?))),
// where "after" and "=" know that NULL sorts first ascending and last
// descending.
func (b *builder) after(keys []sortKey, cur *store.Cursor, tieDesc bool) {
	vals := cur.Values
	// A redundant bound on the first key lets SQLite start a range scan of
	// an index instead of testing the OR-chain on every entry.
	if len(keys) > 0 {
		k := keys[0]
		switch {
		case !k.desc && vals[0] != nil:
			b.compare(k.col, " >= ", vals[0])
			b.w(" AND ")
		case k.desc && vals[0] == nil:
			b.w(k.col.expr + " IS NULL AND ")
		}
	}
	b.afterFrom(keys, vals, cur.ID, tieDesc)
}

func (b *builder) afterFrom(keys []sortKey, vals []any, id string, tieDesc bool) {
	if len(keys) == 0 {
		if tieDesc {
			b.w("id < ")
		} else {
			b.w("id > ")
		}
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
		b.compare(k.col, " > ", v)
	default:
		b.w("(")
		b.compare(k.col, " < ", v)
		b.w(" OR " + e + " IS NULL)")
	}
	b.w(" OR (")
	if v == nil {
		b.w(e + " IS NULL")
	} else {
		b.compare(k.col, " = ", v)
	}
	b.w(" AND ")
	b.afterFrom(keys[1:], vals[1:], id, tieDesc)
	b.w("))")
}
