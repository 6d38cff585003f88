package engine

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Password hashing is the costliest thing an unauthenticated caller can
// make the server do: one argon2id derivation takes 19 MiB and about 20 ms
// of a core. Without a cap, 192 concurrent sign-ins for unknown users took
// the process to 5.4 GB and another tenant's p95 to 5.5 s. So derivations
// run in a fixed number of slots (one per core by default); a caller waits
// for a slot at most passwordWait and only behind a bounded queue, and is
// otherwise refused with ErrBusy (503, "try again in a moment") before any
// memory is taken. Every sign-in makes exactly one derivation, whether the
// tenant and the user exist, the user is deactivated or the password is
// wrong, so that the answer's timing does not tell them apart.

// Limits of sign-in input, checked before anything is looked up or hashed.
const (
	// MaxPasswordBytes bounds a password: argon2 reads all of it.
	MaxPasswordBytes = 1024
	// throttleKeys bounds how many (tenant, user name) pairs the failure
	// counter remembers; past it, the oldest are forgotten first.
	throttleKeys = 10_000
)

// ErrBusy: the server is at its limit of concurrent work of this kind
// (password hashing); the same request may succeed in a moment.
var ErrBusy = errors.New("engine: busy")

// argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// hasher runs password derivations in bounded slots.
type hasher struct {
	slots   chan struct{}
	waiting chan struct{}
	wait    time.Duration
	// derive is argon2id; tests count or block it.
	derive func(password, salt []byte, keyLen uint32) []byte
	// dummy is a hash of a random secret, checked in place of a missing
	// or unusable one so that every sign-in costs the same.
	dummy string
}

func newHasher(slots, queue int, wait time.Duration) *hasher {
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0))
	}
	if queue <= 0 {
		queue = 8 * slots
	}
	if wait <= 0 {
		wait = 3 * time.Second
	}
	h := &hasher{slots: make(chan struct{}, slots), waiting: make(chan struct{}, queue), wait: wait,
		derive: func(password, salt []byte, keyLen uint32) []byte {
			return argon2.IDKey(password, salt, argonTime, argonMemory, argonThreads, keyLen)
		}}
	secret, salt := make([]byte, 32), make([]byte, 16)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(salt)
	h.dummy = encodeHash(salt, argon2.IDKey(secret, salt, argonTime, argonMemory, argonThreads, argonKeyLen))
	return h
}

func encodeHash(salt, sum []byte) string {
	return "argon2id$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(sum)
}

func busy() error {
	return newError(ErrBusy, "the server is busy checking other passwords; try again in a moment",
		"服务器正忙于校验其他密码，请稍后再试", nil)
}

// acquire takes a slot, waiting behind at most the queue's length for at
// most h.wait (or until ctx ends).
func (h *hasher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	default:
	}
	select {
	case h.waiting <- struct{}{}:
	default:
		return nil, busy()
	}
	defer func() { <-h.waiting }()
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, busy()
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to check a password: %w", ctx.Err())
	}
}

// hash derives a new password hash in a slot.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return encodeHash(salt, h.derive([]byte(password), salt, argonKeyLen)), nil
}

// check compares password with hash in a slot. A missing or malformed hash
// is compared with the dummy, so that it costs one derivation too, and
// never matches.
func (h *hasher) check(ctx context.Context, hash, password string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	salt, want, ok := decodeHash(hash)
	if !ok {
		salt, want, _ = decodeHash(h.dummy)
	}
	got := h.derive([]byte(password), salt, uint32(len(want)))
	return ok && subtle.ConstantTimeCompare(got, want) == 1, nil
}

func decodeHash(hash string) (salt, sum []byte, ok bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 || parts[0] != "argon2id" {
		return nil, nil, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	sum, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(sum) != argonKeyLen {
		return nil, nil, false
	}
	return salt, sum, true
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
