package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// session is a signed-in user of a test server.
type session struct {
	s            *testServer
	cookie, csrf string
}

func (s *testServer) signIn(t *testing.T, username, password string) *session {
	t.Helper()
	body := fmt.Sprintf(`{"tenant":"default","username":%q,"password":%q}`, username, password)
	resp, err := http.Post(s.URL+"/auth/login", "application/json", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		CSRF string `json:"csrfToken"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	for _, c := range resp.Cookies() {
		if c.Name == "crm_session" {
			return &session{s: s, cookie: c.Name + "=" + c.Value, csrf: out.CSRF}
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// do runs a GraphQL operation as the user and returns data and the
// errors' codes.
func (se *session) do(t *testing.T, query string) (map[string]any, []string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, se.s.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", se.cookie)
	req.Header.Set("X-CSRF-Token", se.csrf)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	var codes []string
	for _, e := range out.Errors {
		codes = append(codes, e.Extensions.Code)
	}
	return out.Data, codes
}

// TestServe_Sharing signs users in and checks record-level sharing and
// masking through GraphQL: lists, totals, single reads, lookups, reverse
// lists, filters and transfers.
func TestServe_Sharing(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	for _, def := range []string{
		`{"$id": "client", "type": "object", "x-crm-sharing": "private", "properties": {
		   "name": {"type": "string", "x-crm-type": "text"},
		   "mobile": {"type": "string", "x-crm-type": "phone"}}}`,
		`{"$id": "visit", "type": "object", "properties": {
		   "note": {"type": "string", "x-crm-type": "text"},
		   "client": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "client"}}}`,
	} {
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	role := `{"name": "sales", "objects": {"*": {"read": true, "create": true, "update": true, "delete": true, "fields": {}},
	  "client": {"read": true, "create": true, "update": true, "fields": {"mobile": "masked"}}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	for _, u := range []string{
		`{username: "mgr", password: "manager password", role: "sales"}`,
		`{username: "rep1", password: "rep one password", role: "sales", manager: "mgr"}`,
		`{username: "rep2", password: "rep two password", role: "sales"}`,
	} {
		s.ok(t, `mutation { createUser(input: `+u+`) { username } }`, nil)
	}
	mgr, rep1, rep2 := s.signIn(t, "mgr", "manager password"), s.signIn(t, "rep1", "rep one password"), s.signIn(t, "rep2", "rep two password")

	data, codes := rep1.do(t, `mutation { createClient(input: {name: "甲", mobile: "13812345678"}) { id ownerId mobile } }`)
	require.Empty(t, codes)
	a := path(data, "createClient", "id").(string)
	assert.Equal(t, "user:rep1", path(data, "createClient", "ownerId"))
	assert.Equal(t, "138****5678", path(data, "createClient", "mobile"), "even the creator's role sees it masked")
	data, codes = rep2.do(t, `mutation { createClient(input: {name: "乙", mobile: "13900001111"}) { id } }`)
	require.Empty(t, codes)
	b := path(data, "createClient", "id").(string)
	for _, c := range []string{a, b} {
		s.ok(t, fmt.Sprintf(`mutation { createVisit(input: {note: "visit", client: %q}) { id } }`, c), nil)
	}

	names := func(se *session) []any {
		data, codes := se.do(t, `{ clients(orderBy: [{name: ASC}]) { totalCount nodes { name } } }`)
		require.Empty(t, codes)
		var out []any
		for _, n := range path(data, "clients", "nodes").([]any) {
			out = append(out, path(n, "name"))
		}
		assert.EqualValues(t, len(out), path(data, "clients", "totalCount"))
		return out
	}
	assert.Equal(t, []any{"甲"}, names(rep1))
	assert.Equal(t, []any{"乙"}, names(rep2))
	assert.Equal(t, []any{"甲"}, names(mgr), "the manager sees the report's client, not rep2's")

	data, codes = rep1.do(t, fmt.Sprintf(`{ client(id: %q) { name } }`, b))
	assert.Empty(t, codes)
	assert.Nil(t, data["client"], "another's client reads as absent")
	data, codes = rep1.do(t, `{ visits(orderBy: [{createdAt: ASC}]) { nodes { client { name visits { totalCount } } } } }`)
	require.Empty(t, codes)
	assert.Equal(t, "甲", path(data, "visits", "nodes", 0, "client", "name"))
	assert.EqualValues(t, 1, path(data, "visits", "nodes", 0, "client", "visits", "totalCount"))
	assert.Nil(t, path(data, "visits", "nodes", 1, "client"), "a lookup to a client out of sight is null")
	data, codes = rep1.do(t, `{ clients(filter: {or: [{ownerId: {eq: "user:rep2"}}, {name: {eq: "乙"}}]}) { totalCount } }`)
	require.Empty(t, codes)
	assert.EqualValues(t, 0, path(data, "clients", "totalCount"), "no filter reaches past the sharing")
	_, codes = rep1.do(t, `{ clients(filter: {mobile: {startsWith: "138"}}) { totalCount } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "no guessing a masked value")
	_, codes = rep1.do(t, fmt.Sprintf(`mutation { updateClient(id: %q, input: {name: "改"}) { id } }`, b))
	assert.Equal(t, []string{"NOT_FOUND"}, codes)

	data, codes = s.do(t, fmt.Sprintf(`{ client(id: %q) { mobile } }`, a))
	require.Empty(t, codes)
	assert.Equal(t, "13812345678", path(data, "client", "mobile"), "an administrator sees the value")

	_, codes = rep2.do(t, fmt.Sprintf(`mutation { transferClient(id: %q, owner: "rep2") { id } }`, a))
	assert.Equal(t, []string{"NOT_FOUND"}, codes, "no one takes what they do not see")
	data, codes = rep1.do(t, fmt.Sprintf(`mutation { transferClient(id: %q, owner: "rep2") { ownerId } }`, a))
	require.Empty(t, codes)
	assert.Equal(t, "user:rep2", path(data, "transferClient", "ownerId"))
	assert.Empty(t, names(rep1))
	assert.Equal(t, []any{"乙", "甲"}, names(rep2))
	data = s.ok(t, fmt.Sprintf(`{ auditTrail(object: "client", recordId: %q, action: "update") { entries { actor changes } } }`, a), nil)
	assert.Equal(t, "user:rep1", path(data, "auditTrail", "entries", 0, "actor"))
	assert.Equal(t, map[string]any{"old": "user:rep1", "new": "user:rep2"}, path(data, "auditTrail", "entries", 0, "changes", "ownerId"))
	data = s.ok(t, fmt.Sprintf(`{ client(id: %q) { auditTrail { entries { action actor } } } }`, a), nil)
	assert.Equal(t, []any{map[string]any{"action": "update", "actor": "user:rep1"}, map[string]any{"action": "create", "actor": "user:rep1"}},
		path(data, "client", "auditTrail", "entries"), "the record's history, newest first")
	_, codes = rep2.do(t, fmt.Sprintf(`{ client(id: %q) { auditTrail { entries { action } } } }`, a))
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "history is for administrators")

	// Views and layouts over HTTP: a shared view from the administrator, a
	// personal one from a user, both applied by name; the page layout as
	// the role gets it.
	_, codes = s.do(t, `mutation { saveView(shared: true, definition: {object: "client", name: "byName", sort: [{field: "name"}], columns: ["name", "mobile"]}) }`)
	require.Empty(t, codes)
	_, codes = rep2.do(t, `mutation { saveView(definition: {object: "client", name: "jia", filter: {field: "name", op: "eq", value: "甲"}}) }`)
	require.Empty(t, codes)
	data, codes = rep2.do(t, `{ views(object: "client") clients(view: "jia") { totalCount } }`)
	require.Empty(t, codes)
	assert.EqualValues(t, 1, path(data, "clients", "totalCount"))
	assert.Len(t, data["views"], 2)
	_, codes = rep1.do(t, `{ clients(view: "jia") { totalCount } }`)
	assert.Equal(t, []string{"NOT_FOUND"}, codes, "another user's view")
	_, codes = rep1.do(t, `mutation { saveView(shared: true, definition: {object: "client", name: "x"}) }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes)
	data, codes = rep2.do(t, `{ layout(object: "client") }`)
	require.Empty(t, codes)
	assert.Equal(t, true, path(data, "layout", "default"))
	assert.Equal(t, []any{"name", "mobile"}, path(data, "layout", "sections", 0, "fields"))
}

// do runs an operation with the administrator's key.
func (s *testServer) do(t *testing.T, query string) (map[string]any, []string) {
	t.Helper()
	r := s.gql(t, s.Key, query, nil)
	var codes []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		codes = append(codes, c)
	}
	return r.Data, codes
}

// get fetches a path with the session's cookie and decodes the JSON
// answer.
func (se *session) get(t *testing.T, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, se.s.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", se.cookie)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// errorsOf runs an operation as the user in English and returns the
// errors' messages and extensions.
func (se *session) errorsOf(t *testing.T, query string) []map[string]any {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, se.s.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("Cookie", se.cookie)
	req.Header.Set("X-CSRF-Token", se.csrf)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Errors []map[string]any `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Errors
}
