package engine

import (
	"context"
	"errors"
	"sync"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// scope is what one call works in: who acts, the store of their tenant
// and its metadata snapshot.
type scope struct {
	actor Actor
	ts    store.TenantStore
	snap  *snapshot
}

// scope resolves the caller's actor, tenant store and snapshot. Within a
// request (see [WithRequest]) the store and snapshot are resolved once.
func (e *Engine) scope(ctx context.Context) (scope, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return scope{}, errorOf(ErrUnauthenticated, nil, "auth.noCredentials")
	}
	ts, snap, err := e.tenantScope(ctx, a.TenantID)
	if errors.Is(err, store.ErrNotFound) {
		return scope{}, errorOf(ErrUnauthenticated, err, "auth.unknownTenant")
	}
	if err != nil {
		return scope{}, err
	}
	return scope{actor: a, ts: ts, snap: snap}, nil
}

// tenantAdmin resolves the caller of an administration call on a tenant
// named by id: an administrator of that tenant (byActor), or the
// operator's CLI, which calls with a context without an actor and acts as
// "operator". Anyone else is refused with the catalogue's key refused.
func tenantAdmin(ctx context.Context, tenantID string, refused message.Key) (a Actor, byActor bool, err error) {
	a, byActor = ActorFrom(ctx)
	if byActor && (!a.Admin || a.TenantID != tenantID) {
		return Actor{}, false, errorOf(ErrForbidden, nil, refused)
	}
	if !byActor {
		a = Actor{TenantID: tenantID, ID: "operator", Admin: true}
	}
	return a, byActor, nil
}

// tenantScope resolves the store and metadata snapshot of a tenant named
// by id rather than by the caller: sign-in and sessions, operators'
// commands, background work. Within a request they are resolved once, as
// for [Engine.scope]. An unknown tenant is an error wrapping
// [store.ErrNotFound].
func (e *Engine) tenantScope(ctx context.Context, tenantID string) (store.TenantStore, *snapshot, error) {
	ts, err := e.tenantStore(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	snap, err := e.state(ctx, tenantID, ts)
	if err != nil {
		return nil, nil, err
	}
	return ts, snap, nil
}

// objectScope is a scope narrowed to one object, with what the actor may
// see of it (reads only).
type objectScope struct {
	scope
	obj   *schema.Object
	rules *readRules
}

// request holds what one request resolved about one tenant, so that
// authentication, the catalog and the operation (and each root field of a
// GraphQL request) share it. The snapshot is read again when this engine
// changed the tenant's metadata since (see tenantState.gen): a request sees
// its own changes; changes made by other processes wait for the next
// request.
type request struct {
	mu     sync.Mutex
	e      *Engine // the engine the request is bound to; nil until first use
	tenant string
	ts     store.TenantStore
	snap   *snapshot
	entry  *tenantState // the engine's state of the tenant when snap was taken
	gen    uint64       // and its metadata generation
}

type requestKey struct{}

// WithRequest returns a context that marks one request: the first engine
// call that needs a tenant's store and metadata resolves them, and later
// calls with the context (or one derived from it) for the same tenant
// reuse them. A ctx that already marks a request is returned as is.
func WithRequest(ctx context.Context) context.Context {
	if r, _ := ctx.Value(requestKey{}).(*request); r != nil {
		return ctx
	}
	return context.WithValue(ctx, requestKey{}, &request{})
}

// detach returns a context for work that outlives the request of ctx:
// without its cancellation, and resolving its own scope.
func detach(ctx context.Context) context.Context {
	return unscoped(context.WithoutCancel(ctx))
}

// unscoped returns ctx without its request's scope, cancelled with it:
// for work that resolves a tenant's store and state for itself while the
// request's scope is being resolved (and so held).
func unscoped(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, (*request)(nil))
}

// bound returns ctx's request, locked, when it may serve e and tenant
// (nil otherwise); the caller unlocks it.
func (e *Engine) bound(ctx context.Context, tenant string) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	if r.e != nil && (r.e != e || r.tenant != tenant) {
		r.mu.Unlock()
		return nil // one tenant per request; another is resolved per call
	}
	return r
}

// tenantStore opens a tenant's store as the engine uses it, once per
// request.
func (e *Engine) tenantStore(ctx context.Context, tenantID string) (store.TenantStore, error) {
	r := e.bound(ctx, tenantID)
	if r == nil {
		return e.openTenant(ctx, tenantID)
	}
	defer r.mu.Unlock()
	if r.ts != nil {
		return r.ts, nil
	}
	ts, err := e.openTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	r.e, r.tenant, r.ts = e, tenantID, ts
	return ts, nil
}

// state returns the tenant's derived state: within a request the one it
// resolved first, unless this engine changed the tenant's metadata since.
func (e *Engine) state(ctx context.Context, tenantID string, ts store.TenantStore) (*snapshot, error) {
	r := e.bound(ctx, tenantID)
	if r == nil {
		return e.loadState(ctx, tenantID, ts)
	}
	defer r.mu.Unlock()
	entry := e.tenantEntry(tenantID) // a tenant deleted since has a new one
	gen := entry.gen.Load()
	if r.snap != nil && r.entry == entry && r.gen == gen {
		return r.snap, nil
	}
	snap, err := e.loadState(ctx, tenantID, ts)
	if err != nil {
		return nil, err
	}
	r.e, r.tenant, r.snap, r.entry, r.gen = e, tenantID, snap, entry, gen
	return snap, nil
}

// metaChanged records that this engine changed a tenant's metadata, so
// that requests holding its snapshot read it again.
func (e *Engine) metaChanged(tenantID string) {
	e.tenantEntry(tenantID).gen.Add(1)
}
