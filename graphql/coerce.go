package graphql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/schema"
)

// Coercion turns input values — variable values first, before anything
// runs (spec CoerceVariableValues), then the literals of each field's
// arguments — into plain Go values checked against their GraphQL type:
//
//	Int → int64, Float → float64, String, ID → string,
//	Date → string, DateTime → string (RFC 3339 values in
//	schema.DateTimeLayout, UTC; other strings as given), Boolean → bool,
//	enum → string, JSON → json.RawMessage, list → []any,
//	input object → map[string]any holding exactly the fields given
//	(a field given as null is present with a nil value).
//
// Date and DateTime take any string: what uses the value says whether it
// is a date (a record field error naming the field, or BAD_REQUEST in a
// filter), so that a record with a malformed date and other problems gets
// every problem in one answer.

// maxInputList bounds every list in an input (G13).
const maxInputList = 250

// maxVariableErrors bounds the errors reported for a request's variables.
const maxVariableErrors = 50

// inputError is a value that its type refuses, at path (from the variable
// or argument).
type inputError struct {
	path []string
	msg  string
}

// coercer coerces values against the types of a schema.
type coercer struct {
	s    *ast.Schema
	errs []inputError
	// outer is how many elements the value's outermost list may hold.
	outer int
}

func (c *coercer) fail(path *inPath, format string, args ...any) {
	if len(c.errs) < maxVariableErrors {
		c.errs = append(c.errs, inputError{path: path.parts(), msg: fmt.Sprintf(format, args...)})
	}
}

// inPath is where a value is in a variable: the variable's name, then
// ".field" and "[index]" steps. It is built as the coercer descends,
// one step on the stack a level, and spelled out only for an error: a
// bulk write's 500 inputs of 15 fields made 8,000 strings a request that
// no one read.
type inPath struct {
	up    *inPath
	key   string // the variable's name, or a field's; "" for an index
	index int
	depth int // steps above this one
}

// field and item step into a field and a list element.
func (p *inPath) field(name string) inPath { return inPath{up: p, key: name, depth: p.depth + 1} }
func (p *inPath) item(i int) inPath        { return inPath{up: p, index: i, depth: p.depth + 1} }

// parts spells the path out: the name, then ".field" and "[i]".
func (p *inPath) parts() []string {
	out := make([]string, p.depth+1)
	for q := p; q != nil; q = q.up {
		switch {
		case q.up == nil:
			out[q.depth] = q.key
		case q.key != "":
			out[q.depth] = "." + q.key
		default:
			out[q.depth] = "[" + strconv.Itoa(q.index) + "]"
		}
	}
	return out
}

// coerceVariables coerces the variable values of op (CoerceVariableValues).
// raw holds the values as sent, one JSON text per variable; limits are
// the numbers of elements the variables used as the list arguments of
// bulk writes may hold (maxInputList for the others). Every problem is a
// request error; the result has a key only for the variables that were
// given or have a default.
func coerceVariables(s *ast.Schema, op *ast.OperationDefinition, raw map[string]json.RawMessage, limits map[string]int) (map[string]any, []*QueryError) {
	out := map[string]any{}
	var qerrs []*QueryError
	c := &coercer{s: s}
	for _, vd := range op.VariableDefinitions {
		name, t := vd.Variable, vd.Type
		loc := locationOf(vd.Position)
		text, given := raw[name]
		isNull := given && string(bytes.TrimSpace(text)) == "null"
		switch {
		case !given && vd.DefaultValue != nil:
			v, err := coerceLiteral(s, vd.DefaultValue, t, nil)
			if err != nil {
				qerrs = append(qerrs, variableError(loc, fmt.Sprintf(`Variable "$%s" has an invalid default value: %v`, name, err)))
				continue
			}
			out[name] = v
		case !given && t.NonNull:
			qerrs = append(qerrs, variableError(loc, fmt.Sprintf(`Variable "$%s" of required type "%s" was not provided.`, name, t)))
		case !given:
		case isNull && t.NonNull:
			qerrs = append(qerrs, variableError(loc, fmt.Sprintf(`Variable "$%s" of non-null type "%s" must not be null.`, name, t)))
		case isNull:
			out[name] = nil
		default:
			var val any
			if t.Elem == nil && t.NamedType == "JSON" {
				val = text // kept as sent: JSON keeps the order of its keys
			} else {
				var err error
				if val, err = decodeKeepingBytes(text, true); err != nil {
					qerrs = append(qerrs, variableError(loc, fmt.Sprintf(`Variable "$%s" is not JSON: %v`, name, err)))
					continue
				}
			}
			c.errs = c.errs[:0]
			c.outer = maxInputList
			if n, ok := limits[name]; ok {
				c.outer = n
			}
			v := c.value(t, val, &inPath{key: name})
			if len(c.errs) == 0 {
				out[name] = v
				continue
			}
			for _, e := range c.errs {
				msg := fmt.Sprintf(`Variable "$%s" got invalid value %s`, name, jsonText(val))
				if len(e.path) > 1 {
					msg += ` at "` + strings.Join(e.path, "") + `"`
				}
				qerrs = append(qerrs, variableError(loc, msg+"; "+e.msg))
			}
		}
		if len(qerrs) >= maxVariableErrors {
			break
		}
	}
	return out, qerrs
}

func variableError(loc []Location, msg string) *QueryError {
	return &QueryError{Message: msg, Locations: loc, Extensions: map[string]any{"code": "BAD_REQUEST"}}
}

func locationOf(p *ast.Position) []Location {
	if p == nil {
		return nil
	}
	return []Location{{Line: p.Line, Column: p.Column}}
}

// jsonText shows a variable value in a message, shortened.
func jsonText(v any) string {
	var b []byte
	if raw, ok := v.(json.RawMessage); ok {
		b = raw
	} else {
		b, _ = json.Marshal(v)
	}
	s := string(b)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// value coerces a JSON value (decoded with UseNumber) to the input type t.
func (c *coercer) value(t *ast.Type, v any, path *inPath) any {
	if v == nil {
		if t.NonNull {
			c.fail(path, `Expected non-nullable type "%s" not to be null.`, t)
		}
		return nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return []any{c.value(t.Elem, v, path)}
		}
		limit := maxInputList
		if path.up == nil && c.outer > 0 {
			limit = c.outer
		}
		if len(items) > limit {
			c.fail(path, "A list may hold at most %d elements, this one has %d.", limit, len(items))
			return nil
		}
		out := make([]any, len(items))
		for i, item := range items {
			at := path.item(i)
			out[i] = c.value(t.Elem, item, &at)
		}
		return out
	}
	def := c.s.Types[t.NamedType]
	if def == nil {
		c.fail(path, `Unknown type "%s".`, t.NamedType)
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		s, ok := v.(string)
		if !ok {
			c.fail(path, `Enum "%s" cannot represent non-string value: %s.`, def.Name, jsonText(v))
			return nil
		}
		if def.EnumValues.ForName(s) == nil {
			c.fail(path, `Value %s does not exist in "%s" enum.`, strconv.Quote(s), def.Name)
			return nil
		}
		return s
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, `Expected type "%s" to be an object.`, def.Name)
			return nil
		}
		if out, ok := c.objectInOrder(def, m, path); ok {
			return out
		}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names) // errors in a stable order
		out := make(map[string]any, len(m))
		for _, k := range names {
			fd := def.Fields.ForName(k)
			at := path.field(k)
			if fd == nil {
				c.fail(&at, `Field "%s" is not defined by type "%s".`, k, def.Name)
				continue
			}
			out[k] = c.value(fd.Type, m[k], &at)
		}
		for _, fd := range def.Fields {
			if _, ok := m[fd.Name]; ok {
				continue
			}
			switch {
			case fd.DefaultValue != nil:
				dv, err := coerceLiteral(c.s, fd.DefaultValue, fd.Type, nil)
				if err != nil {
					at := path.field(fd.Name)
					c.fail(&at, "%v", err)
				}
				out[fd.Name] = dv
			case fd.Type.NonNull:
				c.fail(path, `Field "%s" of required type "%s" was not provided.`, fd.Name, fd.Type)
			}
		}
		if def.Directives.ForName("oneOf") != nil && (len(m) != 1 || hasNil(m)) {
			c.fail(path, `Exactly one key must be specified for OneOf type "%s".`, def.Name)
		}
		return out
	case ast.Scalar:
		out, problem := scalarValue(def.Name, v)
		if problem != "" {
			c.fail(path, "%s", problem)
		}
		return out
	}
	c.fail(path, `"%s" is not an input type.`, def.Name)
	return nil
}

// objectInOrder coerces the input object m of type def the quick way,
// walking the type's fields in their declared order: no sorting of m's
// keys, no search of each among the fields. It takes only objects that
// coerce without an error and need nothing but their own fields (no
// unknown key, no default or required field missing, not a oneOf
// type); for any other it reports false, having kept nothing, and
// value's walk in the order of the keys (that orders the errors) takes
// the object.
func (c *coercer) objectInOrder(def *ast.Definition, m map[string]any, path *inPath) (map[string]any, bool) {
	if len(m) > len(def.Fields) {
		return nil, false // a key the type does not define
	}
	errs := len(c.errs)
	out := make(map[string]any, len(m))
	for _, fd := range def.Fields {
		val, ok := m[fd.Name]
		if !ok {
			if fd.DefaultValue != nil || fd.Type.NonNull {
				return nil, false
			}
			continue
		}
		at := path.field(fd.Name)
		out[fd.Name] = c.value(fd.Type, val, &at)
	}
	if len(out) != len(m) || len(c.errs) != errs || def.Directives.ForName("oneOf") != nil {
		c.errs = c.errs[:errs]
		return nil, false
	}
	return out, true
}

func hasNil(m map[string]any) bool {
	for _, v := range m {
		if v == nil {
			return true
		}
	}
	return false
}

// scalarValue coerces a JSON value to a scalar (input coercion of
// variable values); problem says why it cannot, in graphql-js's words.
func scalarValue(name string, v any) (out any, problem string) {
	switch name {
	case "Int":
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			if _, isNum := v.(json.Number); isNum && ok {
				return nil, fmt.Sprintf("Int cannot represent non 32-bit signed integer value: %s", jsonText(v))
			}
			return nil, fmt.Sprintf("Int cannot represent non-integer value: %s", jsonText(v))
		}
		return n, ""
	case "Float":
		f, ok := toFloat64(v)
		if !ok {
			return nil, fmt.Sprintf("Float cannot represent non numeric value: %s", jsonText(v))
		}
		return f, ""
	case "String":
		if s, ok := v.(string); ok {
			return s, ""
		}
		return nil, fmt.Sprintf("String cannot represent a non string value: %s", jsonText(v))
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, fmt.Sprintf("Boolean cannot represent a non boolean value: %s", jsonText(v))
	case "ID":
		if s, ok := v.(string); ok {
			return s, ""
		}
		if num, ok := v.(json.Number); ok {
			if n, ok := toInt64(num); ok {
				return strconv.FormatInt(n, 10), ""
			}
		}
		return nil, fmt.Sprintf("ID cannot represent value: %s", jsonText(v))
	case "Date":
		if s, ok := v.(string); ok {
			return s, ""
		}
		return nil, fmt.Sprintf("Date cannot represent a non string value: %s", jsonText(v))
	case "DateTime":
		if s, ok := v.(string); ok {
			return normalizeDateTime(s), ""
		}
		return nil, fmt.Sprintf("DateTime cannot represent a non string value: %s", jsonText(v))
	case "JSON":
		b, err := encodeJSONValue(v)
		if err != nil {
			return nil, "JSON cannot represent the value: " + err.Error()
		}
		return json.RawMessage(b), ""
	}
	return nil, fmt.Sprintf("unknown scalar %s", name)
}

// normalizeDateTime writes an RFC 3339 date-time in schema.DateTimeLayout
// (UTC), the form the store compares; other strings stay as they are.
func normalizeDateTime(s string) string {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return tm.UTC().Format(schema.DateTimeLayout)
}

// literalAbsent marks a literal that names a variable not given: the
// argument or input field is then absent.
type literalAbsent struct{}

// coerceLiteral coerces a literal of the document to the input type t
// with the coerced variables vars (spec CoerceArgumentValues, and
// valueFromAST for the parts of a literal). A variable that was not given
// makes the value absent (literalAbsent{}); within a list it is null.
func coerceLiteral(s *ast.Schema, v *ast.Value, t *ast.Type, vars map[string]any) (any, error) {
	return coerceBounded(s, v, t, vars, maxInputList)
}

// coerceBounded is coerceLiteral with limit elements for the outermost
// list (of a bulk write's argument); inner lists get maxInputList.
func coerceBounded(s *ast.Schema, v *ast.Value, t *ast.Type, vars map[string]any, limit int) (any, error) {
	if v.Kind == ast.Variable {
		val, ok := vars[v.Raw]
		if !ok {
			return literalAbsent{}, nil
		}
		if val == nil && t.NonNull {
			return nil, fmt.Errorf(`variable "$%s" is null where "%s" is expected`, v.Raw, t)
		}
		return val, nil
	}
	if v.Kind == ast.NullValue {
		if t.NonNull {
			return nil, fmt.Errorf(`null where "%s" is expected`, t)
		}
		return nil, nil
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			item, err := coerceLiteral(s, v, t.Elem, vars)
			if err != nil {
				return nil, err
			}
			if _, absent := item.(literalAbsent); absent {
				return nil, nil
			}
			return []any{item}, nil
		}
		if len(v.Children) > limit {
			return nil, fmt.Errorf("a list may hold at most %d elements, this one has %d", limit, len(v.Children))
		}
		out := make([]any, len(v.Children))
		for i, ch := range v.Children {
			item, err := coerceLiteral(s, ch.Value, t.Elem, vars)
			if err != nil {
				return nil, err
			}
			if _, absent := item.(literalAbsent); absent {
				if t.Elem.NonNull {
					return nil, fmt.Errorf(`variable "$%s" is not given where "%s" is expected`, ch.Value.Raw, t.Elem)
				}
				item = nil
			}
			out[i] = item
		}
		return out, nil
	}
	def := s.Types[t.NamedType]
	if def == nil {
		return nil, fmt.Errorf("unknown type %s", t.NamedType)
	}
	switch def.Kind {
	case ast.InputObject:
		if v.Kind != ast.ObjectValue {
			return nil, fmt.Errorf(`expected an object of type "%s", found %s`, def.Name, v.String())
		}
		out := make(map[string]any, len(v.Children))
		for _, ch := range v.Children {
			fd := def.Fields.ForName(ch.Name)
			if fd == nil {
				return nil, fmt.Errorf(`field "%s" is not defined by type "%s"`, ch.Name, def.Name)
			}
			fv, err := coerceLiteral(s, ch.Value, fd.Type, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ch.Name, err)
			}
			if _, absent := fv.(literalAbsent); absent {
				continue
			}
			out[ch.Name] = fv
		}
		for _, fd := range def.Fields {
			if _, ok := out[fd.Name]; ok {
				continue
			}
			switch {
			case fd.DefaultValue != nil:
				dv, err := coerceLiteral(s, fd.DefaultValue, fd.Type, nil)
				if err != nil {
					return nil, err
				}
				out[fd.Name] = dv
			case fd.Type.NonNull:
				return nil, fmt.Errorf(`field "%s.%s" of required type "%s" was not provided`, def.Name, fd.Name, fd.Type)
			}
		}
		return out, nil
	case ast.Enum:
		if v.Kind != ast.EnumValue || def.EnumValues.ForName(v.Raw) == nil {
			return nil, fmt.Errorf(`%s is not a value of enum "%s"`, v.String(), def.Name)
		}
		return v.Raw, nil
	case ast.Scalar:
		if def.Name == "JSON" {
			b, err := literalJSON(v, vars, 0)
			if err != nil {
				return nil, err
			}
			return json.RawMessage(b), nil
		}
		if err := parseLiteral(def, v); err != nil {
			return nil, err
		}
		switch def.Name {
		case "Int":
			n, _ := strconv.ParseInt(v.Raw, 10, 32)
			return n, nil
		case "Float":
			return floatLiteral(v.Raw)
		case "Boolean":
			return v.Raw == "true", nil
		case "DateTime":
			return normalizeDateTime(v.Raw), nil
		}
		return v.Raw, nil // String, ID, Date
	}
	return nil, fmt.Errorf(`"%s" is not an input type`, def.Name)
}

// literalJSON encodes a literal given for a JSON value as JSON text,
// keeping the order of object keys (an object definition's properties are
// ordered); variables in it take their values.
func literalJSON(v *ast.Value, vars map[string]any, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("JSON value nests too deeply")
	}
	var buf bytes.Buffer
	switch v.Kind {
	case ast.Variable:
		return encodeJSONValue(vars[v.Raw])
	case ast.NullValue:
		buf.WriteString("null")
	case ast.IntValue, ast.FloatValue:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("JSON cannot represent the number %s", v.Raw)
		}
		buf.WriteString(v.Raw)
	case ast.BooleanValue:
		buf.WriteString(v.Raw)
	case ast.StringValue, ast.BlockValue, ast.EnumValue:
		writeString(&buf, v.Raw)
	case ast.ListValue:
		buf.WriteByte('[')
		for i, ch := range v.Children {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, err := literalJSON(ch.Value, vars, depth+1)
			if err != nil {
				return nil, err
			}
			buf.Write(b)
		}
		buf.WriteByte(']')
	case ast.ObjectValue:
		buf.WriteByte('{')
		for i, ch := range v.Children {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(&buf, ch.Name)
			buf.WriteByte(':')
			b, err := literalJSON(ch.Value, vars, depth+1)
			if err != nil {
				return nil, err
			}
			buf.Write(b)
		}
		buf.WriteByte('}')
	}
	return buf.Bytes(), nil
}

// maxJSONDepth bounds the nesting of a JSON value given in a query.
const maxJSONDepth = 256

// toInt64 accepts integers and whole numbers in any numeric form.
func toInt64(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		f, err := v.Float64()
		if err != nil {
			return 0, false
		}
		return toInt64(f)
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int:
		return int64(v), true
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, false
		}
		return int64(v), true
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case int:
		return float64(v), true
	}
	return 0, false
}

// encodeJSONValue encodes a decoded JSON value as JSON text; objects in
// key order.
func encodeJSONValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := appendJSONValue(&buf, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func appendJSONValue(buf *bytes.Buffer, v any, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("JSON value nests too deeply")
	}
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case json.RawMessage:
		if !json.Valid(v) {
			return fmt.Errorf("invalid JSON")
		}
		buf.Write(v)
	case json.Number:
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return fmt.Errorf("invalid number %s", v)
		}
		buf.WriteString(string(v))
	case string:
		writeJSONString(buf, v, false) // the engine refuses text that is not UTF-8 by name
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, k, false)
			buf.WriteByte(':')
			if err := appendJSONValue(buf, v[k], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := appendJSONValue(buf, item, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// plainJSON decodes a JSON value into plain Go values (float64 numbers,
// map[string]any objects), keeping strings that are not UTF-8 as they
// are for the engine to refuse.
func plainJSON(raw json.RawMessage) (any, error) {
	return decodeKeepingBytes(raw, false)
}
