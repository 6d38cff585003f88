package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestParseObject_UserFields(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	d["properties"].(doc)["rep"] = doc{"type": "string", "x-crm-type": "user", "x-crm-label": doc{"zh": "销售", "en": "Sales rep"}, "default": "$user"}
	d["x-crm-indexes"] = []any{[]any{"rep"}}
	obj, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	f := obj.Field("rep")
	assert.Equal(t, schema.TypeUser, f.Type)
	assert.Equal(t, schema.KindString, f.Kind())
	assert.Equal(t, schema.CurrentUser, f.Default, "the user who creates the record")
	info := schema.Types[schema.TypeUser]
	assert.True(t, info.Sortable)
	assert.True(t, info.Filterable)
	assert.Equal(t, schema.Label{Zh: "用户", En: "User"}, info.Label)

	v, err := schema.NewValidator(obj)
	require.NoError(t, err)
	require.NoError(t, v.Validate(map[string]any{"title": "x", "rep": "user:li.lei"}))
	require.NoError(t, v.Validate(map[string]any{"title": "x", "rep": " user:li.lei "}), "trimmed")
	for _, bad := range []string{"li.lei", "李雷", "user:", "user:Li", "user:li lei"} {
		err := v.Validate(map[string]any{"title": "x", "rep": bad})
		var ve *schema.ValidationError
		require.ErrorAs(t, err, &ve, bad)
		require.Len(t, ve.Fields, 1)
		assert.Equal(t, schema.CodeUser, ve.Fields[0].Code, bad)
		assert.Contains(t, ve.Fields[0].MessageZh, "在职用户", bad)
	}
	err = v.Validate(map[string]any{"title": "x", "rep": 3})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, schema.CodeType, ve.Fields[0].Code)
}

func TestParseObject_UserFieldsRefused(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		field  doc
		path   string
		expect string
	}{
		{"no type", doc{"x-crm-type": "user"}, "/properties/f/type", "is required"},
		{"number", doc{"type": "number", "x-crm-type": "user"}, "/properties/f/type", `must be "string"`},
		{"max length", doc{"type": "string", "x-crm-type": "user", "maxLength": 5}, "/properties/f/maxLength", "does not apply"},
		{"pattern", doc{"type": "string", "x-crm-type": "user", "pattern": "^user:"}, "/properties/f/pattern", "does not apply"},
		{"options", doc{"type": "string", "x-crm-type": "user", "enum": []any{"user:a"}}, "/properties/f/enum", "does not apply"},
		{"format", doc{"type": "string", "x-crm-type": "user", "format": "email"}, "/properties/f/format", "does not apply"},
		{"sensitive", doc{"type": "string", "x-crm-type": "user", "x-crm-sensitive": true}, "/properties/f/x-crm-sensitive", "the engine must read"},
		{"default not a user id", doc{"type": "string", "x-crm-type": "user", "default": "li"}, "/properties/f/default", ""},
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

func TestParseObject_UserRoundRobin(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	d["properties"].(doc)["rep"] = doc{"type": "string", "x-crm-type": "user"}
	d["x-crm-automations"] = []any{doc{"name": "turns", "trigger": doc{"event": "created"},
		"actions": []any{doc{"type": "assignRoundRobin", "field": "rep", "values": []any{"user:li", "wang"}}}}}
	_, err := schema.ParseObject(encode(t, d))
	problems := problemsOf(t, err)
	require.Len(t, problems, 1)
	assert.Equal(t, "/x-crm-automations/0/actions/0/values/1", problems[0].Path)
}

func TestDiff_UserFields(t *testing.T) {
	t.Parallel()
	parse := func(typ string) *schema.Object {
		d := dealDoc(t)
		f := doc{"type": "string", "x-crm-type": typ}
		if typ == "picklist" {
			f["enum"] = []any{"a"}
		}
		d["properties"].(doc)["rep"] = f
		obj, err := schema.ParseObject(encode(t, d))
		require.NoError(t, err)
		return obj
	}
	for _, from := range []string{"text", "picklist"} {
		changes := schema.Diff(parse(from), parse("user"))
		require.Len(t, changes, 1, from)
		assert.Equal(t, schema.ChangeTypeChanged, changes[0].Kind, from)
	}
	assert.Empty(t, schema.Diff(parse("user"), parse("text")), "user:NAME values are valid text")
	assert.True(t, schema.IsUserID(schema.UserID("li.lei")))
}
