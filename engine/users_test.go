package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestUsers_SignInSessionsAndThrottling(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.AsActor("key:1"), testkit.WithClock(clk))
	eng, ctx, admin := tn.Engine, tn.Background, tn.Admin
	var err error
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true}}}))

	_, err = eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "short", Role: "sales"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a short password")
	_, err = eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "correct horse battery", Role: "ghost"})
	assert.ErrorContains(t, err, `no role "ghost"`)
	u, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "correct horse battery", Role: "sales"})
	require.NoError(t, err)
	assert.Equal(t, "sales", u.Role)
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "han.mei", DisplayName: "韩梅", Password: "another good password", Role: ""})
	require.NoError(t, err, "an administrator adds an administrator")
	_, err = eng.CreateUser(engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "u", Role: "sales"}), "acme", engine.NewUser{Username: "x1", DisplayName: "", Password: "another good password", Role: ""})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	s, err := eng.SignIn(ctx, "acme", "li.lei", "correct horse battery")
	require.NoError(t, err)
	a, csrf, err := eng.AuthenticateSession(ctx, s.Token)
	require.NoError(t, err)
	assert.Equal(t, engine.Actor{TenantID: "acme", ID: "user:li.lei", Role: "sales", Session: a.Session}, a)
	assert.Equal(t, s.CSRF, csrf)
	assert.Equal(t, "acme", s.Tenant)
	info, err := eng.SessionOf(ctx, s.Token)
	require.NoError(t, err, "a reloaded page asks who is signed in")
	assert.Equal(t, engine.Session{CSRF: s.CSRF, Tenant: "acme", User: s.User, ExpiresAt: s.ExpiresAt}, *info, "everything but the token")
	_, err = eng.SessionOf(ctx, s.Token+"x")
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	s2, err := eng.SignIn(ctx, "acme", "han.mei", "another good password")
	require.NoError(t, err)
	a2, _, err := eng.AuthenticateSession(ctx, s2.Token)
	require.NoError(t, err)
	assert.True(t, a2.Admin)

	_, err = eng.SignIn(ctx, "acme", "li.lei", "wrong password!")
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	_, err = eng.SignIn(ctx, "acme", "nobody", "wrong password!")
	assert.Equal(t, "wrong user name or password", engine.PublicMessage(err, "en"), "a missing user looks like a wrong password")
	for range 4 {
		_, _ = eng.SignIn(ctx, "acme", "li.lei", "wrong password!")
	}
	_, err = eng.SignIn(ctx, "acme", "li.lei", "correct horse battery")
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "locked after five failures")
	clk.Advance(16 * time.Minute)
	_, err = eng.SignIn(ctx, "acme", "li.lei", "correct horse battery")
	require.NoError(t, err, "unlocked after fifteen minutes")

	require.NoError(t, eng.SignOut(ctx, s.Token))
	_, _, err = eng.AuthenticateSession(ctx, s.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "signed out")
	clk.Advance(engine.SessionTTL)
	_, _, err = eng.AuthenticateSession(ctx, s2.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "expired")
	_, _, err = eng.AuthenticateSession(ctx, "other.forged")
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
}

func TestUsers_Administration(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.AsActor("key:1"))
	eng, ctx, admin := tn.Engine, tn.Background, tn.Admin
	var err error
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true}}}))
	pw := "correct horse battery"
	for _, nu := range []engine.NewUser{
		{Username: "boss", DisplayName: "王总", Password: pw, Role: "sales"},
		{Username: "lead", DisplayName: "张经理", Password: pw, Role: "sales", Manager: "boss", Team: "east"},
		{Username: "rep", DisplayName: "李雷", Password: pw, Role: "sales", Manager: "lead", Team: "east"},
	} {
		_, err := eng.CreateUser(admin, "acme", nu)
		require.NoError(t, err, nu.Username)
	}
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "x2", Password: pw, Role: "sales", Manager: "nobody"})
	assert.ErrorContains(t, err, `the manager "nobody" is not an active user`)
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "rep", Password: pw, Role: "sales"})
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	_, err = eng.CreateUser(engine.WithActor(ctx, engine.Actor{TenantID: "other", ID: "key:9", Admin: true}), "acme", engine.NewUser{Username: "x3", Password: pw})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "another tenant's administrator")

	users, err := eng.Users(admin, "acme")
	require.NoError(t, err)
	require.Len(t, users, 3)
	assert.Equal(t, []string{"boss", "lead", "rep"}, []string{users[0].Username, users[1].Username, users[2].Username})
	assert.Equal(t, "lead", users[2].Manager)
	assert.Equal(t, "east", users[2].Team)
	_, err = eng.Users(engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:rep", Role: "sales"}), "acme")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	boss := "rep"
	_, err = eng.UpdateUser(admin, "acme", "boss", engine.UserChange{Manager: &boss})
	assert.ErrorContains(t, err, "would close a loop", "boss → rep → lead → boss")
	self := "lead"
	_, err = eng.UpdateUser(admin, "acme", "lead", engine.UserChange{Manager: &self})
	assert.ErrorContains(t, err, "own manager")
	ghost := "ghost"
	_, err = eng.UpdateUser(admin, "acme", "rep", engine.UserChange{Role: &ghost})
	assert.ErrorContains(t, err, `no role "ghost"`)
	_, err = eng.UpdateUser(admin, "acme", "nobody", engine.UserChange{Role: &ghost})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	// A new password and deactivation end the user's sessions.
	s1, err := eng.SignIn(ctx, "acme", "rep", pw)
	require.NoError(t, err)
	newPw := "a brand new password"
	_, err = eng.UpdateUser(admin, "acme", "rep", engine.UserChange{Password: &newPw})
	require.NoError(t, err)
	_, _, err = eng.AuthenticateSession(ctx, s1.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "the password was reset")
	_, err = eng.SignIn(ctx, "acme", "rep", pw)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "the old password no longer works")
	s2, err := eng.SignIn(ctx, "acme", "rep", newPw)
	require.NoError(t, err)
	off := false
	_, err = eng.UpdateUser(admin, "acme", "rep", engine.UserChange{Active: &off})
	require.NoError(t, err)
	_, _, err = eng.AuthenticateSession(ctx, s2.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "deactivated")
	_, err = eng.SignIn(ctx, "acme", "rep", newPw)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "a deactivated user cannot sign in")
	on := true
	_, err = eng.UpdateUser(admin, "acme", "rep", engine.UserChange{Active: &on})
	require.NoError(t, err)

	// A user changes their own password with the current one.
	s3, err := eng.SignIn(ctx, "acme", "rep", newPw)
	require.NoError(t, err)
	repActor, _, err := eng.AuthenticateSession(ctx, s3.Token)
	require.NoError(t, err)
	rep := engine.WithActor(ctx, repActor)
	assert.ErrorContains(t, eng.ChangePassword(rep, "wrong password!", "yet another password"), "current password is wrong")
	require.NoError(t, eng.ChangePassword(rep, newPw, "yet another password"))
	_, err = eng.SignIn(ctx, "acme", "rep", "yet another password")
	require.NoError(t, err)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(eng.ChangePassword(admin, "x", "yet another password")), "an API key has no password")

	// An administrator may not lock themselves out.
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "root", Password: pw})
	require.NoError(t, err)
	sales := "sales"
	_, err = eng.UpdateUser(engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:root", Admin: true}), "acme", "root", engine.UserChange{Role: &sales})
	assert.ErrorContains(t, err, "may not demote or deactivate themselves")

	entries, _, err := eng.Audit(admin, engine.AuditQuery{Action: engine.AuditPermission, First: 50})
	require.NoError(t, err)
	var userChanges int
	for _, e := range entries {
		if e.Object == "crmUser" {
			userChanges++
			assert.NotContains(t, fmt.Sprint(e.Changes), "argon2id", "no password hash in the audit trail")
		}
	}
	assert.Equal(t, 8, userChanges, "4 users added (boss, lead, rep, root) and 4 changes (password, off, on, own password)")
}

// TestUsers_TemporaryPassword: a password an administrator set can be
// temporary; the session's actor says so, and the user's own change lifts
// it, keeps the session making the change and ends the others.
func TestUsers_TemporaryPassword(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.AsActor("key:1"))
	eng, ctx, admin := tn.Engine, tn.Background, tn.Admin
	var err error
	temp := "temporary password 1"
	u, err := eng.CreateUser(admin, "acme", engine.NewUser{Username: "wang", DisplayName: "王芳", Password: temp, MustChangePassword: true})
	require.NoError(t, err)
	assert.True(t, u.MustChangePassword)

	s1, err := eng.SignIn(ctx, "acme", "wang", temp)
	require.NoError(t, err)
	assert.True(t, s1.User.MustChangePassword, "the sign-in answer says so")
	s2, err := eng.SignIn(ctx, "acme", "wang", temp)
	require.NoError(t, err)
	a1, _, err := eng.AuthenticateSession(ctx, s1.Token)
	require.NoError(t, err)
	assert.True(t, a1.MustChangePassword)
	assert.NotEmpty(t, a1.Session)
	assert.NotContains(t, a1.Session, s1.Token, "the actor carries the session's id, not its secret")
	me, err := eng.CurrentUser(engine.WithActor(ctx, a1))
	require.NoError(t, err)
	assert.Equal(t, "王芳", me.DisplayName)
	none, err := eng.CurrentUser(admin)
	require.NoError(t, err)
	assert.Nil(t, none, "an API key is no user")

	user := engine.WithActor(ctx, a1)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(eng.ChangePassword(user, temp, temp)), "the same password again")
	require.NoError(t, eng.ChangePassword(user, temp, "my own password 2"))
	a1, _, err = eng.AuthenticateSession(ctx, s1.Token)
	require.NoError(t, err, "the session that changed the password goes on")
	assert.False(t, a1.MustChangePassword, "no longer temporary")
	_, _, err = eng.AuthenticateSession(ctx, s2.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "the other session ended")
	users, err := eng.Users(admin, "acme")
	require.NoError(t, err)
	assert.False(t, users[0].MustChangePassword)

	// An administrator resets the password as a temporary one.
	temp2 := "temporary password 3"
	on := true
	u, err = eng.UpdateUser(admin, "acme", "wang", engine.UserChange{Password: &temp2, MustChangePassword: &on})
	require.NoError(t, err)
	assert.True(t, u.MustChangePassword)
	_, _, err = eng.AuthenticateSession(ctx, s1.Token)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "a reset ends every session")
	s3, err := eng.SignIn(ctx, "acme", "wang", temp2)
	require.NoError(t, err)
	assert.True(t, s3.User.MustChangePassword)

	// Wrong current passwords count like failed sign-ins.
	a3, _, err := eng.AuthenticateSession(ctx, s3.Token)
	require.NoError(t, err)
	for range 5 {
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(eng.ChangePassword(engine.WithActor(ctx, a3), "guess guess guess", "whatever it is 4")))
	}
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(eng.ChangePassword(engine.WithActor(ctx, a3), temp2, "whatever it is 4")), "locked after five wrong guesses")
}

func TestUsers_Directory(t *testing.T) {
	t.Parallel()
	eng, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ctx := context.Background()
	for _, tenant := range []string{"acme", "other"} {
		_, err = eng.CreateTenant(ctx, tenant, "")
		require.NoError(t, err)
	}
	admin := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "key:1", Admin: true})
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{}}))
	pw := "correct horse battery"
	for _, nu := range []engine.NewUser{
		{Username: "zhang.wei", DisplayName: "张伟", Password: pw, Role: "sales", Team: "east"},
		{Username: "li.lei", DisplayName: "李雷", Password: pw, Role: "sales", Team: "east"},
		{Username: "wang.fang", DisplayName: "王芳", Password: pw, Role: "sales"},
		{Username: "aqiang", DisplayName: "阿强", Password: pw},
		{Username: "bob", Password: pw, Role: "sales"},
		{Username: "gone", DisplayName: "离职员工", Password: pw, Role: "sales"},
	} {
		_, err := eng.CreateUser(admin, "acme", nu)
		require.NoError(t, err)
	}
	_, err = eng.CreateUser(ctx, "other", engine.NewUser{Username: "stranger", DisplayName: "外人", Password: pw})
	require.NoError(t, err)
	off := false
	_, err = eng.UpdateUser(admin, "acme", "gone", engine.UserChange{Active: &off})
	require.NoError(t, err)

	rep := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li.lei", Role: "sales"})
	names := func(es []engine.DirectoryEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Username)
		}
		return out
	}
	scenarios := []struct {
		name     string
		search   string
		first    int
		expected []string
	}{
		{"everyone active: Latin names first, Chinese ones in pinyin order", "", 0, []string{"bob", "aqiang", "li.lei", "wang.fang", "zhang.wei"}},
		{"a user name, any case", "LI.L", 0, []string{"li.lei"}},
		{"a display name", "王", 0, []string{"wang.fang"}},
		{"a part of several", "a", 0, []string{"aqiang", "wang.fang", "zhang.wei"}},
		{"the first few", "", 2, []string{"bob", "aqiang"}},
		{"no one", "nobody", 0, nil},
		{"a deactivated user is not listed", "gone", 0, nil},
		{"nor another tenant's", "stranger", 0, nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got, err := eng.UserDirectory(rep, s.search, s.first)
			require.NoError(t, err)
			assert.Equal(t, s.expected, names(got))
		})
	}
	all, err := eng.UserDirectory(admin, "", 100)
	require.NoError(t, err)
	assert.Equal(t, engine.DirectoryEntry{Username: "bob", DisplayName: "bob"}, all[0], "a user without a display name shows the user name")
	assert.Equal(t, engine.DirectoryEntry{Username: "li.lei", DisplayName: "李雷", Team: "east"}, all[2])
	for _, first := range []int{-1, 101} {
		_, err = eng.UserDirectory(rep, "", first)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "first %d", first)
	}
	_, err = eng.UserDirectory(rep, strings.Repeat("长", 101), 0)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.UserDirectory(ctx, "", 0)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))

	name := "李磊"
	_, err = eng.UpdateUser(admin, "acme", "li.lei", engine.UserChange{DisplayName: &name})
	require.NoError(t, err)
	got, err := eng.UserDirectory(rep, "磊", 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"li.lei"}, names(got), "a change shows on the next call")
}
