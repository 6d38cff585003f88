package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// FuzzParseObject: any input is either refused with a DefinitionError that
// names at least one problem, or gives an object that compiles, validates
// records without panicking and has no changes from itself (V5).
func FuzzParseObject(f *testing.F) {
	for _, seed := range []string{
		dealJSON,
		wholeObject,
		formatsObject,
		``,
		`{}`,
		`[]`,
		`{"$id":"x","type":"object","properties":{"a":{"$ref":"file:///etc/passwd","x-crm-type":"text"}}}`,
		`{"$id":"x","type":"object","properties":{"a":{"type":"string","pattern":"(?=x)","x-crm-type":"text"}}}`,
		`{"$id":"x","type":"object","properties":{"a":{"type":"number","minimum":1e400,"x-crm-type":"number"}}}`,
		`{"$id":"x","type":"object","properties":{"a":{"x-crm-type":"json","default":[[[[[[]]]]]]}}}`,
		`{"$id":"x","type":"object","properties":{"a":{"type":"string","x-crm-type":"autonumber","x-crm-format":"{0}"}},"required":["a"]}`,
		`{"$id":"x","type":"object","properties":{"a":{"type":"object","x-crm-type":"address","properties":{"city":{"type":"string"}}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, definition []byte) {
		obj, err := schema.ParseObject(definition)
		if err != nil {
			var de *schema.DefinitionError
			require.ErrorAs(t, err, &de)
			require.NotEmpty(t, de.Problems)
			return
		}
		v, err := schema.NewValidator(obj)
		require.NoError(t, err)
		for _, rec := range []map[string]any{
			{},
			{"a": "x", "b": 1.0, "title": nil},
			{"a": []any{"x", 2.0}, "b": map[string]any{"city": 3.0}},
		} {
			_ = v.Validate(rec)
			_ = schema.Normalize(obj, rec)
		}
		assert.Empty(t, schema.Diff(obj, obj))
	})
}

// FuzzValidate: any JSON record is validated and normalised without
// panicking, and a record that passes still passes once normalised.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"subject":"Printer on fire","status":"open","count":3,"tags":["a","b"],"openedAt":"2024-05-01T08:30:00+08:00"}`,
		`{"subject":"  abc ","status":"closed","shipTo":{"city":" x ","country":null},"watchers":["u1","u1"]}`,
		`{"subject":1,"status":"nope","score":1e999,"idCard":"11010519491231002X","uscc":"91350100M000100Y43"}`,
		`{"subject":"abc","status":"open","extra":{"deep":[[[{"x":null}]]]},"zzz":true}`,
		`{"subject":"abc","status":"open","openedAt":"2016-12-31T23:59:60Z","count":-0}`,
	} {
		f.Add([]byte(seed))
	}
	v, err := schema.NewValidator(mustParse(f, wholeObject))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, record []byte) {
		dec := json.NewDecoder(bytes.NewReader(record))
		dec.UseNumber()
		var data map[string]any
		if dec.Decode(&data) != nil {
			return
		}
		err := v.Validate(data)
		var ve *schema.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("Validate returned %T: %v", err, err)
		}
		out := schema.Normalize(v.Object(), data)
		if err == nil {
			assert.NoError(t, v.Validate(out), "normalised form of a valid record")
		}
	})
}
