package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_Regions: addresses with GB/T 2260 codes over HTTP, on the
// store the server runs on (.ci/ferretdb-e2e runs it on MongoDB too):
// codes give names, names give codes, a bad code is a field error and
// writes nothing, filters and groups go by code or by name, and a report
// grouped by province shows the provinces' names.
func TestServe_Regions(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)

	data := s.ok(t, `mutation { createAccount(input: {name: "腾讯", address: {districtCode: "440305", street: "科技中一路"}}) {
	  address { province city district provinceCode cityCode districtCode street } } }`, nil)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "深圳市", "district": "南山区",
		"provinceCode": "440000", "cityCode": "440300", "districtCode": "440305", "street": "科技中一路"}, path(data, "createAccount", "address"))
	data = s.ok(t, `mutation { createAccount(input: {name: "网易", address: {province: "广东", city: "广州", district: "天河区"}}) {
	  address { province city district provinceCode cityCode districtCode } } }`, nil)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "广州市", "district": "天河区",
		"provinceCode": "440000", "cityCode": "440100", "districtCode": "440106"}, path(data, "createAccount", "address"))
	s.ok(t, `mutation { createAccount(input: {name: "京东", address: {provinceCode: "110000", cityCode: "110100", districtCode: "110115"}}) { id } }`, nil)
	data = s.ok(t, `mutation { createAccount(input: {name: "Apple", address: {country: "美国", province: "California", city: "Cupertino", postalCode: "95014"}}) {
	  address { country province city provinceCode postalCode } } }`, nil)
	assert.Equal(t, map[string]any{"country": "美国", "province": "California", "city": "Cupertino", "provinceCode": nil, "postalCode": "95014"},
		path(data, "createAccount", "address"), "a foreign address is kept as it is")

	r := s.gql(t, s.Key, `mutation { createAccount(input: {name: "坏", address: {provinceCode: "110000", cityCode: "440300", postalCode: "1234"}}) { id } }`, nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	fields, _ := r.Errors[0].Extensions["fields"].([]any)
	named := map[any]any{}
	for _, f := range fields {
		named[path(f, "field")] = path(f, "message")
	}
	assert.Equal(t, map[any]any{"address.cityCode": "city 440300 (深圳市) is not in province 110000 (北京市)",
		"address.postalCode": `"1234" is not a postal code: one in China has 6 digits`}, named)
	data = s.ok(t, `{ accounts { totalCount } }`, nil)
	assert.Equal(t, 4.0, path(data, "accounts", "totalCount"), "nothing written")

	data = s.ok(t, `{ a: accounts(filter: {address: {provinceCode: {eq: "440000"}}}) { totalCount }
	  b: accounts(filter: {address: {province: {eq: "广东省"}}}) { totalCount }
	  c: accounts(filter: {address: {cityCode: {in: ["440300", "110100"]}}}) { totalCount } }`, nil)
	assert.Equal(t, 2.0, path(data, "a", "totalCount"))
	assert.Equal(t, 2.0, path(data, "b", "totalCount"))
	assert.Equal(t, 2.0, path(data, "c", "totalCount"))

	data = s.ok(t, `{ accountsAggregate(groupBy: [{field: address_provinceCode}], orderBy: [{measure: {function: COUNT}, direction: DESC}]) {
	  groups { keys { value label } count } } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"keys": []any{map[string]any{"value": "440000", "label": "广东省"}}, "count": 2.0},
		map[string]any{"keys": []any{map[string]any{"value": nil, "label": "(empty)"}}, "count": 1.0},
		map[string]any{"keys": []any{map[string]any{"value": "110000", "label": "北京市"}}, "count": 1.0},
	}, path(data, "accountsAggregate", "groups"))

	data = s.ok(t, `query($r: JSON) { runReport(report: $r) { columns { key label } rows { keys { value label } values } } }`,
		map[string]any{"r": map[string]any{"name": "byProvince", "object": "account", "groupBy": []any{map[string]any{"field": "address.provinceCode"}, map[string]any{"field": "address_city"}},
			"measures": []any{map[string]any{"op": "count"}}, "chart": map[string]any{"type": "table"}}})
	assert.Equal(t, "Address (Province code)", path(data, "runReport", "columns", 0, "label"))
	var rows [][]any
	for _, row := range path(data, "runReport", "rows").([]any) {
		rows = append(rows, []any{path(row, "keys", 0, "label"), path(row, "keys", 1, "label"), path(row, "values", 0)})
	}
	assert.ElementsMatch(t, [][]any{{"北京市", "北京市", 1.0}, {"广东省", "广州市", 1.0}, {"广东省", "深圳市", 1.0}, {"(empty)", "Cupertino", 1.0}}, rows)
}
