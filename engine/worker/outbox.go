package worker

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/crmkit/crm/store"
)

// Kinds of outbox entries.
const (
	KindWebhook = "webhook"
	KindNotify  = "notify"
	// KindDeliver is one notification sent to one user on one external
	// channel (e-mail, WeCom, DingTalk, Feishu); see engine/notify.go.
	KindDeliver = "deliver"
)

// Entry is one outbox entry as the worker sees it.
type Entry struct {
	ID      string
	Kind    string // KindWebhook, KindNotify or KindDeliver
	URL     string // of a webhook
	Channel string // of a deliver entry: ChannelEmail, ChannelWeCom …
	Payload any    // a webhook's body, before encoding
	// Attempts made so far.
	Attempts int
	// Version is the entry's version when read: the engine refuses a
	// change to an entry that changed meanwhile.
	Version int64
}

// Outbox is one tenant's outbox as the worker changes it. Each method is
// one transaction of the engine; a change to an entry that another worker
// (or an administrator) changed since it was read fails with
// [store.ErrConflict].
type Outbox interface {
	// Notify puts a notify entry's notifications in the in-app inbox and
	// marks it delivered: exactly once. An entry that changed meanwhile is
	// left alone, without an error.
	Notify(ctx context.Context, e Entry) error
	// Secret returns the key that signs the tenant's webhooks.
	Secret(ctx context.Context) (string, error)
	// Claim keeps other workers off a pending entry for lease and returns
	// it as claimed.
	Claim(ctx context.Context, e Entry, lease time.Duration) (Entry, error)
	// Delivered marks a claimed entry delivered.
	Delivered(ctx context.Context, e Entry) error
	// Retry counts a failed attempt of a claimed entry and puts it back
	// in line after wait.
	Retry(ctx context.Context, e Entry, reason string, wait time.Duration) error
	// GiveUp counts a failed attempt of a claimed entry and marks it dead.
	GiveUp(ctx context.Context, e Entry, reason string) error
	// Skip marks a claimed entry skipped (nothing was sent), keeping why.
	Skip(ctx context.Context, e Entry, reason string) error
	// Channel returns the tenant's setting of an external channel, secrets
	// opened; [ErrChannelOff] when it is not set up or switched off.
	Channel(ctx context.Context, channel string) (ChannelConfig, error)
}

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

func deliverDue(ctx context.Context, q Queues, tenant string, cfg *Config, stats *Stats) error {
	box, entries, err := q.Outbox(ctx, tenant, cfg.Batch)
	if err != nil {
		return err
	}
	limited := map[string]bool{} // channels that answered with a rate limit in this pass
	for _, entry := range entries {
		if ctx.Err() != nil {
			return nil
		}
		switch entry.Kind {
		case KindNotify:
			if err := box.Notify(ctx, entry); err != nil {
				cfg.Logger.WarnContext(ctx, "notification delivery", "tenant", tenant, "entry", entry.ID, "err", err)
				continue
			}
			stats.Delivered++
		case KindWebhook:
			if cfg.Webhooks == nil {
				continue
			}
			deliverWebhook(ctx, box, tenant, entry, cfg, stats)
		case KindDeliver:
			if cfg.Channels == nil {
				continue
			}
			if limited[entry.Channel] {
				continue // left due, its attempts untouched, for the next pass
			}
			if deliverNote(ctx, box, tenant, entry, cfg, stats) {
				limited[entry.Channel] = true
			}
		}
	}
	return nil
}

// deliverWebhook claims the entry for a lease, calls the receiver outside
// any transaction, and records the outcome.
func deliverWebhook(ctx context.Context, box Outbox, tenant string, entry Entry, cfg *Config, stats *Stats) {
	log := cfg.Logger
	secret, err := box.Secret(ctx)
	if err != nil {
		log.ErrorContext(ctx, "webhook secret", "tenant", tenant, "err", err)
		return
	}
	claimed, err := box.Claim(ctx, entry, cfg.Lease)
	if err != nil {
		return // another worker has it
	}
	body, err := json.Marshal(claimed.Payload)
	if err != nil {
		log.ErrorContext(ctx, "webhook payload", "tenant", tenant, "entry", entry.ID, "err", err)
		return
	}
	attempt := claimed.Attempts + 1
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	derr := cfg.Webhooks.Deliver(dctx, Delivery{ID: entry.ID, TenantID: tenant, URL: claimed.URL, Body: body, Secret: secret, Attempt: attempt})
	cancel()
	if ctx.Err() != nil {
		return // stopping: the lease runs out and the entry is retried
	}
	switch {
	case derr == nil:
		if err = box.Delivered(ctx, claimed); err == nil {
			stats.Delivered++
		}
	case attempt >= cfg.MaxAttempts:
		if err = box.GiveUp(ctx, claimed, derr.Error()); err == nil {
			stats.Dead++
			log.WarnContext(ctx, "webhook dead after its last attempt", "tenant", tenant, "entry", entry.ID, "url", claimed.URL, "attempts", attempt, "err", derr)
		}
	default:
		if err = box.Retry(ctx, claimed, derr.Error(), cfg.backoff(attempt)); err == nil {
			stats.Failed++
		}
	}
	if err != nil && !errors.Is(err, store.ErrConflict) { // a conflict: an admin retried it meanwhile
		log.ErrorContext(ctx, "record webhook outcome", "tenant", tenant, "entry", entry.ID, "err", err)
	}
}
