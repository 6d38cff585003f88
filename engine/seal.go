package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The engine's side of encryption at rest (package [seal]): every tenant
// store it opens is wrapped in a [seal.Store], a tenant with sensitive
// fields holds a key check that proves the configured key is the one its
// data was encrypted with, and tenants that fail that check at start are
// marked unavailable.

// ErrNoKey: an object has sensitive fields and no encryption key is
// configured; ErrWrongKey: the configured key is not the one the tenant's
// data was encrypted with. They are [seal]'s errors.
var (
	ErrNoKey    = seal.ErrNoKey
	ErrWrongKey = seal.ErrWrongKey
	// ErrTenantUnavailable: the tenant was found unusable when the server
	// started (see [Engine.CheckTenants]); the others are served.
	ErrTenantUnavailable = errors.New("engine: tenant unavailable")
)

// sealing is how the engine wraps the store of a tenant.
func (e *Engine) sealing(tenantID string) seal.Config {
	return seal.Config{Sealer: e.sealer, Tenant: tenantID, Refuse: keyError,
		MetaChanged: func() { e.metaChanged(tenantID) }}
}

// keyError turns a [seal.KeyError] into the engine's error.
func keyError(ke *seal.KeyError) error {
	if ke.Err == seal.ErrNoKey {
		return noKey(ke.Object)
	}
	return errorOf(ErrWrongKey, ke.Err, "seal.wrongKeyForRecord", ke.Object.Name, ke.Field, ke.Record)
}

func noKey(obj *schema.Object) error {
	return errorOf(ErrNoKey, nil, "seal.noKeyForObject", obj.Name, labelZh(obj))
}

// openTenant opens a tenant's store as the engine uses it; a tenant
// marked unavailable (see CheckTenants) gives its reason instead.
func (e *Engine) openTenant(ctx context.Context, tenantID string) (store.TenantStore, error) {
	if _, checked := e.checked.Load(tenantID); !checked {
		// A tenant CheckTenants did not check is checked when first used
		// (a server with many tenants checks none when it starts).
		// Only a key that does not fit marks it unavailable; after another
		// failure (a busy disk, a cancelled request) it is checked again
		// next time, and the caller meets the failure on its own.
		// The check resolves the tenant's state outside the request's
		// scope: openTenant runs while the scope is held (tenantStore).
		switch err := e.checkTenant(unscoped(ctx), tenantID); {
		case err == nil:
			e.checked.Store(tenantID, true)
		case errors.Is(err, ErrNoKey) || errors.Is(err, ErrWrongKey):
			e.log.ErrorContext(ctx, "tenant unavailable", "tenant", tenantID, "err", err)
			e.markUnavailable(tenantID, err)
			e.checked.Store(tenantID, true)
		}
	}
	if err := e.unavailableErr(tenantID); err != nil {
		return nil, err
	}
	ts, err := e.store.Tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return seal.NewStore(ts, e.sealing(tenantID)), nil
}

const keyCheckID = "keyCheck"

// ensureKeyCheck makes sure the tenant holds a value encrypted with the
// configured key, and that it opens: data encrypted under one key is
// never mixed with data under another.
func (e *Engine) ensureKeyCheck(ctx context.Context, ts store.TenantStore, snap *snapshot, tenantID string) error {
	if e.sealer == nil {
		return errorOf(ErrNoKey, nil, "seal.noKeyForTenant", tenantID)
	}
	settings, err := e.platformObject(ctx, ts, snap, settingObject)
	if err != nil {
		return err
	}
	aad := seal.AAD(tenantID, settingObject, "value", keyCheckID)
	rec, err := ts.Get(ctx, settings, keyCheckID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		sealed, err := e.sealer.Seal(aad, "crm key check")
		if err != nil {
			return err
		}
		now := e.stamp()
		rec = store.Record{ID: keyCheckID, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
			Data: map[string]any{"value": sealed}}
		err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, settings, rec) })
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		return nil
	case err != nil:
		return err
	}
	text, _ := rec.Data["value"].(string)
	if _, err := e.sealer.Open(aad, text); err != nil {
		return errorOf(ErrWrongKey, err, "seal.wrongKeyForTenant", tenantID)
	}
	return nil
}

// TenantProblem is a tenant the server cannot serve, and why.
type TenantProblem struct {
	Tenant string
	Err    error
}

// CheckTenants verifies, for every tenant, that its metadata loads and,
// when it has sensitive fields, that the server has the key its data was
// encrypted with. A tenant that fails is marked unavailable — its requests
// answer UNAVAILABLE with the reason — and listed in the result; the
// others are served. One tenant's bad state (a wrong key, an import from
// elsewhere) never stops the server. The error is for failing to list the
// tenants at all.
func (e *Engine) CheckTenants(ctx context.Context) ([]TenantProblem, error) {
	tenants, err := e.store.ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("check tenants: %w", err)
	}
	var problems []TenantProblem
	for _, t := range tenants {
		e.checked.Store(t.ID, true)
		if err := e.checkTenant(ctx, t.ID); err != nil {
			problems = append(problems, TenantProblem{Tenant: t.ID, Err: err})
			e.markUnavailable(t.ID, err)
		} else {
			e.markUnavailable(t.ID, nil)
		}
	}
	return problems, nil
}

func (e *Engine) checkTenant(ctx context.Context, id string) error {
	ts, err := e.store.Tenant(ctx, id)
	if err != nil {
		return err
	}
	sts := seal.NewStore(ts, e.sealing(id))
	snap, err := e.state(ctx, id, sts)
	if err != nil {
		return err
	}
	for _, o := range snap.catalog.Objects {
		if seal.HasSensitive(o) {
			return e.ensureKeyCheck(ctx, sts, snap, id)
		}
	}
	return nil
}

// markUnavailable records why a tenant cannot be served (nil: it can).
func (e *Engine) markUnavailable(id string, why error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if why == nil {
		delete(e.unavailable, id)
		return
	}
	if e.unavailable == nil {
		e.unavailable = map[string]error{}
	}
	e.unavailable[id] = why
}

// unavailableErr returns the error requests of a tenant marked unavailable
// get, or nil.
func (e *Engine) unavailableErr(id string) error {
	e.mu.Lock()
	why := e.unavailable[id]
	e.mu.Unlock()
	if why == nil {
		return nil
	}
	reason := PublicMessage(why, "en")
	reasonZh := PublicMessage(why, "zh")
	return errorOf(ErrTenantUnavailable, nil, "tenant.unavailable", id, reason, reasonZh)
}
