package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const textObject = `{"$id": "note", "type": "object", "required": ["title"], "properties": {
  "title":  {"type": "string", "x-crm-type": "text"},
  "body":   {"type": "string", "x-crm-type": "textarea"},
  "rich":   {"type": "string", "x-crm-type": "richtext"},
  "site":   {"type": "string", "format": "uri", "x-crm-type": "url"},
  "tags":   {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist"},
  "shipTo": {"type": "object", "x-crm-type": "address"},
  "extra":  {"x-crm-type": "json"}
}}`

// NUL, other control characters, bidi overrides and invalid UTF-8 are
// refused with a field error naming the character; several bad fields
// come back together (issue 13, item 15).
func TestValidator_Validate_Characters(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, textObject)
	scenarios := []struct {
		name  string
		field string
		value any
		code  string // "" when valid
	}{
		{"plain Chinese text", "title", "上海云杉科技有限公司", ""},
		{"right-to-left marks are allowed", "title", "שלום\u200fabc\u200e", ""},
		{"NUL in a title", "title", "abc\x00def", "characters"},
		{"newline in a title", "title", "first line\nsecond", "characters"},
		{"tab in a title", "title", "a\tb", "characters"},
		{"DEL in a title", "title", "a\x7fb", "characters"},
		{"C1 control in a title", "title", "a\u0085b", "characters"},
		{"right-to-left override in a title", "title", "invoice\u202Efdp.exe", "characters"},
		{"left-to-right embedding", "title", "a\u202Ab", "characters"},
		{"first strong isolate", "title", "a\u2068b\u2069", "characters"},
		{"invalid UTF-8 in a title", "title", "abc\xffdef", "encoding"},
		{"truncated UTF-8 in a title", "title", "上海\xe4\xb8", "encoding"},
		{"newlines and tabs in a textarea", "body", "line 1\r\n\tline 2\n", ""},
		{"NUL in a textarea", "body", "line\x00", "characters"},
		{"bidi override in a textarea", "body", "x\u202Ey", "characters"},
		{"bell in rich text", "rich", "<p>\x07</p>", "characters"},
		{"newline inside a URL", "site", "https://example.com/\nx", "characters"},
		{"control character in a list item", "tags", []any{"a", "b\x00"}, "characters"},
		{"bidi override in an address part", "shipTo", map[string]any{"city": "上海\u202E"}, "characters"},
		{"invalid UTF-8 in an address part", "shipTo", map[string]any{"city": "\xc3"}, "encoding"},
		{"control characters inside json are data", "extra", map[string]any{"raw": "a\x01b"}, ""},
		{"invalid UTF-8 inside json", "extra", map[string]any{"raw": "a\xffb"}, "encoding"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			data := map[string]any{"title": "ok", s.field: s.value}
			err := v.Validate(data)
			if s.code == "" {
				assert.NoError(t, err)
				return
			}
			got := fieldErrorsOf(t, err)
			require.Len(t, got, 1, "%v", got)
			assert.Equal(t, s.field, got[0].Field)
			assert.Equal(t, s.code, got[0].Code)
			assert.NotEmpty(t, got[0].Message)
			assert.NotEmpty(t, got[0].MessageZh)
		})
	}

	t.Run("every bad field at once", func(t *testing.T) {
		t.Parallel()
		err := v.Validate(map[string]any{"title": "a\x00", "body": "b\u202E", "site": "\xff", "tags": []any{"c"}})
		got := fieldErrorsOf(t, err)
		codes := map[string]string{}
		for _, fe := range got {
			codes[fe.Field] = fe.Code
		}
		assert.Equal(t, map[string]string{"title": "characters", "body": "characters", "site": "encoding", "tags": "enum"}, codes)
	})
}
