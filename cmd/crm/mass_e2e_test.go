package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/spreadsheet"
)

// call sends a request as the signed-in user (cookie and CSRF token) and
// returns the status and body.
func (se *session) call(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, se.s.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", se.cookie)
	req.Header.Set("X-CSRF-Token", se.csrf)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// massClients sets up a private object clients, a role that may read,
// create and update them (not delete), and two signed-in users of it.
func massClients(t *testing.T, s *testServer) (rep1, rep2 *session) {
	t.Helper()
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "client", "type": "object",
	  "x-crm-sharing": "private", "x-crm-label": {"zh": "客户", "en": "Client"}, "properties": {
	    "name": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "名称", "en": "Name"}},
	    "level": {"type": "string", "enum": ["a", "b"], "x-crm-type": "picklist", "x-crm-label": {"zh": "等级", "en": "Level"},
	      "x-crm-options": [{"value": "a", "label": {"zh": "重点", "en": "Key"}}, {"value": "b", "label": {"zh": "普通", "en": "Plain"}}]}}}`)})
	role := `{"name": "sales", "objects": {"client": {"read": true, "create": true, "update": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	for _, u := range []string{"rep1", "rep2"} {
		s.ok(t, fmt.Sprintf(`mutation { createUser(input: {username: %q, password: "a long enough password", role: "sales"}) { username } }`, u), nil)
	}
	return s.signIn(t, "rep1", "a long enough password"), s.signIn(t, "rep2", "a long enough password")
}

// TestServe_MassActions: mass actions through the real server as jobs
// and in the request, by an administrator and by users who may change
// only their own records.
func TestServe_MassActions(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	rep1, rep2 := massClients(t, s)
	n := engine.MassSyncLimit + 30
	inputs := make([]any, n)
	for i := range inputs {
		inputs[i] = map[string]any{"name": fmt.Sprintf("客户%03d", i), "level": "b"}
	}
	s.ok(t, `mutation($in: [ClientInput!]!) { createClients(inputs: $in, atomic: true) { outcome } }`, map[string]any{"in": inputs})
	data, codes := rep2.do(t, `mutation { createClient(input: {name: "乙的客户"}) { id } }`)
	require.Empty(t, codes)
	theirs := path(data, "createClient", "id").(string)

	wait := func(t *testing.T, do func(q string) map[string]any, job string) map[string]any {
		t.Helper()
		var res map[string]any
		require.Eventually(t, func() bool {
			res = do(fmt.Sprintf(`{ massActionResult(job: %q) { job { status done total } report { selected changed failed failures { id error { code } } } } }`, job))["massActionResult"].(map[string]any)
			return res["report"] != nil && path(res, "job", "status") != "running"
		}, time.Minute, 10*time.Millisecond, "the job ends")
		return res
	}
	asAdmin := func(q string) map[string]any { return s.ok(t, q, nil) }
	asRep1 := func(q string) map[string]any {
		data, codes := rep1.do(t, q)
		require.Empty(t, codes, q)
		return data
	}

	// The administrator hands the clients it made to rep1: a job.
	data = asAdmin(`mutation { massTransferClients(filter: {ownerId: {ne: "user:rep2"}}, owner: "rep1") { job { id kind total } report { changed } } }`)
	job := path(data, "massTransferClients", "job").(map[string]any)
	assert.Equal(t, "massChange", job["kind"])
	assert.EqualValues(t, n, job["total"])
	assert.Nil(t, path(data, "massTransferClients", "report"))
	res := wait(t, asAdmin, job["id"].(string))
	assert.Equal(t, "done", path(res, "job", "status"))
	assert.EqualValues(t, n, path(res, "job", "done"))
	assert.EqualValues(t, n, path(res, "report", "changed"))

	// rep1 changes every client it sees: its own, as a job.
	data = asRep1(`mutation { massUpdateClients(all: true, set: {level: a}) { job { id } } }`)
	res = wait(t, asRep1, path(data, "massUpdateClients", "job", "id").(string))
	assert.EqualValues(t, n, path(res, "report", "selected"), "rep2's client is out of rep1's sight")
	assert.EqualValues(t, n, path(res, "report", "changed"))
	_, codes = rep2.do(t, fmt.Sprintf(`{ massActionResult(job: %q) { kind } }`, path(data, "massUpdateClients", "job", "id")))
	assert.Equal(t, []string{"NOT_FOUND"}, codes, "a job is its starter's")
	data, codes = rep2.do(t, `{ clients { nodes { level } } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{map[string]any{"level": nil}}, path(data, "clients", "nodes"), "rep2's client is untouched")

	// In the request: rep2's client is reported, not changed.
	data = asRep1(fmt.Sprintf(`mutation { massUpdateClients(ids: [%q], set: {name: "改"}) { job { id } report { selected changed failed failures { id error { code } } } } }`, theirs))
	assert.Nil(t, path(data, "massUpdateClients", "job"))
	assert.Equal(t, map[string]any{"selected": 1.0, "changed": 0.0, "failed": 1.0, "failures": []any{
		map[string]any{"id": theirs, "error": map[string]any{"code": "NOT_FOUND"}}}}, path(data, "massUpdateClients", "report"))
	_, codes = rep1.do(t, `mutation { massDeleteClients(all: true) { kind } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "the role may not delete")

	// The administrator deletes rep1's clients: a job.
	data = asAdmin(`mutation { massDeleteClients(filter: {ownerId: {eq: "user:rep1"}}) { job { id } } }`)
	res = wait(t, asAdmin, path(data, "massDeleteClients", "job", "id").(string))
	assert.EqualValues(t, n, path(res, "report", "changed"))
	data = asAdmin(`{ clients { totalCount } }`)
	assert.EqualValues(t, 1, path(data, "clients", "totalCount"))
}

// TestServe_ExportJob: a list exported as a job over HTTP: POST starts
// it with the filters and columns of GET, GET /exports/jobs/:job follows
// it, and its file holds what the user may see, with labels as headers;
// only its starter (and administrators) may fetch it.
func TestServe_ExportJob(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	rep1, rep2 := massClients(t, s)
	for i := range 30 {
		level := "a"
		if i%3 == 0 {
			level = "b"
		}
		_, codes := rep1.do(t, fmt.Sprintf(`mutation { createClient(input: {name: "客户%02d", level: %s}) { id } }`, i, level))
		require.Empty(t, codes)
	}
	_, codes := rep2.do(t, `mutation { createClient(input: {name: "乙的客户", level: a}) { id } }`)
	require.Empty(t, codes)

	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			q := url.Values{"format": {format}, "columns": {"name,level"}, "sort": {"name"}, "filter": {`{"field": "level", "op": "eq", "value": "a"}`}}
			status, body := rep1.call(t, http.MethodPost, "/exports/client?"+q.Encode())
			require.Equal(t, http.StatusAccepted, status, string(body))
			var started struct {
				Job, Status string
				Total       int
			}
			require.NoError(t, json.Unmarshal(body, &started))
			assert.Equal(t, 20, started.Total, "rep1's clients of level a")
			var done struct {
				Status, Error string
				Done, Total   int
				File          *struct {
					Name, URL string
					Rows      int
				}
			}
			require.Eventually(t, func() bool {
				status, body := rep1.call(t, http.MethodGet, "/exports/jobs/"+started.Job)
				require.Equal(t, http.StatusOK, status, string(body))
				require.NoError(t, json.Unmarshal(body, &done))
				return done.Status != "running"
			}, time.Minute, 10*time.Millisecond)
			require.Equal(t, "done", done.Status, done.Error)
			require.NotNil(t, done.File)
			assert.Equal(t, "客户."+format, done.File.Name, "named for the label")
			assert.Equal(t, 20, done.File.Rows)
			assert.Equal(t, 20, done.Done)

			status, file := rep1.call(t, http.MethodGet, done.File.URL)
			require.Equal(t, http.StatusOK, status, string(file))
			tab, err := spreadsheet.Read(bytes.NewReader(file), spreadsheet.Options{})
			require.NoError(t, err)
			assert.Equal(t, []string{"名称", "等级"}, tab.Header)
			require.Len(t, tab.Rows, 20)
			assert.Equal(t, []string{"客户01", "重点"}, tab.Rows[0].Cells, "an option's label")
			for _, r := range tab.Rows {
				assert.NotEqual(t, "乙的客户", r.Cells[0], "rep2's client is not rep1's to export")
			}

			status, body = rep2.call(t, http.MethodGet, done.File.URL)
			assert.Equal(t, http.StatusNotFound, status, "another user's export: %s", body)
			res, _ := s.get(t, s.Key, done.File.URL)
			assert.Equal(t, http.StatusOK, res.StatusCode, "an administrator's")
		})
	}

	status, body := rep1.call(t, http.MethodPost, "/exports/client?columns=ghost")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), `ghost`, "refused before a job starts")
	status, body = rep1.call(t, http.MethodPost, "/exports/client?format=pdf")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), "pdf")
	status, body = rep1.call(t, http.MethodGet, "/exports/jobs/nope")
	assert.Equal(t, http.StatusNotFound, status, string(body))
	assert.True(t, strings.Contains(string(body), "nope"))
}

// TestServe_UploadSheets: the upload of a workbook names its sheets, so
// that the wizard can offer them, and reads the one asked for.
func TestServe_UploadSheets(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	book := excelize.NewFile()
	first := book.GetSheetName(0)
	_, err := book.NewSheet("二月")
	require.NoError(t, err)
	for sheet, rows := range map[string][][]any{first: {{"姓名"}, {"一月的人"}}, "二月": {{"姓名", "手机号"}, {"二月的人", "13800138000"}, {"又一个", ""}}} {
		for i, row := range rows {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			require.NoError(t, err)
			require.NoError(t, book.SetSheetRow(sheet, cell, &row))
		}
	}
	var xlsx bytes.Buffer
	require.NoError(t, book.Write(&xlsx))

	status, up := s.upload(t, s.Key, "名单.xlsx", xlsx.Bytes(), false, nil)
	require.Equal(t, http.StatusCreated, status, up)
	assert.Equal(t, first, up["sheet"], "the first sheet unless asked")
	assert.Equal(t, []any{first, "二月"}, up["sheets"])
	assert.EqualValues(t, 1, up["rows"])

	status, up = s.upload(t, s.Key, "名单.xlsx", xlsx.Bytes(), false, url.Values{"sheet": {"二月"}})
	require.Equal(t, http.StatusCreated, status, up)
	assert.Equal(t, "二月", up["sheet"])
	assert.Equal(t, []any{"姓名", "手机号"}, up["header"])
	assert.EqualValues(t, 2, up["rows"])

	status, up = s.upload(t, s.Key, "名单.csv", []byte("姓名\n张三\n"), false, nil)
	require.Equal(t, http.StatusCreated, status, up)
	assert.Nil(t, up["sheets"], "a CSV file has no sheets")
}
