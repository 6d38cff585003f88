package engine

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/schema"
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
