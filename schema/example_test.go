package schema_test

import (
	"errors"
	"fmt"

	"github.com/crmkit/crm/schema"
)

func ExampleParseObject() {
	_, err := schema.ParseObject([]byte(`{"$id": "deal", "type": "object", "properties": {
		"title": {"type": "string", "x-crm-type": "text", "pattern": "^(?!x)"},
		"amount": {"type": "string", "x-crm-type": "currency"}}}`))
	var de *schema.DefinitionError
	if errors.As(err, &de) {
		for _, p := range de.Problems {
			fmt.Printf("%s: %s\n", p.Path, p.Message)
		}
	}
	// Output:
	// /properties/amount/type: must be "number" for a currency field
	// /properties/title/pattern: is not a valid pattern: only RE2 syntax is supported (no look-arounds or back-references): error parsing regexp: invalid or unsupported Perl syntax: `(?!`
}

func ExampleValidator_Validate() {
	obj, err := schema.ParseObject([]byte(`{"$id": "deal", "type": "object", "properties": {
		"title": {"type": "string", "maxLength": 5, "x-crm-type": "text"},
		"stage": {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist"},
		"email": {"type": "string", "format": "email", "x-crm-type": "email"}},
		"required": ["title"]}`))
	if err != nil {
		panic(err)
	}
	v, err := schema.NewValidator(obj)
	if err != nil {
		panic(err)
	}
	err = v.Validate(map[string]any{"title": "Too long", "stage": "lost", "email": "x", "colour": "red"})
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			fmt.Printf("%s %s: %s / %s\n", fe.Field, fe.Code, fe.Message, fe.MessageZh)
		}
	}
	// Output:
	// title maxLength: must be at most 5 characters / 不能超过 5 个字符
	// stage enum: must be one of: new, won / 必须是以下值之一：new、won
	// email format: is not a valid email address / 不是有效的邮箱地址
	// colour unknown: is not a field of deal / 不是 deal 的字段
}

func ExampleNormalize() {
	obj, err := schema.ParseObject([]byte(`{"$id": "task", "type": "object", "properties": {
		"title": {"type": "string", "x-crm-type": "text"},
		"due": {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
		"note": {"type": "string", "x-crm-type": "text"}}}`))
	if err != nil {
		panic(err)
	}
	out := schema.Normalize(obj, map[string]any{"title": "  Call back ", "due": "2024-05-01T08:30:00+08:00", "note": ""})
	fmt.Printf("%q %q %v\n", out["title"], out["due"], len(out))
	// Output:
	// "Call back" "2024-05-01T00:30:00.000000Z" 2
}
