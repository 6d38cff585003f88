package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Background jobs: work too long for one request, such as recomputing a
// formula on every record after its expression changed. A job is a
// platform record the worker advances a batch at a time, so admins see
// its progress and a restart resumes it where it stopped.

const jobObject = "crmJob"

// Job kinds and statuses.
const (
	JobRecomputeFormulas = "recomputeFormulas"
	JobPending           = "pending"
	JobRunning           = "running"
	JobDone              = "done"
	JobFailed            = "failed"
)

// jobBatch is how many records one worker pass recomputes per job.
const jobBatch = 200

// staleJob is how long a job run by a process may go without progress
// before the worker takes it for interrupted.
const staleJob = 10 * time.Minute

// Job is a background job and its progress.
type Job struct {
	ID      string
	Kind    string
	Object  string
	Fields  []string
	Status  string
	Total   int64
	Done    int64
	Changed int64
	// Missing counts, in a recomputation of converted amounts, the
	// records left without one for want of an exchange rate.
	Missing    int64
	Error      string
	CreatedAt  string
	FinishedAt string
}

func jobOf(r store.Record) Job {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	n := func(k string) int64 { v, _ := r.Data[k].(float64); return int64(v) }
	j := Job{ID: r.ID, Kind: s("kind"), Object: s("object"), Status: s("status"), Total: n("total"), Done: n("done"),
		Changed: n("changed"), Missing: n("missing"), Error: s("error"), CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout), FinishedAt: s("finishedAt")}
	j.Fields = append(j.Fields, lookupIDs(r.Data["fields"])...)
	return j
}

// changedFormulas lists the formula fields of obj that are new or whose
// expression or result type changed since prev.
func changedFormulas(prev, obj *schema.Object) []string {
	var out []string
	for _, f := range obj.Fields {
		if f.Formula == "" {
			continue
		}
		var before *schema.Field
		if prev != nil {
			before = prev.Field(f.Name)
		}
		if before == nil || before.Formula != f.Formula || before.Kind() != f.Kind() || !reflect.DeepEqual(before.Schema, f.Schema) {
			out = append(out, f.Name)
		}
	}
	return out
}

// Jobs lists the tenant's background jobs, newest first. Administrators
// only.
func (e *Engine) Jobs(ctx context.Context, first int) ([]Job, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "job.adminOnlyRead")
	}
	if first <= 0 || first > MaxPageSize {
		first = DefaultPageSize
	}
	jobs := snap.platform[jobObject]
	if jobs == nil {
		return nil, nil
	}
	page, err := ts.Find(ctx, jobs, store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: first})
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	out := make([]Job, len(page.Records))
	for i, r := range page.Records {
		out[i] = jobOf(r)
	}
	return out, nil
}

// startBatches starts a job that walks obj's records in batches: it
// counts them into next's total and marks the job running.
func startBatches(ctx context.Context, ts store.TenantStore, obj *schema.Object, next map[string]any) error {
	n, err := ts.Count(ctx, obj, nil)
	if err != nil {
		return fmt.Errorf("count %s records: %w", obj.Name, err)
	}
	next["total"], next["status"] = float64(n), JobRunning
	return nil
}

// nextBatch reads the next batch of obj's records a job walks in id
// order: those after the last one it did (its data's "after").
func nextBatch(ctx context.Context, ts store.TenantStore, obj *schema.Object, j store.Record) (store.Page, error) {
	after, _ := j.Data["after"].(string)
	q := store.Query{Sort: []store.Sort{{Field: "id"}}, Limit: jobBatch}
	if after != "" {
		q.After = &store.Position{Values: []any{after}, ID: after}
	}
	page, err := ts.Find(ctx, obj, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("read %s records: %w", obj.Name, err)
	}
	return page, nil
}

// advanceJob moves a job on by one batch of its work (see [Engine.Queues]).
func (e *Engine) advanceJob(ctx context.Context, ts store.TenantStore, w *writer, jobs *schema.Object, j store.Record) error {
	job := jobOf(j)
	next := j
	next.Data = cloneMap(j.Data)
	finish := func(status, msg string) {
		next.Data["status"] = status
		next.Data["finishedAt"] = e.stamp().Format(schema.DateTimeLayout)
		if msg != "" {
			next.Data["error"] = truncate(msg, 2000)
		}
	}
	obj := w.snap.catalog.Object(job.Object)
	switch {
	case job.Kind == JobInstallTemplate || job.Kind == JobImport || job.Kind == JobMassChange || job.Kind == JobExport:
		if job.Status == JobRunning && e.stamp().Sub(j.UpdatedAt) < staleJob {
			return nil // running in the process that started it
		}
		finish(JobFailed, errInterrupted.Error())
	case job.Kind == JobCustomerValue:
		if err := e.advanceValueJob(ctx, ts, w, j, next.Data, finish); err != nil {
			return err
		}
	case job.Kind == JobDuplicateKeys:
		if err := e.advanceDuplicateJob(ctx, ts, w, j, next.Data, finish); err != nil {
			return err
		}
	case job.Kind == JobScheduleTimers:
		if err := e.advanceTimerJob(ctx, ts, w, j, next.Data, finish); err != nil {
			return err
		}
	case job.Kind != JobRecomputeFormulas && job.Kind != JobRecomputeConverted:
		finish(JobFailed, "unknown job kind "+job.Kind)
	case obj == nil:
		finish(JobFailed, fmt.Sprintf("object %q no longer exists", job.Object))
	default:
		if job.Status == JobPending {
			if err := startBatches(ctx, ts, obj, next.Data); err != nil {
				return err
			}
		}
		page, err := nextBatch(ctx, ts, obj, j)
		if err != nil {
			return err
		}
		// The tenant's currency as stored now: this pass's snapshot may
		// predate the change that started the job.
		var tenant string
		if job.Kind == JobRecomputeConverted {
			st, err := tenantSettingsIn(ctx, ts, w.snap.platform[settingObject])
			if err != nil {
				return err
			}
			tenant = st.Currency
		}
		book := newRateBook(ts, w.snap)
		for _, r := range page.Records {
			var changed bool
			err := ts.WithTx(ctx, func(tx store.Tx) error {
				cur, err := tx.Get(ctx, obj, r.ID)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				} else if err != nil {
					return err
				}
				data := cloneMap(cur.Data)
				if job.Kind == JobRecomputeConverted {
					_, missing, err := w.convertAmounts(ctx, book, obj, data, cur.CreatedAt, tenant, true)
					if err != nil {
						return err
					}
					if missing > 0 {
						job.Missing++
						next.Data["missing"] = float64(job.Missing)
					}
				}
				if err := w.formulas(ctx, obj, &cur, data); err != nil {
					return err
				}
				if reflect.DeepEqual(data, cur.Data) {
					return nil
				}
				changed = true
				return w.storeComputed(ctx, tx, obj, cur, data, "job:"+job.ID)
			})
			if err != nil {
				finish(JobFailed, fmt.Sprintf("record %s: %v", r.ID, err))
				break
			}
			next.Data["done"] = float64(job.Done) + 1
			job.Done++
			if changed {
				job.Changed++
				next.Data["changed"] = float64(job.Changed)
			}
			next.Data["after"] = r.ID
		}
		if next.Data["status"] == JobRunning && !page.HasMore {
			finish(JobDone, "")
		}
	}
	next.Version, next.UpdatedAt = j.Version+1, e.stamp()
	err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, jobs, next, j.Version) })
	if errors.Is(err, store.ErrConflict) {
		return nil // another worker advanced it
	}
	return err
}

// enqueueFormulaJob starts recomputing the given formulas of obj on every
// record, in tx (the transaction that saves the definition).
func (e *Engine) enqueueFormulaJob(ctx context.Context, tx store.Tx, jobs *schema.Object, a Actor, obj string, fields []string) error {
	return e.enqueueJob(ctx, tx, jobs, a, JobRecomputeFormulas, obj, fields)
}

// enqueueJob starts a job of kind that visits every record of obj (see
// advanceJob), in tx.
func (e *Engine) enqueueJob(ctx context.Context, tx store.Tx, jobs *schema.Object, a Actor, kind, obj string, fields []string) error {
	now := e.stamp()
	list := make([]any, len(slices.Clone(fields)))
	for i, f := range fields {
		list[i] = f
	}
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID,
		Data: map[string]any{"kind": kind, "object": obj, "fields": list, "status": JobPending, "total": 0.0, "done": 0.0, "changed": 0.0}}
	return tx.Insert(ctx, jobs, rec)
}

// ownJob reads the job jobID of kind for its starter or an administrator;
// to anyone else, for another kind and for no such job it is notFound.
func ownJob(ctx context.Context, sc scope, jobID, kind string, notFound error) (Job, error) {
	jobs := sc.snap.platform[jobObject]
	if jobs == nil {
		return Job{}, notFound
	}
	rec, err := sc.ts.Get(ctx, jobs, jobID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Job{}, notFound
	case err != nil:
		return Job{}, fmt.Errorf("read %s job %s: %w", kind, jobID, err)
	}
	if job := jobOf(rec); job.Kind == kind && (rec.CreatedBy == sc.actor.ID || sc.actor.Admin) {
		return job, nil
	}
	return Job{}, notFound
}
