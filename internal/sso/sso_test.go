package sso_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/sso"
	"github.com/crmkit/crm/internal/sso/ssotest"
)

func TestLoopback_OnlyThisMachine(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"} {
		_, err := sso.Loopback(ok)
		assert.NoError(t, err, ok)
	}
	// A table for the classifier: each address is only parsed by
	// Loopback, never dialled.
	for _, bad := range []string{"http://10.0.0.1:80", "https://open.feishu.cn", "http://169.254.169.254", "ftp://127.0.0.1", "http://127.0.0.1/path"} {
		_, err := sso.Loopback(bad)
		assert.Error(t, err, bad)
	}
}

func TestAuthURL_DocumentedParameters(t *testing.T) {
	c := sso.New(sso.Default(), nil)
	cases := map[string]struct {
		app  sso.App
		base string
		want url.Values
	}{
		"wecom": {sso.App{Provider: sso.WeCom, ClientID: "wwcorp", AgentID: "1000002"}, "https://login.work.weixin.qq.com/wwlogin/sso/login",
			url.Values{"login_type": {"CorpApp"}, "appid": {"wwcorp"}, "agentid": {"1000002"}, "redirect_uri": {"https://crm.example.com/cb"}, "state": {"s1"}}},
		"dingtalk": {sso.App{Provider: sso.DingTalk, ClientID: "dingkey"}, "https://login.dingtalk.com/oauth2/auth",
			url.Values{"client_id": {"dingkey"}, "response_type": {"code"}, "scope": {"openid"}, "prompt": {"consent"}, "redirect_uri": {"https://crm.example.com/cb"}, "state": {"s1"}}},
		"feishu": {sso.App{Provider: sso.Feishu, ClientID: "cli_x"}, "https://accounts.feishu.cn/open-apis/authen/v1/authorize",
			url.Values{"client_id": {"cli_x"}, "response_type": {"code"}, "redirect_uri": {"https://crm.example.com/cb"}, "state": {"s1"}}},
	}
	for name, tc := range cases {
		u, err := url.Parse(c.AuthURL(tc.app, "https://crm.example.com/cb", "s1"))
		require.NoError(t, err)
		assert.Equal(t, tc.base, u.Scheme+"://"+u.Host+u.Path, name)
		assert.Equal(t, tc.want, u.Query(), name)
	}
}

func TestIdentify_AgainstStandIn(t *testing.T) {
	apps := []sso.App{
		{Provider: sso.WeCom, ClientID: "wwcorp", AgentID: "1000002", Secret: "s-wecom"},
		{Provider: sso.DingTalk, ClientID: "dingkey", Secret: "s-ding"},
		{Provider: sso.Feishu, ClientID: "cli_x", Secret: "s-feishu"},
	}
	stand := ssotest.Start(apps...)
	defer stand.Close()
	ep, err := sso.Loopback(stand.URL)
	require.NoError(t, err)
	c := sso.New(ep, nil)
	ctx := context.Background()
	for _, app := range apps {
		code := stand.Code(app.Provider, "who-"+app.Provider, "https://crm.example.com/cb")
		who, err := c.Identify(ctx, app, code, "https://crm.example.com/cb")
		require.NoError(t, err, app.Provider)
		assert.Equal(t, "who-"+app.Provider, who.ID)
		// A code is good once.
		_, err = c.Identify(ctx, app, code, "https://crm.example.com/cb")
		var se *sso.Error
		require.ErrorAs(t, err, &se, app.Provider)
		assert.Equal(t, app.Provider, se.Provider)
		// A wrong secret is the service's refusal, named.
		wrong := app
		wrong.Secret = "wrong"
		_, err = c.Identify(ctx, wrong, stand.Code(app.Provider, "x", "https://crm.example.com/cb"), "https://crm.example.com/cb")
		require.ErrorAs(t, err, &se, app.Provider)
		assert.Equal(t, "token", se.Step)
	}
	// The good secret fetched a token once for two sign-ins; the wrong one asked once.
	assert.Equal(t, 2, stand.Calls("/cgi-bin/gettoken"), "WeCom's access token is kept for its lifetime")
	assert.Empty(t, stand.Problems())
}

func TestIdentify_BoundedAnswers(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"` + strings.Repeat("a", sso.MaxAnswer+10) + `"}`))
	}))
	defer huge.Close()
	ep, err := sso.Loopback(huge.URL)
	require.NoError(t, err)
	_, err = sso.New(ep, nil).Identify(context.Background(), sso.App{Provider: sso.Feishu, ClientID: "a", Secret: "b"}, "code", "https://x/cb")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "longer than")

	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`<html>bad gateway</html>`))
	}))
	defer notJSON.Close()
	ep, _ = sso.Loopback(notJSON.URL)
	_, err = sso.New(ep, nil).Identify(context.Background(), sso.App{Provider: sso.DingTalk, ClientID: "a", Secret: "b"}, "code", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 502, answer is not JSON")
}
