package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// RestoreResult is what became of one id of [Engine.RestoreDeleted].
type RestoreResult struct {
	ID     string
	Object string // "" when the id named no entry the caller sees
	// Record is the restored record as committed, as the caller may see
	// it; zero when the restore failed.
	Record store.Record
	Err    error // why the restore failed; nil when it succeeded
	// ClearedLookups are the record's own lookup and multilookup fields
	// that lost a value because the record they named is gone (a lookup
	// is emptied, a multilookup loses the missing ids).
	ClearedLookups []string
	// ReferencesRestored counts the references to the record that its
	// delete cleared and the restore put back; ReferencesNotRestored
	// those it could not (the referring record is gone, its lookup holds
	// another record now, its field is gone, or the delete cleared more
	// than the bin keeps).
	ReferencesRestored, ReferencesNotRestored int
	// DroppedFields are stored values of fields the object no longer has.
	DroppedFields []string
	// HistoryLost counts stage moves the bin could not keep.
	HistoryLost int
}

// RestoreDeleted puts deleted records back from the recycle bin, each in
// its own transaction, and answers one result per id in input order
// (ids are the records' ids). A record comes back with its id, owner,
// creation stamps and data as they were stored, as a new version audited
// as a restore; validation, rules, scripts and automations do not run
// again (a restore undoes a delete, it is not an edit), but roll-ups are
// kept and time automations scheduled. Its own lookups are kept where
// their targets exist and cleared where not — a required lookup whose
// target is gone refuses the restore (CONFLICT: restore the target
// first); the references its delete cleared are put back where the
// referring record still exists and its lookup is still empty (a
// multilookup gets the id back); its stage history comes back. A unique
// value another record took meanwhile refuses the restore (CONFLICT,
// naming the field and value). Records deleted last are restored first,
// so that a parent and its children restored together find each other.
//
// Who may restore: administrators; others with delete permission on the
// object who deleted the record or may change it (its owner, the owner's
// managers, anyone under readWrite sharing). An entry the caller may not
// restore reads as NOT_FOUND. At most [MaxRecycleIDs] ids.
func (e *Engine) RestoreDeleted(ctx context.Context, ids []string) ([]RestoreResult, error) {
	if err := checkRecycleIDs(ids); err != nil {
		return nil, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RestoreResult, len(ids))
	for i, id := range ids {
		out[i].ID = id
	}
	bin := sc.snap.platform[recycleObject]
	if bin == nil {
		for i := range out {
			out[i].Err = errorOf(ErrNotFound, nil, "recycle.notFound", out[i].ID)
		}
		return out, nil
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return nil, err
	}
	entries, err := sc.ts.GetMany(ctx, bin, slices.Compact(slices.Sorted(slices.Values(ids))))
	if err != nil {
		return nil, fmt.Errorf("read the recycle bin: %w", err)
	}
	deletedAt := make(map[string]string, len(entries))
	for _, en := range entries {
		deletedAt[en.ID], _ = en.Data["deletedAt"].(string)
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(deletedAt[ids[b]], deletedAt[ids[a]]) })
	done := map[string]bool{}
	for _, i := range order {
		id := ids[i]
		if done[id] {
			out[i].Err = errorOf(ErrNotFound, nil, "recycle.notFound", id)
			continue
		}
		done[id] = true
		var res RestoreResult
		err := sc.ts.WithTx(ctx, func(tx store.Tx) error {
			var err error
			res, err = w.restore(ctx, tx, bin, id)
			return err
		})
		res.ID = id
		if err != nil {
			res.Record, res.Err = store.Record{}, restoreFailed(res.Object, id, err)
		}
		out[i] = res
	}
	return out, nil
}

// restoreFailed classifies the error of one restore.
func restoreFailed(object, id string, err error) error {
	var ee *Error
	var ve *schema.ValidationError
	if errors.As(err, &ee) || errors.As(err, &ve) {
		return err
	}
	if errors.Is(err, store.ErrConflict) {
		return errorOf(ErrConflict, err, "recycle.changedMeanwhile", id)
	}
	return fmt.Errorf("restore %s record %q: %w", object, id, err)
}

func checkRecycleIDs(ids []string) error {
	if len(ids) == 0 {
		return errorOf(ErrBadRequest, nil, "recycle.noIDs")
	}
	if len(ids) > MaxRecycleIDs {
		return errorOf(ErrBadRequest, nil, "recycle.tooManyIDs", len(ids), MaxRecycleIDs)
	}
	for _, id := range ids {
		if id == "" || len(id) > 200 {
			return errorOf(ErrBadRequest, nil, "recycle.badID")
		}
	}
	return nil
}

// binEntry is a recycle bin entry decoded: the record as stored (sealed
// values opened) and its object.
type binEntry struct {
	rec       store.Record // the bin's own record
	obj       *schema.Object
	record    store.Record
	deletedBy string
}

// openEntry decodes a bin record; the object is nil when the tenant no
// longer has it.
func (e *Engine) openEntry(tenant string, snap *snapshot, r store.Record) (binEntry, error) {
	en := binEntry{rec: r}
	en.deletedBy, _ = r.Data["deletedBy"].(string)
	name, _ := r.Data["object"].(string)
	en.obj = snap.catalog.Object(name)
	if en.obj == nil {
		return en, nil
	}
	rec, err := storedRecord(r.Data["record"])
	if err != nil {
		return en, fmt.Errorf("recycle bin entry %q: %w", r.ID, err)
	}
	if rec.Data, err = e.openBinData(tenant, en.obj, rec.ID, rec.Data); err != nil {
		return en, err
	}
	en.record = rec
	return en, nil
}

// mayRecycle refuses a caller who may not see or restore a bin entry of
// obj: administrators may; others need delete permission on the object
// and to have deleted the record or to be allowed to change it as
// stored (owner, sharing).
func (s *snapshot) mayRecycle(a Actor, obj *schema.Object, deletedBy string, rec *store.Record) error {
	if a.Admin {
		return nil
	}
	if err := s.mayDo(a, obj, "delete"); err != nil {
		return err
	}
	if deletedBy == a.ID {
		return nil
	}
	return s.mayChange(a, obj, rec)
}

// restore puts the record of the bin entry id back, in tx.
func (w *writer) restore(ctx context.Context, tx store.Tx, bin *schema.Object, id string) (RestoreResult, error) {
	res := RestoreResult{ID: id}
	raw, err := tx.Get(ctx, bin, id)
	if errors.Is(err, store.ErrNotFound) {
		return res, errorOf(ErrNotFound, nil, "recycle.notFound", id)
	} else if err != nil {
		return res, fmt.Errorf("read recycle bin entry %q: %w", id, err)
	}
	en, err := w.e.openEntry(w.actor.TenantID, w.snap, raw)
	if err != nil {
		return res, err
	}
	if en.obj == nil {
		return res, errorOf(ErrNotFound, nil, "recycle.notFound", id)
	}
	obj, rec := en.obj, en.record
	res.Object = obj.Name
	if err := w.snap.mayRecycle(w.actor, obj, en.deletedBy, &rec); err != nil {
		// What the caller may not restore is not in its bin at all.
		return res, errorOf(ErrNotFound, nil, "recycle.notFound", id)
	}
	for _, k := range slices.Sorted(maps.Keys(rec.Data)) {
		if obj.Field(k) == nil {
			delete(rec.Data, k)
			res.DroppedFields = append(res.DroppedFields, k)
		}
	}
	if res.ClearedLookups, err = w.keepLiveLookups(ctx, tx, obj, rec.Data); err != nil {
		return res, err
	}
	if res.ReferencesRestored, res.ReferencesNotRestored, err = w.restoreReferences(ctx, tx, obj, id, raw.Data["references"]); err != nil {
		return res, err
	}
	res.ReferencesNotRestored += int(number(raw.Data["referencesLost"]))
	// The roll-ups the record holds over its children are computed again:
	// children may have changed while it was in the bin, and those whose
	// lookups were just put back count again.
	for _, f := range obj.Fields {
		if f.Rollup == nil {
			continue
		}
		child := w.snap.catalog.Object(f.Rollup.Object)
		if child == nil {
			continue
		}
		v, err := computeRollup(ctx, tx, child, f.Rollup, id)
		if err != nil {
			return res, fmt.Errorf("roll-up %s.%s of restored record %q: %w", obj.Name, f.Name, id, err)
		}
		if v == nil {
			delete(rec.Data, f.Name)
		} else {
			rec.Data[f.Name] = v
		}
	}
	rec.Version++
	rec.UpdatedAt, rec.UpdatedBy = w.e.stamp(), w.actor.ID
	if err := tx.Insert(ctx, obj, rec); err != nil {
		return res, w.restoreClash(obj, rec, err)
	}
	// Its duplicate match keys come back with it (a restore is not
	// refused for a duplicate: it puts back what was there).
	if w.dupKeys != nil && len(obj.Duplicates) > 0 {
		if err := w.e.insertDuplicateKeys(ctx, tx, w.dupKeys, obj, id, w.e.duplicateKeys(w.actor.TenantID, obj, rec.Data)); err != nil {
			return res, err
		}
	}
	if res.HistoryLost, err = w.restoreHistory(ctx, tx, raw.Data["history"]); err != nil {
		return res, err
	}
	res.HistoryLost += int(number(raw.Data["historyLost"]))
	if _, err := w.restoreAttached(ctx, tx, raw.Data["attached"]); err != nil {
		return res, err
	}
	if !w.skipAutomations {
		if err := w.scheduleTimers(ctx, tx, obj, rec); err != nil {
			return res, err
		}
	}
	if err := w.audit(ctx, tx, AuditRestore, obj, id, rec.Version, auditChanges(obj, nil, rec.Data)); err != nil {
		return res, err
	}
	if err := w.maintainRollups(ctx, tx, obj, nil, &rec); err != nil {
		return res, err
	}
	if err := tx.Delete(ctx, bin, id); err != nil {
		return res, fmt.Errorf("take %s record %q out of the recycle bin: %w", obj.Name, id, err)
	}
	got, err := committed(ctx, tx, obj, rec)
	if err != nil {
		return res, err
	}
	res.Record = w.snap.readRules(w.actor, obj).ShowOne(got)
	return res, nil
}

// keepLiveLookups removes from data the lookup values whose target record
// is gone and names the fields that lost one; a required lookup that
// would be left empty refuses the restore.
func (w *writer) keepLiveLookups(ctx context.Context, tx store.Tx, obj *schema.Object, data map[string]any) ([]string, error) {
	var cleared []string
	for _, f := range obj.Fields {
		kind := f.Kind()
		if kind != schema.KindLookup && kind != schema.KindLookupList {
			continue
		}
		ids := lookupIDs(data[f.Name])
		if len(ids) == 0 {
			continue
		}
		live := map[string]bool{}
		if target := w.snap.catalog.Object(f.Target); target != nil {
			found, err := tx.GetMany(ctx, target, ids)
			if err != nil {
				return nil, fmt.Errorf("check %s.%s of the restored record: %w", obj.Name, f.Name, err)
			}
			for _, r := range found {
				live[r.ID] = true
			}
		}
		var keep []any
		missing := ""
		for _, id := range ids {
			if live[id] {
				keep = append(keep, id)
			} else if missing == "" {
				missing = id
			}
		}
		if missing == "" {
			continue
		}
		if f.Required && len(keep) == 0 {
			zh, en := fieldLabels(f)
			targetZh, targetEn := f.Target, f.Target
			if target := w.snap.catalog.Object(f.Target); target != nil {
				targetZh, targetEn = labelZh(target), labelEn(target)
			}
			return nil, errorOf(ErrConflict, nil, "recycle.requiredTargetGone", labelEn(obj), en, targetEn, missing, labelZh(obj), zh, targetZh)
		}
		switch {
		case kind == schema.KindLookup || len(keep) == 0:
			delete(data, f.Name)
		default:
			data[f.Name] = keep
		}
		cleared = append(cleared, f.Name)
	}
	return cleared, nil
}

// restoreReferences puts back the references to the record id that its
// delete cleared, as the entry kept them (v).
func (w *writer) restoreReferences(ctx context.Context, tx store.Tx, obj *schema.Object, id string, v any) (restored, skipped int, err error) {
	list, _ := v.([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		srcName, _ := m["object"].(string)
		field, _ := m["field"].(string)
		rid, _ := m["record"].(string)
		src := w.snap.catalog.Object(srcName)
		var f *schema.Field
		if src != nil {
			f = src.Field(field)
		}
		if f == nil || f.Target != obj.Name || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
			skipped++
			continue
		}
		cur, err := tx.Get(ctx, src, rid)
		if errors.Is(err, store.ErrNotFound) {
			skipped++
			continue
		} else if err != nil {
			return restored, skipped, fmt.Errorf("read %s record %q that referred to %s %q: %w", src.Name, rid, obj.Name, id, err)
		}
		next := cur
		next.Data = cloneMap(cur.Data)
		if f.Kind() == schema.KindLookup {
			if held, ok := cur.Data[f.Name]; ok && held != nil && held != "" {
				if held == id {
					restored++
				} else {
					skipped++
				}
				continue
			}
			next.Data[f.Name] = id
		} else {
			ids := lookupIDs(cur.Data[f.Name])
			if slices.Contains(ids, id) {
				restored++
				continue
			}
			list := make([]any, 0, len(ids)+1)
			for _, x := range ids {
				list = append(list, x)
			}
			next.Data[f.Name] = append(list, id)
		}
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, w.e.stamp(), w.actor.ID
		if err := tx.Update(ctx, src, next, cur.Version); err != nil {
			return restored, skipped, fmt.Errorf("put back %s.%s of record %q: %w", src.Name, f.Name, rid, err)
		}
		if err := w.audit(ctx, tx, AuditUpdate, src, rid, next.Version, auditChanges(src, cur.Data, next.Data)); err != nil {
			return restored, skipped, err
		}
		restored++
	}
	return restored, skipped, nil
}

// restoreHistory puts back the stage moves an entry kept (v); lost counts
// those that cannot come back (the tenant has no stage history now).
func (w *writer) restoreHistory(ctx context.Context, tx store.Tx, v any) (lost int, err error) {
	list, _ := v.([]any)
	if len(list) == 0 {
		return 0, nil
	}
	hist := w.snap.platform[stageChangeObject]
	if hist == nil {
		return len(list), nil
	}
	for _, el := range list {
		r, err := storedRecord(el)
		if err != nil {
			return lost, fmt.Errorf("stage history in the recycle bin: %w", err)
		}
		if err := tx.Insert(ctx, hist, r); err != nil {
			return lost, fmt.Errorf("put back stage move %q: %w", r.ID, err)
		}
	}
	return 0, nil
}

// restoreClash turns the refusal of a restored record's insert into the
// caller's error: a unique value taken meanwhile names the field and the
// value (unless the caller may not read it, or the field is guarded
// against guessing), a record with the same id says so.
func (w *writer) restoreClash(obj *schema.Object, rec store.Record, err error) error {
	var ue *store.UniqueError
	if errors.As(err, &ue) && len(ue.Fields) > 0 {
		field := strings.TrimPrefix(ue.Fields[0], schema.SearchField(""))
		label := field
		if f := obj.Field(field); f != nil && f.Label.Zh != "" {
			label = f.Label.Zh
		}
		rules := w.snap.readRules(w.actor, obj)
		value := fmt.Sprint(rec.Data[field])
		if f := obj.Field(field); f == nil || f.Sensitive || rules.Hides(field) || rules.Masked[field] || w.snap.guardedUnique(w.actor, obj)[field] {
			value = maskedValue
		}
		return errorOf(ErrConflict, err, "recycle.uniqueTaken", obj.Name, rec.ID, field, value, labelZh(obj), label)
	}
	if errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrConflict) {
		return errorOf(ErrConflict, err, "recycle.idTaken", obj.Name, rec.ID, labelZh(obj))
	}
	return fmt.Errorf("put back %s record %q: %w", obj.Name, rec.ID, err)
}
