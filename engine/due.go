package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// Background work (see [Engine.Queues]) keeps its queues in platform
// objects: timers of time automations, outbox entries and jobs. Each step
// of a pass reads what is due in one tenant the same way: dueRecords.

// dueQuery names the records one background step works on.
type dueQuery struct {
	object string       // the platform object of the queue
	what   string       // how errors name the records ("timers")
	filter store.Filter // the records that are due
	by     string       // the field they are taken in order of
	limit  int
}

// dueBatch is what dueRecords found: the tenant's store and metadata, the
// queue's object (nil when the tenant never had one: nothing is due) and
// its due records.
type dueBatch struct {
	ts      store.TenantStore
	snap    *snapshot
	obj     *schema.Object
	records []store.Record
}

// dueRecords opens a tenant and reads the records of a queue that are due.
func (e *Engine) dueRecords(ctx context.Context, tenantID string, q dueQuery) (dueBatch, error) {
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		return dueBatch{}, err
	}
	d := dueBatch{ts: ts, snap: snap, obj: snap.platform[q.object]}
	if d.obj == nil {
		return d, nil
	}
	page, err := ts.Find(ctx, d.obj, store.Query{Filter: &q.filter, Sort: []store.Sort{{Field: q.by}}, Limit: q.limit})
	if err != nil {
		return dueBatch{}, fmt.Errorf("read due %s: %w", q.what, err)
	}
	d.records = page.Records
	return d, nil
}

// The due-work index (store.DueIndex): when the store keeps one, a pass
// of the worker visits only the tenants whose entry is due instead of
// every tenant. Every write transaction that may add work lowers its
// tenant's entry (those that write the objects of dueObjects, object
// definitions or the metadata revision), so work added by any write
// makes the tenant due at once; after a visit, Visited works out when the
// tenant's next work is due from its real queues and raises the entry to
// that, unless the tenant was written since the pass read the entry (the
// visit's own writes too: the next pass visits again and finds nothing).

// dueObjects are the platform objects whose records nextDue and the
// worker's steps read to know what is due and when: the queues (jobs,
// timers, outbox), the states of scheduled runs, the settings (the time
// zone of schedules, the recycle bin's retention), the recycle bin and
// the customer pools' states. Writes of other records add no work the
// worker looks for (its hourly housekeeping and the pools' recheck every
// minute do not depend on them), so they leave the index alone.
var dueObjects = []string{jobObject, timerObject, outboxObject, scheduleObject, settingObject, recycleObject, poolStateObject}

// nameDueObjects tells a store that can tell writes apart which objects
// those are (store.DueObjects).
func (e *Engine) nameDueObjects() {
	if d, ok := e.store.(store.DueObjects); ok {
		d.SetDueObjects(dueObjects)
	}
}

const (
	// duePerPass bounds the tenants one pass visits; the others, due
	// later than these, wait for the next pass.
	duePerPass = 1000
	// dueHousekeeping is the longest a tenant goes unvisited: its
	// notifications past their retention and its abandoned uploads are
	// looked for at least this often.
	dueHousekeeping = time.Hour
	// duePoolRecheck is how often a tenant with a customer pool whose
	// rules return records is visited when nothing is written to it: a
	// rule may hold by time passing alone.
	duePoolRecheck = time.Minute
	// dueFailedRecheck is when a tenant whose visit failed is visited
	// again (a tenant that cannot be served is not retried every pass).
	dueFailedRecheck = time.Minute
	// dueGone is how far a tenant that no longer exists is moved: its
	// entry goes when the tenant is deleted; one written after (by a
	// late write) stays out of the way.
	dueGone = 365 * 24 * time.Hour
)

// dueIndex returns the store's due index, if it keeps one.
func (e *Engine) dueIndex() (store.DueIndex, bool) {
	idx, ok := e.store.(store.DueIndex)
	return idx, ok
}

// dueTenants reads the tenants due now and keeps the versions read for
// Visited. A tenant without an entry (a store written before the index
// existed) gets one due now, once, a bounded number at a time.
func (e *Engine) dueTenants(ctx context.Context, idx store.DueIndex) ([]string, error) {
	now := e.stamp()
	e.sweepMarkers(now)
	if !e.dueMigrated.Load() {
		for {
			n, err := idx.EnsureDue(ctx, now, duePerPass)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				break
			}
			e.log.Info("tenants given an entry in the due index", "count", n)
		}
		e.dueMigrated.Store(true)
	}
	entries, err := idx.DueTenants(ctx, now, duePerPass)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(entries))
	e.dueMu.Lock()
	defer e.dueMu.Unlock()
	if e.dueVersions == nil || len(e.dueVersions) > 4*duePerPass {
		e.dueVersions = map[string]int64{}
	}
	for i, en := range entries {
		ids[i] = en.Tenant
		e.dueVersions[en.Tenant] = en.Version
	}
	return ids, nil
}

// visited raises a visited tenant's entry to when its next work is due.
func (e *Engine) visited(ctx context.Context, tenant string, failed bool) error {
	idx, ok := e.dueIndex()
	if !ok {
		return nil
	}
	e.dueMu.Lock()
	version, read := e.dueVersions[tenant]
	delete(e.dueVersions, tenant)
	e.dueMu.Unlock()
	if !read {
		return nil
	}
	now := e.stamp()
	next := now.Add(dueFailedRecheck)
	if !failed {
		var err error
		next, err = e.nextDue(ctx, tenant, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			next = now.Add(dueGone)
		case err != nil:
			next = now.Add(dueFailedRecheck)
			e.log.WarnContext(ctx, "work out when a tenant's work is due", "tenant", tenant, "err", err)
		}
	}
	if _, err := idx.SetDue(ctx, tenant, version, next); err != nil {
		return fmt.Errorf("set when tenant %s is next due: %w", tenant, err)
	}
	return nil
}

// nextDue reads a tenant's queues and answers when its next work is due:
// now when a job is unfinished or a schedule is new, else the earliest
// pending timer, outbox entry, scheduled run and recycle bin expiry, and
// at the latest now plus dueHousekeeping (duePoolRecheck with a pool
// that returns records).
func (e *Engine) nextDue(ctx context.Context, tenant string, now time.Time) (time.Time, error) {
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return time.Time{}, err
	}
	next := now.Add(dueHousekeeping)
	earlier := func(at time.Time) {
		if at.Before(next) {
			next = at
		}
	}
	// earliest reads the first record of a queue in order of field.
	earliest := func(object, field string, f store.Filter) error {
		obj := snap.platform[object]
		if obj == nil {
			return nil
		}
		page, err := ts.Find(ctx, obj, store.Query{Filter: &f, Sort: []store.Sort{{Field: field}}, Limit: 1})
		if err != nil {
			return fmt.Errorf("read the next of %s: %w", object, err)
		}
		if len(page.Records) == 0 {
			return nil
		}
		if field == "createdAt" {
			earlier(now)
			return nil
		}
		text, _ := page.Records[0].Data[field].(string)
		at, err := time.Parse(schema.DateTimeLayout, text)
		if err != nil {
			earlier(now) // unreadable: let the visit look
			return nil
		}
		earlier(at)
		return nil
	}
	if err := earliest(jobObject, "createdAt", store.Leaf("status", store.OpIn, []any{JobPending, JobRunning})); err != nil {
		return time.Time{}, err
	}
	if err := earliest(timerObject, "dueAt", store.Leaf("status", store.OpEq, "pending")); err != nil {
		return time.Time{}, err
	}
	if err := earliest(outboxObject, "nextAttemptAt", store.Leaf("status", store.OpEq, OutboxPending)); err != nil {
		return time.Time{}, err
	}
	// Scheduled scripts and customer values: their state records say
	// when they run next; one without a state, or with another schedule,
	// is scheduled by the next visit.
	var schedules *schema.Object
	zone := snap.zone().String()
	for _, o := range snap.catalog.Objects {
		var due []struct{ id, schedule string }
		for _, s := range o.Scripts {
			if s.Active && s.Kind == string(scripting.KindScheduled) {
				due = append(due, struct{ id, schedule string }{o.Name + "." + s.Name, s.Schedule})
			}
		}
		if o.CustomerValue != nil {
			due = append(due, struct{ id, schedule string }{o.Name + "." + JobCustomerValue, o.CustomerValue.Schedule})
		}
		if o.Pool != nil && (o.Pool.IdleDays > 0 || len(o.Pool.ReturnWhen) > 0) {
			earlier(now.Add(duePoolRecheck))
		}
		for _, d := range due {
			if schedules == nil {
				if schedules = snap.platform[scheduleObject]; schedules == nil {
					earlier(now)
					break
				}
			}
			state, err := ts.Get(ctx, schedules, d.id)
			if errors.Is(err, store.ErrNotFound) || err == nil && (state.Data["schedule"] != d.schedule || state.Data["zone"] != zone) {
				earlier(now)
				continue
			} else if err != nil {
				return time.Time{}, fmt.Errorf("read the schedule of %s: %w", d.id, err)
			}
			text, _ := state.Data["nextRunAt"].(string)
			at, err := time.Parse(schema.DateTimeLayout, text)
			if err != nil {
				earlier(now)
				continue
			}
			earlier(at)
		}
	}
	if v, ok := e.binDue.Load(tenant); ok && snap.platform[recycleObject] != nil {
		// (Without a bin, binDue only says when purgeExpired looks again;
		// a bin made later is made by a write, which makes the tenant due.)
		earlier(v.(binDueAt).next)
	}
	// The file sweep (sweepFiles) schedules no visit of its own: it runs
	// on the visits that come anyway, the hourly housekeeping at the
	// latest, which is soon enough for what it removes (files pending for
	// PendingFileTTL, blobs nobody named for orphanBlobAge). A visit every
	// fileSweepEvery would keep every tenant ever visited due six times an
	// hour however idle it is.
	return next, nil
}
