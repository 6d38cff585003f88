package graphql_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

const customerWithAddressDef = `{"$id": "customer", "type": "object", "x-crm-label": {"zh": "客户", "en": "Customer"}, "properties": {
  "name": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "名称", "en": "Name"}},
  "address": {"type": "object", "x-crm-type": "address", "x-crm-label": {"zh": "地址", "en": "Address"}},
  "revenue": {"type": "number", "x-crm-type": "currency", "x-crm-label": {"zh": "营收", "en": "Revenue"}}},
  "required": ["name"]}`

// Customers by province: the address parts in the aggregate enums, run on
// the embedded store, each key labelled with the name as stored; and
// reports that name the parts either way.
func TestAggregate_ByAddressPart(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t, testkit.WithObjects(customerWithAddressDef))
	for _, c := range []map[string]any{
		{"name": "腾讯", "revenue": 300.0, "address": map[string]any{"country": "中国", "province": "广东省", "city": "深圳市", "district": "南山区"}},
		{"name": "网易", "revenue": 100.0, "address": map[string]any{"country": "中国", "province": "广东省", "city": "广州市", "district": "天河区"}},
		{"name": "大疆", "revenue": 50.0, "address": map[string]any{"country": "中国", "province": "广东省", "city": "深圳市", "district": "南山区"}},
		{"name": "阿里", "revenue": 500.0, "address": map[string]any{"country": "中国", "province": "浙江省", "city": "杭州市", "district": "余杭区"}},
		{"name": "无名"},
	} {
		_, err := tn.Engine.CreateRecord(tn.Admin, "customer", c)
		require.NoError(t, err)
	}

	const byProvince = `{ customersAggregate(groupBy: [{field: address_province}], orderBy: [{measure: {function: COUNT}, direction: DESC}, {key: 0}]) {
	  groups { keys { field value label } count cities: countDistinct(field: address_city) sum(field: revenue) } } }`
	type key = map[string]any
	want := []any{
		map[string]any{"keys": []any{key{"field": "address.province", "value": "广东省", "label": "广东省"}}, "count": 3.0, "cities": 2.0, "sum": 450.0},
		map[string]any{"keys": []any{key{"field": "address.province", "value": nil, "label": "（空）"}}, "count": 1.0, "cities": 0.0, "sum": nil},
		map[string]any{"keys": []any{key{"field": "address.province", "value": "浙江省", "label": "浙江省"}}, "count": 1.0, "cities": 1.0, "sum": 500.0},
	}
	data := mustRun(t, srv, user, byProvince, nil)
	assert.Equal(t, want, path(data, "customersAggregate", "groups"), "the empty group sorts before 浙江省: missing keys come first ascending")

	data = mustRun(t, srv, user, `{ customersAggregate(groupBy: [{field: address_city}, {field: address_district}], orderBy: [{key: 0}, {key: 1}]) {
	  groups { keys { value } count } } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"keys": []any{key{"value": nil}, key{"value": nil}}, "count": 1.0},
		map[string]any{"keys": []any{key{"value": "广州市"}, key{"value": "天河区"}}, "count": 1.0},
		map[string]any{"keys": []any{key{"value": "杭州市"}, key{"value": "余杭区"}}, "count": 1.0},
		map[string]any{"keys": []any{key{"value": "深圳市"}, key{"value": "南山区"}}, "count": 2.0},
	}, path(data, "customersAggregate", "groups"))

	r := run(t, srv, user, `{ customersAggregate(groupBy: [{field: address}]) { groups { count } } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "a whole address is no group field")
	r = run(t, srv, user, `{ customersAggregate(groupBy: [{field: address_street}]) { groups { count } } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "a street is no region")

	app := newTestApp(t, srv)
	post := func(lang, query string, vars map[string]any) result {
		t.Helper()
		return postAs(t, app, "admin", lang, query, vars)
	}
	scenarios := []struct {
		name, field string
	}{
		{"as the GraphQL enum names it", "address_province"},
		{"as the store names it", "address.province"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			def := map[string]any{"name": "byProvince", "object": "customer", "groupBy": []any{map[string]any{"field": s.field}},
				"measures": []any{map[string]any{"op": "count"}}, "order": []any{map[string]any{"measure": true, "index": 0, "desc": true}}, "chart": map[string]any{"type": "pie"}}
			b, err := json.Marshal(def)
			require.NoError(t, err)
			run := post("en", `query($r: JSON) { runReport(report: $r) { columns { key label field type } rows { keys { value label } values } } }`,
				map[string]any{"r": json.RawMessage(b)})
			require.Empty(t, run.Errors, run.messages())
			res := run.Data["runReport"].(map[string]any)
			assert.Equal(t, map[string]any{"key": "address.province", "label": "Address (Province)", "field": "address.province", "type": "text"}, path(res, "columns", 0))
			assert.Equal(t, map[string]any{"keys": []any{key{"value": "广东省", "label": "广东省"}}, "values": []any{3.0}}, path(res, "rows", 0))

			saved := post("zh", `mutation($r: JSON!) { saveReport(report: $r) { definition } }`, map[string]any{"r": json.RawMessage(b)})
			require.Empty(t, saved.Errors, saved.messages())
			assert.Equal(t, "address.province", path(saved.Data, "saveReport", "definition", "groupBy", 0, "field"), "kept in the store's spelling")
			run = post("zh", `{ runReport(name: "byProvince") { columns { label } rows { values } } }`, nil)
			require.Empty(t, run.Errors, run.messages())
			assert.Equal(t, "地址（省份）", path(run.Data, "runReport", "columns", 0, "label"))
			assert.Len(t, path(run.Data, "runReport", "rows"), 3)
		})
	}
}

// postAs posts a GraphQL request to app as the test actor ("admin" or
// "user") in the language lang.
func postAs(t testing.TB, app *fiber.App, actor, lang, query string, vars map[string]any) result {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Actor", actor)
	req.Header.Set("Accept-Language", lang)
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	var r result
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	return r
}
