// Package identity owns the formats of who a caller is: what a user name
// and a password may be, the user ids of actors (user:NAME), session
// tokens (TENANT.SECRET, stored only as a hash) with their CSRF tokens,
// API key secrets (crm_…, stored only as a hash with a short prefix to
// recognise them by), the check of a management chain for loops, and the
// user [Directory] any signed-in caller searches. It holds no state: the engine stores users, sessions and keys and turns a
// refusal into its own errors.
package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Password policy.
const (
	// MaxPasswordBytes bounds a password: argon2 reads all of it.
	MaxPasswordBytes = 1024
	// MinPassword is the shortest password, in characters.
	MinPassword = 10
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// ValidUsername reports whether name may be a user name: 2–63 lower-case
// letters, digits, '.', '_' or '-', starting with a letter or digit.
func ValidUsername(name string) bool { return usernamePattern.MatchString(name) }

// PasswordTooLong reports whether a password is over [MaxPasswordBytes].
func PasswordTooLong(password string) bool { return len(password) > MaxPasswordBytes }

// PasswordTooShort reports whether a password has fewer than
// [MinPassword] characters.
func PasswordTooShort(password string) bool {
	return utf8.RuneCountInString(password) < MinPassword
}

// ActorID is the id under which the user acts, owns records and appears
// in the audit trail.
func ActorID(username string) string { return "user:" + username }

// ManagerLoop reports whether making manager the manager of username
// closes a loop in the management chain that managerOf describes (the
// manager of a user, "" for none); users bounds the chain's length.
func ManagerLoop(username, manager string, managerOf func(string) string, users int) bool {
	for seen, cur := 0, manager; cur != ""; seen++ {
		if cur == username || seen > users {
			return true
		}
		cur = managerOf(cur)
	}
	return false
}

// NewSession returns a new session token of a tenant's user and its CSRF
// token.
func NewSession(tenantID string) (token, csrf string, err error) {
	secret, c := make([]byte, 32), make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return "", "", err
	}
	if _, err := rand.Read(c); err != nil {
		return "", "", err
	}
	return tenantID + "." + base64.RawURLEncoding.EncodeToString(secret), base64.RawURLEncoding.EncodeToString(c), nil
}

// SessionID is the id under which a session token is stored: its hash.
func SessionID(token string) string { return hexHash(token) }

// SessionTenant returns the tenant a session token names; false for a
// string that is no token.
func SessionTenant(token string) (string, bool) {
	tenantID, _, ok := strings.Cut(token, ".")
	return tenantID, ok
}

// keyPrefix starts every API key secret so that leaked keys are easy to
// find with secret scanners.
const keyPrefix = "crm_"

// NewKey returns a new API key secret and the prefix of it that lists of
// keys show.
func NewKey() (secret, shown string, err error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("create api key: %w", err)
	}
	secret = keyPrefix + hex.EncodeToString(raw)
	return secret, secret[:len(keyPrefix)+6], nil
}

// MayBeKey reports whether secret has the form of an API key secret, so
// that others are refused before anything is looked up.
func MayBeKey(secret string) bool {
	return strings.HasPrefix(secret, keyPrefix) && len(secret) <= 200
}

// KeyHash is the hash under which an API key secret is stored.
func KeyHash(secret string) string { return hexHash(secret) }

// KeyHashSize is the length of [KeyHash]'s text.
const KeyHashSize = 2 * sha256.Size

// AppendKeyHash appends [KeyHash] of secret to dst: a caller that only
// looks the hash up need not allocate it.
func AppendKeyHash(dst []byte, secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return hex.AppendEncode(dst, sum[:])
}

func hexHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
