package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Delivery is one webhook call the worker asks a Deliverer to make.
type Delivery struct {
	// ID is the outbox entry's id: the same on every attempt, so that the
	// receiver can drop repeats (the Idempotency-Key).
	ID       string
	TenantID string
	URL      string
	Body     []byte
	// Secret signs the body (HMAC-SHA256); per tenant.
	Secret string
	// Attempt counts from 1.
	Attempt int
}

// Deliverer makes webhook calls. An error means "try again later".
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) error
}

// WorkerConfig tunes the background worker. Zero values take the defaults.
type WorkerConfig struct {
	Webhooks    Deliverer     // required for webhook actions; without it they wait
	Interval    time.Duration // between passes; default 1s
	Batch       int           // entries and timers per tenant and pass; default 100
	MaxAttempts int           // before an entry is dead; default 10
	BaseBackoff time.Duration // after the first failure, doubled each time; default 10s
	MaxBackoff  time.Duration // default 1h
	// Lease is how long a delivery in progress keeps others off its entry;
	// default 1 minute. A worker that stops mid-delivery leaves the entry
	// to be retried when the lease ends.
	Lease time.Duration
}

func (c *WorkerConfig) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Interval, time.Second)
	def(&c.BaseBackoff, 10*time.Second)
	def(&c.MaxBackoff, time.Hour)
	def(&c.Lease, time.Minute)
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
}

// backoff is the wait after the attempt-th failure.
func (c *WorkerConfig) backoff(attempt int) time.Duration {
	d := c.BaseBackoff
	for i := 1; i < attempt && d < c.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxBackoff)
}

// WorkerStats counts what one pass did.
type WorkerStats struct {
	Jobs      int // background jobs advanced by a batch
	Scripts   int // scheduled scripts run
	Timers    int // time automations fired
	Delivered int
	Failed    int // attempts that failed and will be retried
	Dead      int // entries given up
}

// RunWorker fires due time automations and delivers the outbox, every
// cfg.Interval, until ctx ends.
func (e *Engine) RunWorker(ctx context.Context, cfg WorkerConfig) error {
	cfg.defaults()
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		if _, err := e.RunDue(ctx, cfg); err != nil && ctx.Err() == nil {
			e.log.ErrorContext(ctx, "worker pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunDue makes one pass over every tenant: due timers first (they may
// enqueue actions), then due outbox entries.
func (e *Engine) RunDue(ctx context.Context, cfg WorkerConfig) (WorkerStats, error) {
	cfg.defaults()
	var stats WorkerStats
	tenants, err := e.store.ListTenants(ctx)
	if err != nil {
		return stats, fmt.Errorf("worker: list tenants: %w", err)
	}
	var errs []error
	for _, t := range tenants {
		if ctx.Err() != nil {
			break
		}
		nj, err := e.runJobs(ctx, t.ID)
		stats.Jobs += nj
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s jobs: %w", t.ID, err))
		}
		ns, err := e.runScheduled(ctx, t.ID)
		stats.Scripts += ns
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s scheduled scripts: %w", t.ID, err))
		}
		n, err := e.fireDueTimers(ctx, t.ID, cfg.Batch)
		stats.Timers += n
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s timers: %w", t.ID, err))
		}
		if err := e.deliverDue(ctx, t.ID, &cfg, &stats); err != nil {
			errs = append(errs, fmt.Errorf("tenant %s outbox: %w", t.ID, err))
		}
	}
	return stats, errors.Join(errs...)
}

func (e *Engine) deliverDue(ctx context.Context, tenantID string, cfg *WorkerConfig, stats *WorkerStats) error {
	now := e.stamp().Format(schema.DateTimeLayout)
	d, err := e.dueRecords(ctx, tenantID, dueQuery{object: outboxObject, what: "outbox entries", by: "nextAttemptAt", limit: cfg.Batch,
		filter: store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, OutboxPending), store.Leaf("nextAttemptAt", store.OpLte, now)}}})
	if err != nil {
		return err
	}
	ts, snap, ob := d.ts, d.snap, d.obj
	for _, entry := range d.records {
		if ctx.Err() != nil {
			return nil
		}
		switch entry.Data["kind"] {
		case "notify":
			if err := e.deliverNotification(ctx, ts, snap, ob, entry); err != nil {
				e.log.WarnContext(ctx, "notification delivery", "tenant", tenantID, "entry", entry.ID, "err", err)
				continue
			}
			stats.Delivered++
		case "webhook":
			if cfg.Webhooks == nil {
				continue
			}
			e.deliverWebhook(ctx, tenantID, ts, snap, ob, entry, cfg, stats)
		}
	}
	return nil
}

// deliverNotification puts a notification per recipient in the in-app
// inbox and marks the entry delivered, in one transaction: exactly once.
func (e *Engine) deliverNotification(ctx context.Context, ts store.TenantStore, snap *snapshot, ob *schema.Object, entry store.Record) error {
	inbox, err := e.platformObject(ctx, ts, snap, notificationObject)
	if err != nil {
		return err
	}
	payload, _ := entry.Data["payload"].(map[string]any)
	recipients, _ := payload["recipients"].([]any)
	return ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, ob, entry.ID)
		if err != nil || cur.Version != entry.Version {
			return err // taken or changed by another worker: leave it
		}
		now := e.stamp()
		for i, r := range recipients {
			n := store.Record{ID: fmt.Sprintf("%s-%d", entry.ID, i), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "automation", UpdatedBy: "automation",
				Data: map[string]any{"recipient": fmt.Sprint(r), "message": payload["message"], "object": entry.Data["object"],
					"record": entry.Data["record"], "rule": entry.Data["rule"], "read": false}}
			if err := tx.Insert(ctx, inbox, n); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
		return e.markOutbox(ctx, tx, ob, cur, OutboxDelivered, "", now)
	})
}

// deliverWebhook claims the entry for a lease, calls the receiver outside
// any transaction, and records the outcome.
func (e *Engine) deliverWebhook(ctx context.Context, tenantID string, ts store.TenantStore, snap *snapshot, ob *schema.Object, entry store.Record, cfg *WorkerConfig, stats *WorkerStats) {
	secret, err := e.webhookSecret(ctx, ts, snap)
	if err != nil {
		e.log.ErrorContext(ctx, "webhook secret", "tenant", tenantID, "err", err)
		return
	}
	var claimed store.Record
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, ob, entry.ID)
		if err != nil {
			return err
		}
		if cur.Version != entry.Version || cur.Data["status"] != OutboxPending {
			return store.ErrConflict
		}
		claimed = cur
		claimed.Data = cloneMap(cur.Data)
		claimed.Data["nextAttemptAt"] = e.stamp().Add(cfg.Lease).Format(schema.DateTimeLayout)
		claimed.Version, claimed.UpdatedAt = cur.Version+1, e.stamp()
		return tx.Update(ctx, ob, claimed, cur.Version)
	})
	if err != nil {
		return // another worker has it
	}
	attempts := 0
	if n, ok := claimed.Data["attempts"].(float64); ok {
		attempts = int(n)
	}
	body, err := json.Marshal(claimed.Data["payload"])
	if err != nil {
		e.log.ErrorContext(ctx, "webhook payload", "tenant", tenantID, "entry", entry.ID, "err", err)
		return
	}
	url, _ := claimed.Data["url"].(string)
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	derr := cfg.Webhooks.Deliver(dctx, Delivery{ID: entry.ID, TenantID: tenantID, URL: url, Body: body, Secret: secret, Attempt: attempts + 1})
	cancel()
	if ctx.Err() != nil {
		return // stopping: the lease runs out and the entry is retried
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, ob, entry.ID)
		if err != nil {
			return err
		}
		if cur.Version != claimed.Version {
			return store.ErrConflict // an admin retried it meanwhile
		}
		now := e.stamp()
		if derr == nil {
			stats.Delivered++
			return e.markOutbox(ctx, tx, ob, cur, OutboxDelivered, "", now)
		}
		next := cur
		next.Data = cloneMap(cur.Data)
		next.Data["attempts"] = float64(attempts + 1)
		next.Data["lastError"] = truncate(derr.Error(), 2000)
		if attempts+1 >= cfg.MaxAttempts {
			next.Data["status"] = OutboxDead
			stats.Dead++
			e.log.WarnContext(ctx, "webhook dead after its last attempt", "tenant", tenantID, "entry", entry.ID, "url", url, "attempts", attempts+1, "err", derr)
		} else {
			next.Data["nextAttemptAt"] = now.Add(cfg.backoff(attempts + 1)).Format(schema.DateTimeLayout)
			stats.Failed++
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		return tx.Update(ctx, ob, next, cur.Version)
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		e.log.ErrorContext(ctx, "record webhook outcome", "tenant", tenantID, "entry", entry.ID, "err", err)
	}
}

func (e *Engine) markOutbox(ctx context.Context, tx store.Tx, ob *schema.Object, cur store.Record, status, lastError string, now time.Time) error {
	next := cur
	next.Data = cloneMap(cur.Data)
	next.Data["status"] = status
	next.Data["deliveredAt"] = now.Format(schema.DateTimeLayout)
	next.Data["attempts"] = float64(0)
	if n, ok := cur.Data["attempts"].(float64); ok {
		next.Data["attempts"] = n + 1
	}
	if lastError != "" {
		next.Data["lastError"] = lastError
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	return tx.Update(ctx, ob, next, cur.Version)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

const settingObject = "crmSetting"

// webhookSecretID is the setting that holds the webhook signing secret.
const webhookSecretID = "webhookSecret"

// webhookSecret returns the tenant's webhook signing secret, making one on
// first use.
func (e *Engine) webhookSecret(ctx context.Context, ts store.TenantStore, snap *snapshot) (string, error) {
	settings, err := e.platformObject(ctx, ts, snap, settingObject)
	if err != nil {
		return "", err
	}
	const id = webhookSecretID
	if rec, err := ts.Get(ctx, settings, id); err == nil {
		s, _ := rec.Data["value"].(string)
		return s, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	now := e.stamp()
	rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
		Data: map[string]any{"value": "whsec_" + hex.EncodeToString(buf)}}
	err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, settings, rec) })
	if errors.Is(err, store.ErrConflict) { // made by another worker meanwhile
		got, err := ts.Get(ctx, settings, id)
		if err != nil {
			return "", err
		}
		s, _ := got.Data["value"].(string)
		return s, nil
	}
	if err != nil {
		return "", err
	}
	return rec.Data["value"].(string), nil
}

// WebhookSecret returns the key that signs the tenant's webhooks, for
// receivers to check signatures; administrators only.
func (e *Engine) WebhookSecret(ctx context.Context) (string, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return "", err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return "", errorOf(ErrForbidden, nil, "webhook.adminOnlySecret")
	}
	return e.webhookSecret(ctx, ts, snap)
}
