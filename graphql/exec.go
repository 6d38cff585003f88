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
	lookups map[lookupKey][]string
	// reverses are what reverse lists read (reverseRead), under setsMu.
	reverses map[lookupKey]reverseReads
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
	// key is the response key written as JSON with its colon, once.
	keyText []byte
}

// keyJSON is the field's response key as JSON, followed by a colon.
func (c *collected) keyJSON() []byte {
	if c.keyText == nil {
		var b bytes.Buffer
		writeString(&b, c.key)
		b.WriteByte(':')
		return b.Bytes()
	}
	return c.keyText
}

// newCollected is the collected set of one field selection.
func newCollected(key string, f *ast.Field) *collected {
	c := &collected{key: key, fields: []*ast.Field{f}}
	c.keyText = c.keyJSON()
	return c
}

// fieldTarget is what executing a collected field looks up.
type fieldTarget struct {
	typeName string
	def      *ast.FieldDefinition
	res      resolver
	// named is the definition of the field's named type (a list's item
	// type): completing a value looked it up by name for each one.
	named *ast.Definition
	// sub is the collected selection of an object-typed field on its
	// type (subOf), kept with the target: each record of a page looked
	// it up in the request's or the document's sets.
	sub atomic.Pointer[[]*collected]
}

// subOf returns the selection of c (whose target t is) on its object
// type, collected on first use. c belongs to one request, or to a
// document whose selections have no conditions and collect alike for
// every request, so the set can be kept with it.
func (t *fieldTarget) subOf(r *request, c *collected) []*collected {
	if sub := t.sub.Load(); sub != nil {
		return *sub
	}
	sub := r.collectOnce(t.named.Name, c.fields)
	t.sub.Store(&sub)
	return sub
}

// targetOf returns the definition and resolver of c on typeName (nil
// when the type has no such field or no resolver for it).
func (r *request) targetOf(typeName string, c *collected) *fieldTarget {
	if t := c.target.Load(); t != nil && t.typeName == typeName {
		return t
	}
	name := c.fields[0].Name
	t := &fieldTarget{typeName: typeName, def: r.fieldDefinition(typeName, name), res: r.s.resolvers[typeName][name]}
	if t.def != nil {
		t.named = r.s.ast.Types[t.def.Type.Name()]
	}
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
			*out = append(*out, newCollected(key, sel))
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

// execute runs the operation and writes the JSON of its data to w.
func (r *request) execute(ctx context.Context, w *bytes.Buffer) {
	rootType := r.rootType()
	fields := r.collectRoot(rootType)
	mark := w.Len()
	var ok bool
	if r.op.Operation != ast.Mutation && len(fields) > 1 {
		ok = r.writeRootFields(ctx, w, rootType, fields)
	} else {
		// Mutation fields run one after another, in document order.
		ok = r.writeFields(ctx, w, rootType, nil, fields, nil)
	}
	if !ok {
		w.Truncate(mark)
		w.WriteString("null")
	}
}

// The executor writes the response as it completes values (spec section
// 6.4.3, CompleteValue), straight into one buffer: a page of 50 records
// made an object, a slice of values and an interface value for each
// record and field, and walked them again to write them. A non-null
// field that comes back null makes its parent null: the parent's writer
// cuts the buffer back to where the parent began and writes null there
// (or passes the null further up when it is non-null itself), after the
// parent's remaining fields have run as before, so that their errors are
// reported as they were.

// writeFields writes the object of the fields of one object. It is false
// when a non-null field came back null, which makes the whole object
// null; what it wrote is then to be cut by the caller.
func (r *request) writeFields(ctx context.Context, w *bytes.Buffer, typeName string, parent any, fields []*collected, p *path) bool {
	return r.writeFieldsIn(ctx, w, typeName, parent, fields, p, make([]fieldSlot, len(fields)))
}

// writeFieldsIn is writeFields with the slots of the fields given: one
// allocation for the calls and paths of every field (a path on the stack
// would escape all the same: the compiler cannot follow the recursion
// through them, golang.org/issue/35518), which the items of a list use
// in turn. A resolver uses its call while it runs and keeps nothing of
// it, and an error copies its path, so an item's slots are free once
// the item is written.
func (r *request) writeFieldsIn(ctx context.Context, w *bytes.Buffer, typeName string, parent any, fields []*collected, p *path, slots []fieldSlot) bool {
	ok := true
	w.WriteByte('{')
	for i, c := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(c.keyJSON())
		s := &slots[i]
		s.path = path{parent: p, name: c.key}
		if !r.writeField(ctx, w, typeName, parent, c, &s.call, &s.path) {
			ok = false
		}
	}
	w.WriteByte('}')
	return ok
}

// fieldSlot is what writing one field of an object needs besides its
// value: its path and its call.
type fieldSlot struct {
	path path
	call fieldCall
}

// writeRootFields is writeFields for the root fields of a query, each
// resolved and completed in a goroutine of its own, into a buffer of its
// own, joined in order once all are done.
func (r *request) writeRootFields(ctx context.Context, w *bytes.Buffer, typeName string, fields []*collected) bool {
	type slot struct {
		path path
		call fieldCall
		buf  bytes.Buffer
		ok   bool
	}
	slots := make([]slot, len(fields))
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.srv.maxParallelism)
	for i, c := range fields {
		slots[i].path = path{name: c.key}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := &slots[i]
			defer func() {
				if v := recover(); v != nil {
					r.addError(&panicError{value: v, stack: debug.Stack()}, c.fields[0].Position, &s.path)
					s.buf.Reset()
					s.buf.WriteString("null")
					s.ok = true
				}
			}()
			s.ok = r.writeField(ctx, &s.buf, typeName, nil, c, &s.call, &s.path)
		}()
	}
	wg.Wait()
	ok := true
	w.WriteByte('{')
	for i, c := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(c.keyJSON())
		w.Write(slots[i].buf.Bytes())
		ok = ok && slots[i].ok
	}
	w.WriteByte('}')
	return ok
}

// fieldDefinition returns the definition of a field of an object type.
func (r *request) fieldDefinition(typeName, name string) *ast.FieldDefinition {
	t := r.s.ast.Types[typeName]
	if t == nil {
		return nil
	}
	return t.Fields.ForName(name)
}

// writeField resolves one field and writes its completed value; fc is
// its call and p its path. It is false when the value is null at a
// non-null position (the error is recorded): the parent becomes null.
func (r *request) writeField(ctx context.Context, w *bytes.Buffer, typeName string, parent any, c *collected, fc *fieldCall, p *path) bool {
	f := c.fields[0]
	if f.Name == "__typename" {
		writeString(w, typeName)
		return true
	}
	target := r.targetOf(typeName, c)
	def, res := target.def, target.res
	if def == nil || res == nil {
		r.addError(fmt.Errorf("graphql: no resolver for %s.%s", typeName, f.Name), f.Position, p)
		w.WriteString("null")
		return false
	}
	fail := func(err error) bool {
		r.addError(err, f.Position, p)
		w.WriteString("null")
		return !def.Type.NonNull
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
	*fc = fieldCall{req: r, name: f.Name, args: args, fields: c.fields, typ: def.Type}
	v, err := r.call(ctx, res, parent, fc)
	if err != nil {
		return fail(err)
	}
	return r.writeValue(ctx, w, def.Type, c, target, v, p)
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

// writeValue completes a resolved value of type t (c's field, whose
// target gives the named type of t) and writes it. It is false when the
// value is null at a non-null position (the error is already recorded):
// the parent must then become null.
func (r *request) writeValue(ctx context.Context, w *bytes.Buffer, t *ast.Type, c *collected, target *fieldTarget, v any, p *path) bool {
	mark := w.Len()
	null, ok := r.writeNullable(ctx, w, t, c, target, v, p)
	return r.settle(w, mark, t, c, p, null, ok)
}

// settle applies t's nullability to a value written from mark on (null:
// it was null; ok: false when a value inside could not be completed). A
// null at a non-null position is an error, and the value is false for
// the parent to become null; a nullable value that could not be
// completed is cut back to null.
func (r *request) settle(w *bytes.Buffer, mark int, t *ast.Type, c *collected, p *path, null, ok bool) bool {
	if t.NonNull {
		if ok && null {
			r.addError(fmt.Errorf("graphql: null for the non-null field %q", c.fields[0].Name), c.fields[0].Position, p)
			return false
		}
		return ok
	}
	if !ok {
		w.Truncate(mark)
		w.WriteString("null")
	}
	return true
}

// writeNullable writes v completed as a value of t, t.NonNull aside.
// null tells that it wrote null; ok is false when a value inside could
// not be completed (the error is recorded), and what it wrote is then to
// be cut.
func (r *request) writeNullable(ctx context.Context, w *bytes.Buffer, t *ast.Type, c *collected, target *fieldTarget, v any, p *path) (null, ok bool) {
	if isNil(v) {
		w.WriteString("null")
		return true, true
	}
	fields := c.fields
	if t.Elem != nil {
		items, isList := v.([]any)
		if !isList {
			r.addError(fmt.Errorf("graphql: resolver of %q returned %T for a list", fields[0].Name, v), fields[0].Position, p)
			return false, false
		}
		w.WriteByte('[')
		paths := make([]path, len(items))
		if t.Elem.Elem == nil && target.named != nil && target.named.Kind == ast.Object {
			// A list of objects: their fields' slots are allocated once.
			sub := target.subOf(r, c)
			slots := make([]fieldSlot, len(sub))
			for i, item := range items {
				if i > 0 {
					w.WriteByte(',')
					clear(slots)
				}
				paths[i] = path{parent: p, index: i, item: true}
				if !r.writeObjectItem(ctx, w, t.Elem, c, target.named, sub, slots, item, &paths[i]) {
					return false, false
				}
			}
			w.WriteByte(']')
			return false, true
		}
		for i, item := range items {
			if i > 0 {
				w.WriteByte(',')
			}
			paths[i] = path{parent: p, index: i, item: true}
			if !r.writeValue(ctx, w, t.Elem, c, target, item, &paths[i]) {
				return false, false
			}
		}
		w.WriteByte(']')
		return false, true
	}
	def := target.named
	if def == nil {
		r.addError(fmt.Errorf("graphql: unknown type %s", t.NamedType), fields[0].Position, p)
		return false, false
	}
	switch def.Kind {
	case ast.Object:
		return false, r.writeFields(ctx, w, def.Name, v, target.subOf(r, c), p)
	case ast.Scalar:
		if err := writeScalar(w, def.Name, v); err != nil {
			r.addError(err, fields[0].Position, p)
			return false, false
		}
		return false, true
	case ast.Enum:
		if s, isString := v.(string); isString && def.EnumValues.ForName(s) != nil {
			writeString(w, s)
			return false, true
		}
		r.addError(fmt.Errorf("graphql: %v is not a value of %s", v, def.Name), fields[0].Position, p)
		return false, false
	}
	r.addError(fmt.Errorf("graphql: cannot complete a value of type %s", def.Name), fields[0].Position, p)
	return false, false
}

// writeObjectItem is writeValue for an item of a list of objects of
// type def (t is the item type), whose selection sub is written with
// the list's slots.
func (r *request) writeObjectItem(ctx context.Context, w *bytes.Buffer, t *ast.Type, c *collected, def *ast.Definition, sub []*collected, slots []fieldSlot, v any, p *path) bool {
	mark := w.Len()
	null, ok := isNil(v), true
	if null {
		w.WriteString("null")
	} else {
		ok = r.writeFieldsIn(ctx, w, def.Name, v, sub, p, slots)
	}
	return r.settle(w, mark, t, c, p, null, ok)
}

// writeScalar writes a resolved value of the scalar type name, checked
// and converted as serializeScalar does; the common values (a string of
// a string type, a finite float, an int64 in range, a bool) are written
// without being converted first.
func writeScalar(w *bytes.Buffer, name string, v any) error {
	switch x := v.(type) {
	case string:
		switch name {
		case "String", "ID", "Date", "DateTime":
			writeString(w, x)
			return nil
		}
	case *string:
		// A string of a record (its id, its author): a pointer to it
		// makes no new interface value, which a string would.
		switch name {
		case "String", "ID", "Date", "DateTime":
			writeString(w, *x)
			return nil
		}
	case float64:
		if name == "Float" && !math.IsNaN(x) && !math.IsInf(x, 0) {
			writeFloat(w, x)
			return nil
		}
	case bool:
		if name == "Boolean" {
			w.WriteString(strconv.FormatBool(x))
			return nil
		}
	}
	out, err := serializeScalar(name, v)
	if err != nil {
		return err
	}
	writeJSON(w, out)
	return nil
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string, int64, float64, bool:
		return false // the values of most fields, without reflection
	case *recordValue:
		return x == nil
	case *string:
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
