package store

import (
	"context"
	"time"
)

// Leases is an optional capability of a [Store], found by type assertion:
// named leases that every process using the same database sees, so that
// each piece of background work (an outbox entry, a timer, a job's batch)
// is done by one process at a time. A lease is never handed over: it ends
// by itself once its time is up, so that the work of a process killed
// mid-way is taken again by another. An adapter whose database one
// process alone opens (SQLite) need not offer them.
type Leases interface {
	// TakeLease takes the lease called name for owner, from at for at
	// least ttl and at most twice ttl. It returns false, without an
	// error, when another owner holds it at at; the owner that holds it
	// may take it again, which renews it. ttl must be at least a second,
	// name and owner 1 to [MaxCounterKey] bytes. The processes' clocks
	// must agree within ttl.
	TakeLease(ctx context.Context, name, owner string, ttl time.Duration, at time.Time) (bool, error)
}
