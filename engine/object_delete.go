package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// ObjectDeletion is what deleting an object removes, or would remove.
type ObjectDeletion struct {
	Name    string
	Records int64 // the object's records, deleted with it
	Views   int   // its saved list views (shared and personal)
	Reports int   // its saved reports (shared and personal)
	Layout  bool  // whether it had a saved record page layout
	Deleted bool  // false for a dry run
}

// DeleteObject deletes an object definition with its records, stage
// history, pending timers, layout, list views and reports, in one
// transaction, and audits it as a metadata change. records must be the
// number of records the object holds (what a dry run, or the admin
// console's confirmation, showed): when it differs, nothing is deleted and the error, CONFLICT,
// says how many there are now. An object that another object refers to
// (a lookup or multilookup field, a roll-up, an automation creating its
// records) is refused with the references named, and so is a platform
// object. With dryRun nothing changes and the answer counts what would
// go. Administrators only. Returns NOT_FOUND for an unknown object.
func (e *Engine) DeleteObject(ctx context.Context, name string, records int64, dryRun bool) (ObjectDeletion, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return ObjectDeletion{}, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return ObjectDeletion{}, errorOf(ErrForbidden, nil, "object.adminOnly")
	}
	obj := snap.catalog.Object(name)
	if obj == nil || isPlatformName(name) {
		return ObjectDeletion{}, errorOf(ErrNotFound, nil, "object.notFound", name)
	}
	if refs := referencesTo(snap.catalog.Objects, name); len(refs) > 0 {
		return ObjectDeletion{}, errorOf(ErrConflict, nil, "object.referenced", name, strings.Join(refs, ", "), strings.Join(refs, "、"))
	}
	out := ObjectDeletion{Name: name}
	if out.Records, err = ts.Count(ctx, obj, nil); err != nil {
		return ObjectDeletion{}, fmt.Errorf("count %s records: %w", name, err)
	}
	views, layout, err := objectDocs(ctx, ts, snap, name)
	if err != nil {
		return ObjectDeletion{}, err
	}
	out.Views, out.Layout = len(views), layout != ""
	reports, err := objectReports(ctx, ts, snap, name)
	if err != nil {
		return ObjectDeletion{}, err
	}
	out.Reports = len(reports)
	if dryRun {
		return out, nil
	}
	if records != out.Records {
		return ObjectDeletion{}, errorOf(ErrConflict, nil, "object.deleteCount", name, out.Records, records)
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return ObjectDeletion{}, err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, obj, nil)
		if err != nil {
			return err
		}
		if n != records {
			return errorOf(ErrConflict, nil, "object.deleteCount", name, n, records)
		}
		// Read again in the transaction: a view or report saved since
		// the count above goes too.
		views, layout, err := objectDocs(ctx, tx, snap, name)
		if err != nil {
			return err
		}
		reports, err := objectReports(ctx, tx, snap, name)
		if err != nil {
			return err
		}
		out.Views, out.Layout, out.Reports = len(views), layout != "", len(reports)
		if r := snap.platform[reportObject]; r != nil {
			for _, id := range reports {
				if err := tx.Delete(ctx, r, id); err != nil {
					return err
				}
			}
		}
		if v := snap.platform[viewObject]; v != nil {
			for _, id := range views {
				if err := tx.Delete(ctx, v, id); err != nil {
					return err
				}
			}
		}
		if l := snap.platform[layoutObject]; l != nil && layout != "" {
			if err := tx.Delete(ctx, l, layout); err != nil {
				return err
			}
		}
		return e.removeObject(ctx, tx, w, obj, n)
	})
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			return ObjectDeletion{}, err
		}
		return ObjectDeletion{}, fmt.Errorf("delete object %q: %w", name, err)
	}
	e.log.InfoContext(ctx, "object deleted", "tenant", a.TenantID, "object", name, "records", out.Records, "by", a.ID)
	out.Deleted = true
	return out, nil
}

// removeObject deletes obj, holding n records, in tx: its stage history,
// its pending timers, its records in the recycle bin, an audit entry of the metadata change (the version
// and the records that go), and the definition with its records.
func (e *Engine) removeObject(ctx context.Context, tx store.Tx, w *writer, obj *schema.Object, n int64) error {
	by := store.Leaf("object", store.OpEq, obj.Name)
	if err := deleteWhere(ctx, tx, w.snap.platform[stageChangeObject], by); err != nil {
		return err
	}
	if err := deleteWhere(ctx, tx, w.snap.platform[timerObject], by); err != nil {
		return err
	}
	// Notes and tasks of its records; a task's leftover reminder finds no
	// task and is cancelled.
	for _, name := range attachedObjects {
		if err := deleteWhere(ctx, tx, w.snap.platform[name], by); err != nil {
			return err
		}
	}
	if err := deleteWhere(ctx, tx, w.snap.platform[recycleObject], by); err != nil {
		return err
	}
	// Its files; the worker's sweep removes their blobs.
	if err := deleteWhere(ctx, tx, w.snap.platform[attachmentObject], by); err != nil {
		return err
	}
	// Its records' create entries keep their values: the records, from
	// which they are rebuilt, go.
	if err := w.materializeCreation(ctx, tx, obj, ""); err != nil {
		return err
	}
	changes := map[string]any{"version": map[string]any{"old": float64(obj.Version), "new": nil},
		"records": map[string]any{"old": float64(n), "new": nil}}
	if err := w.audit(ctx, tx, AuditMetadata, obj, "", obj.Version+1, changes); err != nil {
		return err
	}
	return tx.DeleteObject(ctx, store.ObjectDoc{Name: obj.Name, Version: obj.Version + 1, SavedAt: e.stamp(), SavedBy: w.actor.ID, Deleted: true})
}

// referencesTo names what among objs refers to the object name by
// definition: object.field for lookups and roll-ups, object.automation
// for automations that create its records.
func referencesTo(objs []*schema.Object, name string) []string {
	var out []string
	for _, o := range objs {
		if o.Name == name {
			continue
		}
		for _, f := range o.Fields {
			if f.Target == name || f.Rollup != nil && f.Rollup.Object == name {
				out = append(out, o.Name+"."+f.Name)
			}
		}
		for _, au := range o.Automations {
			if slices.ContainsFunc(au.Actions, func(act schema.Action) bool { return act.Object == name }) {
				out = append(out, o.Name+"."+au.Name)
			}
		}
	}
	return out
}

// objectDocs returns the ids of the saved views of an object and of its
// layout ("" for none).
func objectDocs(ctx context.Context, r store.Reader, snap *snapshot, name string) (views []string, layout string, err error) {
	if v := snap.platform[viewObject]; v != nil {
		f := store.Leaf("object", store.OpEq, name)
		q := store.Query{Filter: &f, Limit: 500}
		for {
			page, err := r.Find(ctx, v, q)
			if err != nil {
				return nil, "", fmt.Errorf("views of %s: %w", name, err)
			}
			for _, rec := range page.Records {
				views = append(views, rec.ID)
			}
			if !page.HasMore || len(page.Records) == 0 {
				break
			}
			q.After = &store.Position{ID: page.Records[len(page.Records)-1].ID}
		}
	}
	if l := snap.platform[layoutObject]; l != nil {
		if _, err := r.Get(ctx, l, name); err == nil {
			layout = name
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, "", fmt.Errorf("layout of %s: %w", name, err)
		}
	}
	return views, layout, nil
}

// deleteWhere deletes every record of a platform object (nil: none) that
// f matches.
func deleteWhere(ctx context.Context, tx store.Tx, obj *schema.Object, f store.Filter) error {
	if obj == nil {
		return nil
	}
	for {
		page, err := tx.Find(ctx, obj, store.Query{Filter: &f, Limit: 500})
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := tx.Delete(ctx, obj, r.ID); err != nil {
				return err
			}
		}
		if !page.HasMore {
			return nil
		}
	}
}
