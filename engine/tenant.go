package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/store"
)

// CreateTenant creates a tenant. The id is lower-case letters, digits and
// hyphens, starting with a letter, at most 63 characters; name defaults to
// the id. Returns a CONFLICT error if the id is taken.
func (e *Engine) CreateTenant(ctx context.Context, id, name string) (store.Tenant, error) {
	if !store.ValidTenantID(id) {
		return store.Tenant{}, errorOf(ErrBadRequest, nil, "tenant.badID", id)
	}
	if name == "" {
		name = id
	}
	t := store.Tenant{ID: id, Name: name, CreatedAt: e.stamp()}
	err := e.store.CreateTenant(ctx, t)
	if errors.Is(err, store.ErrConflict) {
		return store.Tenant{}, errorOf(ErrConflict, err, "tenant.exists", id)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("create tenant %q: %w", id, err)
	}
	return t, nil
}

// Tenants lists every tenant, ordered by id.
func (e *Engine) Tenants(ctx context.Context) ([]store.Tenant, error) {
	ts, err := e.store.ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}
