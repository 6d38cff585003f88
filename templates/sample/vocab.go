package sample

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"reflect"
)

// vocabFiles hold the shared Chinese vocabulary (zh.json).
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
