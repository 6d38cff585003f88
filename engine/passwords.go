package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/engine/password"
)

// Passwords are hashed and checked by package
// [github.com/crmkit/crm/engine/password] in bounded slots; past them a
// caller is refused with ErrBusy (503, "try again in a moment"). Every
// sign-in makes exactly one derivation, whether the tenant and the user
// exist, the user is deactivated or the password is wrong, so that the
// answer's timing does not tell them apart. Failed sign-ins are counted
// per tenant and user name by a throttle.

// Limits of sign-in input, checked before anything is looked up or hashed.
const (
	// MaxPasswordBytes bounds a password: argon2 reads all of it.
	MaxPasswordBytes = identity.MaxPasswordBytes
	// throttleKeys bounds how many (tenant, user name) pairs the failure
	// counter remembers; past it, the oldest are forgotten first.
	throttleKeys = 10_000
)

// ErrBusy: the server is at its limit of concurrent work of this kind
// (password hashing); the same request may succeed in a moment.
var ErrBusy = errors.New("engine: busy")

// hashPassword hashes a new password (see [password.Hasher.Hash]).
func (e *Engine) hashPassword(ctx context.Context, pw string) (string, error) {
	hash, err := e.passwords.Hash(ctx, pw)
	return hash, busyError(err)
}

// checkPassword compares pw with hash (see [password.Hasher.Check]).
func (e *Engine) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	ok, err := e.passwords.Check(ctx, hash, pw)
	return ok, busyError(err)
}

// busyError turns [password.ErrBusy] into the engine's ErrBusy.
func busyError(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return errorOf(ErrBusy, nil, "password.busy")
	}
	return err
}

// throttle counts failed sign-ins per tenant and user name. It remembers
// at most throttleKeys names and forgets each signInWindow after its last
// failure, so that failures for ever new names cannot grow it without
// bound.
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	sweep    time.Time
}

func (t *throttle) locked(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key, now)) >= signInFailures
}

// recent returns key's failures within the window, forgetting older ones.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	var kept []time.Time
	for _, at := range t.failures[key] {
		if now.Sub(at) < signInWindow {
			kept = append(kept, at)
		}
	}
	if len(kept) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = kept
	}
	return kept
}

func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[string][]time.Time{}
	}
	if _, known := t.failures[key]; !known && len(t.failures) >= throttleKeys {
		t.makeRoom(now)
	}
	list := t.recent(key, now)
	if len(list) >= signInFailures { // locked: a longer list adds nothing
		list = list[1:]
	}
	t.failures[key] = append(list, now)
}

// makeRoom forgets expired entries and, if the map is still full, the
// half whose last failure is oldest.
func (t *throttle) makeRoom(now time.Time) {
	if now.Sub(t.sweep) > time.Second {
		t.sweep = now
		for k := range t.failures {
			t.recent(k, now)
		}
	}
	if len(t.failures) < throttleKeys {
		return
	}
	last := make([]time.Time, 0, len(t.failures))
	for _, l := range t.failures {
		last = append(last, l[len(l)-1])
	}
	slices.SortFunc(last, func(a, b time.Time) int { return a.Compare(b) })
	median := last[len(last)/2]
	for k, l := range t.failures {
		if !l[len(l)-1].After(median) {
			delete(t.failures, k)
		}
	}
}

// size is the number of names remembered.
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.failures)
}
