// Package ssotest is a loopback stand-in for the sign-in services of WeCom,
// DingTalk and Feishu, for tests: one HTTP server on 127.0.0.1 that serves
// each service's documented authorization page, token and user endpoints
// (the paths package sso calls), checks every parameter it is sent against
// the applications it was given, and signs in whom the test says.
// [sso.Loopback] points a client at it.
package ssotest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/crmkit/crm/internal/sso"
)

// StandIn is the running stand-in.
type StandIn struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	apps     map[string]sso.App
	next     map[string]sso.Identity // whom the authorization page signs in, by provider
	codes    map[string]grant        // codes handed out, each good once
	tokens   map[string]sso.Identity // access tokens of signed-in people
	wecomTok string
	problems []string
	calls    map[string]int
}

type grant struct {
	provider string
	who      sso.Identity
	redirect string
}

// Start runs a stand-in that knows the given applications.
func Start(apps ...sso.App) *StandIn {
	s := &StandIn{apps: map[string]sso.App{}, next: map[string]sso.Identity{}, codes: map[string]grant{},
		tokens: map[string]sso.Identity{}, calls: map[string]int{}, wecomTok: random()}
	for _, a := range apps {
		s.apps[a.Provider] = a
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wwlogin/sso/login", s.authorize(sso.WeCom))
	mux.HandleFunc("GET /oauth2/auth", s.authorize(sso.DingTalk))
	mux.HandleFunc("GET /open-apis/authen/v1/authorize", s.authorize(sso.Feishu))
	mux.HandleFunc("GET /cgi-bin/gettoken", s.wecomToken)
	mux.HandleFunc("GET /cgi-bin/auth/getuserinfo", s.wecomUser)
	mux.HandleFunc("POST /v1.0/oauth2/userAccessToken", s.dingtalkToken)
	mux.HandleFunc("GET /v1.0/contact/users/me", s.dingtalkMe)
	mux.HandleFunc("POST /open-apis/authen/v2/oauth/token", s.feishuToken)
	mux.HandleFunc("GET /open-apis/authen/v1/user_info", s.feishuUser)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("ssotest: listen: %v", err))
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close stops the stand-in.
func (s *StandIn) Close() { s.srv.Close() }

// SetApp replaces the application the stand-in knows for its provider.
func (s *StandIn) SetApp(a sso.App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.Provider] = a
}

// SignInAs makes the provider's authorization page sign in id (with name)
// from now on; an empty id makes it send the browser back without a code,
// as when the person cancels.
func (s *StandIn) SignInAs(provider, id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next[provider] = sso.Identity{ID: id, Name: name}
}

// Problems are the requests the stand-in found wrong: a missing or wrong
// parameter, an unknown path. A test asserts there are none.
func (s *StandIn) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// Calls counts the requests to a path.
func (s *StandIn) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Code hands out a code for id as the provider's authorization page would,
// for a test that plays the browser's part itself.
func (s *StandIn) Code(provider, id, redirect string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := random()
	s.codes[code] = grant{provider: provider, who: sso.Identity{ID: id}, redirect: redirect}
	return code
}

func (s *StandIn) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *StandIn) count(r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
}

// want checks that q holds exactly the given parameters.
func (s *StandIn) want(where string, q url.Values, want map[string]string) bool {
	ok := true
	for k, v := range want {
		if got := q.Get(k); got != v {
			s.problem("%s: parameter %s is %q, want %q", where, k, got, v)
			ok = false
		}
	}
	for k := range q {
		if _, known := want[k]; !known && k != "state" && k != "redirect_uri" {
			s.problem("%s: unexpected parameter %s", where, k)
			ok = false
		}
	}
	return ok
}

func (s *StandIn) authorize(provider string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		s.mu.Lock()
		app, who := s.apps[provider], s.next[provider]
		s.mu.Unlock()
		q := r.URL.Query()
		var want map[string]string
		switch provider {
		case sso.WeCom:
			want = map[string]string{"login_type": "CorpApp", "appid": app.ClientID, "agentid": app.AgentID}
		case sso.DingTalk:
			want = map[string]string{"response_type": "code", "client_id": app.ClientID, "scope": "openid", "prompt": "consent"}
		case sso.Feishu:
			want = map[string]string{"response_type": "code", "client_id": app.ClientID}
		}
		redirect, state := q.Get("redirect_uri"), q.Get("state")
		back, err := url.Parse(redirect)
		if !s.want(provider+" authorize", q, want) || err != nil || !back.IsAbs() || state == "" {
			s.problem("%s authorize: bad redirect_uri %q or empty state", provider, redirect)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		bq := back.Query()
		if who.ID != "" {
			code := random()
			s.mu.Lock()
			s.codes[code] = grant{provider: provider, who: who, redirect: redirect}
			s.mu.Unlock()
			bq.Set("code", code)
		}
		bq.Set("state", state)
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
}

// take spends a code once.
func (s *StandIn) take(provider, code string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	if !ok || g.provider != provider {
		return grant{}, false
	}
	delete(s.codes, code)
	return g, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *StandIn) wecomToken(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	s.mu.Lock()
	app := s.apps[sso.WeCom]
	s.mu.Unlock()
	q := r.URL.Query()
	if q.Get("corpid") != app.ClientID || q.Get("corpsecret") != app.Secret {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
		return
	}
	s.want("wecom gettoken", q, map[string]string{"corpid": app.ClientID, "corpsecret": app.Secret})
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": s.wecomTok, "expires_in": 7200})
}

func (s *StandIn) wecomUser(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	q := r.URL.Query()
	if q.Get("access_token") != s.wecomTok {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": 40014, "errmsg": "invalid access_token"})
		return
	}
	g, ok := s.take(sso.WeCom, q.Get("code"))
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "userid": g.who.ID, "user_ticket": random(), "expires_in": 1800})
}

func (s *StandIn) dingtalkToken(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	s.mu.Lock()
	app := s.apps[sso.DingTalk]
	s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		s.problem("dingtalk userAccessToken: Content-Type %q", r.Header.Get("Content-Type"))
	}
	var in map[string]string
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in) != 4 || in["grantType"] != "authorization_code" {
		s.problem("dingtalk userAccessToken: body %v (%v)", in, err)
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "InvalidParameter", "message": "bad body"})
		return
	}
	if in["clientId"] != app.ClientID || in["clientSecret"] != app.Secret {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "invalidClientId", "message": "wrong client"})
		return
	}
	g, ok := s.take(sso.DingTalk, in["code"])
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "invalidAuthCode", "message": "code not found"})
		return
	}
	tok := random()
	s.mu.Lock()
	s.tokens[tok] = g.who
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": tok, "refreshToken": random(), "expireIn": 7200, "corpId": "ding-corp"})
}

func (s *StandIn) dingtalkMe(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	s.mu.Lock()
	who, ok := s.tokens[r.Header.Get("x-acs-dingtalk-access-token")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "InvalidAuthentication", "message": "bad token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"nick": who.Name, "unionId": who.ID, "openId": "open-" + who.ID, "stateCode": "86"})
}

func (s *StandIn) feishuToken(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	s.mu.Lock()
	app := s.apps[sso.Feishu]
	s.mu.Unlock()
	var in map[string]string
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in) != 5 || in["grant_type"] != "authorization_code" {
		s.problem("feishu oauth/token: body %v (%v)", in, err)
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 20001, "error": "invalid_request"})
		return
	}
	if in["client_id"] != app.ClientID || in["client_secret"] != app.Secret {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 20002, "error": "invalid_client", "error_description": "The client secret is invalid."})
		return
	}
	g, ok := s.take(sso.Feishu, in["code"])
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 20003, "error": "invalid_grant", "error_description": "The authorization code is not found."})
		return
	}
	if g.redirect != in["redirect_uri"] {
		s.problem("feishu oauth/token: redirect_uri %q, the authorization page had %q", in["redirect_uri"], g.redirect)
	}
	tok := random()
	s.mu.Lock()
	s.tokens[tok] = g.who
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "access_token": tok, "expires_in": 7200, "token_type": "Bearer", "scope": ""})
}

func (s *StandIn) feishuUser(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	who, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 99991668, "msg": "Invalid access token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"name": who.Name, "open_id": who.ID, "union_id": "on_" + who.ID}})
}
