package engine

import (
	lru "container/list"
	"strconv"
	"sync"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// DefaultTenantStates is how many tenants' derived state (compiled
// catalog, validators, role views, users and settings) an engine keeps
// when Config.TenantStates is zero.
const DefaultTenantStates = 1024

// tenantStates keeps the engine's state of the tenants used most
// recently, at most max of them; the least recently used is dropped
// first and rebuilt from the store when used again. Dropping is safe
// under concurrency: a call holding a tenant's snapshot keeps using it
// (snapshots are immutable), and a request that holds a dropped entry
// sees that the tenant's entry changed (request.entry) and reads the
// snapshot again, so a metadata change is never missed.
type tenantStates struct {
	mu      sync.Mutex
	max     int
	m       map[string]*lru.Element // of *tenantState
	order   lru.List                // most recently used first
	dropped int64
}

func newTenantStates(max int) *tenantStates {
	if max <= 0 {
		max = DefaultTenantStates
	}
	return &tenantStates{max: max, m: map[string]*lru.Element{}}
}

// entry returns the tenant's state, made on first use, and the tenants
// dropped to make room for it.
func (c *tenantStates) entry(tenantID string) (*tenantState, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.m[tenantID]; el != nil {
		c.order.MoveToFront(el)
		return el.Value.(*tenantState), nil
	}
	st := &tenantState{id: tenantID}
	c.m[tenantID] = c.order.PushFront(st)
	var gone []string
	for c.order.Len() > c.max {
		last := c.order.Back()
		old := c.order.Remove(last).(*tenantState)
		delete(c.m, old.id)
		gone = append(gone, old.id)
		c.dropped++
	}
	return st, gone
}

// forget drops a tenant's state.
func (c *tenantStates) forget(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.m[tenantID]; el != nil {
		c.order.Remove(el)
		delete(c.m, tenantID)
	}
}

// TenantStateStats is what an engine keeps of its tenants' state.
type TenantStateStats struct {
	// Kept is how many tenants' derived state the engine holds now; at
	// most Max.
	Kept int
	// Max is the bound (Config.TenantStates).
	Max int
	// Dropped counts the tenants' states dropped to stay within Max.
	Dropped int64
	// Limits is how many tenants' script limits are cached.
	Limits int
	// Markers counts the background worker's notes on tenants (when their
	// files were swept, their notifications purged, their recycle bin is
	// next due); expired ones are dropped every minute.
	Markers int
}

// TenantStateStats reports how many tenants' state the engine keeps.
func (e *Engine) TenantStateStats() TenantStateStats {
	e.states.mu.Lock()
	s := TenantStateStats{Kept: e.states.order.Len(), Max: e.states.max, Dropped: e.states.dropped}
	e.states.mu.Unlock()
	e.limitsMu.Lock()
	s.Limits = len(e.limitsCache)
	e.limitsMu.Unlock()
	s.Markers = e.markerCount()
	return s
}

// maxSharedPlatform bounds the parsed platform definitions shared by
// tenants (one per platform object and stored version, in practice the
// thirty-odd of this release and those of the release before).
const maxSharedPlatform = 256

// sharedPlatform holds platform objects parsed from stored definitions,
// keyed by name, version and definition: every tenant stores the same
// ones, and parsing and compiling them was most of a tenant's state
// (about 90 KiB of 100 for a small tenant). A parsed object is immutable,
// so tenants share it.
var sharedPlatform = struct {
	sync.Mutex
	m map[string]*schema.Object
}{m: map[string]*schema.Object{}}

// platformParsed returns the stored platform definition d parsed, shared
// with the tenants that store the same one.
func platformParsed(d store.ObjectDoc) (*schema.Object, error) {
	key := d.Name + "\x00" + strconv.FormatInt(d.Version, 10) + "\x00" + string(d.Definition)
	sharedPlatform.Lock()
	obj := sharedPlatform.m[key]
	sharedPlatform.Unlock()
	if obj != nil {
		return obj, nil
	}
	obj, err := parseStored(d.Definition)
	if err != nil {
		return nil, err
	}
	obj.Version = d.Version
	sharedPlatform.Lock()
	defer sharedPlatform.Unlock()
	if kept := sharedPlatform.m[key]; kept != nil {
		return kept, nil
	}
	if len(sharedPlatform.m) < maxSharedPlatform {
		sharedPlatform.m[key] = obj
	}
	return obj, nil
}

// markersSweptEvery is how often the worker's markers of tenants (files
// swept, notifications purged, recycle bin due) are cleared of entries
// that no longer say anything.
const markersSweptEvery = time.Minute

// sweepMarkers drops, at most once every markersSweptEvery, the markers
// that have expired: a marker only lets the worker skip work for a while,
// and an expired one is rechecked as a missing one is, so dropping it
// changes nothing but the memory of tenants not visited lately.
func (e *Engine) sweepMarkers(now time.Time) {
	last := e.markersSwept.Load()
	if last != 0 && now.UnixNano()-last < int64(markersSweptEvery) || !e.markersSwept.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	e.fileSweep.Range(func(k, v any) bool {
		if !now.Before(v.(time.Time).Add(fileSweepEvery)) {
			e.fileSweep.CompareAndDelete(k, v)
		}
		return true
	})
	e.notifyPurged.Range(func(k, v any) bool {
		if !now.Before(v.(time.Time).Add(time.Minute)) {
			e.notifyPurged.CompareAndDelete(k, v)
		}
		return true
	})
	e.binDue.Range(func(k, v any) bool {
		if d := v.(binDueAt); !now.Before(d.next) || !now.Before(d.checked.Add(binDueRecheck)) {
			e.binDue.CompareAndDelete(k, v)
		}
		return true
	})
}

// markerCount counts the worker's markers of tenants the engine holds.
func (e *Engine) markerCount() int {
	n := 0
	for _, m := range []*sync.Map{&e.fileSweep, &e.notifyPurged, &e.binDue} {
		m.Range(func(any, any) bool { n++; return true })
	}
	return n
}

// ended counts down a tenant's jobs running (imports, mass actions,
// exports), dropping the tenant at zero so that the count is kept only
// for tenants with jobs under way.
func ended(running map[string]int, tenant string) {
	if running[tenant]--; running[tenant] <= 0 {
		delete(running, tenant)
	}
}
