package engine_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestUsers_SignInSessionsAndThrottling(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	eng, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler), Now: clk.Now})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = eng.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	admin := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "key:1", Admin: true})
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true}}}))

	_, err = eng.CreateUser(ctx, "acme", "li.lei", "李雷", "short", "sales")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a short password")
	_, err = eng.CreateUser(ctx, "acme", "li.lei", "李雷", "correct horse battery", "ghost")
	assert.ErrorContains(t, err, `no role "ghost"`)
	u, err := eng.CreateUser(ctx, "acme", "li.lei", "李雷", "correct horse battery", "sales")
	require.NoError(t, err)
	assert.Equal(t, "sales", u.Role)
	_, err = eng.CreateUser(admin, "acme", "han.mei", "韩梅", "another good password", "")
	require.NoError(t, err, "an administrator adds an administrator")
	_, err = eng.CreateUser(engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "u", Role: "sales"}), "acme", "x1", "", "another good password", "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	s, err := eng.SignIn(ctx, "acme", "li.lei", "correct horse battery")
	require.NoError(t, err)
	a, csrf, err := eng.AuthenticateSession(ctx, s.Token)
	require.NoError(t, err)
	assert.Equal(t, engine.Actor{TenantID: "acme", ID: "user:li.lei", Role: "sales"}, a)
	assert.Equal(t, s.CSRF, csrf)
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
