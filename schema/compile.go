package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// draft2020 is the only $schema a definition may name.
const draft2020 = "https://json-schema.org/draft/2020-12/schema"

// objectsBase is where compiled object schemas are registered. Nothing is
// ever loaded from it: every resource is added in memory first.
const objectsBase = "mem://crm/objects/"

// ErrLoadRefused is returned (wrapped) by the compilers of this package for
// every URL a schema tries to load: definitions must be self-contained, and
// nothing is read from files or the network (RELIABILITY.md V1).
var ErrLoadRefused = errors.New("schema: loading external schemas is refused")

// refuseLoad is the LoadURL of every compiler this package creates.
func refuseLoad(s string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("%w: %s", ErrLoadRefused, s)
}

// newCompiler returns a compiler that loads nothing, asserts formats and
// knows our custom formats.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = refuseLoad
	for name, fn := range customFormats {
		c.Formats[name] = fn
	}
	return c
}

// compileObject compiles the record schema of obj: the declared properties,
// required fields but autonumbers (the engine fills those), and no other
// properties.
func compileObject(obj *Object) (*jsonschema.Schema, error) {
	doc, err := recordSchema(obj)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("schema: encode record schema of %s: %w", obj.Name, err)
	}
	loc := objectsBase + url.PathEscape(obj.Name) + ".json"
	c := newCompiler()
	if err := c.AddResource(loc, bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("schema: add record schema of %s: %w", obj.Name, err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("schema: compile record schema of %s: %w", obj.Name, err)
	}
	return s, nil
}

// recordSchema builds the JSON Schema that records of obj are checked with.
// It leaves obj.Definition alone.
func recordSchema(obj *Object) (map[string]any, error) {
	props := make(map[string]any, len(obj.Fields))
	var required []any
	for _, f := range obj.Fields {
		if f == nil || f.Hidden {
			continue
		}
		s, err := fieldSchema(f)
		if err != nil {
			return nil, fmt.Errorf("schema: field %s of %s: %w", f.Name, obj.Name, err)
		}
		props[f.Name] = s
		if f.Required && f.Type != TypeAutoNumber {
			required = append(required, f.Name)
		}
	}
	doc := map[string]any{
		"$schema":              draft2020,
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		doc["required"] = required
	}
	return doc, nil
}

// fieldSchema returns the property schema of f as compiled: the submitted
// one without annotations and x-crm-* keywords, or, for a Field built in
// code without one, a schema made from its members.
func fieldSchema(f *Field) (map[string]any, error) {
	var m map[string]any
	if len(f.Schema) > 0 {
		v, err := decodeJSON(f.Schema)
		if err != nil {
			return nil, err
		}
		var ok bool
		if m, ok = v.(map[string]any); !ok {
			return nil, errors.New("property schema is not a JSON object")
		}
		m = stripAnnotations(m)
	} else {
		m = synthesize(f)
	}
	if f.Type == TypeAddress {
		m = closeAddress(m)
	}
	return m, nil
}

// annotations are keywords with no bearing on validation.
var annotations = map[string]bool{
	"title": true, "description": true, "default": true, "examples": true,
	"$comment": true, "readOnly": true, "writeOnly": true, "deprecated": true,
}

func stripAnnotations(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if annotations[k] || strings.HasPrefix(k, "x-") {
			continue
		}
		switch k {
		case "items":
			if sub, ok := v.(map[string]any); ok {
				v = stripAnnotations(sub)
			}
		case "properties":
			if sub, ok := v.(map[string]any); ok {
				parts := make(map[string]any, len(sub))
				for name, p := range sub {
					if pm, ok := p.(map[string]any); ok {
						p = stripAnnotations(pm)
					}
					parts[name] = p
				}
				v = parts
			}
		}
		out[k] = v
	}
	return out
}

// closeAddress makes an address schema accept exactly the AddressParts, as
// strings.
func closeAddress(m map[string]any) map[string]any {
	parts, _ := m["properties"].(map[string]any)
	closed := make(map[string]any, len(AddressParts))
	for _, p := range AddressParts {
		s, ok := parts[p].(map[string]any)
		if !ok {
			s = map[string]any{}
		}
		s["type"] = "string"
		closed[p] = s
	}
	m["type"] = "object"
	m["properties"] = closed
	m["additionalProperties"] = false
	return m
}

// synthesize builds a property schema from the members of a Field that has
// no Schema (one built in code rather than parsed).
func synthesize(f *Field) map[string]any {
	info := Types[f.Type]
	m := map[string]any{}
	if info.JSONType != "" {
		m["type"] = info.JSONType
	}
	if f.Format != "" {
		m["format"] = f.Format
	} else if info.Format != "" {
		m["format"] = info.Format
	}
	if f.Pattern != "" {
		m["pattern"] = f.Pattern
	}
	if f.MaxLength > 0 {
		m["maxLength"] = f.MaxLength
	}
	if f.Minimum != nil {
		m["minimum"] = *f.Minimum
	}
	if f.Maximum != nil {
		m["maximum"] = *f.Maximum
	}
	options := make([]any, len(f.Options))
	for i, o := range f.Options {
		options[i] = o
	}
	switch f.Type {
	case TypePicklist:
		if len(options) > 0 {
			m["enum"] = options
		}
	case TypeMultiPicklist:
		items := map[string]any{"type": "string"}
		if len(options) > 0 {
			items["enum"] = options
		}
		m["items"] = items
	case TypeMultiLookup:
		m["items"] = map[string]any{"type": "string"}
	case TypeFile:
		m["type"] = jsonTypeOf(f)
		if f.Kind() == KindStringList {
			m["items"] = map[string]any{"type": "string"}
			m["maxItems"] = MaxFilesPerField
		}
	}
	return m
}

// decodeJSON decodes one JSON value keeping numbers as json.Number. It
// refuses trailing data, and its errors name the byte offset of the
// problem.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("%s at offset %d", se.Error(), se.Offset)
		case errors.Is(err, io.EOF):
			return nil, errors.New("the input is empty")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("unexpected end of JSON input at offset %d", len(b))
		}
		return nil, err
	}
	off := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", off+int64(countSpace(b[off:])))
	}
	return v, nil
}

func countSpace(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\n' || b[n] == '\r') {
		n++
	}
	return n
}
