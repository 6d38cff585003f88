package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/sso"
	"github.com/crmkit/crm/internal/sso/ssotest"
)

// english asks for English messages on every request of a browser.
type english struct{ next http.RoundTripper }

func (e english) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", "en")
	return e.next.RoundTrip(r)
}

// browser is an HTTP client with its own cookies that follows redirects,
// as a browser does.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, Transport: english{http.DefaultTransport}}
}

func cookieOf(c *http.Client, base, name string) string {
	u, _ := url.Parse(base + "/auth/sso/x/callback")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func get(t *testing.T, c *http.Client, addr string) (int, string) {
	t.Helper()
	resp, err := c.Get(addr)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// me asks who the browser's session is.
func me(t *testing.T, c *http.Client, base string) (int, map[string]any) {
	resp, err := c.Get(base + "/auth/session")
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestServe_SignInWithProviders(t *testing.T) {
	t.Parallel()
	wecom := sso.App{Provider: sso.WeCom, ClientID: "ww-corp-1", AgentID: "1000002", Secret: "wecom-secret-XYZ"}
	ding := sso.App{Provider: sso.DingTalk, ClientID: "ding-app-key", Secret: "ding-secret-XYZ"}
	feishu := sso.App{Provider: sso.Feishu, ClientID: "cli_feishu", Secret: "feishu-secret-XYZ"}
	stand := ssotest.Start(wecom, ding, feishu)
	t.Cleanup(stand.Close)
	s := startServer(t, t.TempDir(), "--sso-test-endpoint", stand.URL)

	// Switching a provider on needs all of its settings.
	r := s.gql(t, s.Key, `mutation { saveSignOnProvider(provider: "wecom", input: {enabled: true, clientId: "ww-corp-1"}) { enabled } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "cannot be switched on without secret, appUrl, agentId")
	r = s.gql(t, s.Key, `mutation { saveSignOnProvider(provider: "wecom", input: {appUrl: "javascript:alert(1)"}) { enabled } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "is not an http(s) address")
	r = s.gql(t, s.Key, `mutation { saveSignOnProvider(provider: "weibo", input: {enabled: true}) { enabled } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, `unknown sign-in provider "weibo"`)

	save := `mutation($p: String!, $in: SignOnProviderInput!) { saveSignOnProvider(provider: $p, input: $in) { provider enabled clientId agentId secretSet appUrl callbackUrl } }`
	for _, app := range []sso.App{wecom, ding, feishu} {
		in := map[string]any{"enabled": true, "clientId": app.ClientID, "secret": app.Secret, "appUrl": s.URL + "/"}
		if app.AgentID != "" {
			in["agentId"] = app.AgentID
		}
		d := s.ok(t, save, map[string]any{"p": app.Provider, "in": in})
		assert.Equal(t, true, path(d, "saveSignOnProvider", "secretSet"))
		assert.Equal(t, s.URL, path(d, "saveSignOnProvider", "appUrl"), "the trailing slash is dropped")
		assert.Equal(t, s.URL+"/auth/sso/"+app.Provider+"/callback", path(d, "saveSignOnProvider", "callbackUrl"))
	}
	// The secrets never come back, not even in the audit trail.
	raw, err := json.Marshal(s.ok(t, `{ signOnProviders { provider enabled clientId agentId secretSet appUrl callbackUrl updatedBy }
		auditTrail(object: "crmSignOn") { entries { changes } } }`, nil))
	require.NoError(t, err)
	for _, app := range []sso.App{wecom, ding, feishu} {
		assert.NotContains(t, string(raw), app.Secret)
	}
	assert.Contains(t, string(raw), `"agentId":"1000002"`)

	// Users: one linked by the administrator, one who links herself.
	s.ok(t, `mutation { createUser(input: {username: "li.lei", displayName: "李雷", password: "correct horse battery"}) { username } }`, nil)
	s.ok(t, `mutation { createUser(input: {username: "han.mei", displayName: "韩梅", password: "another good password"}) { username } }`, nil)
	d := s.ok(t, `mutation { setUserSignOn(username: "li.lei", provider: "wecom", externalId: "LiLei") { provider externalId user } }`, nil)
	assert.Equal(t, []any{map[string]any{"provider": "wecom", "externalId": "LiLei", "user": "li.lei"}}, d["setUserSignOn"])
	r = s.gql(t, s.Key, `mutation { setUserSignOn(username: "han.mei", provider: "wecom", externalId: "LiLei") { provider } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, `"LiLei" is already linked to user li.lei`)

	// The sign-in page learns which providers are on.
	code, body := get(t, http.DefaultClient, s.URL+"/auth/sso/providers?tenant=default")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"providers": ["wecom", "dingtalk", "feishu"]}`, body)
	_, body = get(t, http.DefaultClient, s.URL+"/auth/sso/providers?tenant=nope")
	assert.JSONEq(t, `{"providers": []}`, body, "an unknown tenant has none, like a tenant without providers")

	t.Run("WeCom round trip ends with a session", func(t *testing.T) {
		stand.SignInAs(sso.WeCom, "LiLei", "")
		b := browser(t)
		code, _ := get(t, b, s.URL+"/auth/sso/wecom/start?tenant=default")
		assert.Equal(t, http.StatusOK, code, "the web app's page after the redirects")
		status, sess := me(t, b, s.URL)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "li.lei", path(sess, "user", "username"))
		assert.Empty(t, cookieOf(b, s.URL, "crm_sso"), "the ticket is spent")
		d := s.ok(t, `{ auditTrail(action: "signIn") { entries { actor recordId changes } } }`, nil)
		assert.Contains(t, jsonText(t, d), `"provider":{"new":"wecom","old":null}`)
	})

	// stopAtCallback is a browser that stops before the callback, so that
	// a test can replay or change what it would send.
	stopAtCallback := func(t *testing.T) (*http.Client, *url.URL) {
		b := browser(t)
		var callback *url.URL
		b.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if strings.Contains(req.URL.Path, "/callback") {
				callback = req.URL
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, err := b.Get(s.URL + "/auth/sso/wecom/start?tenant=default")
		require.NoError(t, err)
		resp.Body.Close()
		require.NotNil(t, callback)
		b.CheckRedirect = nil
		return b, callback
	}

	t.Run("a replayed state is refused", func(t *testing.T) {
		stand.SignInAs(sso.WeCom, "LiLei", "")
		b, callback := stopAtCallback(t)
		ticket := cookieOf(b, s.URL, "crm_sso")
		code, _ := get(t, b, callback.String())
		require.Equal(t, http.StatusOK, code)
		// The same callback again, with the ticket put back.
		again := browser(t)
		u, _ := url.Parse(s.URL + "/auth/sso/")
		again.Jar.SetCookies(u, []*http.Cookie{{Name: "crm_sso", Value: ticket, Path: "/auth/sso/"}})
		code, page := get(t, again, callback.String())
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, page, "already finished once")
		status, _ := me(t, again, s.URL)
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	t.Run("a state from another browser or a changed one is refused", func(t *testing.T) {
		stand.SignInAs(sso.WeCom, "LiLei", "")
		_, callback := stopAtCallback(t)
		code, page := get(t, browser(t), callback.String())
		assert.Equal(t, http.StatusBadRequest, code, "no ticket: the flow started in another browser")
		assert.Contains(t, page, "did not start in this browser")

		b, callback := stopAtCallback(t)
		q := callback.Query()
		q.Set("state", strings.Repeat("0", 32))
		callback.RawQuery = q.Encode()
		code, page = get(t, b, callback.String())
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, page, "state does not match")
		status, _ := me(t, b, s.URL)
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	t.Run("an identity nobody linked is refused", func(t *testing.T) {
		stand.SignInAs(sso.WeCom, "stranger", "")
		b := browser(t)
		code, page := get(t, b, s.URL+"/auth/sso/wecom/start?tenant=default")
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.Contains(t, page, `account &#34;stranger&#34; is not linked to any user`)
		assert.Contains(t, page, `href="`+s.URL+`/"`, "the way back is the configured address")
		status, _ := me(t, b, s.URL)
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	t.Run("a user links her DingTalk account and signs in with it", func(t *testing.T) {
		stand.SignInAs(sso.DingTalk, "union-hanmei", "韩梅")
		b := browser(t)
		// Password sign-in in this browser.
		resp, err := b.Post(s.URL+"/auth/login", "application/json", strings.NewReader(`{"tenant":"default","username":"han.mei","password":"another good password"}`))
		require.NoError(t, err)
		var sess struct {
			CSRF string `json:"csrfToken"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&sess))
		resp.Body.Close()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/auth/sso/dingtalk/link", nil)
		resp, err = b.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "linking needs the CSRF token")
		req, _ = http.NewRequest(http.MethodPost, s.URL+"/auth/sso/dingtalk/link", nil)
		req.Header.Set("X-CSRF-Token", sess.CSRF)
		resp, err = b.Do(req)
		require.NoError(t, err)
		var link struct {
			URL string `json:"url"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&link))
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.True(t, strings.HasPrefix(link.URL, stand.URL+"/oauth2/auth?"), link.URL)
		var landed string
		b.CheckRedirect = func(req *http.Request, _ []*http.Request) error { landed = req.URL.String(); return nil }
		code, _ := get(t, b, link.URL)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, s.URL+"/me?linked=dingtalk", landed)
		d := s.ok(t, `{ userSignOns(username: "han.mei") { provider externalId } }`, nil)
		assert.Equal(t, []any{map[string]any{"provider": "dingtalk", "externalId": "union-hanmei"}}, d["userSignOns"])

		// Another browser signs in with DingTalk as han.mei.
		b2 := browser(t)
		code, _ = get(t, b2, s.URL+"/auth/sso/dingtalk/start?tenant=default")
		assert.Equal(t, http.StatusOK, code)
		status, who := me(t, b2, s.URL)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "han.mei", path(who, "user", "username"))
	})

	t.Run("Feishu round trip", func(t *testing.T) {
		s.ok(t, `mutation { setUserSignOn(username: "li.lei", provider: "feishu", externalId: "ou_lilei") { provider } }`, nil)
		stand.SignInAs(sso.Feishu, "ou_lilei", "李雷")
		b := browser(t)
		code, _ := get(t, b, s.URL+"/auth/sso/feishu/start?tenant=default")
		assert.Equal(t, http.StatusOK, code)
		status, who := me(t, b, s.URL)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "li.lei", path(who, "user", "username"))
	})

	t.Run("a deactivated user is refused", func(t *testing.T) {
		s.ok(t, `mutation { updateUser(username: "li.lei", input: {active: false}) { active } }`, nil)
		t.Cleanup(func() { s.ok(t, `mutation { updateUser(username: "li.lei", input: {active: true}) { active } }`, nil) })
		stand.SignInAs(sso.WeCom, "LiLei", "")
		b := browser(t)
		code, page := get(t, b, s.URL+"/auth/sso/wecom/start?tenant=default")
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.Contains(t, page, `the user &#34;li.lei&#34; linked to this account is deactivated`)
		status, _ := me(t, b, s.URL)
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	t.Run("a provider switched off cannot start or finish", func(t *testing.T) {
		stand.SignInAs(sso.WeCom, "LiLei", "")
		b, callback := stopAtCallback(t)
		s.ok(t, save, map[string]any{"p": "wecom", "in": map[string]any{"enabled": false}})
		t.Cleanup(func() { s.ok(t, save, map[string]any{"p": "wecom", "in": map[string]any{"enabled": true}}) })
		code, page := get(t, b, callback.String())
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, page, "is not switched on")
		code, _ = get(t, browser(t), s.URL+"/auth/sso/wecom/start?tenant=default")
		assert.Equal(t, http.StatusBadRequest, code)
	})

	t.Run("the person cancels at the provider", func(t *testing.T) {
		stand.SignInAs(sso.Feishu, "", "")
		code, page := get(t, browser(t), s.URL+"/auth/sso/feishu/start?tenant=default")
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, page, "sent no authorization code back")
	})

	// An export without secrets leaves the providers' secrets out.
	out, err := cli("", append([]string{"export", "--tenant", "default", "--without-secrets", "--out", "-"}, storeArgs(t, s.Data)...)...)
	if err == nil {
		for _, app := range []sso.App{wecom, ding, feishu} {
			assert.NotContains(t, out, app.Secret)
		}
	}
	assert.Empty(t, stand.Problems(), "every request the stand-in got had the documented parameters")
	if t.Failed() {
		t.Log(s.Stdout.String())
	}
}

func jsonText(t *testing.T, v any) string {
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(v))
	return buf.String()
}
