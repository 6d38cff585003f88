package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// CreateAPIKey creates an API key for a tenant and returns its secret,
// which is not stored and cannot be shown again. Keys act as tenant
// administrators until roles exist.
func (e *Engine) CreateAPIKey(ctx context.Context, tenantID, name string) (string, store.APIKey, error) {
	return e.CreateExpiringAPIKey(ctx, tenantID, name, time.Time{})
}

// CreateExpiringAPIKey is CreateAPIKey for a key that stops working at
// expiresAt (zero: never), such as one given to an integration partner.
func (e *Engine) CreateExpiringAPIKey(ctx context.Context, tenantID, name string, expiresAt time.Time) (string, store.APIKey, error) {
	return e.CreateRoleAPIKey(ctx, tenantID, name, "", expiresAt)
}

// API keys live in the system store, beside the tenants. Administrators
// of the tenant manage them through the API, and who created or revoked
// which key is in the tenant's audit trail (action permission, object
// apiKey). The operator's CLI calls with a context without an actor; it
// runs on the server with the data directory at hand and leaves no entry,
// so that `crm tenant create`, `crm apikey create` and `crm import` still
// find the tenant empty.

// apiKeyObject names API keys in the audit trail.
const apiKeyObject = "apiKey"

// keyAdmin resolves the caller of an API key call: an administrator of
// the tenant (byActor), or the operator's CLI (a context without an actor).
func (e *Engine) keyAdmin(ctx context.Context, tenantID string) (a Actor, byActor bool, ts store.TenantStore, snap *snapshot, err error) {
	if a, byActor, err = tenantAdmin(ctx, tenantID, "apiKey.adminOnly"); err != nil {
		return Actor{}, false, nil, nil, err
	}
	ts, snap, err = e.tenantScope(ctx, tenantID)
	if err != nil {
		return Actor{}, false, nil, nil, tenantFailed(tenantID, err)
	}
	return a, byActor, ts, snap, nil
}

// auditKey appends the audit entry of an administrator's change to an API
// key.
func (e *Engine) auditKey(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, id string, changes map[string]any) error {
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return err
	}
	return ts.WithTx(ctx, func(tx store.Tx) error {
		return w.auditAs(ctx, tx, AuditPermission, apiKeyObject, id, 0, changes)
	})
}

// keyData is what the audit trail keeps of a key: never its secret or
// hash.
func keyData(k store.APIKey) map[string]any {
	out := map[string]any{"name": k.Name, "prefix": k.Prefix, "role": k.Role}
	if !k.ExpiresAt.IsZero() {
		out["expiresAt"] = k.ExpiresAt.UTC().Format(schema.DateTimeLayout)
	}
	return out
}

// CreateRoleAPIKey is CreateExpiringAPIKey for a key that acts with a role
// of the tenant ("" for an administrator's key). For administrators of
// the tenant (audited; when the audit entry cannot be written, the key is
// revoked at once and the error returned) and the operator's CLI.
func (e *Engine) CreateRoleAPIKey(ctx context.Context, tenantID, name, role string, expiresAt time.Time) (string, store.APIKey, error) {
	a, byAdmin, ts, snap, err := e.keyAdmin(ctx, tenantID)
	if err != nil {
		return "", store.APIKey{}, err
	}
	if role != "" {
		if _, ok := snap.roles[role]; !ok {
			return "", store.APIKey{}, errorOf(ErrBadRequest, nil, "apiKey.noRole", tenantID, role)
		}
	}
	if len(name) > maxKeyName {
		return "", store.APIKey{}, errorOf(ErrBadRequest, nil, "apiKey.longName", maxKeyName)
	}
	if !expiresAt.IsZero() && !expiresAt.After(e.stamp()) {
		return "", store.APIKey{}, errorOf(ErrBadRequest, nil, "apiKey.expiryFuture")
	}
	secret, shown, err := identity.NewKey()
	if err != nil {
		return "", store.APIKey{}, err
	}
	if name == "" {
		name = "default"
	}
	k := store.APIKey{
		ID:        e.newID(),
		TenantID:  tenantID,
		Name:      name,
		Hash:      identity.KeyHash(secret),
		Prefix:    shown,
		CreatedAt: e.stamp(),
		Role:      role,
	}
	if !expiresAt.IsZero() {
		k.ExpiresAt = expiresAt.UTC().Truncate(time.Microsecond)
	}
	err = e.store.CreateAPIKey(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return "", store.APIKey{}, errorOf(ErrNotFound, err, "tenant.notFound", tenantID)
	}
	if err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key for tenant %q: %w", tenantID, err)
	}
	if !byAdmin {
		return secret, k, nil
	}
	if err := e.auditKey(ctx, ts, snap, a, k.ID, map[string]any{"key": map[string]any{"old": nil, "new": keyData(k)}}); err != nil {
		rerr := e.store.RevokeAPIKey(context.WithoutCancel(ctx), tenantID, k.ID, e.stamp())
		e.keys.forgetKey(tenantID, k.ID)
		if rerr != nil {
			err = errors.Join(err, rerr)
		}
		return "", store.APIKey{}, fmt.Errorf("create api key for tenant %q: audit: %w", tenantID, err)
	}
	return secret, k, nil
}

// maxKeyName bounds the name of an API key, in bytes.
const maxKeyName = 200

// APIKeys lists a tenant's keys (without secrets), oldest first. For
// administrators of the tenant and the operator's CLI.
func (e *Engine) APIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error) {
	if _, _, err := tenantAdmin(ctx, tenantID, "apiKey.adminOnly"); err != nil {
		return nil, err
	}
	ks, err := e.store.ListAPIKeys(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, err)
	}
	return ks, nil
}

// RevokeAPIKey revokes a key at once: the next request with it is refused.
// Revoking a revoked key keeps its first revocation. For administrators of
// the tenant (audited) and the operator's CLI.
func (e *Engine) RevokeAPIKey(ctx context.Context, tenantID, keyID string) (store.APIKey, error) {
	a, byAdmin, ts, snap, err := e.keyAdmin(ctx, tenantID)
	if err != nil {
		return store.APIKey{}, err
	}
	keys, err := e.store.ListAPIKeys(ctx, tenantID)
	if err != nil {
		return store.APIKey{}, fmt.Errorf("revoke api key %q: %w", keyID, err)
	}
	i := slices.IndexFunc(keys, func(k store.APIKey) bool { return k.ID == keyID })
	if i < 0 {
		return store.APIKey{}, errorOf(ErrNotFound, nil, "apiKey.notFound", tenantID, keyID)
	}
	k := keys[i]
	if !k.RevokedAt.IsZero() {
		return k, nil
	}
	k.RevokedAt = e.stamp()
	err = e.store.RevokeAPIKey(ctx, tenantID, keyID, k.RevokedAt)
	e.keys.forgetKey(tenantID, keyID)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, errorOf(ErrNotFound, err, "apiKey.notFound", tenantID, keyID)
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("revoke api key %q: %w", keyID, err)
	}
	if !byAdmin {
		return k, nil
	}
	at := k.RevokedAt.UTC().Format(schema.DateTimeLayout)
	if err := e.auditKey(ctx, ts, snap, a, keyID, map[string]any{"revokedAt": map[string]any{"old": nil, "new": at}}); err != nil {
		return store.APIKey{}, fmt.Errorf("revoke api key %q: audit: %w", keyID, err)
	}
	return k, nil
}

// Authenticate resolves an API key secret to the actor it stands for.
// Unknown, malformed, revoked and expired keys all give the same
// UNAUTHENTICATED error. A key found valid is remembered (by its hash,
// never its secret; see keyCache) and read from the store again after
// APIKeyRecheck.
func (e *Engine) Authenticate(ctx context.Context, secret string) (Actor, error) {
	// denied is made only for a refusal: building the error was a
	// percent of a get by id's CPU on every accepted key.
	denied := func() error { return errorOf(ErrUnauthenticated, nil, "apiKey.invalid") }
	if !identity.MayBeKey(secret) {
		return Actor{}, denied()
	}
	// The hash is made on the stack; a kept key is found without making
	// it a string.
	var hashBuf [identity.KeyHashSize]byte
	hashText := identity.AppendKeyHash(hashBuf[:0], secret)
	now := e.now()
	k, fresh, gen := e.keys.lookup(hashText, now)
	if !fresh {
		hash := string(hashText)
		var err error
		k, err = e.store.APIKeyByHash(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			e.keys.drop(hash)
			return Actor{}, denied()
		}
		if err != nil {
			return Actor{}, fmt.Errorf("authenticate api key: %w", err)
		}
		if k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt)) {
			e.keys.keep(hash, k, now, gen)
		}
	}
	if !k.RevokedAt.IsZero() || !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt) {
		e.keys.drop(string(hashText))
		return Actor{}, denied()
	}
	return Actor{TenantID: k.TenantID, ID: "key:" + k.ID, Admin: k.Role == "", Role: k.Role}, nil
}

// APIKeyRecheck is how long a verified API key is taken from memory before
// it is read from the store again. A key revoked through this process
// stops at once; one revoked by another server sharing the store (or in
// the store directly) stops within APIKeyRecheck. Expiry is checked on every
// request.
const APIKeyRecheck = 5 * time.Second

// maxCachedKeys bounds the keys kept in memory; beyond it an arbitrary
// one is dropped (and read again on its next use).
const maxCachedKeys = 10_000

// keyCache remembers API keys found valid, by the hash of their secret,
// so that a request need not read its key from the store. Only keys that
// authenticated are kept: unknown secrets are never cached. The zero
// value is ready to use.
type keyCache struct {
	mu     sync.Mutex
	byHash map[string]cachedKey
	// gen counts forgets: a key read from the store before a revocation
	// is not kept after it.
	gen uint64
}

type cachedKey struct {
	key     store.APIKey // without its hash
	checked time.Time
}

// lookup returns the cached key of hash when it was read from the store
// less than APIKeyRecheck before now; otherwise fresh is false and gen is
// the generation to hand to keep.
func (c *keyCache) lookup(hash []byte, now time.Time) (k store.APIKey, fresh bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ck, ok := c.byHash[string(hash)]
	if ok && !now.Before(ck.checked) && now.Sub(ck.checked) < APIKeyRecheck {
		return ck.key, true, c.gen
	}
	return store.APIKey{}, false, c.gen
}

// keep remembers a key read from the store at now, unless a key was
// forgotten since gen.
func (c *keyCache) keep(hash string, k store.APIKey, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.byHash == nil {
		c.byHash = map[string]cachedKey{}
	}
	if _, ok := c.byHash[hash]; !ok && len(c.byHash) >= maxCachedKeys {
		for h := range c.byHash {
			delete(c.byHash, h)
			break
		}
	}
	k.Hash = ""
	c.byHash[hash] = cachedKey{key: k, checked: now}
}

func (c *keyCache) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byHash, hash)
}

// forget drops the keys that match: a revoked key, or every key of a
// deleted tenant.
func (c *keyCache) forget(match func(store.APIKey) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, ck := range c.byHash {
		if match(ck.key) {
			delete(c.byHash, h)
		}
	}
}

func (c *keyCache) forgetKey(tenantID, keyID string) {
	c.forget(func(k store.APIKey) bool { return k.TenantID == tenantID && k.ID == keyID })
}

func (c *keyCache) forgetTenant(tenantID string) {
	c.forget(func(k store.APIKey) bool { return k.TenantID == tenantID })
}
