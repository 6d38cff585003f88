package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestParseObject_FileFields(t *testing.T) {
	d := dealDoc(t)
	d["properties"].(doc)["contract"] = doc{"type": "string", "x-crm-type": "file",
		"x-crm-file": doc{"maxSize": json.Number("1048576"), "accept": []any{".PDF", "image/*"}}}
	d["properties"].(doc)["photos"] = doc{"type": "array", "items": doc{"type": "string"}, "maxItems": json.Number("5"), "x-crm-type": "file"}
	obj, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)

	c := obj.Field("contract")
	require.NotNil(t, c.File)
	assert.Equal(t, schema.KindString, c.Kind())
	assert.Equal(t, schema.FileSpec{MaxSize: 1 << 20, Accept: []string{".pdf", "image/*"}}, *c.File)
	p := obj.Field("photos")
	assert.Equal(t, schema.KindStringList, p.Kind())
	assert.True(t, p.File.Multiple)

	v, err := schema.NewValidator(obj)
	require.NoError(t, err)
	require.NoError(t, v.Validate(map[string]any{"title": "x", "contract": "a1", "photos": []any{"a2", "a3"}}))
	require.Error(t, v.Validate(map[string]any{"title": "x", "contract": []any{"a1"}}), "one file is an id")
	require.Error(t, v.Validate(map[string]any{"title": "x", "photos": "a2"}), "several files are a list")
	require.Error(t, v.Validate(map[string]any{"title": "x", "photos": []any{"1", "2", "3", "4", "5", "6"}}), "maxItems")
}

func TestParseObject_FileFieldsRefused(t *testing.T) {
	scenarios := []struct {
		name   string
		field  doc
		path   string
		expect string
	}{
		{"no type", doc{"x-crm-type": "file"}, "/properties/f/type", "is required"},
		{"number", doc{"type": "number", "x-crm-type": "file"}, "/properties/f/type", `"string" (one file) or "array"`},
		{"items not strings", doc{"type": "array", "items": doc{"type": "number"}, "x-crm-type": "file"}, "/properties/f/items", "attachment ids"},
		{"too many", doc{"type": "array", "items": doc{"type": "string"}, "maxItems": json.Number("21"), "x-crm-type": "file"}, "/properties/f/maxItems", "at most 20"},
		{"size zero", doc{"type": "string", "x-crm-type": "file", "x-crm-file": doc{"maxSize": json.Number("0")}}, "/properties/f/x-crm-file/maxSize", "1 to 1073741824"},
		{"bad accept", doc{"type": "string", "x-crm-type": "file", "x-crm-file": doc{"accept": []any{"pdf"}}}, "/properties/f/x-crm-file/accept/0", "file extension"},
		{"traversal accept", doc{"type": "string", "x-crm-type": "file", "x-crm-file": doc{"accept": []any{"../x"}}}, "/properties/f/x-crm-file/accept/0", "file extension"},
		{"unknown member", doc{"type": "string", "x-crm-type": "file", "x-crm-file": doc{"virus": true}}, "/properties/f/x-crm-file/virus", "not supported"},
		{"on a text field", doc{"type": "string", "x-crm-type": "text", "x-crm-file": doc{}}, "/properties/f/x-crm-file", "does not apply"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			d := dealDoc(t)
			d["properties"].(doc)["f"] = s.field
			_, err := schema.ParseObject(encode(t, d))
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.expect)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}
