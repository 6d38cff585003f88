package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Definition documents — roles, layouts, views, reports, dashboards — are platform records
// whose "definition" member holds the document. They are written and
// deleted the same way: in one transaction with an audit entry of the old
// and new document, and, for those that change what the generated APIs
// serve, a new metadata revision.

// definitionKind says where one kind of definition document lives.
type definitionKind struct {
	object string // the platform object: roleObject, layoutObject, viewObject
	name   string // "role", "layout", "view": the audit entry's key and messages
	action string // the audit action
	bump   bool   // a change alters the generated APIs: bump the metadata revision
}

var (
	roleDefinitions   = definitionKind{object: roleObject, name: "role", action: AuditPermission, bump: true}
	layoutDefinitions = definitionKind{object: layoutObject, name: "layout", action: AuditMetadata}
	viewDefinitions   = definitionKind{object: viewObject, name: "view", action: AuditMetadata}
	reportDefinitions = definitionKind{object: reportObject, name: "report", action: AuditMetadata}
	dashDefinitions   = definitionKind{object: dashboardObject, name: "dashboard", action: AuditMetadata}
)

// putDefinition inserts or replaces the document with the given id. extra
// holds record members beside "definition"; owner is the record's owner.
func (e *Engine) putDefinition(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, k definitionKind, id, owner string, def, extra map[string]any) error {
	obj, w, err := e.platformWriter(ctx, ts, snap, a, k.object)
	if err != nil {
		return err
	}
	data := map[string]any{"definition": def}
	for key, v := range extra {
		data[key] = v
	}
	now := e.stamp()
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		var old any
		cur, err := tx.Get(ctx, obj, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID, OwnerID: owner, Data: data})
		case err == nil:
			old = cur.Data["definition"]
			next := cur
			next.Data = data
			next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, a.ID
			err = tx.Update(ctx, obj, next, cur.Version)
		}
		if err != nil {
			return err
		}
		return k.finish(ctx, tx, w, obj, id, old, def)
	})
	if err != nil {
		return fmt.Errorf("save %s %q: %w", k.name, id, err)
	}
	return nil
}

// deleteDefinition deletes the document with the given id; found is false
// when there was none.
func (e *Engine) deleteDefinition(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, k definitionKind, id string) (found bool, err error) {
	obj, w, err := e.platformWriter(ctx, ts, snap, a, k.object)
	if err != nil {
		return false, err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, obj, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if err := tx.Delete(ctx, obj, id); err != nil {
			return err
		}
		return k.finish(ctx, tx, w, obj, id, cur.Data["definition"], nil)
	})
	if err != nil {
		return false, fmt.Errorf("delete %s %q: %w", k.name, id, err)
	}
	return found, nil
}

// finish audits a change of a document in tx and bumps the metadata
// revision when the kind asks for it.
func (k definitionKind) finish(ctx context.Context, tx store.Tx, w *writer, obj *schema.Object, id string, old, new any) error {
	if err := w.audit(ctx, tx, k.action, obj, id, 0, map[string]any{k.name: map[string]any{"old": old, "new": new}}); err != nil {
		return err
	}
	if k.bump {
		return tx.BumpMetaRevision(ctx)
	}
	return nil
}

// jsonMap turns a value into decoded JSON.
func jsonMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// definitionOwner is the owner a saved definition (view, report,
// dashboard) gets: the actor's own, or with shared "" (everyone's), which
// only administrators may have; anyone else is refused with the
// catalogue's key refused.
func definitionOwner(a Actor, shared bool, refused message.Key) (string, error) {
	if !shared {
		return a.ID, nil
	}
	if !a.Admin {
		return "", errorOf(ErrForbidden, nil, refused)
	}
	return "", nil
}

// definitionProblems is the cause and the text of the VALIDATION_FAILED
// of a saved definition (report, dashboard) that cannot be kept: its
// problems apart (path and message), for forms to show each next to what
// it concerns, and as one text for the message.
func definitionProblems(kind, name string, problems []schema.Problem) (*schema.DefinitionError, string) {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.Message
		if p.Path != "" {
			parts[i] = p.Path + ": " + p.Message
		}
	}
	return &schema.DefinitionError{Object: kind + " " + name, Problems: problems}, strings.Join(parts, "; ")
}

// sharedFirst orders saved definitions as lists show them: shared ones
// (no owner) before personal ones, then by name.
func sharedFirst(ownerX, nameX, ownerY, nameY string) int {
	if (ownerX == "") != (ownerY == "") {
		if ownerX == "" {
			return -1
		}
		return 1
	}
	return strings.Compare(nameX, nameY)
}
