package sqlitestore

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmkit/crm/store"
)

// Config configures [New].
type Config struct {
	// Dir is the data directory; required. It is created if missing.
	Dir string
	// Synchronous is SQLite's synchronous setting: "FULL" or "NORMAL". If
	// empty, "FULL": a commit is on disk when it returns. NORMAL is faster
	// and survives a crash of the process, but can lose the latest commits
	// on power loss.
	Synchronous string
	// BusyTimeout is how long a connection waits for a lock held by
	// another process before failing. If zero, 5s.
	BusyTimeout time.Duration
	// ReadConns bounds the reader pool of each database. If zero,
	// runtime.NumCPU().
	ReadConns int
	// CacheKiB is the page cache of each connection in KiB. If zero, 8192
	// (8 MiB).
	CacheKiB int
	// OpenTenants bounds how many tenant databases are open at once (a
	// cache, least recently used first out; see cache.go). Each open
	// database holds a writer connection and up to ReadConns readers,
	// each with two file descriptors and its page cache. If zero, 256.
	OpenTenants int
	// Logger receives notices about opening and closing databases. If nil,
	// they are discarded.
	Logger *slog.Logger
}

// Store is the SQLite implementation of [store.Store]. It is safe for
// concurrent use.
type Store struct {
	cfg    Config
	log    *slog.Logger
	system *database

	mu sync.Mutex
	// open are the open tenant databases (cache.go), lru the same in
	// order of use, most recent first.
	open map[string]*openDB
	lru  *list.List
	// deleting are the tenants being deleted: the channel is closed when
	// the deletion ends. drained tells a deletion that the last holder of
	// the tenant's database closed it.
	deleting map[string]chan struct{}
	drained  map[string]chan struct{}
	closed   bool
	// handles are the tenants' handles (id → *tenantStore), one per
	// tenant that was used (a few hundred bytes each).
	handles sync.Map
	// setUp are the tenants whose files this process set up (id → true):
	// reopening one skips the schema's transaction.
	setUp sync.Map
	// dueSeen are the due index's entries as this process last wrote or
	// read them (tenant → due_at text; due.go).
	dueSeen sync.Map
	// dueWork counts each tenant's write transactions (tenant →
	// *dueWork), dueRead holds what DueTenants read (tenant → dueRead),
	// dueWorker is set once this process reads due tenants.
	dueWork   sync.Map
	dueRead   sync.Map
	dueWorker atomic.Bool
	// dueObjects are the objects whose writes may add due work
	// (SetDueObjects); nil: every write may.
	dueObjects atomic.Pointer[map[string]bool]
	// opens and evictions count databases opened and evicted.
	opens, evictions atomic.Int64
}

var _ store.Store = (*Store)(nil)

var errClosed = errors.New("sqlitestore: store is closed")

// New opens (creating if needed) the data directory cfg.Dir and its system
// database.
func New(cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("open sqlite store: no data directory")
	}
	if strings.ContainsRune(cfg.Dir, '?') {
		// The driver reads everything after '?' as parameters.
		return nil, fmt.Errorf("open sqlite store: data directory %q contains '?'", cfg.Dir)
	}
	switch strings.ToUpper(cfg.Synchronous) {
	case "":
		cfg.Synchronous = "FULL"
	case "FULL", "NORMAL":
		cfg.Synchronous = strings.ToUpper(cfg.Synchronous)
	default:
		return nil, fmt.Errorf("open sqlite store: synchronous must be FULL or NORMAL, not %q", cfg.Synchronous)
	}
	if cfg.BusyTimeout <= 0 {
		cfg.BusyTimeout = 5 * time.Second
	}
	if cfg.ReadConns <= 0 {
		cfg.ReadConns = runtime.NumCPU()
	}
	if cfg.CacheKiB <= 0 {
		cfg.CacheKiB = 8192
	}
	if cfg.OpenTenants <= 0 {
		cfg.OpenTenants = 256
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "tenants"), 0o750); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	sys, err := openDatabase(context.Background(), filepath.Join(cfg.Dir, "system.db"), &cfg, systemLayout)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	log.Debug("sqlite store opened", "dir", cfg.Dir, "synchronous", cfg.Synchronous)
	return &Store{
		cfg: cfg, log: log, system: sys,
		open: map[string]*openDB{}, lru: list.New(),
		deleting: map[string]chan struct{}{}, drained: map[string]chan struct{}{},
	}, nil
}

// Tenant implements [store.Store]. The result is a handle that opens the
// tenant's file when it is used and may be kept as long as the store is
// open: the file itself is in a bounded cache (cache.go).
func (s *Store) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	if !store.ValidTenantID(id) {
		return nil, fmt.Errorf("open tenant %q: not a valid tenant id: %w", id, store.ErrNotFound)
	}
	s.mu.Lock()
	closed, open := s.closed, s.open[id] != nil
	s.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("open tenant %q: %w", id, errClosed)
	}
	if !open {
		if _, err := s.GetTenant(ctx, id); err != nil {
			return nil, fmt.Errorf("open tenant %q: %w", id, err)
		}
	}
	return s.handle(id), nil
}

// handle returns the handle on tenant id, the same each time; it does not
// open the file.
func (s *Store) handle(id string) *tenantStore {
	if h, ok := s.handles.Load(id); ok {
		return h.(*tenantStore)
	}
	h, _ := s.handles.LoadOrStore(id, &tenantStore{s: s, id: id, blobDir: filepath.Join(s.cfg.Dir, "blobs", id)})
	return h.(*tenantStore)
}

// Close implements [store.Store]: it closes every tenant file and the
// system file. A database held at the time is closed under its holder,
// whose operation fails. Calls after the first return nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	open := s.open
	s.open = map[string]*openDB{}
	s.lru.Init()
	s.mu.Unlock()
	var errs []error
	for id, o := range open {
		<-o.ready
		s.closeDB(o)
		if o.closeErr != nil {
			errs = append(errs, fmt.Errorf("close tenant %q: %w", id, o.closeErr))
		}
	}
	if err := s.system.close(); err != nil {
		errs = append(errs, fmt.Errorf("close system database: %w", err))
	}
	s.log.Debug("sqlite store closed", "dir", s.cfg.Dir)
	return errors.Join(errs...)
}
