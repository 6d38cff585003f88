package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Queues gives the background worker (package
// [github.com/crmkit/crm/engine/worker]) the engine's queues: jobs,
// scheduled scripts, timers and the outbox of every tenant. Each step of
// the worker runs on the engine's writer, in the engine's transactions.
func (e *Engine) Queues() worker.Queues { return queues{e} }

type queues struct{ e *Engine }

// Tenants returns the tenants whose work is due (due.go), or every
// tenant when the store keeps no due index.
func (q queues) Tenants(ctx context.Context) ([]string, error) {
	if idx, ok := q.e.dueIndex(); ok {
		return q.e.dueTenants(ctx, idx)
	}
	tenants, err := q.e.store.ListTenants(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(tenants))
	for i, t := range tenants {
		ids[i] = t.ID
	}
	return ids, nil
}

// Visited raises the tenant's entry in the due index to when its next
// work is due.
func (q queues) Visited(ctx context.Context, tenant string, failed bool) error {
	return q.e.visited(ctx, tenant, failed)
}

func (q queues) Jobs(ctx context.Context, tenant string) (worker.Jobs, []string, error) {
	d, err := q.e.dueRecords(ctx, tenant, dueQuery{object: jobObject, what: "jobs", by: "createdAt", limit: 10,
		filter: store.Leaf("status", store.OpIn, []any{JobPending, JobRunning})})
	if err != nil || d.obj == nil {
		return nil, nil, err
	}
	w, err := q.e.newWriter(WithDoor(ctx, "job"), d.ts, d.snap, automationActor(tenant))
	if err != nil {
		return nil, nil, err
	}
	jobs := tenantJobs{e: q.e, tenant: tenant, ts: d.ts, w: w, obj: d.obj, due: make(map[string]store.Record, len(d.records))}
	ids := make([]string, len(d.records))
	for i, r := range d.records {
		ids[i], jobs.due[r.ID] = r.ID, r
	}
	return jobs, ids, nil
}

// tenantJobs is one tenant's unfinished jobs for a pass of the worker.
type tenantJobs struct {
	e      *Engine
	tenant string
	ts     store.TenantStore
	w      *writer
	obj    *schema.Object
	due    map[string]store.Record // as read for this pass
}

// Advance moves a job on by a batch under the job's lease (see lease):
// with several servers on one database one of them advances it at a
// time, the one that holds the lease again on its next pass; if that
// server stops, another takes the job once the lease has ended. The job
// is read again once the lease is taken, so that a batch another server
// finished meanwhile is not done twice.
func (j tenantJobs) Advance(ctx context.Context, id string) error {
	rec, ok := j.due[id]
	if !ok {
		return fmt.Errorf("job %s is not due in this pass", id)
	}
	if mine, err := j.e.lease(ctx, "job|"+j.tenant+"|"+id, j.e.longLease()); err != nil || !mine {
		return err
	}
	if j.e.shared.leases != nil {
		cur, err := j.ts.Get(ctx, j.obj, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read job %s again: %w", id, err)
		}
		if st := cur.Data["status"]; st != JobPending && st != JobRunning {
			return nil // finished by another server
		}
		rec = cur
	}
	return j.e.advanceJob(WithDoor(ctx, "job"), j.ts, j.w, j.obj, rec)
}

// Leases of background work (see [Engine.lease]) are Config.WorkLease
// long, or five times that for work that takes longer (a job's batch, a
// scheduled script); an outbox entry's is the worker's Config.Lease,
// which serve sets to the same and which is longer than a delivery's
// timeout.
func (e *Engine) workLease() time.Duration { return e.shared.lease }

func (e *Engine) longLease() time.Duration { return 5 * e.shared.lease }

func (q queues) RunScheduled(ctx context.Context, tenant string) (int, error) {
	ran, err := q.e.runScheduled(ctx, tenant)
	if err != nil {
		return ran, err
	}
	// The steps below go over a tenant's records in bounded batches:
	// with several servers on one database, the one that holds the
	// tenant's lease does them (and renews it on its next pass).
	if mine, err := q.e.lease(ctx, "records|"+tenant, q.e.workLease()); err != nil || !mine {
		return ran, err
	}
	started, err := q.e.scheduleCustomerValue(ctx, tenant)
	if err != nil {
		return ran + started, err
	}
	returned, err := q.e.returnDue(ctx, tenant) // pool.go
	return ran + started + returned, err
}

// PurgeExpired purges the tenant's recycle bin, sweeps abandoned file
// uploads, and purges notifications past their retention: at most limit
// bin entries and notifications in all.
func (q queues) PurgeExpired(ctx context.Context, tenant string, limit int) (int, error) {
	if mine, err := q.e.lease(ctx, "purge|"+tenant, q.e.workLease()); err != nil || !mine {
		return 0, err
	}
	n, err := q.e.purgeExpired(ctx, tenant, limit)
	if err != nil {
		return n, err
	}
	if _, err := q.e.sweepFiles(ctx, tenant); err != nil {
		q.e.log.Warn("sweep files", "tenant", tenant, "err", err)
	}
	m, err := q.e.purgeNotifications(ctx, tenant, limit-n)
	return n + m, err
}

func (q queues) Timers(ctx context.Context, tenant string, limit int) (worker.Timers, []worker.Timer, error) {
	now := q.e.stamp().Format(schema.DateTimeLayout)
	d, err := q.e.dueRecords(ctx, tenant, dueQuery{object: timerObject, what: "timers", by: "dueAt", limit: limit,
		filter: store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, "pending"), store.Leaf("dueAt", store.OpLte, now)}}})
	if err != nil || d.obj == nil {
		return nil, nil, err
	}
	w, err := q.e.newWriter(WithDoor(ctx, "automation"), d.ts, d.snap, automationActor(tenant))
	if err != nil {
		return nil, nil, err
	}
	due := make([]worker.Timer, len(d.records))
	for i, r := range d.records {
		due[i].ID = r.ID
		due[i].Rule, _ = r.Data["rule"].(string)
	}
	return tenantTimers{e: q.e, tenant: tenant, ts: d.ts, w: w, obj: d.obj}, due, nil
}

// tenantTimers is one tenant's due timers for a pass of the worker.
type tenantTimers struct {
	e      *Engine
	tenant string
	ts     store.TenantStore
	w      *writer
	obj    *schema.Object
}

// Fire fires a timer under its lease: with several servers on one
// database one of them fires it; fireTimer reads it again in the
// transaction and leaves one that is no longer pending.
func (t tenantTimers) Fire(ctx context.Context, id string) (ran bool, err error) {
	ctx = WithDoor(ctx, "automation")
	if mine, err := t.e.lease(ctx, "timer|"+t.tenant+"|"+id, t.e.workLease()); err != nil || !mine {
		return false, err
	}
	err = t.ts.WithTx(ctx, func(tx store.Tx) error {
		var err error
		ran, err = t.w.fireTimer(ctx, tx, t.obj, id)
		return err
	})
	return ran, err
}

// Cancel closes a timer that is still pending (one another worker fired
// meanwhile keeps its outcome).
func (t tenantTimers) Cancel(ctx context.Context, id string) error {
	ctx = WithDoor(ctx, "automation")
	return t.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, t.obj, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && cur.Data["status"] != "pending" {
			return nil
		}
		if err != nil {
			return err
		}
		return t.w.closeTimer(ctx, tx, t.obj, id, "cancelled")
	})
}

func (q queues) Outbox(ctx context.Context, tenant string, limit int) (worker.Outbox, []worker.Entry, error) {
	now := q.e.stamp().Format(schema.DateTimeLayout)
	d, err := q.e.dueRecords(ctx, tenant, dueQuery{object: outboxObject, what: "outbox entries", by: "nextAttemptAt", limit: limit,
		filter: store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, OutboxPending), store.Leaf("nextAttemptAt", store.OpLte, now)}}})
	if err != nil {
		return nil, nil, err
	}
	entries := make([]worker.Entry, len(d.records))
	for i, r := range d.records {
		entries[i] = workerEntry(r)
	}
	return tenantOutbox{e: q.e, tenant: tenant, ts: d.ts, snap: d.snap, ob: d.obj}, entries, nil
}

// workerEntry is an outbox record as the worker sees it.
func workerEntry(r store.Record) worker.Entry {
	en := worker.Entry{ID: r.ID, Version: r.Version, Payload: r.Data["payload"]}
	en.Kind, _ = r.Data["kind"].(string)
	en.URL, _ = r.Data["url"].(string)
	en.Channel, _ = r.Data["channel"].(string)
	if n, ok := r.Data["attempts"].(float64); ok {
		en.Attempts = int(n)
	}
	return en
}

// tenantOutbox is one tenant's outbox for a pass of the worker.
type tenantOutbox struct {
	e      *Engine
	tenant string
	ts     store.TenantStore
	snap   *snapshot
	ob     *schema.Object
}

// Notify delivers a notify entry left in the outbox by an earlier version
// (automations and scripts now notify in their own transaction): its
// recipients go through notify (free text that names a user or a role
// reaches them) and the entry is marked delivered, in one transaction:
// exactly once.
func (o tenantOutbox) Notify(ctx context.Context, entry worker.Entry) error {
	if mine, err := o.takeLease(ctx, entry, o.e.workLease()); err != nil || !mine {
		return err
	}
	w, err := o.e.newWriter(ctx, o.ts, o.snap, Actor{TenantID: o.tenant, ID: "automation"})
	if err != nil {
		return err
	}
	return o.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, o.ob, entry.ID)
		if err != nil || cur.Version != entry.Version {
			return err // taken or changed by another worker: leave it
		}
		payload, _ := cur.Data["payload"].(map[string]any)
		n := notice{Kind: NoticeAutomation}
		n.Object, _ = cur.Data["object"].(string)
		n.Record, _ = cur.Data["record"].(string)
		n.Rule, _ = cur.Data["rule"].(string)
		if m, ok := payload["message"].(map[string]any); ok {
			n.Message.Zh, _ = m["zh"].(string)
			n.Message.En, _ = m["en"].(string)
		}
		recipients, _ := payload["recipients"].([]any)
		for _, r := range recipients {
			if to, ok := w.recipientOf(fmt.Sprint(r)); ok && len(n.To) < MaxNoticeRecipients {
				n.To = append(n.To, to)
			}
		}
		if n.Object != "" && o.snap.catalog.Object(n.Object) == nil {
			n.Object, n.Record = "", "" // the object is gone: a notice about nothing
		}
		if len(n.To) > 0 && (n.Message.Zh != "" || n.Message.En != "") {
			var refused *Error
			if err := w.notify(ctx, tx, n); errors.As(err, &refused) { // refused before anything was written
				o.e.log.WarnContext(ctx, "notify entry reaches nobody", "tenant", o.tenant, "entry", entry.ID, "err", err)
				return markOutbox(ctx, tx, o.ob, cur, OutboxDead, o.e.stamp())
			} else if err != nil {
				return err
			}
		}
		return markOutbox(ctx, tx, o.ob, cur, OutboxDelivered, o.e.stamp())
	})
}

func (o tenantOutbox) Secret(ctx context.Context) (string, error) {
	return o.e.webhookSecret(ctx, o.ts, o.snap)
}

// takeLease takes an entry's lease for this process (see [Engine.lease]).
func (o tenantOutbox) takeLease(ctx context.Context, entry worker.Entry, ttl time.Duration) (bool, error) {
	return o.e.lease(ctx, "outbox|"+o.tenant+"|"+entry.ID, ttl)
}

// Claim takes the entry's lease, which keeps other servers on the same
// database off it for at least lease, and then, reading the entry again,
// moves its next attempt past the lease (so that the outbox shows it in
// flight) if it is still the pending entry the pass read.
func (o tenantOutbox) Claim(ctx context.Context, entry worker.Entry, lease time.Duration) (worker.Entry, error) {
	if mine, err := o.takeLease(ctx, entry, lease); err != nil {
		return worker.Entry{}, err
	} else if !mine {
		return worker.Entry{}, store.ErrConflict
	}
	var claimed store.Record
	err := o.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, o.ob, entry.ID)
		if err != nil {
			return err
		}
		if cur.Version != entry.Version || cur.Data["status"] != OutboxPending {
			return store.ErrConflict
		}
		claimed = cur
		claimed.Data = cloneMap(cur.Data)
		claimed.Data["nextAttemptAt"] = o.e.stamp().Add(lease).Format(schema.DateTimeLayout)
		claimed.Version, claimed.UpdatedAt = cur.Version+1, o.e.stamp()
		return tx.Update(ctx, o.ob, claimed, cur.Version)
	})
	if err != nil {
		return worker.Entry{}, err
	}
	return workerEntry(claimed), nil
}

func (o tenantOutbox) Delivered(ctx context.Context, entry worker.Entry) error {
	err := o.settle(ctx, entry, func(tx store.Tx, cur store.Record, now time.Time) error {
		return markOutbox(ctx, tx, o.ob, cur, OutboxDelivered, now)
	})
	if err == nil && entry.Kind == worker.KindDeliver {
		o.e.noteChannelSend(o.tenant, nil)
	}
	return err
}

// Skip marks a claimed entry skipped, keeping why, without counting an
// attempt.
func (o tenantOutbox) Skip(ctx context.Context, entry worker.Entry, reason string) error {
	return o.settle(ctx, entry, func(tx store.Tx, cur store.Record, now time.Time) error {
		next := cur
		next.Data = cloneMap(cur.Data)
		next.Data["status"] = OutboxSkipped
		next.Data["lastError"] = truncate(reason, 2000)
		next.Version, next.UpdatedAt = cur.Version+1, now
		return tx.Update(ctx, o.ob, next, cur.Version)
	})
}

// Channel reads the tenant's setting of a channel for the worker, its
// secrets opened.
func (o tenantOutbox) Channel(ctx context.Context, channel string) (worker.ChannelConfig, error) {
	return o.e.readChannel(ctx, o.ts, o.snap, channel)
}

func (o tenantOutbox) Retry(ctx context.Context, entry worker.Entry, reason string, wait time.Duration) error {
	return o.failed(ctx, entry, reason, func(data map[string]any, now time.Time) {
		data["nextAttemptAt"] = now.Add(wait).Format(schema.DateTimeLayout)
	})
}

func (o tenantOutbox) GiveUp(ctx context.Context, entry worker.Entry, reason string) error {
	return o.failed(ctx, entry, reason, func(data map[string]any, _ time.Time) {
		data["status"] = OutboxDead
	})
}

// failed counts a failed attempt of a claimed entry and keeps its reason;
// then decides what comes next.
func (o tenantOutbox) failed(ctx context.Context, entry worker.Entry, reason string, then func(data map[string]any, now time.Time)) error {
	if entry.Kind == worker.KindDeliver {
		o.e.noteChannelSend(o.tenant, errors.New(reason))
	}
	return o.settle(ctx, entry, func(tx store.Tx, cur store.Record, now time.Time) error {
		next := cur
		next.Data = cloneMap(cur.Data)
		next.Data["attempts"] = float64(entry.Attempts + 1)
		next.Data["lastError"] = truncate(reason, 2000)
		then(next.Data, now)
		next.Version, next.UpdatedAt = cur.Version+1, now
		return tx.Update(ctx, o.ob, next, cur.Version)
	})
}

// settle records the outcome of a claimed entry's delivery, unless the
// entry changed since it was claimed (an admin retried it meanwhile).
func (o tenantOutbox) settle(ctx context.Context, entry worker.Entry, record func(tx store.Tx, cur store.Record, now time.Time) error) error {
	return o.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, o.ob, entry.ID)
		if err != nil {
			return err
		}
		if cur.Version != entry.Version {
			return store.ErrConflict
		}
		return record(tx, cur, o.e.stamp())
	})
}

// markOutbox marks an entry delivered (or another final status), counting
// the attempt.
func markOutbox(ctx context.Context, tx store.Tx, ob *schema.Object, cur store.Record, status string, now time.Time) error {
	next := cur
	next.Data = cloneMap(cur.Data)
	next.Data["status"] = status
	next.Data["deliveredAt"] = now.Format(schema.DateTimeLayout)
	next.Data["attempts"] = float64(0)
	if n, ok := cur.Data["attempts"].(float64); ok {
		next.Data["attempts"] = n + 1
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	return tx.Update(ctx, ob, next, cur.Version)
}
