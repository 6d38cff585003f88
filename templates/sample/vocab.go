package sample

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"reflect"
)

// vocabFiles are the vocabularies of the generators (see the package doc).
//
//go:embed vocab/*.json
var vocabFiles embed.FS

// mustLoad decodes vocab/<file> into a T. Every slice and map field of T
// must be present and not empty, so a misspelt key fails at init rather
// than as an empty draw in the middle of a run.
func mustLoad[T any](file string) *T {
	b, err := vocabFiles.ReadFile("vocab/" + file)
	if err != nil {
		panic(fmt.Sprintf("sample: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	v := new(T)
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("sample: decode %s: %v", file, err))
	}
	if name := emptyField(reflect.ValueOf(v).Elem()); name != "" {
		panic(fmt.Sprintf("sample: %s: %s is missing or empty", file, name))
	}
	return v
}

// emptyField returns the name of the first slice or map field of the
// struct v that is empty, or "".
func emptyField(v reflect.Value) string {
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice, reflect.Map:
			if f.Len() == 0 {
				return v.Type().Field(i).Name
			}
		case reflect.Struct:
			if n := emptyField(f); n != "" {
				return v.Type().Field(i).Name + "." + n
			}
		}
	}
	return ""
}

// tuple decodes a JSON array into the given pointers, one per element, so
// that long lists of small records stay one line each in the vocabulary files.
func tuple(b []byte, into ...any) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != len(into) {
		return fmt.Errorf("%s: want %d elements", b, len(into))
	}
	for i, r := range raw {
		if err := json.Unmarshal(r, into[i]); err != nil {
			return fmt.Errorf("%s: element %d: %w", b, i, err)
		}
	}
	return nil
}

// ordered is a JSON object whose members keep their order (Go maps do
// not), for draws that must happen in the order they are written in.
type ordered[T any] struct {
	keys []string
	vals []T
}

func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%.40s: want an object", b)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%.40s: member %v: %w", b, t, err)
		}
		o.keys = append(o.keys, t.(string))
		o.vals = append(o.vals, v)
	}
	if len(o.keys) == 0 {
		return fmt.Errorf("%.40s: no members", b)
	}
	return nil
}

// choice is a weighted draw among values, written in the vocabulary files as an
// object of value: weight members.
type choice struct{ ordered[float64] }

// pick draws one of the choice's values by weight.
func (g *gen) pick(c choice) string { return c.keys[g.weighted(c.vals)] }

// choices are draws made together, in order, of which the caller keeps
// one: the data stays the same as when each was drawn in code.
type choices struct{ ordered[choice] }

// pickEach draws every choice of cs, in order, and returns the values by
// name.
func (g *gen) pickEach(cs choices) map[string]string {
	out := make(map[string]string, len(cs.keys))
	for i, c := range cs.vals {
		out[cs.keys[i]] = g.pick(c)
	}
	return out
}

// span is a range of whole numbers [lo, hi], drawn uniformly; a range of
// one number is no draw at all.
type span [2]int

func (g *gen) in(s span) int {
	if s[0] == s[1] {
		return s[0]
	}
	return g.between(s[0], s[1])
}

// spans are ranges drawn together, in order, of which the caller keeps
// one.
type spans struct{ ordered[span] }

func (g *gen) inEach(ss spans) map[string]int {
	out := make(map[string]int, len(ss.keys))
	for i, s := range ss.vals {
		out[ss.keys[i]] = g.in(s)
	}
	return out
}
