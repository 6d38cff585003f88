package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Administration of users: adding them, changing their role, manager,
// team, password or whether they may sign in. Every change is audited as
// a permission change and bumps the tenant's metadata revision, so the
// next request of every process sees the new hierarchy (record sharing
// reads it from the snapshot).

// NewUser is what CreateUser needs.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	// Role is "admin" (the default) or one of the tenant's roles.
	Role    string
	Manager string
	Team    string
	// Email and Mobile are where notifications reach the user outside
	// the app (see [User]); "" for none.
	Email  string
	Mobile string
	// MustChangePassword makes Password temporary: the user must change
	// it before doing anything else (see [Actor.MustChangePassword]).
	MustChangePassword bool
}

// UserChange lists what UpdateUser changes; nil leaves a value as it is.
type UserChange struct {
	DisplayName *string
	Role        *string
	Manager     *string
	Team        *string
	Email       *string
	Mobile      *string
	Active      *bool
	// Password sets a new password and ends the user's sessions.
	Password *string
	// MustChangePassword sets or clears whether the user must change
	// their password before doing anything else.
	MustChangePassword *bool
}

// userAdmin resolves the caller of a user administration call: an
// administrator of the tenant, or the operator's CLI, which calls with a
// context without an actor.
func (e *Engine) userAdmin(ctx context.Context, tenantID string) (Actor, store.TenantStore, *snapshot, error) {
	a, _, err := tenantAdmin(ctx, tenantID, "user.adminOnly")
	if err != nil {
		return Actor{}, nil, nil, err
	}
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		return Actor{}, nil, nil, tenantFailed(tenantID, err)
	}
	return a, ts, snap, nil
}

// CreateUser adds a user with a password and a role. For administrators
// and the operator's CLI (a context without an actor).
func (e *Engine) CreateUser(ctx context.Context, tenantID string, nu NewUser) (User, error) {
	a, ts, snap, err := e.userAdmin(ctx, tenantID)
	if err != nil {
		return User{}, err
	}
	if !identity.ValidUsername(nu.Username) {
		return User{}, errorOf(ErrBadRequest, nil, "user.badName", nu.Username)
	}
	if nu.Role == "" {
		nu.Role = AdminRole
	}
	u := User{Username: nu.Username, DisplayName: nu.DisplayName, Role: nu.Role, Manager: nu.Manager, Team: nu.Team, Active: true,
		Email: nu.Email, Mobile: nu.Mobile, MustChangePassword: nu.MustChangePassword}
	if err := checkContacts(&u); err != nil {
		return User{}, err
	}
	if err := checkUser(snap, u, nu.Password, true); err != nil {
		return User{}, err
	}
	hash, err := e.hashPassword(ctx, nu.Password)
	if err != nil {
		return User{}, err
	}
	users, w, err := e.userWriter(ctx, ts, snap, a)
	if err != nil {
		return User{}, err
	}
	now := e.stamp()
	data := userData(u)
	data["passwordHash"] = hash
	rec := store.Record{ID: u.Username, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID, Data: data}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, users, rec); err != nil {
			return err
		}
		if err := w.audit(ctx, tx, AuditPermission, users, u.Username, 1, map[string]any{"user": map[string]any{"old": nil, "new": userData(u)}}); err != nil {
			return err
		}
		return tx.BumpMetaRevision(ctx)
	})
	if errors.Is(err, store.ErrConflict) {
		return User{}, errorOf(ErrConflict, err, "user.exists", u.Username)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", u.Username, err)
	}
	u.CreatedAt = now
	return u, nil
}

// Users lists the tenant's users by user name. For administrators and
// the operator's CLI.
func (e *Engine) Users(ctx context.Context, tenantID string) ([]User, error) {
	_, _, snap, err := e.userAdmin(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := slices.Collect(maps.Values(snap.users))
	slices.SortFunc(out, func(x, y User) int {
		switch {
		case x.Username < y.Username:
			return -1
		case x.Username > y.Username:
			return 1
		}
		return 0
	})
	return out, nil
}

// UpdateUser changes a user. Deactivating a user or setting a password
// ends the user's sessions. For administrators and the operator's CLI.
func (e *Engine) UpdateUser(ctx context.Context, tenantID, username string, ch UserChange) (User, error) {
	a, ts, snap, err := e.userAdmin(ctx, tenantID)
	if err != nil {
		return User{}, err
	}
	return e.updateUser(ctx, a, ts, snap, username, ch, "")
}

// updateUser applies ch; a new password or deactivation ends every
// session of the user but keep (a session id, or "").
func (e *Engine) updateUser(ctx context.Context, a Actor, ts store.TenantStore, snap *snapshot, username string, ch UserChange, keep string) (User, error) {
	cur, ok := snap.users[username]
	if !ok {
		return User{}, errorOf(ErrNotFound, nil, "user.notFound", username)
	}
	next := cur
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.DisplayName, ch.DisplayName)
	set(&next.Role, ch.Role)
	set(&next.Manager, ch.Manager)
	set(&next.Team, ch.Team)
	set(&next.Email, ch.Email)
	set(&next.Mobile, ch.Mobile)
	if err := checkContacts(&next); err != nil {
		return User{}, err
	}
	if ch.Active != nil {
		next.Active = *ch.Active
	}
	if ch.MustChangePassword != nil {
		next.MustChangePassword = *ch.MustChangePassword
	}
	password := ""
	if ch.Password != nil {
		password = *ch.Password
	}
	checked := next
	if next.Manager == cur.Manager {
		checked.Manager = "" // an unchanged manager stays, even one who may no longer sign in
	}
	if err := checkUser(snap, checked, password, ch.Password != nil); err != nil {
		return User{}, err
	}
	if a.ID == next.ActorID() && (!next.Active || next.Role != AdminRole) && cur.Role == AdminRole {
		return User{}, errorOf(ErrBadRequest, nil, "user.notSelf")
	}
	users, w, err := e.userWriter(ctx, ts, snap, a)
	if err != nil {
		return User{}, err
	}
	endSessions := (!next.Active && cur.Active) || ch.Password != nil
	newHash := ""
	if ch.Password != nil { // outside the transaction: hashing may wait for a slot
		if newHash, err = e.hashPassword(ctx, password); err != nil {
			return User{}, err
		}
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		rec, err := tx.Get(ctx, users, username)
		if err != nil {
			return err
		}
		data := userData(next)
		data["passwordHash"] = rec.Data["passwordHash"]
		if ch.Password != nil {
			data["passwordHash"] = newHash
		}
		upd := rec
		upd.Data = data
		upd.Version, upd.UpdatedAt, upd.UpdatedBy = rec.Version+1, e.stamp(), a.ID
		if err := tx.Update(ctx, users, upd, rec.Version); err != nil {
			return err
		}
		changes := map[string]any{"user": map[string]any{"old": userData(cur), "new": userData(next)}}
		if ch.Password != nil {
			changes["password"] = map[string]any{"old": "***", "new": "***"}
		}
		if err := w.audit(ctx, tx, AuditPermission, users, username, upd.Version, changes); err != nil {
			return err
		}
		if endSessions {
			if err := e.endSessions(ctx, tx, snap, username, keep); err != nil {
				return err
			}
		}
		return tx.BumpMetaRevision(ctx)
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %q: %w", username, err)
	}
	return next, nil
}

// ChangePassword lets a signed-in user replace their own password: a
// temporary password stops being one, the session making the call goes
// on and the user's other sessions end.
func (e *Engine) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	username, ok := strings.CutPrefix(a.ID, "user:")
	if !ok {
		return errorOf(ErrBadRequest, nil, "user.notAUser")
	}
	users := snap.platform[userObject]
	if users == nil {
		return errorOf(ErrNotFound, nil, "user.notFound", username)
	}
	rec, err := ts.Get(ctx, users, username)
	if err != nil {
		return fmt.Errorf("change password of %q: %w", username, err)
	}
	// Wrong current passwords count against sign-in, so that a session
	// left open cannot be used to guess the password.
	key, now := a.TenantID+"\x00"+username, e.now()
	if e.signIns.locked(key, now) {
		return errorOf(ErrRateLimited, nil, "user.tooManyWrongPasswords")
	}
	hash, _ := rec.Data["passwordHash"].(string)
	ok, err = e.checkPassword(ctx, hash, oldPassword)
	if err != nil {
		return err
	}
	if !ok {
		e.signIns.fail(key, now)
		return errorOf(ErrBadRequest, nil, "user.wrongPassword")
	}
	if oldPassword == newPassword {
		return errorOf(ErrBadRequest, nil, "user.samePassword")
	}
	done := false
	_, err = e.updateUser(ctx, a, ts, snap, username, UserChange{Password: &newPassword, MustChangePassword: &done}, a.Session)
	return err
}

// CurrentUser returns the signed-in user making the call, or nil for an
// API key or the CLI.
func (e *Engine) CurrentUser(ctx context.Context) (*User, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, snap := sc.actor, sc.snap
	username, ok := strings.CutPrefix(a.ID, "user:")
	if !ok {
		return nil, nil
	}
	u, ok := snap.users[username]
	if !ok {
		return nil, errorOf(ErrNotFound, nil, "user.notFound", username)
	}
	return &u, nil
}

// checkUser checks a user about to be saved against the tenant's roles
// and users: the role exists, the manager is an active user, and the
// management chain has no loop.
func checkUser(snap *snapshot, u User, password string, setPassword bool) error {
	if setPassword && identity.PasswordTooLong(password) {
		return errorOf(ErrBadRequest, nil, "user.passwordTooLong", MaxPasswordBytes)
	}
	if setPassword && identity.PasswordTooShort(password) {
		return errorOf(ErrBadRequest, nil, "user.passwordTooShort", identity.MinPassword)
	}
	if _, ok := snap.roles[u.Role]; !ok && u.Role != AdminRole {
		return errorOf(ErrBadRequest, nil, "user.noRole", u.Role)
	}
	if len(u.Team) > 80 {
		return errorOf(ErrBadRequest, nil, "user.teamTooLong")
	}
	if u.Manager == "" {
		return nil
	}
	if u.Manager == u.Username {
		return errorOf(ErrBadRequest, nil, "user.ownManager")
	}
	m, ok := snap.users[u.Manager]
	if !ok || !m.Active {
		return errorOf(ErrBadRequest, nil, "user.managerNotActive", u.Manager)
	}
	if identity.ManagerLoop(u.Username, u.Manager, func(name string) string { return snap.users[name].Manager }, len(snap.users)) {
		return errorOf(ErrBadRequest, nil, "user.managerLoop", u.Manager, u.Username)
	}
	return nil
}

func userData(u User) map[string]any {
	d := map[string]any{"displayName": u.DisplayName, "role": u.Role, "active": u.Active}
	if u.Manager != "" {
		d["manager"] = u.Manager
	}
	if u.Team != "" {
		d["team"] = u.Team
	}
	if u.Email != "" {
		d["email"] = u.Email
	}
	if u.Mobile != "" {
		d["mobile"] = u.Mobile
	}
	if u.MustChangePassword {
		d["mustChangePassword"] = true
	}
	return d
}

// userWriter returns the user object and a writer for the audit trail.
func (e *Engine) userWriter(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor) (*schema.Object, *writer, error) {
	return e.platformWriter(ctx, ts, snap, a, userObject)
}

// platformWriter returns a platform object and a writer whose audit
// entries record changes to it.
func (e *Engine) platformWriter(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, name string) (*schema.Object, *writer, error) {
	obj, err := e.platformObject(ctx, ts, snap, name)
	if err != nil {
		return nil, nil, err
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return nil, nil, err
	}
	return obj, w, nil
}

// endSessions deletes every session of a user but keep ("" for none).
func (e *Engine) endSessions(ctx context.Context, tx store.Tx, snap *snapshot, username, keep string) error {
	sessions := snap.platform[sessionObject]
	if sessions == nil {
		return nil
	}
	mine := store.Leaf("user", store.OpEq, username)
	for {
		page, err := tx.Find(ctx, sessions, store.Query{Filter: &mine, Limit: 500})
		if err != nil {
			return fmt.Errorf("find sessions of %q: %w", username, err)
		}
		for _, s := range page.Records {
			if s.ID == keep {
				continue
			}
			if err := tx.Delete(ctx, sessions, s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("end session of %q: %w", username, err)
			}
		}
		if !page.HasMore {
			return nil
		}
	}
}

// loadUsers reads the tenant's users (without password hashes) into a
// snapshot, for the management hierarchy and teams.
func loadUsers(ctx context.Context, ts store.TenantStore, snap *snapshot) error {
	snap.users = map[string]User{}
	obj := snap.platform[userObject]
	if obj == nil {
		return nil
	}
	page, err := ts.Find(ctx, obj, store.Query{Sort: []store.Sort{{Field: "id"}}})
	if err != nil {
		return fmt.Errorf("load users: %w", err)
	}
	for _, r := range page.Records {
		snap.users[r.ID] = userOf(r)
	}
	return nil
}
