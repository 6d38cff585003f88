package graphql_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// TestImports_GraphQL runs an import of kept rows through the API: the
// arguments' checks, the preview with an explicit mapping, the job and
// its result, and who may use an upload.
func TestImports_GraphQL(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	up, err := s.eng.KeepImportUpload(s.ctx, engine.ImportUpload{FileName: "leads.csv", Format: "csv", Table: engine.ImportTable{
		Header: []string{"联系人", "公司", "预算"},
		Rows: []engine.ImportRow{
			{Line: 2, Cells: []string{"王芳", "苏州精工机械有限公司", "1.2万"}},
			{Line: 3, Cells: []string{"", "杭州云帆科技有限公司", ""}},
		}}})
	require.NoError(t, err)
	vars := func(extra string) string { return fmt.Sprintf(`{"u": %q%s}`, up.ID, extra) }
	problem := func(r httpReply) (string, string) {
		body := r.json(t)
		errs, _ := body["errors"].([]any)
		require.NotEmpty(t, errs, string(r.body))
		e := errs[0].(map[string]any)
		return e["extensions"].(map[string]any)["code"].(string), e["message"].(string)
	}

	scenarios := []struct {
		name, query, vars, code string
	}{
		{"first out of range", `query($u: ID!) { previewImport(upload: $u, object: "lead", first: 0) }`, vars(""), "BAD_REQUEST"},
		{"lookupBy not an object of names", `query($u: ID!, $l: JSON) { previewImport(upload: $u, object: "lead", lookupBy: $l) }`, vars(`, "l": [1]`), "BAD_REQUEST"},
		{"a column mapped to a field lead lacks", `query($u: ID!) { previewImport(upload: $u, object: "lead", columns: ["name", "nickname"]) }`, vars(""), "BAD_REQUEST"},
		{"an unknown upload", `{ importUpload(id: "nope") }`, "", "NOT_FOUND"},
		{"an unknown job", `{ importResult(job: "nope") }`, "", "NOT_FOUND"},
		{"an unknown object", `query($u: ID!) { previewImport(upload: $u, object: "ghost") }`, vars(""), "BAD_REQUEST"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			code, msg := problem(s.post(t, s.admin, sc.query, sc.vars, ""))
			assert.Equal(t, sc.code, code, msg)
		})
	}

	r := s.post(t, s.admin, `query($u: ID!) { previewImport(upload: $u, object: "lead", columns: ["name", "company", "budget"]) }`, vars(""), "")
	require.Equal(t, 200, r.status, string(r.body))
	var preview struct {
		Data struct {
			PreviewImport struct {
				Columns []string
				Preview []struct {
					Line     int
					Values   map[string]any
					Problems []struct{ Column, Code, Message string }
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(r.body, &preview))
	p := preview.Data.PreviewImport
	assert.Equal(t, []string{"name", "company", "budget"}, p.Columns, "the mapping given, not the suggested one")
	require.Len(t, p.Preview, 2)
	assert.Equal(t, 12000.0, p.Preview[0].Values["budget"])
	require.Len(t, p.Preview[1].Problems, 1)
	assert.Equal(t, "联系人", p.Preview[1].Problems[0].Column, "named by the file's header")

	r = s.post(t, s.admin, `mutation($c: JSON!) { saveImportMapping(object: "lead", name: "展会名单", columns: $c) }`, `{"c": {"联系人": "name", "公司": "company"}}`, "")
	require.Equal(t, 200, r.status, string(r.body))
	mapping := r.json(t)["data"].(map[string]any)["saveImportMapping"].(map[string]any)
	assert.Equal(t, "create", mapping["mode"])
	r = s.post(t, s.admin, `query($u: ID!, $m: ID) { previewImport(upload: $u, object: "lead", mapping: $m) }`, vars(fmt.Sprintf(`, "m": %q`, mapping["id"])), "")
	require.NoError(t, json.Unmarshal(r.body, &preview), string(r.body))
	assert.Equal(t, []string{"name", "company", ""}, preview.Data.PreviewImport.Columns, "the saved mapping's, by header; 预算 it does not name")
	r = s.post(t, s.admin, `{ importMappings(object: "lead") }`, "", "")
	assert.Contains(t, string(r.body), `"name":"展会名单"`)
	r = s.post(t, s.admin, `mutation($m: ID!) { deleteImportMapping(id: $m) }`, fmt.Sprintf(`{"m": %q}`, mapping["id"]), "")
	assert.JSONEq(t, `{"data": {"deleteImportMapping": true}}`, string(r.body))
	code, _ := problem(s.post(t, s.admin, `query($u: ID!, $m: ID) { previewImport(upload: $u, object: "lead", mapping: $m) }`, vars(fmt.Sprintf(`, "m": %q`, mapping["id"])), ""))
	assert.Equal(t, "NOT_FOUND", code, "a deleted mapping")

	rep := s.roleKeys["salesRep"]
	code, _ = problem(s.post(t, rep, `query($u: ID!) { importUpload(id: $u) }`, vars(""), ""))
	assert.Equal(t, "NOT_FOUND", code, "an upload is its uploader's (and administrators')")

	r = s.post(t, s.admin, `mutation($u: ID!) { startImport(upload: $u, object: "lead", columns: ["name", "company", "budget"], dryRun: true) { id } }`, vars(""), "")
	require.Equal(t, 200, r.status, string(r.body))
	dry := waitImport(t, s, r.json(t)["data"].(map[string]any)["startImport"].(map[string]any)["id"].(string))
	assert.Equal(t, true, dry["dryRun"])
	assert.EqualValues(t, 1, dry["valid"])
	assert.EqualValues(t, 1, dry["rejectedCount"])
	assert.EqualValues(t, 0, dry["created"])
	assert.Zero(t, s.count(t, "lead", "company", "苏州精工机械有限公司"), "a dry run writes nothing")

	r = s.post(t, s.admin, `mutation($u: ID!) { startImport(upload: $u, object: "lead", columns: ["name", "company", "budget"]) { id kind status } }`, vars(""), "")
	require.Equal(t, 200, r.status, string(r.body))
	job := r.json(t)["data"].(map[string]any)["startImport"].(map[string]any)
	assert.Equal(t, "import", job["kind"])
	result := waitImport(t, s, job["id"].(string))
	assert.Nil(t, result["dryRun"])
	assert.Equal(t, "done", result["status"])
	assert.EqualValues(t, 1, result["created"])
	assert.EqualValues(t, 1, result["rejectedCount"])
	assert.EqualValues(t, 3, result["lastLine"])
	assert.Equal(t, "/imports/"+job["id"].(string)+"/rejects.csv", result["rejectsUrl"])
	assert.EqualValues(t, 1, s.count(t, "lead", "company", "苏州精工机械有限公司"))
	code, _ = problem(s.post(t, rep, `query($j: ID!) { importResult(job: $j) }`, fmt.Sprintf(`{"j": %q}`, job["id"]), ""))
	assert.Equal(t, "NOT_FOUND", code, "nor what another's import did")
}

// waitImport follows an import job until it has ended and returns
// importResult.
func waitImport(t *testing.T, s *httpStack, job string) map[string]any {
	t.Helper()
	var result map[string]any
	require.Eventually(t, func() bool {
		r := s.post(t, s.admin, `query($j: ID!) { importResult(job: $j, first: 1) }`, fmt.Sprintf(`{"j": %q}`, job), "")
		var body struct {
			Data struct{ ImportResult map[string]any }
		}
		if json.Unmarshal(r.body, &body) != nil {
			return false
		}
		result = body.Data.ImportResult
		return result != nil && result["status"] != "running" && result["created"] != nil
	}, time.Minute, 10*time.Millisecond, "the import ends")
	return result
}
