package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_Duplicates: duplicate rules and a merge through the real HTTP
// server — a warning in the create's answer, a block as VALIDATION_FAILED
// naming the record, the groups, a merge that re-points a lookup and a
// multilookup, and an import whose rows are rejected or noted.
func TestServe_Duplicates(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	for _, def := range []string{`{"$id": "firm", "type": "object", "x-crm-label": {"zh": "客户", "en": "Firm"},
	  "properties": {"name": {"type": "string", "x-crm-type": "text"}, "uscc": {"type": "string", "x-crm-type": "text"}, "phone": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-duplicates": [
	    {"name": "uscc", "label": {"zh": "信用代码", "en": "Credit code"}, "action": "block", "match": [{"field": "uscc", "normalizer": "uscc"}]},
	    {"name": "firmName", "label": {"zh": "名称", "en": "Name"}, "action": "warn", "match": [{"field": "name", "normalizer": "company"}]}]}`,
		`{"$id": "person", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
	  "firm": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "firm"},
	  "firms": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "firm"}}}`} {
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	a := s.ok(t, `mutation { createFirm(input: {name: "上海宏达贸易有限公司", uscc: "U1"}) { id } }`, nil)["createFirm"].(map[string]any)["id"].(string)
	b := s.ok(t, `mutation { createFirm(input: {name: "宏达贸易（上海）有限公司", phone: "021"}) { id possibleDuplicates { id rule action } } }`, nil)["createFirm"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"id": a, "rule": "firmName", "action": "warn"}}, b["possibleDuplicates"])

	r := s.gql(t, s.Key, `mutation { createFirm(input: {name: "别家", uscc: "u 1"}) { id } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	fields, _ := json.Marshal(r.Errors[0].Extensions["fields"])
	assert.Contains(t, string(fields), `duplicates Firm \"上海宏达贸易有限公司\" (rule: Credit code)`)

	groups := s.ok(t, `{ duplicateGroups(object: "firm") { groups { rule ids } } }`, nil)
	assert.Equal(t, []any{map[string]any{"rule": "firmName", "ids": []any{a, b["id"]}}}, path(groups, "duplicateGroups", "groups"))

	p := s.ok(t, `mutation($f: [ID!]) { createPerson(input: {name: "张三", firm: "`+b["id"].(string)+`", firms: $f}) { id } }`,
		map[string]any{"f": []any{b["id"], a}})["createPerson"].(map[string]any)["id"].(string)
	m := s.ok(t, `mutation($o: [ID!]!) { mergeRecords(object: "firm", survivor: "`+a+`", others: $o, fields: {phone: "`+b["id"].(string)+`"}) { survivorId merged references } }`,
		map[string]any{"o": []any{b["id"]}})
	assert.Equal(t, map[string]any{"survivorId": a, "merged": []any{b["id"]}, "references": 2.0}, m["mergeRecords"])
	got := s.ok(t, `{ person(id: "`+p+`") { firm { id } firms { id } } firm(id: "`+a+`") { phone } }`, nil)
	assert.Equal(t, a, path(got, "person", "firm", "id"))
	assert.Equal(t, []any{map[string]any{"id": a}}, path(got, "person", "firms"))
	assert.Equal(t, "021", path(got, "firm", "phone"))

	// An import: the row with the blocked code is rejected at its cell, the
	// similar name lands with a note.
	csv := "名称,代码\n宏达贸易股份有限公司,U2\n另一家,u1\n"
	status, up := s.upload(t, s.Key, "firms.csv", []byte(csv), false, nil)
	require.Equal(t, http.StatusCreated, status, up)
	job := s.ok(t, `mutation($u: ID!) { startImport(upload: $u, object: "firm", columns: ["name", "uscc"], mode: "create") { id } }`,
		map[string]any{"u": up["id"]})["startImport"].(map[string]any)["id"].(string)
	var res map[string]any
	require.Eventually(t, func() bool {
		res = s.ok(t, `query($j: ID!) { importResult(job: $j) }`, map[string]any{"j": job})
		return path(res, "importResult", "status") == "done"
	}, 20*time.Second, 50*time.Millisecond)
	out := res["importResult"].(map[string]any)
	assert.EqualValues(t, 1, out["created"])
	assert.EqualValues(t, 1, out["rejectedCount"])
	assert.Equal(t, "代码", path(out, "rejected", 0, "problems", 0, "column"), out["rejected"])
	assert.EqualValues(t, 2, path(out, "notes", 0, "line"))
	assert.True(t, strings.Contains(path(out, "notes", 0, "message").(string), "上海宏达贸易有限公司"), out["notes"])
}
