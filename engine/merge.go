package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// AuditMerge records a merge on the surviving record: which records were
// merged into it and which field values came from which of them.
const AuditMerge = "merge"

// MaxMergeOthers is how many records one merge folds into its survivor.
const MaxMergeOthers = 2

// MergeResult is what [Engine.MergeRecords] did.
type MergeResult struct {
	// Survivor is the surviving record as committed, as the caller may
	// see it.
	Survivor store.Record
	// Merged are the ids of the records merged into it (now deleted).
	Merged []string
	// References counts the lookup and multilookup fields re-pointed from
	// a merged record to the survivor (a record with two such fields
	// counts twice).
	References int
	// History counts the stage changes, audit entries, notifications and
	// timers re-pointed.
	History int
}

// MergeRecords folds others (1 or 2 records of object) into survivor in
// one transaction. fields maps a field to the record whose value the
// survivor keeps (survivor or one of others; a field not named keeps the
// survivor's value); a chosen empty value clears the survivor's. Then:
// every lookup and multilookup of any object that points at one of
// others points at survivor instead (a multilookup holds it once; the
// survivor's own references to the others are dropped), the others'
// stage history, audit trail, notifications and pending timers are
// re-pointed (a timer of a rule the survivor already waits on is dropped),
// roll-ups over the re-pointed records follow, the others are deleted as
// [Engine.DeleteRecord] deletes, and the survivor is updated with the
// chosen values, checked like any update (validation, rules, scripts,
// duplicate rules with the others gone). The survivor's audit trail gets
// a "merge" entry naming the merged ids and where each chosen value came
// from.
//
// The caller must be allowed to update survivor and delete each of
// others. Errors: BAD_REQUEST for a wrong number of records, a record
// named twice, a field that is not the object's (or that the caller may
// not see), is computed, or a value source outside the merge; NOT_FOUND
// for a record the caller does not see; FORBIDDEN; VALIDATION_FAILED when
// the merged record is invalid. Nothing is changed on any error.
func (e *Engine) MergeRecords(ctx context.Context, object, survivor string, others []string, fields map[string]string) (MergeResult, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return MergeResult{}, err
	}
	if err := w.snap.mayDo(w.actor, obj, "update"); err != nil {
		return MergeResult{}, err
	}
	if err := w.snap.mayDo(w.actor, obj, "delete"); err != nil {
		return MergeResult{}, err
	}
	if err := checkMerge(obj, w.snap.readRules(w.actor, obj), survivor, others, fields); err != nil {
		return MergeResult{}, err
	}
	var res MergeResult
	err = w.ts.WithTx(ctx, func(tx store.Tx) error {
		res, err = w.merge(ctx, tx, obj, survivor, others, fields)
		return err
	})
	if err != nil {
		_, err = w.answer(obj, "merge", store.Record{}, err)
		return MergeResult{}, fmt.Errorf("merge %d %s records into %q: %w", len(others), object, survivor, err)
	}
	res.Survivor = w.snap.readRules(w.actor, obj).ShowOne(res.Survivor)
	return res, nil
}

// checkMerge refuses a merge that cannot run, before anything is read.
func checkMerge(obj *schema.Object, rules *readRules, survivor string, others []string, fields map[string]string) error {
	if len(others) < 1 || len(others) > MaxMergeOthers {
		return errorOf(ErrBadRequest, nil, "merge.count", len(others)+1)
	}
	ids := append([]string{survivor}, others...)
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return errorOf(ErrBadRequest, nil, "merge.repeated", id)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f := obj.Field(name)
		if f == nil || f.Hidden || rules.Hides(name) {
			return errorOf(ErrBadRequest, nil, "merge.noSuchField", obj.Name, name, labelZh(obj))
		}
		if f.ReadOnly() {
			return errorOf(ErrBadRequest, nil, "merge.readOnly", name)
		}
		if !slices.Contains(ids, fields[name]) {
			return errorOf(ErrBadRequest, nil, "merge.badChoice", name, fields[name])
		}
	}
	return nil
}

func (w *writer) merge(ctx context.Context, tx store.Tx, obj *schema.Object, survivor string, others []string, fields map[string]string) (MergeResult, error) {
	res := MergeResult{Merged: slices.Clone(others)}
	cur, err := changeable(ctx, tx, w.snap, w.actor, obj, survivor)
	if err != nil {
		return res, err
	}
	recs := map[string]store.Record{survivor: cur}
	for _, id := range others {
		r, err := changeable(ctx, tx, w.snap, w.actor, obj, id)
		if err != nil {
			return res, err
		}
		recs[id] = r
	}
	patch := map[string]any{}
	taken := map[string]any{}
	for name, from := range fields {
		if from == survivor {
			continue
		}
		v := recs[from].Data[name]
		if equalValue(cur.Data[name], v) {
			continue
		}
		patch[name] = v // nil clears
		taken[name] = map[string]any{"from": from}
	}
	for _, id := range others {
		n, err := w.repointReferences(ctx, tx, obj, id, survivor)
		if err != nil {
			return res, err
		}
		res.References += n
		n, err = w.repointHistory(ctx, tx, obj, id, survivor)
		if err != nil {
			return res, err
		}
		res.History += n
	}
	// The survivor may have referred to the others: those references were
	// dropped above, so read it again.
	if cur, err = tx.Get(ctx, obj, survivor); err != nil {
		return res, fmt.Errorf("read back %s %q: %w", obj.Name, survivor, err)
	}
	for _, id := range others {
		if err := w.removeAs(ctx, tx, obj, id, RecycleMerged); err != nil {
			return res, err
		}
	}
	out, err := w.patchCurrent(ctx, tx, obj, cur, patch)
	if err != nil {
		return res, err
	}
	merged := make([]any, len(others))
	for i, id := range others {
		merged[i] = id
	}
	changes := map[string]any{"merged": map[string]any{"old": nil, "new": merged}}
	if len(taken) > 0 {
		changes["values"] = map[string]any{"old": nil, "new": taken}
	}
	if err := w.audit(ctx, tx, AuditMerge, obj, survivor, out.Version, changes); err != nil {
		return res, err
	}
	res.Survivor = out
	return res, nil
}

func equalValue(a, b any) bool {
	return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b)
}

// repointReferences makes every lookup and multilookup that points at the
// record from point at to instead; the record to itself loses its
// reference to from. Each changed record is audited and its roll-ups
// follow. It returns how many records changed.
func (w *writer) repointReferences(ctx context.Context, tx store.Tx, target *schema.Object, from, to string) (int, error) {
	n := 0
	for _, src := range w.snap.catalog.Objects {
		for _, f := range src.Fields {
			if f.Target != target.Name || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
				continue
			}
			ref := store.Leaf(f.Name, store.OpEq, from)
			for {
				// Each pass changes the first page; the changed records
				// stop matching, so the next pass sees the rest.
				page, err := tx.Find(ctx, src, store.Query{Filter: &ref, Limit: 500})
				if err != nil {
					return n, fmt.Errorf("find %s records referring to %s %q: %w", src.Name, target.Name, from, err)
				}
				for _, r := range page.Records {
					next := r
					next.Data = maps.Clone(r.Data)
					self := src.Name == target.Name && r.ID == to
					if f.Kind() == schema.KindLookup {
						if self {
							delete(next.Data, f.Name)
						} else {
							next.Data[f.Name] = to
						}
					} else {
						next.Data[f.Name] = repointList(r.Data[f.Name], from, to, self)
					}
					next.Version, next.UpdatedAt, next.UpdatedBy = r.Version+1, w.e.stamp(), w.actor.ID
					if err := tx.Update(ctx, src, next, r.Version); err != nil {
						return n, fmt.Errorf("re-point %s.%s of record %q: %w", src.Name, f.Name, r.ID, err)
					}
					if err := w.audit(ctx, tx, AuditUpdate, src, r.ID, next.Version, auditChanges(src, r.Data, next.Data)); err != nil {
						return n, err
					}
					if err := w.maintainRollups(ctx, tx, src, &r, &next); err != nil {
						return n, err
					}
					n++
				}
				if !page.HasMore {
					break
				}
			}
		}
	}
	return n, nil
}

// repointList replaces from with to in a multilookup's ids, keeping each
// id once (and dropping from without adding to when self is set).
func repointList(v any, from, to string, self bool) []any {
	arr, _ := v.([]any)
	out := make([]any, 0, len(arr))
	for _, el := range arr {
		if el == from {
			if self {
				continue
			}
			el = to
		}
		if !slices.Contains(out, el) {
			out = append(out, el)
		}
	}
	return out
}

// repointHistory moves what the engine keeps about record from of obj to
// record to: stage changes, audit entries, notifications, notes and
// tasks, and pending
// timers (those of a rule to already has one for are dropped). It returns
// how many it moved.
func (w *writer) repointHistory(ctx context.Context, tx store.Tx, obj *schema.Object, from, to string) (int, error) {
	n := 0
	for _, name := range []string{stageChangeObject, auditObject, notificationObject, noteObject, taskObject} {
		p := w.snap.platform[name]
		var edit func(*store.Record)
		if name == auditObject {
			p = w.auditObj
			if p != nil {
				// Its create entry keeps its values: under to, its later
				// changes are no longer those of to's record.
				if err := w.materializeCreation(ctx, tx, obj, from); err != nil {
					return n, err
				}
				edit = func(r *store.Record) {
					if m, _ := r.Data["mergedFrom"].(string); m == "" {
						r.Data["mergedFrom"] = from
					}
				}
			}
		}
		if p == nil {
			continue
		}
		moved, err := w.e.repointPlatform(ctx, tx, p, obj.Name, from, to, nil, edit)
		if err != nil {
			return n, err
		}
		n += moved
	}
	if timers := w.snap.platform[timerObject]; timers != nil {
		waiting := map[string]bool{}
		f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, to), store.Leaf("object", store.OpEq, obj.Name)}}
		page, err := tx.Find(ctx, timers, store.Query{Filter: &f, Limit: 1000})
		if err != nil {
			return n, fmt.Errorf("read timers of %s %q: %w", obj.Name, to, err)
		}
		for _, t := range page.Records {
			if rule, _ := t.Data["rule"].(string); t.Data["status"] == "pending" {
				waiting[rule] = true
			}
		}
		moved, err := w.e.repointPlatform(ctx, tx, timers, obj.Name, from, to, func(r store.Record) bool {
			rule, _ := r.Data["rule"].(string)
			return r.Data["status"] != "pending" || !waiting[rule]
		}, nil)
		if err != nil {
			return n, err
		}
		n += moved
	}
	return n, nil
}

// repointPlatform sets "record" from from to to on the records of the
// platform object p about object; keep, when not nil, says which to move
// (the others are deleted); edit, when not nil, changes each moved record
// further.
func (e *Engine) repointPlatform(ctx context.Context, tx store.Tx, p *schema.Object, object, from, to string, keep func(store.Record) bool, edit func(*store.Record)) (int, error) {
	f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, from), store.Leaf("object", store.OpEq, object)}}
	n := 0
	for {
		page, err := tx.Find(ctx, p, store.Query{Filter: &f, Limit: 500})
		if err != nil {
			return n, fmt.Errorf("read %s of %s %q: %w", p.Name, object, from, err)
		}
		for _, r := range page.Records {
			if keep != nil && !keep(r) {
				if err := tx.Delete(ctx, p, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return n, fmt.Errorf("drop %s %q: %w", p.Name, r.ID, err)
				}
				continue
			}
			next := r
			next.Data = maps.Clone(r.Data)
			next.Data["record"] = to
			if edit != nil {
				edit(&next)
			}
			next.Version, next.UpdatedAt = r.Version+1, e.stamp()
			if err := tx.Update(ctx, p, next, r.Version); err != nil {
				return n, fmt.Errorf("re-point %s %q to %q: %w", p.Name, r.ID, to, err)
			}
			n++
		}
		if !page.HasMore {
			return n, nil
		}
	}
}
