package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/engine/identity"
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

// CreateRoleAPIKey is CreateExpiringAPIKey for a key that acts with a role
// of the tenant ("" for an administrator's key).
func (e *Engine) CreateRoleAPIKey(ctx context.Context, tenantID, name, role string, expiresAt time.Time) (string, store.APIKey, error) {
	if role != "" {
		_, snap, err := e.tenantScope(ctx, tenantID)
		if err != nil {
			return "", store.APIKey{}, tenantFailed(tenantID, err)
		}
		if _, ok := snap.roles[role]; !ok {
			return "", store.APIKey{}, errorOf(ErrBadRequest, nil, "apiKey.noRole", tenantID, role)
		}
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
	return secret, k, nil
}

// APIKeys lists a tenant's keys (without secrets).
func (e *Engine) APIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error) {
	ks, err := e.store.ListAPIKeys(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, err)
	}
	return ks, nil
}

// RevokeAPIKey revokes a key at once: the next request with it is refused.
func (e *Engine) RevokeAPIKey(ctx context.Context, tenantID, keyID string) error {
	err := e.store.RevokeAPIKey(ctx, tenantID, keyID, e.stamp())
	if errors.Is(err, store.ErrNotFound) {
		return errorOf(ErrNotFound, err, "apiKey.notFound", tenantID, keyID)
	}
	if err != nil {
		return fmt.Errorf("revoke api key %q: %w", keyID, err)
	}
	return nil
}

// Authenticate resolves an API key secret to the actor it stands for.
// Unknown, malformed and revoked keys all give the same UNAUTHENTICATED
// error.
func (e *Engine) Authenticate(ctx context.Context, secret string) (Actor, error) {
	denied := errorOf(ErrUnauthenticated, nil, "apiKey.invalid")
	if !identity.MayBeKey(secret) {
		return Actor{}, denied
	}
	k, err := e.store.APIKeyByHash(ctx, identity.KeyHash(secret))
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, denied
	}
	if err != nil {
		return Actor{}, fmt.Errorf("authenticate api key: %w", err)
	}
	if !k.RevokedAt.IsZero() || !k.ExpiresAt.IsZero() && !e.now().Before(k.ExpiresAt) {
		return Actor{}, denied
	}
	return Actor{TenantID: k.TenantID, ID: "key:" + k.ID, Admin: k.Role == "", Role: k.Role}, nil
}
