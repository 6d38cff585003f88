package sqlitestore

import (
	"container/list"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/crmkit/crm/store"
)

// The open tenant databases form a bounded cache (Config.OpenTenants),
// least recently used first out. The [store.TenantStore] a caller keeps is
// a stable handle (tenantStore): each of its methods acquires the
// tenant's database, opening it if it is not open, and releases it when
// done; a transaction holds it for its whole life. Eviction closes only a
// database nobody holds (a reference count), the way Close does (SQLite
// checkpoints the write-ahead log when the last connection closes). When
// every open database is held, the cache grows past its bound until the
// holders release them: the excess is bounded by the number of operations
// running at once.

// openDB is one open (or opening) tenant database in the cache.
type openDB struct {
	id   string
	db   *database
	refs int           // holders; guarded by Store.mu
	elem *list.Element // in Store.lru; guarded by Store.mu
	// ready is closed when the opening finished; err says how.
	ready chan struct{}
	err   error
	// closeOnce closes db once, whoever drops it last (eviction, a
	// deletion, the last holder after Close).
	closeOnce sync.Once
	closeErr  error
}

// acquire returns the open database of tenant id, opening it if needed,
// and one reference to it, which release gives back. A tenant that does
// not exist (any more) is [store.ErrNotFound]; a tenant being deleted
// waits for the deletion and is then not found.
func (s *Store) acquire(ctx context.Context, id string) (*openDB, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errClosed
		}
		if wait, deleting := s.deleting[id]; deleting {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, store.ContextError(ctx, ctx.Err())
			}
		}
		if o := s.open[id]; o != nil {
			o.refs++
			s.lru.MoveToFront(o.elem)
			s.mu.Unlock()
			select {
			case <-o.ready:
			default:
				// Only a database still opening waits on ctx: asking a
				// request's context for Done makes its channel, which
				// every read of an open tenant would otherwise pay for.
				select {
				case <-o.ready:
				case <-ctx.Done():
					s.release(o)
					return nil, store.ContextError(ctx, ctx.Err())
				}
			}
			if o.err != nil {
				s.release(o)
				return nil, o.err
			}
			return o, nil
		}
		o := &openDB{id: id, refs: 1, ready: make(chan struct{})}
		o.elem = s.lru.PushFront(o)
		s.open[id] = o
		s.mu.Unlock()
		o.db, o.err = s.openFile(ctx, id)
		if o.err != nil {
			s.mu.Lock()
			if s.open[id] == o {
				delete(s.open, id)
				s.lru.Remove(o.elem)
			}
			s.mu.Unlock()
			close(o.ready)
			return nil, o.err
		}
		close(o.ready)
		s.evict()
		return o, nil
	}
}

// adopt puts the database of a tenant just created into the cache.
func (s *Store) adopt(id string, db *database) {
	o := &openDB{id: id, db: db, ready: make(chan struct{})}
	close(o.ready)
	s.mu.Lock()
	if s.closed || s.open[id] != nil { // closed, or opened meanwhile
		s.mu.Unlock()
		s.closeDB(o)
		return
	}
	o.elem = s.lru.PushFront(o)
	s.open[id] = o
	s.mu.Unlock()
	s.setUp.Store(id, true)
	s.opens.Add(1)
	s.evict()
}

// openFile opens the database file of an existing tenant.
func (s *Store) openFile(ctx context.Context, id string) (*database, error) {
	if _, err := s.GetTenant(ctx, id); err != nil {
		return nil, err
	}
	path := filepath.Join(s.cfg.Dir, "tenants", id+".db")
	lay := &tenantLayout
	if _, done := s.setUp.Load(id); done {
		lay = nil
	}
	db, err := openDatabaseAs(ctx, path, &s.cfg, lay)
	if err != nil {
		return nil, err
	}
	s.setUp.Store(id, true)
	sweepTemp(filepath.Join(s.cfg.Dir, "blobs", id), time.Now())
	s.opens.Add(1)
	s.log.Debug("tenant database opened", "tenant", id, "path", path)
	return db, nil
}

// release gives back one reference that acquire returned. A database
// dropped from the cache meanwhile (the store closed) is closed by its
// last holder.
func (s *Store) release(o *openDB) {
	s.mu.Lock()
	o.refs--
	last := o.refs == 0
	gone := s.open[o.id] != o
	drained := s.drained[o.id]
	s.mu.Unlock()
	if !last {
		return
	}
	if gone {
		s.closeDB(o)
		if drained != nil {
			select {
			case drained <- struct{}{}:
			default:
			}
		}
		return
	}
	s.evict()
}

// evict closes the least recently used databases nobody holds while the
// cache holds more than its bound.
func (s *Store) evict() {
	var out []*openDB
	s.mu.Lock()
	for e := s.lru.Back(); e != nil && len(s.open) > s.cfg.OpenTenants; {
		o := e.Value.(*openDB)
		e = e.Prev()
		if o.refs > 0 {
			continue
		}
		select {
		case <-o.ready:
		default:
			continue // still opening
		}
		s.lru.Remove(o.elem)
		delete(s.open, o.id)
		out = append(out, o)
	}
	s.mu.Unlock()
	for _, o := range out {
		s.evictions.Add(1)
		s.closeDB(o)
	}
}

// closeDB closes a database dropped from the cache.
func (s *Store) closeDB(o *openDB) {
	o.closeOnce.Do(func() {
		if o.db == nil {
			return
		}
		if err := o.db.close(); err != nil {
			o.closeErr = err
			s.log.Warn("close tenant database", "tenant", o.id, "err", err)
			return
		}
		s.log.Debug("tenant database closed", "tenant", o.id)
	})
}

// withDB runs fn with the tenant's database held.
func (t *tenantStore) withDB(ctx context.Context, fn func(db *database) error) error {
	o, err := t.s.acquire(ctx, t.id)
	if err != nil {
		return fmt.Errorf("open tenant %q: %w", t.id, err)
	}
	defer t.s.release(o)
	return fn(o.db)
}

// holdForDelete keeps tenant id from being opened and waits until nobody
// holds its database, then closes it. The returned function lets the
// tenant be opened again (after its row is deleted, it is not found).
func (s *Store) holdForDelete(ctx context.Context, id string) (func(), error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	if _, busy := s.deleting[id]; busy {
		s.mu.Unlock()
		return nil, fmt.Errorf("tenant %q is being deleted: %w", id, store.ErrConflict)
	}
	done := make(chan struct{})
	s.deleting[id] = done
	s.setUp.Delete(id) // a tenant made again under the id gets a new file
	unhold := func() {
		s.mu.Lock()
		delete(s.deleting, id)
		s.mu.Unlock()
		close(done)
	}
	o := s.open[id]
	if o != nil {
		// Dropped from the cache now: no new holder finds it; the last
		// holder signals drained.
		delete(s.open, id)
		s.lru.Remove(o.elem)
	}
	var drained chan struct{}
	if o != nil && o.refs > 0 {
		drained = make(chan struct{}, 1)
		s.drained[id] = drained
	}
	s.mu.Unlock()
	if o == nil {
		return unhold, nil
	}
	if drained != nil {
		select {
		case <-drained:
			// The last holder closed it.
		case <-ctx.Done():
			s.mu.Lock()
			delete(s.drained, id)
			s.mu.Unlock()
			// The database stays out of the cache; its last holder
			// closes it, and the next caller opens the file again.
			unhold()
			return nil, fmt.Errorf("wait for the holders of tenant %q: %w", id, store.ContextError(ctx, ctx.Err()))
		}
		s.mu.Lock()
		delete(s.drained, id)
		s.mu.Unlock()
		return unhold, nil
	}
	<-o.ready
	s.closeDB(o)
	return unhold, nil
}

// CacheStats describes the cache of open tenant databases.
type CacheStats struct {
	Open      int   // databases open now
	Held      int   // of which in use
	Opens     int64 // databases opened since New
	Evictions int64 // databases closed to stay within the bound
}

// CacheStats returns the state of the cache of open tenant databases.
func (s *Store) CacheStats() CacheStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := CacheStats{Open: len(s.open), Opens: s.opens.Load(), Evictions: s.evictions.Load()}
	for _, o := range s.open {
		if o.refs > 0 {
			st.Held++
		}
	}
	return st
}
