package graphql

import (
	"container/list"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

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
	// onDrop, when set, is told of each schema replaced by a newer
	// revision or dropped beyond max (the documents kept for it go).
	onDrop func(*execSchema)
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
	var dropped []*cacheEntry
	if old := c.entries[key]; old != nil {
		c.lru.Remove(old.elem)
		dropped = append(dropped, old)
	}
	e.elem = c.lru.PushFront(e)
	c.entries[key] = e
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).tenant)
		dropped = append(dropped, last.Value.(*cacheEntry))
	}
	c.builds++
	c.mu.Unlock()
	if c.onDrop != nil {
		for _, old := range dropped {
			drop := func() {
				if old.schema != nil {
					c.onDrop(old.schema)
				}
			}
			select {
			case <-old.ready:
				drop()
			default: // still building: once it is built
				go func() {
					<-old.ready
					drop()
				}()
			}
		}
	}

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

// docCache keeps documents that parsed and validated against a schema,
// keyed by the schema and the query text: clients send the same text
// again and again, and parsing and validating it is most of the work of
// a small query. An entry is only ever read after it is stored (the
// validator annotates the tree once, before the entry exists), so
// requests share it. The cache is bounded by both the number of entries
// and the total length of their query texts; the least recently used go
// first. The documents of a schema that was replaced (a new metadata
// revision) or dropped go with it (schemaCache.onDrop), so that they do
// not keep it in memory.
type docCache struct {
	mu       sync.Mutex
	maxDocs  int
	maxBytes int
	bytes    int
	entries  map[docKey]*list.Element
	lru      *list.List // of *docEntry, most recent first
}

type docKey struct {
	schema *execSchema
	query  string
}

type docEntry struct {
	key docKey
	doc *preparedDoc
}

// preparedDoc is a validated document with what its requests can share:
// the field sets of its selections, collected once when no @skip or
// @include makes them depend on the variables. The sets of one document
// are bounded by its selections (at most one per selection and type).
type preparedDoc struct {
	doc *ast.QueryDocument
	// conditional is set when a selection of the document has @skip or
	// @include: its field sets are collected for each request.
	conditional bool
	mu          sync.Mutex
	sets        map[collectKey][]*collected
}

// collectKey names a selection of a document on an object type: a
// field's (field), or an operation's root (op).
type collectKey struct {
	typeName string
	field    *ast.Field
	op       *ast.OperationDefinition
}

func prepareDoc(doc *ast.QueryDocument) *preparedDoc {
	return &preparedDoc{doc: doc, conditional: hasConditions(doc), sets: map[collectKey][]*collected{}}
}

// hasConditions reports whether a selection of doc has @skip or
// @include.
func hasConditions(doc *ast.QueryDocument) bool {
	conditional := func(dirs ast.DirectiveList) bool {
		return dirs.ForName("skip") != nil || dirs.ForName("include") != nil
	}
	var walk func(ast.SelectionSet) bool
	walk = func(sels ast.SelectionSet) bool {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				if conditional(sel.Directives) || walk(sel.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if conditional(sel.Directives) || walk(sel.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if conditional(sel.Directives) {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if walk(f.SelectionSet) {
			return true
		}
	}
	return false
}

// fieldSet returns the kept field set of k, or computes and keeps it.
// The sets handed out are only read.
func (d *preparedDoc) fieldSet(k collectKey, collect func() []*collected) []*collected {
	d.mu.Lock()
	set, ok := d.sets[k]
	d.mu.Unlock()
	if ok {
		return set
	}
	set = collect()
	d.mu.Lock()
	d.sets[k] = set
	d.mu.Unlock()
	return set
}

// Bounds of the document cache: at most this many documents and this
// many bytes of query text (a document's tree takes some tens of times
// its text).
const (
	maxCachedDocs     = 1024
	maxCachedDocBytes = 2 << 20
)

func newDocCache(maxDocs, maxBytes int) *docCache {
	return &docCache{maxDocs: maxDocs, maxBytes: maxBytes, entries: map[docKey]*list.Element{}, lru: list.New()}
}

// get returns the validated document of query under s, if cached.
func (c *docCache) get(s *execSchema, query string) *preparedDoc {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.entries[docKey{s, query}]
	if el == nil {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*docEntry).doc
}

// put stores a document that parsed and validated against s. A text
// longer than the whole budget is not kept.
func (c *docCache) put(s *execSchema, query string, doc *preparedDoc) {
	if len(query) > c.maxBytes || c.maxDocs <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := docKey{s, query}
	if el := c.entries[k]; el != nil {
		c.lru.MoveToFront(el)
		return
	}
	c.entries[k] = c.lru.PushFront(&docEntry{key: k, doc: doc})
	c.bytes += len(query)
	for c.lru.Len() > c.maxDocs || c.bytes > c.maxBytes {
		last := c.lru.Back()
		e := last.Value.(*docEntry)
		c.lru.Remove(last)
		delete(c.entries, e.key)
		c.bytes -= len(e.key.query)
	}
}

// dropSchema forgets the documents of a schema no longer served. A
// request that still holds the schema may keep one more, which ages out.
func (c *docCache) dropSchema(s *execSchema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, el := range c.entries {
		if k.schema == s {
			c.lru.Remove(el)
			delete(c.entries, k)
			c.bytes -= len(k.query)
		}
	}
}

// len reports how many documents are cached, for tests.
func (c *docCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
