package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The recycle bin. A deleted record leaves its object's table at once — it
// is gone from lists, lookups, search, aggregates and exports, and its
// unique values are free — and in the same transaction an entry of the
// platform object crmRecycleBin keeps, under the record's own id, what a
// restore needs:
//
//   - the record as stored (version, owner, stamps, data; the values of
//     sensitive fields stay encrypted, under the key and additional data
//     they had in the record);
//   - the references to it that the delete cleared (which object, field
//     and record held it, and whether as a lookup or in a multilookup), at
//     most maxBinReferences — beyond that the entry counts the ones it
//     could not keep and a restore says it could not put them all back;
//   - its stage history, at most maxBinHistory moves (the same rule);
//   - who deleted it, when, and why (delete, or merge into another record).
//
// The tenant's retention (crmSetting recycleRetention, days, default 30,
// 0 to 3650) decides when an entry expires: deletedAt + retention, with
// the retention in force at the time, so that lowering it also shortens
// what is already in the bin. Retention 0 turns the bin off: deletes are
// final at once (and what the bin held is purged at the next pass of the
// worker). The worker purges expired entries in batches (purgeExpired).
//
// Personal-data erasure (ErasePersonalData) never goes through the bin and
// erases the bin's entry of the record too; deleting an object drops its
// entries. Bin entries travel with a tenant export like every platform
// record (their sealed values are sealed again for the target tenant).

const recycleObject = "crmRecycleBin"

// recycleRetentionID is the crmSetting record of the bin's retention.
const recycleRetentionID = "recycleRetention"

// Bounds of the recycle bin.
const (
	// DefaultRetentionDays is how long deleted records stay restorable
	// when the tenant has not said otherwise.
	DefaultRetentionDays = 30
	// MaxRetentionDays bounds the retention a tenant may set (ten years).
	MaxRetentionDays = 3650
	// maxBinReferences bounds the cleared references one entry keeps.
	maxBinReferences = 10_000
	// maxBinHistory bounds the stage moves one entry keeps.
	maxBinHistory = 10_000
	// MaxRecycleIDs bounds the ids of one restore or purge call.
	MaxRecycleIDs = 500
)

// Why a record went to the recycle bin.
const (
	RecycleDeleted = "delete" // deleted by a user, an import, a mass action
	RecycleMerged  = "merge"  // merged into another record
)

// Audit actions of the recycle bin.
const (
	AuditRestore = "restore"
	AuditPurge   = "purge"
)

// binReference is a reference to a deleted record that its delete
// cleared: record's field of object held it.
type binReference struct {
	Object string `json:"object"`
	Field  string `json:"field"`
	Record string `json:"record"`
	Many   bool   `json:"many,omitempty"` // a multilookup (the id was one of several)
}

// binRefs collects the references a delete clears, up to the bound.
type binRefs struct {
	kept []binReference
	lost int
}

func (b *binRefs) add(r binReference) {
	if b == nil {
		return
	}
	if len(b.kept) >= maxBinReferences {
		b.lost++
		return
	}
	b.kept = append(b.kept, r)
}

// removeAs deletes a record as remove does; reason says why it goes to the
// recycle bin, and "" erases it for good (personal-data erasure, sample
// data reset), as does a tenant retention of 0.
func (w *writer) removeAs(ctx context.Context, tx store.Tx, obj *schema.Object, id, reason string) error {
	cur, err := tx.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(obj, id, err)
	} else if err != nil {
		return err
	}
	if err := w.approvalLock(ctx, tx, obj, cur, nil, true); err != nil {
		return err
	}
	if reason != "" && w.bin != nil {
		days, err := w.retention(ctx, tx)
		if err != nil {
			return err
		}
		if days == 0 {
			reason = ""
		}
	} else {
		reason = ""
	}
	var refs *binRefs
	if reason != "" {
		refs = &binRefs{}
	}
	for _, src := range w.snap.catalog.Objects {
		for _, f := range src.Fields {
			if f.Target != obj.Name || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
				continue
			}
			many := f.Kind() == schema.KindLookupList
			err := w.releaseReferences(ctx, tx, src, f, obj, id, func(rid string) {
				refs.add(binReference{Object: src.Name, Field: f.Name, Record: rid, Many: many})
			})
			if err != nil {
				return err
			}
		}
	}
	var history []any
	historyLost := 0
	if hist := w.snap.platform[stageChangeObject]; hist != nil {
		if reason != "" {
			if history, historyLost, err = recordHistory(ctx, tx, hist, id); err != nil {
				return err
			}
		}
		if err := deleteByRecord(ctx, tx, hist, id); err != nil {
			return err
		}
	}
	if timers := w.snap.platform[timerObject]; timers != nil {
		if err := deleteByRecord(ctx, tx, timers, id); err != nil {
			return err
		}
	}
	if err := w.forgetDuplicateKeys(ctx, tx, obj, id); err != nil {
		return err
	}
	attached, attachedLost, err := w.detachAttached(ctx, tx, obj, id, reason != "")
	if err != nil {
		return err
	}
	if err := tx.Delete(ctx, obj, id); err != nil {
		return err
	}
	if reason == "" { // for good: its files go too (the bin keeps them otherwise)
		if err := w.forgetFiles(ctx, tx, id); err != nil {
			return err
		}
	}
	if reason != "" {
		if err := w.recycle(ctx, tx, obj, cur, reason, refs, history, historyLost); err != nil {
			return err
		}
		if err := w.keepAttached(ctx, tx, cur.ID, attached, attachedLost); err != nil {
			return err
		}
	}
	if err := w.audit(ctx, tx, AuditDelete, obj, id, cur.Version, auditChanges(obj, cur.Data, nil)); err != nil {
		return err
	}
	return w.maintainRollups(ctx, tx, obj, &cur, nil)
}

// recordHistory reads a record's stage moves, oldest first, as the bin
// keeps them, up to maxBinHistory; lost counts the rest.
func recordHistory(ctx context.Context, tx store.Tx, hist *schema.Object, id string) (kept []any, lost int, err error) {
	f := store.Leaf("record", store.OpEq, id)
	n, err := tx.Count(ctx, hist, &f)
	if err != nil {
		return nil, 0, fmt.Errorf("count stage history of %q: %w", id, err)
	}
	page, err := tx.Find(ctx, hist, store.Query{Filter: &f, Sort: []store.Sort{{Field: "at"}}, Limit: maxBinHistory})
	if err != nil {
		return nil, 0, fmt.Errorf("read stage history of %q: %w", id, err)
	}
	kept = make([]any, len(page.Records))
	for i, r := range page.Records {
		kept[i] = storedRecordJSON(r)
	}
	return kept, int(n) - len(kept), nil
}

// recycle writes the bin entry of cur, just deleted, in tx.
func (w *writer) recycle(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, reason string, refs *binRefs, history []any, historyLost int) error {
	sealed, err := w.sealBinData(obj, cur)
	if err != nil {
		return err
	}
	stored := cur
	stored.Data = sealed
	refList := make([]any, len(refs.kept))
	for i, r := range refs.kept {
		m := map[string]any{"object": r.Object, "field": r.Field, "record": r.Record}
		if r.Many {
			m["many"] = true
		}
		refList[i] = m
	}
	now := w.e.stamp()
	entry := store.Record{ID: cur.ID, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID, OwnerID: cur.OwnerID,
		Data: map[string]any{"object": obj.Name, "recordOwner": cur.OwnerID, "deletedBy": w.actor.ID, "deletedAt": now.Format(schema.DateTimeLayout),
			"reason": reason, "record": storedRecordJSON(stored), "references": refList, "referencesLost": float64(refs.lost),
			"history": history, "historyLost": float64(historyLost)}}
	// An entry left under this id (a record restored by an older server
	// and deleted again) gives way to the newer one.
	if err := tx.Delete(ctx, w.bin, cur.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("replace recycle bin entry of %s %q: %w", obj.Name, cur.ID, err)
	}
	if err := tx.Insert(ctx, w.bin, entry); err != nil {
		return fmt.Errorf("keep %s record %q in the recycle bin: %w", obj.Name, cur.ID, err)
	}
	return nil
}

// sealBinData returns the data of rec with the values of sensitive fields
// encrypted as the record's own store encrypts them (the same additional
// data), so that the bin holds no plain copy of them.
func (w *writer) sealBinData(obj *schema.Object, rec store.Record) (map[string]any, error) {
	if !seal.HasSensitive(obj) {
		return rec.Data, nil
	}
	if w.e.sealer == nil {
		return nil, noKey(obj)
	}
	data := cloneMap(rec.Data)
	for _, f := range obj.Fields {
		v, ok := data[f.Name]
		if !f.Sensitive || !ok || v == nil {
			continue
		}
		s, err := w.e.sealer.Seal(seal.AAD(w.actor.TenantID, obj.Name, f.Name, rec.ID), v)
		if err != nil {
			return nil, fmt.Errorf("seal %s.%s for the recycle bin: %w", obj.Name, f.Name, err)
		}
		data[f.Name] = s
	}
	return data, nil
}

// openBinData is the inverse of sealBinData: the record's data with its
// sealed values opened (tenant is the tenant they were sealed for).
func (e *Engine) openBinData(tenant string, obj *schema.Object, id string, data map[string]any) (map[string]any, error) {
	out := cloneMap(data)
	for k, v := range data {
		s, ok := v.(string)
		if !ok || !seal.IsSealed(s) {
			continue
		}
		if e.sealer == nil {
			return nil, noKey(obj)
		}
		plain, err := e.sealer.Open(seal.AAD(tenant, obj.Name, k, id), s)
		if err != nil {
			return nil, errorOf(ErrWrongKey, err, "seal.wrongKeyForRecord", obj.Name, k, id)
		}
		out[k] = plain
	}
	return out, nil
}

// storedRecordJSON is a record as a bin entry keeps it.
func storedRecordJSON(r store.Record) map[string]any {
	return map[string]any{"id": r.ID, "version": float64(r.Version), "ownerId": r.OwnerID,
		"createdAt": r.CreatedAt.UTC().Format(schema.DateTimeLayout), "createdBy": r.CreatedBy,
		"updatedAt": r.UpdatedAt.UTC().Format(schema.DateTimeLayout), "updatedBy": r.UpdatedBy, "data": r.Data}
}

// storedRecord reads back what storedRecordJSON wrote.
func storedRecord(v any) (store.Record, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return store.Record{}, fmt.Errorf("stored record is %T, not an object", v)
	}
	var r store.Record
	r.ID, _ = m["id"].(string)
	r.OwnerID, _ = m["ownerId"].(string)
	r.CreatedBy, _ = m["createdBy"].(string)
	r.UpdatedBy, _ = m["updatedBy"].(string)
	r.Version = int64(number(m["version"]))
	var err1, err2 error
	created, _ := m["createdAt"].(string)
	updated, _ := m["updatedAt"].(string)
	r.CreatedAt, err1 = time.Parse(schema.DateTimeLayout, created)
	r.UpdatedAt, err2 = time.Parse(schema.DateTimeLayout, updated)
	if err := errors.Join(err1, err2); err != nil {
		return store.Record{}, fmt.Errorf("stored record %q: %w", r.ID, err)
	}
	data, _ := m["data"].(map[string]any)
	r.Data = cloneMap(data)
	if r.ID == "" || r.Version < 1 {
		return store.Record{}, fmt.Errorf("stored record has no id or version")
	}
	return r, nil
}

// number reads a stored number, whichever numeric type a store gave back.
func number(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	}
	return 0
}

// retention is the tenant's retention in days, read once per writer.
func (w *writer) retention(ctx context.Context, r store.Reader) (int, error) {
	if w.retentionDays != nil {
		return *w.retentionDays, nil
	}
	days, err := retentionIn(ctx, r, w.snap.platform[settingObject])
	if err != nil {
		return 0, err
	}
	w.retentionDays = &days
	return days, nil
}

// retentionIn reads the retention stored in the tenant's settings (nil:
// the tenant has none).
func retentionIn(ctx context.Context, r store.Reader, settings *schema.Object) (int, error) {
	if settings == nil {
		return DefaultRetentionDays, nil
	}
	rec, err := r.Get(ctx, settings, recycleRetentionID)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultRetentionDays, nil
	} else if err != nil {
		return 0, fmt.Errorf("read the recycle bin's retention: %w", err)
	}
	text, _ := rec.Data["value"].(string)
	days, err := strconv.Atoi(text)
	if err != nil || days < 0 || days > MaxRetentionDays {
		return DefaultRetentionDays, nil // a value no API writes: the default holds
	}
	return days, nil
}

// RecycleRetention returns the tenant's recycle bin retention in days (0:
// deletes are final). Any signed-in caller may read it.
func (e *Engine) RecycleRetention(ctx context.Context) (int, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return 0, err
	}
	return retentionIn(ctx, sc.ts, sc.snap.platform[settingObject])
}

// SetRecycleRetention sets how many days deleted records stay in the
// tenant's recycle bin: 0 (deletes are final; the bin is emptied by the
// worker's next pass) to [MaxRetentionDays]. It applies to what the bin
// already holds. Administrators only; audited as a metadata change.
func (e *Engine) SetRecycleRetention(ctx context.Context, days int) (int, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return 0, err
	}
	if !sc.actor.Admin {
		return 0, errorOf(ErrForbidden, nil, "recycle.adminOnlyRetention")
	}
	if days < 0 || days > MaxRetentionDays {
		return 0, errorOf(ErrBadRequest, nil, "recycle.retentionRange", days, MaxRetentionDays)
	}
	settings, err := e.platformObject(ctx, sc.ts, sc.snap, settingObject)
	if err != nil {
		return 0, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return 0, err
	}
	now := e.stamp()
	value := strconv.Itoa(days)
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		old, err := retentionIn(ctx, tx, settings)
		if err != nil {
			return err
		}
		cur, err := tx.Get(ctx, settings, recycleRetentionID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.Insert(ctx, settings, store.Record{ID: recycleRetentionID, Version: 1, CreatedAt: now, UpdatedAt: now,
				CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: map[string]any{"value": value}})
		case err == nil:
			next := cur
			next.Data = map[string]any{"value": value}
			next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, sc.actor.ID
			err = tx.Update(ctx, settings, next, cur.Version)
		}
		if err != nil {
			return fmt.Errorf("store the recycle bin's retention: %w", err)
		}
		return w.auditAs(ctx, tx, AuditMetadata, settingObject, recycleRetentionID, 0,
			map[string]any{"retentionDays": map[string]any{"old": float64(old), "new": float64(days)}})
	})
	if err != nil {
		return 0, err
	}
	e.binDue.Delete(sc.actor.TenantID) // the worker looks again at once
	return days, nil
}

// resealBinEntry seals the sensitive values a recycle bin entry keeps
// (data, the entry's fields) again for the tenant target, as an import of
// another tenant's export does for every record: their additional data
// names the tenant. An entry without sealed values is returned as it is.
func (e *Engine) resealBinEntry(source, target, id string, data map[string]any) (map[string]any, error) {
	stored, ok := data["record"].(map[string]any)
	if !ok || source == target {
		return data, nil
	}
	values, _ := stored["data"].(map[string]any)
	object, _ := data["object"].(string)
	recordID, _ := stored["id"].(string)
	var next map[string]any
	for k, v := range values {
		s, ok := v.(string)
		if !ok || !seal.IsSealed(s) {
			continue
		}
		if e.sealer == nil {
			return nil, errorOf(ErrNoKey, nil, "transfer.noKeyForSensitive")
		}
		plain, err := e.sealer.Open(seal.AAD(source, object, k, recordID), s)
		if err != nil {
			return nil, fmt.Errorf("recycle bin entry %q: %s.%s does not open with this server's key: %w", id, object, k, ErrWrongKey)
		}
		sealed, err := e.sealer.Seal(seal.AAD(target, object, k, recordID), plain)
		if err != nil {
			return nil, err
		}
		if next == nil {
			next = cloneMap(values)
		}
		next[k] = sealed
	}
	if next == nil {
		return data, nil
	}
	out, rec := cloneMap(data), cloneMap(stored)
	rec["data"] = next
	out["record"] = rec
	return out, nil
}
