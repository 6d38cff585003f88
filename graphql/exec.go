package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/graph-gophers/graphql-go/ast"
	qerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/graph-gophers/graphql-go/introspection"

	"github.com/crmkit/crm/engine"
)

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
	fields []*fieldSel    // the field's occurrences, merged by response key
	typ    ast.Type       // the field's type
	sub    []*collected   // lazily collected sub-selection
}

// selects reports whether the field's sub-selection asks for name.
func (fc *fieldCall) selects(name string) bool {
	if fc.sub == nil {
		fc.sub = fc.req.collect(namedTypeName(fc.typ), fc.fields)
	}
	for _, c := range fc.sub {
		if c.fields[0].name == name {
			return true
		}
	}
	return false
}

// request is one execution of an operation.
type request struct {
	s         *execSchema
	srv       *Server
	doc       *document
	op        *operation
	vars      map[string]any
	actor     engine.Actor
	lang      string
	requestID string

	mu   sync.Mutex
	errs []*qerrors.QueryError
}

// collected is the set of field selections with one response key.
type collected struct {
	key    string
	fields []*fieldSel
}

// path is a response path, built from the leaf upwards.
type path struct {
	parent *path
	key    any // string or int
}

func (p *path) slice() []any {
	n := 0
	for q := p; q != nil; q = q.parent {
		n++
	}
	out := make([]any, n)
	for q := p; q != nil; q = q.parent {
		n--
		out[n] = q.key
	}
	return out
}

// addError records err as a GraphQL error of the field at p.
func (r *request) addError(err error, at pos, p *path) {
	qe := r.queryError(err)
	qe.Locations = []qerrors.Location{{Line: at.line, Column: at.col}}
	qe.Path = p.slice()
	r.mu.Lock()
	r.errs = append(r.errs, qe)
	r.mu.Unlock()
}

// collect merges the selections of fields (all on objects of typeName)
// by response key, in order of first appearance, applying @skip, @include
// and fragments.
func (r *request) collect(typeName string, fields []*fieldSel) []*collected {
	var out []*collected
	index := map[string]int{}
	for _, f := range fields {
		r.collectInto(typeName, f.sels, &out, index, map[string]bool{})
	}
	return out
}

func (r *request) collectInto(typeName string, sels []selection, out *[]*collected, index map[string]int, visited map[string]bool) {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *fieldSel:
			if r.skipped(sel.dirs) {
				continue
			}
			key := sel.responseKey()
			if i, ok := index[key]; ok {
				(*out)[i].fields = append((*out)[i].fields, sel)
				continue
			}
			index[key] = len(*out)
			*out = append(*out, &collected{key: key, fields: []*fieldSel{sel}})
		case *inlineFragment:
			if r.skipped(sel.dirs) || (sel.on != "" && sel.on != typeName) {
				continue
			}
			r.collectInto(typeName, sel.sels, out, index, visited)
		case *fragmentSpread:
			if r.skipped(sel.dirs) || visited[sel.name] {
				continue
			}
			frag := r.doc.frags[sel.name]
			if frag == nil || frag.on != typeName {
				continue
			}
			visited[sel.name] = true
			r.collectInto(typeName, frag.sels, out, index, visited)
		}
	}
}

// skipped evaluates @skip and @include.
func (r *request) skipped(dirs []*directive) bool {
	for _, d := range dirs {
		if d.name != "skip" && d.name != "include" {
			continue
		}
		for _, a := range d.args {
			if a.name != "if" {
				continue
			}
			v, _ := r.literal(a.val)
			b, ok := v.(bool)
			if !ok {
				continue
			}
			if (d.name == "skip" && b) || (d.name == "include" && !b) {
				return true
			}
		}
	}
	return false
}

// execute runs the operation and returns the JSON of its data.
func (r *request) execute(ctx context.Context) json.RawMessage {
	rootType := "Query"
	if r.op.kind == "mutation" {
		rootType = "Mutation"
	}
	root := &fieldSel{sels: r.op.sels}
	fields := r.collect(rootType, []*fieldSel{root})
	out, ok := r.executeFields(ctx, rootType, nil, fields, nil, r.op.kind == "query")
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
	keys []string
	vals []any
}

// executeFields resolves the fields of one object. ok is false when a
// non-null field came back null, which makes the whole object null.
func (r *request) executeFields(ctx context.Context, typeName string, parent any, fields []*collected, p *path, parallel bool) (*resultMap, bool) {
	res := &resultMap{keys: make([]string, len(fields)), vals: make([]any, len(fields))}
	oks := make([]bool, len(fields))
	if parallel && len(fields) > 1 {
		var wg sync.WaitGroup
		sem := make(chan struct{}, r.srv.maxParallelism)
		for i, c := range fields {
			res.keys[i] = c.key
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer func() {
					if v := recover(); v != nil {
						r.addError(&panicError{value: v, stack: debug.Stack()}, c.fields[0].pos, &path{parent: p, key: c.key})
						res.vals[i], oks[i] = nil, true
					}
				}()
				res.vals[i], oks[i] = r.executeField(ctx, typeName, parent, c, &path{parent: p, key: c.key})
			}()
		}
		wg.Wait()
	} else {
		for i, c := range fields {
			res.keys[i] = c.key
			res.vals[i], oks[i] = r.executeField(ctx, typeName, parent, c, &path{parent: p, key: c.key})
		}
	}
	for _, ok := range oks {
		if !ok {
			return nil, false
		}
	}
	return res, true
}

// executeField resolves and completes one field.
func (r *request) executeField(ctx context.Context, typeName string, parent any, c *collected, p *path) (out any, ok bool) {
	f := c.fields[0]
	if f.name == "__typename" {
		return typeName, true
	}
	var def *ast.FieldDefinition
	var res resolver
	switch {
	case f.name == "__schema" && typeName == "Query":
		def = &ast.FieldDefinition{Name: "__schema", Type: &ast.NonNull{OfType: r.s.ast.Types["__Schema"]}}
		res = func(context.Context, any, *fieldCall) (any, error) {
			return introspection.WrapSchema(r.s.ast), nil
		}
	case f.name == "__type" && typeName == "Query":
		def = &ast.FieldDefinition{Name: "__type", Type: r.s.ast.Types["__Type"], Arguments: ast.ArgumentsDefinition{
			{Name: ast.Ident{Name: "name"}, Type: &ast.NonNull{OfType: r.s.ast.Types["String"]}},
		}}
		res = func(_ context.Context, _ any, fc *fieldCall) (any, error) {
			t, ok := r.s.ast.Types[fc.args["name"].(string)]
			if !ok {
				return nil, nil
			}
			return introspection.WrapType(t), nil
		}
	default:
		if obj, ok := r.s.ast.Types[typeName].(*ast.ObjectTypeDefinition); ok {
			def = obj.Fields.Get(f.name)
		}
		res = r.s.resolvers[typeName][f.name]
	}
	if def == nil || res == nil {
		r.addError(fmt.Errorf("graphql: no resolver for %s.%s", typeName, f.name), f.pos, p)
		return nil, false
	}
	_, nonNull := def.Type.(*ast.NonNull)
	fail := func(err error) (any, bool) {
		r.addError(err, f.pos, p)
		return nil, !nonNull
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	args, err := r.coerceArgs(def.Arguments, f.args)
	if err != nil {
		return fail(err)
	}
	fc := &fieldCall{req: r, name: f.name, args: args, fields: c.fields, typ: def.Type}
	v, err := r.call(ctx, res, parent, fc)
	if err != nil {
		return fail(err)
	}
	return r.complete(ctx, def.Type, c.fields, v, p)
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
func (r *request) complete(ctx context.Context, t ast.Type, fields []*fieldSel, v any, p *path) (any, bool) {
	if nn, ok := t.(*ast.NonNull); ok {
		out, ok := r.completeNullable(ctx, nn.OfType, fields, v, p)
		if !ok {
			return nil, false
		}
		if out == nil {
			r.addError(fmt.Errorf("graphql: null for the non-null field %q", fields[0].name), fields[0].pos, p)
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

func (r *request) completeNullable(ctx context.Context, t ast.Type, fields []*fieldSel, v any, p *path) (any, bool) {
	if isNil(v) {
		return nil, true
	}
	switch t := t.(type) {
	case *ast.List:
		items, ok := v.([]any)
		if !ok {
			r.addError(fmt.Errorf("graphql: resolver of %q returned %T for a list", fields[0].name, v), fields[0].pos, p)
			return nil, false
		}
		out := make([]any, len(items))
		for i, item := range items {
			o, ok := r.complete(ctx, t.OfType, fields, item, &path{parent: p, key: i})
			if !ok {
				return nil, false
			}
			out[i] = o
		}
		return out, true
	case *ast.ObjectTypeDefinition:
		sub := r.collect(t.Name, fields)
		m, ok := r.executeFields(ctx, t.Name, v, sub, p, false)
		if !ok {
			return nil, false
		}
		return m, true
	case *ast.ScalarTypeDefinition:
		out, err := serializeScalar(t.Name, v)
		if err != nil {
			r.addError(err, fields[0].pos, p)
			return nil, false
		}
		return out, true
	case *ast.EnumTypeDefinition:
		s, ok := v.(string)
		if ok {
			for _, ev := range t.EnumValuesDefinition {
				if ev.EnumValue == s {
					return s, true
				}
			}
		}
		r.addError(fmt.Errorf("graphql: %v is not a value of %s", v, t.Name), fields[0].pos, p)
		return nil, false
	}
	r.addError(fmt.Errorf("graphql: cannot complete a value of type %s", t), fields[0].pos, p)
	return nil, false
}

func isNil(v any) bool {
	if v == nil {
		return true
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
		switch v := v.(type) {
		case float64:
			f = v
		case int64:
			f = float64(v)
		case int32:
			f = float64(v)
		case int:
			f = float64(v)
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
				return nil, fmt.Errorf("graphql: invalid JSON value")
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
	switch v := v.(type) {
	case string:
		return v, nil
	case *string:
		return *v, nil
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
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
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
		b, _ := json.Marshal(v)
		buf.Write(b)
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case json.RawMessage:
		buf.Write(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(b)
	}
}

// writeString writes s as a JSON string (invalid UTF-8 replaced).
func writeString(buf *bytes.Buffer, s string) {
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
		case r == utf8.RuneError && w == 1:
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

// namedTypeName returns the name of the named type inside t.
func namedTypeName(t ast.Type) string {
	for {
		switch tt := t.(type) {
		case *ast.NonNull:
			t = tt.OfType
		case *ast.List:
			t = tt.OfType
		case ast.NamedType:
			return tt.TypeName()
		default:
			return ""
		}
	}
}
