package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/server"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// httpStack is the whole server on a loopback port, as crm serve builds
// it: the HTTP edge (internal/server, API keys), this package's handler,
// the engine and a fresh embedded store, with tenant "acme" and a
// template installed (no sample data: tests make the records they read).
type httpStack struct {
	url   string
	admin string // API key of an administrator
	// roleKeys are API keys acting with each role of the template.
	roleKeys map[string]string
	eng      *engine.Engine
	ctx      context.Context // an administrator of acme, for reading the store
	client   *http.Client
}

func newHTTPStack(t testing.TB, template string) *httpStack {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.WithEncryption(), testkit.WithTemplate(template))
	eng, ctx := tn.Engine, tn.Background
	s := &httpStack{eng: eng, roleKeys: map[string]string{}, client: &http.Client{Timeout: 30 * time.Second}, ctx: tn.Admin}
	var err error
	s.admin, _, err = eng.CreateAPIKey(ctx, "acme", "admin")
	require.NoError(t, err)
	roles, err := eng.Roles(s.ctx)
	require.NoError(t, err)
	for _, r := range roles {
		s.roleKeys[r.Name], _, err = eng.CreateRoleAPIKey(ctx, "acme", r.Name, r.Name, time.Time{})
		require.NoError(t, err)
	}

	gql, err := graphql.New(graphql.Config{Engine: eng, Logger: log})
	require.NoError(t, err)
	srv, err := server.New(server.Config{Auth: eng, Sessions: eng, GraphQL: gql.Handler, Logger: log, Imports: eng})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	s.url = "http://" + ln.Addr().String() + "/graphql"
	return s
}

// httpReply is an HTTP response, its body read.
type httpReply struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body, numbers as float64.
func (r httpReply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

// do sends one request; headers may set Authorization (the admin key by
// default; "" sends none), Content-Type and Accept.
func (s *httpStack) do(t testing.TB, method, url, body string, headers map[string]string) httpReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.admin)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return httpReply{status: resp.StatusCode, header: resp.Header, body: b}
}

// post sends a GraphQL request as JSON, asking for
// application/graphql-response+json; variables is JSON text or "".
func (s *httpStack) post(t testing.TB, key, query, variables, operationName string) httpReply {
	t.Helper()
	req := map[string]any{"query": query}
	if variables != "" {
		req["variables"] = json.RawMessage(variables)
	}
	if operationName != "" {
		req["operationName"] = operationName
	}
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(req))
	return s.do(t, http.MethodPost, s.url, buf.String(), map[string]string{
		"Authorization": "Bearer " + key, "Content-Type": "application/json", "Accept": "application/graphql-response+json"})
}

// count returns how many records of object have the field equal to value.
func (s *httpStack) count(t testing.TB, object, field string, value any) int64 {
	t.Helper()
	f := store.Leaf(field, store.OpEq, value)
	res, err := s.eng.ListRecords(s.ctx, object, engine.ListQuery{Filter: &f, WithTotal: true, First: 1})
	require.NoError(t, err)
	return res.Total
}

// jsonText encodes a decoded JSON value again.
func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
