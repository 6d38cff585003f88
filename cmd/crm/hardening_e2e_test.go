package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
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
	assert.Contains(t, body["error"], "not valid UTF-8")
	left := s.ok(t, `{ deals { totalCount } }`, nil)
	assert.Equal(t, 1.0, path(left, "deals", "totalCount"), "nothing else was written")
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

// roleKey creates an API key of tenant "default" with a role.
func roleKey(t *testing.T, dir, role string) string {
	t.Helper()
	out := &syncBuffer{}
	m := &Main{Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, m.Run(t.Context(), []string{"apikey", "create", "--tenant", "default", "--role", role, "--data", dir}))
	key := regexp.MustCompile(`crm_[0-9a-f]{48}`).FindString(out.String())
	require.NotEmpty(t, key)
	return key
}
