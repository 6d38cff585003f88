package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// tenantState caches what the engine derives from a tenant's metadata.
type tenantState struct {
	mu   sync.Mutex // serialises rebuilds of this tenant
	snap *snapshot
}

// snapshot is what the engine derives from a tenant's metadata at one
// revision. It is immutable once built.
type snapshot struct {
	catalog    *Catalog
	validators map[string]*schema.Validator
}

// Catalog returns the actor's tenant's objects at the current metadata
// revision. The result is cached per tenant and revision, so that a change
// saved by any process is seen by the next call.
func (e *Engine) Catalog(ctx context.Context) (*Catalog, error) {
	a, ts, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	st, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return nil, err
	}
	return st.catalog, nil
}

// state returns the tenant's derived state, rebuilt when the metadata
// revision moved.
func (e *Engine) state(ctx context.Context, tenantID string, ts store.TenantStore) (*snapshot, error) {
	rev, err := ts.MetaRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("read metadata revision of tenant %q: %w", tenantID, err)
	}
	e.mu.Lock()
	st := e.tenant[tenantID]
	if st == nil {
		st = &tenantState{}
		e.tenant[tenantID] = st
	}
	e.mu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	if st.snap != nil && st.snap.catalog.Revision == rev {
		return st.snap, nil
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return nil, fmt.Errorf("load object definitions of tenant %q: %w", tenantID, err)
	}
	built, validators, err := buildCatalog(tenantID, rev, docs, st.snap)
	if err != nil {
		return nil, err
	}
	st.snap = &snapshot{catalog: built, validators: validators}
	return st.snap, nil
}

// buildCatalog parses and compiles the stored definitions, reusing from prev
// (which may be nil) the objects whose version did not change.
func buildCatalog(tenantID string, rev int64, docs []store.ObjectDoc, prev *snapshot) (*Catalog, map[string]*schema.Validator, error) {
	objs := make([]*schema.Object, 0, len(docs))
	validators := make(map[string]*schema.Validator, len(docs))
	for _, d := range docs {
		if prev != nil {
			if old := prev.catalog.Object(d.Name); old != nil && old.Version == d.Version {
				objs = append(objs, old)
				validators[d.Name] = prev.validators[d.Name]
				continue
			}
		}
		obj, err := schema.ParseObject(d.Definition)
		if err != nil {
			return nil, nil, fmt.Errorf("parse stored definition of %q version %d: %w", d.Name, d.Version, err)
		}
		obj.Version = d.Version
		v, err := schema.NewValidator(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("compile stored definition of %q version %d: %w", d.Name, d.Version, err)
		}
		objs = append(objs, obj)
		validators[obj.Name] = v
	}
	return NewCatalog(tenantID, rev, objs), validators, nil
}

// objectIn returns the named object of the catalog or a BAD_REQUEST error
// naming it.
func objectIn(cat *Catalog, name string) (*schema.Object, error) {
	obj := cat.Object(name)
	if obj == nil {
		return nil, newError(ErrBadRequest,
			fmt.Sprintf("unknown object %q", name),
			fmt.Sprintf("对象 %q 不存在", name), nil)
	}
	return obj, nil
}
