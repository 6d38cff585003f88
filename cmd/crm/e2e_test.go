package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/internal/webhook"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates"
)

type gqlResponse struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

func (s *testServer) gql(t *testing.T, key, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out gqlResponse
	require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	out.Status = resp.StatusCode
	return out
}

// ok runs a query that must succeed and returns its data.
func (s *testServer) ok(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.gql(t, s.Key, query, vars)
	require.Equal(t, http.StatusOK, r.Status)
	require.Empty(t, r.Errors, "query: %s", query)
	return r.Data
}

// path walks nested maps and lists: path(v, "deals", "nodes", 0, "title").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func installStarter(t *testing.T, s *testServer) {
	t.Helper()
	tpl, err := templates.Get("starter")
	require.NoError(t, err)
	for _, def := range tpl.Definitions {
		var d any
		require.NoError(t, json.Unmarshal(def, &d))
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name version } }`, map[string]any{"d": d})
	}
}

func TestServe_EndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	require.NotEmpty(t, s.Key, "first start prints a key: %s", s.Stdout.String())
	assert.Contains(t, s.Stdout.String(), "listening on "+s.URL)

	resp, err := http.Get(s.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	t.Run("no key, bad key", func(t *testing.T) {
		r := s.gql(t, "", `{ objects { name } }`, nil)
		assert.Equal(t, http.StatusUnauthorized, r.Status)
		r = s.gql(t, "crm_"+strings.Repeat("0", 48), `{ objects { name } }`, nil)
		assert.Equal(t, http.StatusUnauthorized, r.Status)
		require.NotEmpty(t, r.Errors)
		assert.Equal(t, "UNAUTHENTICATED", r.Errors[0].Extensions["code"])
	})

	installStarter(t, s)
	data := s.ok(t, `{ objects { name version } }`, nil)
	assert.Len(t, data["objects"], 3)

	acct := s.ok(t, `mutation { createAccount(input: {name: "上海云杉科技有限公司", grade: strategic, tags: ["vip"], address: {province: "上海市", city: "上海市", district: "浦东新区"}}) { id name grade } }`, nil)
	acctID := path(acct, "createAccount", "id").(string)

	for i, stage := range []string{"new", "qualified", "new", "won", "new"} {
		s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { id number } }`, map[string]any{"in": map[string]any{
			"title": fmt.Sprintf("商机 %d", i), "amount": float64(1000 * (i + 1)), "stage": stage,
			"closeDate": fmt.Sprintf("2026-12-%02d", 10+i), "account": acctID,
		}})
	}

	t.Run("validation names every failing field", func(t *testing.T) {
		r := s.gql(t, s.Key, `mutation { createDeal(input: {amount: -5, email: "nope", closeDate: "2026-02-30"}) { id } }`, nil)
		require.Len(t, r.Errors, 1)
		ext := r.Errors[0].Extensions
		assert.Equal(t, "VALIDATION_FAILED", ext["code"])
		fields := map[string]bool{}
		for _, f := range ext["fields"].([]any) {
			fields[f.(map[string]any)["field"].(string)] = true
		}
		assert.Equal(t, map[string]bool{"title": true, "amount": true, "email": true, "closeDate": true}, fields)
		left := s.ok(t, `{ deals(first: 100) { totalCount } }`, nil)
		assert.Equal(t, 5.0, path(left, "deals", "totalCount"), "nothing written")
	})

	t.Run("filter, sort, page and relations in one request", func(t *testing.T) {
		q := `query($after: String) { deals(filter: {stage: {eq: new}, amount: {gt: 1000}}, orderBy: [{closeDate: DESC}], first: 1, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } nodes { title amount closeDate account { name } } } }`
		p1 := s.ok(t, q, nil)
		assert.Equal(t, 2.0, path(p1, "deals", "totalCount"))
		assert.Equal(t, "商机 4", path(p1, "deals", "nodes", 0, "title"))
		assert.Equal(t, "上海云杉科技有限公司", path(p1, "deals", "nodes", 0, "account", "name"))
		assert.Equal(t, true, path(p1, "deals", "pageInfo", "hasNextPage"))
		p2 := s.ok(t, q, map[string]any{"after": path(p1, "deals", "pageInfo", "endCursor")})
		assert.Equal(t, "商机 2", path(p2, "deals", "nodes", 0, "title"))
		assert.Equal(t, false, path(p2, "deals", "pageInfo", "hasNextPage"))

		rev := s.ok(t, `query($id: ID!) { account(id: $id) { name deals(orderBy: [{amount: ASC}], first: 10) { totalCount nodes { title } } } }`, map[string]any{"id": acctID})
		assert.Equal(t, 5.0, path(rev, "account", "deals", "totalCount"))
		assert.Equal(t, "商机 0", path(rev, "account", "deals", "nodes", 0, "title"))
	})

	t.Run("update with version, stale version refused", func(t *testing.T) {
		created := s.ok(t, `mutation { createDeal(input: {title: "版本测试"}) { id version } }`, nil)
		id := path(created, "createDeal", "id")
		up := s.ok(t, `mutation($id: ID!) { updateDeal(id: $id, input: {amount: 9}, version: 1) { version amount } }`, map[string]any{"id": id})
		assert.Equal(t, 2.0, path(up, "updateDeal", "version"))
		r := s.gql(t, s.Key, `mutation($id: ID!) { updateDeal(id: $id, input: {amount: 10}, version: 1) { version } }`, map[string]any{"id": id})
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "CONFLICT", r.Errors[0].Extensions["code"])
		del := s.ok(t, `mutation($id: ID!) { deleteDeal(id: $id) }`, map[string]any{"id": id})
		assert.Equal(t, true, del["deleteDeal"])
		gone := s.ok(t, `query($id: ID!) { deal(id: $id) { id } }`, map[string]any{"id": id})
		assert.Nil(t, gone["deal"])
	})

	t.Run("a saved field is in the schema on the very next request", func(t *testing.T) {
		tpl, err := templates.Get("starter")
		require.NoError(t, err)
		var d map[string]any
		require.NoError(t, json.Unmarshal(tpl.Definitions[0], &d)) // account
		d["properties"].(map[string]any)["wechat"] = map[string]any{"type": "string", "x-crm-type": "text", "x-crm-unique": true,
			"x-crm-label": map[string]any{"zh": "微信号", "en": "WeChat ID"}}
		saved := s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name version } }`, map[string]any{"d": d})
		assert.Equal(t, 2.0, path(saved, "saveObject", "version"))
		s.ok(t, `mutation { createAccount(input: {name: "深圳前海微众", wechat: "wz-001"}) { wechat } }`, nil)
		found := s.ok(t, `{ accounts(filter: {wechat: {eq: "wz-001"}}) { nodes { name } } }`, nil)
		assert.Equal(t, "深圳前海微众", path(found, "accounts", "nodes", 0, "name"))
	})

	t.Run("bad definition names the path", func(t *testing.T) {
		r := s.gql(t, s.Key, `mutation { saveObject(definition: {type: "object", properties: {x: {type: "string", "x-crm-type": "nope"}}}) { name } }`, nil)
		require.NotEmpty(t, r.Errors)
	})
}

func TestServe_RestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var key string
	{
		s, stop := launch(t, dir, append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs(t, dir)...))
		key = s.Key
		installStarter(t, s)
		s.ok(t, `mutation { createAccount(input: {name: "持久化"}) { id } }`, nil)
		require.NoError(t, stop())
	}
	s := startServer(t, dir)
	assert.Empty(t, s.Key, "no new key on a second start")
	s.Key = key
	data := s.ok(t, `{ accounts { nodes { name } } }`, nil)
	assert.Equal(t, "持久化", path(data, "accounts", "nodes", 0, "name"))
}

func TestCLI_TenantAndKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := cliOn(dir)
	out, err := run("tenant", "create", "acme")
	require.NoError(t, err)
	assert.Contains(t, out, `created tenant "acme"`)
	_, err = run("tenant", "create", "acme")
	assert.ErrorContains(t, err, "already exists")
	_, err = run("tenant", "create", "Bad_Name")
	assert.ErrorContains(t, err, "lower-case")
	out, err = run("tenant", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "acme")

	keyOut, err := run("apikey", "create", "--tenant", "acme", "--name", "erp")
	require.NoError(t, err)
	secret := regexp.MustCompile(`crm_[0-9a-f]{48}`).FindString(keyOut)
	require.NotEmpty(t, secret)
	out, err = run("apikey", "list", "--tenant", "acme")
	require.NoError(t, err)
	assert.Contains(t, out, "erp")
	assert.NotContains(t, out, secret, "secrets are never listed")
	_, err = run("apikey", "create", "--tenant", "ghost")
	assert.ErrorContains(t, err, "does not exist")

	s := startServer(t, dir)
	assert.Empty(t, s.Key, "a data directory with a tenant gets no bootstrap key")
	r := s.gql(t, secret, `{ objects { name } }`, nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Empty(t, r.Errors)

	// Revoking from the CLI while the server runs (another process on the
	// same store) takes effect within engine.APIKeyRecheck: the server
	// reads a key it keeps in memory again after that long.
	id := regexp.MustCompile(`created API key (\S+)`).FindStringSubmatch(keyOut)[1]
	_, err = run("apikey", "revoke", "--tenant", "acme", "--id", id)
	require.NoError(t, err)
	time.Sleep(engine.APIKeyRecheck)
	r = s.gql(t, secret, `{ objects { name } }`, nil)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestCLI_ExportImport(t *testing.T) {
	t.Parallel()
	srcDir, dstDir := t.TempDir(), t.TempDir()
	run := func(stdin io.Reader, args ...string) (string, string, error) {
		out, errOut := &testkit.Buffer{}, &testkit.Buffer{}
		m := &Main{Stdin: stdin, Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }}
		err := m.Run(context.Background(), args)
		return out.String(), errOut.String(), err
	}
	s := startServer(t, srcDir)
	installStarter(t, s)
	acct := s.ok(t, `mutation { createAccount(input: {name: "导出测试"}) { id } }`, nil)
	for i := 0; i < 3; i++ {
		s.ok(t, `mutation($a: ID) { createDeal(input: {title: "d", account: $a}) { number } }`, map[string]any{"a": path(acct, "createAccount", "id")})
	}

	file := filepath.Join(t.TempDir(), "default.jsonl")
	_, msg, err := run(nil, "export", "--tenant", "default", "--data", srcDir, "--out", file)
	require.NoError(t, err)
	assert.Contains(t, msg, `exported tenant "default"`)
	_, _, err = run(nil, "export", "--tenant", "default", "--data", srcDir, "--out", file)
	assert.ErrorContains(t, err, "exists", "an export never overwrites a file")
	_, _, err = run(nil, "export", "--tenant", "nope", "--data", srcDir)
	assert.ErrorContains(t, err, `tenant "nope" does not exist`)

	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	out, _, err := run(f, "import", "--tenant", "moved", "--data", dstDir)
	require.NoError(t, err)
	assert.Contains(t, out, `imported tenant "moved"`)
	assert.Regexp(t, `[1-9][0-9]* records`, out)

	again, _, err := run(nil, "export", "--tenant", "moved", "--data", dstDir)
	require.NoError(t, err)
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	body := func(s string) string { _, rest, _ := strings.Cut(s, "\n"); return rest }
	assert.Equal(t, body(string(want)), body(again), "the moved tenant exports the same")

	_, _, err = run(strings.NewReader("garbage\n"), "import", "--tenant", "other", "--data", dstDir)
	assert.ErrorContains(t, err, "line 1: not a JSON object")
}

// TestServe_AutomationWebhook runs a webhook automation through the real
// server: the record write enqueues it, the server's worker delivers it,
// signed, to a receiver on loopback.
func TestServe_AutomationWebhook(t *testing.T) {
	t.Parallel()
	type hit struct {
		body      []byte
		signature string
		key       string
	}
	hits := make(chan hit, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{body: body, signature: r.Header.Get("X-CRM-Signature"), key: r.Header.Get("Idempotency-Key")}
	}))
	defer receiver.Close()

	s := startServer(t, t.TempDir(), "--webhook-allow-private")
	def := fmt.Sprintf(`{"$id": "ticket", "type": "object", "properties": {
	  "subject": {"type": "string", "x-crm-type": "text"},
	  "priority": {"type": "string", "enum": ["low", "urgent"], "x-crm-type": "picklist"}},
	  "x-crm-automations": [{"name": "page", "trigger": {"event": "created"},
	    "condition": {"field": "priority", "op": "eq", "value": "urgent"},
	    "actions": [{"type": "webhook", "url": %q}]}]}`, receiver.URL+"/pager")
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	s.ok(t, `mutation { createTicket(input: {subject: "小事", priority: low}) { id } }`, nil)
	created := s.ok(t, `mutation { createTicket(input: {subject: "数据库宕机", priority: urgent}) { id } }`, nil)
	secret := path(s.ok(t, `{ webhookSecret }`, nil), "webhookSecret").(string)

	var h hit
	select {
	case h = <-hits:
	case <-time.After(20 * time.Second):
		t.Fatal("the webhook did not arrive within 20s")
	}
	require.NoError(t, webhook.Verify(secret, h.signature, h.body, time.Now(), 5*time.Minute))
	var payload map[string]any
	require.NoError(t, json.Unmarshal(h.body, &payload))
	assert.Equal(t, "page", payload["rule"])
	assert.Equal(t, path(created, "createTicket", "id"), path(payload, "record", "id"))
	assert.Equal(t, "数据库宕机", path(payload, "record", "data", "subject"))
	assert.NotEmpty(t, h.key)

	require.Eventually(t, func() bool {
		data := s.ok(t, `{ outbox(status: "delivered") { id status attempts kind } }`, nil)
		entries, _ := path(data, "outbox").([]any)
		return len(entries) == 1 && path(entries, 0, "id") == h.key
	}, 10*time.Second, 50*time.Millisecond)
	select {
	case extra := <-hits:
		t.Fatalf("only the urgent ticket pages, got %s", extra.body)
	default:
	}
}

// TestCLI_MongoDown checks that every data command honours --mongo and
// that a MongoDB that is not there fails the command with a clear error
// within the configured timeouts.
func TestCLI_MongoDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	uri := "mongodb://" + addr + "/?connectTimeoutMS=300&serverSelectionTimeoutMS=300"
	for _, args := range [][]string{
		{"tenant", "list", "--mongo", uri},
		{"apikey", "list", "--tenant", "x", "--mongo", uri},
		{"export", "--tenant", "x", "--mongo", uri},
		{"serve", "--addr", "127.0.0.1:0", "--mongo", uri},
	} {
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := m.Run(ctx, args)
		cancel()
		require.Error(t, err, args)
		assert.ErrorIs(t, err, store.ErrUnavailable, args)
		assert.NotContains(t, err.Error(), "connectTimeoutMS", "the URI is not echoed")
	}
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "CRM_MONGODB_URI" {
			return uri
		}
		return ""
	}}
	err = m.Run(context.Background(), []string{"tenant", "list"})
	assert.ErrorIs(t, err, store.ErrUnavailable, "the variable works as the flag")
}

func TestServe_RateLimited(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--rate-per-key", "1")
	statuses := []int{}
	for range 3 {
		statuses = append(statuses, s.gql(t, s.Key, `{ __typename }`, nil).Status)
	}
	assert.Equal(t, []int{200, 200, 429}, statuses, "a burst of twice the rate, then 429")
}

// TestServe_EncryptionKey: sensitive fields need the key, and the server
// refuses to start without it or with another one.
func TestServe_EncryptionKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := strings.Repeat("ab", 32)
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(key+"\n"), 0o600))
	s := startServer(t, dir, "--encryption-key-file", keyFile)
	def := `{"$id": "patient", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
	  "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true, "x-crm-searchable": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	s.ok(t, `mutation { createPatient(input: {name: "王芳", mobile: "13812345678"}) { id } }`, nil)
	data := s.ok(t, `{ patients(filter: {mobile: {eq: "13812345678"}}) { nodes { mobile } } }`, nil)
	assert.Equal(t, "13812345678", path(data, "patients", "nodes", 0, "mobile"))

	// Another key, or none: the server starts, and only this tenant is
	// unavailable, saying why (issue 13, item 10).
	other := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, other.Run(context.Background(), []string{"tenant", "create", "plain", "--data", dir, "--encryption-key-file", keyFile}))
	plainKey := createKey(t, dir, "plain")
	for _, extra := range [][]string{
		{"--encryption-key-file", writeKey(t, strings.Repeat("cd", 32))},
		nil, // the data directory's own key, which is another
	} {
		bad := startServer(t, dir, extra...)
		assert.Contains(t, bad.Stdout.String(), `tenant "default" is unavailable`)
		r := bad.gql(t, s.Key, `{ patients { nodes { name } } }`, nil)
		require.NotEmpty(t, r.Errors)
		assert.Equal(t, "UNAVAILABLE", r.Errors[0].Extensions["code"])
		assert.Contains(t, r.Errors[0].Message, "encryption key")
		r = bad.gql(t, plainKey, `{ objects { name } }`, nil)
		assert.Equal(t, http.StatusOK, r.Status, "the other tenant is served")
	}
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "CRM_ENCRYPTION_KEY" {
			return "too short"
		}
		return ""
	}}
	err := m.Run(context.Background(), []string{"serve", "--data", dir})
	assert.ErrorContains(t, err, "64 hex digits or base64")
}

// TestServe_KeyInDataDirectory: without a configured key, the embedded
// store keeps one in its data directory, so that templates with sensitive
// fields install out of the box, and later starts use it.
func TestServe_KeyInDataDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	info, err := os.Stat(filepath.Join(dir, "encryption.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	def := `{"$id": "patient", "type": "object", "properties": {"idCard": {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	s.ok(t, `mutation { createPatient(input: {idCard: "110105194912310021"}) { id } }`, nil)
	out := &testkit.Buffer{}
	m := &Main{Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, m.Run(context.Background(), []string{"export", "--tenant", "default", "--data", dir}))
	assert.NotContains(t, out.String(), "110105194912310021", "encrypted with the directory's key")
}

// TestServe_TemplatesOverGraphQL installs an industry template with sample
// data through the API, reinstalls it (nothing changes) and removes the
// sample data.
func TestServe_TemplatesOverGraphQL(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	data := s.ok(t, `{ templates { name version label { zh } installedVersion } }`, nil)
	names := map[string]any{}
	for _, tpl := range path(data, "templates").([]any) {
		names[path(tpl, "name").(string)] = path(tpl, "installedVersion")
	}
	require.Contains(t, names, "healthcare")
	assert.Nil(t, names["healthcare"])

	plan := s.ok(t, `mutation { installTemplate(name: "healthcare", dryRun: true) { dryRun applied objects } }`, nil)
	assert.Equal(t, false, path(plan, "installTemplate", "applied"))
	assert.NotEmpty(t, path(plan, "installTemplate", "objects"))
	assert.Empty(t, path(s.ok(t, `{ objects { name } }`, nil), "objects"), "a dry run changes nothing")

	res := s.ok(t, `mutation { installTemplate(name: "healthcare", sampleData: true, records: 200, seed: 7) { toVersion applied sampleRecords } }`, nil)
	assert.Equal(t, true, path(res, "installTemplate", "applied"))
	assert.Greater(t, path(res, "installTemplate", "sampleRecords"), 0.0)
	data = s.ok(t, `{ patients(first: 1) { totalCount nodes { id } } }`, nil)
	assert.Greater(t, path(data, "patients", "totalCount"), 0.0)

	again := s.ok(t, `mutation { installTemplate(name: "healthcare") { applied } }`, nil)
	assert.Equal(t, false, path(again, "installTemplate", "applied"), "installing the same version again changes nothing")
	r := s.gql(t, s.Key, `mutation { installTemplate(name: "healthcare", sampleData: true, records: 100000) { applied } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "crm template install")

	deleted := s.ok(t, `mutation { resetSampleData(name: "healthcare") }`, nil)
	assert.Greater(t, path(deleted, "resetSampleData"), 0.0)
	data = s.ok(t, `{ patients { totalCount } }`, nil)
	assert.Equal(t, 0.0, path(data, "patients", "totalCount"))
}

func TestCLI_TenantScriptLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := cliOn(dir)
	_, err := run("tenant", "create", "acme")
	require.NoError(t, err)
	out, err := run("tenant", "limits", "acme")
	require.NoError(t, err)
	assert.Regexp(t, `script-time\s+1s`, out, "the defaults")
	out, err = run("tenant", "limits", "acme", "--script-time", "3s", "--script-queries", "20")
	require.NoError(t, err)
	assert.Regexp(t, `script-time\s+3s`, out)
	assert.Regexp(t, `script-queries\s+20\n`, out)

	s := startServer(t, dir)
	s.Key = createKey(t, dir, "acme")
	data := s.ok(t, `{ limits { name value } }`, nil)
	values := map[string]any{}
	for _, l := range path(data, "limits").([]any) {
		values[path(l, "name").(string)] = path(l, "value")
	}
	assert.Equal(t, 3000.0, values["script.wallTime"], "the tenant's admins see the operator's setting")
	assert.Equal(t, 20.0, values["script.queries"])
	assert.Equal(t, 12.0, values["query.depth"], "the API's own limits are listed too")
	assert.Contains(t, values, "api.ratePerKey")

	out, err = run("tenant", "limits", "acme", "--reset")
	require.NoError(t, err)
	assert.Regexp(t, `script-time\s+1s`, out)
	_, err = run("tenant", "limits", "nope")
	assert.ErrorContains(t, err, `tenant "nope" does not exist`)
}

// TestServe_TemplateInstallInTheBackground: a large install runs as a job
// whose progress admins can follow.
func TestServe_TemplateInstallInTheBackground(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	job := s.ok(t, `mutation { startTemplateInstall(name: "retail", sampleData: true, records: 600, seed: 3) { id kind status } }`, nil)
	assert.Equal(t, "installTemplate", path(job, "startTemplateInstall", "kind"))
	id := path(job, "startTemplateInstall", "id")
	var last map[string]any
	require.Eventually(t, func() bool {
		for _, j := range path(s.ok(t, `{ jobs { id status done total error } }`, nil), "jobs").([]any) {
			if path(j, "id") == id {
				last = j.(map[string]any)
				return last["status"] != "running"
			}
		}
		return false
	}, 5*time.Minute, 100*time.Millisecond, "a job of 600 records finishes (the bound is for a loaded CI machine, not a speed target)")
	assert.Equal(t, "done", last["status"], last["error"])
	assert.Greater(t, last["done"], 0.0)
	assert.Equal(t, last["total"], last["done"])
	data := s.ok(t, `{ templates { name installedVersion } }`, nil)
	for _, tpl := range path(data, "templates").([]any) {
		if path(tpl, "name") == "retail" {
			assert.NotNil(t, path(tpl, "installedVersion"))
		}
	}
}

func TestCLI_ExpiringKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := cliOn(dir)
	_, err := run("tenant", "create", "acme")
	require.NoError(t, err)
	_, err = run("apikey", "create", "--tenant", "acme", "--name", "partner", "--expires", "2160h")
	require.NoError(t, err)
	out, err := run("apikey", "list", "--tenant", "acme")
	require.NoError(t, err)
	assert.Contains(t, out, "EXPIRES")
	assert.Regexp(t, `partner\s+admin\s+crm_[0-9a-f]+…\s+\S+\s+\d{4}-\d{2}-\d{2}T`, out, "the expiry is listed")
	_, err = run("apikey", "create", "--tenant", "acme", "--expires", "-1h")
	assert.ErrorContains(t, err, "positive")
}

// TestServe_RoleKey: a key made with a role sees the role's API only.
func TestServe_RoleKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	installStarter(t, s)
	s.ok(t, `mutation { createDeal(input: {title: "大单", amount: 900}) { id } }`, nil)
	role := `{"name": "sales", "label": {"zh": "销售", "en": "Sales"}, "objects": {"deal": {"read": true, "fields": {"amount": "hidden"}}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})

	out := &testkit.Buffer{}
	m := &Main{Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, m.Run(context.Background(), []string{"apikey", "create", "--tenant", "default", "--role", "sales", "--data", dir}))
	salesKey := regexp.MustCompile(`crm_[0-9a-f]{48}`).FindString(out.String())
	err := m.Run(context.Background(), []string{"apikey", "create", "--tenant", "default", "--role", "ghost", "--data", dir})
	assert.ErrorContains(t, err, `no role "ghost"`)

	r := s.gql(t, salesKey, `{ deals { nodes { title } } }`, nil)
	require.Empty(t, r.Errors)
	assert.Equal(t, "大单", path(r.Data, "deals", "nodes", 0, "title"))
	r = s.gql(t, salesKey, `{ deals { nodes { amount } } }`, nil)
	require.NotEmpty(t, r.Errors, "the hidden field is not in the role's API")
	r = s.gql(t, salesKey, `mutation { createDeal(input: {title: "x"}) { id } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])
	r = s.gql(t, salesKey, `{ object(name: "deal") { access { read create update delete readOnlyFields maskedFields } } }`, nil)
	require.Empty(t, r.Errors)
	assert.Equal(t, map[string]any{"read": true, "create": false, "update": false, "delete": false,
		"readOnlyFields": []any{}, "maskedFields": []any{}}, path(r.Data, "object", "access"), "what the role may do, for screens")
	admin := s.ok(t, `{ object(name: "deal") { access { read create update delete } } }`, nil)
	assert.Equal(t, map[string]any{"read": true, "create": true, "update": true, "delete": true}, path(admin, "object", "access"))
	r = s.gql(t, salesKey, `{ objects { name definition fields { name } } __type(name: "Deal") { fields { name } } }`, nil)
	require.Empty(t, r.Errors, "a role reads the metadata of what it may read, and introspects its own schema")
	assert.Len(t, r.Data["objects"], 1, "deal only")
	assert.Equal(t, "deal", path(r.Data, "objects", 0, "name"))
	text, err := json.Marshal(r.Data)
	require.NoError(t, err)
	assert.NotContains(t, string(text), `"amount"`, "no hidden field's name anywhere")
	r = s.gql(t, salesKey, `{ objectHistory(name: "deal") { version } }`, nil)
	assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], "the history stays with administrators")
}

// TestServe_SignIn: a user added with the CLI signs in over HTTP and works
// with the session cookie; writes need the CSRF token.
func TestServe_SignIn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	installStarter(t, s)
	role := `{"name": "sales", "objects": {"deal": {"read": true, "create": true}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})

	out := &testkit.Buffer{}
	m := &Main{Stdin: strings.NewReader("correct horse battery\n"), Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, m.Run(context.Background(), []string{"user", "create", "--tenant", "default", "--username", "li.lei", "--display-name", "李雷", "--role", "sales", "--data", dir}))
	assert.Contains(t, out.String(), `created user "li.lei" (role sales)`)
	m.Stdin = strings.NewReader("")
	assert.ErrorContains(t, m.Run(context.Background(), []string{"user", "create", "--tenant", "default", "--username", "x2", "--data", dir}), "no password")
	out.Reset()
	require.NoError(t, m.Run(context.Background(), []string{"user", "list", "--tenant", "default", "--data", dir}))
	assert.Regexp(t, `li\.lei\s+李雷\s+sales\s+true`, out.String())

	post := func(url, body string, headers map[string]string) (*http.Response, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "en")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, _ := post(s.URL+"/auth/login", `{"tenant":"default","username":"li.lei","password":"wrong password"}`, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, body := post(s.URL+"/auth/login", `{"tenant":"default","username":"li.lei","password":"correct horse battery"}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "crm_session" {
			cookie = c
		}
	}
	require.NotNil(t, cookie)
	assert.True(t, cookie.HttpOnly)
	csrf, _ := body["csrfToken"].(string)
	withCookie := map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}

	resp, _ = post(s.URL+"/graphql", `{"query":"mutation { createDeal(input: {title: \"会话单\"}) { id } }"}`, withCookie)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no CSRF token")
	withCookie["X-CSRF-Token"] = csrf
	resp, body = post(s.URL+"/graphql", `{"query":"mutation { createDeal(input: {title: \"会话单\"}) { id createdBy } }"}`, withCookie)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "user:li.lei", path(body["data"], "createDeal", "createdBy"), "%v", body)
	resp, body = post(s.URL+"/graphql", `{"query":"{ deals { totalCount } }"}`, withCookie)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, float64(1), path(body["data"], "deals", "totalCount"))
	resp, body = post(s.URL+"/graphql", `{"query":"mutation { deleteDeal(id: \"x\") }"}`, withCookie)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, fmt.Sprint(body["errors"]), "FORBIDDEN", "the role may not delete")
	resp, body = post(s.URL+"/graphql", `{"query":"{ me { id role admin } }"}`, withCookie)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, map[string]any{"id": "user:li.lei", "role": "sales", "admin": false}, path(body["data"], "me"))

	// Administrators manage users over GraphQL; deactivation ends sessions.
	data := s.ok(t, `mutation { createUser(input: {username: "han.mei", displayName: "韩梅", password: "another good password", role: "sales", manager: "li.lei", team: "east"}) { username manager team active } }`, nil)
	assert.Equal(t, map[string]any{"username": "han.mei", "manager": "li.lei", "team": "east", "active": true}, data["createUser"])
	r := s.gql(t, s.Key, `mutation { createUser(input: {username: "x3", password: "short"}) { username } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "at least 10 characters")
	data = s.ok(t, `{ users { username role manager } }`, nil)
	assert.Len(t, data["users"], 3, "admin (made on the first start), han.mei and li.lei")
	_, body = post(s.URL+"/graphql", `{"query":"{ users { username } }"}`, withCookie)
	assert.Contains(t, fmt.Sprint(body["errors"]), "FORBIDDEN", "not an administrator")
	s.ok(t, `mutation { updateUser(username: "li.lei", input: {active: false}) { active } }`, nil)
	resp, _ = post(s.URL+"/graphql", `{"query":"{ me { id } }"}`, withCookie)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the session ended with the deactivation")
}
