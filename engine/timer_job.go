package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// JobScheduleTimers schedules an object's time automations for the
// records already there, after a time rule was added, switched on or
// moved to another date field or offset (an administrator's edit or a
// template upgrade that brings a reminder). Writes keep timers in step
// from then on; this job reaches the records nobody writes. A rule
// reminds of dates still ahead: a record whose moment has passed when the
// job reaches it gets no timer, so adding "3 days before the contract
// ends" does not fire at once for every contract that ended last year.
const JobScheduleTimers = "scheduleTimers"

// timeRulesChanged reports whether obj has an active time rule that prev
// did not have in the same form: new, switched on, or due at another
// moment. Rules switched off or removed need no job: their timers do not
// fire (see [writer.fireTimer]).
func timeRulesChanged(prev, obj *schema.Object) bool {
	before := map[string]schema.Trigger{}
	for _, au := range prev.Automations {
		if au.Event == schema.EventTime && au.Active {
			before[au.Name] = au.Trigger
		}
	}
	for _, au := range obj.Automations {
		if au.Event != schema.EventTime || !au.Active {
			continue
		}
		was, ok := before[au.Name]
		if !ok || was.DateField != au.DateField || was.OffsetDays != au.OffsetDays || was.OffsetHours != au.OffsetHours || was.Offset != au.Offset {
			return true
		}
	}
	return false
}

// enqueueTimerJob starts scheduling obj's time rules for its records in
// tx, unless such a job is waiting already.
func (e *Engine) enqueueTimerJob(ctx context.Context, tx store.Tx, jobs *schema.Object, by, object string) error {
	open := store.Filter{And: []store.Filter{store.Leaf("kind", store.OpEq, JobScheduleTimers), store.Leaf("object", store.OpEq, object),
		store.Leaf("status", store.OpEq, JobPending)}}
	page, err := tx.Find(ctx, jobs, store.Query{Filter: &open, Limit: 1})
	if err != nil {
		return fmt.Errorf("find timer jobs of %s: %w", object, err)
	}
	if len(page.Records) > 0 {
		return nil
	}
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by,
		Data: map[string]any{"kind": JobScheduleTimers, "object": object, "status": JobPending, "total": 0.0, "done": 0.0, "changed": 0.0}}
	return tx.Insert(ctx, jobs, rec)
}

// advanceTimerJob moves a timer job on by one batch of records, into
// next's data; finish ends it. Each record's timers are brought in line
// in a transaction of their own batch, as a write would, except that
// moments already past are left alone.
func (e *Engine) advanceTimerJob(ctx context.Context, ts store.TenantStore, w *writer, j store.Record, next map[string]any, finish func(status, msg string)) error {
	job := jobOf(j)
	obj := w.snap.catalog.Object(job.Object)
	if obj == nil {
		finish(JobFailed, fmt.Sprintf("object %q no longer exists", job.Object))
		return nil
	}
	if w.timers == nil {
		finish(JobDone, "")
		return nil
	}
	if job.Status == JobPending {
		return startBatches(ctx, ts, obj, next)
	}
	page, err := nextBatch(ctx, ts, obj, j)
	if err != nil {
		return err
	}
	now := e.stamp()
	scheduled := 0
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range page.Records {
			cur, err := tx.Get(ctx, obj, r.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue // deleted since the page was read
			} else if err != nil {
				return fmt.Errorf("read %s %q: %w", obj.Name, r.ID, err)
			}
			n, err := w.scheduleTimersFrom(ctx, tx, obj, cur, now)
			if err != nil {
				return err
			}
			scheduled += n
		}
		return nil
	})
	if err != nil {
		finish(JobFailed, err.Error())
		return nil
	}
	if n := len(page.Records); n > 0 {
		next["done"] = float64(job.Done) + float64(n)
		next["changed"] = float64(job.Changed) + float64(scheduled)
		next["after"] = page.Records[n-1].ID
	}
	if !page.HasMore {
		finish(JobDone, "")
	}
	return nil
}
