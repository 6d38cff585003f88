package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// tenantState caches what the engine derives from a tenant's metadata.
type tenantState struct {
	id   string
	mu   sync.Mutex // serialises rebuilds of this tenant
	snap *snapshot
	// gen counts the metadata changes this engine made to the tenant.
	gen atomic.Uint64
}

// snapshot is what the engine derives from a tenant's metadata at one
// revision. It is immutable once built.
type snapshot struct {
	catalog    *Catalog
	validators map[string]*schema.Validator
	// platform are the platform objects the store holds (see platform.go),
	// which the catalog leaves out.
	platform map[string]*schema.Object
	// roles by name.
	roles map[string]Role
	// users by user name, without password hashes.
	users map[string]User
	// circles caches whose records each actor reaches (access.go).
	circles circles
	// dir is the user directory (directory.go), made on first use.
	dir directory
	// userNames indexes users by display name for user fields
	// (user_values.go), made on first use.
	userNames userNames
	// tenantClock holds the tenant's settings (tenant_settings.go); nil
	// until loaded, when the defaults hold.
	tenantClock *tenantClock

	viewsMu sync.Mutex
	views   map[string]*Catalog // the catalog as each role sees it
}

// Catalog returns the actor's tenant's objects at the current metadata
// revision. The result is cached per tenant and revision, so that a change
// saved by any process is seen by the next call.
func (e *Engine) Catalog(ctx context.Context) (*Catalog, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	return sc.snap.view(sc.actor), nil
}

// view is the catalog as the actor sees it. Administrators get the whole
// catalog. Everyone else gets the objects their role may read, without
// the fields it hides (nor lookups to objects it may not read), and each
// definition redacted (see [schema.Object.Redacted]): no scripts,
// automations, validation rules, formula expressions or roll-up
// configurations, which hold code, addresses and hidden fields' names.
func (s *snapshot) view(a Actor) *Catalog {
	if a.Admin {
		return s.catalog
	}
	s.viewsMu.Lock()
	defer s.viewsMu.Unlock()
	if v := s.views[a.Role]; v != nil {
		return v
	}
	readable := map[string]bool{}
	for _, o := range s.catalog.Objects {
		if acc, _ := s.access(a, o.Name); acc.Read {
			readable[o.Name] = true
		}
	}
	var objs []*schema.Object
	for _, o := range s.catalog.Objects {
		if !readable[o.Name] {
			continue
		}
		hidden := s.fieldsAt(a, o, FieldHidden)
		for _, f := range o.Fields {
			if f.Target != "" && !readable[f.Target] {
				if hidden == nil {
					hidden = map[string]bool{}
				}
				hidden[f.Name] = true
			}
		}
		objs = append(objs, o.Redacted(hidden))
	}
	v := NewCatalog(s.catalog.TenantID, s.catalog.Revision, objs)
	v.Audience = a.Role
	if a.Role == "" {
		v.Audience = "*" // not an administrator, without a role: not the whole catalog's audience ""
	}
	if s.views == nil {
		s.views = map[string]*Catalog{}
	}
	s.views[a.Role] = v
	return v
}

// tenantEntry returns the engine's state of a tenant, made on first use;
// the least recently used tenants' states go beyond Config.TenantStates
// (tenantcache.go).
func (e *Engine) tenantEntry(tenantID string) *tenantState {
	st, gone := e.states.entry(tenantID)
	for _, id := range gone {
		e.forgetLimits(id)
	}
	return st
}

// loadState returns the tenant's derived state, rebuilt when the metadata
// revision moved.
func (e *Engine) loadState(ctx context.Context, tenantID string, ts store.TenantStore) (*snapshot, error) {
	rev, err := ts.MetaRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("read metadata revision of tenant %q: %w", tenantID, err)
	}
	st := e.tenantEntry(tenantID)

	st.mu.Lock()
	defer st.mu.Unlock()
	if st.snap != nil && st.snap.catalog.Revision == rev {
		return st.snap, nil
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return nil, fmt.Errorf("load object definitions of tenant %q: %w", tenantID, err)
	}
	snap, err := buildSnapshot(tenantID, rev, docs, st.snap)
	if err != nil {
		return nil, err
	}
	if upgraded, err := e.upgradePlatform(ctx, ts, snap); err != nil {
		return nil, err
	} else if upgraded {
		if snap, err = e.reloadSnapshot(ctx, tenantID, ts, st.snap); err != nil {
			return nil, err
		}
	}
	if err := loadRoles(ctx, ts, snap); err != nil {
		return nil, err
	}
	if err := loadUsers(ctx, ts, snap); err != nil {
		return nil, err
	}
	if err := loadTenantSettings(ctx, ts, snap); err != nil {
		return nil, err
	}
	st.snap = snap
	return st.snap, nil
}

// reloadSnapshot reads the tenant's revision and definitions again and
// builds their snapshot.
func (e *Engine) reloadSnapshot(ctx context.Context, tenantID string, ts store.TenantStore, prev *snapshot) (*snapshot, error) {
	rev, err := ts.MetaRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("read metadata revision of tenant %q: %w", tenantID, err)
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return nil, fmt.Errorf("load object definitions of tenant %q: %w", tenantID, err)
	}
	return buildSnapshot(tenantID, rev, docs, prev)
}

// buildSnapshot parses and compiles the stored definitions, reusing from
// prev (which may be nil) the objects whose version did not change.
func buildSnapshot(tenantID string, rev int64, docs []store.ObjectDoc, prev *snapshot) (*snapshot, error) {
	objs := make([]*schema.Object, 0, len(docs))
	validators := make(map[string]*schema.Validator, len(docs))
	platform := map[string]*schema.Object{}
	for _, d := range docs {
		if isPlatformName(d.Name) {
			if old := prev.platformObject(d.Name); old != nil && old.Version == d.Version {
				platform[d.Name] = old
				continue
			}
			obj, err := platformParsed(d)
			if err != nil {
				return nil, fmt.Errorf("parse stored definition of platform object %q version %d: %w", d.Name, d.Version, err)
			}
			platform[d.Name] = obj
			continue
		}
		if prev != nil {
			if old := prev.catalog.Object(d.Name); old != nil && old.Version == d.Version {
				objs = append(objs, old)
				validators[d.Name] = prev.validators[d.Name]
				continue
			}
		}
		obj, err := schema.ParseObject(d.Definition)
		if err != nil {
			return nil, fmt.Errorf("parse stored definition of %q version %d: %w", d.Name, d.Version, err)
		}
		obj.Version = d.Version
		v, err := schema.NewValidator(obj)
		if err != nil {
			return nil, fmt.Errorf("compile stored definition of %q version %d: %w", d.Name, d.Version, err)
		}
		objs = append(objs, obj)
		validators[obj.Name] = v
	}
	return &snapshot{catalog: NewCatalog(tenantID, rev, objs), validators: validators, platform: platform}, nil
}

func (s *snapshot) platformObject(name string) *schema.Object {
	if s == nil {
		return nil
	}
	return s.platform[name]
}

// objectIn returns the named object of the catalog or a BAD_REQUEST error
// naming it.
func objectIn(cat *Catalog, name string) (*schema.Object, error) {
	obj := cat.Object(name)
	if obj == nil {
		return nil, errorOf(ErrBadRequest, nil, "object.unknown", name)
	}
	return obj, nil
}
