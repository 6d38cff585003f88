package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// upload sends a file to /imports/upload as key: as the body with its
// name in the query, or (multipart) as a form's file field.
func (s *testServer) upload(t *testing.T, key, name string, data []byte, multipartForm bool, query url.Values) (int, map[string]any) {
	t.Helper()
	var body io.Reader = bytes.NewReader(data)
	contentType := "application/octet-stream"
	if query == nil {
		query = url.Values{}
	}
	if multipartForm {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		part, err := w.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = part.Write(data)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		body, contentType = &b, w.FormDataContentType()
	} else {
		query.Set("name", name)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/imports/upload?"+query.Encode(), body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// get fetches a path as key.
func (s *testServer) get(t *testing.T, key, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, raw
}

// okAs runs a query as key that must succeed.
func (s *testServer) okAs(t *testing.T, key, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.gql(t, key, query, vars)
	require.Empty(t, r.Errors, "query: %s", query)
	return r.Data
}

// TestServe_Import: a clerk uploads the GB18030 CSV Excel in China
// saves and an .xlsx workbook, previews them, imports them as jobs with
// their own rights, reads what the jobs did and downloads the rejected
// rows; nobody else can use the clerk's uploads.
func TestServe_Import(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	for _, def := range []string{
		`{"$id": "shop", "type": "object", "x-crm-label": {"zh": "门店", "en": "Shop"}, "properties": {
		  "name": {"type": "string", "x-crm-type": "text"}, "code": {"type": "string", "x-crm-type": "text", "x-crm-unique": true}}}`,
		`{"$id": "member", "type": "object", "x-crm-label": {"zh": "会员", "en": "Member"}, "required": ["name"], "properties": {
		  "name":   {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "姓名", "en": "Name"}},
		  "mobile": {"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-unique": true, "x-crm-label": {"zh": "手机号", "en": "Mobile"}},
		  "tier":   {"type": "string", "enum": ["gold", "silver"], "x-crm-type": "picklist", "x-crm-label": {"zh": "会员等级", "en": "Tier"},
		    "x-crm-options": [{"value": "gold", "label": {"zh": "金卡", "en": "Gold"}}, {"value": "silver", "label": {"zh": "银卡", "en": "Silver"}}]},
		  "shop":   {"type": "string", "x-crm-type": "lookup", "x-crm-target": "shop", "x-crm-label": {"zh": "门店", "en": "Shop"}}}}`,
	} {
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	s.ok(t, `mutation { createShop(input: {name: "南京西路店", code: "SH01"}) { id } }`, nil)
	role := `{"name": "clerk", "label": {"zh": "店员", "en": "Clerk"}, "objects": {"member": {"read": true, "create": true, "update": true}, "shop": {"read": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	clerk, other := roleKey(t, dir, "clerk"), roleKey(t, dir, "clerk")

	text := "姓名,手机号,会员等级,门店,备注\r\n" +
		"王芳,138 0013 8000,金卡,南京西路店,老客户\r\n" +
		",13900139000,银卡,人民广场店,\r\n" +
		"韩梅梅,13700137000,钻石卡,,\r\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	require.NoError(t, err)
	status, up := s.upload(t, clerk, "会员.csv", []byte(gbk), false, url.Values{"object": {"member"}})
	require.Equal(t, http.StatusCreated, status, up)
	assert.Equal(t, "会员.csv", up["fileName"])
	assert.Equal(t, "csv", up["format"])
	assert.Equal(t, "gb18030", up["encoding"])
	assert.EqualValues(t, 3, up["rows"])
	assert.Equal(t, []any{"姓名", "手机号", "会员等级", "门店", "备注"}, up["header"])
	assert.Equal(t, []any{"name", "mobile", "tier", "shop", ""}, up["columns"], "the suggested mapping")
	assert.Equal(t, "王芳", path(up, "firstRows", 0, "cells", 0))
	id := up["id"].(string)

	again := s.okAs(t, clerk, `query($id: ID!) { importUpload(id: $id) }`, map[string]any{"id": id})
	assert.Equal(t, "gb18030", path(again, "importUpload", "encoding"), "what the upload answered, again")
	r := s.gql(t, other, `query($id: ID!) { importUpload(id: $id) }`, map[string]any{"id": id})
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "NOT_FOUND", r.Errors[0].Extensions["code"], "another user cannot use the clerk's upload")

	preview := s.okAs(t, clerk, `query($u: ID!) { previewImport(upload: $u, object: "member") }`, map[string]any{"u": id})
	rows := path(preview, "previewImport", "preview").([]any)
	require.Len(t, rows, 3)
	assert.Empty(t, path(rows[0], "problems"))
	assert.Equal(t, "gold", path(rows[0], "values", "tier"))
	problems := map[any]any{}
	for _, p := range path(rows[1], "problems").([]any) {
		problems[path(p, "column")] = path(p, "message")
	}
	assert.Equal(t, `no shop record you can see is "人民广场店"`, problems["门店"])
	assert.Contains(t, problems, "姓名", "a create's own check: the name is required")
	n := s.okAs(t, clerk, `{ members { totalCount } }`, nil)
	assert.EqualValues(t, 0, path(n, "members", "totalCount"), "a preview writes nothing")

	r = s.gql(t, clerk, `mutation($u: ID!) { startImport(upload: $u, object: "member", skipAutomations: true) { id } }`, map[string]any{"u": id})
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], "only administrators import without automations")
	job := s.okAs(t, clerk, `mutation($u: ID!) { startImport(upload: $u, object: "member") { id kind status } }`, map[string]any{"u": id})
	assert.Equal(t, "import", path(job, "startImport", "kind"))
	result := waitForImport(t, s, clerk, path(job, "startImport", "id").(string))
	assert.Equal(t, "done", result["status"])
	assert.EqualValues(t, 1, result["created"])
	assert.EqualValues(t, 2, result["rejectedCount"])
	assert.EqualValues(t, 4, result["lastLine"])
	assert.EqualValues(t, 3, path(result, "rejected", 0, "line"))

	resp, raw := s.get(t, clerk, result["rejectsUrl"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	assert.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, "\ufeff行号 Line,姓名,手机号,会员等级,门店,备注,问题 Problems", strings.TrimSpace(lines[0]), "UTF-8 with a byte order mark, for Excel")
	assert.Contains(t, lines[2], "4,韩梅梅,13700137000,钻石卡,,,")
	assert.Contains(t, lines[2], "会员等级: “钻石卡”不是可选值之一")
	resp, _ = s.get(t, other, result["rejectsUrl"].(string))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "nor read what the clerk's import did")

	book := excelize.NewFile()
	sheet := book.GetSheetName(0)
	for i, row := range [][]any{{"手机号", "会员等级", "姓名"}, {"13800138000", "银卡", ""}, {"13600136000", "gold", "赵敏"}} {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, book.SetSheetRow(sheet, cell, &row))
	}
	var xlsx bytes.Buffer
	require.NoError(t, book.Write(&xlsx))
	status, up = s.upload(t, clerk, "更新.xlsx", xlsx.Bytes(), true, nil)
	require.Equal(t, http.StatusCreated, status, up)
	assert.Equal(t, "xlsx", up["format"])
	assert.Equal(t, sheet, up["sheet"])
	assert.Nil(t, up["columns"], "no object asked about, no suggestion")
	job = s.okAs(t, clerk, `mutation($u: ID!) { startImport(upload: $u, object: "member", columns: ["mobile", "tier", "name"], mode: "upsert", matchBy: "mobile") { id } }`,
		map[string]any{"u": up["id"]})
	result = waitForImport(t, s, clerk, path(job, "startImport", "id").(string))
	assert.EqualValues(t, 1, result["created"])
	assert.EqualValues(t, 1, result["updated"])
	assert.EqualValues(t, 0, result["rejectedCount"])
	wang := s.okAs(t, clerk, `{ members(filter: {mobile: {eq: "13800138000"}}) { nodes { name tier } } }`, nil)
	assert.Equal(t, map[string]any{"name": "王芳", "tier": "silver"}, path(wang, "members", "nodes", 0))

	scenarios := []struct {
		name   string
		file   []byte
		reason string
		says   string
	}{
		{"an Excel 97-2003 file", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "oldExcel", "save it as .xlsx or CSV"},
		{"a header and nothing else", []byte("姓名,手机号\n"), "noData", "no data rows"},
		{"too many columns", []byte(strings.Repeat("列,", 300) + "列\n"), "tooManyColumns", "line 1 has more than 300 columns"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			status, out := s.upload(t, clerk, "bad.csv", sc.file, false, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, sc.reason, out["reason"])
			assert.Contains(t, out["error"], sc.says)
		})
	}
	t.Run("no file", func(t *testing.T) {
		status, out := s.upload(t, clerk, "", nil, false, nil)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, out["error"], `multipart field "file"`)
	})
}

// waitForImport follows an import job until it has ended and returns
// importResult.
func waitForImport(t *testing.T, s *testServer, key, job string) map[string]any {
	t.Helper()
	var last map[string]any
	require.Eventually(t, func() bool {
		r := s.gql(t, key, `query($j: ID!) { importResult(job: $j) }`, map[string]any{"j": job})
		if len(r.Errors) > 0 {
			return false
		}
		last, _ = r.Data["importResult"].(map[string]any)
		return last != nil && last["status"] != "running" && last["created"] != nil
	}, 5*time.Minute, 20*time.Millisecond, "the import ends (the bound is for a loaded machine, not a speed target)")
	return last
}
