package graphql_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine"
)

func TestScripts_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t)
	def := `{"$id": "quote", "type": "object", "properties": {
	  "amount":   {"type": "number", "minimum": 0, "x-crm-type": "currency"},
	  "discount": {"type": "number", "x-crm-type": "percent"},
	  "net":      {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount * (1 - (discount || 0) / 100)"}}},
	  "x-crm-validations": [{"name": "cap", "condition": "discount > 50", "field": "discount", "message": {"zh": "折扣不能超过 50%", "en": "At most 50% off"}}],
	  "x-crm-scripts": [
	    {"name": "approval", "kind": "validate", "source": "if (ctx.record.discount > 30 && ctx.record.discount <= 50) ctx.addError('discount', '折扣超过 30% 需要审批')"},
	    {"name": "guard", "kind": "beforeSave", "source": "if (ctx.record.amount === 13) throw new Error('unlucky')"}]}`
	mustRun(t, srv, admin, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})

	data := mustRun(t, srv, admin, `mutation { createQuote(input: {amount: 200, discount: 10}) { net } }`, nil)
	assert.Equal(t, 180.0, path(data, "createQuote", "net"))

	r := run(t, srv, admin, `mutation { createQuote(input: {amount: -1, discount: 40}) { id } }`, nil)
	assert.Equal(t, []string{"VALIDATION_FAILED"}, r.codes())
	assert.ElementsMatch(t, []any{
		map[string]any{"field": "amount", "code": "minimum", "message": "不能小于 0"},
		map[string]any{"field": "discount", "code": "script", "message": "折扣超过 30% 需要审批"},
	}, r.Errors[0].Extensions["fields"], "schema and script problems in one shape")

	r = run(t, srv, admin, `mutation { createQuote(input: {amount: 10, discount: 60}) { id } }`, nil)
	assert.Equal(t, "折扣不能超过 50%", path(r.Errors[0].Extensions, "fields", 0, "message"))

	r = run(t, srv, admin, `mutation { createQuote(input: {amount: 13}) { id } }`, nil)
	assert.Equal(t, []string{"SCRIPT_FAILED"}, r.codes())
	assert.Contains(t, r.Errors[0].Message, "quote.guard")
	assert.Contains(t, r.Errors[0].Message, "unlucky")

	data = mustRun(t, srv, admin, `mutation($rec: JSON) { testScript(object: "quote", kind: "beforeSave", source: "log('hi'); ctx.set('discount', 5)", record: $rec) {
	  error errors { field message } changes logs { level message } writes stats } }`, map[string]any{"rec": json.RawMessage(`{"amount": 1}`)})
	assert.Nil(t, path(data, "testScript", "error"))
	assert.Equal(t, map[string]any{"discount": 5.0}, path(data, "testScript", "changes"))
	assert.Equal(t, "hi", path(data, "testScript", "logs", 0, "message"))

	data = mustRun(t, srv, admin, `{ limits { name value unit } jobs { status } }`, nil)
	assert.NotEmpty(t, path(data, "limits"))
	r = run(t, srv, user, `{ limits { name } }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
}

func TestPersonalData_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	acc := path(mustRun(t, srv, admin, `mutation { createAccount(input: {name: "张三"}) { id } }`, nil), "createAccount", "id")
	mustRun(t, srv, admin, `mutation($a: ID) { createDeal(input: {title: "x", account: $a}) { id } }`, map[string]any{"a": acc})
	data := mustRun(t, srv, admin, `query($id: ID!) { personalData(object: "account", id: $id) }`, map[string]any{"id": acc})
	assert.Equal(t, "张三", path(data, "personalData", "record", "data", "name"))
	assert.Len(t, path(data, "personalData", "references"), 1)
	mustRun(t, srv, admin, `mutation($id: ID!) { erasePersonalData(object: "account", id: $id) }`, map[string]any{"id": acc})
	assert.Nil(t, path(mustRun(t, srv, admin, `query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": acc}), "account"))
	r := run(t, srv, user, `query($id: ID!) { personalData(object: "account", id: $id) }`, map[string]any{"id": acc})
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
}

// TestRoles_ThroughGraphQL: a role's API leaves out what it may not see,
// and the administrators' API in the same tenant keeps it.
func TestRoles_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	mustRun(t, srv, admin, `mutation { createDeal(input: {title: "大单", amount: 500}) { id } }`, nil)
	role := `{"name": "sales", "objects": {"deal": {"read": true, "create": true, "fields": {"amount": "hidden"}}}}`
	saved := mustRun(t, srv, admin, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	assert.Equal(t, "sales", path(saved, "saveRole", "name"))
	roles := mustRun(t, srv, admin, `{ roles }`, nil)
	assert.Len(t, path(roles, "roles"), 1)

	sales := engine.Actor{TenantID: tenantA, ID: "user:wang", Role: "sales"}
	data := mustRun(t, srv, sales, `{ deals { nodes { title } } }`, nil)
	assert.Equal(t, "大单", path(data, "deals", "nodes", 0, "title"))
	for _, q := range []string{
		`{ deals { nodes { amount } } }`,
		`{ deals(filter: {amount: {gt: 100}}) { totalCount } }`,
		`{ deals(orderBy: [{amount: DESC}]) { totalCount } }`,
		`{ accounts { totalCount } }`,
		`{ deals { nodes { account { name } } } }`,
	} {
		r := run(t, srv, sales, q, nil)
		assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "not in the role's API: %s", q)
	}
	r := run(t, srv, sales, `mutation { deleteDeal(id: "x") }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
	data = mustRun(t, srv, admin, `{ deals { nodes { amount } } }`, nil)
	assert.Equal(t, 500.0, path(data, "deals", "nodes", 0, "amount"), "administrators keep the whole API")
	r = run(t, srv, admin, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(`{"name": "x", "colour": "red"}`)})
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
}

// testExpression checks a rule's condition or a formula before it is
// saved: its value as the formula would store it, whether the rule would
// refuse, and a failure in words.
func TestScripts_TestExpression(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t)
	mustRun(t, srv, admin, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(
		`{"$id": "quote", "type": "object", "properties": {"amount": {"type": "number", "x-crm-type": "currency"}}}`)})
	const q = `mutation($e: String!, $t: String) { testExpression(object: "quote", expression: $e, record: {amount: 21}, resultType: $t) { value truthy error } }`
	scenarios := []struct {
		name, expression, resultType string
		value                        any
		truthy                       bool
		err                          string
	}{
		{"a formula's number", "amount * 2", "number", 42.0, true, ""},
		{"a rule that holds", "amount > 20", "boolean", true, true, ""},
		{"a rule that does not", "amount < 0", "", "false", false, ""},
		{"text by default", "'¥' + amount", "", "¥21", true, ""},
		{"no value", "null", "number", nil, false, ""},
		{"not a whole number", "amount / 4", "integer", nil, true, "not a whole number"},
		{"a syntax error", "amount >", "number", nil, false, "line 1"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			data := mustRun(t, srv, admin, q, map[string]any{"e": s.expression, "t": s.resultType})
			got := path(data, "testExpression").(map[string]any)
			if s.err != "" {
				assert.Contains(t, got["error"], s.err)
				return
			}
			assert.Nil(t, got["error"])
			assert.Equal(t, s.value, got["value"])
			assert.Equal(t, s.truthy, got["truthy"])
		})
	}
	r := run(t, srv, admin, `mutation { testExpression(object: "quote", expression: "1", resultType: "money") { value } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
	r = run(t, srv, admin, `mutation { testExpression(object: "nope", expression: "1") { value } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "no such object")
	r = run(t, srv, user, `mutation { testExpression(object: "quote", expression: "1") { value } }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
}
