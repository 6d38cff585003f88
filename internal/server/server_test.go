package server_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/server"
	"github.com/crmkit/crm/internal/testkit"
)

const goodKey = "crm_good"

// keys accepts goodKey as an admin of tenant "acme".
type keys struct{}

func (keys) Authenticate(_ context.Context, secret string) (engine.Actor, error) {
	if secret == goodKey {
		return engine.Actor{TenantID: "acme", ID: "key:1", Admin: true}, nil
	}
	return engine.Actor{}, &engine.Error{Kind: engine.ErrUnauthenticated, Message: "unknown or revoked API key", MessageZh: "API 密钥无效或已吊销"}
}

// edge is a server on a loopback port whose GraphQL handler is given by
// the test.
type edge struct {
	url   string
	addr  string
	calls atomic.Int32
}

func startEdge(t *testing.T, cfg server.Config, handler fiber.Handler) *edge {
	t.Helper()
	e := &edge{}
	cfg.Auth = keys{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.GraphQL = func(c *fiber.Ctx) error {
		e.calls.Add(1)
		return handler(c)
	}
	s, err := server.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() {
		// Shutdown waits for open connections: let go of the idle
		// keep-alive ones that parallel subtests left.
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, s.Shutdown(ctx))
	})
	e.addr = ln.Addr().String()
	e.url = "http://" + e.addr
	return e
}

// whoAmI answers with the actor the edge put into the context.
func whoAmI(c *fiber.Ctx) error {
	a, ok := engine.ActorFrom(c.UserContext())
	if !ok {
		return c.JSON(fiber.Map{"actor": nil})
	}
	return c.JSON(fiber.Map{"actor": a.ID, "tenant": a.TenantID})
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	text   string
}

func do(t *testing.T, method, url, body string, headers map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{status: resp.StatusCode, header: resp.Header, text: string(text)}
	_ = json.Unmarshal(text, &r.body)
	return r
}

func TestEdge_Authentication(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{}, whoAmI)
	scenarios := []struct {
		name           string
		method         string
		headers        map[string]string
		expectedStatus int
		expectedText   string
	}{
		{"no header", http.MethodPost, nil, http.StatusUnauthorized, "缺少 Authorization"},
		{"no header, English", http.MethodPost, map[string]string{"Accept-Language": "en-US,en;q=0.9"}, http.StatusUnauthorized, "missing Authorization"},
		{"basic auth", http.MethodPost, map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"empty bearer", http.MethodPost, map[string]string{"Authorization": "Bearer "}, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"unknown key", http.MethodPost, map[string]string{"Authorization": "Bearer crm_bad", "Accept-Language": "en"}, http.StatusUnauthorized, "unknown or revoked API key"},
		{"GET query without key", http.MethodGet, nil, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"good key", http.MethodPost, map[string]string{"Authorization": "Bearer " + goodKey}, http.StatusOK, `"actor":"key:1"`},
		{"browser page without key", http.MethodGet, map[string]string{"Accept": "text/html"}, http.StatusOK, `"actor":null`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := do(t, s.method, e.url+"/graphql", `{"query":"{__typename}"}`, s.headers)
			assert.Equal(t, s.expectedStatus, r.status, r.text)
			assert.Contains(t, r.text, s.expectedText)
			if s.expectedStatus == http.StatusUnauthorized {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

// TestEdge_BodyLimit checks H1/G1: a body over the limit is refused with
// 413 and the handler never runs.
func TestEdge_BodyLimit(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{BodyLimit: 64 << 10}, whoAmI)
	r := do(t, http.MethodPost, e.url+"/graphql", strings.Repeat("x", 64<<10+1), map[string]string{"Authorization": "Bearer " + goodKey})
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Zero(t, e.calls.Load())
	r = do(t, http.MethodPost, e.url+"/graphql", strings.Repeat(" ", 64<<10), map[string]string{"Authorization": "Bearer " + goodKey})
	assert.Equal(t, http.StatusOK, r.status)
	assert.EqualValues(t, 1, e.calls.Load())
}

// TestEdge_BodyLimitUnread checks H1 where the upload route takes larger
// bodies than the others: a refused body is not read past the server's
// limit. A request that announces more than its route takes (60 MiB to
// /graphql, within the upload's limit; a gigabyte to the upload) and
// sends a little more than the server's limit is answered 413 (a server
// that read the body first would wait for the rest until its read
// timeout and answer 408); one sent in chunks is read up to the limit
// and refused.
func TestEdge_BodyLimitUnread(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{BodyLimit: 64 << 10, Imports: &keptUploads{}, ReadTimeout: time.Minute}, whoAmI)
	for path, announced := range map[string]int{"/graphql": 60 << 20, "/imports/upload?name=big.csv": 1 << 30} {
		conn, err := net.Dial("tcp", e.addr)
		require.NoError(t, err)
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n%s",
			path, goodKey, announced, strings.Repeat("x", 64<<10+1<<10))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, path)
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, path)
		assert.True(t, res.Close, "the connection closes: the body stays unread")
		res.Body.Close()
		conn.Close()
	}
	chunked := func(n int) *http.Request {
		body := io.MultiReader(strings.NewReader(strings.Repeat(" ", n)))
		req, err := http.NewRequest(http.MethodPost, e.url+"/graphql", body) // no length: sent in chunks
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+goodKey)
		return req
	}
	res, err := http.DefaultClient.Do(chunked(64<<10 + 1))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	assert.Zero(t, e.calls.Load())
	res, err = http.DefaultClient.Do(chunked(64 << 10))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "a chunked body within the limit reaches the handler")
	assert.EqualValues(t, 1, e.calls.Load())
}

// TestEdge_HeaderTooLarge checks H4: a header beyond the read buffer is an
// error answer, not a panic, and the server goes on serving.
func TestEdge_HeaderTooLarge(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{}, whoAmI)
	r := do(t, http.MethodPost, e.url+"/graphql", "{}", map[string]string{"Authorization": "Bearer " + goodKey, "X-Big": strings.Repeat("a", 20<<10)})
	assert.GreaterOrEqual(t, r.status, 400)
	assert.Zero(t, e.calls.Load())
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+"/healthz", "", nil).status)
}

// TestEdge_Panic checks H12: a panic in a handler is a 500 with the request
// id and no detail, and the process goes on serving.
func TestEdge_Panic(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{}, func(c *fiber.Ctx) error {
		panic("secret detail: SELECT * FROM records")
	})
	r := do(t, http.MethodPost, e.url+"/graphql", "{}", map[string]string{"Authorization": "Bearer " + goodKey, "Accept-Language": "en"})
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Equal(t, "internal error", r.body["error"])
	assert.Equal(t, "INTERNAL", r.body["code"])
	assert.NotEmpty(t, r.body["requestId"])
	assert.NotContains(t, r.text, "secret")
	assert.NotContains(t, r.text, "goroutine")
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+"/healthz", "", nil).status)
}

// TestEdge_Deadline checks H6: the request's context has a deadline, and
// work that runs past it answers 504 TIMEOUT.
func TestEdge_Deadline(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{RequestTimeout: 50 * time.Millisecond}, func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return c.SendString("too late")
		}
	})
	r := do(t, http.MethodPost, e.url+"/graphql", "{}", map[string]string{"Authorization": "Bearer " + goodKey})
	assert.Equal(t, http.StatusGatewayTimeout, r.status, r.text)
	assert.Equal(t, "TIMEOUT", r.body["code"])
	assert.Equal(t, "请求超时", r.body["error"])
}

// TestEdge_SlowClient checks H2: a client that sends its headers too
// slowly is disconnected after the read timeout.
func TestEdge_SlowClient(t *testing.T) {
	t.Parallel()
	e := startEdge(t, server.Config{ReadTimeout: 200 * time.Millisecond}, whoAmI)
	conn, err := net.Dial("tcp", e.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("POST /graphql HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	// Stop sending; the server must hang up. The generous deadline only
	// keeps a broken server from hanging the test.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = io.ReadAll(bufio.NewReader(conn))
	var ne net.Error
	if errors.As(err, &ne) {
		require.False(t, ne.Timeout(), "the server kept the connection open")
	}
	assert.Zero(t, e.calls.Load())
}

func TestEdge_HealthAndUI(t *testing.T) {
	t.Parallel()
	var healthy atomic.Bool
	healthy.Store(true)
	ui := fstest.MapFS{
		"index.html":     {Data: []byte("<html>CRM</html>")},
		"assets/app.js":  {Data: []byte("console.log(1)")},
		"assets/app.css": {Data: []byte("body{}")},
	}
	e := startEdge(t, server.Config{UI: ui, Health: func(context.Context) error {
		if healthy.Load() {
			return nil
		}
		return errors.New("store closed")
	}}, whoAmI)

	r := do(t, http.MethodGet, e.url+"/healthz", "", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "ok", r.body["status"])
	healthy.Store(false)
	r = do(t, http.MethodGet, e.url+"/healthz", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.NotContains(t, r.text, "store closed")

	assert.Contains(t, do(t, http.MethodGet, e.url+"/", "", nil).text, "CRM")
	assert.Contains(t, do(t, http.MethodGet, e.url+"/assets/app.js", "", nil).text, "console.log")
	deep := do(t, http.MethodGet, e.url+"/objects/deal/123", "", nil)
	assert.Equal(t, http.StatusOK, deep.status, "client-side routes get the app")
	assert.Contains(t, deep.text, "CRM")
	assert.NotEmpty(t, deep.header.Get("X-Request-Id"))
}

// TestEdge_RateLimits checks H8: 429 with Retry-After after the burst, per
// key and per address; a forged X-Forwarded-For from an untrusted peer
// changes nothing.
func TestEdge_RateLimits(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_800_000_000, 0))
	e := startEdge(t, server.Config{KeyRate: server.Rate{Per: 1, Burst: 3}, IPRate: server.Rate{Per: 10, Burst: 5}, Now: clk.Now}, whoAmI)
	auth := map[string]string{"Authorization": "Bearer " + goodKey, "Accept-Language": "en"}
	for i := range 3 {
		assert.Equal(t, http.StatusOK, do(t, http.MethodPost, e.url+"/graphql", "{}", auth).status, "request %d within the burst", i+1)
	}
	r := do(t, http.MethodPost, e.url+"/graphql", "{}", auth)
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	assert.Contains(t, r.text, "RATE_LIMITED")
	assert.Contains(t, r.text, "too many requests for this API key")
	clk.Advance(time.Second)
	assert.Equal(t, http.StatusOK, do(t, http.MethodPost, e.url+"/graphql", "{}", auth).status, "a token came back")

	// The address limit: 5 at once, whatever X-Forwarded-For claims.
	clk.Advance(time.Minute)
	forged := map[string]string{}
	statuses := map[int]int{}
	for i := range 8 {
		forged["X-Forwarded-For"] = fmt.Sprintf("203.0.113.%d", i)
		statuses[do(t, http.MethodGet, e.url+"/healthz", "", forged).status]++
	}
	assert.Equal(t, 5, statuses[http.StatusOK])
	assert.Equal(t, 3, statuses[http.StatusTooManyRequests])
}

// TestEdge_TrustedProxy: behind a trusted proxy, each client address has
// its own bucket.
func TestEdge_TrustedProxy(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_800_000_000, 0))
	e := startEdge(t, server.Config{IPRate: server.Rate{Per: 1, Burst: 1}, TrustedProxies: []string{"127.0.0.1"}, Now: clk.Now}, whoAmI)
	for i := range 4 {
		r := do(t, http.MethodGet, e.url+"/healthz", "", map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)})
		assert.Equal(t, http.StatusOK, r.status, "client %d", i)
	}
	r := do(t, http.MethodGet, e.url+"/healthz", "", map[string]string{"X-Forwarded-For": "198.51.100.0"})
	assert.Equal(t, http.StatusTooManyRequests, r.status)
}

// TestEdge_Sessions signs a user in through /auth/login and checks the
// cookie's attributes, that cookie-authenticated writes need the CSRF
// header (H10), that the token is never taken from the query string, and
// that signing out ends the session.
func TestEdge_Sessions(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Background
	_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "correct horse battery"})
	require.NoError(t, err)
	e := startEdge(t, server.Config{Sessions: eng}, whoAmI)

	bad := do(t, "POST", e.url+"/auth/login", `{"tenant":"acme","username":"li.lei","password":"wrong password"}`, map[string]string{"Content-Type": "application/json"})
	assert.Equal(t, http.StatusUnauthorized, bad.status)
	assert.NotContains(t, bad.header.Get("Set-Cookie"), "crm_session=")
	assert.Equal(t, http.StatusBadRequest, do(t, "POST", e.url+"/auth/login", `{"tenant":"acme"}`, map[string]string{"Content-Type": "application/json"}).status)

	in := do(t, "POST", e.url+"/auth/login", `{"tenant":"acme","username":"li.lei","password":"correct horse battery"}`, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, in.status, in.text)
	setCookie := in.header.Get("Set-Cookie")
	assert.Contains(t, setCookie, "HttpOnly")
	assert.Contains(t, strings.ToLower(setCookie), "samesite=lax")
	assert.NotContains(t, setCookie, "Secure", "plain HTTP on loopback")
	token, _, _ := strings.Cut(strings.TrimPrefix(setCookie, "crm_session="), ";")
	require.NotEmpty(t, token)
	csrf, _ := in.body["csrfToken"].(string)
	require.NotEmpty(t, csrf)
	assert.Equal(t, "李雷", in.body["user"].(map[string]any)["displayName"])
	cookie := map[string]string{"Cookie": "crm_session=" + token, "Content-Type": "application/json"}

	get := do(t, "GET", e.url+"/graphql?query={x}", "", cookie)
	require.Equal(t, http.StatusOK, get.status, get.text)
	assert.Equal(t, "user:li.lei", get.body["actor"], "a read needs only the cookie")

	before := e.calls.Load()
	noToken := do(t, "POST", e.url+"/graphql", `{"query":"mutation{x}"}`, cookie)
	assert.Equal(t, http.StatusForbidden, noToken.status, "H10: no CSRF header")
	assert.Contains(t, noToken.text, "X-CSRF-Token")
	wrong := map[string]string{"Cookie": cookie["Cookie"], "Content-Type": "application/json", "X-CSRF-Token": csrf + "x"}
	assert.Equal(t, http.StatusForbidden, do(t, "POST", e.url+"/graphql", `{"query":"mutation{x}"}`, wrong).status, "H10: wrong CSRF header")
	assert.Equal(t, http.StatusForbidden, do(t, "POST", e.url+"/graphql?csrf="+csrf+"&X-CSRF-Token="+csrf, `{"query":"mutation{x}"}`, cookie).status,
		"H10: the token is not taken from the query string")
	assert.Equal(t, before, e.calls.Load(), "the handler never ran for a refused write")
	right := map[string]string{"Cookie": cookie["Cookie"], "Content-Type": "application/json", "X-CSRF-Token": csrf}
	ok := do(t, "POST", e.url+"/graphql", `{"query":"mutation{x}"}`, right)
	require.Equal(t, http.StatusOK, ok.status, ok.text)
	assert.Equal(t, "user:li.lei", ok.body["actor"])

	forged := do(t, "GET", e.url+"/graphql?query={x}", "", map[string]string{"Cookie": "crm_session=" + token + "x"})
	assert.Equal(t, http.StatusUnauthorized, forged.status)

	out := do(t, "POST", e.url+"/auth/logout", "", map[string]string{"Cookie": cookie["Cookie"]})
	assert.Equal(t, http.StatusNoContent, out.status)
	assert.Contains(t, out.header.Get("Set-Cookie"), "crm_session=;")
	assert.Equal(t, http.StatusUnauthorized, do(t, "GET", e.url+"/graphql?query={x}", "", cookie).status, "signed out")
	assert.Equal(t, http.StatusOK, do(t, "GET", e.url+"/graphql?query={x}", "", map[string]string{"Authorization": "Bearer " + goodKey}).status,
		"API keys still work beside sessions")
}

// TestEdge_SessionOfAReloadedPage: GET /auth/session tells a reloaded page
// who is signed in with the cookie, with the session's CSRF token; it is
// never cached and carries no CORS headers, so another site cannot read
// it.
func TestEdge_SessionOfAReloadedPage(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Background
	_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "correct horse battery"})
	require.NoError(t, err)
	e := startEdge(t, server.Config{Sessions: eng}, whoAmI)

	in := do(t, "POST", e.url+"/auth/login", `{"tenant":"acme","username":"li.lei","password":"correct horse battery"}`, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, in.status, in.text)
	assert.Equal(t, "acme", in.body["tenant"])
	assert.Equal(t, false, in.body["mustChangePassword"])
	assert.Equal(t, "no-store", in.header.Get("Cache-Control"))
	token, _, _ := strings.Cut(strings.TrimPrefix(in.header.Get("Set-Cookie"), "crm_session="), ";")

	scenarios := []struct {
		name           string
		headers        map[string]string
		expectedStatus int
		expectedText   string
	}{
		{"no cookie", nil, http.StatusUnauthorized, "未登录"},
		{"no cookie, English", map[string]string{"Accept-Language": "en"}, http.StatusUnauthorized, "not signed in"},
		{"forged cookie", map[string]string{"Cookie": "crm_session=" + token + "x", "Accept-Language": "en"}, http.StatusUnauthorized, "the session has ended"},
		{"another tenant's name", map[string]string{"Cookie": "crm_session=other." + strings.SplitN(token, ".", 2)[1]}, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"an API key is no session", map[string]string{"Authorization": "Bearer " + goodKey}, http.StatusUnauthorized, "UNAUTHENTICATED"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := do(t, "GET", e.url+"/auth/session", "", s.headers)
			assert.Equal(t, s.expectedStatus, r.status)
			assert.Contains(t, r.text, s.expectedText)
			assert.Contains(t, r.text, `"code":"UNAUTHENTICATED"`, "the shape of every 401")
		})
	}

	cookie := map[string]string{"Cookie": "crm_session=" + token, "Origin": "https://evil.example"}
	r := do(t, "GET", e.url+"/auth/session", "", cookie)
	require.Equal(t, http.StatusOK, r.status, r.text)
	assert.Equal(t, map[string]any{"username": "li.lei", "displayName": "李雷", "role": "admin"}, r.body["user"])
	assert.Equal(t, "acme", r.body["tenant"])
	assert.Equal(t, in.body["csrfToken"], r.body["csrfToken"], "the session's own CSRF token")
	assert.Equal(t, in.body["expiresAt"], r.body["expiresAt"])
	assert.Equal(t, false, r.body["mustChangePassword"])
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"), "no CORS: another site cannot read the token")
	assert.Equal(t, http.StatusMethodNotAllowed, do(t, "POST", e.url+"/auth/session", "", cookie).status)

	assert.Equal(t, http.StatusForbidden, do(t, "POST", e.url+"/auth/logout", "", cookie).status, "another site may not sign the user out")
	assert.Equal(t, http.StatusNoContent, do(t, "POST", e.url+"/auth/logout", "", map[string]string{"Cookie": cookie["Cookie"]}).status)
	assert.Equal(t, http.StatusUnauthorized, do(t, "GET", e.url+"/auth/session", "", cookie).status, "signed out")
}

// TestEdge_WebApp: index.html is revalidated on every load, hashed files
// are cached for a year, a missing asset is a 404, the app's own routes
// get index.html, and every page carries the security headers.
func TestEdge_WebApp(t *testing.T) {
	t.Parallel()
	index := `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>`
	js := strings.Repeat("console.log('生成的代码');\n", 200)
	ui := fstest.MapFS{
		"index.html":                {Data: []byte(index)},
		"assets/index-abc123.js":    {Data: []byte(js)},
		"assets/index-def456.css":   {Data: []byte("body{margin:0}")},
		"assets/logo-777.png":       {Data: []byte("\x89PNG fake")},
		"assets/icon-5.svg":         {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		"assets/fonts/icon-1.woff2": {Data: []byte("wOF2")},
		"favicon.ico":               {Data: []byte("ico")},
	}
	e := startEdge(t, server.Config{UI: ui}, whoAmI)
	csp := "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
	const immutable, revalidate = "public, max-age=31536000, immutable", "no-cache"

	scenarios := []struct {
		name           string
		method, path   string
		expectedStatus int
		expectedCache  string
		expectedType   string
		expectedBody   string
	}{
		{"the app", "GET", "/", 200, revalidate, "text/html; charset=utf-8", index},
		{"index.html by name", "GET", "/index.html", 200, revalidate, "text/html; charset=utf-8", index},
		{"a route of the app", "GET", "/o/account/123", 200, revalidate, "text/html; charset=utf-8", index},
		{"a deep route with a dot", "GET", "/o/account/123/v1.2", 200, revalidate, "text/html; charset=utf-8", index},
		{"a hashed script", "GET", "/assets/index-abc123.js", 200, immutable, "text/javascript; charset=utf-8", js},
		{"a hashed style sheet", "GET", "/assets/index-def456.css", 200, immutable, "text/css; charset=utf-8", "body{margin:0}"},
		{"an image", "GET", "/assets/logo-777.png", 200, immutable, "image/png", "\x89PNG fake"},
		{"an SVG, which can be a page", "GET", "/assets/icon-5.svg", 200, immutable, "image/svg+xml", "<svg"},
		{"a nested asset", "GET", "/assets/fonts/icon-1.woff2", 200, immutable, "font/woff2", "wOF2"},
		{"a file at the root", "GET", "/favicon.ico", 200, revalidate, "image/x-icon", "ico"},
		{"a missing asset is no page", "GET", "/assets/index-old999.js", 404, revalidate, "application/json", "no such file: /assets/index-old999.js"},
		{"the assets folder", "GET", "/assets/", 404, revalidate, "application/json", "no such file"},
		{"climbing out of the assets", "GET", "/assets/../../etc/passwd", 200, revalidate, "text/html; charset=utf-8", index},
		{"an unknown API path", "GET", "/auth/nothing", 404, "", "application/json", "Not Found"},
		{"below graphql", "GET", "/graphql/extra", 404, "", "application/json", "Not Found"},
		{"a write to an unknown path", "POST", "/o/account/123", 404, "", "", ""},
		{"a delete of the app", "DELETE", "/", 404, "", "", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, s.method, e.url+s.path, "", map[string]string{"Accept-Encoding": "identity"})
			assert.Equal(t, s.expectedStatus, r.status, r.text)
			if s.expectedCache != "" {
				assert.Equal(t, s.expectedCache, r.header.Get("Cache-Control"))
			}
			if s.expectedType != "" {
				assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), s.expectedType), "content type %q", r.header.Get("Content-Type"))
			}
			assert.Contains(t, r.text, s.expectedBody)
			if s.expectedCache != "" {
				assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
				assert.Equal(t, "same-origin", r.header.Get("Referrer-Policy"))
				if script := strings.HasSuffix(s.path, ".js") || strings.HasSuffix(s.path, ".css"); script {
					// never shown as a page: the policy of the page that loads them applies
					assert.Empty(t, r.header.Get("Content-Security-Policy"))
					assert.Empty(t, r.header.Get("X-Frame-Options"))
				} else {
					assert.Equal(t, csp, r.header.Get("Content-Security-Policy"))
					assert.Equal(t, "DENY", r.header.Get("X-Frame-Options"))
				}
			}
		})
	}

	t.Run("revalidation of index.html", func(t *testing.T) {
		t.Parallel()
		first := do(t, "GET", e.url+"/", "", nil)
		etag := first.header.Get("ETag")
		require.NotEmpty(t, etag)
		again := do(t, "GET", e.url+"/o/deal", "", map[string]string{"If-None-Match": etag})
		assert.Equal(t, http.StatusNotModified, again.status)
		assert.Empty(t, again.text)
	})

	t.Run("gzip for clients that take it", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequest("GET", e.url+"/assets/index-abc123.js", nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", "gzip, br")
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		assert.Contains(t, resp.Header.Get("Vary"), "Accept-Encoding")
		zr, err := gzip.NewReader(resp.Body)
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, js, string(plain))
		assert.Less(t, resp.ContentLength, int64(len(js)/4), "compressed")
		refused := do(t, "GET", e.url+"/assets/index-abc123.js", "", map[string]string{"Accept-Encoding": "gzip;q=0"})
		assert.Equal(t, js, refused.text, "gzip;q=0 refuses it")
	})

	t.Run("HEAD", func(t *testing.T) {
		t.Parallel()
		r := do(t, "HEAD", e.url+"/assets/index-abc123.js", "", map[string]string{"Accept-Encoding": "identity"})
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, immutable, r.header.Get("Cache-Control"))
		assert.Empty(t, r.text)
	})

	t.Run("the API is untouched", func(t *testing.T) {
		t.Parallel()
		r := do(t, "POST", e.url+"/graphql", "{}", map[string]string{"Authorization": "Bearer " + goodKey})
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "key:1", r.body["actor"])
		assert.Empty(t, r.header.Get("Content-Security-Policy"), "the API's answers are not pages")
		assert.Equal(t, http.StatusOK, do(t, "GET", e.url+"/healthz", "", nil).status)
	})
}

func TestEdge_WebAppNeedsAnIndex(t *testing.T) {
	t.Parallel()
	_, err := server.New(server.Config{Auth: keys{}, GraphQL: whoAmI, UI: fstest.MapFS{"assets/a.js": {Data: []byte("x")}}})
	assert.ErrorContains(t, err, "no index.html")
}

// TestEdge_GraphQLAnswersCompressed: a client that accepts gzip gets
// GraphQL answers compressed (introspection and lists are large JSON); one
// that does not gets them plain.
func TestEdge_GraphQLAnswersCompressed(t *testing.T) {
	t.Parallel()
	big := `{"data":{"x":"` + strings.Repeat("客户 account ", 2000) + `"}}`
	e := startEdge(t, server.Config{}, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.SendString(big)
	})
	auth := map[string]string{"Authorization": "Bearer " + goodKey, "Content-Type": "application/json", "Accept-Encoding": "gzip"}
	r := do(t, http.MethodPost, e.url+"/graphql", `{"query":"{x}"}`, auth)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "gzip", r.header.Get("Content-Encoding"))
	assert.Less(t, len(r.text), len(big)/5, "compressed")
	zr, err := gzip.NewReader(strings.NewReader(r.text))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, big, string(plain))

	delete(auth, "Accept-Encoding")
	req, err := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(`{"query":"{x}"}`))
	require.NoError(t, err)
	for k, v := range auth {
		req.Header.Set(k, v)
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assert.Equal(t, big, string(body))
}

// TestEdge_AssetsOutsideTheAddressLimit: the web app's hashed files do not
// count against a client address's budget (an office behind one NAT
// address opens the app many times); everything else does.
func TestEdge_AssetsOutsideTheAddressLimit(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_800_000_000, 0))
	ui := fstest.MapFS{"index.html": {Data: []byte("<html></html>")}, "assets/app-1.js": {Data: []byte("x")}}
	e := startEdge(t, server.Config{UI: ui, IPRate: server.Rate{Per: 1, Burst: 2}, Now: clk.Now}, whoAmI)
	for i := range 20 {
		assert.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+"/assets/app-1.js", "", nil).status, "asset %d", i)
	}
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+"/", "", nil).status)
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+"/healthz", "", nil).status)
	assert.Equal(t, http.StatusTooManyRequests, do(t, http.MethodGet, e.url+"/healthz", "", nil).status, "the budget is spent on the rest")
	assert.Equal(t, http.StatusTooManyRequests, do(t, http.MethodPost, e.url+"/assets/app-1.js", "", nil).status, "only reads of files are free")
}

// TestEdge_SmallAnswersPlain: an answer that fits in one packet (a record
// by id) is sent as it is even to a client that accepts gzip: compressing
// it would cost more CPU than answering it.
func TestEdge_SmallAnswersPlain(t *testing.T) {
	t.Parallel()
	small := `{"data":{"deal":{"id":"` + strings.Repeat("d", 1200) + `"}}}`
	e := startEdge(t, server.Config{}, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		if c.Query("big") != "" {
			return c.SendString(small + strings.Repeat(" ", 200))
		}
		return c.SendString(small)
	})
	auth := map[string]string{"Authorization": "Bearer " + goodKey, "Content-Type": "application/json", "Accept-Encoding": "gzip"}
	r := do(t, http.MethodPost, e.url+"/graphql", `{"query":"{x}"}`, auth)
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.header.Get("Content-Encoding"))
	assert.Equal(t, small, r.text)
	r = do(t, http.MethodPost, e.url+"/graphql?big=1", `{"query":"{x}"}`, auth)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "gzip", r.header.Get("Content-Encoding"), "1,400 bytes and more are compressed")
}
