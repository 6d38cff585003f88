package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postRaw posts body to the server as it is (no JSON encoding by the
// test) and decodes the answer.
func (s *testServer) postRaw(t *testing.T, path, key string, body []byte, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// Text through the real server: NUL, bidi overrides and invalid UTF-8 are
// refused, several bad fields come back together in extensions.fields, and
// the headline names the object by its label (issue 13, items 15 and 19).
func TestServe_TextIsChecked(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)

	r := s.gql(t, s.Key, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"title": "大单\u0000", "notes": "第一行\n第二行\u202E", "email": "a@b.c\u0007",
	}})
	require.Len(t, r.Errors, 1)
	ext := r.Errors[0].Extensions
	assert.Equal(t, "VALIDATION_FAILED", ext["code"])
	assert.Equal(t, "invalid Deal record", r.Errors[0].Message, "the label, not the API name")
	codes := map[string]any{}
	for _, f := range ext["fields"].([]any) {
		codes[f.(map[string]any)["field"].(string)] = f.(map[string]any)["code"]
	}
	assert.Equal(t, map[string]any{"title": "characters", "notes": "characters", "email": "characters"}, codes)

	ok := s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { notes } }`, map[string]any{"in": map[string]any{
		"title": "多行备注", "notes": "第一行\n\t第二行"}})
	assert.Equal(t, "第一行\n\t第二行", path(ok, "createDeal", "notes"), "a textarea keeps newlines and tabs")

	status, body := s.postRaw(t, "/graphql", s.Key, []byte("{\"query\":\"mutation { createDeal(input: {title: \\\"\xff\\\"}) { id } }\"}"), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	require.NotEmpty(t, body["errors"])
	assert.Contains(t, body["errors"].([]any)[0].(map[string]any)["message"], "not valid UTF-8 (byte 49)", "in the query text: the byte is named")
	left := s.ok(t, `{ deals { totalCount } }`, nil)
	assert.Equal(t, 1.0, path(left, "deals", "totalCount"), "nothing else was written")
}

// Text that is not UTF-8 in a request's variables is refused field by
// field, as any other bad text: every bad field (an address part by its
// path) in one VALIDATION_FAILED with code "encoding", nothing written.
// Elsewhere in variables it is a BAD_REQUEST naming the argument, and in
// the query text a 400 naming the byte (issue 13, item 15).
func TestServe_InvalidUTF8InVariables(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)
	type answer struct {
		Data   map[string]any
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	// Bytes that are not UTF-8 are written <FF> in the bodies below.
	bad := strings.NewReplacer("<FF>", "\xff", "<FE>", "\xfe", "<E4B8>", "\xe4\xb8", "<C0AF>", "\xc0\xaf")
	post := func(body string, lang string) (int, answer) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(bad.Replace(body)))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		req.Header.Set("Authorization", "Bearer "+s.Key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var a answer
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
		return resp.StatusCode, a
	}
	fieldsOf := func(a answer) map[string]string {
		t.Helper()
		require.Len(t, a.Errors, 1)
		require.Equal(t, "VALIDATION_FAILED", a.Errors[0].Extensions["code"], a.Errors[0].Message)
		fields, _ := a.Errors[0].Extensions["fields"].([]any)
		out := map[string]string{}
		for _, f := range fields {
			fe := f.(map[string]any)
			out[fe["field"].(string)] = fe["code"].(string) + ": " + fe["message"].(string)
		}
		return out
	}
	count := func() float64 {
		return path(s.ok(t, `{ accounts { totalCount } }`, nil), "accounts", "totalCount").(float64)
	}

	create := `{"query":"mutation($in: AccountInput!) { createAccount(input: $in) { id } }","variables":{"in":` +
		`{"name":"云杉<FF>科技","phone":"021-12345678","address":{"province":"上海市","city":"<E4B8>","district":"浦东新区"}}}}`
	status, a := post(create, "en")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]string{"name": "encoding: is not valid UTF-8 text", "address.city": "encoding: is not valid UTF-8 text"}, fieldsOf(a))
	_, a = post(create, "zh-CN")
	assert.Equal(t, map[string]string{"name": "encoding: 不是有效的 UTF-8 文本", "address.city": "encoding: 不是有效的 UTF-8 文本"}, fieldsOf(a), "in Chinese too")
	assert.Zero(t, count(), "the record was not created")

	inline := `{"query":"mutation($n: String!, $c: String) { createAccount(input: {name: $n, address: {city: $c}}) { id } }","variables":{"n":"<C0AF>","c":"<FF>"}}`
	_, a = post(inline, "en")
	assert.Equal(t, []string{"address.city", "name"}, slices.Sorted(maps.Keys(fieldsOf(a))), "variables inside an input literal")
	assert.Zero(t, count())

	id := path(s.ok(t, `mutation { createAccount(input: {name: "云杉科技"}) { id } }`, nil), "createAccount", "id").(string)
	update := `{"query":"mutation($id: ID!, $p: AccountPatch!) { updateAccount(id: $id, input: $p) { id } }","variables":{"id":"` + id +
		`","p":{"name":"新名称","phone":"<FF>","website":"https://<FE>.example.com"}}}`
	_, a = post(update, "en")
	assert.Equal(t, []string{"phone", "website"}, slices.Sorted(maps.Keys(fieldsOf(a))))
	got := s.ok(t, `query($id: ID!) { account(id: $id) { name version } }`, map[string]any{"id": id})
	assert.Equal(t, "云杉科技", path(got, "account", "name"), "nothing written")
	assert.Equal(t, 1.0, path(got, "account", "version"))

	status, a = post(`{"query":"query($f: AccountFilter) { accounts(filter: $f) { totalCount } }","variables":{"f":{"name":{"contains":"<FF>"}}}}`, "en")
	assert.Equal(t, http.StatusOK, status)
	require.Len(t, a.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", a.Errors[0].Extensions["code"])
	assert.Contains(t, a.Errors[0].Message, "filter.name.contains is not valid UTF-8 text")

	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "note", "type": "object", "properties": {
		"title": {"type": "string", "x-crm-type": "text"}, "extra": {"x-crm-type": "json"}}}`)})
	_, a = post(`{"query":"mutation($in: NoteInput!) { createNote(input: $in) { id } }","variables":{"in":{"title":"<FE>","extra":{"k":["ok","<FF>"]}}}}`, "en")
	assert.Equal(t, []string{"extra", "title"}, slices.Sorted(maps.Keys(fieldsOf(a))), "a json field's strings too")
	_, a = post(`{"query":"mutation($d: JSON!) { saveObject(definition: $d) { name } }","variables":{"d":{"$id":"memo","type":"object","x-crm-label":{"zh":"<FF>"},"properties":{}}}}`, "en")
	require.Len(t, a.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", a.Errors[0].Extensions["code"])
	assert.Contains(t, a.Errors[0].Message, "definition holds text that is not valid UTF-8", "a definition is no record input")
	get, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?query=%7B%20accounts%20%7B%20totalCount%20%7D%20%7D%20%23%FF", nil)
	require.NoError(t, err)
	get.Header.Set("Authorization", "Bearer "+s.Key)
	get.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(get)
	require.NoError(t, err)
	text, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a GET whose query is not UTF-8")
	assert.Contains(t, string(text), "the query parameters are not valid UTF-8")

	for _, body := range []string{
		`{"query":"{ accounts { totalCount } } # <FF>"}`,
		`{"query":"{ accounts { totalCount } }","extensions":{"x":"<FF>"}}`,
	} {
		status, raw := s.postRaw(t, "/graphql", s.Key, []byte(bad.Replace(body)), nil)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, raw["errors"].([]any)[0].(map[string]any)["message"], "the request body is not valid UTF-8 (byte ")
	}
	assert.Equal(t, 1.0, count())
}

// A non-administrator is told what it may not read, not something about
// object definitions (issue 13, item 19).
func TestServe_ForbiddenSaysWhat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	installStarter(t, s)
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(`{"name": "sales", "objects": {"deal": {"read": true}}}`)})
	key := roleKey(t, dir, "sales")
	for query, words := range map[string]string{
		`{ notifications { id } }`:          "notifications",
		`{ outbox { id } }`:                 "outbox",
		`{ webhookSecret }`:                 "webhook secret",
		`{ auditTrail { entries { id } } }`: "audit trail",
	} {
		r := s.gql(t, key, query, nil)
		require.NotEmpty(t, r.Errors, query)
		assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], query)
		assert.Contains(t, r.Errors[0].Message, words, query)
		assert.NotContains(t, r.Errors[0].Message, "object definitions", query)
	}
}

// An operator renames and deletes tenants with the CLI (dry runs and a
// confirmation first); a tenant imported under another id keeps its
// sensitive fields readable, and the server starts with it (issue 13,
// items 10 and 13).
func TestCLI_TenantDeleteAndRename(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := func(stdin string, args ...string) (string, error) {
		return cli(stdin, append(args, "--data", dir)...)
	}
	s, stop := runServer(t, dir)
	def := `{"$id": "patient", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
	  "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true, "x-crm-searchable": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	s.ok(t, `mutation { createPatient(input: {name: "王芳", mobile: "13812345678"}) { id } }`, nil)
	key := s.Key
	stop()

	out, err := run("", "tenant", "rename", "default", "clinic", "--dry-run")
	require.NoError(t, err)
	assert.Contains(t, out, `would rename tenant "default" to "clinic": 1 objects with 1 records, 1 users, 1 API keys move`)
	out, err = run("", "tenant", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "default", "a dry run changes nothing")
	out, err = run("", "tenant", "rename", "default", "clinic")
	require.NoError(t, err)
	assert.Contains(t, out, `renamed tenant "default" to "clinic"`)
	_, err = run("", "tenant", "rename", "nobody", "x")
	assert.ErrorContains(t, err, `tenant "nobody" does not exist`)

	file := filepath.Join(t.TempDir(), "clinic.jsonl")
	_, err = run("", "export", "--tenant", "clinic", "--out", file)
	require.NoError(t, err)
	out, err = run("", "import", "--tenant", "copy", "--in", file)
	require.NoError(t, err)
	assert.Contains(t, out, `imported tenant "copy"`)
	copyKey := createKey(t, dir, "copy")

	s2, stop2 := runServer(t, dir)
	assert.NotContains(t, s2.Stdout.String(), "unavailable", "the server starts with every tenant")
	for _, k := range []string{key, copyKey} { // the key moved with the rename
		r := s2.gql(t, k, `{ patients(filter: {mobile: {eq: "13812345678"}}) { nodes { name mobile } } }`, nil)
		require.Empty(t, r.Errors)
		assert.Equal(t, "13812345678", path(r.Data, "patients", "nodes", 0, "mobile"), "sensitive fields readable and searchable")
	}
	stop2()

	out, err = run("", "tenant", "delete", "copy", "--dry-run")
	require.NoError(t, err)
	assert.Contains(t, out, `would delete tenant "copy" (Default): 1 objects with 1 records, 1 users, 1 API keys (dry run, nothing deleted)`)
	_, err = run("nope\n", "tenant", "delete", "copy")
	assert.ErrorContains(t, err, "not deleted: confirm by repeating the tenant id (--confirm copy)")
	_, err = run("copy\n", "tenant", "delete", "copy")
	require.NoError(t, err, "confirmed on standard input")
	_, err = run("", "tenant", "delete", "clinic", "--confirm", "clinic")
	require.NoError(t, err)
	out, err = run("", "tenant", "list")
	require.NoError(t, err)
	assert.NotContains(t, out, "copy")
	assert.NotContains(t, out, "clinic")
	_, err = run("", "tenant", "delete", "copy", "--confirm", "copy")
	assert.ErrorContains(t, err, `tenant "copy" does not exist`)
}

// /metrics is Prometheus's, on an address of its own (loopback by
// default), optionally behind a token; the API's port answers it with 404,
// never with the UI's page (issue 13, item 17).
func TestServe_Metrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--metrics-addr", "127.0.0.1:0", "--metrics-token", "s3cret")
	metricsURL := regexp.MustCompile(`metrics: (http://\S+/metrics)`).FindStringSubmatch(s.Stdout.String())
	require.Len(t, metricsURL, 2, s.Stdout.String())
	installStarter(t, s)
	s.ok(t, `mutation { createDeal(input: {title: "计量"}) { id } }`, nil)
	r := s.gql(t, s.Key, `mutation { createDeal(input: {amount: -1}) { id } }`, nil)
	require.NotEmpty(t, r.Errors)
	s.gql(t, "", `{ deals { totalCount } }`, nil)

	get := func(url string, headers map[string]string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	status, _ := get(metricsURL[1], nil)
	assert.Equal(t, http.StatusUnauthorized, status, "the token is needed")
	status, body := get(metricsURL[1], map[string]string{"Authorization": "Bearer s3cret"})
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{
		`crm_http_requests_total{method="POST",route="/graphql",status="200"}`,
		`crm_http_requests_total{method="POST",route="/graphql",status="401"}`,
		`crm_http_request_duration_seconds_bucket{route="/graphql"`,
		`crm_errors_total{code="VALIDATION_FAILED"} 1`,
		`crm_script_runs_total`,
		`crm_outbox_pending{tenant="default"} 0`,
		`crm_jobs_running{tenant="default"} 0`,
		`crm_tenant_store_bytes{tenant="default"}`,
		`crm_tenant_unavailable{tenant="default"} 0`,
		"\ncrm_tenant_states 1\n", // the one tenant's state kept (at most --tenant-states)
		`go_goroutines`,
	} {
		assert.Contains(t, body, want)
	}

	status, body = get(s.URL+"/metrics", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "--metrics-addr")
	assert.NotContains(t, body, "<html", "not the UI's page")
}

// The operator sets how many new values a role may give a unique field it
// cannot see whole (issue 13, item 7): --unique-guesses reaches the
// engine, which lists it in limits and stops the role's guessing there.
func TestServe_UniqueGuessesFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, "--unique-guesses", "2")
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "contact", "type": "object", "properties": {
		"name":   {"type": "string", "x-crm-type": "text"},
		"mobile": {"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-unique": true}}}`)})
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(
		`{"name": "sales", "objects": {"contact": {"read": true, "create": true, "fields": {"mobile": "masked"}}}}`)})
	limits := s.ok(t, `{ limits { name value } }`, nil)
	values := map[string]any{}
	for _, l := range path(limits, "limits").([]any) {
		values[l.(map[string]any)["name"].(string)] = l.(map[string]any)["value"]
	}
	assert.Equal(t, 2.0, values["unique.guesses"], "the flag's value is the engine's")

	key := roleKey(t, dir, "sales")
	create := `mutation($in: ContactInput!) { createContact(input: $in) { id } }`
	for i := range 2 {
		r := s.gql(t, key, create, map[string]any{"in": map[string]any{"name": "c", "mobile": fmt.Sprintf("1380000000%d", i)}})
		require.Empty(t, r.Errors, "new value %d of 2", i+1)
	}
	r := s.gql(t, key, create, map[string]any{"in": map[string]any{"name": "c", "mobile": "13800000009"}})
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "RATE_LIMITED", r.Errors[0].Extensions["code"], "the third new value an hour is refused")
	r = s.gql(t, key, create, map[string]any{"in": map[string]any{"name": "no mobile"}})
	assert.Empty(t, r.Errors, "writes without a new value are not limited")

	scenarios := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"zero would turn the limit off", []string{"--unique-guesses", "0"}, nil, "--unique-guesses must be at least 1"},
		{"a variable that is no number", nil, map[string]string{"CRM_UNIQUE_GUESSES": "many"}, `CRM_UNIQUE_GUESSES must be a whole number, got "many"`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return sc.env[k] }}
			err := m.Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, sc.args...))
			require.Error(t, err)
			assert.Contains(t, err.Error(), sc.want)
		})
	}
}
