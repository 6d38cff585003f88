package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// TenantOps are a tenant's figures for operators' monitoring.
type TenantOps struct {
	Tenant string
	// OutboxPending counts webhook and notification deliveries waiting.
	OutboxPending int64
	// JobsRunning counts background jobs pending or running.
	JobsRunning int64
	// StoreBytes is the space the tenant's data takes, when the store can
	// tell (-1 otherwise).
	StoreBytes int64
	// Unavailable is true for a tenant the server found unusable at start.
	Unavailable bool
}

// OpsStats returns every tenant's figures. For the operator's monitoring
// (the metrics endpoint); a request with an actor is refused.
func (e *Engine) OpsStats(ctx context.Context) ([]TenantOps, error) {
	if err := operatorOnly(ctx, "read operations figures"); err != nil {
		return nil, err
	}
	tenants, err := e.store.ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("ops stats: %w", err)
	}
	out := make([]TenantOps, 0, len(tenants))
	for _, t := range tenants {
		o, err := e.tenantOps(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// tenantOps returns one tenant's figures.
func (e *Engine) tenantOps(ctx context.Context, tenantID string) (TenantOps, error) {
	o := TenantOps{Tenant: tenantID, StoreBytes: -1}
	if sizer, ok := e.store.(store.Sizer); ok {
		if n, err := sizer.TenantSize(ctx, tenantID); err == nil {
			o.StoreBytes = n
		}
	}
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		o.Unavailable = true
		return o, nil
	}
	count := func(object string, f store.Filter) (int64, error) {
		obj := snap.platform[object]
		if obj == nil {
			return 0, nil
		}
		return ts.Count(ctx, obj, &f)
	}
	var cerr [2]error
	o.OutboxPending, cerr[0] = count(outboxObject, store.Leaf("status", store.OpEq, "pending"))
	o.JobsRunning, cerr[1] = count(jobObject, store.Leaf("status", store.OpIn, []any{"pending", "running"}))
	if err := errors.Join(cerr[:]...); err != nil {
		return o, fmt.Errorf("ops stats of tenant %q: %w", tenantID, err)
	}
	return o, nil
}

// ScriptStats returns the counts of the engine's script runs, for
// monitoring.
func (e *Engine) ScriptStats() scripting.RunStats {
	r, err := e.scriptRunner()
	if err != nil {
		return scripting.RunStats{}
	}
	return r.RunStats()
}
