package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/crmkit/crm/store"
)

// The due-work index ([store.DueIndex]) is the table due_index of
// system.db. A write transaction counts itself in its tenant's dueWork
// while it runs (beginWork, endWork). A batch of the group commit writer
// (writer.go) that may add due work — one that wrote records of the
// objects named by SetDueObjects, object definitions or the metadata
// revision; every batch before SetDueObjects is called — lowers the
// tenant's entry to store.DueAtOnce just before its COMMIT (dueHook.before)
// and, in a process that runs no worker, again after it (dueHook.after).
// A batch of other writes (a deal created with nothing queued) touches
// system.db not at all: those writes add no work the worker looks for.
//
// In the process that runs the worker (the first to call DueTenants),
// Store keeps a copy of the entries it wrote (dueSeen), so that lowering
// an entry that is already as early costs no write: with one server on a
// data directory, only its worker raises entries, and it updates the copy
// when it does. A write transaction that ran while the worker visited
// its tenant is seen in dueWork, which SetDue checks besides the stored
// version. Other processes on the data directory (commands such as crm
// import, a server with --worker=false) keep no copy: each of their
// batches that may add due work lowers the stored entry before its
// commit and again after it, which changes the stored version: a worker
// that read the entry, or read the queues, before the commit cannot
// raise the entry over the batch's work.

// dueWork counts one tenant's write transactions in this process.
type dueWork struct {
	touched  atomic.Int64 // raised when one starts and when one ends
	inflight atomic.Int64 // running now
}

func (s *Store) dueWorkOf(tenant string) *dueWork {
	if w, ok := s.dueWork.Load(tenant); ok {
		return w.(*dueWork)
	}
	w, _ := s.dueWork.LoadOrStore(tenant, &dueWork{})
	return w.(*dueWork)
}

// beginWork is called before a write transaction of tenant starts,
// endWork when it ended: they count it for SetDue.
func (s *Store) beginWork(tenant string) *dueWork {
	w := s.dueWorkOf(tenant)
	w.touched.Add(1)
	w.inflight.Add(1)
	return w
}

func (s *Store) endWork(w *dueWork) {
	w.inflight.Add(-1)
	w.touched.Add(1)
}

// SetDueObjects implements [store.DueObjects].
func (s *Store) SetDueObjects(objects []string) {
	set := make(map[string]bool, len(objects))
	for _, o := range objects {
		set[o] = true
	}
	s.dueObjects.Store(&set)
}

// dueHook is how a tenant's group commit writer tells the due index
// about its batches.
type dueHook struct {
	s      *Store
	tenant string
}

// adds reports whether a batch that wrote the records of objects (and
// object definitions or the metadata revision, if meta) may add due
// work.
func (h *dueHook) adds(objects map[string]bool, meta bool) bool {
	set := h.s.dueObjects.Load()
	if set == nil || meta {
		return true
	}
	for o := range objects {
		if (*set)[o] {
			return true
		}
	}
	return false
}

// before lowers the tenant's entry before the batch commits; the batch
// fails if it cannot.
func (h *dueHook) before() error {
	return h.s.LowerDue(context.Background(), h.tenant, store.DueAtOnce)
}

// after lowers the entry again once the batch committed (or failed), in
// a process that runs no worker (the worker's process sees its own
// writes in dueWork).
func (h *dueHook) after() {
	if h.s.dueWorker.Load() {
		return
	}
	if err := h.s.lowerDue(context.Background(), h.tenant, store.DueAtOnce); err != nil {
		h.s.log.Warn("lower the due time of a tenant after a write", "tenant", h.tenant, "err", err)
	}
}

// dueIndexTable is created in system.db (systemSchema).
const dueIndexTable = `CREATE TABLE IF NOT EXISTS due_index (
	tenant TEXT PRIMARY KEY NOT NULL,
	due_at TEXT NOT NULL,
	version INTEGER NOT NULL
)`

const dueIndexOrder = `CREATE INDEX IF NOT EXISTS due_index_at ON due_index (due_at, tenant)`

var _ store.DueIndex = (*Store)(nil)

// LowerDue implements [store.DueIndex].
func (s *Store) LowerDue(ctx context.Context, tenant string, at time.Time) error {
	if seen, ok := s.dueSeen.Load(tenant); ok && s.dueWorker.Load() && seen.(string) <= store.FormatTime(at) {
		return nil
	}
	return s.lowerDue(ctx, tenant, at)
}

// lowerDue lowers the stored entry, raising its version even when it is
// already as early (so that the worker's SetDue sees a write of another
// process).
func (s *Store) lowerDue(ctx context.Context, tenant string, at time.Time) error {
	text := store.FormatTime(at)
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO due_index (tenant, due_at, version) VALUES (?, ?, 1)
			ON CONFLICT (tenant) DO UPDATE SET due_at = min(due_at, excluded.due_at), version = version + 1`, tenant, text)
		if err != nil {
			return store.ContextError(ctx, err)
		}
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT due_at FROM due_index WHERE tenant = ?`, tenant).Scan(&cur); err != nil {
			return store.ContextError(ctx, err)
		}
		s.dueSeen.Store(tenant, cur)
		return nil
	})
	if err != nil {
		s.dueSeen.Delete(tenant)
		return fmt.Errorf("lower the due time of tenant %q: %w", tenant, err)
	}
	return nil
}

// DueTenants implements [store.DueIndex]. The process that calls it is
// taken to run the worker (see above).
func (s *Store) DueTenants(ctx context.Context, now time.Time, limit int) ([]store.DueEntry, error) {
	s.dueWorker.Store(true)
	// The write transactions counted before the entries are read: one
	// that starts or ends after makes SetDue refuse.
	touched := map[string]int64{}
	s.dueWork.Range(func(k, v any) bool {
		touched[k.(string)] = v.(*dueWork).touched.Load()
		return true
	})
	rows, err := s.system.reader.QueryContext(ctx, `SELECT tenant, due_at, version FROM due_index WHERE due_at <= ? ORDER BY due_at, tenant LIMIT ?`,
		store.FormatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read due tenants: %w", store.ContextError(ctx, err))
	}
	defer rows.Close()
	var out []store.DueEntry
	for rows.Next() {
		var (
			e  store.DueEntry
			at string
		)
		if err := rows.Scan(&e.Tenant, &at, &e.Version); err != nil {
			return nil, fmt.Errorf("read due tenants: %w", err)
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return nil, fmt.Errorf("read due tenants: %w", err)
		}
		s.dueRead.Store(e.Tenant, dueRead{version: e.Version, touched: touched[e.Tenant]})
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read due tenants: %w", store.ContextError(ctx, err))
	}
	return out, nil
}

// dueRead is what DueTenants read of an entry and of the tenant's write
// transactions.
type dueRead struct{ version, touched int64 }

// SetDue implements [store.DueIndex].
func (s *Store) SetDue(ctx context.Context, tenant string, version int64, at time.Time) (bool, error) {
	r, ok := s.dueRead.Load(tenant)
	if !ok || r.(dueRead).version != version {
		return false, nil // not read by DueTenants of this process
	}
	// The copy goes first: a write counted after the check below then
	// finds no copy (or the raised one) and lowers the stored entry, which
	// either makes the update below fail or comes after it.
	s.dueSeen.Delete(tenant)
	w := s.dueWorkOf(tenant)
	if w.inflight.Load() > 0 || w.touched.Load() != r.(dueRead).touched {
		return false, nil // written since
	}
	text := store.FormatTime(at)
	var set bool
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE due_index SET due_at = ?, version = version + 1 WHERE tenant = ? AND version = ?`, text, tenant, version)
		if err != nil {
			return store.ContextError(ctx, err)
		}
		n, err := res.RowsAffected()
		set = n > 0
		return err
	})
	if err != nil {
		s.dueSeen.Delete(tenant)
		return false, fmt.Errorf("set the due time of tenant %q: %w", tenant, err)
	}
	if set {
		s.dueSeen.Store(tenant, text)
	} else {
		s.dueSeen.Delete(tenant) // lowered meanwhile: the next lowering writes
	}
	return set, nil
}

// EnsureDue implements [store.DueIndex].
func (s *Store) EnsureDue(ctx context.Context, at time.Time, limit int) (int, error) {
	var n int64
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO due_index (tenant, due_at, version)
			SELECT id, ?, 1 FROM tenants WHERE id NOT IN (SELECT tenant FROM due_index) ORDER BY id LIMIT ?`, store.FormatTime(at), limit)
		if err != nil {
			return store.ContextError(ctx, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("give tenants an entry in the due index: %w", err)
	}
	return int(n), nil
}
