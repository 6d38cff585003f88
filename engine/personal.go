package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Personal data requests: everything stored about one record (a contact, a
// patient), and its erasure across objects.

// PersonalData is what the tenant stores about one record.
type PersonalData struct {
	Object string
	Record store.Record
	// References are the records of other objects that refer to it, by
	// object and field.
	References []Reference
	History    []StageChange
	Audit      []AuditEntry
}

// Reference is a record that refers to the subject.
type Reference struct {
	Object   string
	Field    string
	RecordID string
}

// maxReferences bounds the references one request lists per field.
const maxReferences = 10_000

// PersonalDataOf collects what is stored about a record: the record with
// its plain values, the records referring to it, its stage history and
// its audit trail. Administrators only; the request is itself audited.
func (e *Engine) PersonalDataOf(ctx context.Context, object, id string) (*PersonalData, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "personal.adminOnlyExport")
	}
	rec, err := ts.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(obj, id, err)
	} else if err != nil {
		return nil, err
	}
	out := &PersonalData{Object: object, Record: rec}
	for _, src := range snap.catalog.Objects {
		for _, f := range src.Fields {
			if f.Target != obj.Name || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
				continue
			}
			ref := store.Leaf(f.Name, store.OpEq, id)
			page, err := ts.Find(ctx, src, store.Query{Filter: &ref, Sort: []store.Sort{{Field: "id"}}, Limit: maxReferences})
			if err != nil {
				return nil, fmt.Errorf("find references to %s %q: %w", object, id, err)
			}
			for _, r := range page.Records {
				out.References = append(out.References, Reference{Object: src.Name, Field: f.Name, RecordID: r.ID})
			}
		}
	}
	for _, f := range obj.Fields {
		if f.Pipeline == nil {
			continue
		}
		h, err := e.StageHistory(ctx, object, f.Name, []string{id})
		if err != nil {
			return nil, err
		}
		out.History = append(out.History, h[id]...)
	}
	for after := ""; ; {
		entries, more, err := e.Audit(ctx, AuditQuery{RecordID: id, First: MaxPageSize, After: after})
		if err != nil {
			return nil, err
		}
		out.Audit = append(out.Audit, entries...)
		if !more || len(entries) == 0 {
			break
		}
		after = entries[len(entries)-1].ID
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return nil, err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		return w.audit(ctx, tx, AuditPersonalData, obj, id, rec.Version, map[string]any{"request": map[string]any{"old": nil, "new": "export"}})
	})
	return out, err
}

// ErasePersonalData deletes a record as DeleteRecord does (references to
// it cleared, required ones refusing) but for good, never through the
// recycle bin, erases the bin's copy of a record deleted earlier, and removes its values from the
// audit trail, whose entries keep only who changed which field when. The
// erasure is audited. Administrators only.
func (e *Engine) ErasePersonalData(ctx context.Context, object, id string) error {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return errorOf(ErrForbidden, nil, "personal.adminOnlyErase")
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		// Erasure is final at once: the record skips the recycle bin, and
		// a copy the bin holds from an earlier delete goes too.
		binned, err := w.eraseFromBin(ctx, tx, obj, id)
		if err != nil {
			return err
		}
		if err := w.removeAs(ctx, tx, obj, id, ""); err != nil && !(binned && errors.Is(err, ErrNotFound)) {
			return err
		}
		if err := scrubAudit(ctx, tx, w.auditObj, id); err != nil {
			return err
		}
		return w.audit(ctx, tx, AuditPersonalData, obj, id, 0, map[string]any{"request": map[string]any{"old": nil, "new": "erase"}})
	})
	if err != nil {
		return writeFailed(obj, "erase", err)
	}
	w.dropDeadBlobs(ctx) // the erased record's files
	return nil
}

// erasedValue replaces values removed from the audit trail.
const erasedValue = "[erased]"

// scrubAudit replaces the values in a record's audit entries.
func scrubAudit(ctx context.Context, tx store.Tx, au *schema.Object, id string) error {
	f := store.Leaf("record", store.OpEq, id)
	q := store.Query{Filter: &f, Sort: []store.Sort{{Field: "id"}}, Limit: 500}
	for {
		page, err := tx.Find(ctx, au, q)
		if err != nil {
			return fmt.Errorf("read audit entries of %q: %w", id, err)
		}
		for _, r := range page.Records {
			changes, _ := r.Data["changes"].(map[string]any)
			scrubbed := make(map[string]any, len(changes))
			for k, c := range changes {
				m, _ := c.(map[string]any)
				old, new := any(nil), any(nil)
				if m["old"] != nil {
					old = erasedValue
				}
				if m["new"] != nil {
					new = erasedValue
				}
				scrubbed[k] = map[string]any{"old": old, "new": new}
			}
			next := r
			next.Data = cloneMap(r.Data)
			next.Data["changes"] = scrubbed
			next.Version = r.Version + 1
			if err := tx.Update(ctx, au, next, r.Version); err != nil {
				return fmt.Errorf("scrub audit entry %q: %w", r.ID, err)
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			return nil
		}
		last := page.Records[len(page.Records)-1]
		q.After = &store.Position{Values: []any{last.ID}, ID: last.ID}
	}
}
