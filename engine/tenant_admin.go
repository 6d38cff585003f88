package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Tenant administration for the operator's CLI: what a tenant holds,
// deleting it and giving it another id. These calls take a context
// without an actor; a request with one is refused.

// TenantSummary is what a tenant holds.
type TenantSummary struct {
	Tenant store.Tenant
	// Objects counts the tenant's live objects, Records their records
	// (the engine's own data, such as the audit trail, not counted).
	Objects int
	Records int64
	Users   int
	APIKeys int
}

func operatorOnly(ctx context.Context, what string) error {
	if _, ok := ActorFrom(ctx); ok {
		return errorOf(ErrForbidden, nil, "tenant.operatorOnly", what)
	}
	return nil
}

// SummarizeTenant counts what a tenant holds.
func (e *Engine) SummarizeTenant(ctx context.Context, id string) (TenantSummary, error) {
	var sum TenantSummary
	if err := operatorOnly(ctx, "inspect tenants"); err != nil {
		return sum, err
	}
	t, err := e.store.GetTenant(ctx, id)
	if err != nil {
		return sum, tenantFailed(id, err)
	}
	sum.Tenant = t
	ts, err := e.store.Tenant(ctx, id)
	if err != nil {
		return sum, tenantFailed(id, err)
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return sum, fmt.Errorf("tenant %q: %w", id, err)
	}
	for _, d := range docs {
		obj, err := schema.ParseObject(d.Definition)
		if err != nil {
			return sum, fmt.Errorf("tenant %q: object %s: %w", id, d.Name, err)
		}
		n, err := ts.Count(ctx, obj, nil)
		if err != nil {
			return sum, fmt.Errorf("tenant %q: count %s records: %w", id, d.Name, err)
		}
		switch {
		case d.Name == userObject:
			sum.Users = int(n)
		case !isPlatformName(d.Name):
			sum.Objects++
			sum.Records += n
		}
	}
	keys, err := e.store.ListAPIKeys(ctx, id)
	if err != nil {
		return sum, fmt.Errorf("tenant %q: %w", id, err)
	}
	sum.APIKeys = len(keys)
	return sum, nil
}

// DeleteTenant removes a tenant with everything it holds and its API
// keys. There is no undo: export it first if it may be needed again.
func (e *Engine) DeleteTenant(ctx context.Context, id string) error {
	if err := operatorOnly(ctx, "delete tenants"); err != nil {
		return err
	}
	if err := e.store.DeleteTenant(ctx, id); err != nil {
		return tenantFailed(id, err)
	}
	e.forgetTenant(id)
	e.log.InfoContext(ctx, "tenant deleted", "tenant", id)
	return nil
}

// RenameTenant gives a tenant a new id: its data is copied to the new id
// (sensitive values sealed again for it, as an import does), its API keys
// move, and the old id is removed. Sessions end: users sign in again.
// Nothing changes if the copy fails.
func (e *Engine) RenameTenant(ctx context.Context, from, to string) (TransferStats, error) {
	if err := operatorOnly(ctx, "rename tenants"); err != nil {
		return TransferStats{}, err
	}
	if _, err := e.store.GetTenant(ctx, from); err != nil {
		return TransferStats{}, tenantFailed(from, err)
	}
	if _, err := e.store.GetTenant(ctx, to); err == nil {
		return TransferStats{}, errorOf(ErrConflict, nil, "tenant.renameTaken", to)
	} else if !errors.Is(err, store.ErrNotFound) {
		return TransferStats{}, tenantFailed(to, err)
	}
	if !store.ValidTenantID(to) {
		_, err := e.CreateTenant(ctx, to, "") // for its message
		return TransferStats{}, err
	}
	pr, pw := io.Pipe()
	exported := make(chan error, 1)
	go func() {
		_, err := e.ExportTenant(ctx, from, pw)
		pw.CloseWithError(err)
		exported <- err
	}()
	stats, err := e.ImportTenant(ctx, to, pr)
	pr.CloseWithError(errors.New("import ended"))
	if xerr := <-exported; xerr != nil && err == nil {
		err = xerr
	}
	if err != nil {
		return TransferStats{}, fmt.Errorf("rename tenant %q to %q: %w", from, to, err)
	}
	err = e.store.MoveAPIKeys(ctx, from, to)
	e.keys.forgetTenant(from) // its keys act for the new id now (or, failing, read again)
	if err != nil {
		derr := e.store.DeleteTenant(context.WithoutCancel(ctx), to)
		e.forgetTenant(to)
		return TransferStats{}, errors.Join(fmt.Errorf("rename tenant %q to %q: move api keys: %w", from, to, err), derr)
	}
	if err := e.store.DeleteTenant(ctx, from); err != nil {
		return stats, fmt.Errorf("tenant %q is now %q, but the old id could not be removed (run crm tenant delete %s): %w", from, to, from, err)
	}
	e.forgetTenant(from)
	e.log.InfoContext(ctx, "tenant renamed", "from", from, "to", to)
	return stats, nil
}

// forgetTenant drops what the engine cached of a tenant.
func (e *Engine) forgetTenant(id string) {
	e.states.forget(id)
	e.mu.Lock()
	delete(e.unavailable, id)
	e.mu.Unlock()
	e.forgetLimits(id)
	e.keys.forgetTenant(id)
	e.fileSweep.Delete(id)
	e.binDue.Delete(id)
	e.notifyPurged.Delete(id)
	e.checked.Delete(id)
}
