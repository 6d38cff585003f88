package graphql_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/store"
)

// newTestApp mounts the handler as cmd/crm does, with a stand-in for the
// authentication middleware: the X-Test-Actor header names the actor.
func newTestApp(t *testing.T, srv *graphql.Server) *fiber.App {
	t.Helper()
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		c.Locals("requestid", "req-42")
		switch c.Get("X-Test-Actor") {
		case "admin":
			c.SetUserContext(engine.WithActor(c.UserContext(), admin))
		case "user":
			c.SetUserContext(engine.WithActor(c.UserContext(), user))
		}
		return c.Next()
	})
	app.All("/graphql", srv.Handler)
	return app
}

type httpScenario struct {
	name           string
	method         string
	url            string
	body           string
	headers        map[string]string
	expectedStatus int
	expectedType   string
	expectedBody   []string // substrings
	expectedJSON   string   // whole body, when set
}

func runHTTP(t *testing.T, app *fiber.App, s httpScenario) {
	t.Helper()
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	req := httptest.NewRequest(s.method, s.url, body)
	if s.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, s.expectedStatus, resp.StatusCode, string(got))
	if s.expectedType != "" {
		assert.Contains(t, resp.Header.Get("Content-Type"), s.expectedType)
	}
	for _, want := range s.expectedBody {
		assert.Contains(t, string(got), want)
	}
	if s.expectedJSON != "" {
		assert.JSONEq(t, s.expectedJSON, string(got))
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	f.put(tenantA, "deal", "d1", map[string]any{"title": "Big"})
	app := newTestApp(t, srv)
	asUser := map[string]string{"X-Test-Actor": "user"}
	scenarios := []httpScenario{
		{name: "no actor", method: http.MethodPost, url: "/graphql", body: `{"query": "{ deals { nodes { id } } }"}`,
			expectedStatus: 401, expectedType: "application/json",
			expectedJSON: `{"errors": [{"message": "需要身份认证", "extensions": {"code": "UNAUTHENTICATED"}}]}`},
		{name: "query", method: http.MethodPost, url: "/graphql", headers: asUser,
			body:           `{"query": "query One($id: ID!) { deal(id: $id) { id title } }", "operationName": "One", "variables": {"id": "d1"}}`,
			expectedStatus: 200, expectedType: "application/json",
			expectedJSON: `{"data": {"deal": {"id": "d1", "title": "Big"}}}`},
		{name: "a gzipped body is decoded", method: http.MethodPost, url: "/graphql",
			headers:        map[string]string{"X-Test-Actor": "user", "Content-Encoding": "gzip"},
			body:           gzipped(t, `{"query": "query One($id: ID!) { deal(id: $id) { id title } }", "variables": {"id": "d1"}}`),
			expectedStatus: 200, expectedJSON: `{"data": {"deal": {"id": "d1", "title": "Big"}}}`},
		{name: "any type accepted is JSON", method: http.MethodPost, url: "/graphql",
			headers: map[string]string{"X-Test-Actor": "user", "Accept": "*/*", "Accept-Language": ""},
			body:    `{"query": "{ deal(id: \"d1\") { title } }"}`, expectedStatus: 200, expectedType: "application/json",
			expectedJSON: `{"data": {"deal": {"title": "Big"}}}`},
		{name: "batched queries", method: http.MethodPost, url: "/graphql", headers: asUser, body: ` [{"query": "{ deals { nodes { id } } }"}]`,
			expectedStatus: 400, expectedJSON: `{"errors": [{"message": "不支持批量查询", "extensions": {"code": "BAD_REQUEST"}}]}`},
		{name: "batched queries in English", method: http.MethodPost, url: "/graphql", body: `[]`,
			headers:        map[string]string{"X-Test-Actor": "user", "Accept-Language": "en-GB,en;q=0.9"},
			expectedStatus: 400, expectedJSON: `{"errors": [{"message": "batched queries are not supported", "extensions": {"code": "BAD_REQUEST"}}]}`},
		{name: "malformed JSON", method: http.MethodPost, url: "/graphql", headers: asUser, body: `{"query": `,
			expectedStatus: 400, expectedType: "application/json", expectedBody: []string{`"errors"`, `"BAD_REQUEST"`}},
		{name: "no query", method: http.MethodPost, url: "/graphql", headers: asUser, body: `{"variables": {}}`,
			expectedStatus: 400, expectedBody: []string{"BAD_REQUEST"}},
		{name: "variables not an object", method: http.MethodPost, url: "/graphql", headers: asUser, body: `{"query": "{ deals { nodes { id } } }", "variables": [1]}`,
			expectedStatus: 400, expectedBody: []string{"variables 与 extensions 须为对象或 null", "BAD_REQUEST"}},
		{name: "GraphQL errors are 200", method: http.MethodPost, url: "/graphql", headers: asUser, body: `{"query": "{ nope }"}`,
			expectedStatus: 200, expectedBody: []string{`Cannot query field \"nope\"`, `"BAD_REQUEST"`}},
		{name: "a browser without the web app gets a page on calling the API", method: http.MethodGet, url: "/graphql", headers: map[string]string{"Accept": "text/html,application/xhtml+xml"},
			expectedStatus: 200, expectedType: "text/html",
			expectedBody: []string{"Call it with POST", "Authorization: Bearer"}},
		{name: "query over GET", method: http.MethodGet, url: "/graphql?query=" + url.QueryEscape(`query($id: ID!) { deal(id: $id) { title } }`) + "&variables=" + url.QueryEscape(`{"id":"d1"}`),
			headers: asUser, expectedStatus: 200, expectedJSON: `{"data": {"deal": {"title": "Big"}}}`},
		{name: "mutation over GET is refused", method: http.MethodGet, url: "/graphql?query=" + url.QueryEscape(`mutation { deleteDeal(id: "d1") }`),
			headers: asUser, expectedStatus: 405, expectedBody: []string{"mutations must be sent with POST"}},
		{name: "other methods", method: http.MethodPut, url: "/graphql", headers: asUser, body: `{}`, expectedStatus: 405},
		{name: "not found in Chinese by default", method: http.MethodPost, url: "/graphql", headers: asUser,
			body: `{"query": "mutation { updateDeal(id: \"zz\", input: {title: \"x\"}) { id } }"}`, expectedStatus: 200,
			expectedJSON: `{"data": {"updateDeal": null}, "errors": [{"message": "未找到", "locations": [{"line": 1, "column": 12}], "path": ["updateDeal"], "extensions": {"code": "NOT_FOUND"}}]}`},
		{name: "not found in English", method: http.MethodPost, url: "/graphql",
			headers: map[string]string{"X-Test-Actor": "user", "Accept-Language": "fr-FR, en;q=0.8, zh;q=0.5"},
			body:    `{"query": "mutation { updateDeal(id: \"zz\", input: {title: \"x\"}) { id } }"}`, expectedStatus: 200,
			expectedBody: []string{`"message":"not found"`}},
		{name: "Chinese preferred over English", method: http.MethodPost, url: "/graphql",
			headers: map[string]string{"X-Test-Actor": "user", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"},
			body:    `{"query": "mutation { updateDeal(id: \"zz\", input: {title: \"x\"}) { id } }"}`, expectedStatus: 200,
			expectedBody: []string{`"message":"未找到"`}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			runHTTP(t, app, s)
		})
	}
	assert.Zero(t, f.count("DeleteRecord"), "the mutation sent with GET did not run")
}

// gzipped is text compressed with gzip, as a client sends a body with
// Content-Encoding: gzip.
func gzipped(t *testing.T, text string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.String()
}

func TestHandler_JSONVariableKeepsItsText(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	var got json.RawMessage
	f.SaveObjectFunc = func(_ context.Context, def json.RawMessage, _ engine.SaveOptions) (*engine.ObjectInfo, error) {
		got = def
		return &engine.ObjectInfo{Object: dealObject(), Version: 2}, nil
	}
	app := newTestApp(t, srv)
	runHTTP(t, app, httpScenario{method: http.MethodPost, url: "/graphql", headers: map[string]string{"X-Test-Actor": "admin"},
		body:           `{"query": "mutation($d: JSON!) { saveObject(definition: $d) { version } }", "variables": {"d": {"$id": "deal", "properties": {"z": {}, "a": {}}}}}`,
		expectedStatus: 200, expectedJSON: `{"data": {"saveObject": {"version": 2}}}`})
	assert.Equal(t, `{"$id": "deal", "properties": {"z": {}, "a": {}}}`, string(got))
}

// TestHandler_PanicIsAnInternalError checks G12: a resolver panic gives
// "internal error" with the request id, no stack or cause in the
// response, the cause in the log, and the server keeps serving.
func TestHandler_PanicIsAnInternalError(t *testing.T) {
	t.Parallel()
	f := newFakeEngine()
	f.setObjects(tenantA, accountObject(), dealObject())
	var logs bytes.Buffer
	srv, err := graphql.New(graphql.Config{Engine: f, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	f.ListFunc = func(context.Context, string, engine.ListQuery) (*engine.ListResult, error) {
		panic("SELECT secret FROM deals: boom")
	}
	f.CreateFunc = func(context.Context, string, map[string]any) (store.Record, error) {
		return store.Record{}, io.ErrUnexpectedEOF // an unclassified error
	}
	app := newTestApp(t, srv)
	for _, q := range []string{`{ deals { nodes { id } } }`, `mutation { createDeal(input: {title: \"x\"}) { id } }`} {
		runHTTP(t, app, httpScenario{method: http.MethodPost, url: "/graphql", headers: map[string]string{"X-Test-Actor": "user"},
			body:           `{"query": "` + q + `"}`,
			expectedStatus: 200,
			expectedJSON:   `{"data": ` + map[bool]string{true: "null", false: `{"createDeal": null}`}[strings.HasPrefix(q, "{")] + `, "errors": [{"message": "internal error", "locations": [{"line": 1, "column": ` + map[bool]string{true: "3", false: "12"}[strings.HasPrefix(q, "{")] + `}], "path": ["` + map[bool]string{true: "deals", false: "createDeal"}[strings.HasPrefix(q, "{")] + `"], "extensions": {"code": "INTERNAL", "requestId": "req-42"}}]}`,
		})
	}
	assert.Contains(t, logs.String(), "SELECT secret FROM deals: boom")
	assert.Contains(t, logs.String(), "unexpected EOF")
	assert.Contains(t, logs.String(), `"requestId":"req-42"`)
	assert.Contains(t, logs.String(), "goroutine", "the stack goes to the log")

	f.ListFunc = nil
	runHTTP(t, app, httpScenario{method: http.MethodPost, url: "/graphql", headers: map[string]string{"X-Test-Actor": "user"},
		body: `{"query": "{ deals { nodes { id } } }"}`, expectedStatus: 200, expectedJSON: `{"data": {"deals": {"nodes": []}}}`})
}
