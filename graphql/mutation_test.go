package graphql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func TestMutation_Create(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name  string
		query string
		vars  map[string]any
		want  map[string]any
	}{
		{
			name:  "literal, nulls left out",
			query: `mutation { createDeal(input: {title: "Big", amount: 12, stage: new, email: null, closeDate: "2025-07-01", account: "a1"}) { id title } }`,
			want:  map[string]any{"title": "Big", "amount": 12.0, "stage": "new", "closeDate": "2025-07-01", "account": "a1"},
		},
		{
			name:  "variables",
			query: `mutation($in: DealInput!) { createDeal(input: $in) { id } }`,
			vars:  map[string]any{"in": map[string]any{"title": "V", "amount": 3.5, "account": nil}},
			want:  map[string]any{"title": "V", "amount": 3.5},
		},
		{
			name: "every kind of field",
			query: `mutation { createTicket(input: {notes: "n", count: 7, score: 0.5, done: true, dueAt: "2025-01-02T03:04:05+08:00",
				extra: {b: [1, "x", null], a: {c: true}}, watchers: ["a1", "a2"], labels: [a], site: "https://x.cn",
				shipTo: {city: "北京", street: null}}) { id } }`,
			want: map[string]any{"notes": "n", "count": 7.0, "score": 0.5, "done": true, "dueAt": "2025-01-01T19:04:05.000000Z",
				"extra": map[string]any{"b": []any{1.0, "x", nil}, "a": map[string]any{"c": true}}, "watchers": []any{"a1", "a2"},
				"labels": []any{"a"}, "site": "https://x.cn", "shipTo": map[string]any{"city": "北京"}},
		},
		{
			name:  "a single value where a list is expected",
			query: `mutation { createTicket(input: {labels: b, watchers: "a9"}) { id } }`,
			want:  map[string]any{"labels": []any{"b"}, "watchers": []any{"a9"}},
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			mustRun(t, srv, user, s.query, s.vars)
			require.Len(t, f.creates, 1)
			assert.Equal(t, s.want, f.creates[0].Data)
		})
	}
}

func TestMutation_ReadOnlyFieldsAreNotInputs(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	r := run(t, srv, user, `mutation { createTicket(input: {number: "T-9"}) { id } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.messages(), `"number"`)
	assert.Empty(t, f.creates)
}

// TestMutation_PatchNullVersusAbsent checks that a field given as null
// clears it and a field left out is kept, in literals and in variables.
func TestMutation_PatchNullVersusAbsent(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		query   string
		vars    map[string]any
		want    map[string]any
		version *int64
	}{
		{
			name:  "literal",
			query: `mutation { updateDeal(id: "d1", input: {amount: null, stage: won}) { id } }`,
			want:  map[string]any{"amount": nil, "stage": "won"},
		},
		{
			name:  "variable holding the patch",
			query: `mutation($p: DealPatch!) { updateDeal(id: "d1", input: $p) { id } }`,
			vars:  map[string]any{"p": map[string]any{"amount": nil, "stage": "won"}},
			want:  map[string]any{"amount": nil, "stage": "won"},
		},
		{
			name:  "variables inside the literal; one not given is absent",
			query: `mutation($a: Float, $s: DealStage, $e: String) { updateDeal(id: "d1", input: {amount: $a, stage: $s, email: $e}) { id } }`,
			vars:  map[string]any{"a": nil, "s": "lost"},
			want:  map[string]any{"amount": nil, "stage": "lost"},
		},
		{
			name:    "with the expected version",
			query:   `mutation { updateDeal(id: "d1", input: {closeDate: null, account: "a2"}, version: 4) { id } }`,
			want:    map[string]any{"closeDate": nil, "account": "a2"},
			version: func() *int64 { v := int64(4); return &v }(),
		},
		{
			name:  "json and address cleared",
			query: `mutation { updateTicket(id: "d1", input: {extra: null, shipTo: null, labels: null}) { id } }`,
			want:  map[string]any{"extra": nil, "shipTo": nil, "labels": nil},
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv, f := newTestServer(t)
			f.UpdateFunc = func(_ context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error) {
				return store.Record{ID: id, Data: map[string]any{}}, nil
			}
			mustRun(t, srv, user, s.query, s.vars)
			require.Len(t, f.updates, 1)
			assert.Equal(t, "d1", f.updates[0].ID)
			assert.Equal(t, s.want, f.updates[0].Data)
			assert.Equal(t, s.version, f.updates[0].Version)
		})
	}
}

func TestMutation_Delete(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "deal", "d1", map[string]any{"title": "x"})
	data := mustRun(t, srv, user, `mutation { deleteDeal(id: "d1") }`, nil)
	assert.Equal(t, true, data["deleteDeal"])
	assert.Equal(t, []fakeWrite{{Object: "deal", ID: "d1"}}, f.deletes)
}

func TestMutation_MissingRecordIsNotFound(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	scenarios := []struct {
		name  string
		query string
	}{
		{name: "update", query: `mutation { updateDeal(id: "nope", input: {title: "x"}) { id } }`},
		{name: "delete", query: `mutation { deleteDeal(id: "nope") }`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, srv, user, s.query, nil)
			require.Len(t, r.Errors, 1)
			assert.Equal(t, []string{"NOT_FOUND"}, r.codes())
			assert.Equal(t, "未找到", r.Errors[0].Message)
			assert.Equal(t, map[string]any{s.name + "Deal": nil}, r.Data, "a mutation's root field answers for itself")
		})
	}
}

func TestMutation_ValidationErrorNamesEveryField(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.CreateFunc = func(context.Context, string, map[string]any) (store.Record, error) {
		return store.Record{}, &schema.ValidationError{Object: "deal", Label: schema.Label{Zh: "商机", En: "Deal"}, Fields: []schema.FieldError{
			{Field: "title", Code: "required", Message: "is required", MessageZh: "必填"},
			{Field: "email", Code: "format", Message: "is not an email address", MessageZh: "不是有效的邮箱地址"},
			{Field: "amount", Code: "minimum", Message: "must be at least 0", MessageZh: "不能小于 0"},
		}}
	}
	r := run(t, srv, user, `mutation { createDeal(input: {email: "x", amount: -1}) { id } }`, nil)
	require.Len(t, r.Errors, 1)
	e := r.Errors[0]
	assert.Equal(t, "VALIDATION_FAILED", e.Extensions["code"])
	assert.Equal(t, "商机记录未通过校验", e.Message, "the headline names the object by its label")
	assert.Equal(t, []any{
		map[string]any{"field": "title", "code": "required", "message": "必填"},
		map[string]any{"field": "email", "code": "format", "message": "不是有效的邮箱地址"},
		map[string]any{"field": "amount", "code": "minimum", "message": "不能小于 0"},
	}, e.Extensions["fields"])
}

func TestMutation_SaveObject(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	var gotDef json.RawMessage
	var gotOpts engine.SaveOptions
	f.SaveObjectFunc = func(ctx context.Context, def json.RawMessage, opts engine.SaveOptions) (*engine.ObjectInfo, error) {
		gotDef, gotOpts = def, opts
		lead := &schema.Object{Name: "lead", Version: 1, Definition: def, Label: schema.Label{Zh: "线索"},
			Fields: []*schema.Field{{Name: "company", Type: schema.TypeText, Required: true}}}
		f.setObjects(tenantA, accountObject(), dealObject(), ticketObject(), lead)
		return &engine.ObjectInfo{Object: lead, Version: 1, SavedAt: "2025-04-01T00:00:00.000000Z", SavedBy: "key:admin"}, nil
	}

	r := run(t, srv, user, `{ leads { nodes { id } } }`, nil)
	require.NotEmpty(t, r.Errors, "no lead object yet")

	const def = `{"$id": "lead", "properties": {"zeta": {"type": "string"}, "alpha": {"type": "number"}}}`
	r = run(t, srv, user, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes(), "only administrators")
	assert.Equal(t, 0, f.count("SaveObject"))

	data := mustRun(t, srv, admin, `mutation($d: JSON!) { saveObject(definition: $d, options: {expectedVersion: 2, fill: {company: "n/a"}, remap: {stage: {old: "new"}}, clear: ["gone"]}) {
		name version label { zh en } definition fields { name type required options target unique sensitive } savedAt savedBy } }`,
		map[string]any{"d": json.RawMessage(def)})
	assert.JSONEq(t, def, string(gotDef))
	assert.Equal(t, `{"$id":"lead","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"}}}`, string(gotDef),
		"the definition keeps its property order")
	assert.Equal(t, engine.SaveOptions{ExpectedVersion: 2, Fill: map[string]any{"company": "n/a"},
		Remap: map[string]map[string]string{"stage": {"old": "new"}}, Clear: []string{"gone"}}, gotOpts)
	saved := data["saveObject"].(map[string]any)
	assert.Equal(t, "lead", saved["name"])
	assert.Equal(t, map[string]any{"zh": "线索", "en": nil}, saved["label"])
	assert.Equal(t, "2025-04-01T00:00:00.000000Z", saved["savedAt"])
	assert.Equal(t, []any{map[string]any{"name": "company", "type": "text", "required": true, "options": nil, "target": nil, "unique": false, "sensitive": false}}, saved["fields"])

	// The very next request sees the new object.
	mustRun(t, srv, user, `{ leads { nodes { id company } } }`, nil)

	// A literal keeps its order too, and a string holds JSON text.
	mustRun(t, srv, admin, `mutation { saveObject(definition: {b: 1, a: [true]}) { name } }`, nil)
	assert.Equal(t, `{"b":1,"a":[true]}`, string(gotDef))
	mustRun(t, srv, admin, `mutation { saveObject(definition: "{\"z\": 1, \"y\": 2}") { name } }`, nil)
	assert.Equal(t, `{"z": 1, "y": 2}`, string(gotDef))
}

func TestMutation_SaveObjectDefinitionErrors(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.SaveObjectFunc = func(context.Context, json.RawMessage, engine.SaveOptions) (*engine.ObjectInfo, error) {
		return nil, &schema.DefinitionError{Object: "lead", Problems: []schema.Problem{
			{Path: "/properties/amount/x-crm-type", Message: "unknown field type \"money\""},
			{Path: "/$id", Message: "must match ^[a-z][a-zA-Z0-9]{0,39}$"},
			{Path: "/properties/stage", Message: "2 stored record(s) would not fit", Migration: &schema.Migration{
				Field: "stage", Code: "enum", Records: 2, Example: "r7", Reason: "must be one of the options", ReasonZh: "必须是选项之一"}},
		}}
	}
	r := run(t, srv, admin, `mutation { saveObject(definition: {}) { name } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	assert.Equal(t, []any{
		map[string]any{"path": "/properties/amount/x-crm-type", "message": "unknown field type \"money\""},
		map[string]any{"path": "/$id", "message": "must match ^[a-z][a-zA-Z0-9]{0,39}$"},
		map[string]any{"path": "/properties/stage", "message": "2 stored record(s) would not fit",
			"field": "stage", "code": "enum", "records": float64(2), "example": "r7", "reason": "必须是选项之一"},
	}, r.Errors[0].Extensions["problems"])
}

func TestQuery_ObjectDefinitions(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.HistoryFunc = func(_ context.Context, name string) ([]engine.ObjectInfo, error) {
		return []engine.ObjectInfo{{Object: dealObject(), Version: 2, SavedAt: "2025-02-01T00:00:00.000000Z", SavedBy: "key:admin"},
			{Object: dealObject(), Version: 1, SavedAt: "2025-01-01T00:00:00.000000Z", SavedBy: "system"}}, nil
	}
	t.Run("objectHistory needs an administrator", func(t *testing.T) {
		t.Parallel()
		r := run(t, srv, user, `{ objectHistory(name: "deal") { version } }`, nil)
		assert.Equal(t, []string{"FORBIDDEN"}, r.codes())
		assert.Nil(t, r.Data)
	})
	t.Run("objects serves the caller's catalog", func(t *testing.T) {
		t.Parallel()
		data := mustRun(t, srv, user, `{ objects { name } }`, nil)
		assert.Len(t, data["objects"], 3, "the fake engine gives everyone the whole catalog; the engine gives a role its view")
	})

	data := mustRun(t, srv, admin, `{ objects { name version title description fields { name } }
		deal: object(name: "deal") { name label { zh en } definition fields { name type options target } }
		none: object(name: "nothing") { name }
		objectHistory(name: "deal") { version savedAt savedBy } }`, nil)
	var names []string
	for _, o := range data["objects"].([]any) {
		names = append(names, o.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"account", "deal", "ticket"}, names)
	deal := data["deal"].(map[string]any)
	assert.Equal(t, map[string]any{"zh": "商机", "en": "Deal"}, deal["label"])
	assert.Equal(t, map[string]any{"$id": "deal", "type": "object"}, deal["definition"])
	assert.Contains(t, deal["fields"], map[string]any{"name": "stage", "type": "picklist", "options": []any{"new", "qualified", "won", "lost"}, "target": nil})
	assert.Contains(t, deal["fields"], map[string]any{"name": "account", "type": "lookup", "options": nil, "target": "account"})
	assert.Nil(t, data["none"])
	assert.Equal(t, []any{
		map[string]any{"version": 2.0, "savedAt": "2025-02-01T00:00:00.000000Z", "savedBy": "key:admin"},
		map[string]any{"version": 1.0, "savedAt": "2025-01-01T00:00:00.000000Z", "savedBy": "system"},
	}, data["objectHistory"])

	// object(name) is open to every actor (forms need it).
	data = mustRun(t, srv, user, `{ object(name: "account") { name version } }`, nil)
	assert.Equal(t, map[string]any{"name": "account", "version": 3.0}, data["object"])
}
