package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// dealJSON is the example definition of the design brief.
const dealJSON = `{"$id":"deal","title":"Deal","x-crm-label":{"en":"Deal","zh":"商机"},"type":"object",
 "properties":{
  "title":{"type":"string","maxLength":200,"x-crm-type":"text"},
  "amount":{"type":"number","minimum":0,"x-crm-type":"currency"},
  "stage":{"type":"string","enum":["new","qualified","won","lost"],"x-crm-type":"picklist"},
  "email":{"type":"string","format":"email","x-crm-type":"email"},
  "closeDate":{"type":"string","format":"date","x-crm-type":"date"},
  "account":{"type":"string","x-crm-type":"lookup","x-crm-target":"account"}},
 "required":["title"],"x-crm-indexes":[["stage","closeDate"]]}`

// doc is a decoded definition that a scenario changes.
type doc = map[string]any

// dealDoc returns a fresh decoded copy of dealJSON.
func dealDoc(t testing.TB) doc {
	t.Helper()
	var d doc
	require.NoError(t, json.Unmarshal([]byte(dealJSON), &d))
	return d
}

// prop returns property name of d, adding it (empty) if missing.
func prop(d doc, name string) doc {
	props := d["properties"].(doc)
	p, ok := props[name].(doc)
	if !ok {
		p = doc{}
		props[name] = p
	}
	return p
}

func encode(t testing.TB, d doc) []byte {
	t.Helper()
	b, err := json.Marshal(d)
	require.NoError(t, err)
	return b
}

// mustParse parses a definition that must be accepted.
func mustParse(t testing.TB, definition string) *schema.Object {
	t.Helper()
	obj, err := schema.ParseObject([]byte(definition))
	require.NoError(t, err)
	return obj
}

// mustValidator parses a definition and compiles its validator.
func mustValidator(t testing.TB, definition string) *schema.Validator {
	t.Helper()
	v, err := schema.NewValidator(mustParse(t, definition))
	require.NoError(t, err)
	return v
}

// problemsOf returns the problems of a *DefinitionError.
func problemsOf(t testing.TB, err error) []schema.Problem {
	t.Helper()
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	require.NotEmpty(t, de.Problems)
	return de.Problems
}

// fieldErrorsOf returns the field errors of a *ValidationError.
func fieldErrorsOf(t testing.TB, err error) []schema.FieldError {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	require.NotEmpty(t, ve.Fields)
	return ve.Fields
}

// wholeObject is a definition that uses every field type.
const wholeObject = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "ticket",
  "title": "Ticket",
  "description": "A support ticket",
  "x-crm-label": {"zh": "工单", "en": "Ticket"},
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "subject":   {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[A-Za-z ]+$", "x-crm-type": "text",
                  "x-crm-label": {"zh": "主题", "en": "Subject"}, "description": "Short summary", "x-crm-unique": true},
    "body":      {"type": "string", "x-crm-type": "textarea"},
    "notes":     {"type": "string", "x-crm-type": "richtext"},
    "score":     {"type": "number", "minimum": 0, "maximum": 10, "multipleOf": 0.5, "x-crm-type": "number"},
    "count":     {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100, "x-crm-type": "integer", "default": 1},
    "price":     {"type": "number", "x-crm-type": "currency", "x-crm-indexed": true},
    "ratio":     {"type": "number", "x-crm-type": "percent"},
    "urgent":    {"type": "boolean", "x-crm-type": "boolean", "default": false},
    "due":       {"type": "string", "format": "date", "x-crm-type": "date"},
    "openedAt":  {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
    "email":     {"type": "string", "format": "email", "x-crm-type": "email", "x-crm-sensitive": true},
    "phone":     {"type": "string", "x-crm-type": "phone"},
    "mobile":    {"type": "string", "format": "cn-mobile", "x-crm-type": "phone"},
    "landline":  {"type": "string", "format": "cn-landline", "x-crm-type": "phone"},
    "anyPhone":  {"type": "string", "format": "phone", "x-crm-type": "phone"},
    "idCard":    {"type": "string", "format": "cn-resident-id", "x-crm-type": "text"},
    "uscc":      {"type": "string", "format": "cn-uscc", "x-crm-type": "text"},
    "site":      {"type": "string", "format": "uri", "x-crm-type": "url"},
    "status":    {"type": "string", "enum": ["open", "closed"], "x-crm-type": "picklist", "default": "open",
                  "x-crm-options": [{"value": "open", "label": {"zh": "打开", "en": "Open"}}, {"value": "closed", "label": {"zh": "关闭", "en": "Closed"}}]},
    "tags":      {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "minItems": 1, "maxItems": 3, "uniqueItems": true, "x-crm-type": "multipicklist"},
    "account":   {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account", "x-crm-reverse": "tickets"},
    "watchers":  {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "user"},
    "number":    {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "T-{000000}"},
    "shipTo":    {"type": "object", "x-crm-type": "address", "properties": {"city": {"type": "string", "maxLength": 10}, "country": {"type": "string"}}},
    "extra":     {"x-crm-type": "json"}
  },
  "required": ["subject", "status"],
  "x-crm-indexes": [["status", "due"], ["price"]]
}`
