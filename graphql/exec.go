package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
)

// The executor runs the validated document — the tree gqlparser parsed
// and validated, nothing parsed again — over resolver functions generated
// from the same model as the schema (spec section 6).

// resolver computes one field of one object. parent is the value of the
// object (nil for the root types); it returns a value that the executor
// completes according to the field's type: string, int64, float64, bool,
// json.RawMessage (JSON), []any (lists), or a value that the resolvers of
// the field's object type understand. A nil value (or a nil pointer) is
// null.
type resolver func(ctx context.Context, parent any, fc *fieldCall) (any, error)

// fieldCall is one execution of a field.
type fieldCall struct {
	req    *request
	name   string
	args   map[string]any // coerced; an argument not given is absent
	fields []*ast.Field   // the field's occurrences, merged by response key
	typ    *ast.Type      // the field's type
	sub    []*collected   // lazily collected sub-selection
}

// selects reports whether the field's sub-selection asks for name.
func (fc *fieldCall) selects(name string) bool {
	if fc.sub == nil {
		fc.sub = fc.req.collect(fc.typ.Name(), fc.fields)
	}
	for _, c := range fc.sub {
		if c.fields[0].Name == name {
			return true
		}
	}
	return false
}

// selectsOnlyID reports whether the field's sub-selection asks for
// nothing but id (and __typename).
func (fc *fieldCall) selectsOnlyID() bool {
	if fc.sub == nil {
		fc.sub = fc.req.collect(fc.typ.Name(), fc.fields)
	}
	for _, c := range fc.sub {
		if n := c.fields[0].Name; n != "id" && n != "__typename" {
			return false
		}
	}
	return len(fc.sub) > 0
}

// seesEvery reports, once per request and object, whether the caller
// sees every record of object (SeesEveryRecord); false when the engine
// cannot tell or the question fails (the read that follows then answers
// as it always did).
func (r *request) seesEvery(ctx context.Context, object string) bool {
	if r.srv.seer == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.sees[object]; ok {
		return v
	}
	every, err := r.srv.seer.SeesEveryRecord(ctx, object)
	if r.sees == nil {
		r.sees = map[string]bool{}
	}
	r.sees[object] = err == nil && every
	return r.sees[object]
}

// request is one execution of an operation.
type request struct {
	s         *execSchema
	srv       *Server
	doc       *ast.QueryDocument
	prep      *preparedDoc // doc with what requests share (nil: nothing shared)
	op        *ast.OperationDefinition
	vars      map[string]any // coerced variable values
	actor     engine.Actor
	lang      string
	requestID string
	// rootArgs are the coerced arguments of the root fields of a
	// mutation, checked before the first one runs.
	rootArgs map[*ast.Field]map[string]any

	mu   sync.Mutex
	errs []*QueryError
	sees map[string]bool // seesEvery's answers, under mu

	// sets are the selections collected so far (collectOnce).
	setsMu sync.Mutex
	sets   map[setKey][]collectedSet
	// lookups are the data fields read of lookups' targets, by parent
	// type and field (targetFields), under setsMu.
	lookups map[string][]string
}

// setKey and collectedSet keep one collected selection of a request.
type setKey struct {
	typeName string
	first    *ast.Field
	n        int
}

type collectedSet struct {
	fields []*ast.Field
	sub    []*collected
}

// collected is the set of field selections with one response key.
type collected struct {
	key    string
	fields []*ast.Field
	// target is the field's definition and resolver, looked up on its
	// first execution: a page of 50 records executes each selected field
	// 50 times, and a set is collected for one object type, so the
	// lookup (two maps and a scan of the type's fields) is the same each
	// time. Sets shared by requests belong to one schema (docCache).
	target atomic.Pointer[fieldTarget]
}

// fieldTarget is what executing a collected field looks up.
type fieldTarget struct {
	typeName string
	def      *ast.FieldDefinition
	res      resolver
}

// targetOf returns the definition and resolver of c on typeName (nil
// when the type has no such field or no resolver for it).
func (r *request) targetOf(typeName string, c *collected) *fieldTarget {
	if t := c.target.Load(); t != nil && t.typeName == typeName {
		return t
	}
	name := c.fields[0].Name
	t := &fieldTarget{typeName: typeName, def: r.fieldDefinition(typeName, name), res: r.s.resolvers[typeName][name]}
	c.target.Store(t)
	return t
}

// path is a response path, built from the leaf upwards: a response key,
// or (for a list item) an index.
type path struct {
	parent *path
	name   string
	index  int
	item   bool // index, not name
}

func (p *path) slice() []any {
	n := 0
	for q := p; q != nil; q = q.parent {
		n++
	}
	out := make([]any, n)
	for q := p; q != nil; q = q.parent {
		n--
		if q.item {
			out[n] = q.index
		} else {
			out[n] = q.name
		}
	}
	return out
}

// addError records err as a GraphQL error of the field at p.
func (r *request) addError(err error, at *ast.Position, p *path) {
	qe := r.queryError(err)
	qe.Locations = locationOf(at)
	qe.Path = p.slice()
	r.mu.Lock()
	r.errs = append(r.errs, qe)
	r.mu.Unlock()
}

// collect merges the selections of fields (all on objects of typeName)
// by response key, in order of first appearance, applying @skip,
// @include and fragments (CollectFields).
func (r *request) collect(typeName string, fields []*ast.Field) []*collected {
	if r.prep != nil && !r.prep.conditional && len(fields) == 1 {
		return r.prep.fieldSet(collectKey{typeName: typeName, field: fields[0]}, func() []*collected {
			return r.collectNow(typeName, fields)
		})
	}
	return r.collectNow(typeName, fields)
}

// collectRoot collects the root fields of the operation.
func (r *request) collectRoot(typeName string) []*collected {
	root := []*ast.Field{{SelectionSet: r.op.SelectionSet}}
	if r.prep != nil && !r.prep.conditional {
		return r.prep.fieldSet(collectKey{typeName: typeName, op: r.op}, func() []*collected {
			return r.collectNow(typeName, root)
		})
	}
	return r.collectNow(typeName, root)
}

func (r *request) collectNow(typeName string, fields []*ast.Field) []*collected {
	var out []*collected
	index := map[string]int{}
	for _, f := range fields {
		r.collectInto(typeName, f.SelectionSet, &out, index, map[string]bool{})
	}
	return out
}

// collectOnce is collect, kept for the request: the items of a list and
// their related records share their selection, which was collected again
// for each of them (50 deals and 50 accounts a page).
func (r *request) collectOnce(typeName string, fields []*ast.Field) []*collected {
	if len(fields) == 0 {
		return nil
	}
	if r.prep != nil && !r.prep.conditional && len(fields) == 1 {
		return r.collect(typeName, fields) // kept with the document already
	}
	key := setKey{typeName: typeName, first: fields[0], n: len(fields)}
	r.setsMu.Lock()
	for _, set := range r.sets[key] {
		if slices.Equal(set.fields, fields) {
			r.setsMu.Unlock()
			return set.sub
		}
	}
	r.setsMu.Unlock()
	sub := r.collect(typeName, fields)
	r.setsMu.Lock()
	defer r.setsMu.Unlock()
	if r.sets == nil {
		r.sets = map[setKey][]collectedSet{}
	}
	r.sets[key] = append(r.sets[key], collectedSet{fields: fields, sub: sub})
	return sub
}

func (r *request) collectInto(typeName string, sels ast.SelectionSet, out *[]*collected, index map[string]int, visited map[string]bool) {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *ast.Field:
			if r.skipped(sel.Directives) {
				continue
			}
			key := sel.Alias
			if i, ok := index[key]; ok {
				(*out)[i].fields = append((*out)[i].fields, sel)
				continue
			}
			index[key] = len(*out)
			*out = append(*out, &collected{key: key, fields: []*ast.Field{sel}})
		case *ast.InlineFragment:
			if r.skipped(sel.Directives) || (sel.TypeCondition != "" && sel.TypeCondition != typeName) {
				continue
			}
			r.collectInto(typeName, sel.SelectionSet, out, index, visited)
		case *ast.FragmentSpread:
			if r.skipped(sel.Directives) || visited[sel.Name] {
				continue
			}
			visited[sel.Name] = true
			frag := r.doc.Fragments.ForName(sel.Name)
			if frag == nil || frag.TypeCondition != typeName {
				continue
			}
			r.collectInto(typeName, frag.SelectionSet, out, index, visited)
		}
	}
}

// skipped evaluates @skip and @include. Their if arguments were checked
// before execution (checkDirectives), so they are booleans here.
func (r *request) skipped(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.Arguments.ForName("if")
		if a == nil {
			continue
		}
		v, _ := coerceLiteral(r.s.ast, a.Value, &ast.Type{NamedType: "Boolean", NonNull: true}, r.vars)
		if b, ok := v.(bool); ok && (d.Name == "skip") == b {
			return true
		}
	}
	return false
}

// checkDirectives makes sure that every @skip and @include of the
// operation (and of the fragments it uses) has a boolean condition once
// the variables are known: a variable with a default that was sent as
// null has none, which is a request error, before anything runs.
func (r *request) checkDirectives() error {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) error
	check := func(dirs ast.DirectiveList) error {
		for _, d := range dirs {
			if d.Name != "skip" && d.Name != "include" {
				continue
			}
			if a := d.Arguments.ForName("if"); a != nil {
				if _, err := coerceLiteral(r.s.ast, a.Value, &ast.Type{NamedType: "Boolean", NonNull: true}, r.vars); err != nil {
					return &Error{Code: string(engine.CodeBadRequest), Message: fmt.Sprintf("@%s(if:): %v", d.Name, err)}
				}
			}
		}
		return nil
	}
	walk = func(sels ast.SelectionSet) error {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				if err := check(sel.Directives); err != nil {
					return err
				}
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.InlineFragment:
				if err := check(sel.Directives); err != nil {
					return err
				}
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if err := check(sel.Directives); err != nil {
					return err
				}
				if seen[sel.Name] {
					continue
				}
				seen[sel.Name] = true
				if frag := r.doc.Fragments.ForName(sel.Name); frag != nil {
					if err := walk(frag.SelectionSet); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return walk(r.op.SelectionSet)
}

// rootType is the name of the operation's root type.
func (r *request) rootType() string {
	if r.op.Operation == ast.Mutation {
		return "Mutation"
	}
	return "Query"
}

// prepareMutation coerces the arguments of every root field of a
// mutation before the first one runs, so that a document whose later
// field has a bad argument changes nothing (docs/graphql.md).
func (r *request) prepareMutation() error {
	r.rootArgs = map[*ast.Field]map[string]any{}
	for _, c := range r.collectRoot("Mutation") {
		f := c.fields[0]
		def := r.fieldDefinition("Mutation", f.Name)
		if def == nil {
			continue
		}
		args, err := r.coerceArgs(def.Arguments, f.Arguments)
		if err != nil {
			return badRequestf("%s: %v", c.key, err)
		}
		r.rootArgs[f] = args
	}
	return nil
}

// execute runs the operation and returns the JSON of its data.
func (r *request) execute(ctx context.Context) json.RawMessage {
	rootType := r.rootType()
	fields := r.collectRoot(rootType)
	// Mutation fields run one after another, in document order.
	out, ok := r.executeFields(ctx, rootType, nil, fields, nil, r.op.Operation != ast.Mutation)
	var buf bytes.Buffer
	if !ok {
		buf.WriteString("null")
	} else {
		writeJSON(&buf, out)
	}
	return buf.Bytes()
}

// resultMap is an object of the response, keys in selection order.
type resultMap struct {
	fields []*collected // fields[i].key is the key of vals[i]
	vals   []any
}

// fieldSlot is what executing one field of an object needs besides its
// value; executeFields allocates them for all the object's fields at once.
type fieldSlot struct {
	path path
	ok   bool
	call fieldCall
}

// executeFields resolves the fields of one object. ok is false when a
// non-null field came back null, which makes the whole object null.
func (r *request) executeFields(ctx context.Context, typeName string, parent any, fields []*collected, p *path, parallel bool) (*resultMap, bool) {
	// One allocation for the values and one for the rest of every field
	// (its path, its outcome, its call).
	res := &resultMap{fields: fields, vals: make([]any, len(fields))}
	slots := make([]fieldSlot, len(fields))
	for i, c := range fields {
		slots[i].path = path{parent: p, name: c.key}
	}
	if parallel && len(fields) > 1 {
		var wg sync.WaitGroup
		sem := make(chan struct{}, r.srv.maxParallelism)
		for i, c := range fields {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer func() {
					if v := recover(); v != nil {
						r.addError(&panicError{value: v, stack: debug.Stack()}, c.fields[0].Position, &slots[i].path)
						res.vals[i], slots[i].ok = nil, true
					}
				}()
				res.vals[i], slots[i].ok = r.executeField(ctx, typeName, parent, c, &slots[i])
			}()
		}
		wg.Wait()
	} else {
		for i, c := range fields {
			res.vals[i], slots[i].ok = r.executeField(ctx, typeName, parent, c, &slots[i])
		}
	}
	for i := range slots {
		if !slots[i].ok {
			return nil, false
		}
	}
	return res, true
}

// fieldDefinition returns the definition of a field of an object type.
func (r *request) fieldDefinition(typeName, name string) *ast.FieldDefinition {
	t := r.s.ast.Types[typeName]
	if t == nil {
		return nil
	}
	return t.Fields.ForName(name)
}

// executeField resolves and completes one field; slot holds its path
// and its call.
func (r *request) executeField(ctx context.Context, typeName string, parent any, c *collected, slot *fieldSlot) (out any, ok bool) {
	f := c.fields[0]
	if f.Name == "__typename" {
		return typeName, true
	}
	p := &slot.path
	target := r.targetOf(typeName, c)
	def, res := target.def, target.res
	if def == nil || res == nil {
		r.addError(fmt.Errorf("graphql: no resolver for %s.%s", typeName, f.Name), f.Position, p)
		return nil, false
	}
	nonNull := def.Type.NonNull
	fail := func(err error) (any, bool) {
		r.addError(err, f.Position, p)
		return nil, !nonNull
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	args, prepared := r.rootArgs[f]
	if !prepared {
		var err error
		if args, err = r.coerceArgs(def.Arguments, f.Arguments); err != nil {
			return fail(err)
		}
	}
	fc := &slot.call
	*fc = fieldCall{req: r, name: f.Name, args: args, fields: c.fields, typ: def.Type}
	v, err := r.call(ctx, res, parent, fc)
	if err != nil {
		return fail(err)
	}
	return r.complete(ctx, def.Type, c.fields, v, p)
}

// coerceArgs coerces the arguments of a field against their definitions
// (CoerceArgumentValues).
func (r *request) coerceArgs(defs ast.ArgumentDefinitionList, args ast.ArgumentList) (map[string]any, error) {
	if len(defs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(defs))
	for _, def := range defs {
		var v any = literalAbsent{}
		if a := args.ForName(def.Name); a != nil {
			limit := maxInputList
			if a.Value.Kind == ast.ListValue && len(a.Value.Children) > maxInputList {
				limit = argListLimit(r.s.ast, def.Type)
			}
			var err error
			if v, err = coerceBounded(r.s.ast, a.Value, def.Type, r.vars, limit); err != nil {
				return nil, badRequestf("argument %q: %v", def.Name, err)
			}
			if err := r.s.textProblem(def.Type, v, def.Name); err != nil {
				return nil, err
			}
		}
		if _, absent := v.(literalAbsent); absent {
			switch {
			case def.DefaultValue != nil:
				dv, err := coerceLiteral(r.s.ast, def.DefaultValue, def.Type, nil)
				if err != nil {
					return nil, badRequestf("argument %q: %v", def.Name, err)
				}
				v = dv
			case def.Type.NonNull:
				return nil, badRequestf("argument %q of type %s is required", def.Name, def.Type)
			default:
				continue
			}
		}
		out[def.Name] = v
	}
	return out, nil
}

// call runs a resolver, turning a panic into an internal error (G12).
func (r *request) call(ctx context.Context, res resolver, parent any, fc *fieldCall) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return res(ctx, parent, fc)
}

// panicError is a recovered resolver panic; it is reported as INTERNAL.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("resolver panic: %v", e.value) }

// complete turns a resolved value into response data of type t. ok is false
// when the value is null at a non-null position (the error is already
// recorded): the parent must then become null.
func (r *request) complete(ctx context.Context, t *ast.Type, fields []*ast.Field, v any, p *path) (any, bool) {
	if t.NonNull {
		nullable := *t
		nullable.NonNull = false
		out, ok := r.completeNullable(ctx, &nullable, fields, v, p)
		if !ok {
			return nil, false
		}
		if out == nil {
			r.addError(fmt.Errorf("graphql: null for the non-null field %q", fields[0].Name), fields[0].Position, p)
			return nil, false
		}
		return out, true
	}
	out, ok := r.completeNullable(ctx, t, fields, v, p)
	if !ok {
		return nil, true
	}
	return out, true
}

func (r *request) completeNullable(ctx context.Context, t *ast.Type, fields []*ast.Field, v any, p *path) (any, bool) {
	if isNil(v) {
		return nil, true
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			r.addError(fmt.Errorf("graphql: resolver of %q returned %T for a list", fields[0].Name, v), fields[0].Position, p)
			return nil, false
		}
		out := make([]any, len(items))
		paths := make([]path, len(items))
		for i, item := range items {
			paths[i] = path{parent: p, index: i, item: true}
			o, ok := r.complete(ctx, t.Elem, fields, item, &paths[i])
			if !ok {
				return nil, false
			}
			out[i] = o
		}
		return out, true
	}
	def := r.s.ast.Types[t.NamedType]
	if def == nil {
		r.addError(fmt.Errorf("graphql: unknown type %s", t.NamedType), fields[0].Position, p)
		return nil, false
	}
	switch def.Kind {
	case ast.Object:
		sub := r.collectOnce(def.Name, fields)
		m, ok := r.executeFields(ctx, def.Name, v, sub, p, false)
		if !ok {
			return nil, false
		}
		return m, true
	case ast.Scalar:
		out, err := serializeScalar(def.Name, v)
		if err != nil {
			r.addError(err, fields[0].Position, p)
			return nil, false
		}
		return out, true
	case ast.Enum:
		if s, ok := v.(string); ok && def.EnumValues.ForName(s) != nil {
			return s, true
		}
		r.addError(fmt.Errorf("graphql: %v is not a value of %s", v, def.Name), fields[0].Position, p)
		return nil, false
	}
	r.addError(fmt.Errorf("graphql: cannot complete a value of type %s", def.Name), fields[0].Position, p)
	return nil, false
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string, int64, float64, bool:
		return false // the values of most fields, without reflection
	case *recordValue:
		return x == nil
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func:
		return rv.IsNil()
	}
	return false
}

// serializeScalar checks and converts a resolved value for a scalar type.
func serializeScalar(name string, v any) (any, error) {
	switch name {
	case "Int":
		var n int64
		switch v := v.(type) {
		case int64:
			n = v
		case int32:
			n = int64(v)
		case int:
			n = int64(v)
		case float64:
			if v != math.Trunc(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("graphql: Int cannot represent %v", v)
			}
			n = int64(v)
		default:
			return nil, fmt.Errorf("graphql: Int cannot represent %T", v)
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, fmt.Errorf("graphql: Int cannot represent %d", n)
		}
		return n, nil
	case "Float":
		var f float64
		switch x := v.(type) {
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return v, nil // as it is: no new copy of the value
			}
			f = x
		case int64:
			f = float64(x)
		case int32:
			f = float64(x)
		case int:
			f = float64(x)
		default:
			return nil, fmt.Errorf("graphql: Float cannot represent %T", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("graphql: Float cannot represent %v", f)
		}
		return f, nil
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("graphql: Boolean cannot represent %T", v)
	case "JSON":
		switch v := v.(type) {
		case json.RawMessage:
			if !json.Valid(v) {
				return nil, errors.New("graphql: invalid JSON value")
			}
			return v, nil
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("graphql: JSON cannot represent the value: %w", err)
			}
			return json.RawMessage(b), nil
		}
	}
	// String, ID, Date, DateTime and unknown scalars are strings.
	switch x := v.(type) {
	case string:
		return v, nil // as it is: no new copy of the string's header
	case *string:
		return *x, nil
	}
	return nil, fmt.Errorf("graphql: %s cannot represent %T", name, v)
}

// writeJSON encodes completed response data.
func writeJSON(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case *resultMap:
		buf.WriteByte('{')
		for i, f := range v.fields {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, f.key)
			buf.WriteByte(':')
			writeJSON(buf, v.vals[i])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, item)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, v)
	case int64:
		buf.WriteString(strconv.FormatInt(v, 10))
	case float64:
		writeFloat(buf, v)
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case json.RawMessage:
		// A JSON value as it was stored: compacted and escaped the way
		// encoding/json writes a raw message, so that the response needs
		// no second pass (Response.marshal).
		b, err := json.Marshal(v)
		if err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(b)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(b)
	}
}

// writeFloat writes a finite f as encoding/json does: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from
// 1e21 on, with a one-digit exponent not padded. A value JSON cannot
// hold (NaN, ±Inf, refused before: serializeScalar) is null.
func writeFloat(buf *bytes.Buffer, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		buf.WriteString("null")
		return
	}
	var scratch [32]byte
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(scratch[:0], f, format, -1, 64)
	if format == 'e' {
		// e-07 → e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	buf.Write(b)
}

// writeString writes s as a JSON string (invalid UTF-8 replaced).
func writeString(buf *bytes.Buffer, s string) { writeJSONString(buf, s, true) }

// writeJSONString writes s as a JSON string; bytes that are not UTF-8
// become U+FFFD when replace is set and are copied as they are otherwise.
func writeJSONString(buf *bytes.Buffer, s string, replace bool) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case c == '\n':
				buf.WriteString(`\n`)
			case c == '\r':
				buf.WriteString(`\r`)
			case c == '\t':
				buf.WriteString(`\t`)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xF])
			default:
				buf.WriteByte(c)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1 && replace:
			buf.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xF])
		default:
			buf.WriteString(s[i : i+w])
		}
		i += w
	}
	buf.WriteByte('"')
}
