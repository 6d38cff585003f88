package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Jobs the engine runs in the process that starts them (a template
// install with thousands of sample records): a job record shows their
// progress to admins; one that a stop interrupted is marked failed by the
// worker, with the reason.

// JobInstallTemplate is the kind of a template install run in the
// background.
const JobInstallTemplate = "installTemplate"

// JobFunc does a job's work, reporting progress as it goes.
type JobFunc func(ctx context.Context, progress func(done, total int)) error

// StartJob records a job and runs fn in the background as the actor of
// ctx; it returns at once. Administrators only.
func (e *Engine) StartJob(ctx context.Context, kind, subject string, fn JobFunc) (Job, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Job{}, err
	}
	if !sc.actor.Admin {
		return Job{}, errorOf(ErrForbidden, nil, "job.adminOnlyStart")
	}
	return e.runJob(ctx, sc, kind, subject, func(ctx context.Context, progress func(done, total int)) (int, error) {
		return 0, fn(ctx, progress)
	})
}

// runJob records a job and runs fn in the background as sc's actor;
// what fn returns it counts as the records the job changed.
func (e *Engine) runJob(ctx context.Context, sc scope, kind, subject string, fn func(ctx context.Context, progress func(done, total int)) (changed int, err error)) (Job, error) {
	a, ts, snap := sc.actor, sc.ts, sc.snap
	jobs, err := e.platformObject(ctx, ts, snap, jobObject)
	if err != nil {
		return Job{}, err
	}
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID,
		Data: map[string]any{"kind": kind, "object": subject, "status": JobRunning, "total": 0.0, "done": 0.0, "changed": 0.0}}
	if err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, jobs, rec) }); err != nil {
		return Job{}, fmt.Errorf("start job: %w", err)
	}
	bg := detach(ctx) // the job outlives the request that started it
	var mu sync.Mutex
	update := func(change func(d map[string]any)) {
		mu.Lock()
		defer mu.Unlock()
		cur, err := ts.Get(bg, jobs, rec.ID)
		if err != nil {
			return
		}
		next := cur
		next.Data = cloneMap(cur.Data)
		change(next.Data)
		next.Version, next.UpdatedAt = cur.Version+1, e.stamp()
		if err := ts.WithTx(bg, func(tx store.Tx) error { return tx.Update(bg, jobs, next, cur.Version) }); err != nil {
			e.log.Warn("job progress", "job", rec.ID, "err", err)
		}
	}
	go func() {
		changed, err := fn(bg, func(done, total int) {
			update(func(d map[string]any) { d["done"], d["total"] = float64(done), float64(total) })
		})
		update(func(d map[string]any) {
			d["status"], d["finishedAt"] = JobDone, e.stamp().Format(schema.DateTimeLayout)
			d["changed"] = float64(changed)
			if done, _ := d["done"].(float64); done > 0 && err == nil {
				d["total"] = done // estimates of the work give way to what was done
			}
			if err != nil {
				d["status"], d["error"] = JobFailed, truncate(PublicMessage(err, "en"), 2000)
				e.log.Error("job failed", "tenant", a.TenantID, "job", rec.ID, "kind", kind, "err", err)
			}
		})
	}()
	return jobOf(rec), nil
}

// errInterrupted marks jobs a stop cut short.
var errInterrupted = errors.New("interrupted: the server stopped while it ran; start it again")
