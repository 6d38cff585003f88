// Package sso signs people in with their WeCom (企业微信), DingTalk (钉钉)
// or Feishu (飞书) account: the OAuth2 authorization-code flow of each
// service, as their documentation describes it (see docs/sso.md for the
// sources). It builds the address the browser is sent to and, with the
// code the service sends back, asks the service who signed in. It knows
// nothing of tenants or users: package engine matches the identity it
// returns to a user. A [Client] is the engine's [engine.SignOnService].
//
// Every call to a service has a deadline ([CallTimeout]) and reads at most
// [MaxAnswer] bytes of its answer. The services' addresses are fixed
// ([Default]); only tests point them elsewhere ([Loopback]).
package sso

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/crmkit/crm/engine"
)

// The providers, by the name the API and the routes use (the engine's).
const (
	WeCom    = engine.ProviderWeCom
	DingTalk = engine.ProviderDingTalk
	Feishu   = engine.ProviderFeishu
)

// Providers lists the providers in the order pages show them.
var Providers = engine.SignOnProviderNames

// Known reports whether p names a provider.
func Known(p string) bool { return p == WeCom || p == DingTalk || p == Feishu }

// Bounds of a call to a service.
const (
	CallTimeout = 10 * time.Second
	MaxAnswer   = 64 << 10
	// maxTokens bounds the WeCom access tokens kept (one per corp and
	// secret).
	maxTokens = 1000
)

// Endpoints are the base addresses (scheme and host, no trailing slash)
// of the services' pages and APIs.
type Endpoints struct {
	WeComLogin     string // the QR-code sign-in page (login.work.weixin.qq.com)
	WeComAPI       string // qyapi.weixin.qq.com
	DingTalkLogin  string // login.dingtalk.com
	DingTalkAPI    string // api.dingtalk.com
	FeishuAccounts string // accounts.feishu.cn (authorization page)
	FeishuAPI      string // open.feishu.cn
}

// Default are the services' documented addresses.
func Default() Endpoints {
	return Endpoints{
		WeComLogin:     "https://login.work.weixin.qq.com",
		WeComAPI:       "https://qyapi.weixin.qq.com",
		DingTalkLogin:  "https://login.dingtalk.com",
		DingTalkAPI:    "https://api.dingtalk.com",
		FeishuAccounts: "https://accounts.feishu.cn",
		FeishuAPI:      "https://open.feishu.cn",
	}
}

// Loopback points every service at one stand-in server on this machine,
// for tests; an address that is not loopback is refused, so that a flag
// meant for tests cannot send secrets anywhere else.
func Loopback(base string) (Endpoints, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Path != "" || u.RawQuery != "" {
		return Endpoints{}, fmt.Errorf("sso stand-in address %q: want http://127.0.0.1:PORT", base)
	}
	switch h := u.Hostname(); h {
	case "127.0.0.1", "::1", "localhost":
	default:
		return Endpoints{}, fmt.Errorf("sso stand-in address %q: only loopback addresses are allowed (it is for tests)", base)
	}
	b := u.String()
	return Endpoints{WeComLogin: b, WeComAPI: b, DingTalkLogin: b, DingTalkAPI: b, FeishuAccounts: b, FeishuAPI: b}, nil
}

// App is a tenant's application at a provider (see [engine.SignOnApp]).
type App = engine.SignOnApp

// Identity is who signed in (see [engine.SignOnIdentity]).
type Identity = engine.SignOnIdentity

// Error is a service's refusal or an answer that cannot be used, with
// what the service said.
type Error struct {
	Provider string
	Step     string // "token", "user"
	Detail   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Provider, e.Step, e.Detail)
}

var _ engine.SignOnService = (*Client)(nil)

// Client talks to the services.
type Client struct {
	ep   Endpoints
	http *http.Client

	mu     sync.Mutex
	tokens map[string]cachedToken // WeCom access tokens by corp and secret
	now    func() time.Time
}

type cachedToken struct {
	token   string
	expires time.Time
}

// New returns a client of the services at ep (see [Default]); hc nil is a
// client with [CallTimeout] that does not follow redirects.
func New(ep Endpoints, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: CallTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Client{ep: ep, http: hc, tokens: map[string]cachedToken{}, now: time.Now}
}

// AuthURL is the address of the provider's sign-in page that sends the
// browser back to redirectURI with a code and state.
func (c *Client) AuthURL(app App, redirectURI, state string) string {
	q := url.Values{}
	switch app.Provider {
	case WeCom:
		// 企业微信 "构造扫码登录链接": login_type=CorpApp for a company's
		// own application.
		q.Set("login_type", "CorpApp")
		q.Set("appid", app.ClientID)
		q.Set("agentid", app.AgentID)
		q.Set("redirect_uri", redirectURI)
		q.Set("state", state)
		return c.ep.WeComLogin + "/wwlogin/sso/login?" + q.Encode()
	case DingTalk:
		q.Set("redirect_uri", redirectURI)
		q.Set("response_type", "code")
		q.Set("client_id", app.ClientID)
		q.Set("scope", "openid")
		q.Set("state", state)
		q.Set("prompt", "consent")
		return c.ep.DingTalkLogin + "/oauth2/auth?" + q.Encode()
	case Feishu:
		q.Set("client_id", app.ClientID)
		q.Set("response_type", "code")
		q.Set("redirect_uri", redirectURI)
		q.Set("state", state)
		return c.ep.FeishuAccounts + "/open-apis/authen/v1/authorize?" + q.Encode()
	}
	return ""
}

// Identify trades the code the browser brought back for the identity of
// who signed in.
func (c *Client) Identify(ctx context.Context, app App, code, redirectURI string) (Identity, error) {
	switch app.Provider {
	case WeCom:
		return c.wecom(ctx, app, code)
	case DingTalk:
		return c.dingtalk(ctx, app, code)
	case Feishu:
		return c.feishu(ctx, app, code, redirectURI)
	}
	return Identity{}, fmt.Errorf("sso: unknown provider %q", app.Provider)
}

// call sends a request and decodes its JSON answer into out; status is the
// HTTP status (answers of 4xx carry the service's error in JSON too).
func (c *Client) call(ctx context.Context, method, addr string, body any, header map[string]string, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, addr, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		return resp.StatusCode, err
	}
	if len(data) > MaxAnswer {
		return resp.StatusCode, fmt.Errorf("answer longer than %d bytes", MaxAnswer)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp.StatusCode, fmt.Errorf("HTTP %d, answer is not JSON: %.200q", resp.StatusCode, data)
	}
	return resp.StatusCode, nil
}

func fail(provider, step string, err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Provider: provider, Step: step, Detail: err.Error()}
}

// wecom: GET /cgi-bin/gettoken?corpid&corpsecret (cached for the
// expires_in it says), then GET /cgi-bin/auth/getuserinfo?access_token&code.
// Only members of the company (userid) may sign in; an outsider's answer
// (openid) is refused.
func (c *Client) wecom(ctx context.Context, app App, code string) (Identity, error) {
	token, err := c.wecomToken(ctx, app)
	if err != nil {
		return Identity{}, err
	}
	var ans struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		UserID  string `json:"userid"`
		OldID   string `json:"UserId"` // the older user/getuserinfo's name
		OpenID  string `json:"openid"`
	}
	q := url.Values{"access_token": {token}, "code": {code}}
	if _, err := c.call(ctx, http.MethodGet, c.ep.WeComAPI+"/cgi-bin/auth/getuserinfo?"+q.Encode(), nil, nil, &ans); err != nil {
		return Identity{}, fail(WeCom, "user", err)
	}
	if ans.ErrCode != 0 {
		if ans.ErrCode == 40014 || ans.ErrCode == 42001 { // the token was revoked or expired early
			c.dropToken(app)
		}
		return Identity{}, &Error{Provider: WeCom, Step: "user", Detail: fmt.Sprintf("errcode %d: %s", ans.ErrCode, ans.ErrMsg)}
	}
	id := ans.UserID
	if id == "" {
		id = ans.OldID
	}
	if id == "" {
		return Identity{}, &Error{Provider: WeCom, Step: "user", Detail: "not a member of the company (the answer has no userid)"}
	}
	return Identity{ID: id}, nil
}

func tokenKey(app App) string {
	sum := sha256.Sum256([]byte(app.ClientID + "\x00" + app.Secret))
	return hex.EncodeToString(sum[:])
}

func (c *Client) dropToken(app App) {
	c.mu.Lock()
	delete(c.tokens, tokenKey(app))
	c.mu.Unlock()
}

func (c *Client) wecomToken(ctx context.Context, app App) (string, error) {
	key := tokenKey(app)
	now := c.now()
	c.mu.Lock()
	t, ok := c.tokens[key]
	c.mu.Unlock()
	if ok && now.Before(t.expires) {
		return t.token, nil
	}
	var ans struct {
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	q := url.Values{"corpid": {app.ClientID}, "corpsecret": {app.Secret}}
	if _, err := c.call(ctx, http.MethodGet, c.ep.WeComAPI+"/cgi-bin/gettoken?"+q.Encode(), nil, nil, &ans); err != nil {
		return "", fail(WeCom, "token", err)
	}
	if ans.ErrCode != 0 || ans.AccessToken == "" {
		return "", &Error{Provider: WeCom, Step: "token", Detail: fmt.Sprintf("errcode %d: %s", ans.ErrCode, ans.ErrMsg)}
	}
	life := time.Duration(ans.ExpiresIn)*time.Second - time.Minute
	if life > 0 {
		c.mu.Lock()
		if len(c.tokens) >= maxTokens {
			for k, v := range c.tokens {
				if !now.Before(v.expires) || len(c.tokens) >= maxTokens {
					delete(c.tokens, k)
				}
			}
		}
		c.tokens[key] = cachedToken{token: ans.AccessToken, expires: now.Add(life)}
		c.mu.Unlock()
	}
	return ans.AccessToken, nil
}

// dingtalk: POST /v1.0/oauth2/userAccessToken {clientId, clientSecret,
// code, grantType: authorization_code}, then GET /v1.0/contact/users/me
// with the x-acs-dingtalk-access-token header. The identity is the
// unionId.
func (c *Client) dingtalk(ctx context.Context, app App, code string) (Identity, error) {
	var tok struct {
		AccessToken string `json:"accessToken"`
		Code        string `json:"code"`
		Message     string `json:"message"`
	}
	body := map[string]string{"clientId": app.ClientID, "clientSecret": app.Secret, "code": code, "grantType": "authorization_code"}
	status, err := c.call(ctx, http.MethodPost, c.ep.DingTalkAPI+"/v1.0/oauth2/userAccessToken", body, nil, &tok)
	if err != nil {
		return Identity{}, fail(DingTalk, "token", err)
	}
	if status != http.StatusOK || tok.AccessToken == "" {
		return Identity{}, &Error{Provider: DingTalk, Step: "token", Detail: fmt.Sprintf("HTTP %d %s: %s", status, tok.Code, tok.Message)}
	}
	var me struct {
		Nick    string `json:"nick"`
		UnionID string `json:"unionId"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	status, err = c.call(ctx, http.MethodGet, c.ep.DingTalkAPI+"/v1.0/contact/users/me", nil,
		map[string]string{"x-acs-dingtalk-access-token": tok.AccessToken}, &me)
	if err != nil {
		return Identity{}, fail(DingTalk, "user", err)
	}
	if status != http.StatusOK || me.UnionID == "" {
		return Identity{}, &Error{Provider: DingTalk, Step: "user", Detail: fmt.Sprintf("HTTP %d %s: %s", status, me.Code, me.Message)}
	}
	return Identity{ID: me.UnionID, Name: me.Nick}, nil
}

// feishu: POST /open-apis/authen/v2/oauth/token {grant_type:
// authorization_code, client_id, client_secret, code, redirect_uri}, then
// GET /open-apis/authen/v1/user_info with Authorization: Bearer. The
// identity is the open_id.
func (c *Client) feishu(ctx context.Context, app App, code, redirectURI string) (Identity, error) {
	var tok struct {
		Code        int    `json:"code"`
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	body := map[string]string{"grant_type": "authorization_code", "client_id": app.ClientID, "client_secret": app.Secret,
		"code": code, "redirect_uri": redirectURI}
	status, err := c.call(ctx, http.MethodPost, c.ep.FeishuAPI+"/open-apis/authen/v2/oauth/token", body, nil, &tok)
	if err != nil {
		return Identity{}, fail(Feishu, "token", err)
	}
	if tok.Code != 0 || tok.AccessToken == "" {
		return Identity{}, &Error{Provider: Feishu, Step: "token", Detail: fmt.Sprintf("HTTP %d code %d %s: %s", status, tok.Code, tok.Error, tok.Description)}
	}
	var info struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			Name   string `json:"name"`
			OpenID string `json:"open_id"`
		} `json:"data"`
	}
	status, err = c.call(ctx, http.MethodGet, c.ep.FeishuAPI+"/open-apis/authen/v1/user_info", nil,
		map[string]string{"Authorization": "Bearer " + tok.AccessToken}, &info)
	if err != nil {
		return Identity{}, fail(Feishu, "user", err)
	}
	if info.Code != 0 || info.Data.OpenID == "" {
		return Identity{}, &Error{Provider: Feishu, Step: "user", Detail: fmt.Sprintf("HTTP %d code %d: %s", status, info.Code, info.Msg)}
	}
	return Identity{ID: info.Data.OpenID, Name: info.Data.Name}, nil
}
