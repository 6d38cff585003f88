// Package worker runs the engine's background work: a pass over every
// tenant every interval that advances jobs, runs due scheduled scripts,
// fires due time automations, delivers the outbox and purges expired
// records from the recycle bin. It owns the loop,
// the order of the steps and what a failing one does, the delivery policy
// (a lease while a webhook is in flight, retries with a doubling backoff,
// the dead letter after the last attempt) and the counts of a pass; it
// reaches the engine only through [Queues], which the engine implements,
// and webhooks through a [Deliverer].
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Queues is what the worker needs of the engine: the tenants, one step of
// each queue of a tenant, and a tenant's outbox.
type Queues interface {
	// Tenants lists the tenants a pass visits: those whose work is due
	// (or every tenant, without a due index), at most a bounded number.
	Tenants(ctx context.Context) ([]string, error)
	// Visited is told after a pass visited a tenant, failed if a step
	// of it failed: the tenant's entry in the due index is moved to when
	// its next work is due.
	Visited(ctx context.Context, tenant string, failed bool) error
	// Jobs opens the tenant's jobs and reads the ids of at most 10
	// unfinished ones, the oldest first.
	Jobs(ctx context.Context, tenant string) (Jobs, []string, error)
	// RunScheduled runs the tenant's scheduled scripts that are due and
	// returns how many ran.
	RunScheduled(ctx context.Context, tenant string) (int, error)
	// Timers opens the tenant's timers of time automations and reads at
	// most limit of those that are due, the earliest first.
	Timers(ctx context.Context, tenant string, limit int) (Timers, []Timer, error)
	// Outbox opens the tenant's outbox and reads at most limit entries
	// that are due now, the longest due first.
	Outbox(ctx context.Context, tenant string, limit int) (Outbox, []Entry, error)
	// PurgeExpired removes at most limit records whose retention in the
	// tenant's recycle bin has passed and returns how many.
	PurgeExpired(ctx context.Context, tenant string, limit int) (int, error)
}

// Config tunes the background worker. Zero values take the defaults.
type Config struct {
	Webhooks    Deliverer     // required for webhook actions; without it they wait
	Channels    Sender        // required for deliver entries (e-mail, group robots); without it they wait
	Interval    time.Duration // between passes; default 1s
	Batch       int           // entries and timers per tenant and pass; default 100
	MaxAttempts int           // before an entry is dead; default 10
	BaseBackoff time.Duration // after the first failure, doubled each time; default 10s
	MaxBackoff  time.Duration // default 1h
	// Lease is how long a delivery in progress keeps others off its entry;
	// default 1 minute. A worker that stops mid-delivery leaves the entry
	// to be retried when the lease ends.
	Lease time.Duration
	// Logger; if nil, slog.Default().
	Logger *slog.Logger
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Interval, time.Second)
	def(&c.BaseBackoff, 10*time.Second)
	def(&c.MaxBackoff, time.Hour)
	def(&c.Lease, time.Minute)
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// backoff is the wait after the attempt-th failure.
func (c *Config) backoff(attempt int) time.Duration {
	d := c.BaseBackoff
	for i := 1; i < attempt && d < c.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxBackoff)
}

// Stats counts what one pass did.
type Stats struct {
	Jobs      int // background jobs advanced by a batch
	Scripts   int // scheduled scripts run
	Timers    int // time automations fired
	Delivered int
	Failed    int // attempts that failed and will be retried
	Dead      int // entries given up
	Skipped   int // deliver entries whose channel does not take their kind
	Purged    int // expired records purged from recycle bins
}

// Run fires due time automations and delivers the outbox of q, every
// cfg.Interval, until ctx ends.
func Run(ctx context.Context, q Queues, cfg Config) error {
	cfg.defaults()
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		if _, err := RunDue(ctx, q, cfg); err != nil && ctx.Err() == nil {
			cfg.Logger.ErrorContext(ctx, "worker pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunDue makes one pass over the tenants whose work is due: jobs,
// scheduled scripts and due timers first (they may enqueue actions), then
// due outbox entries and the recycle bin; then it tells q the tenant was
// visited.
func RunDue(ctx context.Context, q Queues, cfg Config) (Stats, error) {
	cfg.defaults()
	var stats Stats
	tenants, err := q.Tenants(ctx)
	if err != nil {
		return stats, fmt.Errorf("worker: list tenants: %w", err)
	}
	var errs []error
	for _, id := range tenants {
		if ctx.Err() != nil {
			break
		}
		before := len(errs)
		nj, err := runJobs(ctx, q, id)
		stats.Jobs += nj
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s jobs: %w", id, err))
		}
		ns, err := q.RunScheduled(ctx, id)
		stats.Scripts += ns
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s scheduled scripts: %w", id, err))
		}
		n, err := fireTimers(ctx, q, id, &cfg)
		stats.Timers += n
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s timers: %w", id, err))
		}
		if err := deliverDue(ctx, q, id, &cfg, &stats); err != nil {
			errs = append(errs, fmt.Errorf("tenant %s outbox: %w", id, err))
		}
		np, err := q.PurgeExpired(ctx, id, cfg.Batch)
		stats.Purged += np
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s recycle bin: %w", id, err))
		}
		if ctx.Err() != nil {
			break // the visit may be cut short: the tenant stays due
		}
		if err := q.Visited(ctx, id, len(errs) > before); err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", id, err))
		}
	}
	return stats, errors.Join(errs...)
}
