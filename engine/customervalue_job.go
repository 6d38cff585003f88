package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The customer value job: started on demand (RecomputeCustomerValue) or
// by the object's schedule (x-crm-customerValue "schedule", daily by
// default), advanced by the worker like every job. Its first step reads
// the window's orders once to cut the quintiles and the grade (kept in
// the job as its scale); each further step values one page of customers
// by id, reading only their orders, and writes the customers whose values
// changed through the engine's write path as the actor "system": the
// audit trail records every change (a lifecycle move is an audit entry
// with the old and new stage), the customer's automations and the
// roll-ups over it follow.

// JobCustomerValue is the kind of a customer value job.
const JobCustomerValue = "customerValue"

// valueActor writes customer values.
func valueActor(tenantID string) Actor {
	return Actor{TenantID: tenantID, ID: "system", Admin: true}
}

// RecomputeCustomerValue starts computing the customer value of object (an
// object with x-crm-customerValue) now and returns its job, whose
// progress [Engine.Jobs] shows; a run already waiting or under way for
// the object is returned instead of starting another. Administrators
// only.
func (e *Engine) RecomputeCustomerValue(ctx context.Context, object string) (Job, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return Job{}, err
	}
	if !sc.actor.Admin {
		return Job{}, errorOf(ErrForbidden, nil, "customerValue.adminOnlyRecompute")
	}
	if _, err := resolveCustomerValue(sc.snap, sc.obj); err != nil {
		return Job{}, err
	}
	jobs, err := e.platformObject(ctx, sc.ts, sc.snap, jobObject)
	if err != nil {
		return Job{}, err
	}
	var job store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		job, err = e.enqueueValueJob(ctx, tx, jobs, sc.actor.ID, object)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("start customer value of %s: %w", object, err)
	}
	return jobOf(job), nil
}

// enqueueValueJob adds a pending customer value job for object in tx,
// unless one is pending or running: then that one is returned.
func (e *Engine) enqueueValueJob(ctx context.Context, tx store.Tx, jobs *schema.Object, by, object string) (store.Record, error) {
	open := store.Filter{And: []store.Filter{store.Leaf("kind", store.OpEq, JobCustomerValue), store.Leaf("object", store.OpEq, object),
		store.Leaf("status", store.OpIn, []any{JobPending, JobRunning})}}
	page, err := tx.Find(ctx, jobs, store.Query{Filter: &open, Limit: 1})
	if err != nil {
		return store.Record{}, err
	}
	if len(page.Records) > 0 {
		return page.Records[0], nil
	}
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by,
		Data: map[string]any{"kind": JobCustomerValue, "object": object, "status": JobPending, "total": 0.0, "done": 0.0, "changed": 0.0}}
	return rec, tx.Insert(ctx, jobs, rec)
}

// advanceValueJob moves a customer value job on by one step, into next's
// data; finish ends it.
func (e *Engine) advanceValueJob(ctx context.Context, ts store.TenantStore, w *writer, j store.Record, next map[string]any, finish func(status, msg string)) error {
	job := jobOf(j)
	obj := w.snap.catalog.Object(job.Object)
	if obj == nil {
		finish(JobFailed, fmt.Sprintf("object %q no longer exists", job.Object))
		return nil
	}
	vc, err := resolveCustomerValue(w.snap, obj)
	if err != nil {
		finish(JobFailed, PublicMessage(err, "en"))
		return nil
	}
	if job.Status == JobPending {
		n, err := ts.Count(ctx, obj, nil)
		if err != nil {
			return err
		}
		scale, err := vc.measureScale(ctx, ts, dayOf(e.stamp(), vc.zone))
		if err != nil {
			return err
		}
		b, err := json.Marshal(scale)
		if err != nil {
			return err
		}
		var state map[string]any
		if err := json.Unmarshal(b, &state); err != nil {
			return err
		}
		next["state"], next["total"], next["status"] = state, float64(n), JobRunning
		return nil
	}
	var scale valueScale
	raw, _ := json.Marshal(j.Data["state"])
	if err := json.Unmarshal(raw, &scale); err != nil || scale.AsOf == 0 {
		finish(JobFailed, "the job lost its scale; start it again")
		return nil
	}
	after, _ := j.Data["after"].(string)
	sw, err := e.newWriter(ctx, ts, w.snap, valueActor(w.actor.TenantID))
	if err != nil {
		return err
	}
	b := valueBatch{vc: vc, scale: scale, after: after, why: "customerValue:" + job.ID}
	if err := b.run(ctx, ts, sw); err != nil {
		return err
	}
	if b.failed != nil {
		finish(JobFailed, PublicMessage(b.failed, "en"))
	}
	next["after"] = b.after
	next["done"], next["changed"] = float64(job.Done+b.done), float64(job.Changed+b.changed)
	if next["status"] == JobRunning && !b.more {
		finish(JobDone, "")
	}
	return nil
}

// valueBatch values one page of customers: those after the id after.
type valueBatch struct {
	vc    *valueConfig
	scale valueScale
	why   string // the reason of the writes, for the chain of writes
	// after is the last customer valued, more whether customers follow;
	// done and changed count those valued and those written; failed is
	// the write that stopped the batch.
	after         string
	more          bool
	done, changed int64
	failed        error
}

// run values the batch; an error is a read that failed (try again).
func (b *valueBatch) run(ctx context.Context, ts store.TenantStore, w *writer) error {
	vc := b.vc
	q := store.Query{Sort: []store.Sort{{Field: "id"}}, Limit: jobBatch}
	if b.after != "" {
		q.After = &store.Position{Values: []any{b.after}, ID: b.after}
	}
	page, err := ts.Find(ctx, vc.obj, q)
	if err != nil {
		return fmt.Errorf("read %s for customer value: %w", vc.obj.Name, err)
	}
	ids := make([]string, len(page.Records))
	for i, r := range page.Records {
		ids[i] = r.ID
	}
	facts, err := vc.collectFacts(ctx, ts, ids, b.scale.AsOf)
	if err != nil {
		return err
	}
	b.more = page.HasMore
	for _, r := range page.Records {
		wrote, err := w.writeValues(ctx, ts, vc, r.ID, vc.customerValues(facts[r.ID], b.scale), b.why)
		if err != nil {
			b.failed = fmt.Errorf("%s %s: %w", vc.obj.Name, r.ID, err)
			return nil
		}
		b.done++
		if wrote {
			b.changed++
		}
		b.after = r.ID
	}
	return nil
}

// computeValuesNow values every customer of obj at once, in the caller's
// goroutine (after a template's sample data is written, so that it
// arrives with its values).
func (e *Engine) computeValuesNow(ctx context.Context, ts store.TenantStore, snap *snapshot, tenantID string, obj *schema.Object) error {
	vc, err := resolveCustomerValue(snap, obj)
	if err != nil {
		return err
	}
	scale, err := vc.measureScale(ctx, ts, dayOf(e.stamp(), vc.zone))
	if err != nil {
		return err
	}
	w, err := e.newWriter(ctx, ts, snap, valueActor(tenantID))
	if err != nil {
		return err
	}
	b := valueBatch{vc: vc, scale: scale, why: "customerValue:" + obj.Name, more: true}
	for b.more {
		if err := b.run(ctx, ts, w); err != nil {
			return err
		}
		if b.failed != nil {
			return b.failed
		}
	}
	return nil
}

// writeValues writes a customer's values when they differ from what it
// holds, in a transaction of its own; wrote reports a write.
func (w *writer) writeValues(ctx context.Context, ts store.TenantStore, vc *valueConfig, id string, values map[string]any, why string) (wrote bool, err error) {
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, vc.obj, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile
		} else if err != nil {
			return err
		}
		data := cloneMap(cur.Data)
		if !vc.apply(values, data) {
			return nil
		}
		if err := w.formulas(ctx, vc.obj, &cur, data); err != nil {
			return err
		}
		wrote = true
		return w.storeComputed(ctx, tx, vc.obj, cur, data, why)
	})
	return wrote, err
}

// scheduleCustomerValue starts the customer value job of every object
// whose schedule is due, in the tenant's pass of the worker, and returns
// how many it started. The schedule's state is a crmSchedule record
// OBJECT.customerValue, claimed like a scheduled script's.
func (e *Engine) scheduleCustomerValue(ctx context.Context, tenantID string) (int, error) {
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	var objs []*schema.Object
	for _, o := range snap.catalog.Objects {
		if o.CustomerValue != nil {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		return 0, nil
	}
	schedules, err := e.platformObject(ctx, ts, snap, scheduleObject)
	if err != nil {
		return 0, err
	}
	jobs, err := e.platformObject(ctx, ts, snap, jobObject)
	if err != nil {
		return 0, err
	}
	started := 0
	now := e.stamp()
	zone := snap.zone()
	for _, o := range objs {
		sched, err := schema.ParseSchedule(o.CustomerValue.Schedule)
		if err != nil {
			continue // refused when saved
		}
		id := o.Name + "." + JobCustomerValue
		// A schedule that is not due is read without a write transaction:
		// a transaction would mark the tenant due again (the worker's due
		// index, due.go), and it would be visited every pass.
		if cur, err := ts.Get(ctx, schedules, id); err == nil && cur.Data["schedule"] == o.CustomerValue.Schedule && cur.Data["zone"] == zone.String() {
			if due, _ := cur.Data["nextRunAt"].(string); due > now.Format(schema.DateTimeLayout) {
				continue
			}
		}
		ran := false
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			cur, err := tx.Get(ctx, schedules, id)
			if errors.Is(err, store.ErrNotFound) || err == nil && (cur.Data["schedule"] != o.CustomerValue.Schedule || cur.Data["zone"] != zone.String()) {
				rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
					Data: map[string]any{"object": o.Name, "script": JobCustomerValue, "schedule": o.CustomerValue.Schedule,
						"zone": zone.String(), "nextRunAt": sched.Next(now, zone).Format(schema.DateTimeLayout)}}
				if err != nil {
					return tx.Insert(ctx, schedules, rec)
				}
				rec.Version, rec.CreatedAt = cur.Version+1, cur.CreatedAt
				return tx.Update(ctx, schedules, rec, cur.Version)
			} else if err != nil {
				return err
			}
			if due, _ := cur.Data["nextRunAt"].(string); due > now.Format(schema.DateTimeLayout) {
				return nil
			}
			claimed := cur
			claimed.Data = cloneMap(cur.Data)
			claimed.Data["nextRunAt"] = sched.Next(now, zone).Format(schema.DateTimeLayout)
			claimed.Data["lastRunAt"] = now.Format(schema.DateTimeLayout)
			claimed.Version, claimed.UpdatedAt = cur.Version+1, now
			if err := tx.Update(ctx, schedules, claimed, cur.Version); err != nil {
				return err
			}
			ran = true
			_, err = e.enqueueValueJob(ctx, tx, jobs, "system", o.Name)
			return err
		})
		if errors.Is(err, store.ErrConflict) {
			continue // another worker claimed it
		}
		if err != nil {
			return started, fmt.Errorf("schedule customer value of %s: %w", o.Name, err)
		}
		if ran {
			started++
		}
	}
	return started, nil
}
