package store

import (
	"context"
	"time"
)

// DueIndex is an optional capability of a [Store]: the due-work index of
// the background worker, kept in the system database. Each tenant has at
// most one entry, the time its next background work (a job, timer,
// scheduled run, outbox entry, housekeeping) is due, so that a pass of
// the worker reads the tenants that are due instead of visiting every
// tenant.
//
// Entries move under a conservative rule, because a tenant's database and
// the system database cannot share a transaction: every write transaction
// of a tenant ([TenantStore.WithTx]) that may add due work lowers the
// tenant's entry to [DueAtOnce] before it commits, and marks the entry
// changed again when it ended; only the worker raises an entry, after a
// visit that read the tenant's real queues, and only if no such write
// transaction committed or ran since the worker read the entry
// ([DueIndex.SetDue] with the version read). An entry that is too early
// costs an empty visit; none is ever too late. Which write transactions
// may add due work: all of them, unless the store is told which objects
// hold due work ([DueObjects]).
type DueIndex interface {
	// LowerDue makes tenant's entry at most at: creates it at at, or
	// moves a later one to at (and raises its version). An entry at or
	// before at is left alone.
	LowerDue(ctx context.Context, tenant string, at time.Time) error
	// DueTenants returns at most limit entries due at or before now, the
	// earliest first.
	DueTenants(ctx context.Context, now time.Time, limit int) ([]DueEntry, error)
	// SetDue moves tenant's entry to at, up or down, if its version is
	// still version (nothing lowered it and no write transaction of the
	// tenant ran since [DueIndex.DueTenants] read it), and reports whether
	// it did. A missing entry is not set.
	SetDue(ctx context.Context, tenant string, version int64, at time.Time) (bool, error)
	// EnsureDue gives at most limit tenants that have no entry (those of
	// a data directory or database written before the index existed) an
	// entry at at, and returns how many it gave one; 0 when none is left.
	EnsureDue(ctx context.Context, at time.Time, limit int) (int, error)
}

// DueAtOnce is the time a write transaction lowers its tenant's entry
// to: before any clock's now, so the tenant is due at the next pass.
var DueAtOnce = time.Unix(0, 0).UTC()

// DueEntry is one tenant's entry in a [DueIndex].
type DueEntry struct {
	Tenant string
	At     time.Time
	// Version changes with every change of the entry and every write
	// transaction of the tenant; it is the adapter's to interpret.
	Version int64
}

// DueObjects is an optional capability of a [DueIndex]: the engine names
// the objects whose records hold background work or say when it is due
// (its queues, their schedules, the settings they read). Once told, a
// write transaction lowers its tenant's entry only if it writes records
// of one of them, or object definitions or the metadata revision (which
// may add scheduled work); other write transactions (a deal created with
// no automation that queues anything) cost the due index nothing. Before
// (and in a store never told) every write transaction lowers it.
type DueObjects interface {
	// SetDueObjects names the objects; it replaces the names given
	// before.
	SetDueObjects(objects []string)
}
