package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// diffBase is dealJSON with a few more fields for Diff to change.
func diffBase(t testing.TB) doc {
	t.Helper()
	d := dealDoc(t)
	props := d["properties"].(doc)
	props["seats"] = doc{"type": "integer", "x-crm-type": "integer"}
	props["tags"] = doc{"type": "array", "items": doc{"type": "string", "enum": []any{"a", "b", "c"}}, "x-crm-type": "multipicklist"}
	props["tel"] = doc{"type": "string", "x-crm-type": "phone"}
	return d
}

func TestDiff(t *testing.T) {
	t.Parallel()
	type want struct {
		field   string
		kind    schema.ChangeKind
		removed []string
	}
	scenarios := []struct {
		name   string
		change func(d doc)
		want   []want
	}{
		{"nothing changed", func(d doc) {}, nil},
		{"field removed", func(d doc) { delete(d["properties"].(doc), "amount") },
			[]want{{"amount", schema.ChangeFieldRemoved, nil}}},
		{"type changed", func(d doc) { d["properties"].(doc)["amount"] = doc{"type": "string", "x-crm-type": "text"} },
			[]want{{"amount", schema.ChangeTypeChanged, nil}}},
		{"currency to integer", func(d doc) { d["properties"].(doc)["amount"] = doc{"type": "integer", "x-crm-type": "integer"} },
			[]want{{"amount", schema.ChangeTypeChanged, nil}}},
		{"text to email", func(d doc) {
			d["properties"].(doc)["title"] = doc{"type": "string", "format": "email", "x-crm-type": "email"}
		}, []want{{"title", schema.ChangeTypeChanged, nil}}},
		{"widened integer to number", func(d doc) { prop(d, "seats")["type"], prop(d, "seats")["x-crm-type"] = "number", "number" }, nil},
		{"widened integer to currency", func(d doc) { prop(d, "seats")["type"], prop(d, "seats")["x-crm-type"] = "number", "currency" }, nil},
		{"widened integer to percent", func(d doc) { prop(d, "seats")["type"], prop(d, "seats")["x-crm-type"] = "number", "percent" }, nil},
		{"widened text to textarea", func(d doc) { prop(d, "title")["x-crm-type"] = "textarea" }, nil},
		{"widened text to richtext", func(d doc) { prop(d, "title")["x-crm-type"] = "richtext" }, nil},
		{"widened picklist to text", func(d doc) { d["properties"].(doc)["stage"] = doc{"type": "string", "x-crm-type": "text"} }, nil},
		{"lookup target changed", func(d doc) { prop(d, "account")["x-crm-target"] = "company" },
			[]want{{"account", schema.ChangeTargetChanged, nil}}},
		{"picklist options removed", func(d doc) { prop(d, "stage")["enum"] = []any{"new", "won", "lost", "dormant"} },
			[]want{{"stage", schema.ChangeOptionsRemoved, []string{"qualified"}}}},
		{"multipicklist options removed", func(d doc) { prop(d, "tags")["items"] = doc{"type": "string", "enum": []any{"b"}} },
			[]want{{"tags", schema.ChangeOptionsRemoved, []string{"a", "c"}}}},
		{"options added", func(d doc) { prop(d, "stage")["enum"] = []any{"new", "qualified", "won", "lost", "dormant"} }, nil},
		{"became required", func(d doc) { d["required"] = []any{"title", "amount"} },
			[]want{{"amount", schema.ChangeBecameRequired, nil}}},
		{"no longer required", func(d doc) { delete(d, "required") }, nil},
		{"maxLength lowered", func(d doc) { prop(d, "title")["maxLength"] = 100 },
			[]want{{"title", schema.ChangeMaxLengthNarrow, nil}}},
		{"maxLength added", func(d doc) { prop(d, "email")["maxLength"] = 100 },
			[]want{{"email", schema.ChangeMaxLengthNarrow, nil}}},
		{"maxLength raised", func(d doc) { prop(d, "title")["maxLength"] = 300 }, nil},
		{"minimum raised", func(d doc) { prop(d, "amount")["minimum"] = 10 },
			[]want{{"amount", schema.ChangeRangeNarrowed, nil}}},
		{"minimum added", func(d doc) { prop(d, "seats")["minimum"] = 1 },
			[]want{{"seats", schema.ChangeRangeNarrowed, nil}}},
		{"minimum lowered", func(d doc) { prop(d, "amount")["minimum"] = -10 }, nil},
		{"maximum added", func(d doc) { prop(d, "amount")["maximum"] = 1000000 },
			[]want{{"amount", schema.ChangeRangeNarrowed, nil}}},
		{"became unique", func(d doc) { prop(d, "title")["x-crm-unique"] = true },
			[]want{{"title", schema.ChangeBecameUnique, nil}}},
		{"format added", func(d doc) { prop(d, "tel")["format"] = "cn-mobile" },
			[]want{{"tel", schema.ChangeFormatAdded, nil}}},
		{"pattern added", func(d doc) { prop(d, "title")["pattern"] = "^[A-Z]" },
			[]want{{"title", schema.ChangeFormatAdded, nil}}},
		{"additions and labels", func(d doc) {
			prop(d, "notes")["x-crm-type"] = "json"
			prop(d, "title")["x-crm-label"] = doc{"zh": "标题"}
			d["x-crm-indexes"] = []any{[]any{"stage"}, []any{"title", "amount"}}
			d["x-crm-label"] = doc{"en": "Opportunity"}
		}, nil},
		// encode writes properties in name order, so that is the field order.
		{"several at once, in field order", func(d doc) {
			prop(d, "title")["maxLength"] = 10
			prop(d, "title")["x-crm-unique"] = true
			delete(d["properties"].(doc), "email")
			prop(d, "stage")["enum"] = []any{"won"}
		}, []want{
			{"email", schema.ChangeFieldRemoved, nil},
			{"stage", schema.ChangeOptionsRemoved, []string{"new", "qualified", "lost"}},
			{"title", schema.ChangeMaxLengthNarrow, nil},
			{"title", schema.ChangeBecameUnique, nil},
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			old := diffBase(t)
			next := diffBase(t)
			s.change(next)
			oldObj, err := schema.ParseObject(encode(t, old))
			require.NoError(t, err)
			newObj, err := schema.ParseObject(encode(t, next))
			require.NoError(t, err)

			var got []want
			for _, c := range schema.Diff(oldObj, newObj) {
				got = append(got, want{c.Field, c.Kind, c.Removed})
				assert.NotEmpty(t, c.Message)
				assert.Contains(t, c.Message, `"`+c.Field+`"`)
			}
			assert.Equal(t, s.want, got)
		})
	}
}

func TestDiff_Messages(t *testing.T) {
	t.Parallel()
	old := mustParse(t, dealJSON)
	d := dealDoc(t)
	prop(d, "title")["maxLength"] = 100
	prop(d, "stage")["enum"] = []any{"new", "won", "lost"}
	prop(d, "amount")["maximum"] = 500
	next, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)

	var msgs []string
	for _, c := range schema.Diff(old, next) {
		msgs = append(msgs, c.Message)
	}
	assert.Equal(t, []string{
		`field "title" now allows at most 100 characters instead of 200; longer stored values will fail validation`,
		`field "amount" now has maximum 500 (it had none); larger stored values will fail validation`,
		`field "stage" no longer allows "qualified"; records with those values will fail validation`,
	}, msgs)
}

func TestDiff_Nil(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, dealJSON)
	assert.Empty(t, schema.Diff(nil, obj))
	assert.Len(t, schema.Diff(obj, nil), len(obj.Fields))
}
