package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
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
		path  string // the error's field when not the field itself
	}{
		{"plain Chinese text", "title", "上海云杉科技有限公司", "", ""},
		{"right-to-left marks are allowed", "title", "שלום\u200fabc\u200e", "", ""},
		{"NUL in a title", "title", "abc\x00def", "characters", ""},
		{"newline in a title", "title", "first line\nsecond", "characters", ""},
		{"tab in a title", "title", "a\tb", "characters", ""},
		{"DEL in a title", "title", "a\x7fb", "characters", ""},
		{"C1 control in a title", "title", "a\u0085b", "characters", ""},
		{"right-to-left override in a title", "title", "invoice\u202Efdp.exe", "characters", ""},
		{"left-to-right embedding", "title", "a\u202Ab", "characters", ""},
		{"first strong isolate", "title", "a\u2068b\u2069", "characters", ""},
		{"invalid UTF-8 in a title", "title", "abc\xffdef", "encoding", ""},
		{"truncated UTF-8 in a title", "title", "上海\xe4\xb8", "encoding", ""},
		{"newlines and tabs in a textarea", "body", "line 1\r\n\tline 2\n", "", ""},
		{"NUL in a textarea", "body", "line\x00", "characters", ""},
		{"bidi override in a textarea", "body", "x\u202Ey", "characters", ""},
		{"bell in rich text", "rich", "<p>\x07</p>", "characters", ""},
		{"newline inside a URL", "site", "https://example.com/\nx", "characters", ""},
		{"control character in a list item", "tags", []any{"a", "b\x00"}, "characters", ""},
		{"bidi override in an address part", "shipTo", map[string]any{"city": "上海\u202E"}, "characters", "shipTo.city"},
		{"invalid UTF-8 in an address part", "shipTo", map[string]any{"city": "\xc3"}, "encoding", "shipTo.city"},
		{"control characters inside json are data", "extra", map[string]any{"raw": "a\x01b"}, "", ""},
		{"invalid UTF-8 inside json", "extra", map[string]any{"raw": "a\xffb"}, "encoding", ""},
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
			if s.path == "" {
				s.path = s.field
			}
			assert.Equal(t, s.path, got[0].Field)
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

	t.Run("every bad part of an address", func(t *testing.T) {
		t.Parallel()
		err := v.Validate(map[string]any{"title": "ok", "shipTo": map[string]any{"province": "上海市", "city": "\xff", "district": "浦东\x00", "street": "a\xc3"}})
		got := fieldErrorsOf(t, err)
		codes := map[string]string{}
		for _, fe := range got {
			codes[fe.Field] = fe.Code
		}
		assert.Equal(t, map[string]string{"shipTo.city": "encoding", "shipTo.district": "characters", "shipTo.street": "encoding"}, codes)
	})
}

// EncodingProblems finds every field, and every part of an address, that
// holds text that is not UTF-8, and nothing else: the engine asks before
// scripts run, which would see U+FFFD in place of the bad bytes.
func TestEncodingProblems(t *testing.T) {
	t.Parallel()
	obj := mustValidator(t, textObject).Object()
	got := schema.EncodingProblems(obj, map[string]any{
		"title": "a\xffb", "body": "fine\x00 (characters are Validate's)", "tags": []any{"a", "\xfe"},
		"shipTo": map[string]any{"city": "\xc3", "street": "\xe4\xb8"}, "extra": map[string]any{"k": []any{"\xff"}}, "unknown": "\xff",
	})
	fields := map[string]string{}
	for _, fe := range got {
		fields[fe.Field] = fe.Code
		assert.Equal(t, "is not valid UTF-8 text", fe.Message)
		assert.Equal(t, "不是有效的 UTF-8 文本", fe.MessageZh)
	}
	assert.Equal(t, map[string]string{"title": "encoding", "tags": "encoding", "shipTo.city": "encoding", "shipTo.street": "encoding", "extra": "encoding"}, fields)
	assert.Empty(t, schema.EncodingProblems(obj, map[string]any{"title": "上海", "shipTo": map[string]any{"city": "上海市"}}))
}
