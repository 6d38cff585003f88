package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The audit trail: every record create, update and delete and every
// metadata change is recorded, in the transaction of the change, with who
// made it, when, through which door, and the old and new value of each
// changed field. It is a platform object that no API writes to, so it is
// append-only for everyone; administrators read it with Audit. Values of
// sensitive fields are not copied into it.

const auditObject = "crmAudit"

// Audit actions.
const (
	AuditCreate   = "create"
	AuditUpdate   = "update"
	AuditDelete   = "delete"
	AuditMetadata = "metadata"
	// AuditPersonalData records a personal data export or erasure.
	AuditPersonalData = "personalData"
	// AuditPermission records a change of a role.
	AuditPermission = "permission"
)

// maskedValue stands for the value of a sensitive field in the trail.
const maskedValue = "•••"

type doorKey struct{}

// WithDoor names the way a request came in ("graphql", "import",
// "automation", "script", "cli"), for the audit trail.
func WithDoor(ctx context.Context, door string) context.Context {
	return context.WithValue(ctx, doorKey{}, door)
}

func doorOf(ctx context.Context) string {
	if d, ok := ctx.Value(doorKey{}).(string); ok && d != "" {
		return d
	}
	return "api"
}

// AuditEntry is one entry of the audit trail.
type AuditEntry struct {
	ID       string
	At       time.Time
	Actor    string
	Door     string
	Action   string
	Object   string
	RecordID string
	Version  int64
	// Changes maps each changed field to its old and new values (nil for
	// none); sensitive fields show "•••".
	Changes map[string]FieldChange
}

// FieldChange is the old and new value of one field.
type FieldChange struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// auditChanges lists the fields whose value differs between old and new
// (either may be nil), masking sensitive fields.
func auditChanges(obj *schema.Object, old, new map[string]any) map[string]any {
	out := map[string]any{}
	seen := map[string]bool{}
	add := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		ov, nv := old[k], new[k]
		if reflect.DeepEqual(ov, nv) {
			return
		}
		if f := obj.Field(k); f != nil && f.Sensitive {
			if ov != nil {
				ov = maskedValue
			}
			if nv != nil {
				nv = maskedValue
			}
		}
		out[k] = map[string]any{"old": ov, "new": nv} // not a pair array: some servers refuse nested arrays
	}
	for k := range old {
		add(k)
	}
	for k := range new {
		add(k)
	}
	return out
}

// audit appends one entry in tx.
//
// An entry's moment is its createdAt and its actor its createdBy: they
// are not copied into its data (entries written before kept them there
// too, as "at" and "actor", and read as before: entryMoment, entryActor).
// Its updatedBy is left empty (no one updates an entry; scrubbing or
// moving one sets it) and a change-less entry (a create's) has no
// "changes": together about 100 bytes of each entry's row, and its
// indexes are on integers rather than 27 characters of time
// (docs/decisions.md, "The audit entry's time and actor").
func (w *writer) audit(ctx context.Context, tx store.Tx, action string, obj *schema.Object, id string, version int64, changes map[string]any) error {
	return w.auditAs(ctx, tx, action, obj.Name, id, version, changes)
}

// auditAs is audit for what is not a record of an object (an API key).
func (w *writer) auditAs(ctx context.Context, tx store.Tx, action, object, id string, version int64, changes map[string]any) error {
	if w.auditObj == nil {
		return nil
	}
	now := w.e.stamp()
	entry := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID,
		Data: map[string]any{"door": doorOf(ctx), "action": action, "object": object, "record": id, "recordVersion": float64(version)}}
	if len(changes) > 0 {
		entry.Data["changes"] = changes
	}
	if w.auditBuf != nil {
		w.auditBuf.entries = append(w.auditBuf.entries, entry)
		return nil
	}
	if err := tx.Insert(ctx, w.auditObj, entry); err != nil {
		return fmt.Errorf("audit %s of %s %q: %w", action, object, id, err)
	}
	return nil
}

// auditBuffer holds the audit entries of many writes in one transaction
// until they are stored together ([store.InsertMany]: one multi-row
// insert instead of one insert each). Whoever sets a writer's auditBuf
// flushes it before the transaction commits, and cuts it back to a mark
// when it rolls back to a savepoint. Nothing reads the trail inside the
// write's transaction, so holding the entries back changes nothing
// anyone sees.
type auditBuffer struct {
	entries []store.Record
}

// mark is where the entries of the writes to come start.
func (b *auditBuffer) mark() int { return len(b.entries) }

// undo forgets the entries added since m, whose writes were undone.
func (b *auditBuffer) undo(m int) { b.entries = b.entries[:m] }

// flush stores the entries held in tx and empties the buffer.
func (w *writer) flushAudit(ctx context.Context, tx store.Tx) error {
	b := w.auditBuf
	if b == nil || len(b.entries) == 0 || w.auditObj == nil {
		return nil
	}
	if err := store.InsertMany(ctx, tx, w.auditObj, b.entries); err != nil {
		return fmt.Errorf("audit %d writes: %w", len(b.entries), err)
	}
	b.entries = b.entries[:0]
	return nil
}

// AuditQuery selects audit entries; empty fields select all.
type AuditQuery struct {
	Object   string
	RecordID string
	Actor    string
	Action   string
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	First    int
	After    string // cursor: the id of the last entry of the previous page
}

// Audit returns audit entries, newest first (by the time they were
// written, then by id), and whether more follow. Administrators only.
func (e *Engine) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, bool, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, false, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, false, errorOf(ErrForbidden, nil, "audit.adminOnly")
	}
	first := q.First
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 1 || first > MaxPageSize {
		return nil, false, errorOf(ErrBadRequest, nil, "page.firstOutOfRange", MaxPageSize)
	}
	au := snap.platform[auditObject]
	if au == nil {
		return nil, false, nil
	}
	var conds []store.Filter
	for field, v := range map[string]string{"object": q.Object, "record": q.RecordID, "createdBy": q.Actor, "action": q.Action} {
		if v != "" {
			conds = append(conds, store.Leaf(field, store.OpEq, v))
		}
	}
	if !q.Since.IsZero() {
		conds = append(conds, store.Leaf("createdAt", store.OpGte, q.Since.UTC().Truncate(time.Microsecond)))
	}
	if !q.Until.IsZero() {
		conds = append(conds, store.Leaf("createdAt", store.OpLt, q.Until.UTC().Truncate(time.Microsecond)))
	}
	if q.After != "" {
		// After the entry of that id in the trail's order: older, or as
		// old and of a lower id. An id that names no entry (gone with its
		// object) still pages on by id.
		last, err := ts.Get(ctx, au, q.After)
		switch {
		case err == nil:
			at := last.CreatedAt
			conds = append(conds, store.Filter{Or: []store.Filter{store.Leaf("createdAt", store.OpLt, at),
				{And: []store.Filter{store.Leaf("createdAt", store.OpEq, at), store.Leaf("id", store.OpLt, last.ID)}}}})
		case errors.Is(err, store.ErrNotFound):
			conds = append(conds, store.Leaf("id", store.OpLt, q.After))
		default:
			return nil, false, fmt.Errorf("read audit entry %q of the cursor: %w", q.After, err)
		}
	}
	// Newest first by the entries' time, then id: each index of the trail
	// ends with (createdAt, id), so a page walks one and stops after
	// first entries, where an order by id alone sorted every entry the
	// filter kept (all of an object's or an actor's: 70,000 entries, a
	// third of a second, for each page).
	sq := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}, {Field: "id", Desc: true}}, Limit: first}
	if len(conds) > 0 {
		sq.Filter = &store.Filter{And: conds}
	}
	page, err := ts.Find(ctx, au, sq)
	if err != nil {
		return nil, false, fmt.Errorf("read audit trail: %w", err)
	}
	out := make([]AuditEntry, len(page.Records))
	for i, r := range page.Records {
		s := func(k string) string { v, _ := r.Data[k].(string); return v }
		en := AuditEntry{ID: r.ID, At: entryMoment(r), Actor: entryActor(r), Door: s("door"), Action: s("action"), Object: s("object"), RecordID: s("record"),
			Changes: map[string]FieldChange{}}
		if v, ok := r.Data["recordVersion"].(float64); ok {
			en.Version = int64(v)
		}
		ch, _ := r.Data["changes"].(map[string]any)
		if en.Action == AuditCreate {
			if ch, err = creationChanges(ctx, ts, au, snap.catalog.Object(en.Object), r); err != nil {
				return nil, false, err
			}
		}
		for k, c := range ch {
			if m, ok := c.(map[string]any); ok {
				en.Changes[k] = FieldChange{Old: m["old"], New: m["new"]}
			}
		}
		out[i] = en
	}
	return out, page.HasMore, nil
}

// entryMoment is when the audit entry r was written: its createdAt, which
// entries written before also kept as "at" (the same instant).
func entryMoment(r store.Record) time.Time { return recordMoment(r, "at") }

// entryActor is who made the change the audit entry r records: its
// createdBy, which entries written before also kept as "actor".
func entryActor(r store.Record) string {
	if a, ok := r.Data["actor"].(string); ok {
		return a
	}
	return r.CreatedBy
}

// A create's entry holds no values (only a change of owner, when the
// record was created for someone else): the record's values at creation
// are its first version, rebuilt when the trail is read (creationValues)
// from the record as stored and the entries written since, each of which
// keeps the old and new value of what it changed. Entries written before
// this (with the values) read as they are. An entry that stops being
// rebuildable — its record merged into another, its object deleted — is
// given its values first (materializeCreation).

// rebuildPage is how many later entries of a record one read takes while
// its creation is rebuilt.
const rebuildPage = 500

// keepsValues reports whether a create entry holds the record's values
// (written before creates stopped holding them, or materialised since):
// any change besides the owner's and what is not a field ($pool…).
func keepsValues(changes map[string]any) bool {
	for k := range changes {
		if k != "ownerId" && !strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

// needsRebuild reports whether the audit entry r is a create whose values
// must be rebuilt from the record and its later entries.
func needsRebuild(r store.Record) bool {
	if a, _ := r.Data["action"].(string); a != AuditCreate {
		return false
	}
	if m, _ := r.Data["mergedFrom"].(string); m != "" {
		return false
	}
	changes, _ := r.Data["changes"].(map[string]any)
	return !keepsValues(changes)
}

// creationValues rebuilds the data record id of obj had when it was
// created (the create entry is entry): from the record as stored now, or
// as its delete entry kept it when it is gone, every later change of the
// record is undone, newest first. Entries moved to the record from
// records merged into it are not its changes and are passed over. ok is
// false when neither the record nor a delete entry remains. It reads the
// record's later entries in pages of rebuildPage: the cost follows the
// record's history, the memory does not.
func creationValues(ctx context.Context, r store.Reader, au, obj *schema.Object, id, entry string) (data map[string]any, ok bool, err error) {
	cur, err := r.Get(ctx, obj, id)
	switch {
	case err == nil:
		data, ok = cloneMap(cur.Data), true
	case errors.Is(err, store.ErrNotFound):
	default:
		return nil, false, fmt.Errorf("read %s %q to rebuild its creation: %w", obj.Name, id, err)
	}
	if data == nil {
		data = map[string]any{}
	}
	after := ""
	for {
		conds := []store.Filter{store.Leaf("record", store.OpEq, id), store.Leaf("object", store.OpEq, obj.Name), store.Leaf("id", store.OpGt, entry)}
		if after != "" {
			conds = append(conds, store.Leaf("id", store.OpLt, after))
		}
		page, err := r.Find(ctx, au, store.Query{Filter: &store.Filter{And: conds}, Sort: []store.Sort{{Field: "id", Desc: true}}, Limit: rebuildPage})
		if err != nil {
			return nil, false, fmt.Errorf("read the audit trail of %s %q: %w", obj.Name, id, err)
		}
		for _, en := range page.Records {
			if m, _ := en.Data["mergedFrom"].(string); m != "" {
				continue
			}
			changes, _ := en.Data["changes"].(map[string]any)
			switch action, _ := en.Data["action"].(string); action {
			case AuditUpdate:
				if v, _ := en.Data["recordVersion"].(float64); v == 0 {
					continue // about the record's files, not its values
				}
				for k, c := range changes {
					if k == "ownerId" || strings.HasPrefix(k, "$") {
						continue // the owner, and what is not a field ($pool…)
					}
					m, _ := c.(map[string]any)
					if old := m["old"]; old != nil {
						data[k] = old
					} else {
						delete(data, k)
					}
				}
			case AuditDelete:
				// What the record held when it was deleted: every value.
				data, ok = map[string]any{}, true
				for k, c := range changes {
					m, _ := c.(map[string]any)
					if old := m["old"]; old != nil {
						data[k] = old
					}
				}
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			break
		}
		after = page.Records[len(page.Records)-1].ID
	}
	return data, ok, nil
}

// creationChanges is what the trail shows for the create entry r of a
// record of obj: the values it stored, or those rebuilt (masked as the
// create would have masked them) when it stored none.
func creationChanges(ctx context.Context, rd store.Reader, au, obj *schema.Object, r store.Record) (map[string]any, error) {
	changes, _ := r.Data["changes"].(map[string]any)
	if obj == nil || !needsRebuild(r) {
		return changes, nil
	}
	id, _ := r.Data["record"].(string)
	data, ok, err := creationValues(ctx, rd, au, obj, id, r.ID)
	if err != nil || !ok {
		return changes, err
	}
	out := auditChanges(obj, nil, data)
	for k, v := range data {
		if v == erasedValue { // erased since: as the erasure left the entry
			out[k] = map[string]any{"old": nil, "new": erasedValue}
		}
	}
	if o, ok := changes["ownerId"]; ok {
		out["ownerId"] = o
	}
	return out, nil
}

// materializeCreation writes into the create entries of obj's record id
// (every record of obj when id is "") the values they were created with,
// for entries that hold none, in tx: before the record's entries move to
// another record (merge) or its object goes, after which the record's
// later changes can no longer be told apart.
func (w *writer) materializeCreation(ctx context.Context, tx store.Tx, obj *schema.Object, id string) error {
	if w.auditObj == nil {
		return nil
	}
	conds := []store.Filter{store.Leaf("object", store.OpEq, obj.Name), store.Leaf("action", store.OpEq, AuditCreate)}
	if id != "" {
		conds = append(conds, store.Leaf("record", store.OpEq, id))
	}
	last := ""
	for {
		f := store.Filter{And: conds}
		if last != "" {
			f.And = append(slices.Clone(conds), store.Leaf("id", store.OpGt, last))
		}
		page, err := tx.Find(ctx, w.auditObj, store.Query{Filter: &f, Sort: []store.Sort{{Field: "id"}}, Limit: rebuildPage})
		if err != nil {
			return fmt.Errorf("read the create entries of %s: %w", obj.Name, err)
		}
		for _, r := range page.Records {
			if !needsRebuild(r) {
				continue
			}
			changes, err := creationChanges(ctx, tx, w.auditObj, obj, r)
			if err != nil {
				return err
			}
			next := r
			next.Data = cloneMap(r.Data)
			next.Data["changes"] = changes
			next.Version = r.Version + 1
			if err := tx.Update(ctx, w.auditObj, next, r.Version); err != nil {
				return fmt.Errorf("keep the values of create entry %q: %w", r.ID, err)
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			return nil
		}
		last = page.Records[len(page.Records)-1].ID
	}
}
