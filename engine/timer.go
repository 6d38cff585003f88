package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Time triggers ("1 day before closeDate", "3 days after lastContactAt")
// become timers: a platform record per record and rule holding the moment
// the rule is due, kept in step with the record on every write. The
// worker fires due timers (see [Engine.Queues]); a timer whose record moved its
// date meanwhile is superseded by a new one and never fires.

// dueAt returns when a time automation is due for a record by the
// tenant's clock: its date field plus the offset. A date (without a time
// of day) is due when the tenant's working day starts on it, in the
// tenant's time zone; the offset's days are calendar days there. ok is
// false when the record has no such date.
func dueAt(au *schema.Automation, rec store.Record, clock tenantClock) (time.Time, bool) {
	s, _ := rec.Data[au.DateField].(string)
	if s == "" {
		return time.Time{}, false
	}
	hours := time.Duration(au.OffsetHours) * time.Hour
	if d, err := time.ParseInLocation(schema.DateLayout, s, clock.zone); err == nil {
		return d.AddDate(0, 0, au.OffsetDays).Add(clock.dayStart + hours).UTC(), true
	}
	t, err := time.Parse(schema.DateTimeLayout, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, false
		}
	}
	return t.In(clock.zone).AddDate(0, 0, au.OffsetDays).Add(hours).UTC(), true
}

// notPast is the zero time: [writer.scheduleTimersFrom] schedules every
// moment, past ones included, as a write does.
var notPast time.Time

// scheduleTimers brings the record's timers in line with its time
// automations after a write.
func (w *writer) scheduleTimers(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record) error {
	_, err := w.scheduleTimersFrom(ctx, tx, obj, rec, notPast)
	return err
}

// scheduleTimersFrom is [writer.scheduleTimers] for moments from
// notBefore on: a rule due earlier is left as it is (neither scheduled
// nor cancelled). It returns how many timers it scheduled.
func (w *writer) scheduleTimersFrom(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record, notBefore time.Time) (int, error) {
	if w.timers == nil {
		return 0, nil
	}
	scheduled := 0
	for i := range obj.Automations {
		au := &obj.Automations[i]
		if au.Event != schema.EventTime {
			continue
		}
		due, ok := dueAt(au, rec, w.clock())
		ok = ok && au.Active
		if ok && due.Before(notBefore) {
			continue
		}
		f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, rec.ID), store.Leaf("rule", store.OpEq, au.Name)}}
		page, err := tx.Find(ctx, w.timers, store.Query{Filter: &f, Limit: 100})
		if err != nil {
			return 0, fmt.Errorf("read timers of %s %q: %w", obj.Name, rec.ID, err)
		}
		dueText := due.Format(schema.DateTimeLayout)
		keep := false
		for _, t := range page.Records {
			if ok && t.Data["dueAt"] == dueText {
				keep = true // already scheduled (or fired) for this moment
				continue
			}
			if t.Data["status"] == "pending" {
				if err := tx.Delete(ctx, w.timers, t.ID); err != nil {
					return 0, fmt.Errorf("cancel timer of %s %q: %w", obj.Name, rec.ID, err)
				}
			}
		}
		if !ok || keep {
			continue
		}
		now := w.e.stamp()
		timer := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID,
			Data: map[string]any{"object": obj.Name, "record": rec.ID, "rule": au.Name, "dueAt": dueText, "status": "pending"}}
		if err := tx.Insert(ctx, w.timers, timer); err != nil {
			return 0, fmt.Errorf("schedule %s.%s for %q: %w", obj.Name, au.Name, rec.ID, err)
		}
		scheduled++
	}
	return scheduled, nil
}

// automationActor is who the writes of timers and other background
// automation runs are made by.
func automationActor(tenantID string) Actor {
	return Actor{TenantID: tenantID, ID: "automation", Admin: true}
}

// fireTimer runs one due timer in tx; ran is false when it no longer
// applies (record or rule gone, date moved, condition false).
func (w *writer) fireTimer(ctx context.Context, tx store.Tx, timers *schema.Object, id string) (ran bool, err error) {
	t, err := tx.Get(ctx, timers, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.Data["status"] != "pending" {
		return false, nil // another worker took it
	}
	if err != nil {
		return false, err
	}
	objName, _ := t.Data["object"].(string)
	if objName == taskObject {
		return w.fireReminder(ctx, tx, timers, t)
	}
	recID, _ := t.Data["record"].(string)
	rule, _ := t.Data["rule"].(string)
	obj := w.snap.catalog.Object(objName)
	var au *schema.Automation
	if obj != nil {
		for i := range obj.Automations {
			if obj.Automations[i].Name == rule && obj.Automations[i].Event == schema.EventTime {
				au = &obj.Automations[i]
			}
		}
	}
	status := "cancelled"
	if au != nil && au.Active {
		rec, err := tx.Get(ctx, obj, recID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return false, err
		default:
			due, ok := dueAt(au, rec, w.clock())
			if ok && due.Format(schema.DateTimeLayout) != t.Data["dueAt"] {
				// The rule's moment moved without a write of the record
				// (the tenant's clock or the rule changed): the timer
				// moves with it, and fires then.
				return false, w.scheduleTimers(ctx, tx, obj, rec)
			}
			holds, err := conditionHolds(obj, au, rec, w.actorUser())
			if err != nil {
				return false, err
			}
			if ok && due.Format(schema.DateTimeLayout) == t.Data["dueAt"] && holds {
				// The timer is closed before the rule runs: a rule that
				// moves its own date ("remind again in 3 days") schedules
				// the next timer in its write, which must find this one
				// fired rather than pending (a pending one it would
				// cancel). A failed run rolls the closing back with it.
				if err := w.closeTimer(ctx, tx, timers, id, "done"); err != nil {
					return false, err
				}
				return true, w.runTimed(ctx, tx, obj, au, rec)
			}
		}
	}
	return ran, w.closeTimer(ctx, tx, timers, id, status)
}

// runTimed applies a time automation to a record: its field changes as an
// update (which runs the record's other automations), then its effects.
func (w *writer) runTimed(ctx context.Context, tx store.Tx, obj *schema.Object, au *schema.Automation, rec store.Record) error {
	next := rec
	next.Data = cloneMap(rec.Data)
	if err := w.applyFieldActions(ctx, tx, obj, au, rec.Data, &next); err != nil {
		return err
	}
	patch := map[string]any{}
	for k, v := range next.Data {
		if !reflect.DeepEqual(v, rec.Data[k]) {
			patch[k] = v
		}
	}
	for k := range rec.Data {
		if _, ok := next.Data[k]; !ok {
			patch[k] = nil
		}
	}
	cur := rec
	if len(patch) > 0 {
		var err error
		if cur, err = w.update(ctx, tx, obj, rec, patch); err != nil {
			return automationFailed(obj, au, message.New("automation.updateFailed"), err)
		}
	}
	return w.effects(ctx, tx, obj, cur, au)
}

func (w *writer) closeTimer(ctx context.Context, tx store.Tx, timers *schema.Object, id, status string) error {
	t, err := tx.Get(ctx, timers, id)
	if err != nil {
		return err
	}
	next := t
	next.Data = cloneMap(t.Data)
	next.Data["status"] = status
	next.Data["firedAt"] = w.e.stamp().Format(schema.DateTimeLayout)
	next.Version, next.UpdatedAt = t.Version+1, w.e.stamp()
	return tx.Update(ctx, timers, next, t.Version)
}
