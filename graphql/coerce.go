package graphql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/graph-gophers/graphql-go/ast"

	"github.com/crmkit/crm/schema"
)

// Coercion turns argument values (literals of the query and variable
// values) into plain Go values, checked against the argument's type:
//
//	Int → int64, Float → float64, String, ID, Date → string,
//	DateTime → string in schema.DateTimeLayout (UTC), Boolean → bool,
//	enum → string, JSON → json.RawMessage, list → []any,
//	input object → map[string]any holding exactly the fields given
//	(a field given as null is present with a nil value).
//
// graphql-go's validation checks literals fully but checks variable values
// only for their shape, so the scalar checks here are the ones that hold
// for variables.

// maxInputList bounds every list in an input (G13).
const maxInputList = 250

// enumLiteral is an enum value written in the query (as opposed to a
// string).
type enumLiteral string

// litObject is an object literal of the query, fields in written order.
type litObject []litField

type litField struct {
	name string
	val  any
}

// literal evaluates a query value with the request's variables. ok is false
// for a variable that was not given, which makes the value absent.
func (r *request) literal(v *value) (any, bool) {
	switch v.kind {
	case valVariable:
		val, ok := r.vars[v.text]
		return val, ok
	case valInt, valFloat:
		return json.Number(v.text), true
	case valString:
		return v.text, true
	case valBool:
		return v.b, true
	case valNull:
		return nil, true
	case valEnum:
		return enumLiteral(v.text), true
	case valList:
		out := make([]any, len(v.list))
		for i, item := range v.list {
			out[i], _ = r.literal(item) // a missing variable in a list is null
		}
		return out, true
	case valObject:
		out := make(litObject, 0, len(v.fields))
		for _, f := range v.fields {
			if fv, ok := r.literal(f.val); ok {
				out = append(out, litField{name: f.name, val: fv})
			}
		}
		return out, true
	}
	return nil, false
}

// coerceArgs coerces the arguments of a field against their definitions.
func (r *request) coerceArgs(defs ast.ArgumentsDefinition, args []*argument) (map[string]any, error) {
	if len(defs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(defs))
	for _, def := range defs {
		name := def.Name.Name
		var raw any
		present := false
		for _, a := range args {
			if a.name == name {
				raw, present = r.literal(a.val)
				break
			}
		}
		if !present && def.Default != nil {
			raw, present = def.Default.Deserialize(nil), true
		}
		if !present {
			if _, nonNull := def.Type.(*ast.NonNull); nonNull {
				return nil, badRequestf("argument %q is required", name)
			}
			continue
		}
		v, err := coerceInput(def.Type, raw, name)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// coerceInput coerces v to the input type t; where names the position for
// error messages ("filter.amount.gt").
func coerceInput(t ast.Type, v any, where string) (any, error) {
	if nn, ok := t.(*ast.NonNull); ok {
		if v == nil {
			return nil, badRequestf("%s: must not be null", where)
		}
		return coerceInput(nn.OfType, v, where)
	}
	if v == nil {
		return nil, nil
	}
	switch t := t.(type) {
	case *ast.List:
		items, ok := v.([]any)
		if !ok {
			item, err := coerceInput(t.OfType, v, where)
			if err != nil {
				return nil, err
			}
			return []any{item}, nil
		}
		if len(items) > maxInputList {
			return nil, badRequestf("%s: a list may hold at most %d elements, got %d", where, maxInputList, len(items))
		}
		out := make([]any, len(items))
		for i, item := range items {
			c, err := coerceInput(t.OfType, item, where+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case *ast.InputObject:
		return coerceObject(t, v, where)
	case *ast.EnumTypeDefinition:
		var s string
		switch v := v.(type) {
		case enumLiteral:
			s = string(v)
		case string:
			s = v
		default:
			return nil, badRequestf("%s: %s expects an enum value", where, t.Name)
		}
		for _, ev := range t.EnumValuesDefinition {
			if ev.EnumValue == s {
				return s, nil
			}
		}
		return nil, badRequestf("%s: %q is not a value of %s", where, s, t.Name)
	case *ast.ScalarTypeDefinition:
		return coerceScalar(t.Name, v, where)
	}
	return nil, badRequestf("%s: %s cannot be an input", where, t)
}

func coerceObject(t *ast.InputObject, v any, where string) (any, error) {
	var fields []litField
	switch v := v.(type) {
	case litObject:
		fields = v
	case map[string]any:
		fields = make([]litField, 0, len(v))
		for k, fv := range v {
			fields = append(fields, litField{name: k, val: fv})
		}
		// Map order is random; sort so that errors are reported the same
		// way every time.
		sort.Slice(fields, func(i, j int) bool { return fields[i].name < fields[j].name })
	default:
		return nil, badRequestf("%s: %s expects an object", where, t.Name)
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		def := t.Values.Get(f.name)
		if def == nil {
			return nil, badRequestf("%s: %s has no field %q", where, t.Name, f.name)
		}
		c, err := coerceInput(def.Type, f.val, where+"."+f.name)
		if err != nil {
			return nil, err
		}
		out[f.name] = c
	}
	for _, def := range t.Values {
		if _, ok := out[def.Name.Name]; ok {
			continue
		}
		if def.Default != nil {
			c, err := coerceInput(def.Type, def.Default.Deserialize(nil), where+"."+def.Name.Name)
			if err != nil {
				return nil, err
			}
			out[def.Name.Name] = c
		} else if _, nonNull := def.Type.(*ast.NonNull); nonNull {
			return nil, badRequestf("%s.%s: is required", where, def.Name.Name)
		}
	}
	return out, nil
}

func coerceScalar(name string, v any, where string) (any, error) {
	bad := func() error {
		return badRequestf("%s: %s cannot represent %s", where, name, describe(v))
	}
	switch name {
	case "Int":
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, bad()
		}
		return n, nil
	case "Float":
		f, ok := toFloat64(v)
		if !ok {
			return nil, bad()
		}
		return f, nil
	case "String":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, bad()
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, bad()
	case "ID":
		switch v := v.(type) {
		case string:
			return v, nil
		case enumLiteral:
			return nil, bad()
		}
		if n, ok := toInt64(v); ok {
			return strconv.FormatInt(n, 10), nil
		}
		return nil, bad()
	case "Date":
		s, ok := v.(string)
		if !ok || len(s) != len(schema.DateLayout) {
			return nil, badRequestf("%s: Date expects a string YYYY-MM-DD", where)
		}
		if _, err := time.Parse(schema.DateLayout, s); err != nil {
			return nil, badRequestf("%s: %q is not a date YYYY-MM-DD", where, s)
		}
		return s, nil
	case "DateTime":
		s, ok := v.(string)
		if !ok {
			return nil, badRequestf("%s: DateTime expects an RFC 3339 string", where)
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, badRequestf("%s: %q is not an RFC 3339 date-time", where, s)
		}
		return tm.UTC().Format(schema.DateTimeLayout), nil
	case "JSON":
		b, err := encodeJSONValue(v)
		if err != nil {
			return nil, badRequestf("%s: %v", where, err)
		}
		return json.RawMessage(b), nil
	}
	return nil, badRequestf("%s: unknown scalar %s", where, name)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number:
		return string(v)
	case enumLiteral:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case litObject, map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

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

// encodeJSONValue encodes an input value as JSON text, keeping the order
// of object literals written in the query (an object definition's
// properties are ordered).
func encodeJSONValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := appendJSONValue(&buf, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func appendJSONValue(buf *bytes.Buffer, v any, depth int) error {
	if depth > maxNesting {
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
	case enumLiteral:
		writeString(buf, string(v))
	case string:
		writeString(buf, v)
	case litObject:
		buf.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, f.name)
			buf.WriteByte(':')
			if err := appendJSONValue(buf, f.val, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
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
			writeString(buf, k)
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
// map[string]any objects).
func plainJSON(raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}
