package schema_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestParseObject_Example(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, dealJSON)

	assert.Equal(t, "deal", obj.Name)
	assert.Equal(t, "Deal", obj.Title)
	assert.Equal(t, schema.Label{Zh: "商机", En: "Deal"}, obj.Label)
	assert.Equal(t, [][]string{{"stage", "closeDate"}}, obj.Indexes)
	assert.JSONEq(t, dealJSON, string(obj.Definition))
	assert.Zero(t, obj.Version)

	var names []string
	for _, f := range obj.Fields {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"title", "amount", "stage", "email", "closeDate", "account"}, names, "document order")

	title := obj.Field("title")
	require.NotNil(t, title)
	assert.Equal(t, schema.TypeText, title.Type)
	assert.True(t, title.Required)
	assert.Equal(t, 200, title.MaxLength)
	assert.JSONEq(t, `{"type":"string","maxLength":200,"x-crm-type":"text"}`, string(title.Schema))

	amount := obj.Field("amount")
	require.NotNil(t, amount.Minimum)
	assert.Equal(t, 0.0, *amount.Minimum)
	assert.Nil(t, amount.Maximum)
	assert.False(t, amount.Required)

	assert.Equal(t, []string{"new", "qualified", "won", "lost"}, obj.Field("stage").Options)
	assert.Equal(t, "email", obj.Field("email").Format)
	assert.Equal(t, "date", obj.Field("closeDate").Format)
	assert.Equal(t, "account", obj.Field("account").Target)
	assert.Nil(t, obj.Field("nope"))
}

func TestParseObject_EveryMember(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, wholeObject)

	assert.Equal(t, "ticket", obj.Name)
	assert.Equal(t, "Ticket", obj.Title)
	assert.Equal(t, "A support ticket", obj.Description)
	assert.Equal(t, schema.Label{Zh: "工单", En: "Ticket"}, obj.Label)
	assert.Equal(t, [][]string{{"status", "due"}, {"price"}}, obj.Indexes)
	require.Len(t, obj.Fields, 25)

	subject := obj.Field("subject")
	assert.Equal(t, schema.Label{Zh: "主题", En: "Subject"}, subject.Label)
	assert.Equal(t, "Short summary", subject.Description)
	assert.True(t, subject.Unique)
	assert.True(t, subject.Required)
	assert.Equal(t, 20, subject.MaxLength)
	assert.Equal(t, "^[A-Za-z ]+$", subject.Pattern)
	assert.Equal(t, schema.KindString, subject.Kind())

	score := obj.Field("score")
	require.NotNil(t, score.Minimum)
	require.NotNil(t, score.Maximum)
	assert.Equal(t, 0.0, *score.Minimum)
	assert.Equal(t, 10.0, *score.Maximum)

	assert.Equal(t, 1.0, obj.Field("count").Default, "numbers are float64, as in records")
	assert.Equal(t, false, obj.Field("urgent").Default)
	assert.True(t, obj.Field("price").Indexed)
	assert.True(t, obj.Field("email").Sensitive)
	assert.Equal(t, "cn-mobile", obj.Field("mobile").Format)
	assert.Equal(t, "", obj.Field("phone").Format, "phone fields get no format of their own")

	status := obj.Field("status")
	assert.Equal(t, []string{"open", "closed"}, status.Options)
	assert.Equal(t, map[string]schema.Label{"open": {Zh: "打开", En: "Open"}, "closed": {Zh: "关闭", En: "Closed"}}, status.OptionLabels)
	assert.Equal(t, "open", status.Default)

	assert.Equal(t, []string{"a", "b", "c"}, obj.Field("tags").Options)
	account := obj.Field("account")
	assert.Equal(t, "account", account.Target)
	assert.Equal(t, "tickets", account.Reverse)
	assert.Equal(t, "user", obj.Field("watchers").Target)
	number := obj.Field("number")
	assert.Equal(t, "T-{000000}", number.AutoNumber)
	assert.True(t, number.ReadOnly())
	assert.Equal(t, schema.KindAddress, obj.Field("shipTo").Kind())
	assert.Equal(t, schema.KindJSON, obj.Field("extra").Kind())
}

func TestParseObject_Refused(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string // part of the problem's message
	}{
		{"object name with upper case", func(d doc) { d["$id"] = "Deal" }, "/$id", "not a valid object name"},
		{"object name too long", func(d doc) { d["$id"] = "a" + strings.Repeat("b", 40) }, "/$id", "not a valid object name"},
		{"object name missing", func(d doc) { delete(d, "$id") }, "/$id", "is required"},
		{"object name not a string", func(d doc) { d["$id"] = 7 }, "/$id", "not a valid object name"},
		{"other $schema", func(d doc) { d["$schema"] = "http://json-schema.org/draft-07/schema#" }, "/$schema", "2020-12"},
		{"type not object", func(d doc) { d["type"] = "array" }, "/type", `must be "object"`},
		{"type missing", func(d doc) { delete(d, "type") }, "/type", "is required"},
		{"properties missing", func(d doc) { delete(d, "properties"); delete(d, "required"); delete(d, "x-crm-indexes") }, "/properties", "is required"},
		{"properties empty", func(d doc) { d["properties"] = doc{}; delete(d, "required"); delete(d, "x-crm-indexes") }, "/properties", "must not be empty"},
		{"too many properties", func(d doc) {
			for i := 0; i < 500; i++ {
				prop(d, fmt.Sprintf("f%d", i))["x-crm-type"] = "json"
			}
		}, "/properties", "at most 500"},
		{"field name with underscore", func(d doc) { prop(d, "close_date")["x-crm-type"] = "json" }, "/properties/close_date", "not a valid field name"},
		{"field name starting with a digit", func(d doc) { prop(d, "1st")["x-crm-type"] = "json" }, "/properties/1st", "not a valid field name"},
		{"system field", func(d doc) { prop(d, "createdAt")["x-crm-type"] = "json" }, "/properties/createdAt", "system field"},
		{"owner system field", func(d doc) { prop(d, "ownerId")["x-crm-type"] = "json" }, "/properties/ownerId", "system field"},
		{"property not an object", func(d doc) { d["properties"].(doc)["title"] = "text" }, "/properties/title", "must be an object"},
		{"x-crm-type missing", func(d doc) { delete(prop(d, "title"), "x-crm-type") }, "/properties/title/x-crm-type", "is required"},
		{"x-crm-type unknown", func(d doc) { prop(d, "title")["x-crm-type"] = "string" }, "/properties/title/x-crm-type", `unknown field type "string"`},
		{"json type does not match", func(d doc) { prop(d, "amount")["type"] = "string" }, "/properties/amount/type", `must be "number" for a currency field`},
		{"json type missing", func(d doc) { delete(prop(d, "amount"), "type") }, "/properties/amount/type", "is required"},
		{"json type unknown", func(d doc) { d["properties"].(doc)["extra"] = doc{"type": "null", "x-crm-type": "json"} }, "/properties/extra/type", "must be one of the JSON types"},
		{"format does not match", func(d doc) { prop(d, "email")["format"] = "uri" }, "/properties/email/format", `must be "email" for an email field`},
		{"format missing", func(d doc) { delete(prop(d, "closeDate"), "format") }, "/properties/closeDate/format", `declares "format": "date"`},
		{"datetime format", func(d doc) { prop(d, "closeDate")["x-crm-type"] = "datetime" }, "/properties/closeDate/format", `must be "date-time"`},
		{"format on a number", func(d doc) { prop(d, "amount")["format"] = "phone" }, "/properties/amount/format", "does not apply to a currency field"},
		{"email format on a phone", func(d doc) {
			d["properties"].(doc)["tel"] = doc{"type": "string", "format": "email", "x-crm-type": "phone"}
		}, "/properties/tel/format", `must be one of "phone", "cn-mobile", "cn-landline"`},
		{"unsupported format", func(d doc) { prop(d, "title")["format"] = "emial" }, "/properties/title/format", "must be one of"},
		{"picklist without enum", func(d doc) { delete(prop(d, "stage"), "enum") }, "/properties/stage/enum", "is required"},
		{"picklist with empty enum", func(d doc) { prop(d, "stage")["enum"] = []any{} }, "/properties/stage/enum", "must not be empty"},
		{"picklist with duplicate options", func(d doc) { prop(d, "stage")["enum"] = []any{"a", "a"} }, "/properties/stage/enum", "duplicates"},
		{"picklist with a number option", func(d doc) { prop(d, "stage")["enum"] = []any{"a", 2} }, "/properties/stage/enum/1", "must be a string"},
		{"enum on a text field", func(d doc) { prop(d, "title")["enum"] = []any{"a"} }, "/properties/title/enum", "does not apply to a text field"},
		{"multipicklist without items", func(d doc) {
			d["properties"].(doc)["tags"] = doc{"type": "array", "x-crm-type": "multipicklist"}
		}, "/properties/tags/items", "is required"},
		{"multipicklist without options", func(d doc) {
			d["properties"].(doc)["tags"] = doc{"type": "array", "items": doc{"type": "string"}, "x-crm-type": "multipicklist"}
		}, "/properties/tags/items/enum", "is required"},
		{"multipicklist of numbers", func(d doc) {
			d["properties"].(doc)["tags"] = doc{"type": "array", "items": doc{"type": "number", "enum": []any{"a"}}, "x-crm-type": "multipicklist"}
		}, "/properties/tags/items/type", `must be "string"`},
		{"multipicklist not an array", func(d doc) {
			d["properties"].(doc)["tags"] = doc{"type": "string", "items": doc{"type": "string", "enum": []any{"a"}}, "x-crm-type": "multipicklist"}
		}, "/properties/tags/type", `must be "array"`},
		{"lookup without target", func(d doc) { delete(prop(d, "account"), "x-crm-target") }, "/properties/account/x-crm-target", "is required"},
		{"lookup with a bad target", func(d doc) { prop(d, "account")["x-crm-target"] = "Account!" }, "/properties/account/x-crm-target", "not a valid object name"},
		{"lookup with a bad reverse name", func(d doc) { prop(d, "account")["x-crm-reverse"] = "deal list" }, "/properties/account/x-crm-reverse", "not a valid field name"},
		{"target on a text field", func(d doc) { prop(d, "title")["x-crm-target"] = "account" }, "/properties/title/x-crm-target", "only to lookup and multilookup"},
		{"multilookup without target", func(d doc) {
			d["properties"].(doc)["owners"] = doc{"type": "array", "items": doc{"type": "string"}, "x-crm-type": "multilookup"}
		}, "/properties/owners/x-crm-target", "is required"},
		{"multilookup of numbers", func(d doc) {
			d["properties"].(doc)["owners"] = doc{"type": "array", "items": doc{"type": "integer"}, "x-crm-type": "multilookup", "x-crm-target": "user"}
		}, "/properties/owners/items/type", `must be "string"`},
		{"multilookup without items", func(d doc) {
			d["properties"].(doc)["owners"] = doc{"type": "array", "x-crm-type": "multilookup", "x-crm-target": "user"}
		}, "/properties/owners/items", "is required"},
		{"autonumber without format", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber"}
		}, "/properties/no/x-crm-format", "is required"},
		{"autonumber with two counters", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "A{00}-{00}"}
		}, "/properties/no/x-crm-format", "exactly one counter"},
		{"autonumber without counter", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "CASE-"}
		}, "/properties/no/x-crm-format", "exactly one counter"},
		{"autonumber with 13 zeros", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "{0000000000000}"}
		}, "/properties/no/x-crm-format", "at most 12"},
		{"autonumber with other braces", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "{x}-{000}"}
		}, "/properties/no/x-crm-format", "no braces besides"},
		{"autonumber required", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "CASE-{0000}"}
			d["required"] = []any{"title", "no"}
		}, "/required/1", "autonumber"},
		{"format on an autonumber's sibling", func(d doc) { prop(d, "title")["x-crm-format"] = "{00}" }, "/properties/title/x-crm-format", "only to autonumber"},
		{"address as a string", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "string", "x-crm-type": "address"}
		}, "/properties/shipTo/type", `must be "object"`},
		{"address with an unknown part", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address", "properties": doc{"planet": doc{"type": "string"}}}
		}, "/properties/shipTo/properties/planet", "not an address part"},
		{"address with a number part", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address", "properties": doc{"city": doc{"type": "number"}}}
		}, "/properties/shipTo/properties/city/type", `must be "string"`},
		{"address open to other parts", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address", "additionalProperties": true}
		}, "/properties/shipTo/additionalProperties", "must be false"},
		{"object label too long", func(d doc) { d["x-crm-label"] = doc{"en": strings.Repeat("x", 201)} }, "/x-crm-label/en", "at most 200 characters"},
		{"field label not a string", func(d doc) { prop(d, "title")["x-crm-label"] = doc{"zh": 1} }, "/properties/title/x-crm-label/zh", "must be a string"},
		{"label in another language", func(d doc) { prop(d, "title")["x-crm-label"] = doc{"fr": "Titre"} }, "/properties/title/x-crm-label/fr", `"fr" is not supported`},
		{"unique not a boolean", func(d doc) { prop(d, "title")["x-crm-unique"] = "yes" }, "/properties/title/x-crm-unique", "true or false"},
		{"indexed not a boolean", func(d doc) { prop(d, "title")["x-crm-indexed"] = 1 }, "/properties/title/x-crm-indexed", "true or false"},
		{"sensitive not a boolean", func(d doc) { prop(d, "email")["x-crm-sensitive"] = "no" }, "/properties/email/x-crm-sensitive", "true or false"},
		{"option label for a missing option", func(d doc) {
			prop(d, "stage")["x-crm-options"] = []any{doc{"value": "gone", "label": doc{"en": "Gone"}}}
		}, "/properties/stage/x-crm-options/0/value", `"gone" is not one of the field's options`},
		{"option label without value", func(d doc) {
			prop(d, "stage")["x-crm-options"] = []any{doc{"label": doc{"en": "New"}}}
		}, "/properties/stage/x-crm-options/0/value", "is required"},
		{"an option colour not in the palette", func(d doc) {
			prop(d, "stage")["x-crm-options"] = []any{doc{"value": "new", "label": doc{"en": "New"}, "color": "pink"}}
		}, "/properties/stage/x-crm-options/0/color", "must be one of blue, green"},
		{"a short colour code", func(d doc) {
			prop(d, "stage")["x-crm-options"] = []any{doc{"value": "new", "label": doc{"en": "New"}, "color": "#12345"}}
		}, "/properties/stage/x-crm-options/0/color", "#rrggbb"},
		{"a colour that is not text", func(d doc) {
			prop(d, "stage")["x-crm-options"] = []any{doc{"value": "new", "label": doc{"en": "New"}, "color": 7}}
		}, "/properties/stage/x-crm-options/0/color", "or a colour #rrggbb"},
		{"options on a text field", func(d doc) {
			prop(d, "title")["x-crm-options"] = []any{}
		}, "/properties/title/x-crm-options", "only to picklist"},
		{"index of an unknown field", func(d doc) { d["x-crm-indexes"] = []any{[]any{"stage", "nope"}} }, "/x-crm-indexes/0/1", `"nope", which is not a property`},
		{"index of the id", func(d doc) { d["x-crm-indexes"] = []any{[]any{"stage", "id"}} }, "/x-crm-indexes/0/1", `"id", which is not a property`},
		{"index of a textarea", func(d doc) {
			d["properties"].(doc)["body"] = doc{"type": "string", "x-crm-type": "textarea"}
			d["x-crm-indexes"] = []any{[]any{"body"}}
		}, "/x-crm-indexes/0/0", "cannot be indexed"},
		{"empty index", func(d doc) { d["x-crm-indexes"] = []any{[]any{}} }, "/x-crm-indexes/0", "must not be empty"},
		{"index of six fields", func(d doc) {
			d["x-crm-indexes"] = []any{[]any{"title", "amount", "stage", "email", "closeDate", "account"}}
		}, "/x-crm-indexes/0", "at most 5 items"},
		{"21 indexes", func(d doc) {
			var idx []any
			for i := 0; i < 21; i++ {
				idx = append(idx, []any{"title"})
			}
			d["x-crm-indexes"] = idx
		}, "/x-crm-indexes", "at most 20 items"},
		{"required field not declared", func(d doc) { d["required"] = []any{"title", "nope"} }, "/required/1", `"nope", which is not a property`},
		{"required twice", func(d doc) { d["required"] = []any{"title", "title"} }, "/required", "duplicates"},
		{"unknown CRM keyword on a field", func(d doc) { prop(d, "title")["x-crm-colour"] = "red" }, "/properties/title/x-crm-colour", `unknown CRM keyword "x-crm-colour"`},
		{"unknown CRM keyword on the object", func(d doc) { d["x-crm-pipeline"] = "sales" }, "/x-crm-pipeline", `unknown CRM keyword`},
		{"applicator keyword", func(d doc) { prop(d, "title")["allOf"] = []any{doc{}} }, "/properties/title/allOf", `"allOf" is not supported`},
		{"other properties allowed", func(d doc) { d["additionalProperties"] = true }, "/additionalProperties", "must be false or left out"},
		{"other properties as a schema", func(d doc) { d["additionalProperties"] = doc{"type": "string"} }, "/additionalProperties", "must be false or left out"},
		{"$defs", func(d doc) { d["$defs"] = doc{"x": doc{"type": "string"}} }, "/$defs", "self-contained"},
		{"$anchor", func(d doc) { prop(d, "title")["$anchor"] = "t" }, "/properties/title/$anchor", "self-contained"},
		{"nested $id", func(d doc) { prop(d, "title")["$id"] = "other" }, "/properties/title/$id", "self-contained"},
		{"look-ahead pattern", func(d doc) { prop(d, "title")["pattern"] = "^(?=a)b" }, "/properties/title/pattern", "only RE2 syntax is supported"},
		{"back-reference pattern", func(d doc) { prop(d, "title")["pattern"] = `(a)\1` }, "/properties/title/pattern", "only RE2 syntax is supported"},
		{"look-behind in an address part", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address",
				"properties": doc{"city": doc{"type": "string", "pattern": "(?<=x)y"}}}
		}, "/properties/shipTo/properties/city/pattern", "only RE2 syntax is supported"},
		{"pattern too complex", func(d doc) { prop(d, "title")["pattern"] = strings.Repeat("(?:x{999})", 3) }, "/properties/title/pattern", "is too complex"},
		{"too many complex patterns", func(d doc) {
			for i := 0; i < 30; i++ {
				d["properties"].(doc)[fmt.Sprintf("p%02d", i)] = doc{"type": "string", "x-crm-type": "text", "pattern": "x{999}"}
			}
		}, "/properties/p24/pattern", "one pattern too many"},
		{"maxLength on a number", func(d doc) { prop(d, "amount")["maxLength"] = 3 }, "/properties/amount/maxLength", "does not apply to a currency field"},
		{"minimum on text", func(d doc) { prop(d, "title")["minimum"] = 3 }, "/properties/title/minimum", "does not apply to a text field"},
		{"items on text", func(d doc) { prop(d, "title")["items"] = doc{"type": "string"} }, "/properties/title/items", "does not apply"},
		{"negative maxLength", func(d doc) { prop(d, "title")["maxLength"] = -1 }, "/properties/title/maxLength", "must be at least 0"},
		{"fractional maxLength", func(d doc) { prop(d, "title")["maxLength"] = 1.5 }, "/properties/title/maxLength", "must be an integer"},
		{"minimum above maximum", func(d doc) { prop(d, "amount")["maximum"] = -1 }, "/properties/amount/maximum", "must not be less than minimum"},
		{"minLength above maxLength", func(d doc) { prop(d, "title")["minLength"] = 300 }, "/properties/title/maxLength", "must not be less than minLength"},
		{"zero multipleOf", func(d doc) { prop(d, "amount")["multipleOf"] = 0 }, "/properties/amount/multipleOf", "greater than 0"},
		{"default outside the options", func(d doc) { prop(d, "stage")["default"] = "open" }, "/properties/stage/default", "does not fit the field: must be one of: new"},
		{"default too long", func(d doc) { prop(d, "title")["default"] = strings.Repeat("x", 201) }, "/properties/title/default", "at most 200 characters"},
		{"huge number", func(d doc) { prop(d, "amount")["maximum"] = json.Number("1e999999") }, "/properties/amount/maximum", "out of range"},
		{"$ref on the object", func(d doc) { d["$ref"] = "other.json" }, "/$ref", "self-contained"},
		{"$ref on a field", func(d doc) { prop(d, "title")["$ref"] = "#/$defs/x" }, "/properties/title/$ref", "self-contained"},
		{"$dynamicRef", func(d doc) { prop(d, "title")["$dynamicRef"] = "#meta" }, "/properties/title/$dynamicRef", "self-contained"},
		{"$recursiveRef", func(d doc) { prop(d, "title")["$recursiveRef"] = "#" }, "/properties/title/$recursiveRef", "self-contained"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			s.change(d)
			obj, err := schema.ParseObject(encode(t, d))
			assert.Nil(t, obj)
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}

// TestParseObject_IndexesOfSystemFields: x-crm-indexes may name the
// system fields every record has (not id, which ends every index).
func TestParseObject_IndexesOfSystemFields(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	d["x-crm-indexes"] = []any{[]any{"stage", "createdAt"}, []any{"createdBy", "updatedAt"}, []any{"ownerId", "updatedBy"}}
	obj, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"stage", "createdAt"}, {"createdBy", "updatedAt"}, {"ownerId", "updatedBy"}}, obj.Indexes)
}

func TestParseObject_EveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	d["$id"] = "Deal"
	prop(d, "title")["x-crm-type"] = "texty"
	prop(d, "amount")["type"] = "string"
	prop(d, "title")["pattern"] = "(?!x)"
	d["required"] = []any{"nope"}
	_, err := schema.ParseObject(encode(t, d))

	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "Deal", de.Object)
	var paths []string
	for _, p := range de.Problems {
		paths = append(paths, p.Path)
		assert.NotEmpty(t, p.Message)
	}
	assert.Equal(t, []string{
		"/$id",
		"/properties/amount/type",
		"/properties/title/pattern",
		"/properties/title/x-crm-type",
		"/required/0",
	}, paths)
	assert.Contains(t, err.Error(), "invalid definition of Deal: /$id: ")
}

func TestParseObject_ManyProblems(t *testing.T) {
	t.Parallel()
	d := dealDoc(t)
	for i := 0; i < 1500; i++ {
		prop(d, "title")[fmt.Sprintf("k%04d", i)] = 1
	}
	_, err := schema.ParseObject(encode(t, d))
	problems := problemsOf(t, err)
	require.Len(t, problems, 1001)
	assert.Equal(t, schema.Problem{Path: "/properties/title/k0000", Message: `keyword "k0000" is not supported here`}, problems[0])
	assert.Equal(t, schema.Problem{Path: "", Message: "500 more problems are not listed"}, problems[1000])
}

func TestParseObject_Malformed(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name       string
		definition string
		msg        string
	}{
		{"empty", "", "not valid JSON: the input is empty"},
		{"syntax error", `{"$id": "deal",}`, "not valid JSON: invalid character '}' looking for beginning of object key string at offset 16"},
		{"truncated", `{"$id": "deal"`, "not valid JSON: unexpected end of JSON input at offset 14"},
		{"trailing data", `{"$id": "deal"} {}`, "not valid JSON: unexpected data after the JSON value at offset 16"},
		{"array", `[{"$id": "deal"}]`, "must be a JSON object"},
		{"string", `"deal"`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.ParseObject([]byte(s.definition))
			problems := problemsOf(t, err)
			require.Len(t, problems, 1)
			assert.Equal(t, "", problems[0].Path)
			assert.Contains(t, problems[0].Message, s.msg)
		})
	}
}

func TestParseObject_DuplicateProperty(t *testing.T) {
	t.Parallel()
	def := strings.Replace(dealJSON, `"properties":{`,
		`"properties":{"title":{"type":"string","x-crm-type":"text"},`, 1)
	_, err := schema.ParseObject([]byte(def))
	problems := problemsOf(t, err)
	assert.Equal(t, []schema.Problem{{Path: "/properties/title", Message: "is declared more than once"}}, problems)
}

func TestParseObject_Accepted(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		change func(d doc)
	}{
		{"with $schema", func(d doc) { d["$schema"] = "https://json-schema.org/draft/2020-12/schema" }},
		{"closed", func(d doc) { d["additionalProperties"] = false }},
		{"annotations", func(d doc) {
			p := prop(d, "title")
			p["description"], p["title"], p["examples"], p["$comment"], p["deprecated"] = "d", "t", []any{"x"}, "c", false
		}},
		{"json field without type", func(d doc) { prop(d, "extra")["x-crm-type"] = "json" }},
		{"json field with a type", func(d doc) { d["properties"].(doc)["extra"] = doc{"type": "object", "x-crm-type": "json"} }},
		{"integer bounds", func(d doc) {
			d["properties"].(doc)["seats"] = doc{"type": "integer", "minimum": 1, "maximum": 10, "x-crm-type": "integer"}
		}},
		{"phone with a Chinese format", func(d doc) {
			d["properties"].(doc)["tel"] = doc{"type": "string", "format": "cn-landline", "x-crm-type": "phone"}
		}},
		{"text with USCC format", func(d doc) {
			d["properties"].(doc)["uscc"] = doc{"type": "string", "format": "cn-uscc", "x-crm-type": "text"}
		}},
		{"RE2 pattern", func(d doc) { prop(d, "title")["pattern"] = `^\p{Han}+[0-9]{2}$` }},
		{"address without parts", func(d doc) { d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address"} }},
		{"address with required parts", func(d doc) {
			d["properties"].(doc)["shipTo"] = doc{"type": "object", "x-crm-type": "address", "required": []any{"city"}, "additionalProperties": false}
		}},
		{"500 properties", func(d doc) {
			for i := 0; i < 494; i++ {
				prop(d, fmt.Sprintf("f%d", i))["x-crm-type"] = "json"
			}
		}},
		{"autonumber with 12 zeros", func(d doc) {
			d["properties"].(doc)["no"] = doc{"type": "string", "x-crm-type": "autonumber", "x-crm-format": "{000000000000}"}
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			s.change(d)
			obj, err := schema.ParseObject(encode(t, d))
			require.NoError(t, err)
			_, err = schema.NewValidator(obj)
			require.NoError(t, err)
		})
	}
}

// V1: references to files, URLs and relative documents are refused when the
// definition is saved, and nothing is fetched.
func TestParseObject_References(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"type": "string"}`))
	}))
	t.Cleanup(srv.Close)
	// Runs before srv.Close, after every subtest.
	t.Cleanup(func() { assert.Zero(t, hits.Load(), "the test server was contacted") })

	scenarios := []struct {
		name string
		ref  string
	}{
		{"file", "file:///etc/passwd"},
		{"http", srv.URL + "/schema.json"},
		{"https", "https://example.com/schema.json"},
		{"relative", "other.json"},
		{"fragment", "#/properties/title"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			prop(d, "title")["$ref"] = s.ref
			_, err := schema.ParseObject(encode(t, d))
			problems := problemsOf(t, err)
			require.Len(t, problems, 1)
			assert.Equal(t, "/properties/title/$ref", problems[0].Path)
			assert.Contains(t, problems[0].Message, "self-contained")
		})
	}
	t.Run("several", func(t *testing.T) {
		t.Parallel()
		d := dealDoc(t)
		d["$ref"] = srv.URL
		prop(d, "title")["$dynamicRef"] = srv.URL + "#x"
		_, err := schema.ParseObject(encode(t, d))
		problems := problemsOf(t, err)
		require.Len(t, problems, 2)
		assert.Equal(t, "/$ref", problems[0].Path)
		assert.Equal(t, "/properties/title/$dynamicRef", problems[1].Path)
	})
}

// V4: oversized, wide and deep definitions are refused by the pre-checks.
// BenchmarkParseObject_Hostile measures how fast.
func TestParseObject_Limits(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name       string
		definition []byte
		path       string
		msg        string
	}{
		{"10 MiB", hugeDefinition(), "", "at most 1048576 (1 MiB)"},
		{"100,000 properties", wideDefinition(100_000), "/properties", "more than 500 fields; at most 500 are allowed"},
		{"depth 1,000", deepDefinition(1000), "", "deeper than 32 levels"},
		{"depth 33", deepDefinition(33), "", "deeper than 32 levels"},
		{"60,000 values", []byte(`{"$id":"deal","type":"object","properties":{"a":{"x-crm-type":"json","default":[` +
			strings.Repeat("0,", 60_000) + `0]}}}`), "", "more than 50000 values"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.ParseObject(s.definition)
			problems := problemsOf(t, err)
			require.Len(t, problems, 1)
			assert.Equal(t, s.path, problems[0].Path)
			assert.Contains(t, problems[0].Message, s.msg)
		})
	}
	t.Run("depth 32 is fine", func(t *testing.T) {
		t.Parallel()
		_, err := schema.ParseObject(deepDefinition(32))
		require.NoError(t, err)
	})
}

func hugeDefinition() []byte {
	return []byte(`{"$id":"deal","type":"object","description":"` + strings.Repeat("x", 10<<20) +
		`","properties":{"a":{"type":"string","x-crm-type":"text"}}}`)
}

// wideDefinition declares n properties in under 1 MiB, so that the size
// check does not catch it first.
func wideDefinition(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"$id":"deal","type":"object","properties":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"a%s":0`, strconv.FormatInt(int64(i), 36))
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// deepDefinition nests arrays in a json field's default so that the whole
// document is depth levels deep.
func deepDefinition(depth int) []byte {
	n := depth - 3 // the object, "properties" and the field
	return []byte(`{"$id":"deal","type":"object","properties":{"a":{"x-crm-type":"json","default":` +
		strings.Repeat("[", n) + strings.Repeat("]", n) + `}}}`)
}

func BenchmarkParseObject(b *testing.B) {
	def := []byte(dealJSON)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := schema.ParseObject(def); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseObject_Hostile shows the V4 pre-checks refusing hostile
// definitions well under the 100 ms target.
func BenchmarkParseObject_Hostile(b *testing.B) {
	for _, bc := range []struct {
		name string
		def  []byte
	}{
		{"10MiB", hugeDefinition()},
		{"100kProperties", wideDefinition(100_000)},
		{"depth1000", deepDefinition(1000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := schema.ParseObject(bc.def); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// TestParseObject_OptionColors: picklist options may carry a colour, a
// preset name or #rrggbb, on picklists and multipicklists alike.
func TestParseObject_OptionColors(t *testing.T) {
	t.Parallel()
	for _, c := range append(slices.Clone(schema.OptionColorNames), "#1677ff", "#ABCDEF") {
		t.Run(c, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			prop(d, "stage")["x-crm-options"] = []any{doc{"value": "new", "label": doc{"zh": "新建"}, "color": c}, doc{"value": "won", "label": doc{"zh": "赢单"}}}
			obj, err := schema.ParseObject(encode(t, d))
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"new": c}, obj.Field("stage").OptionColors, "an option without a colour has none")
			assert.Equal(t, "新建", obj.Field("stage").OptionLabels["new"].Zh)
		})
	}
}
