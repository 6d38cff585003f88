package engine

import (
	"context"
	"fmt"
	"maps"
	"reflect"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// writer carries what the writes of one request need inside their
// transaction: the tenant's metadata, the actor, and the platform objects
// that record changes feed (stage history, outbox, timers). A write may
// cause further writes (automations creating records); they share it.
type writer struct {
	e      *Engine
	ts     store.TenantStore
	snap   *snapshot
	actor  Actor
	hist   *schema.Object // nil when no object has a pipeline
	outbox *schema.Object // nil when no object has automations
	timers *schema.Object // nil when no object has automations
	// auditObj is the audit trail.
	auditObj *schema.Object
	// dupKeys holds the match keys of duplicate rules; nil when no
	// object has one.
	dupKeys *schema.Object
	// skipAutomations leaves the objects' automations out of this
	// writer's writes (no field actions, effects or time triggers), for an
	// administrator's migration; validation, rules, scripts, formulas and
	// roll-ups still run.
	skipAutomations bool
	// written memoises asWritten by object.
	written map[*schema.Object]bool
	// auditBuf, when set, collects the audit entries of the writes for
	// one multi-row insert before their transaction ends (see
	// auditBuffer); nil inserts each at once.
	auditBuf *auditBuffer
	// bin is the recycle bin (recycle.go); retentionDays its retention,
	// read by the first delete of the writer.
	bin           *schema.Object
	retentionDays *int
	// lookupMemo, when set, keeps the records that lookups named for
	// the next checks in the same transaction (see lookupMemo).
	lookupMemo *lookupMemo
	// numbers, when set, hands out the autonumbers of the writes from
	// memory and stores each counter once (see numberRun).
	numbers *numberRun
	// inbox and prefs are the notification objects (notify.go).
	inbox, prefs *schema.Object
	// approvalReqs and approvalTasks are the platform objects of approval
	// requests and their steps (approval.go); nil until an approval
	// operation or a lock check needs them.
	approvalReqs, approvalTasks *schema.Object
	// deadBlobs are the blobs of files the writes deleted, to delete once
	// they are committed (attachment.go).
	deadBlobs []string
	// newClock, when set, is the tenant clock a settings change brings,
	// which the reminders it moves count with (tenant_settings.go).
	newClock *tenantClock
}

// clock is the tenant clock the writer's reminders count with.
func (w *writer) clock() tenantClock {
	if w.newClock != nil {
		return *w.newClock
	}
	return w.snap.clock()
}

// newWriter prepares the platform objects the tenant's definitions need,
// before the write's transaction.
func (e *Engine) newWriter(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor) (*writer, error) {
	w := &writer{e: e, ts: ts, snap: snap, actor: a}
	var pipelines, automations, duplicates bool
	for _, o := range snap.catalog.Objects {
		automations = automations || len(o.Automations) > 0 || len(o.Scripts) > 0
		duplicates = duplicates || len(o.Duplicates) > 0
		for _, f := range o.Fields {
			pipelines = pipelines || f.Pipeline != nil
		}
	}
	var err error
	if w.auditObj, err = e.platformObject(ctx, ts, snap, auditObject); err != nil {
		return nil, err
	}
	if duplicates {
		if w.dupKeys, err = e.platformObject(ctx, ts, snap, duplicateKeyObject); err != nil {
			return nil, err
		}
	}
	if w.bin, err = e.platformObject(ctx, ts, snap, recycleObject); err != nil {
		return nil, err
	}
	if pipelines {
		if w.hist, err = e.platformObject(ctx, ts, snap, stageChangeObject); err != nil {
			return nil, err
		}
	}
	if automations {
		if w.outbox, err = e.platformObject(ctx, ts, snap, outboxObject); err != nil {
			return nil, err
		}
		if w.timers, err = e.platformObject(ctx, ts, snap, timerObject); err != nil {
			return nil, err
		}
	}
	if err := w.prepareNotify(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// prepare applies defaults to a new record's input, removes read-only
// fields, runs beforeSave scripts and formulas, and checks it: every
// problem at once in a *schema.ValidationError.
func (w *writer) prepare(ctx context.Context, obj *schema.Object, input map[string]any) (map[string]any, error) {
	return w.prepareIn(ctx, nil, obj, input)
}

// prepareIn is prepare inside tx, whose writes so far its scripts read
// (nil: they read what is committed).
func (w *writer) prepareIn(ctx context.Context, tx store.Tx, obj *schema.Object, input map[string]any) (map[string]any, error) {
	data := maps.Clone(input)
	if data == nil {
		data = map[string]any{}
	}
	problems := takeReadOnly(obj, data)
	for _, f := range obj.Fields {
		if _, set := data[f.Name]; !set && f.Default != nil && (f.Default != CurrentUser || w.actorUser() != "") {
			data[f.Name] = f.Default // "$user" of a user field: the creator, when a user (user_values.go)
		}
		if f.Rollup != nil && (f.Rollup.Function == schema.RollupCount || f.Rollup.Function == schema.RollupSum) {
			data[f.Name] = 0.0 // a new record has no children yet
		}
	}
	return w.check(ctx, tx, obj, nil, data, problems)
}

// create stores a new record whose data passed prepare, running the
// object's automations, in tx.
func (w *writer) create(ctx context.Context, tx store.Tx, obj *schema.Object, data map[string]any) (store.Record, error) {
	return w.createNormal(ctx, tx, obj, schema.Normalize(obj, data), nil)
}

// createNormal is create for data that [schema.Normalize] gave (a bulk
// create's checks running ahead normalise it off the writer's path).
func (w *writer) createNormal(ctx context.Context, tx store.Tx, obj *schema.Object, data map[string]any, encoded any) (store.Record, error) {
	if err := w.chargeGuesses(ctx, len(automationChain(ctx)) > 0, obj, nil, data); err != nil {
		return store.Record{}, err
	}
	now := w.e.stamp()
	rec := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID, OwnerID: w.actor.ID, Data: data}
	if err := checkLookups(ctx, tx, w, obj, data, nil, len(automationChain(ctx)) > 0); err != nil {
		return store.Record{}, err
	}
	for _, f := range obj.Fields {
		if f.Type != schema.TypeAutoNumber {
			continue
		}
		n, err := w.nextNumber(ctx, tx, "autonumber:"+obj.Name+"."+f.Name)
		if err != nil {
			return store.Record{}, fmt.Errorf("next number of %s.%s: %w", obj.Name, f.Name, err)
		}
		data[f.Name] = formatAutoNumber(f.AutoNumber, n)
		encoded = nil // data changed since it was encoded
	}
	fired, err := w.beforeSave(ctx, tx, obj, nil, &rec)
	if err != nil {
		return store.Record{}, err
	}
	if len(fired) > 0 {
		encoded = nil // field actions may have changed it
	}
	if err := w.checkDuplicates(ctx, tx, obj, rec.ID, nil, rec.Data); err != nil {
		return store.Record{}, err
	}
	if err := store.InsertEncoded(ctx, tx, obj, rec, encoded); err != nil {
		return store.Record{}, err
	}
	if err := w.claimFiles(ctx, tx, obj, rec.ID, nil, rec.Data); err != nil {
		return store.Record{}, err
	}
	changes := map[string]any{} // the values at creation are the record's first version (creationValues)
	if rec.OwnerID != w.actor.ID {
		changes["ownerId"] = map[string]any{"old": w.actor.ID, "new": rec.OwnerID}
	}
	if err := w.audit(ctx, tx, AuditCreate, obj, rec.ID, rec.Version, changes); err != nil {
		return store.Record{}, err
	}
	if err := w.afterSave(ctx, tx, obj, nil, rec, fired); err != nil {
		return store.Record{}, err
	}
	if err := w.maintainRollups(ctx, tx, obj, nil, &rec); err != nil {
		return store.Record{}, err
	}
	return rec, nil
}

// update applies a patch to cur in tx: patch semantics, the checks of
// prepare, automations. A patch that changes nothing writes nothing.
func (w *writer) update(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, patch map[string]any) (store.Record, error) {
	p := maps.Clone(patch)
	problems := takeReadOnly(obj, p)
	data := maps.Clone(cur.Data)
	for k, v := range p {
		if v == nil {
			delete(data, k)
		} else {
			data[k] = v
		}
	}
	data, err := w.check(ctx, tx, obj, &cur, data, problems)
	if err != nil {
		return store.Record{}, withLookupProblems(ctx, tx, w, obj, p, cur.Data, err)
	}
	data = schema.Normalize(obj, data)
	if err := w.approvalLock(ctx, tx, obj, cur, changedFields(p, cur.Data, data), false); err != nil {
		return store.Record{}, err
	}
	if reflect.DeepEqual(data, cur.Data) {
		return cur, nil
	}
	if err := w.chargeGuesses(ctx, len(automationChain(ctx)) > 0, obj, cur.Data, data); err != nil {
		return store.Record{}, err
	}
	if err := checkLookups(ctx, tx, w, obj, data, cur.Data, len(automationChain(ctx)) > 0); err != nil {
		return store.Record{}, err
	}
	next := cur
	next.Data = data
	next.Version = cur.Version + 1
	next.UpdatedAt = w.e.stamp()
	next.UpdatedBy = w.actor.ID
	fired, err := w.beforeSave(ctx, tx, obj, &cur, &next)
	if err != nil {
		return store.Record{}, err
	}
	if err := w.checkDuplicates(ctx, tx, obj, next.ID, cur.Data, next.Data); err != nil {
		return store.Record{}, err
	}
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return store.Record{}, err
	}
	if err := w.claimFiles(ctx, tx, obj, next.ID, cur.Data, next.Data); err != nil {
		return store.Record{}, err
	}
	changes := auditChanges(obj, cur.Data, next.Data)
	if next.OwnerID != cur.OwnerID {
		changes["ownerId"] = map[string]any{"old": cur.OwnerID, "new": next.OwnerID}
	}
	if err := w.audit(ctx, tx, AuditUpdate, obj, next.ID, next.Version, changes); err != nil {
		return store.Record{}, err
	}
	if err := w.afterSave(ctx, tx, obj, &cur, next, fired); err != nil {
		return store.Record{}, err
	}
	if err := w.maintainRollups(ctx, tx, obj, &cur, &next); err != nil {
		return store.Record{}, err
	}
	return next, nil
}

// afterSave records the stage moves of a write, runs the effects of the
// automations that fired, and schedules the record's time triggers.
func (w *writer) afterSave(ctx context.Context, tx store.Tx, obj *schema.Object, old *store.Record, rec store.Record, fired []*schema.Automation) error {
	var oldData map[string]any
	since := rec.CreatedAt
	if old != nil {
		oldData = old.Data
	}
	if moves := stageMoves(obj, oldData, rec.Data); len(moves) > 0 && w.hist != nil {
		if err := w.e.recordStageMoves(ctx, tx, w.hist, obj, rec, moves, since); err != nil {
			return err
		}
	}
	if err := w.afterScripts(ctx, tx, obj, old, rec); err != nil {
		return err
	}
	for _, au := range fired {
		if err := w.effects(ctx, tx, obj, rec, au); err != nil {
			return err
		}
	}
	if w.skipAutomations {
		return nil
	}
	return w.scheduleTimers(ctx, tx, obj, rec)
}

// remove deletes a record in tx: optional references to it are cleared,
// required ones refuse the delete, and the engine's data about it goes;
// the record, with what a restore needs, goes to the recycle bin
// (recycle.go; removeAs says why, or erases for good).
func (w *writer) remove(ctx context.Context, tx store.Tx, obj *schema.Object, id string) error {
	return w.removeAs(ctx, tx, obj, id, RecycleDeleted)
}
