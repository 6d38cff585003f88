package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Sign-in with WeCom, DingTalk or Feishu (package sso does the talking).
// A tenant's administrators set up each provider in the platform object
// crmSignOn, one record per provider named for it, its secret sealed like
// the channels' secrets and never returned. A user is matched by a link
// (platform object crmSignOnLink, one record per provider and external
// id, so that an identity belongs to one user), which an administrator
// sets on the user or the user makes while signed in. Nobody is created
// by signing in: an identity nobody linked is refused.
//
// The flow: StartSignOn gives the address of the provider's page and a
// ticket — the flow's tenant, provider, a random state, its expiry and,
// when a signed-in user links their account, who — sealed with the
// server's key, which the browser keeps in a cookie. The provider sends
// the browser back to the callback with a code and the state;
// FinishSignOn opens the ticket (so only the browser that started can
// finish, within SignOnTTL), checks that the state is the ticket's and was
// not used before, asks the provider who signed in and opens a session of
// the user linked to that identity.

const (
	signOnObject     = "crmSignOn"
	signOnLinkObject = "crmSignOnLink"
	// SignOnTTL is how long a started sign-in may take to come back.
	SignOnTTL = 10 * time.Minute
	// maxSignOnText bounds a provider setting or an external id.
	maxSignOnText = 512
	maxExternalID = 128
	// maxUsedStates bounds the states remembered as used (each for
	// SignOnTTL); past it new sign-ins are refused as busy until some
	// expire.
	maxUsedStates = 100_000
	// AuditSignIn records a sign-in through a provider.
	AuditSignIn = "signIn"
	// AuditSignOnLink records a provider identity linked to or unlinked
	// from a user.
	AuditSignOnLink = "signOnLink"
)

// SignOnProvider is a provider's setting as administrators see it: the
// secret never.
type SignOnProvider struct {
	Provider   string
	Configured bool
	Enabled    bool
	ClientID   string
	AgentID    string
	SecretSet  bool
	AppURL     string
	// CallbackURL is the address to register at the provider as the
	// redirect address (derived from AppURL); "" without one.
	CallbackURL string
	UpdatedAt   string
	UpdatedBy   string
}

// SignOnInput changes a provider's setting: nil fields keep their value;
// an empty Secret clears it.
type SignOnInput struct {
	Enabled  *bool
	ClientID *string
	AgentID  *string
	Secret   *string
	AppURL   *string
}

// SignOnLink is a provider identity linked to a user.
type SignOnLink struct {
	Provider   string
	ExternalID string
	User       string
	LinkedAt   time.Time
}

// SignOnStart is what a started sign-in gives the browser: where to go,
// and the ticket to keep (in a cookie) until it comes back.
type SignOnStart struct {
	URL       string
	Ticket    string
	ExpiresAt time.Time
}

// SignOnResult is a finished sign-in: the session, or for a link the
// provider linked; AppURL is the web app's address the browser goes back
// to (also set with an error once the ticket opened).
type SignOnResult struct {
	Session  *Session
	Linked   bool
	Provider string
	AppURL   string
}

// signOnTicket is the sealed content of a ticket.
type signOnTicket struct {
	Tenant   string `json:"t"`
	Provider string `json:"p"`
	State    string `json:"s"`
	Expires  int64  `json:"e"`
	User     string `json:"u,omitempty"`  // linking: the signed-in user
	Session  string `json:"ss,omitempty"` // linking: their session id
}

const ticketAAD = "crm sign-on ticket"

// usedStates remembers the states of finished sign-ins until they expire.
type usedStates struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// use records state as used; false when it was, or when too many are
// remembered (busy).
func (u *usedStates) use(state string, expires, now time.Time) (fresh, busy bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen == nil {
		u.seen = map[string]time.Time{}
	}
	if _, ok := u.seen[state]; ok {
		return false, false
	}
	if len(u.seen) >= maxUsedStates {
		for k, at := range u.seen {
			if now.After(at) {
				delete(u.seen, k)
			}
		}
		if len(u.seen) >= maxUsedStates {
			return false, true
		}
	}
	u.seen[state] = expires
	return true, false
}

// The providers, by the name the API and the routes use.
const (
	ProviderWeCom    = "wecom"
	ProviderDingTalk = "dingtalk"
	ProviderFeishu   = "feishu"
)

// SignOnProviderNames lists the providers in the order pages show them.
var SignOnProviderNames = []string{ProviderWeCom, ProviderDingTalk, ProviderFeishu}

// SignOnApp is a tenant's application at a provider.
type SignOnApp struct {
	Provider string
	// ClientID is WeCom's corp id (CorpID), DingTalk's client id (AppKey)
	// or Feishu's app id.
	ClientID string
	// AgentID is WeCom's application id (AgentId); unused elsewhere.
	AgentID string
	Secret  string
}

// SignOnIdentity is who signed in at a provider: ID is WeCom's userid,
// DingTalk's unionId or Feishu's open_id; Name their name where the
// service says it.
type SignOnIdentity struct {
	ID   string
	Name string
}

// SignOnService talks to the providers for sign-in: the address a browser
// is sent to, and who signed in from the code the provider sends back
// (internal/sso does it over HTTP). Config.SignOn; an engine without one
// offers no sign-in with them.
type SignOnService interface {
	AuthURL(app SignOnApp, redirectURI, state string) string
	Identify(ctx context.Context, app SignOnApp, code, redirectURI string) (SignOnIdentity, error)
}

func knownProvider(p string) bool { return slices.Contains(SignOnProviderNames, p) }

// providerLabel names a provider in messages of either language.
func providerLabel(p string) string {
	switch p {
	case ProviderWeCom:
		return "企业微信 (WeCom)"
	case ProviderDingTalk:
		return "钉钉 (DingTalk)"
	case ProviderFeishu:
		return "飞书 (Feishu)"
	}
	return p
}

func checkProvider(p string) error {
	if !knownProvider(p) {
		return errorOf(ErrBadRequest, nil, "sso.unknownProvider", p, strings.Join(SignOnProviderNames, ", "))
	}
	return nil
}

// callbackURL is where a provider sends the browser back.
func callbackURL(appURL, provider string) string {
	if appURL == "" {
		return ""
	}
	return appURL + "/auth/sso/" + provider + "/callback"
}

func signOnView(r store.Record) SignOnProvider {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	p := SignOnProvider{Provider: r.ID, Configured: true, ClientID: s("clientId"), AgentID: s("agentId"),
		SecretSet: s("secret") != "", AppURL: s("appUrl"), UpdatedAt: r.UpdatedAt.UTC().Format(schema.DateTimeLayout), UpdatedBy: r.UpdatedBy}
	p.Enabled, _ = r.Data["enabled"].(bool)
	p.CallbackURL = callbackURL(p.AppURL, p.Provider)
	return p
}

func (e *Engine) signOnAdmin(ctx context.Context) (scope, *schema.Object, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return scope{}, nil, err
	}
	if !sc.actor.Admin {
		return scope{}, nil, errorOf(ErrForbidden, nil, "sso.adminOnly")
	}
	obj, err := e.platformObject(ctx, sc.ts, sc.snap, signOnObject)
	if err != nil {
		return scope{}, nil, fmt.Errorf("sign-in providers: %w", err)
	}
	return sc, obj, nil
}

// SignOnProviders lists every provider's setting, secrets masked;
// administrators only.
func (e *Engine) SignOnProviders(ctx context.Context) ([]SignOnProvider, error) {
	sc, obj, err := e.signOnAdmin(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := sc.ts.GetMany(ctx, obj, SignOnProviderNames)
	if err != nil {
		return nil, fmt.Errorf("read sign-in providers: %w", err)
	}
	byID := map[string]store.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	out := make([]SignOnProvider, len(SignOnProviderNames))
	for i, p := range SignOnProviderNames {
		if r, ok := byID[p]; ok {
			out[i] = signOnView(r)
		} else {
			out[i] = SignOnProvider{Provider: p}
		}
	}
	return out, nil
}

// checkAppURL accepts the web app's address: http(s), a host, no user,
// query or fragment; a trailing slash is dropped.
func checkAppURL(s string) (string, error) {
	s = strings.TrimRight(s, "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") {
		return "", errorOf(ErrBadRequest, err, "sso.badAppURL", s)
	}
	return s, nil
}

// SaveSignOnProvider changes a provider's setting and returns it. A
// provider can be switched on only with everything it needs (its ids,
// secret and the web app's address). Administrators only; audited without
// the secret.
func (e *Engine) SaveSignOnProvider(ctx context.Context, provider string, in SignOnInput) (SignOnProvider, error) {
	if err := checkProvider(provider); err != nil {
		return SignOnProvider{}, err
	}
	sc, obj, err := e.signOnAdmin(ctx)
	if err != nil {
		return SignOnProvider{}, err
	}
	if e.sealer == nil {
		return SignOnProvider{}, errorOf(ErrNoKey, nil, "sso.noKey")
	}
	if err := e.ensureKeyCheck(ctx, sc.ts, sc.snap, sc.actor.TenantID); err != nil {
		return SignOnProvider{}, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return SignOnProvider{}, err
	}
	var saved store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, obj, provider)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read sign-in provider %s: %w", provider, err)
		}
		data := map[string]any{"enabled": false}
		if exists {
			data = cloneMap(cur.Data)
		}
		changed := map[string]any{}
		set := func(key string, v *string) error {
			if v == nil {
				return nil
			}
			s := strings.TrimSpace(*v)
			if len(s) > maxSignOnText || !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
				return errorOf(ErrBadRequest, nil, "sso.badSetting", key, maxSignOnText)
			}
			if key == "appUrl" && s != "" {
				if s, err = checkAppURL(s); err != nil {
					return err
				}
			}
			if old, _ := data[key].(string); old == s {
				return nil
			}
			if key == "secret" {
				changed[key] = map[string]any{"old": maskedValue, "new": maskedValue}
			} else {
				changed[key] = map[string]any{"old": data[key], "new": s}
			}
			if s == "" {
				delete(data, key)
			} else {
				data[key] = s
			}
			return nil
		}
		for _, f := range []struct {
			key string
			v   *string
		}{{"clientId", in.ClientID}, {"agentId", in.AgentID}, {"secret", in.Secret}, {"appUrl", in.AppURL}} {
			if err := set(f.key, f.v); err != nil {
				return err
			}
		}
		if in.Enabled != nil && data["enabled"] != *in.Enabled {
			changed["enabled"] = map[string]any{"old": data["enabled"], "new": *in.Enabled}
			data["enabled"] = *in.Enabled
		}
		if on, _ := data["enabled"].(bool); on {
			var missing []string
			for _, k := range []string{"clientId", "secret", "appUrl"} {
				if s, _ := data[k].(string); s == "" {
					missing = append(missing, k)
				}
			}
			if s, _ := data["agentId"].(string); provider == ProviderWeCom && s == "" {
				missing = append(missing, "agentId")
			}
			if len(missing) > 0 {
				return errorOf(ErrBadRequest, nil, "sso.incomplete", providerLabel(provider), strings.Join(missing, ", "))
			}
		}
		now := e.stamp()
		next := store.Record{ID: provider, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: data}
		if exists {
			next.Version, next.CreatedAt, next.CreatedBy = cur.Version+1, cur.CreatedAt, cur.CreatedBy
			err = tx.Update(ctx, obj, next, cur.Version)
		} else {
			err = tx.Insert(ctx, obj, next)
		}
		if err != nil {
			return fmt.Errorf("save sign-in provider %s: %w", provider, err)
		}
		saved = next
		return w.auditAs(ctx, tx, AuditMetadata, signOnObject, provider, next.Version, changed)
	})
	if err != nil {
		return SignOnProvider{}, err
	}
	return signOnView(saved), nil
}

// EnabledSignOns names the providers a tenant switched on, for its sign-in
// page; an unknown tenant has none (the answer does not tell whether it
// exists).
func (e *Engine) EnabledSignOns(ctx context.Context, tenantID string) ([]string, error) {
	out := []string{}
	if e.sso == nil || !store.ValidTenantID(tenantID) {
		return out, nil
	}
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrTenantUnavailable) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	obj := snap.platform[signOnObject]
	if obj == nil {
		return out, nil
	}
	recs, err := ts.GetMany(ctx, obj, SignOnProviderNames)
	if err != nil {
		return nil, fmt.Errorf("read sign-in providers of %q: %w", tenantID, err)
	}
	on := map[string]bool{}
	for _, r := range recs {
		on[r.ID], _ = r.Data["enabled"].(bool)
	}
	for _, p := range SignOnProviderNames {
		if on[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// enabledApp reads a provider's setting for a sign-in: an error when it is
// not set up and switched on.
func (e *Engine) enabledApp(ctx context.Context, ts store.TenantStore, snap *snapshot, provider string) (SignOnApp, string, error) {
	off := errorOf(ErrBadRequest, nil, "sso.notEnabled", providerLabel(provider))
	obj := snap.platform[signOnObject]
	if obj == nil {
		return SignOnApp{}, "", off
	}
	r, err := ts.Get(ctx, obj, provider)
	if errors.Is(err, store.ErrNotFound) {
		return SignOnApp{}, "", off
	} else if err != nil {
		return SignOnApp{}, "", fmt.Errorf("read sign-in provider %s: %w", provider, err)
	}
	if on, _ := r.Data["enabled"].(bool); !on {
		return SignOnApp{}, "", off
	}
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	return SignOnApp{Provider: provider, ClientID: s("clientId"), AgentID: s("agentId"), Secret: s("secret")}, s("appUrl"), nil
}

func randomState() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// StartSignOn starts signing in to tenantID with provider: the address of
// the provider's page and the ticket the browser keeps. Anyone may call
// it; a tenant that does not exist or did not switch the provider on gets
// the same answer ("not switched on").
func (e *Engine) StartSignOn(ctx context.Context, tenantID, provider string) (SignOnStart, error) {
	if err := checkProvider(provider); err != nil {
		return SignOnStart{}, err
	}
	off := errorOf(ErrBadRequest, nil, "sso.notEnabled", providerLabel(provider))
	if !store.ValidTenantID(tenantID) {
		return SignOnStart{}, off
	}
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return SignOnStart{}, off
	} else if err != nil {
		return SignOnStart{}, err
	}
	return e.startSignOn(ctx, ts, snap, signOnTicket{Tenant: tenantID, Provider: provider})
}

// StartSignOnLink starts linking the signed-in user's account at provider:
// when the flow comes back, the identity is linked to them.
func (e *Engine) StartSignOnLink(ctx context.Context, provider string) (SignOnStart, error) {
	if err := checkProvider(provider); err != nil {
		return SignOnStart{}, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return SignOnStart{}, err
	}
	username, ok := strings.CutPrefix(sc.actor.ID, "user:")
	if !ok || sc.actor.Session == "" {
		return SignOnStart{}, errorOf(ErrBadRequest, nil, "sso.linkNeedsSession")
	}
	return e.startSignOn(ctx, sc.ts, sc.snap, signOnTicket{Tenant: sc.actor.TenantID, Provider: provider, User: username, Session: sc.actor.Session})
}

func (e *Engine) startSignOn(ctx context.Context, ts store.TenantStore, snap *snapshot, t signOnTicket) (SignOnStart, error) {
	if e.sso == nil { // a server built without the providers' client
		return SignOnStart{}, errorOf(ErrBadRequest, nil, "sso.notEnabled", providerLabel(t.Provider))
	}
	app, appURL, err := e.enabledApp(ctx, ts, snap, t.Provider)
	if err != nil {
		return SignOnStart{}, err
	}
	if e.sealer == nil {
		return SignOnStart{}, errorOf(ErrNoKey, nil, "sso.noKey")
	}
	if t.State, err = randomState(); err != nil {
		return SignOnStart{}, err
	}
	expires := e.now().Add(SignOnTTL)
	t.Expires = expires.Unix()
	ticket, err := e.sealer.Seal(ticketAAD, t)
	if err != nil {
		return SignOnStart{}, fmt.Errorf("seal sign-in ticket: %w", err)
	}
	return SignOnStart{URL: e.sso.AuthURL(app, callbackURL(appURL, t.Provider), t.State), Ticket: ticket, ExpiresAt: expires}, nil
}

// openTicket opens a ticket and checks it against the state that came back.
func (e *Engine) openTicket(provider, ticket, state string) (signOnTicket, error) {
	bad := errorOf(ErrBadRequest, nil, "sso.badState")
	if e.sealer == nil || ticket == "" || len(ticket) > 4096 || state == "" || len(state) > 256 {
		return signOnTicket{}, bad
	}
	v, err := e.sealer.Open(ticketAAD, ticket)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return signOnTicket{}, bad
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	t := signOnTicket{Tenant: str("t"), Provider: str("p"), State: str("s"), User: str("u"), Session: str("ss")}
	if n, ok := m["e"].(float64); ok {
		t.Expires = int64(n)
	}
	if t.Provider != provider || subtle.ConstantTimeCompare([]byte(t.State), []byte(state)) != 1 {
		return signOnTicket{}, bad
	}
	if !e.now().Before(time.Unix(t.Expires, 0)) {
		return signOnTicket{}, errorOf(ErrBadRequest, nil, "sso.expired")
	}
	return t, nil
}

// FinishSignOn finishes a sign-in (or a link) when the provider sent the
// browser back with code and state; ticket is what StartSignOn gave. A
// state that does not match the ticket, an expired or reused one, an
// identity nobody linked, a deactivated user are refused, nothing
// changed.
func (e *Engine) FinishSignOn(ctx context.Context, provider, ticket, state, code string) (SignOnResult, error) {
	res := SignOnResult{Provider: provider}
	if err := checkProvider(provider); err != nil {
		return res, err
	}
	t, err := e.openTicket(provider, ticket, state)
	if err != nil {
		return res, err
	}
	ts, snap, err := e.tenantScope(ctx, t.Tenant)
	if err != nil {
		return res, fmt.Errorf("sign in to %q: %w", t.Tenant, err)
	}
	app, appURL, err := e.enabledApp(ctx, ts, snap, provider)
	res.AppURL = appURL
	if err != nil {
		return res, err
	}
	if fresh, busy := e.signOnStates.use(t.State, time.Unix(t.Expires, 0), e.now()); busy {
		return res, errorOf(ErrBusy, nil, "sso.busy")
	} else if !fresh {
		return res, errorOf(ErrBadRequest, nil, "sso.stateUsed")
	}
	if code == "" || len(code) > 1024 {
		return res, errorOf(ErrBadRequest, nil, "sso.noCode", providerLabel(provider))
	}
	if e.sso == nil {
		return res, errorOf(ErrBadRequest, nil, "sso.notEnabled", providerLabel(provider))
	}
	who, err := e.sso.Identify(ctx, app, code, callbackURL(appURL, provider))
	if err != nil {
		e.log.Warn("sign-in provider refused", "tenant", t.Tenant, "provider", provider, "err", err)
		return res, errorOf(ErrBadRequest, err, "sso.providerFailed", providerLabel(provider), err.Error())
	}
	if t.User != "" {
		if err := e.linkFromFlow(ctx, ts, snap, t, who.ID); err != nil {
			return res, err
		}
		res.Linked = true
		return res, nil
	}
	sess, err := e.signInLinked(ctx, ts, snap, t.Tenant, provider, who.ID)
	if err != nil {
		return res, err
	}
	res.Session = sess
	return res, nil
}

// linkID is the record id of a provider identity's link.
func linkID(provider, externalID string) string {
	sum := sha256.Sum256([]byte(externalID))
	return provider + "-" + hex.EncodeToString(sum[:20])
}

// signInLinked opens a session of the user linked to provider's identity
// id: refused when nobody is linked, the user is deactivated or their
// sign-in is locked by failed passwords.
func (e *Engine) signInLinked(ctx context.Context, ts store.TenantStore, snap *snapshot, tenantID, provider, id string) (*Session, error) {
	unlinked := errorOf(ErrUnauthenticated, nil, "sso.unlinked", providerLabel(provider), id)
	links, users := snap.platform[signOnLinkObject], snap.platform[userObject]
	if links == nil || users == nil {
		return nil, unlinked
	}
	link, err := ts.Get(ctx, links, linkID(provider, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, unlinked
	} else if err != nil {
		return nil, fmt.Errorf("read sign-in link: %w", err)
	}
	username, _ := link.Data["user"].(string)
	rec, err := ts.Get(ctx, users, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unlinked
	} else if err != nil {
		return nil, fmt.Errorf("read user %q: %w", username, err)
	}
	if rec.Data["active"] != true {
		return nil, errorOf(ErrUnauthenticated, nil, "sso.deactivated", username)
	}
	if e.signInLocked(ctx, tenantID+"|"+username, e.now()) {
		return nil, errorOf(ErrRateLimited, nil, "user.tooManySignIns")
	}
	a := Actor{TenantID: tenantID, ID: identity.ActorID(username)}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return nil, err
	}
	return e.openSession(ctx, ts, snap, tenantID, rec, func(tx store.Tx) error {
		return w.auditAs(ctx, tx, AuditSignIn, userObject, username, rec.Version, map[string]any{"provider": map[string]any{"new": provider}})
	})
}

// linkFromFlow links the identity that came back to the user who started
// the flow, if their session still exists.
func (e *Engine) linkFromFlow(ctx context.Context, ts store.TenantStore, snap *snapshot, t signOnTicket, id string) error {
	sessions := snap.platform[sessionObject]
	ended := errorOf(ErrUnauthenticated, nil, "session.ended")
	if sessions == nil {
		return ended
	}
	s, err := ts.Get(ctx, sessions, t.Session)
	if err != nil || s.Data["user"] != t.User {
		return ended
	}
	a := Actor{TenantID: t.Tenant, ID: identity.ActorID(t.User), Session: t.Session}
	_, err = e.setLink(ctx, ts, snap, a, t.User, t.Provider, id)
	return err
}

func checkExternalID(id string) error {
	if id == "" || len(id) > maxExternalID || !utf8.ValidString(id) || strings.IndexFunc(id, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return errorOf(ErrBadRequest, nil, "sso.badExternalID", id, maxExternalID)
	}
	return nil
}

// setLink links (id non-empty) or unlinks (id "") username's identity at
// provider, replacing the one they had; an identity linked to someone else
// is refused. It returns the user's links.
func (e *Engine) setLink(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, username, provider, id string) ([]SignOnLink, error) {
	if id != "" {
		if err := checkExternalID(id); err != nil {
			return nil, err
		}
	}
	links, err := e.platformObject(ctx, ts, snap, signOnLinkObject)
	if err != nil {
		return nil, err
	}
	users := snap.platform[userObject]
	if users == nil {
		return nil, errorOf(ErrNotFound, nil, "user.notFound", username)
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return nil, err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, users, username); errors.Is(err, store.ErrNotFound) {
			return errorOf(ErrNotFound, nil, "user.notFound", username)
		} else if err != nil {
			return fmt.Errorf("read user %q: %w", username, err)
		}
		page, err := tx.Find(ctx, links, store.Query{Filter: &store.Filter{Field: "user", Op: store.OpEq, Value: username}, Limit: 10})
		if err != nil {
			return fmt.Errorf("read links of %q: %w", username, err)
		}
		old := ""
		for _, r := range page.Records {
			if r.Data["provider"] != provider {
				continue
			}
			old, _ = r.Data["externalId"].(string)
			if old == id {
				return nil
			}
			if err := tx.Delete(ctx, links, r.ID); err != nil {
				return fmt.Errorf("unlink %s of %q: %w", provider, username, err)
			}
		}
		if id != "" {
			cur, err := tx.Get(ctx, links, linkID(provider, id))
			if err == nil {
				return errorOf(ErrConflict, nil, "sso.linkedToOther", providerLabel(provider), id, cur.Data["user"])
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("read sign-in link: %w", err)
			}
			now := e.stamp()
			rec := store.Record{ID: linkID(provider, id), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID,
				Data: map[string]any{"provider": provider, "externalId": id, "user": username}}
			if err := tx.Insert(ctx, links, rec); err != nil {
				return fmt.Errorf("link %s of %q: %w", provider, username, err)
			}
		} else if old == "" {
			return nil
		}
		return w.auditAs(ctx, tx, AuditSignOnLink, userObject, username, 0, map[string]any{provider: map[string]any{"old": nilIfEmpty(old), "new": nilIfEmpty(id)}})
	})
	if err != nil {
		return nil, err
	}
	return e.readLinks(ctx, ts, links, username)
}

func (e *Engine) readLinks(ctx context.Context, ts store.TenantStore, links *schema.Object, username string) ([]SignOnLink, error) {
	out := []SignOnLink{}
	if links == nil {
		return out, nil
	}
	page, err := ts.Find(ctx, links, store.Query{Filter: &store.Filter{Field: "user", Op: store.OpEq, Value: username}, Limit: 10})
	if err != nil {
		return nil, fmt.Errorf("read links of %q: %w", username, err)
	}
	byProvider := map[string]SignOnLink{}
	for _, r := range page.Records {
		p, _ := r.Data["provider"].(string)
		id, _ := r.Data["externalId"].(string)
		byProvider[p] = SignOnLink{Provider: p, ExternalID: id, User: username, LinkedAt: r.CreatedAt}
	}
	for _, p := range SignOnProviderNames {
		if l, ok := byProvider[p]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}

// UserSignOns lists a user's linked identities; administrators only.
func (e *Engine) UserSignOns(ctx context.Context, username string) ([]SignOnLink, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	if !sc.actor.Admin {
		return nil, errorOf(ErrForbidden, nil, "sso.adminOnly")
	}
	if _, ok := sc.snap.users[username]; !ok {
		return nil, errorOf(ErrNotFound, nil, "user.notFound", username)
	}
	return e.readLinks(ctx, sc.ts, sc.snap.platform[signOnLinkObject], username)
}

// SetUserSignOn links a user's identity at provider (its WeCom userid,
// DingTalk unionId or Feishu open_id), replacing the one they had; an
// empty id unlinks. Administrators only; audited.
func (e *Engine) SetUserSignOn(ctx context.Context, username, provider, externalID string) ([]SignOnLink, error) {
	if err := checkProvider(provider); err != nil {
		return nil, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	if !sc.actor.Admin {
		return nil, errorOf(ErrForbidden, nil, "sso.adminOnly")
	}
	return e.setLink(ctx, sc.ts, sc.snap, sc.actor, username, provider, strings.TrimSpace(externalID))
}

// MySignOns lists the signed-in user's linked identities.
func (e *Engine) MySignOns(ctx context.Context) ([]SignOnLink, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	username, ok := strings.CutPrefix(sc.actor.ID, "user:")
	if !ok {
		return nil, errorOf(ErrBadRequest, nil, "user.notAUser")
	}
	return e.readLinks(ctx, sc.ts, sc.snap.platform[signOnLinkObject], username)
}

// UnlinkMySignOn removes the signed-in user's identity at provider.
func (e *Engine) UnlinkMySignOn(ctx context.Context, provider string) ([]SignOnLink, error) {
	if err := checkProvider(provider); err != nil {
		return nil, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	username, ok := strings.CutPrefix(sc.actor.ID, "user:")
	if !ok {
		return nil, errorOf(ErrBadRequest, nil, "user.notAUser")
	}
	return e.setLink(ctx, sc.ts, sc.snap, sc.actor, username, provider, "")
}

// withoutSignOnSecret is a provider's stored setting without its secret,
// switched off: what an export without secrets holds.
func withoutSignOnSecret(data map[string]any) map[string]any {
	out := cloneMap(data)
	delete(out, "secret")
	out["enabled"] = false
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
