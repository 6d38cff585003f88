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
	sizer, _ := e.store.(store.Sizer)
	out := make([]TenantOps, 0, len(tenants))
	for _, t := range tenants {
		o := TenantOps{Tenant: t.ID, StoreBytes: -1}
		if sizer != nil {
			if n, err := sizer.TenantSize(ctx, t.ID); err == nil {
				o.StoreBytes = n
			}
		}
		ts, snap, err := e.tenantScope(ctx, t.ID)
		if err != nil {
			o.Unavailable = true
			out = append(out, o)
			continue
		}
		count := func(object string, f store.Filter) (int64, error) {
			obj := snap.platform[object]
			if obj == nil {
				return 0, nil
			}
			return ts.Count(ctx, obj, &f)
		}
		var errs []error
		var cerr error
		o.OutboxPending, cerr = count(outboxObject, store.Leaf("status", store.OpEq, "pending"))
		errs = append(errs, cerr)
		o.JobsRunning, cerr = count(jobObject, store.Leaf("status", store.OpIn, []any{"pending", "running"}))
		errs = append(errs, cerr)
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("ops stats of tenant %q: %w", t.ID, err)
		}
		out = append(out, o)
	}
	return out, nil
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
