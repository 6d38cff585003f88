package engine

import (
	"context"
	"strings"

	"github.com/crmkit/crm/store"
)

// TransferRecord hands a record to another owner, an active user of the
// tenant named "user:NAME" or NAME. The actor must be allowed to update
// the object and to change the record (its owner, someone above the owner
// or an administrator); the new owner's circle then sees it under the
// object's sharing. The move is audited as an update of ownerId. A
// transfer to the current owner changes nothing.
func (e *Engine) TransferRecord(ctx context.Context, object, id, owner string) (store.Record, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return store.Record{}, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if err := snap.mayDo(a, obj, "update"); err != nil {
		return store.Record{}, err
	}
	name := strings.TrimPrefix(owner, "user:")
	if u, ok := snap.users[name]; !ok || !u.Active {
		return store.Record{}, errorOf(ErrBadRequest, nil, "record.ownerNotActive", owner)
	}
	owner = "user:" + name
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := changeable(ctx, tx, snap, a, obj, id)
		if err != nil {
			return err
		}
		if cur.OwnerID == owner {
			out = cur
			return nil
		}
		if err := w.approvalLock(ctx, tx, obj, cur, []string{"ownerId"}, false); err != nil {
			return err
		}
		out = cur
		out.OwnerID = owner
		out.Version = cur.Version + 1
		out.UpdatedAt = e.stamp()
		out.UpdatedBy = a.ID
		if err := tx.Update(ctx, obj, out, cur.Version); err != nil {
			return err
		}
		changes := map[string]any{"ownerId": map[string]any{"old": cur.OwnerID, "new": owner}}
		return w.audit(ctx, tx, AuditUpdate, obj, id, out.Version, changes)
	})
	if err != nil {
		return store.Record{}, writeFailed(obj, "transfer", err)
	}
	return snap.readRules(a, obj).ShowOne(out), nil
}
