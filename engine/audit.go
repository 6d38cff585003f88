package engine

import (
	"context"
	"fmt"
	"reflect"
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
func (w *writer) audit(ctx context.Context, tx store.Tx, action string, obj *schema.Object, id string, version int64, changes map[string]any) error {
	return w.auditAs(ctx, tx, action, obj.Name, id, version, changes)
}

// auditAs is audit for what is not a record of an object (an API key).
func (w *writer) auditAs(ctx context.Context, tx store.Tx, action, object, id string, version int64, changes map[string]any) error {
	if w.auditObj == nil {
		return nil
	}
	now := w.e.stamp()
	entry := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID,
		Data: map[string]any{"at": now.Format(schema.DateTimeLayout), "actor": w.actor.ID, "door": doorOf(ctx), "action": action,
			"object": object, "record": id, "recordVersion": float64(version), "changes": changes}}
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

// Audit returns audit entries, newest first, and whether more follow.
// Administrators only.
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
	for field, v := range map[string]string{"object": q.Object, "record": q.RecordID, "actor": q.Actor, "action": q.Action} {
		if v != "" {
			conds = append(conds, store.Leaf(field, store.OpEq, v))
		}
	}
	if !q.Since.IsZero() {
		conds = append(conds, store.Leaf("at", store.OpGte, q.Since.UTC().Format(schema.DateTimeLayout)))
	}
	if !q.Until.IsZero() {
		conds = append(conds, store.Leaf("at", store.OpLt, q.Until.UTC().Format(schema.DateTimeLayout)))
	}
	if q.After != "" {
		conds = append(conds, store.Leaf("id", store.OpLt, q.After))
	}
	sq := store.Query{Sort: []store.Sort{{Field: "id", Desc: true}}, Limit: first}
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
		en := AuditEntry{ID: r.ID, Actor: s("actor"), Door: s("door"), Action: s("action"), Object: s("object"), RecordID: s("record"),
			Changes: map[string]FieldChange{}}
		en.At, _ = time.Parse(schema.DateTimeLayout, s("at"))
		if v, ok := r.Data["recordVersion"].(float64); ok {
			en.Version = int64(v)
		}
		if ch, ok := r.Data["changes"].(map[string]any); ok {
			for k, c := range ch {
				if m, ok := c.(map[string]any); ok {
					en.Changes[k] = FieldChange{Old: m["old"], New: m["new"]}
				}
			}
		}
		out[i] = en
	}
	return out, page.HasMore, nil
}
