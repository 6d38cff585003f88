package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Users sign in with a password (argon2id) and get a session: a random
// token, of which only a hash is stored, with an expiry and a CSRF token
// for cookie-authenticated writes. Failed sign-ins of a user are
// throttled. Users carry a role as API keys do; the role "admin" makes an
// administrator.

const (
	userObject    = "crmUser"
	sessionObject = "crmSession"
	// SessionTTL is how long a session lasts without sign-in.
	SessionTTL = 12 * time.Hour
	// AdminRole is the built-in role of administrators.
	AdminRole = access.AdminRole
	// signInFailures failures of one user within signInWindow lock its
	// sign-in for signInWindow.
	signInFailures = 5
	signInWindow   = 15 * time.Minute
)

// User is a person who signs in.
type User struct {
	Username    string
	DisplayName string
	Role        string
	// Manager is the user name of the user's manager, who sees and changes
	// what the user owns; "" for none.
	Manager string
	// Team is the name of the user's team, whose members read each
	// other's records of private objects; "" for none.
	Team string
	// Email and Mobile are where external channels reach the user; ""
	// for none.
	Email  string
	Mobile string
	Active bool
	// MustChangePassword is set for a password that an administrator
	// chose (or the first start generated): until the user changes it,
	// their sessions may only read who they are and change the password.
	MustChangePassword bool
	CreatedAt          time.Time
}

// ActorID is the id under which the user acts, owns records and appears
// in the audit trail.
func (u User) ActorID() string { return identity.ActorID(u.Username) }

// Session is a signed-in user's session: Token goes in the cookie, CSRF
// in the X-CSRF-Token header of writes.
type Session struct {
	// Token is the secret of the cookie; only [Engine.SignIn] returns it.
	Token     string
	CSRF      string
	Tenant    string
	User      User
	ExpiresAt time.Time
}

// SignIn checks a user's password and opens a session. Wrong names and
// wrong passwords get the same answer, after the same work (one password
// derivation whatever failed); after five failures in fifteen minutes the
// user's sign-in is locked for fifteen minutes. A tenant id, user name or
// password that cannot be valid is a BAD_REQUEST before anything is
// looked up; when every hashing slot is taken and the queue is full, the
// answer is UNAVAILABLE (ErrBusy).
func (e *Engine) SignIn(ctx context.Context, tenantID, username, password string) (*Session, error) {
	if !store.ValidTenantID(tenantID) || !identity.ValidUsername(username) || identity.PasswordTooLong(password) {
		return nil, errorOf(ErrBadRequest, nil, "user.badSignIn", MaxPasswordBytes)
	}
	denied := errorOf(ErrUnauthenticated, nil, "user.wrongCredentials")
	key := tenantID + "|" + username
	now := e.now()
	if e.signInLocked(ctx, key, now) {
		return nil, errorOf(ErrRateLimited, nil, "user.tooManySignIns")
	}
	var (
		ts   store.TenantStore
		snap *snapshot
		rec  store.Record
		hash string
	)
	usable := false
	ts, err := e.tenantStore(ctx, tenantID)
	if err == nil {
		if snap, err = e.state(ctx, tenantID, ts); err != nil {
			return nil, err
		}
		if users := snap.platform[userObject]; users != nil {
			rec, err = ts.Get(ctx, users, username)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			hash, _ = rec.Data["passwordHash"].(string)
			usable = err == nil && rec.Data["active"] == true
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	// One derivation on every path: an unknown tenant or user and a
	// deactivated user cost what a wrong password costs.
	ok, err := e.checkPassword(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !usable || !ok {
		e.signInFailed(ctx, key, now)
		return nil, denied
	}
	return e.openSession(ctx, ts, snap, tenantID, rec, nil)
}

// openSession opens a session of the user rec; also, in the same
// transaction, runs also when set (a sign-in's audit entry).
func (e *Engine) openSession(ctx context.Context, ts store.TenantStore, snap *snapshot, tenantID string, rec store.Record, also func(store.Tx) error) (*Session, error) {
	username := rec.ID
	sessions, err := e.platformObject(ctx, ts, snap, sessionObject)
	if err != nil {
		return nil, err
	}
	token, csrf, err := identity.NewSession(tenantID)
	if err != nil {
		return nil, err
	}
	stamp := e.stamp()
	expires := stamp.Add(SessionTTL)
	s := store.Record{ID: identity.SessionID(token), Version: 1, CreatedAt: stamp, UpdatedAt: stamp, CreatedBy: identity.ActorID(username), UpdatedBy: identity.ActorID(username),
		Data: map[string]any{"user": username, "csrf": csrf, "expiresAt": expires.Format(schema.DateTimeLayout)}}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, sessions, s); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open session of %q: %w", username, err)
	}
	u := userOf(rec)
	return &Session{Token: token, CSRF: csrf, Tenant: tenantID, User: u, ExpiresAt: expires}, nil
}

func userOf(r store.Record) User {
	u := User{Username: r.ID, CreatedAt: r.CreatedAt}
	u.Role, _ = r.Data["role"].(string)
	u.DisplayName, _ = r.Data["displayName"].(string)
	u.Manager, _ = r.Data["manager"].(string)
	u.Team, _ = r.Data["team"].(string)
	u.Email, _ = r.Data["email"].(string)
	u.Mobile, _ = r.Data["mobile"].(string)
	u.Active, _ = r.Data["active"].(bool)
	u.MustChangePassword, _ = r.Data["mustChangePassword"].(bool)
	return u
}

// AuthenticateSession resolves a session token to its user's actor and
// the session's CSRF token.
func (e *Engine) AuthenticateSession(ctx context.Context, token string) (Actor, string, error) {
	sess, err := e.SessionOf(ctx, token)
	if err != nil {
		return Actor{}, "", err
	}
	a := Actor{TenantID: sess.Tenant, ID: sess.User.ActorID(), Admin: sess.User.Role == AdminRole,
		Session: identity.SessionID(token), MustChangePassword: sess.User.MustChangePassword}
	if !a.Admin {
		a.Role = sess.User.Role
	}
	return a, sess.CSRF, nil
}

// SessionOf returns the session of a token — its tenant, user, CSRF token
// and expiry, without the token — for a page that was reloaded and must
// learn who is signed in. An unknown, expired or forged token, or one of a
// user who may no longer sign in, is [ErrUnauthenticated].
func (e *Engine) SessionOf(ctx context.Context, token string) (*Session, error) {
	denied := errorOf(ErrUnauthenticated, nil, "session.ended")
	tenantID, ok := identity.SessionTenant(token)
	if !ok || len(token) > 300 {
		return nil, denied
	}
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, denied
	} else if err != nil {
		return nil, err
	}
	sessions, users := snap.platform[sessionObject], snap.platform[userObject]
	if sessions == nil || users == nil {
		return nil, denied
	}
	s, err := ts.Get(ctx, sessions, identity.SessionID(token))
	if err != nil {
		return nil, denied
	}
	expires, err := time.Parse(schema.DateTimeLayout, fmt.Sprint(s.Data["expiresAt"]))
	if err != nil || !e.now().Before(expires) {
		return nil, denied
	}
	u, err := ts.Get(ctx, users, fmt.Sprint(s.Data["user"]))
	if err != nil || u.Data["active"] != true {
		return nil, denied
	}
	csrf, _ := s.Data["csrf"].(string)
	return &Session{CSRF: csrf, Tenant: tenantID, User: userOf(u), ExpiresAt: expires}, nil
}

// SignOut ends a session.
func (e *Engine) SignOut(ctx context.Context, token string) error {
	tenantID, ok := identity.SessionTenant(token)
	if !ok {
		return nil
	}
	ts, err := e.tenantStore(ctx, tenantID)
	if err != nil {
		return nil
	}
	snap, err := e.state(ctx, tenantID, ts)
	if err != nil {
		return err
	}
	sessions := snap.platform[sessionObject]
	if sessions == nil {
		return nil
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, sessions, identity.SessionID(token)) })
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
