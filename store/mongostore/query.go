package mongostore

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

const (
	// maxFilterDepth bounds the nesting of and/or/not.
	maxFilterDepth = 32
	// maxListValues bounds the values of one in/nin/hasAll.
	maxListValues = 10000
)

// cmpOp is the closed set of comparison operators a cond may carry. They
// are the only operator names that reach the driver in a filter: the
// filter is built from conds, never from caller-supplied maps (V6).
type cmpOp string

const (
	cmpEq    cmpOp = "$eq"
	cmpNe    cmpOp = "$ne"
	cmpGt    cmpOp = "$gt"
	cmpGte   cmpOp = "$gte"
	cmpLt    cmpOp = "$lt"
	cmpLte   cmpOp = "$lte"
	cmpIn    cmpOp = "$in"
	cmpNin   cmpOp = "$nin"
	cmpAll   cmpOp = "$all"
	cmpRegex cmpOp = "$regex"
	cmpSize  cmpOp = "$size"
	cmpType  cmpOp = "$type"
)

// condKind tells what a cond node is.
type condKind int

const (
	condTrue  condKind = iota // matches every document
	condFalse                 // matches none
	condAnd
	condOr
	condNot
	condCmp // path op value
)

// cond is a typed query condition. A comparison's value is one of nil,
// string, float64, int64, bool, []any of those, or a bson.Regex built
// here; render turns the tree into the BSON filter.
type cond struct {
	kind  condKind
	subs  []cond // condAnd, condOr; condNot has exactly one
	path  string
	op    cmpOp
	value any
}

var (
	matchAll  = cond{kind: condTrue}
	matchNone = cond{kind: condFalse}
)

func cmp(path string, op cmpOp, value any) cond {
	return cond{kind: condCmp, path: path, op: op, value: value}
}

// allOf is the conjunction of cs, simplified: true parts drop out, a
// false part makes it false.
func allOf(cs ...cond) cond {
	var keep []cond
	for _, c := range cs {
		switch c.kind {
		case condTrue:
			continue
		case condFalse:
			return matchNone
		case condAnd:
			keep = append(keep, c.subs...)
			continue
		}
		keep = append(keep, c)
	}
	switch len(keep) {
	case 0:
		return matchAll
	case 1:
		return keep[0]
	}
	return cond{kind: condAnd, subs: keep}
}

// anyOf is the disjunction of cs, simplified like allOf.
func anyOf(cs ...cond) cond {
	var keep []cond
	for _, c := range cs {
		switch c.kind {
		case condFalse:
			continue
		case condTrue:
			return matchAll
		case condOr:
			keep = append(keep, c.subs...)
			continue
		}
		keep = append(keep, c)
	}
	switch len(keep) {
	case 0:
		return matchNone
	case 1:
		return keep[0]
	}
	return cond{kind: condOr, subs: keep}
}

// negate is the exact negation of c: MongoDB's matching has no third
// truth value, so $nor of one condition is "not".
func negate(c cond) cond {
	switch c.kind {
	case condTrue:
		return matchNone
	case condFalse:
		return matchAll
	case condNot:
		return c.subs[0]
	}
	return cond{kind: condNot, subs: []cond{c}}
}

// render builds the BSON filter of c. Keys are document paths resolved
// from the object definition and the operator constants above; values
// are the typed values of the cond.
func (c cond) render() bson.D {
	switch c.kind {
	case condTrue:
		return bson.D{}
	case condFalse:
		// $in with no values matches nothing, on every server.
		return bson.D{{Key: keyID, Value: bson.D{{Key: string(cmpIn), Value: bson.A{}}}}}
	case condAnd, condOr, condNot:
		op := map[condKind]string{condAnd: "$and", condOr: "$or", condNot: "$nor"}[c.kind]
		subs := make(bson.A, len(c.subs))
		for i, s := range c.subs {
			subs[i] = s.render()
		}
		return bson.D{{Key: op, Value: subs}}
	}
	if c.op == cmpEq {
		return bson.D{equality(c.path, c.value)}
	}
	return bson.D{{Key: c.path, Value: bson.D{{Key: string(c.op), Value: c.value}}}}
}

// compileFilter checks f against obj and turns it into a cond. A nil
// filter matches everything.
func compileFilter(obj *schema.Object, f *store.Filter) (cond, error) {
	if f == nil {
		return matchAll, nil
	}
	return compileNode(obj, f, 0)
}

func compileNode(obj *schema.Object, f *store.Filter, depth int) (cond, error) {
	if depth > maxFilterDepth {
		return cond{}, &store.QueryError{Message: fmt.Sprintf("filter is nested more than %d levels deep", maxFilterDepth)}
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
			return cond{}, &store.QueryError{Field: f.Field, Message: "a condition cannot also hold and, or or not"}
		}
		return compileLeaf(obj, f)
	}
	if f.Op != "" {
		return cond{}, &store.QueryError{Message: fmt.Sprintf("operator %q without a field", f.Op)}
	}
	if combinators > 1 {
		return cond{}, &store.QueryError{Message: "a filter node holds exactly one of and, or, not"}
	}
	children := func(fs []store.Filter) ([]cond, error) {
		out := make([]cond, len(fs))
		for i := range fs {
			c, err := compileNode(obj, &fs[i], depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	switch {
	case f.Not != nil:
		c, err := compileNode(obj, f.Not, depth+1)
		if err != nil {
			return cond{}, err
		}
		return negate(c), nil
	case len(f.Or) > 0:
		cs, err := children(f.Or)
		if err != nil {
			return cond{}, err
		}
		return anyOf(cs...), nil
	case len(f.And) > 0:
		cs, err := children(f.And)
		if err != nil {
			return cond{}, err
		}
		return allOf(cs...), nil
	}
	return matchAll, nil
}

func compileLeaf(obj *schema.Object, f *store.Filter) (cond, error) {
	c, err := resolve(obj, f.Field)
	if err != nil {
		return cond{}, err
	}
	if !slices.Contains(allowedOps[c.kind], f.Op) {
		if !slices.Contains(knownOps, f.Op) {
			return cond{}, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("unknown operator %q", f.Op)}
		}
		return cond{}, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("operator %s does not apply to %s fields", f.Op, kindNames[c.kind])}
	}
	if f.Op == store.OpIsNull {
		want, ok := f.Value.(bool)
		if !ok {
			return cond{}, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("isNull takes true or false, not %T", f.Value)}
		}
		return isNull(c, want), nil
	}
	ek := elementKind(c.kind)
	if f.Op == store.OpIn || f.Op == store.OpNin || f.Op == store.OpHasAll {
		raw, ok := listValues(f.Value)
		if !ok {
			return cond{}, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes a list of values, not %T", f.Op, f.Value)}
		}
		if len(raw) > maxListValues {
			return cond{}, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("%s takes at most %d values", f.Op, maxListValues)}
		}
		vals := make(bson.A, 0, len(raw))
		seen := make(map[any]bool, len(raw))
		for _, r := range raw {
			v, ok := queryValue(ek, r)
			if !ok {
				return cond{}, valueError(c, f.Op, ek, r)
			}
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
		switch {
		case len(vals) == 0 && f.Op == store.OpIn:
			return matchNone, nil
		case len(vals) == 0:
			// nin of nothing excludes nothing; hasAll of nothing is
			// vacuously true (MongoDB's $all: [] would match nothing).
			return matchAll, nil
		case f.Op == store.OpIn:
			return cmp(c.path, cmpIn, vals), nil
		case f.Op == store.OpNin:
			// $nin matches missing and null, and arrays with none of them.
			return cmp(c.path, cmpNin, vals), nil
		}
		return cmp(c.path, cmpAll, vals), nil
	}
	v, ok := queryValue(ek, f.Value)
	if !ok {
		return cond{}, valueError(c, f.Op, ek, f.Value)
	}
	switch f.Op {
	case store.OpEq:
		// On an array, $eq matches an array that has the element.
		return cmp(c.path, cmpEq, v), nil
	case store.OpNe:
		// $ne matches missing and null, and arrays without the element.
		return cmp(c.path, cmpNe, v), nil
	case store.OpGt:
		return cmp(c.path, cmpGt, v), nil
	case store.OpGte:
		return cmp(c.path, cmpGte, v), nil
	case store.OpLt:
		return cmp(c.path, cmpLt, v), nil
	case store.OpLte:
		return cmp(c.path, cmpLte, v), nil
	case store.OpContains:
		return cmp(c.path, cmpRegex, bson.Regex{Pattern: asciiFoldPattern(v.(string))}), nil
	}
	// OpStartsWith.
	p := v.(string)
	if !utf8.ValidString(p) {
		return cond{}, &store.QueryError{Field: f.Field, Message: "startsWith takes valid UTF-8 text"}
	}
	return cmp(c.path, cmpRegex, bson.Regex{Pattern: "^" + literalPattern(p)}), nil
}

func valueError(c column, op store.Op, k schema.Kind, v any) error {
	return &store.QueryError{Field: c.field, Message: fmt.Sprintf("%s on a %s field takes %s values, not %T", op, kindNames[c.kind], kindNames[k], v)}
}

// isNull matches missing or null values, and for lists empty arrays too.
// Comparing with null matches both missing and null in MongoDB.
func isNull(c column, want bool) cond {
	var empty cond
	switch {
	case isList(c.kind):
		empty = anyOf(cmp(c.path, cmpEq, nil), cmp(c.path, cmpSize, int64(0)))
	case c.kind == schema.KindJSON:
		// Note: {f: null} also matches an array that holds a null
		// element, which is not a null JSON value: arrays are kept out.
		empty = allOf(cmp(c.path, cmpEq, nil), negate(cmp(c.path, cmpType, "array")))
	default:
		empty = cmp(c.path, cmpEq, nil)
	}
	if want {
		return empty
	}
	return negate(empty)
}

// asciiFoldPattern is a regular expression matching s anywhere, with ASCII
// letters in either case and everything else literally: the port's
// "case-insensitive for ASCII letters", which the i flag would widen to
// Unicode case folding.
func asciiFoldPattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteString("[" + string(r) + string(r-'a'+'A') + "]")
		case r >= 'A' && r <= 'Z':
			b.WriteString("[" + string(r-'A'+'a') + string(r) + "]")
		default:
			writeLiteral(&b, r)
		}
	}
	return b.String()
}

// literalPattern is a regular expression matching exactly s.
func literalPattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		writeLiteral(&b, r)
	}
	return b.String()
}

// writeLiteral writes r so that PCRE (MongoDB) and RE2 (FerretDB) both
// read it as itself. A NUL cannot appear in a BSON regular expression,
// which is a C string, so it is written as an escape.
func writeLiteral(b *strings.Builder, r rune) {
	switch {
	case r == 0:
		b.WriteString(`\x00`)
	case strings.ContainsRune(`\.+*?()|[]{}^$#-/ `, r):
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		b.WriteRune(r)
	}
}

// sortKey is one resolved sort field.
type sortKey struct {
	col  column
	desc bool
}

// sortKeys resolves the query's sort; the id tie-breaker is added by
// sortDoc and afterCond.
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

// sortDoc is the sort of a query: its keys, then _id ascending. Keys after
// an id key are left out: the id is unique, so they never decide.
func sortDoc(keys []sortKey) bson.D {
	d := make(bson.D, 0, len(keys)+1)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k.col.path] {
			continue // a repeated key never decides either
		}
		seen[k.col.path] = true
		dir := int32(1)
		if k.desc {
			dir = -1
		}
		d = append(d, bson.E{Key: k.col.path, Value: dir})
		if k.col.path == keyID {
			return d
		}
	}
	return append(d, bson.E{Key: keyID, Value: int32(1)})
}

// afterCond matches the records strictly after pos in the order of keys
// plus id: (k1 after v1) or (k1 = v1 and ((k2 after v2) or (... id > pos.ID))).
// Missing and null sort first ascending and last descending.
func afterCond(keys []sortKey, pos *store.Position) (cond, error) {
	if len(pos.Values) != len(keys) {
		return cond{}, &store.QueryError{Message: fmt.Sprintf("position has %d values for %d sort fields", len(pos.Values), len(keys))}
	}
	vals := make([]any, len(keys))
	for i, k := range keys {
		if pos.Values[i] == nil {
			continue
		}
		v, ok := queryValue(k.col.kind, pos.Values[i])
		if !ok {
			return cond{}, &store.QueryError{Field: k.col.field, Message: fmt.Sprintf("position value of type %T does not fit a %s field", pos.Values[i], kindNames[k.col.kind])}
		}
		vals[i] = v
	}
	var (
		alternatives []cond
		equal        []cond // the keys before the current one are equal
	)
	for i, k := range keys {
		v, path := vals[i], k.col.path
		var beyond cond
		switch {
		case v == nil && !k.desc:
			beyond = cmp(path, cmpNe, nil)
		case v == nil:
			beyond = matchNone // nothing sorts after null descending
		case !k.desc:
			beyond = cmp(path, cmpGt, v)
		default:
			beyond = anyOf(cmp(path, cmpLt, v), cmp(path, cmpEq, nil))
		}
		alternatives = append(alternatives, allOf(append(slices.Clone(equal), beyond)...))
		if path == keyID {
			// The id decides; the tie-breaker is not reached.
			return anyOf(alternatives...), nil
		}
		equal = append(equal, cmp(path, cmpEq, v))
	}
	alternatives = append(alternatives, allOf(append(equal, cmp(keyID, cmpGt, pos.ID))...))
	or := anyOf(alternatives...)
	// A redundant bound on the first key lets the server scan an index
	// range instead of testing the disjunction on every entry.
	if len(keys) > 0 && keys[0].col.path != keyID {
		k, v := keys[0], vals[0]
		switch {
		case !k.desc && v != nil:
			return allOf(cmp(k.col.path, cmpGte, v), or), nil
		case k.desc && v == nil:
			return allOf(cmp(k.col.path, cmpEq, nil), or), nil
		}
	}
	return or, nil
}
