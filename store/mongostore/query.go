package mongostore

import (
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
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
	c, err := store.PlanFilter(obj, f)
	if err != nil {
		return cond{}, err
	}
	return condOf(c), nil
}

// condOf renders a planned condition; nil matches everything.
func condOf(c *store.Cond) cond {
	switch {
	case c == nil:
		return matchAll
	case c.IsLeaf():
		return leafCond(c)
	case c.Not != nil:
		return negate(condOf(c.Not))
	case len(c.Or) > 0:
		return anyOf(condsOf(c.Or)...)
	case len(c.And) > 0:
		return allOf(condsOf(c.And)...)
	}
	return matchAll
}

func condsOf(cs []store.Cond) []cond {
	out := make([]cond, len(cs))
	for i := range cs {
		out[i] = condOf(&cs[i])
	}
	return out
}

// leafCond renders one planned comparison; its operator fits the column
// and its values are converted.
func leafCond(lf *store.Cond) cond {
	c := mongoColumn(lf.Column)
	switch lf.Op {
	case store.OpIsNull:
		return isNull(c, lf.Value.(bool))
	case store.OpIn, store.OpNin, store.OpHasAll:
		vals := bson.A(lf.Values)
		switch {
		case len(vals) == 0 && lf.Op == store.OpIn:
			return matchNone
		case len(vals) == 0:
			// nin of nothing excludes nothing; hasAll of nothing is
			// vacuously true (MongoDB's $all: [] would match nothing).
			return matchAll
		case lf.Op == store.OpIn:
			return cmp(c.path, cmpIn, vals)
		case lf.Op == store.OpNin:
			// $nin matches missing and null, and arrays with none of them.
			return cmp(c.path, cmpNin, vals)
		}
		return cmp(c.path, cmpAll, vals)
	}
	v := lf.Value
	switch lf.Op {
	case store.OpEq:
		// On an array, $eq matches an array that has the element.
		return cmp(c.path, cmpEq, v)
	case store.OpNe:
		// $ne matches missing and null, and arrays without the element.
		return cmp(c.path, cmpNe, v)
	case store.OpGt:
		return cmp(c.path, cmpGt, v)
	case store.OpGte:
		return cmp(c.path, cmpGte, v)
	case store.OpLt:
		return cmp(c.path, cmpLt, v)
	case store.OpLte:
		return cmp(c.path, cmpLte, v)
	case store.OpContains:
		return cmp(c.path, cmpRegex, bson.Regex{Pattern: asciiFoldPattern(v.(string))})
	}
	// OpStartsWith; the plan checked that the prefix is UTF-8.
	return cmp(c.path, cmpRegex, bson.Regex{Pattern: "^" + literalPattern(v.(string))})
}

// isNull matches missing or null values, and for lists empty arrays too.
// Comparing with null matches both missing and null in MongoDB.
func isNull(c column, want bool) cond {
	var empty cond
	switch {
	case c.IsList():
		empty = anyOf(cmp(c.path, cmpEq, nil), cmp(c.path, cmpSize, int64(0)))
	case c.Kind == schema.KindJSON:
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

// sortKey is one planned sort field, rendered.
type sortKey struct {
	col  column
	desc bool
}

// sortKeys renders the plan's sort; the id tie-breaker is added by
// sortDoc and afterCond.
func sortKeys(p *store.Plan) []sortKey {
	keys := make([]sortKey, len(p.Sort))
	for i, k := range p.Sort {
		keys[i] = sortKey{col: mongoColumn(k.Column), desc: k.Desc}
	}
	return keys
}

// sortDoc is the sort of a query: its keys, then _id ascending, or
// descending with tieDesc ([store.Plan.TieDesc]). Keys after an id key
// are left out: the id is unique, so they never decide.
func sortDoc(keys []sortKey, tieDesc bool) bson.D {
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
	tie := int32(1)
	if tieDesc {
		tie = -1
	}
	return append(d, bson.E{Key: keyID, Value: tie})
}

// afterCond matches the records strictly after cur in the order of keys
// plus id: (k1 after v1) or (k1 = v1 and ((k2 after v2) or (... id > cur.ID))),
// id < cur.ID with tieDesc ([store.Plan.TieDesc]).
// Missing and null sort first ascending and last descending.
func afterCond(keys []sortKey, cur *store.Cursor, tieDesc bool) cond {
	vals := cur.Values
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
			return anyOf(alternatives...)
		}
		equal = append(equal, cmp(path, cmpEq, v))
	}
	idAfter := cmpGt
	if tieDesc {
		idAfter = cmpLt
	}
	alternatives = append(alternatives, allOf(append(equal, cmp(keyID, idAfter, cur.ID))...))
	or := anyOf(alternatives...)
	// A redundant bound on the first key lets the server scan an index
	// range instead of testing the disjunction on every entry.
	if len(keys) > 0 && keys[0].col.path != keyID {
		k, v := keys[0], vals[0]
		switch {
		case !k.desc && v != nil:
			return allOf(cmp(k.col.path, cmpGte, v), or)
		case k.desc && v == nil:
			return allOf(cmp(k.col.path, cmpEq, nil), or)
		}
	}
	return or
}
