package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
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

	mu      sync.RWMutex
	tenants map[string]*tenantStore // opened lazily, closed by Close
	closed  bool
}

var _ store.Store = (*Store)(nil)

// tenantIDPattern is the engine's rule for tenant ids. It is checked again
// here because ids become file names.
var tenantIDPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

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
	return &Store{cfg: cfg, log: log, system: sys, tenants: map[string]*tenantStore{}}, nil
}

// Tenant implements [store.Store]. The tenant's file is opened on first
// use and kept open until Close.
func (s *Store) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	if !tenantIDPattern.MatchString(id) {
		return nil, fmt.Errorf("open tenant %q: not a valid tenant id: %w", id, store.ErrNotFound)
	}
	s.mu.RLock()
	ts, closed := s.tenants[id], s.closed
	s.mu.RUnlock()
	if closed {
		return nil, fmt.Errorf("open tenant %q: %w", id, errClosed)
	}
	if ts != nil {
		return ts, nil
	}
	if _, err := s.GetTenant(ctx, id); err != nil {
		return nil, fmt.Errorf("open tenant %q: %w", id, err)
	}
	ts, err := s.openTenant(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("open tenant %q: %w", id, err)
	}
	return ts, nil
}

// openTenant opens and caches the file of tenant id, creating it if
// needed. id must match tenantIDPattern.
func (s *Store) openTenant(ctx context.Context, id string) (*tenantStore, error) {
	path := filepath.Join(s.cfg.Dir, "tenants", id+".db")
	db, err := openDatabase(ctx, path, &s.cfg, tenantLayout)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = db.close()
		return nil, errClosed
	}
	if ts := s.tenants[id]; ts != nil { // opened meanwhile by another caller
		_ = db.close()
		return ts, nil
	}
	ts := newTenantStore(id, db)
	ts.blobDir = filepath.Join(s.cfg.Dir, "blobs", id)
	sweepTemp(ts.blobDir, time.Now())
	s.tenants[id] = ts
	s.log.Debug("tenant database opened", "tenant", id, "path", path)
	return ts, nil
}

// forgetTenant closes and drops a cached tenant store.
func (s *Store) forgetTenant(id string) {
	s.mu.Lock()
	ts := s.tenants[id]
	delete(s.tenants, id)
	s.mu.Unlock()
	if ts != nil {
		if err := ts.db.close(); err != nil {
			s.log.Warn("close tenant database", "tenant", id, "err", err)
		}
	}
}

// Close implements [store.Store]: it closes every tenant file and the
// system file. Calls after the first return nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	tenants := s.tenants
	s.tenants = nil
	s.mu.Unlock()
	var errs []error
	for id, ts := range tenants {
		if err := ts.db.close(); err != nil {
			errs = append(errs, fmt.Errorf("close tenant %q: %w", id, err))
		}
	}
	if err := s.system.close(); err != nil {
		errs = append(errs, fmt.Errorf("close system database: %w", err))
	}
	s.log.Debug("sqlite store closed", "dir", s.cfg.Dir)
	return errors.Join(errs...)
}
