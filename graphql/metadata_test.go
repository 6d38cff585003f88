package graphql_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// TestMetadata_ForEveryRole: objects, object and introspection answer
// every signed-in caller from its own catalog. A role sees the objects it
// may read, and nowhere — names, definitions, field definitions, stage
// rules, the schema — the name of a field it may not see or of an object
// it may not read, nor the tenant's scripts, automations and rules.
func TestMetadata_ForEveryRole(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	eng, ctx, actx := tn.Engine, tn.Background, tn.Admin
	for _, def := range []string{
		`{"$id": "payroll", "type": "object", "properties": {"salary": {"type": "number", "x-crm-type": "currency"}}}`,
		`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "deal", "type": "object", "$comment": "ask finance",
		  "properties": {
		    "title":  {"type": "string", "x-crm-type": "text"},
		    "amount": {"type": "number", "x-crm-type": "currency"},
		    "margin": {"type": "number", "x-crm-type": "currency"},
		    "net":    {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount - (margin || 0)"}},
		    "payslip": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "payroll"},
		    "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		    "stage":  {"type": "string", "enum": ["new", "won"], "default": "new", "x-crm-type": "picklist",
		      "x-crm-pipeline": {"stages": [{"value": "new", "category": "open"}, {"value": "won", "category": "won", "required": ["margin", "amount"]}]}}},
		  "required": ["title"],
		  "x-crm-indexes": [["stage", "margin"]],
		  "x-crm-validations": [{"name": "positive", "condition": "margin < 0", "field": "margin", "message": {"zh": "不能为负", "en": "not negative"}}],
		  "x-crm-scripts": [{"name": "guard", "kind": "validate", "source": "if (ctx.record.title === 'x') ctx.addError('title', 'no')"}],
		  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"}, "actions": [{"type": "webhook", "url": "https://erp.example.com/hook"}]}]}`,
	} {
		_, err := eng.SaveObject(actx, json.RawMessage(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, eng.SaveRole(actx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal":    {Read: true, Create: true, Fields: map[string]string{"margin": engine.FieldHidden}},
		"account": {Read: true},
	}}))
	sales := engine.Actor{TenantID: tenantA, ID: "user:wang", Role: "sales"}

	metadata := `{ objects { name label { zh en } definition fields { name type target pipeline { stages { value required } } } }
	  deal: object(name: "deal") { definition fields { name } }
	  other: object(name: "payroll") { name } }`
	leaks := []string{"margin", "payroll", "Payroll", "salary", "payslip", "ask finance", "x-crm-scripts", "x-crm-automations",
		"x-crm-validations", "x-crm-formula", "erp.example.com", "ctx.record"}
	scenarios := []struct {
		name  string
		query string
	}{
		{"objects and object", metadata},
		{"introspection", introspectionQuery},
		{"one type", `{ __type(name: "Deal") { fields { name } } filter: __type(name: "DealFilter") { inputFields { name } } }`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, sales, s.query, nil)
			require.Empty(t, r.Errors, r.messages())
			text, err := json.Marshal(r.Data)
			require.NoError(t, err)
			for _, leak := range leaks {
				assert.False(t, strings.Contains(string(text), leak), "%q is in the answer", leak)
			}
		})
	}

	data := mustRun(t, srv, sales, metadata, nil)
	var names []string
	for _, o := range data["objects"].([]any) {
		names = append(names, o.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"account", "deal"}, names, "the objects the role may read")
	assert.Nil(t, data["other"])
	assert.Equal(t, "formula", path(data, "deal", "definition", "properties", "net", "x-crm-type"))
	resp := srv.Exec(engine.WithActor(ctx, sales), `{ object(name: "deal") { definition } }`, "", nil)
	require.Empty(t, resp.Errors)
	var raw struct {
		Object struct {
			Definition struct {
				Properties json.RawMessage `json:"properties"`
			} `json:"definition"`
		} `json:"object"`
	}
	require.NoError(t, json.Unmarshal(resp.Data, &raw))
	assert.Equal(t, []any{"title", "amount", "net", "account", "stage"}, keysInOrder(t, raw.Object.Definition.Properties), "in the order defined")
	assert.Equal(t, []any{"amount"}, path(data, "objects", 1, "fields", 4, "pipeline", "stages", 1, "required"))

	full := mustRun(t, srv, admin, `{ object(name: "deal") { definition fields { name } } objects { name } }`, nil)
	text, err := json.Marshal(full)
	require.NoError(t, err)
	for _, kept := range []string{"margin", "x-crm-scripts", "erp.example.com", "ask finance"} {
		assert.Contains(t, string(text), kept, "administrators get the whole document")
	}
	assert.Len(t, full["objects"], 3)
}

// keysInOrder returns the member names of a JSON object as written.
func keysInOrder(t *testing.T, b []byte) []any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var out []any
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		out = append(out, tok)
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return out
}

// recordCount counts what the caller may read: every record for an
// administrator, the role's own for a private object.
func TestMetadata_RecordCount(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	eng, actx := tn.Engine, tn.Admin
	_, err := eng.SaveObject(actx, json.RawMessage(`{"$id": "note", "type": "object", "x-crm-sharing": "private",
	  "properties": {"text": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(actx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{"note": {Read: true, Create: true}}}))
	rep := engine.Actor{TenantID: tenantA, ID: "user:li", Role: "rep"}
	for range 3 {
		_, err := eng.CreateRecord(actx, "note", map[string]any{"text": "admin's"})
		require.NoError(t, err)
	}
	mustRun(t, srv, rep, `mutation { createNote(input: {text: "mine"}) { id } }`, nil)

	count := func(a engine.Actor) any {
		data := mustRun(t, srv, a, `{ object(name: "note") { recordCount } }`, nil)
		return data["object"].(map[string]any)["recordCount"]
	}
	assert.Equal(t, float64(4), count(admin))
	assert.Equal(t, float64(1), count(rep))
}

// Usage figures are the administrators'.
func TestUsage_AdministratorsOnly(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	require.NoError(t, tn.Engine.SaveRole(tn.Admin, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{}}))
	rep := engine.Actor{TenantID: tenantA, ID: "user:li", Role: "rep"}
	r := run(t, srv, rep, `{ usage { name } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])
	data := mustRun(t, srv, admin, `{ usage { name window value unit limit description } limits { name description } }`, nil)
	assert.NotEmpty(t, data["usage"])
	described := map[string]any{}
	for _, kind := range []string{"usage", "limits"} {
		for _, f := range data[kind].([]any) {
			m := f.(map[string]any)
			described[m["name"].(string)] = m["description"]
		}
	}
	assert.Equal(t, "脚本运行次数（校验、钩子、自动化脚本、定时和测试运行）", described["script.runs"], "in the request's language, Chinese by default")
	assert.Equal(t, "单个脚本、规则或公式的运行时长", described["script.wallTime"])
	assert.Equal(t, "查询文本的长度", described["query.length"])
}
