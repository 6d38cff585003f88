package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/crmkit/crm/store"
)

// journalSizeLimit bounds the WAL file left behind after a checkpoint
// (D4): 64 MiB.
const journalSizeLimit = 64 << 20

// database is one SQLite file with its two pools: a writer pool of exactly
// one connection (so writers queue in Go instead of fighting over the file
// lock) and a bounded pool of read-only connections.
type database struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	// readStmts are the prepared statements of the reader pool.
	readStmts *stmtCache
	// gate lets reads of records into the reader pool in arrival order
	// (readgate.go).
	gate *readGate
	// writes is the group commit writer (writer.go) of a tenant file,
	// started by the first WithTx; the system file writes through withTx.
	writes     *groupWriter
	writesOnce sync.Once
	// shm reads the write-ahead log index's header; rev is the metadata
	// revision last read and the header it was read under (walstamp.go).
	shm *shmFile
	rev keptRevision
}

// group returns the database's group commit writer, starting it if
// needed (with due, which tells the due index of its batches); nil once
// the database is closed.
func (d *database) group(due *dueHook) *groupWriter {
	d.writesOnce.Do(func() { d.writes = newGroupWriter(d.writer, due, newCheckpointer(d.reader, d.shm)) })
	return d.writes
}

// dsn builds the driver's data source name. busy_timeout comes first so
// that no later pragma can fail with SQLITE_BUSY (the driver also applies
// it first, whatever the order).
func dsn(path string, cfg *Config, writer bool) string {
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(cfg.BusyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(0)",
		"synchronous(" + cfg.Synchronous + ")",
		"cache_size(-" + strconv.Itoa(cfg.CacheKiB) + ")",
		"temp_store(memory)",
		"journal_size_limit(" + strconv.Itoa(journalSizeLimit) + ")",
		// Note: no memory map. Each connection mapped up to 256 MiB of the
		// file, and the pages one touched counted in the process's memory
		// once per connection (a tenant of 89 MiB: 205 MiB of file pages
		// in RSS after 32 clients' reads, 30 MiB without a map); reads
		// go through the page cache above and the system's file cache,
		// at the same CPU a request (docs/performance.md, "Lists (issue
		// 20)").
		"mmap_size(0)",
	}
	if writer {
		// journal_mode is persistent; the writer sets it before any reader
		// connects.
		pragmas = append(pragmas, "journal_mode(WAL)")
	} else {
		pragmas = append(pragmas, "query_only(1)")
	}
	var b strings.Builder
	b.WriteString(path)
	b.WriteByte('?')
	for _, p := range pragmas {
		b.WriteString("_pragma=")
		b.WriteString(p)
		b.WriteByte('&')
	}
	b.WriteString("_txlock=immediate")
	return b.String()
}

// layout is what one kind of file holds: what a new file gets, and how
// files written by earlier builds are brought up to date.
type layout struct {
	// version is the user_version of files this build writes.
	version int
	// stmts create what a new file needs; they must be idempotent (IF NOT
	// EXISTS), as they run on every open.
	stmts []string
	// migrations change files written by earlier builds: the one of
	// version v runs when a file's version is below v, after stmts and in
	// version order.
	migrations map[int]migration
}

// migration is one version's change to older files. Both parts run in the
// transaction that also sets the new version, so a file is migrated
// completely or not at all.
type migration struct {
	// stmts are fixed statements, run first.
	stmts []string
	// run does what depends on the file's contents, such as changing every
	// record table; nil if there is nothing of the kind.
	run func(ctx context.Context, tx *sql.Tx) error
	// compact: the migration leaves the pages of what it rebuilt free, so
	// the file is rewritten without them (VACUUM) once it is committed.
	compact bool
}

// openDatabase opens (creating if needed) the file at path and sets it up
// as lay says, in one transaction on the writer.
func openDatabase(ctx context.Context, path string, cfg *Config, lay layout) (*database, error) {
	return openDatabaseAs(ctx, path, cfg, &lay)
}

// openDatabaseAs is openDatabase; a nil lay opens a file that this
// process already set up (a tenant reopened after the cache closed it),
// which saves a write transaction and its sync.
func openDatabaseAs(ctx context.Context, path string, cfg *Config, lay *layout) (*database, error) {
	// Held before any connection opens and given back after all closed
	// (walstamp.go).
	shm := holdShm(path)
	db, err := openPools(ctx, path, cfg, lay)
	if err != nil {
		releaseShm(shm)
		return nil, err
	}
	db.shm = shm
	return db, nil
}

func openPools(ctx context.Context, path string, cfg *Config, lay *layout) (*database, error) {
	w, err := sql.Open("sqlite", dsn(path, cfg, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if lay != nil {
		if err := initSchema(ctx, w, *lay); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	} else if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, cfg, false))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(cfg.ReadConns)
	r.SetMaxIdleConns(cfg.ReadConns)
	// Idle readers of quiet tenants give their page cache back.
	r.SetConnMaxIdleTime(5 * time.Minute)
	if err := r.PingContext(ctx); err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &database{path: path, writer: w, reader: r, readStmts: newStmtCache(r.PrepareContext), gate: newReadGate(cfg.ReadConns)}, nil
}

// initSchema creates what lay.stmts create (idempotently), then runs the
// migrations of every version above the file's, in order, and sets the
// file's version to lay.version.
func initSchema(ctx context.Context, w *sql.DB, lay layout) error {
	var from int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for version := from + 1; version <= lay.version; version++ {
		if lay.migrations[version].compact {
			// A rebuild sorts index entries and VACUUM copies the file in
			// temporary storage: on disk, not in memory (temp_store), so
			// that memory does not grow with the file. The writer has one
			// connection: this is it.
			if _, err := w.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
				return fmt.Errorf("set up schema: %w", err)
			}
			defer func() { _, _ = w.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY") }()
			break
		}
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin schema setup: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > lay.version {
		return fmt.Errorf("set up schema: file has schema version %d, this build knows %d", v, lay.version)
	}
	for _, s := range lay.stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("set up schema: %w", err)
		}
	}
	for version := v + 1; version <= lay.version; version++ {
		m := lay.migrations[version]
		for _, s := range m.stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("migrate schema to version %d: %w", version, err)
			}
		}
		if m.run != nil {
			if err := m.run(ctx, tx); err != nil {
				return fmt.Errorf("migrate schema to version %d: %w", version, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(lay.version)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit schema setup: %w", err)
	}
	for version := v + 1; version <= lay.version; version++ {
		if lay.migrations[version].compact {
			// Note: a crash during VACUUM leaves the file migrated with
			// its free pages, which SQLite fills again as records come.
			if _, err := w.ExecContext(ctx, "VACUUM"); err != nil {
				return fmt.Errorf("compact after migrating to version %d: %w", version, err)
			}
			break
		}
	}
	return nil
}

// close stops the group commit writer (the writes queued before are run
// and committed; later ones fail) and closes both pools.
func (d *database) close() error {
	d.writesOnce.Do(func() {}) // no writer may start from now on
	if d.writes != nil {
		d.writes.close()
	}
	err := errors.Join(d.readStmts.close(), d.reader.Close(), d.writer.Close())
	releaseShm(d.shm)
	return err
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE through the
// DSN's _txlock) on the writer connection. A panic in fn rolls back and
// keeps unwinding; fn's error is returned as is.
func (d *database) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", store.ContextError(ctx, err))
	}
	finished := false
	defer func() {
		if !finished { // fn panicked
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		finished = true
		_ = tx.Rollback()
		return err
	}
	finished = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", store.ContextError(ctx, err))
	}
	return nil
}

// querier is what record and metadata code needs of a pool or a
// transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString quotes an SQL string literal.
func quoteString(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// stmtCache keeps the prepared statements of fixed text (those of single
// records; filtered queries are prepared each time): preparing one costs
// about as much as running it.
type stmtCache struct {
	prepare func(ctx context.Context, text string) (*sql.Stmt, error)
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	varying int       // how many of m are of varying text (record.go)
	walks   walkCache // answers of pages' range probes (walkcache.go)
}

func newStmtCache(prepare func(ctx context.Context, text string) (*sql.Stmt, error)) *stmtCache {
	return &stmtCache{prepare: prepare, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, text string) (*sql.Stmt, error) {
	c.mu.Lock()
	s := c.m[text]
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := c.prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[text]; prev != nil { // prepared meanwhile
		_ = s.Close()
		return prev, nil
	}
	c.m[text] = s
	return s, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, s := range c.m {
		errs = append(errs, s.Close())
	}
	c.m = map[string]*sql.Stmt{}
	c.varying = 0
	return errors.Join(errs...)
}
