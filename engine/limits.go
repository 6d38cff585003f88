package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// Script budgets per tenant: the operator (not the tenant's admins) may
// raise or lower a tenant's budgets with `crm tenant limits`; they are kept
// in the tenant's settings and read by the sandbox on every run, through a
// cache that follows changes within limitsTTL.

const (
	limitsSettingID = "scriptLimits"
	limitsTTL       = 10 * time.Second
)

type cachedLimits struct {
	limits scripting.Limits
	at     time.Time
}

// limitsFor is the sandbox's LimitsFor: the tenant's overrides (zero
// fields take the defaults).
func (e *Engine) limitsFor(tenant string) scripting.Limits {
	e.limitsMu.Lock()
	c, ok := e.limitsCache[tenant]
	e.limitsMu.Unlock()
	if ok && time.Since(c.at) < limitsTTL {
		return c.limits
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l, err := e.storedLimits(ctx, tenant)
	if err != nil {
		e.log.Warn("read script limits", "tenant", tenant, "err", err)
		return c.limits // the last known, or the defaults
	}
	e.limitsMu.Lock()
	e.limitsCache[tenant] = cachedLimits{limits: l, at: time.Now()}
	e.limitsMu.Unlock()
	return l
}

func (e *Engine) storedLimits(ctx context.Context, tenant string) (scripting.Limits, error) {
	var l scripting.Limits
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return l, err
	}
	settings := snap.platform[settingObject]
	if settings == nil {
		return l, nil
	}
	rec, err := ts.Get(ctx, settings, limitsSettingID)
	if errors.Is(err, store.ErrNotFound) {
		return l, nil
	} else if err != nil {
		return l, err
	}
	text, _ := rec.Data["value"].(string)
	if err := json.Unmarshal([]byte(text), &l); err != nil {
		return l, fmt.Errorf("stored script limits of %q: %w", tenant, err)
	}
	return l, nil
}

// TenantScriptLimits returns the script budgets in force for a tenant and
// the overrides set for it. For the operator's CLI.
func (e *Engine) TenantScriptLimits(ctx context.Context, tenant string) (effective, overrides scripting.Limits, err error) {
	if _, err := e.store.GetTenant(ctx, tenant); err != nil {
		return effective, overrides, tenantFailed(tenant, err)
	}
	if overrides, err = e.storedLimits(ctx, tenant); err != nil {
		return effective, overrides, err
	}
	r, err := e.scriptRunner()
	if err != nil {
		return effective, overrides, err
	}
	e.forgetLimits(tenant)
	return r.LimitsFor(tenant), overrides, nil
}

// SetTenantScriptLimits stores a tenant's overrides (zero fields take the
// defaults; all zero removes them). For the operator's CLI; the running
// server applies them within ten seconds.
func (e *Engine) SetTenantScriptLimits(ctx context.Context, tenant string, l scripting.Limits) error {
	if _, err := e.store.GetTenant(ctx, tenant); err != nil {
		return tenantFailed(tenant, err)
	}
	if l.WallTime < 0 || l.MaxCallStack < 0 || l.MaxQueries < 0 || l.MaxReads < 0 || l.MaxWrites < 0 || l.MaxConcurrent < 0 {
		return errorOf(ErrBadRequest, nil, "limit.negative")
	}
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return err
	}
	settings, err := e.platformObject(ctx, ts, snap, settingObject)
	if err != nil {
		return err
	}
	text, err := json.Marshal(l)
	if err != nil {
		return err
	}
	now := e.stamp()
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, settings, limitsSettingID)
		if errors.Is(err, store.ErrNotFound) {
			return tx.Insert(ctx, settings, store.Record{ID: limitsSettingID, Version: 1, CreatedAt: now, UpdatedAt: now,
				CreatedBy: "operator", UpdatedBy: "operator", Data: map[string]any{"value": string(text)}})
		} else if err != nil {
			return err
		}
		next := cur
		next.Data = map[string]any{"value": string(text)}
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, "operator"
		return tx.Update(ctx, settings, next, cur.Version)
	})
	if err != nil {
		return fmt.Errorf("set script limits of %q: %w", tenant, err)
	}
	e.forgetLimits(tenant)
	return nil
}

func (e *Engine) forgetLimits(tenant string) {
	e.limitsMu.Lock()
	delete(e.limitsCache, tenant)
	e.limitsMu.Unlock()
}

// ownRunner is the engine's sandbox when Config.Scripts is not given: it
// reads each tenant's budgets from its settings.
type ownRunner struct {
	once   sync.Once
	runner *scripting.Runner
	err    error
}

// Close stops the engine's own sandbox, if it made one.
func (e *Engine) Close() error {
	if e.own.runner != nil {
		return e.own.runner.Close()
	}
	return nil
}
