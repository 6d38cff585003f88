package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/password"
	"github.com/crmkit/crm/store/sqlitestore"
)

// signInEngine is an engine with tenant "acme", an active user "li.lei"
// and a deactivated user "han.mei", both with the password "correct horse
// battery".
func signInEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	cfg.Store = sqlitestore.NewForTest(t)
	cfg.Logger = slog.New(slog.DiscardHandler)
	e, err := New(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	for _, u := range []string{"li.lei", "han.mei"} {
		_, err = e.CreateUser(ctx, "acme", NewUser{Username: u, Password: "correct horse battery"})
		require.NoError(t, err)
	}
	inactive := false
	_, err = e.UpdateUser(ctx, "acme", "han.mei", UserChange{Active: &inactive})
	require.NoError(t, err)
	return e
}

// Every sign-in costs exactly one password derivation, so that its timing
// does not say whether the tenant or the user exists or is deactivated;
// input that cannot be valid costs none (issue 13, item 2).
func TestSignIn_OneDerivationOnEveryPath(t *testing.T) {
	t.Parallel()
	e := signInEngine(t, Config{})
	var derivations atomic.Int32
	e.passwords = password.New(password.Config{Derive: func(p, salt []byte, n uint32) []byte {
		derivations.Add(1)
		return password.Argon2ID(p, salt, n)
	}})
	ctx := context.Background()
	scenarios := []struct {
		name, tenant, user, password string
		code                         Code
		derivations                  int32
	}{
		{"unknown tenant", "nowhere", "li.lei", "correct horse battery", CodeUnauthenticated, 1},
		{"unknown user", "acme", "nobody", "correct horse battery", CodeUnauthenticated, 1},
		{"deactivated user, right password", "acme", "han.mei", "correct horse battery", CodeUnauthenticated, 1},
		{"wrong password", "acme", "li.lei", "wrong password!", CodeUnauthenticated, 1},
		{"right password", "acme", "li.lei", "correct horse battery", "", 1},
		{"user name of 1.9 MB", "acme", strings.Repeat("a", 1900<<10), "x", CodeBadRequest, 0},
		{"user name with upper case", "acme", "Li.Lei", "x", CodeBadRequest, 0},
		{"tenant id of 1 MB", strings.Repeat("a", 1<<20), "li.lei", "x", CodeBadRequest, 0},
		{"password of 1 MB", "acme", "li.lei", strings.Repeat("p", 1<<20), CodeBadRequest, 0},
	}
	for _, s := range scenarios { // not parallel: one counter
		derivations.Store(0)
		_, err := e.SignIn(ctx, s.tenant, s.user, s.password)
		assert.Equal(t, s.code, CodeOf(err), "%s: %v", s.name, err)
		assert.Equal(t, s.derivations, derivations.Load(), s.name)
	}
}

// Password derivations run in bounded slots behind a bounded queue; past
// them a sign-in is refused at once with UNAVAILABLE, before it takes any
// memory, and a waiting one gives up when its context ends (issue 13,
// item 2). The derivation is held by the test, so nothing depends on
// speed.
func TestSignIn_HashingSlots(t *testing.T) {
	t.Parallel()
	e := signInEngine(t, Config{PasswordHashers: 1, PasswordQueue: 2, PasswordWait: time.Hour})
	hold := make(chan struct{})
	entered := make(chan struct{}, 16)
	e.passwords = password.New(password.Config{Slots: 1, Queue: 2, Wait: time.Hour, Derive: func(p, salt []byte, n uint32) []byte {
		entered <- struct{}{}
		<-hold
		return password.Argon2ID(p, salt, n)
	}})
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make(chan error, 3)
	signIn := func() {
		defer wg.Done()
		_, err := e.SignIn(ctx, "acme", "li.lei", "correct horse battery")
		results <- err
	}
	wg.Add(1)
	go signIn()
	<-entered // the one slot is taken
	wg.Add(2)
	go signIn()
	go signIn()
	require.Eventually(t, func() bool { return e.passwords.Waiting() == 2 }, time.Minute, time.Millisecond, "two wait in the queue")

	for i := range 20 {
		_, err := e.SignIn(ctx, "acme", "li.lei", "correct horse battery")
		require.ErrorIs(t, err, ErrBusy, "attempt %d beyond slot and queue", i)
		assert.Equal(t, CodeUnavailable, CodeOf(err))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := e.checkPassword(cctx, "", "")
	assert.ErrorIs(t, err, ErrBusy, "the queue is still full")

	close(hold)
	wg.Wait()
	close(results)
	for err := range results {
		assert.NoError(t, err, "the queued sign-ins ran once a slot was free")
	}
	assert.Zero(t, e.passwords.InUse())
	assert.Zero(t, e.passwords.Waiting())

	// A waiter whose context ends gives up.
	e2 := signInEngine(t, Config{PasswordHashers: 1, PasswordQueue: 1, PasswordWait: time.Hour})
	release, err := e2.passwords.Acquire(ctx)
	require.NoError(t, err)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := e2.SignIn(wctx, "acme", "li.lei", "correct horse battery"); done <- err }()
	require.Eventually(t, func() bool { return e2.passwords.Waiting() == 1 }, time.Minute, time.Millisecond)
	stop()
	assert.ErrorIs(t, <-done, context.Canceled)
	release()
}

// The failure counter remembers a bounded number of user names and
// forgets them after the window, however many names are tried (issue 13,
// item 1: 500 sign-ins with 1.9 MB names used to stay in memory for good).
func TestThrottle_Bounded(t *testing.T) {
	t.Parallel()
	var th throttle
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 * throttleKeys {
		th.fail(fmt.Sprintf("acme\x00user%d", i), start.Add(time.Duration(i)*time.Millisecond))
		require.LessOrEqual(t, th.size(), throttleKeys, "after %d names", i+1)
	}
	last := fmt.Sprintf("acme\x00user%d", 3*throttleKeys-1)
	for range signInFailures {
		th.fail(last, start.Add(time.Minute))
	}
	assert.True(t, th.locked(last, start.Add(time.Minute)), "the most recent name is kept and locked")
	assert.LessOrEqual(t, len(th.failures[last]), signInFailures, "a locked name's list does not grow")

	later := start.Add(signInWindow + 2*time.Minute)
	assert.False(t, th.locked(last, later), "unlocked after the window")
	th.fail("acme\x00fresh", later)
	th.mu.Lock()
	th.makeRoom(later)
	th.mu.Unlock()
	assert.Equal(t, 1, th.size(), "everything older than the window is forgotten")
}
