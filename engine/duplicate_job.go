package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// JobDuplicateKeys builds the duplicate keys of an object's records after
// its duplicate rules were added or changed (or on an administrator's
// request, after a restore): keys of rules that are gone or switched off
// are dropped first, then each record's keys are replaced, a batch of
// records per transaction. Until it is done, checks and queries see the
// records it has not reached yet without keys.
const JobDuplicateKeys = "duplicateKeys"

// duplicatesChanged reports whether the rules that make keys differ.
func duplicatesChanged(prev, obj *schema.Object) bool {
	keyed := func(o *schema.Object) []schema.DuplicateRule {
		var out []schema.DuplicateRule
		for _, r := range activeRules(o) {
			c := *r
			c.Label, c.Action = schema.Label{}, "" // neither changes a key
			out = append(out, c)
		}
		return out
	}
	return !reflect.DeepEqual(keyed(prev), keyed(obj))
}

// enqueueDuplicateJob starts building obj's duplicate keys in tx, unless
// such a job is waiting already.
func (e *Engine) enqueueDuplicateJob(ctx context.Context, tx store.Tx, jobs *schema.Object, by, object string) (store.Record, error) {
	open := store.Filter{And: []store.Filter{store.Leaf("kind", store.OpEq, JobDuplicateKeys), store.Leaf("object", store.OpEq, object),
		store.Leaf("status", store.OpEq, JobPending)}}
	page, err := tx.Find(ctx, jobs, store.Query{Filter: &open, Limit: 1})
	if err != nil {
		return store.Record{}, fmt.Errorf("find duplicate key jobs of %s: %w", object, err)
	}
	if len(page.Records) > 0 {
		return page.Records[0], nil
	}
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by,
		Data: map[string]any{"kind": JobDuplicateKeys, "object": object, "status": JobPending, "total": 0.0, "done": 0.0, "changed": 0.0}}
	return rec, tx.Insert(ctx, jobs, rec)
}

// RebuildDuplicateKeys starts a job that builds the duplicate keys of
// object's records again (after records came in around the engine, such
// as a restore). Administrators only.
func (e *Engine) RebuildDuplicateKeys(ctx context.Context, object string) (Job, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return Job{}, err
	}
	if !sc.actor.Admin {
		return Job{}, errorOf(ErrForbidden, nil, "duplicate.adminOnlyRebuild")
	}
	if len(sc.obj.Duplicates) == 0 {
		return Job{}, errorOf(ErrBadRequest, nil, "duplicate.noRules", sc.obj.Name, labelZh(sc.obj))
	}
	jobs, err := e.platformObject(ctx, sc.ts, sc.snap, jobObject)
	if err != nil {
		return Job{}, err
	}
	if _, err := e.platformObject(ctx, sc.ts, sc.snap, duplicateKeyObject); err != nil {
		return Job{}, err
	}
	var rec store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		rec, err = e.enqueueDuplicateJob(ctx, tx, jobs, sc.actor.ID, object)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("start rebuilding duplicate keys of %s: %w", object, err)
	}
	return jobOf(rec), nil
}

// advanceDuplicateJob moves a duplicate key job on by one step, into
// next's data; finish ends it.
func (e *Engine) advanceDuplicateJob(ctx context.Context, ts store.TenantStore, w *writer, j store.Record, next map[string]any, finish func(status, msg string)) error {
	job := jobOf(j)
	obj := w.snap.catalog.Object(job.Object)
	if obj == nil {
		finish(JobFailed, fmt.Sprintf("object %q no longer exists", job.Object))
		return nil
	}
	keyObj := w.dupKeys
	if keyObj == nil {
		keyObj = w.snap.platform[duplicateKeyObject]
	}
	if keyObj == nil {
		finish(JobDone, "")
		return nil
	}
	if job.Status == JobPending {
		if err := dropStaleKeys(ctx, ts, keyObj, obj); err != nil {
			return err
		}
		return startBatches(ctx, ts, obj, next)
	}
	page, err := nextBatch(ctx, ts, obj, j)
	if err != nil {
		return err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range page.Records {
			if err := deleteByRecord(ctx, tx, keyObj, r.ID); err != nil {
				return err
			}
			if err := e.insertDuplicateKeys(ctx, tx, keyObj, obj, r.ID, e.duplicateKeys(w.actor.TenantID, obj, r.Data)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		finish(JobFailed, err.Error())
		return nil
	}
	if n := len(page.Records); n > 0 {
		next["done"] = float64(job.Done) + float64(n)
		next["changed"] = float64(job.Changed) + float64(n)
		next["after"] = page.Records[n-1].ID
	}
	if !page.HasMore {
		finish(JobDone, "")
	}
	return nil
}

// dropStaleKeys deletes obj's keys of rules that are gone or off.
func dropStaleKeys(ctx context.Context, ts store.TenantStore, keyObj, obj *schema.Object) error {
	var active []any
	for _, r := range activeRules(obj) {
		active = append(active, r.Name)
	}
	f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, obj.Name)}}
	if len(active) > 0 {
		f.And = append(f.And, store.Leaf("rule", store.OpNin, active))
	}
	for {
		page, err := ts.Find(ctx, keyObj, store.Query{Filter: &f, Limit: 500})
		if err != nil {
			return fmt.Errorf("find stale duplicate keys of %s: %w", obj.Name, err)
		}
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			for _, r := range page.Records {
				if err := tx.Delete(ctx, keyObj, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("drop stale duplicate key %q: %w", r.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !page.HasMore {
			return nil
		}
	}
}
