package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Effects outside the record (webhooks, notifications) are written to the
// outbox, a platform object, in the transaction of the record change that
// caused them, and delivered afterwards by package
// [github.com/crmkit/crm/engine/worker] through [Engine.Queues]: nothing
// is lost if the process stops between the write and the delivery, and
// nothing is delivered for a write that was rolled back.

const (
	outboxObject       = "crmOutbox"
	timerObject        = "crmTimer"
	notificationObject = "crmNotification"
)

// Outbox statuses.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxDead      = "dead" // gave up after the last attempt; an admin may retry it
	// OutboxSkipped: a deliver entry whose channel does not take its kind
	// of notification; nothing was sent (lastError says why).
	OutboxSkipped = "skipped"
)

// OutboxEntry is one effect waiting for, or done with, delivery.
type OutboxEntry struct {
	ID            string
	Kind          string // worker.KindWebhook, worker.KindNotify or worker.KindDeliver
	Channel       string // of a deliver entry: email, wecom, dingtalk or feishu
	Object        string
	RecordID      string
	Rule          string
	URL           string
	Payload       map[string]any
	Status        string
	Attempts      int
	NextAttemptAt string
	DeliveredAt   string
	LastError     string
	CreatedAt     string
}

// enqueue writes one effect of an automation to the outbox; a notify
// action goes to people's inboxes through notify (notify_automation.go).
func (w *writer) enqueue(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record, au *schema.Automation, index int, act schema.Action) error {
	if w.outbox == nil {
		return fmt.Errorf("automation %s.%s: the outbox is not prepared", obj.Name, au.Name)
	}
	now := w.e.stamp()
	id := w.e.newID()
	payload := map[string]any{
		"id": id, "tenant": w.actor.TenantID, "object": obj.Name, "rule": au.Name, "event": au.Event,
		"occurredAt": now.Format(schema.DateTimeLayout),
	}
	data := map[string]any{"object": obj.Name, "record": rec.ID, "rule": au.Name, "status": OutboxPending,
		"attempts": 0.0, "nextAttemptAt": now.Format(schema.DateTimeLayout)}
	switch act.Type {
	case schema.ActionWebhook:
		data["kind"], data["url"] = worker.KindWebhook, act.URL
		payload["record"] = recordJSON(maskSensitive(obj, rec))
	case schema.ActionNotify:
		return w.notifyAutomation(ctx, tx, obj, rec, au, act)
	}
	data["payload"] = payload
	entry := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID, Data: data}
	if err := tx.Insert(ctx, w.outbox, entry); err != nil {
		return fmt.Errorf("enqueue action %d of automation %s.%s: %w", index+1, obj.Name, au.Name, err)
	}
	return nil
}

// maskSensitive replaces the values of sensitive fields: they do not
// leave the server in webhooks.
func maskSensitive(obj *schema.Object, rec store.Record) store.Record {
	if !seal.HasSensitive(obj) {
		return rec
	}
	data := cloneMap(rec.Data)
	for _, f := range obj.Fields {
		if _, ok := data[f.Name]; ok && f.Sensitive {
			data[f.Name] = maskedValue
		}
	}
	rec.Data = data
	return rec
}

// recordJSON is a record as webhooks carry it.
func recordJSON(r store.Record) map[string]any {
	return map[string]any{
		"id": r.ID, "version": r.Version,
		"createdAt": r.CreatedAt.UTC().Format(schema.DateTimeLayout), "updatedAt": r.UpdatedAt.UTC().Format(schema.DateTimeLayout),
		"createdBy": r.CreatedBy, "updatedBy": r.UpdatedBy, "data": r.Data,
	}
}

func outboxEntryOf(r store.Record) OutboxEntry {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	e := OutboxEntry{ID: r.ID, Kind: s("kind"), Channel: s("channel"), Object: s("object"), RecordID: s("record"), Rule: s("rule"), URL: s("url"),
		Status: s("status"), NextAttemptAt: s("nextAttemptAt"), DeliveredAt: s("deliveredAt"), LastError: s("lastError"),
		CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout)}
	if n, ok := r.Data["attempts"].(float64); ok {
		e.Attempts = int(n)
	}
	e.Payload, _ = r.Data["payload"].(map[string]any)
	return e
}

// Outbox lists the tenant's outbox entries with the given status (all when
// empty), newest first; administrators only.
func (e *Engine) Outbox(ctx context.Context, status string, first int) ([]OutboxEntry, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "outbox.adminOnlyRead")
	}
	if first <= 0 || first > MaxPageSize {
		first = DefaultPageSize
	}
	ob := snap.platform[outboxObject]
	if ob == nil {
		return nil, nil
	}
	q := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: first}
	if status != "" {
		f := store.Leaf("status", store.OpEq, status)
		q.Filter = &f
	}
	page, err := ts.Find(ctx, ob, q)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	out := make([]OutboxEntry, len(page.Records))
	for i, r := range page.Records {
		out[i] = outboxEntryOf(r)
	}
	return out, nil
}

// RetryOutbox puts a dead (or pending) entry back in line for delivery
// now, with its attempts counted afresh; administrators only.
func (e *Engine) RetryOutbox(ctx context.Context, id string) (OutboxEntry, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return OutboxEntry{}, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return OutboxEntry{}, errorOf(ErrForbidden, nil, "outbox.adminOnlyRetry")
	}
	ob := snap.platform[outboxObject]
	if ob == nil {
		return OutboxEntry{}, errorOf(ErrNotFound, nil, "outbox.notFound", id)
	}
	var out OutboxEntry
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, ob, id)
		if err != nil {
			return errorOf(ErrNotFound, err, "outbox.notFound", id)
		}
		if cur.Data["status"] == OutboxDelivered {
			return errorOf(ErrConflict, nil, "outbox.delivered", id)
		}
		next := cur
		next.Data = cloneMap(cur.Data)
		next.Data["status"], next.Data["attempts"] = OutboxPending, 0.0
		next.Data["nextAttemptAt"] = e.stamp().Format(schema.DateTimeLayout)
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, e.stamp(), a.ID
		if err := tx.Update(ctx, ob, next, cur.Version); err != nil {
			return err
		}
		out = outboxEntryOf(next)
		return nil
	})
	return out, err
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Notification is one in-app notification delivered by an automation.
type Notification struct {
	ID        string
	Recipient string
	Message   schema.Label
	Object    string
	RecordID  string
	Rule      string
	Read      bool
	CreatedAt string
}

// Notifications lists the notifications of a recipient (all when empty),
// newest first; administrators only until users exist.
func (e *Engine) Notifications(ctx context.Context, recipient string, first int) ([]Notification, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "notification.adminOnlyRead")
	}
	if first <= 0 || first > MaxPageSize {
		first = DefaultPageSize
	}
	inbox := snap.platform[notificationObject]
	if inbox == nil {
		return nil, nil
	}
	q := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: first}
	if recipient != "" {
		f := store.Leaf("recipient", store.OpEq, recipient)
		q.Filter = &f
	}
	page, err := ts.Find(ctx, inbox, q)
	if err != nil {
		return nil, fmt.Errorf("read notifications: %w", err)
	}
	out := make([]Notification, len(page.Records))
	for i, r := range page.Records {
		s := func(k string) string { v, _ := r.Data[k].(string); return v }
		n := Notification{ID: r.ID, Recipient: s("recipient"), Object: s("object"), RecordID: s("record"), Rule: s("rule"),
			CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout)}
		n.Read, _ = r.Data["read"].(bool)
		if m, ok := r.Data["message"].(map[string]any); ok {
			n.Message.Zh, _ = m["zh"].(string)
			n.Message.En, _ = m["en"].(string)
		}
		out[i] = n
	}
	return out, nil
}

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
