package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/schema"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, wholeObject)
	scenarios := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{"datetime with an offset to UTC", map[string]any{"openedAt": "2024-05-01T08:30:00+08:00"},
			map[string]any{"openedAt": "2024-05-01T00:30:00.000000Z"}},
		{"datetime in lower case with nanoseconds", map[string]any{"openedAt": " 2024-05-01t08:30:00.123456789z "},
			map[string]any{"openedAt": "2024-05-01T08:30:00.123456Z"}},
		{"datetime west of UTC across midnight", map[string]any{"openedAt": "2024-12-31T23:00:00-05:00"},
			map[string]any{"openedAt": "2025-01-01T04:00:00.000000Z"}},
		{"numbers as float64", map[string]any{"price": json.Number("12.50"), "score": 3, "ratio": int64(1)},
			map[string]any{"price": 12.5, "score": 3.0, "ratio": 1.0}},
		{"integer field", map[string]any{"count": json.Number("4")}, map[string]any{"count": 4.0}},
		{"integer field written with a fraction", map[string]any{"count": 4.0000000001}, map[string]any{"count": 4.0}},
		{"trimmed strings", map[string]any{
			"subject": "  Hi ", "email": " a@b.cn ", "phone": "\t123456 ", "site": " https://x.cn ", "status": " open ",
			"account": " acc1 ", "due": " 2024-05-01 "},
			map[string]any{
				"subject": "Hi", "email": "a@b.cn", "phone": "123456", "site": "https://x.cn", "status": "open",
				"account": "acc1", "due": "2024-05-01"}},
		{"text areas keep their white space", map[string]any{"body": "  indented\n", "notes": " <p/> "},
			map[string]any{"body": "  indented\n", "notes": " <p/> "}},
		{"nulls removed", map[string]any{"subject": "x", "email": nil, "shipTo": nil}, map[string]any{"subject": "x"}},
		{"optional empty strings removed", map[string]any{"email": "", "phone": "   ", "body": ""}, map[string]any{}},
		{"required empty string kept", map[string]any{"subject": "  "}, map[string]any{"subject": ""}},
		{"multipicklist without duplicates", map[string]any{"tags": []any{"b", " a", "b", "a "}},
			map[string]any{"tags": []any{"b", "a"}}},
		{"multilookup without duplicates", map[string]any{"watchers": []string{"u2", "u1", "u2"}},
			map[string]any{"watchers": []any{"u2", "u1"}}},
		{"optional empty list removed", map[string]any{"tags": []any{}}, map[string]any{}},
		{"address parts trimmed, empty ones removed", map[string]any{"shipTo": map[string]any{"city": " Beijing ", "country": "", "street": nil}},
			map[string]any{"shipTo": map[string]any{"city": "Beijing"}}},
		{"empty address removed", map[string]any{"shipTo": map[string]any{"city": " "}}, map[string]any{}},
		{"json values get float64 numbers", map[string]any{"extra": map[string]any{"n": json.Number("1"), "l": []any{2}}},
			map[string]any{"extra": map[string]any{"n": 1.0, "l": []any{2.0}}}},
		{"booleans as they are", map[string]any{"urgent": false}, map[string]any{"urgent": false}},
		{"unknown fields copied", map[string]any{"zzz": json.Number("1")}, map[string]any{"zzz": 1.0}},
		{"unparsable datetime kept", map[string]any{"openedAt": "soon"}, map[string]any{"openedAt": "soon"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, schema.Normalize(obj, s.in))
		})
	}
}

func TestNormalize_LeavesInputAlone(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, wholeObject)
	in := map[string]any{
		"tags":   []any{"a", "a"},
		"shipTo": map[string]any{"city": " x ", "country": ""},
		"email":  nil,
	}
	out := schema.Normalize(obj, in)
	assert.Equal(t, map[string]any{
		"tags":   []any{"a", "a"},
		"shipTo": map[string]any{"city": " x ", "country": ""},
		"email":  nil,
	}, in)
	assert.Equal(t, map[string]any{"tags": []any{"a"}, "shipTo": map[string]any{"city": "x"}}, out)
}

func TestNormalize_ThenValidate(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, wholeObject)
	out := schema.Normalize(v.Object(), validTicket())
	assert.NoError(t, v.Validate(out))
	assert.Equal(t, "2024-05-01T00:30:00.000000Z", out["openedAt"])
}
