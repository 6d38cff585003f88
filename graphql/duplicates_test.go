package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

const dupCompanyDef = `{
  "$id": "company", "type": "object", "x-crm-label": {"zh": "客户", "en": "Company"},
  "properties": {
    "name": {"type": "string", "x-crm-type": "text"},
    "uscc": {"type": "string", "x-crm-type": "text"},
    "phone": {"type": "string", "x-crm-type": "text"}
  },
  "x-crm-duplicates": [
    {"name": "uscc", "label": {"zh": "信用代码", "en": "Credit code"}, "action": "block", "match": [{"field": "uscc", "normalizer": "uscc"}]},
    {"name": "companyName", "label": {"zh": "公司名称", "en": "Company name"}, "action": "warn", "match": [{"field": "name", "normalizer": "company"}]}
  ]
}`

const dupPersonDef = `{
  "$id": "person", "type": "object",
  "properties": {
    "name": {"type": "string", "x-crm-type": "text"},
    "company": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "company"},
    "companies": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "company"}
  }
}`

func TestDuplicates_GraphQL(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(dupCompanyDef, dupPersonDef))
	a := mustRun(t, srv, admin, `mutation { createCompany(input: {name: "华为技术有限公司", uscc: "U1"}) { id possibleDuplicates { id } } }`, nil)["createCompany"].(map[string]any)
	assert.Empty(t, a["possibleDuplicates"])
	b := mustRun(t, srv, admin, `mutation { createCompany(input: {name: "华为技术（深圳）有限公司", phone: "2"}) { id possibleDuplicates { id title rule ruleLabel { zh } action score } } }`, nil)["createCompany"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"id": a["id"], "title": "华为技术有限公司", "rule": "companyName", "ruleLabel": map[string]any{"zh": "公司名称"}, "action": "warn", "score": 1.0}},
		b["possibleDuplicates"], "the create's answer says what it may duplicate")

	r := run(t, srv, admin, `mutation { createCompany(input: {name: "X", uscc: "u 1"}) { id } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, []string{"VALIDATION_FAILED"}, r.codes())

	check := mustRun(t, srv, admin, `query($d: JSON!) { checkDuplicates(object: "company", data: $d) { id rule } }`, map[string]any{"d": map[string]any{"name": "华为技术股份有限公司"}})
	assert.ElementsMatch(t, []any{map[string]any{"id": a["id"], "rule": "companyName"}, map[string]any{"id": b["id"], "rule": "companyName"}}, check["checkDuplicates"])

	groups := mustRun(t, srv, admin, `{ duplicateGroups(object: "company") { groups { rule key ids titles } hasNextPage endCursor } }`, nil)["duplicateGroups"].(map[string]any)
	assert.Equal(t, false, groups["hasNextPage"])
	require.Len(t, groups["groups"], 1)
	g := groups["groups"].([]any)[0].(map[string]any)
	assert.Equal(t, "华为技术", g["key"])
	assert.ElementsMatch(t, []any{a["id"], b["id"]}, g["ids"])

	p := mustRun(t, srv, admin, `mutation($c: [ID!]) { createPerson(input: {name: "张三", company: "`+b["id"].(string)+`", companies: $c}) { id } }`,
		map[string]any{"c": []any{a["id"], b["id"]}})["createPerson"].(map[string]any)

	merged := mustRun(t, srv, admin, `mutation($o: [ID!]!, $f: JSON) { mergeRecords(object: "company", survivor: "`+a["id"].(string)+`", others: $o, fields: $f) { survivorId merged references history } }`,
		map[string]any{"o": []any{b["id"]}, "f": map[string]any{"phone": b["id"]}})["mergeRecords"].(map[string]any)
	assert.Equal(t, a["id"], merged["survivorId"])
	assert.Equal(t, []any{b["id"]}, merged["merged"])
	assert.Equal(t, 2.0, merged["references"], "the lookup and the multilookup")

	got := mustRun(t, srv, admin, `{ person(id: "`+p["id"].(string)+`") { company { id } companies { id } } company(id: "`+a["id"].(string)+`") { phone } }`, nil)
	assert.Equal(t, map[string]any{"id": a["id"]}, got["person"].(map[string]any)["company"])
	assert.Equal(t, []any{map[string]any{"id": a["id"]}}, got["person"].(map[string]any)["companies"])
	assert.Equal(t, "2", got["company"].(map[string]any)["phone"])

	r = run(t, srv, admin, `mutation { mergeRecords(object: "company", survivor: "x", others: []) { survivorId } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
}
