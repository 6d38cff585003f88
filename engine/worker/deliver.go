package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/store"
)

// Outbox entries of kind [KindDeliver] carry one notification to one
// person over one external channel (e-mail, a WeCom, DingTalk or Feishu
// group robot). The engine's notify writes them; the worker sends them
// with the tenant's channel settings through a [Sender].

// The external channels.
const (
	ChannelEmail    = "email"
	ChannelWeCom    = "wecom"
	ChannelDingTalk = "dingtalk"
	ChannelFeishu   = "feishu"
)

// Channels lists the external channels, in the order the admin page shows
// them.
var Channels = []string{ChannelEmail, ChannelWeCom, ChannelDingTalk, ChannelFeishu}

// Person is the recipient of a delivery, as the notification resolved it.
type Person struct {
	User   string // user id
	Name   string // display name
	Email  string
	Mobile string
}

// Note is one notification as a channel sends it.
type Note struct {
	// ID is the outbox entry's id: the same on every attempt (e-mails use
	// it in their Message-ID).
	ID        string
	Kind      string // automation, approval, mention, task, assignment, system
	To        Person
	MessageZh string
	MessageEn string
	// Link is the record's path in the web app ("/o/deal/01H…"), empty
	// when the notification is about no record.
	Link string
}

// ChannelConfig is a tenant's setting of one channel, secrets in clear
// (the engine decrypts them for the worker only).
type ChannelConfig struct {
	Channel string // ChannelEmail, ChannelWeCom …
	Enabled bool
	// Kinds of notification sent on this channel; empty: every kind.
	Kinds []string
	// Language of the text: "zh", "en" or "both" (Chinese first).
	Language string
	// AppURL is the web app's address (https://crm.example.com), put
	// before a note's link; without it messages carry no link.
	AppURL string

	// Group robots.
	URL    string // the robot's webhook address, with its key or token
	Secret string // signing secret (DingTalk "加签", Feishu "签名校验"); may be empty
	Format string // "text" (mentions the person by mobile where the service can) or "markdown"

	// E-mail.
	SMTPHost     string
	SMTPPort     int
	SMTPTLS      string // "starttls", "tls" (implicit, usually port 465) or "none"
	SMTPUser     string
	SMTPPassword string
	From         string // address
	FromName     string
}

// Accepts reports whether notifications of kind go on this channel.
func (c ChannelConfig) Accepts(kind string) bool {
	if len(c.Kinds) == 0 {
		return true
	}
	for _, k := range c.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Sender sends notes over external channels. An error is retried with
// backoff unless it is [Permanent].
type Sender interface {
	Send(ctx context.Context, cfg ChannelConfig, n Note) error
}

// ErrChannelOff is returned by [Outbox.Channel] for a channel the tenant
// has not set up or has switched off.
var ErrChannelOff = errors.New("the channel is not set up or is switched off")

// PermanentError is a failure that another attempt cannot mend: a wrong
// key, token or signature, a refused address, a message the service
// rejects. The entry is given up at once, with the error kept on it.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as one that retrying cannot mend.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or one it wraps, is [Permanent].
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// RateLimitedError is a failure because the service limits how often it
// may be called (WeCom 45009, DingTalk 130101/410100, Feishu 11232, HTTP
// 429): the entry is retried after at least a minute (longer when the
// service says so), and the channel gets nothing more in this pass of the
// worker, so that its other entries do not spend attempts on the same
// limit.
type RateLimitedError struct {
	Err error
	// Wait is how long the service refuses messages after its limit
	// (DingTalk: 10 minutes; an HTTP Retry-After); 0: not said.
	Wait time.Duration
}

func (e *RateLimitedError) Error() string { return e.Err.Error() }
func (e *RateLimitedError) Unwrap() error { return e.Err }

// rateLimitWait is the least wait after a rate limit: the robots count
// their messages per minute (WeCom and DingTalk 20 a minute, Feishu 100 a
// minute), so an earlier attempt would only meet the same limit.
const rateLimitWait = time.Minute

// RateLimited marks err as a service's rate limit.
func RateLimited(err error) error {
	return RateLimitedFor(err, 0)
}

// RateLimitedFor marks err as a service's rate limit that the service
// keeps for wait.
func RateLimitedFor(err error, wait time.Duration) error {
	if err == nil {
		return nil
	}
	return &RateLimitedError{Err: err, Wait: max(wait, 0)}
}

// IsRateLimited reports whether err, or one it wraps, is [RateLimited].
func IsRateLimited(err error) bool {
	var r *RateLimitedError
	return errors.As(err, &r)
}

// limitWait is the least wait before retrying after err: for a rate
// limit what the service said, and at least a minute; 0 for other errors.
func limitWait(err error) time.Duration {
	var r *RateLimitedError
	if !errors.As(err, &r) {
		return 0
	}
	return max(r.Wait, rateLimitWait)
}

// NoteOf reads a deliver entry's payload: {to: {user, name, email,
// mobile}, message: {zh, en}, link, kind}.
func NoteOf(id string, payload any) (Note, error) {
	p, ok := payload.(map[string]any)
	if !ok {
		return Note{}, fmt.Errorf("deliver entry %s: the payload is not an object", id)
	}
	s := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	to, _ := p["to"].(map[string]any)
	msg, _ := p["message"].(map[string]any)
	n := Note{ID: id, Kind: s(p, "kind"), Link: s(p, "link"), MessageZh: s(msg, "zh"), MessageEn: s(msg, "en"),
		To: Person{User: s(to, "user"), Name: s(to, "name"), Email: s(to, "email"), Mobile: s(to, "mobile")}}
	if n.MessageZh == "" && n.MessageEn == "" {
		return n, fmt.Errorf("deliver entry %s: the message is empty", id)
	}
	return n, nil
}

// deliverNote sends a deliver entry over its channel: an entry whose
// channel is off, or not for its kind, is skipped; one the sender fails
// permanently is dead at once; others are retried like webhooks.
//
// It reports whether the channel's service answered with a rate limit.
func deliverNote(ctx context.Context, box Outbox, tenant string, entry Entry, cfg *Config, stats *Stats) (limited bool) {
	log := cfg.Logger
	claimed, err := box.Claim(ctx, entry, cfg.Lease)
	if err != nil {
		return false // another worker has it
	}
	attempt := claimed.Attempts + 1
	var derr error
	ch, err := box.Channel(ctx, claimed.Channel)
	switch {
	case errors.Is(err, ErrChannelOff):
		derr = Permanent(fmt.Errorf("channel %q: %w", claimed.Channel, err))
	case err != nil:
		log.ErrorContext(ctx, "channel settings", "tenant", tenant, "entry", entry.ID, "channel", claimed.Channel, "err", err)
		derr = fmt.Errorf("read the settings of channel %q: %w", claimed.Channel, err)
	}
	var note Note
	if derr == nil {
		note, err = NoteOf(claimed.ID, claimed.Payload)
		if err != nil {
			derr = Permanent(err)
		}
	}
	if derr == nil && !ch.Accepts(note.Kind) {
		if err := box.Skip(ctx, claimed, fmt.Sprintf("channel %q does not take notifications of kind %q", ch.Channel, note.Kind)); err == nil {
			stats.Skipped++
		}
		return false
	}
	if derr == nil {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		derr = cfg.Channels.Send(dctx, ch, note)
		cancel()
		if ctx.Err() != nil {
			return false // stopping: the lease runs out and the entry is retried
		}
	}
	switch {
	case derr == nil:
		if err = box.Delivered(ctx, claimed); err == nil {
			stats.Delivered++
		}
	case IsPermanent(derr) || attempt >= cfg.MaxAttempts:
		if err = box.GiveUp(ctx, claimed, derr.Error()); err == nil {
			stats.Dead++
			log.WarnContext(ctx, "notification delivery given up", "tenant", tenant, "entry", entry.ID, "channel", claimed.Channel, "attempts", attempt, "err", derr)
		}
	default:
		wait := max(cfg.backoff(attempt), min(limitWait(derr), cfg.MaxBackoff))
		if err = box.Retry(ctx, claimed, derr.Error(), wait); err == nil {
			stats.Failed++
		}
	}
	if err != nil && !errors.Is(err, store.ErrConflict) {
		log.ErrorContext(ctx, "record delivery outcome", "tenant", tenant, "entry", entry.ID, "err", err)
	}
	return IsRateLimited(derr)
}
