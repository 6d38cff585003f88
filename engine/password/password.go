// Package password hashes and checks passwords with argon2id, the
// costliest thing an unauthenticated caller can make the server do: one
// derivation takes 19 MiB and about 20 ms of a core. Without a cap, 192
// concurrent sign-ins for unknown users took the process to 5.4 GB and
// another tenant's p95 to 5.5 s. So derivations run in a fixed number of
// slots; a caller waits for a slot a bounded time and only behind a
// bounded queue, and is otherwise refused with [ErrBusy] before any memory
// is taken. Checking against a missing or malformed hash costs one
// derivation too, so that its timing tells nothing.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// ErrBusy: every slot is taken and the queue is full, or the wait for a
// slot ran out; the same call may succeed in a moment.
var ErrBusy = errors.New("password: busy")

// argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Config sizes a [Hasher].
type Config struct {
	// Slots is how many derivations run at once. If zero, one per core
	// (GOMAXPROCS).
	Slots int
	// Queue is how many callers may wait for a slot; more are refused at
	// once with [ErrBusy]. If zero, 8 per slot.
	Queue int
	// Wait is how long a caller waits for a slot before [ErrBusy]. If
	// zero, 3 seconds.
	Wait time.Duration
	// Derive replaces argon2id (overridable in tests, to count or hold
	// derivations). If nil, argon2id.
	Derive func(password, salt []byte, keyLen uint32) []byte
}

// Argon2ID derives keyLen bytes from password and salt with the
// parameters every hash uses; it is [Config].Derive's default.
func Argon2ID(password, salt []byte, keyLen uint32) []byte {
	return argon2.IDKey(password, salt, argonTime, argonMemory, argonThreads, keyLen)
}

// Hasher hashes and checks passwords with argon2id in bounded slots.
type Hasher struct {
	slots   chan struct{}
	waiting chan struct{}
	wait    time.Duration
	derive  func(password, salt []byte, keyLen uint32) []byte
	// dummy is a hash of a random secret, checked in place of a missing
	// or unusable one so that every sign-in costs the same.
	dummy string
}

// New returns a Hasher sized by cfg.
func New(cfg Config) *Hasher {
	slots, queue, wait := cfg.Slots, cfg.Queue, cfg.Wait
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0))
	}
	if queue <= 0 {
		queue = 8 * slots
	}
	if wait <= 0 {
		wait = 3 * time.Second
	}
	h := &Hasher{slots: make(chan struct{}, slots), waiting: make(chan struct{}, queue), wait: wait, derive: cfg.Derive}
	if h.derive == nil {
		h.derive = Argon2ID
	}
	secret, salt := make([]byte, 32), make([]byte, 16)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(salt)
	h.dummy = encodeHash(salt, argon2.IDKey(secret, salt, argonTime, argonMemory, argonThreads, argonKeyLen))
	return h
}

func encodeHash(salt, sum []byte) string {
	return "argon2id$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(sum)
}

// Acquire takes a slot, as Hash and Check do, waiting behind at most the
// queue's length for at most Config.Wait (or until ctx ends); past them
// it returns [ErrBusy]. The caller calls release when done.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	default:
	}
	select {
	case h.waiting <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-h.waiting }()
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to check a password: %w", ctx.Err())
	}
}

// Hash derives a new password hash in a slot.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.Acquire(ctx)
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

// Check compares password with hash in a slot. A missing or malformed hash
// is compared with a dummy, so that it costs one derivation too, and
// never matches.
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	release, err := h.Acquire(ctx)
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

// Waiting is how many callers wait for a slot.
func (h *Hasher) Waiting() int { return len(h.waiting) }

// InUse is how many slots are taken.
func (h *Hasher) InUse() int { return len(h.slots) }

// Valid reports whether hash is one Hash makes.
func Valid(hash string) bool {
	_, _, ok := decodeHash(hash)
	return ok
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
