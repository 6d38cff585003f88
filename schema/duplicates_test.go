package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

const dupDealJSON = `{"$id":"deal","type":"object",
 "properties":{
  "title":{"type":"string","x-crm-type":"text"},
  "email":{"type":"string","format":"email","x-crm-type":"email"},
  "mobile":{"type":"string","format":"cn-mobile","x-crm-type":"phone"},
  "idNo":{"type":"string","x-crm-type":"text","x-crm-sensitive":true},
  "uscc":{"type":"string","format":"cn-uscc","x-crm-type":"text"},
  "amount":{"type":"number","x-crm-type":"currency"}},
 "x-crm-duplicates":[
  {"name":"byName","label":{"zh":"名称","en":"Name"},"action":"warn","match":[{"field":"title","method":"fuzzy","normalizer":"company"}],"threshold":0.8},
  {"name":"byContact","action":"block","match":[{"field":"email"},{"field":"mobile"}]},
  {"name":"byCode","action":"block","match":[{"field":"uscc"}],"active":false},
  {"name":"byId","action":"block","match":[{"field":"idNo","method":"exact"}]}
 ]}`

func TestParseObject_Duplicates(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, dupDealJSON)
	require.Len(t, obj.Duplicates, 4)
	byName := obj.Duplicates[0]
	assert.Equal(t, schema.DuplicateRule{Name: "byName", Label: schema.Label{Zh: "名称", En: "Name"}, Action: schema.DuplicateWarn, Active: true, Threshold: 0.8,
		Match: []schema.DuplicateMatch{{Field: "title", Method: schema.MatchFuzzy, Normalizer: schema.NormalizeCompany}}}, byName)
	assert.True(t, byName.Fuzzy())
	assert.Equal(t, []schema.DuplicateMatch{{Field: "email", Method: schema.MatchNormalized, Normalizer: schema.NormalizeEmail},
		{Field: "mobile", Method: schema.MatchNormalized, Normalizer: schema.NormalizeMobile}}, obj.Duplicates[1].Match, "normalizers by type and format")
	assert.Equal(t, schema.NormalizeUSCC, obj.Duplicates[2].Match[0].Normalizer)
	assert.False(t, obj.Duplicates[2].Active)
	assert.Zero(t, obj.Duplicates[1].Threshold)

	// a role that may not see a field does not see the rules over it
	red := obj.Redacted(map[string]bool{"idNo": true})
	assert.Len(t, red.Duplicates, 3)
	assert.NotContains(t, string(red.Definition), "byId")
	assert.Contains(t, string(red.Definition), "byContact")
}

func TestParseObject_DuplicatesRefused(t *testing.T) {
	t.Parallel()
	rules := func(d doc) []any { return d["x-crm-duplicates"].([]any) }
	rule := func(d doc, i int) doc { return rules(d)[i].(doc) }
	match := func(d doc, i, j int) doc { return rule(d, i)["match"].([]any)[j].(doc) }
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"unknown field", func(d doc) { match(d, 1, 0)["field"] = "nope" }, "/x-crm-duplicates/1/match/0/field", `"nope", which is not a property`},
		{"number field", func(d doc) { match(d, 1, 0)["field"] = "amount" }, "/x-crm-duplicates/1/match/0/field", "a currency field: duplicate rules match text"},
		{"lookup not exact", func(d doc) {
			d["properties"].(doc)["account"] = doc{"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}
			match(d, 1, 0)["field"] = "account"
		}, "/x-crm-duplicates/1/match/0/method", "a lookup: record ids match"},
		{"field twice", func(d doc) { match(d, 1, 1)["field"] = "email" }, "/x-crm-duplicates/1/match/1/field", `names "email" twice`},
		{"rule name twice", func(d doc) { rule(d, 1)["name"] = "byName" }, "/x-crm-duplicates/1/name", "names another rule too"},
		{"bad action", func(d doc) { rule(d, 0)["action"] = "stop" }, "/x-crm-duplicates/0/action", `"block"`},
		{"bad method", func(d doc) { match(d, 0, 0)["method"] = "sounds" }, "/x-crm-duplicates/0/match/0/method", `"exact", "normalized" or "fuzzy"`},
		{"bad normalizer", func(d doc) { match(d, 0, 0)["normalizer"] = "soundex" }, "/x-crm-duplicates/0/match/0/normalizer", `"company"`},
		{"fuzzy with another field", func(d doc) {
			rule(d, 0)["match"] = []any{doc{"field": "title", "method": "fuzzy"}, doc{"field": "email"}}
		}, "/x-crm-duplicates/0/match", "a fuzzy rule compares one field"},
		{"fuzzy on an identifier", func(d doc) { match(d, 0, 0)["normalizer"] = "mobile" }, "/x-crm-duplicates/0/match/0/method", "identifiers match or not"},
		{"fuzzy on a sensitive field", func(d doc) { rule(d, 3)["match"] = []any{doc{"field": "idNo", "method": "fuzzy"}} }, "/x-crm-duplicates/3/match/0/method", "sensitive field"},
		{"threshold on an exact rule", func(d doc) { rule(d, 1)["threshold"] = 0.9 }, "/x-crm-duplicates/1/threshold", "belongs to a fuzzy match"},
		{"threshold too low", func(d doc) { rule(d, 0)["threshold"] = 0.1 }, "/x-crm-duplicates/0/threshold", "between 0.5 and 1"},
		{"normalizer on an exact match", func(d doc) { match(d, 3, 0)["normalizer"] = "text" }, "/x-crm-duplicates/3/match/0/normalizer", "exact match"},
		{"email normalizer on a phone", func(d doc) { match(d, 1, 1)["normalizer"] = "email" }, "/x-crm-duplicates/1/match/1/normalizer", "email or text fields"},
		{"uscc normalizer on an email", func(d doc) { match(d, 1, 0)["normalizer"] = "uscc" }, "/x-crm-duplicates/1/match/0/normalizer", "text fields"},
		{"no fields", func(d doc) { rule(d, 1)["match"] = []any{} }, "/x-crm-duplicates/1/match", "1 to 3 fields"},
		{"four fields", func(d doc) {
			rule(d, 1)["match"] = []any{doc{"field": "email"}, doc{"field": "mobile"}, doc{"field": "title"}, doc{"field": "uscc"}}
		}, "/x-crm-duplicates/1/match", "1 to 3 fields"},
		{"eleven rules", func(d doc) {
			var many []any
			for i := range 11 {
				many = append(many, doc{"name": "r" + string(rune('a'+i)), "action": "warn", "match": []any{doc{"field": "title"}}})
			}
			d["x-crm-duplicates"] = many
		}, "/x-crm-duplicates", "at most 10"},
		{"unknown member", func(d doc) { rule(d, 1)["when"] = "always" }, "/x-crm-duplicates/1", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			require.NoError(t, jsonUnmarshal([]byte(dupDealJSON), &d))
			s.change(d)
			obj, err := schema.ParseObject(encode(t, d))
			assert.Nil(t, obj)
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path || (s.msg == "" && len(p.Path) >= len(s.path) && p.Path[:len(s.path)] == s.path) {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
