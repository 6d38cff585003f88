// Package seal owns encryption at rest of sensitive fields
// (x-crm-sensitive): the [Sealer] that encrypts a value with AES-256-GCM
// bound to its tenant, object, field and record, and hashes searchable
// ones for equality; and the [Store] and [Tx] decorators that seal records
// on their way into a tenant's store, open them on the way out, and
// rewrite filters on sensitive fields. The engine wraps every tenant store
// it opens; it sees plain values only.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
)

// Values are encrypted under a key derived from the configured one; the
// additional data binds each ciphertext to its tenant, object, field and
// record, so it cannot be moved to another. Searchable fields also store
// an HMAC-SHA256 of the value under a second derived key in a hidden
// field, which equality filters and unique indexes use. Exports move the
// ciphertext as it is.

const sealPrefix = "enc:v1:"

// ErrNoKey: an object has sensitive fields and no encryption key is
// configured; ErrWrongKey: the configured key is not the one the data was
// encrypted with.
//
// Note: their texts keep the "engine:" prefix they had before this package
// was carved out of the engine: the command line prints them.
var (
	ErrNoKey    = errors.New("engine: no encryption key")
	ErrWrongKey = errors.New("engine: wrong encryption key")
)

// KeyError is a sensitive value that cannot be sealed or opened: the
// server has no key (Err is [ErrNoKey]) or not the one the value was
// sealed with (Err wraps [ErrWrongKey]).
type KeyError struct {
	Object        *schema.Object
	Field, Record string // of the value that did not open; empty for ErrNoKey
	Err           error
}

// NoKey is the error for sealing or opening obj's sensitive values
// without a key.
func NoKey(obj *schema.Object) *KeyError { return &KeyError{Object: obj, Err: ErrNoKey} }

func (e *KeyError) Error() string {
	if e.Err == ErrNoKey {
		return fmt.Sprintf("%s has sensitive fields and the server has no encryption key (CRM_ENCRYPTION_KEY)", e.Object.Name)
	}
	return fmt.Sprintf("cannot decrypt %s.%s of record %q: the encryption key is not the one the data was encrypted with: %v", e.Object.Name, e.Field, e.Record, e.Err)
}

// Unwrap returns ErrNoKey or the cause of the failure to open.
func (e *KeyError) Unwrap() error { return e.Err }

// Sealer encrypts, decrypts and hashes values under one key.
type Sealer struct {
	aead cipher.AEAD
	mac  []byte
}

// New derives the encryption and hashing keys from a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("engine: the encryption key must be 32 bytes, got %d", len(key))
	}
	enc, err := hkdf.Key(sha256.New, key, nil, "crm field encryption v1", 32)
	if err != nil {
		return nil, err
	}
	mac, err := hkdf.Key(sha256.New, key, nil, "crm blind index v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, mac: mac}, nil
}

// Seal encrypts v (as JSON) bound to aad (see [AAD]).
func (s *Sealer) Seal(aad string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(aad))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made with the same aad; an error wrapping
// [ErrWrongKey] means it does not open with this key.
func (s *Sealer) Open(aad, text string) (any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, sealPrefix))
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, fmt.Errorf("%w: malformed ciphertext", ErrWrongKey)
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrWrongKey
	}
	var v any
	if err := json.Unmarshal(plain, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// hash is the keyed hash equality search compares.
func (s *Sealer) hash(scope string, v any) string {
	b, _ := json.Marshal(v)
	h := hmac.New(sha256.New, s.mac)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// MatchKey is the keyed hash that stands for a duplicate rule's match key
// of a sensitive value (its own scope, so it equals no search hash): the
// key can be compared without being readable.
func (s *Sealer) MatchKey(tenant, object, rule, key string) string {
	return s.hash(hashScope(tenant, object, rule)+"\x00duplicate", key)
}

// AAD is the additional data that binds a sealed value to its place.
func AAD(tenant, object, field, id string) string {
	return tenant + "\x00" + object + "\x00" + field + "\x00" + id
}

func hashScope(tenant, object, field string) string { return tenant + "\x00" + object + "\x00" + field }

// IsSealed reports whether a stored value is one Seal made.
func IsSealed(text string) bool { return strings.HasPrefix(text, sealPrefix) }

// HasSensitive reports whether obj has a sensitive field.
func HasSensitive(obj *schema.Object) bool {
	for _, f := range obj.Fields {
		if f.Sensitive {
			return true
		}
	}
	return false
}
