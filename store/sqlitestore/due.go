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
// system.db. Every write transaction lowers its tenant's entry to
// store.DueAtOnce before it starts (beginWork) and counts itself in the
// tenant's dueWork while it runs.
//
// In the process that runs the worker (the first to call DueTenants),
// Store keeps a copy of the entries it wrote (dueSeen), so that lowering
// an entry that is already as early costs no write: with one server on a
// data directory, only its worker raises entries, and it updates the copy
// when it does. A write transaction that ran while the worker visited
// its tenant is seen in dueWork, which SetDue checks besides the stored
// version. Other processes on the data directory (commands such as crm
// import) keep no copy: each of their write transactions lowers the
// stored entry when it starts and again when it ends, which changes its
// stored version.

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

// beginWork is called before a write transaction of tenant starts: it
// lowers the tenant's entry; endWork is called when it ended.
func (s *Store) beginWork(ctx context.Context, tenant string) (*dueWork, error) {
	w := s.dueWorkOf(tenant)
	w.touched.Add(1)
	w.inflight.Add(1)
	if err := s.LowerDue(ctx, tenant, store.DueAtOnce); err != nil {
		s.endWork(ctx, tenant, w)
		return nil, err
	}
	return w, nil
}

func (s *Store) endWork(ctx context.Context, tenant string, w *dueWork) {
	w.inflight.Add(-1)
	w.touched.Add(1)
	if s.dueWorker.Load() {
		return // the worker's SetDue sees touched
	}
	if err := s.lowerDue(context.WithoutCancel(ctx), tenant, store.DueAtOnce); err != nil {
		s.log.Warn("lower the due time of a tenant after a write", "tenant", tenant, "err", err)
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
