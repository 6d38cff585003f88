package engine_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// twoServers returns two engines over one store, as two servers on one
// database, and an admin context of the tenant "acme" with the user
// li.lei. With shared set, the store has shared counters and leases (as
// MongoDB has); without, each engine counts alone.
func twoServers(t *testing.T, shared bool) (a, b *engine.Engine, st *testkit.Shared) {
	t.Helper()
	var base store.Store = sqlitestore.NewForTest(t)
	st = testkit.NewShared(base)
	var s store.Store = base
	if shared {
		s = st
	}
	open := func() *engine.Engine {
		e, err := engine.New(engine.Config{Store: s, Logger: slog.New(slog.DiscardHandler), ExportDir: t.TempDir()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = e.Close() })
		return e
	}
	a, b = open(), open()
	ctx := context.Background()
	_, err := a.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	_, err = a.CreateUser(engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:admin", Admin: true}), "acme",
		engine.NewUser{Username: "li.lei", Password: "correct horse battery"})
	require.NoError(t, err)
	return a, b, st
}

// Five failed sign-ins of a user lock its sign-in on every server when
// the store shares counters (issue 21); each server alone would let the
// right password in after three failures here and two there.
func TestSignIn_ThrottleAcrossServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fail := func(e *engine.Engine, n int) {
		for range n {
			_, err := e.SignIn(ctx, "acme", "li.lei", "wrong password!!")
			require.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
		}
	}
	t.Run("shared", func(t *testing.T) {
		t.Parallel()
		a, b, _ := twoServers(t, true)
		fail(a, 3)
		fail(b, 2)
		for _, e := range []*engine.Engine{a, b} {
			_, err := e.SignIn(ctx, "acme", "li.lei", "correct horse battery")
			assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "locked on both servers")
		}
	})
	t.Run("each server alone", func(t *testing.T) {
		t.Parallel()
		a, b, _ := twoServers(t, false)
		fail(a, 3)
		fail(b, 2)
		_, err := b.SignIn(ctx, "acme", "li.lei", "correct horse battery")
		require.NoError(t, err, "without shared counters each server counts its own failures")
	})
	t.Run("the store does not answer", func(t *testing.T) {
		t.Parallel()
		a, _, st := twoServers(t, true)
		st.Fail(true)
		fail(a, 5)
		_, err := a.SignIn(ctx, "acme", "li.lei", "correct horse battery")
		assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "the server counts in its own memory meanwhile")
		st.Fail(false)
		_, err = a.SignIn(ctx, "acme", "li.lei", "correct horse battery")
		require.NoError(t, err, "the shared count, which saw none of them, decides again")
	})
}
