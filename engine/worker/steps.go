package worker

import "context"

// Jobs is one tenant's unfinished jobs, as the worker advances them.
type Jobs interface {
	// Advance moves a job on by one batch of its work.
	Advance(ctx context.Context, id string) error
}

// Timer is a due timer: the moment a time automation is due for a record.
type Timer struct {
	ID   string
	Rule string // the automation it fires
}

// Timers is one tenant's due timers, as the worker fires them.
type Timers interface {
	// Fire runs a timer's automation in one transaction; ran is false
	// when it no longer applies (the record or rule is gone, the date
	// moved, the condition is false).
	Fire(ctx context.Context, id string) (ran bool, err error)
	// Cancel closes a timer without running it.
	Cancel(ctx context.Context, id string) error
}

// runJobs advances each of a tenant's unfinished jobs by one batch; the
// first that fails ends the tenant's jobs for this pass.
func runJobs(ctx context.Context, q Queues, tenant string) (int, error) {
	jobs, due, err := q.Jobs(ctx, tenant)
	if err != nil {
		return 0, err
	}
	advanced := 0
	for _, id := range due {
		if err := jobs.Advance(ctx, id); err != nil {
			return advanced, err
		}
		advanced++
	}
	return advanced, nil
}

// fireTimers runs a tenant's due time automations, each in its own
// transaction, and returns how many fired.
func fireTimers(ctx context.Context, q Queues, tenant string, cfg *Config) (int, error) {
	timers, due, err := q.Timers(ctx, tenant, cfg.Batch)
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, t := range due {
		ran, err := timers.Fire(ctx, t.ID)
		if err != nil {
			// A rule that fails (say, it now leaves records invalid) must
			// not block the others: the timer is closed.
			cfg.Logger.WarnContext(ctx, "time automation failed", "tenant", tenant, "timer", t.ID, "rule", t.Rule, "err", err)
			_ = timers.Cancel(ctx, t.ID)
			continue
		}
		if ran {
			fired++
		}
	}
	return fired, nil
}
