package graphql

import (
	"container/list"
	"sync"

	"github.com/crmkit/crm/engine"
)

// schemaCache keeps one schema per tenant and audience (the whole
// catalog, or a role's view of it): the one of the newest catalog
// revision seen. A schema is built once per tenant and revision, however
// many requests ask for it at the same time; the least recently used
// tenants are dropped beyond max.
type schemaCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*cacheEntry
	lru     *list.List // of *cacheEntry, most recent first
	builds  int        // schemas built, for tests
}

type cacheEntry struct {
	tenant   string // tenant and audience
	revision int64
	ready    chan struct{}
	schema   *execSchema
	err      error
	elem     *list.Element
}

func newSchemaCache(max int) *schemaCache {
	return &schemaCache{max: max, entries: map[string]*cacheEntry{}, lru: list.New()}
}

// get returns the schema of cat, building it with build when the tenant
// has none at this revision.
func (c *schemaCache) get(cat *engine.Catalog, build func(*engine.Catalog) (*execSchema, error)) (*execSchema, error) {
	key := cat.TenantID + "\x00" + cat.Audience
	c.mu.Lock()
	e := c.entries[key]
	// A catalog older than the cached schema comes from a read that raced
	// a metadata change: the newer schema serves it.
	if e != nil && e.revision >= cat.Revision {
		c.lru.MoveToFront(e.elem)
		c.mu.Unlock()
		<-e.ready
		return e.schema, e.err
	}
	e = &cacheEntry{tenant: key, revision: cat.Revision, ready: make(chan struct{})}
	if old := c.entries[key]; old != nil {
		c.lru.Remove(old.elem)
	}
	e.elem = c.lru.PushFront(e)
	c.entries[key] = e
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).tenant)
	}
	c.builds++
	c.mu.Unlock()

	func() {
		defer close(e.ready)
		defer func() {
			if p := recover(); p != nil {
				e.err = &panicError{value: p}
			}
		}()
		e.schema, e.err = build(cat)
	}()
	return e.schema, e.err
}

func (c *schemaCache) buildCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}
