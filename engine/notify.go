package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Notifications for people. Whatever tells a person something — an
// automation's notify action, an approval waiting for them, an @mention,
// a task assigned or due — calls writer.notify in the transaction of the
// change that caused it. notify resolves the recipients to the tenant's
// active users and writes one inbox entry (crmNotification) per user,
// which only that user reads (see notify_inbox.go), and, for each external
// channel the user chose for that kind of notification, one outbox entry
// of kind "deliver" that the worker sends later. A rolled-back write leaves
// neither.

// Kinds of notifications; a user chooses channels per kind.
const (
	NoticeAutomation = "automation"
	NoticeApproval   = "approval"
	NoticeMention    = "mention"
	NoticeTask       = "task"
	NoticeAssignment = "assignment"
	NoticeSystem     = "system"
)

// NoticeKinds are the kinds of notifications, in the order the
// preferences show them.
var NoticeKinds = []string{NoticeAutomation, NoticeApproval, NoticeMention, NoticeTask, NoticeAssignment, NoticeSystem}

// NoticeChannels are the external channels a user may choose besides the
// inbox, which is always on.
var NoticeChannels = []string{"email", "wecom", "dingtalk", "feishu"}

// Kinds of recipients.
const (
	RecipientUser    = "user"    // Value: a user name ("user:NAME" is taken too), or the display name of one active user
	RecipientRole    = "role"    // Value: a role name; its active users
	RecipientTeam    = "team"    // Value: a team name; its active members
	RecipientOwner   = "owner"   // the record's owner
	RecipientManager = "manager" // the record owner's manager (the first active one up the chain)
)

const (
	// MaxNoticeRecipients bounds the users one notification reaches: a
	// notification that would reach more is refused (and with it the write
	// that caused it), rather than writing thousands of entries in one
	// transaction.
	MaxNoticeRecipients = 500
	// maxNoticeMessage bounds each language of a notification's text, in
	// characters; a longer text is cut (it is filled from record fields).
	maxNoticeMessage = 2000
	// notificationPreferenceObject holds each user's channel choices, one
	// record per user named by the user name.
	notificationPreferenceObject = "crmNotificationPreference"
)

// notice is one notification for people, written in the caller's transaction.
type notice struct {
	Kind    string       // "automation", "approval", "mention", "task", "assignment", "system"
	To      []recipient  // resolved by notify: users, roles, teams, owner, owner's manager
	Object  string       // API name of the record's object ("" if none)
	Record  string       // record id ("" if none)
	Message schema.Label // zh/en text shown in the inbox and sent on channels
	Actor   string       // user id who caused it ("" for the system)
	// Rule names what sent it (an automation's name, "script:NAME"), for
	// administrators; optional.
	Rule string
}

// recipient is someone a notice is for.
type recipient struct{ Kind, Value string } // Kind: "user" | "role" | "team" | "owner" | "manager"

// prepareNotify readies the platform objects notifications are written
// to, before the write's transaction.
func (w *writer) prepareNotify(ctx context.Context) error {
	var err error
	if w.inbox, err = w.e.platformObject(ctx, w.ts, w.snap, notificationObject); err != nil {
		return err
	}
	if w.prefs, err = w.e.platformObject(ctx, w.ts, w.snap, notificationPreferenceObject); err != nil {
		return err
	}
	if w.outbox == nil {
		if w.outbox, err = w.e.platformObject(ctx, w.ts, w.snap, outboxObject); err != nil {
			return err
		}
	}
	return nil
}

// notify writes n to the inbox of each user it resolves to and enqueues
// its deliveries on the channels each chose for n.Kind, in tx. Recipients
// that are unknown or inactive are skipped; a notice that reaches nobody
// writes nothing. The actor is left out unless they are the only one the
// notice reaches.
func (w *writer) notify(ctx context.Context, tx store.Tx, n notice) error {
	if !slices.Contains(NoticeKinds, n.Kind) {
		return errorOf(ErrBadRequest, nil, "notify.badKind", n.Kind, strings.Join(NoticeKinds, ", "))
	}
	if strings.TrimSpace(n.Message.Zh) == "" && strings.TrimSpace(n.Message.En) == "" {
		return errorOf(ErrBadRequest, nil, "notify.noMessage")
	}
	if w.inbox == nil || w.prefs == nil || w.outbox == nil {
		return fmt.Errorf("notify: the inbox is not prepared")
	}
	users, err := w.recipients(ctx, tx, n)
	if err != nil {
		return err
	}
	zh, en := clipText(n.Message.Zh, maxNoticeMessage), clipText(n.Message.En, maxNoticeMessage)
	if zh == "" {
		zh = en
	}
	if en == "" {
		en = zh
	}
	link := ""
	if n.Object != "" && n.Record != "" {
		link = "/o/" + n.Object + "/" + n.Record
	}
	now := w.e.stamp()
	at := now.Format(schema.DateTimeLayout)
	by := n.Actor
	if by == "" {
		by = "system"
	}
	for _, u := range users {
		id := w.e.newID()
		data := map[string]any{"user": u.Username, "recipient": u.Username, "kind": n.Kind,
			"message": map[string]any{"zh": zh, "en": en}, "read": false, "at": at}
		setIf(data, "object", n.Object)
		setIf(data, "record", n.Record)
		setIf(data, "actor", n.Actor)
		setIf(data, "rule", n.Rule)
		rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by, Data: data}
		if err := tx.Insert(ctx, w.inbox, rec); err != nil {
			return fmt.Errorf("notify %s: write the inbox entry: %w", u.Username, err)
		}
		channels, err := w.channelsOf(ctx, tx, u.Username, n.Kind)
		if err != nil {
			return err
		}
		for _, ch := range channels {
			payload := map[string]any{
				"to":      map[string]any{"user": u.Username, "name": u.DisplayName, "email": u.Email, "mobile": u.Mobile},
				"message": map[string]any{"zh": zh, "en": en},
				"link":    link,
				"kind":    n.Kind,
			}
			oid := w.e.newID()
			entry := map[string]any{"kind": worker.KindDeliver, "channel": ch, "notification": id, "status": OutboxPending,
				"attempts": 0.0, "nextAttemptAt": at, "payload": payload}
			setIf(entry, "object", n.Object)
			setIf(entry, "record", n.Record)
			setIf(entry, "rule", n.Rule)
			out := store.Record{ID: oid, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by, Data: entry}
			if err := tx.Insert(ctx, w.outbox, out); err != nil {
				return fmt.Errorf("notify %s: enqueue the %s delivery: %w", u.Username, ch, err)
			}
		}
	}
	return nil
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// clipText cuts s to at most n characters.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// recipients resolves n.To to active users, each once, in user-name order.
func (w *writer) recipients(ctx context.Context, tx store.Tx, n notice) ([]User, error) {
	users := w.snap.users
	seen := map[string]bool{}
	var out []User
	add := func(name string) {
		u, ok := users[name]
		if !ok || !u.Active || seen[name] {
			return
		}
		seen[name] = true
		out = append(out, u)
	}
	owner, ownerRead := "", false
	ownerOf := func() (string, error) {
		if ownerRead {
			return owner, nil
		}
		ownerRead = true
		if n.Object == "" || n.Record == "" {
			return "", errorOf(ErrBadRequest, nil, "notify.ownerNeedsRecord")
		}
		obj := w.snap.catalog.Object(n.Object)
		if obj == nil {
			return "", errorOf(ErrNotFound, nil, "notify.noObject", n.Object)
		}
		rec, err := tx.Get(ctx, obj, n.Record)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil // deleted meanwhile: nobody owns it
		} else if err != nil {
			return "", fmt.Errorf("notify: read the owner of %s %q: %w", n.Object, n.Record, err)
		}
		owner = strings.TrimPrefix(rec.OwnerID, "user:")
		return owner, nil
	}
	for _, r := range n.To {
		switch r.Kind {
		case RecipientUser:
			name := strings.TrimPrefix(r.Value, "user:")
			if _, ok := users[name]; !ok {
				name = userByDisplayName(users, name)
			}
			add(name)
		case RecipientRole, RecipientTeam:
			if r.Value == "" {
				return nil, errorOf(ErrBadRequest, nil, "notify.badRecipient", r.Kind+":")
			}
			for name, u := range users {
				if (r.Kind == RecipientRole && u.Role == r.Value) || (r.Kind == RecipientTeam && u.Team == r.Value) {
					add(name)
				}
			}
		case RecipientOwner:
			o, err := ownerOf()
			if err != nil {
				return nil, err
			}
			add(o)
		case RecipientManager:
			o, err := ownerOf()
			if err != nil {
				return nil, err
			}
			if m := activeManager(users, o); m != "" {
				add(m)
			}
		default:
			return nil, errorOf(ErrBadRequest, nil, "notify.badRecipient", r.Kind+":"+r.Value)
		}
		if len(out) > MaxNoticeRecipients {
			return nil, errorOf(ErrBadRequest, nil, "notify.tooManyRecipients", MaxNoticeRecipients)
		}
	}
	if len(out) > 1 {
		if me, ok := strings.CutPrefix(n.Actor, "user:"); ok {
			out = slices.DeleteFunc(out, func(u User) bool { return u.Username == me })
		}
	}
	slices.SortFunc(out, func(x, y User) int { return strings.Compare(x.Username, y.Username) })
	return out, nil
}

// activeManager is the first active user up the management chain of
// name: their manager, or, when the manager may no longer sign in, the
// manager's manager and so on; "" for none. A loop (which user
// administration refuses) ends the walk.
func activeManager(users map[string]User, name string) string {
	m := users[name].Manager
	for range len(users) {
		if m == "" || m == name {
			return ""
		}
		u, ok := users[m]
		if !ok {
			return ""
		}
		if u.Active {
			return m
		}
		m = u.Manager
	}
	return ""
}

// channelsOf returns the external channels user chose for kind, in the
// order of NoticeChannels.
func (w *writer) channelsOf(ctx context.Context, tx store.Tx, user, kind string) ([]string, error) {
	rec, err := tx.Get(ctx, w.prefs, user)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("notify %s: read the preferences: %w", user, err)
	}
	return preferenceChannels(rec, kind), nil
}

// preferenceChannels reads the channels of kind from a preference record,
// keeping only known channels, each once, in the order of NoticeChannels.
func preferenceChannels(rec store.Record, kind string) []string {
	all, _ := rec.Data["channels"].(map[string]any)
	chosen, _ := all[kind].([]any)
	var out []string
	for _, ch := range NoticeChannels {
		if slices.Contains(chosen, any(ch)) {
			out = append(out, ch)
		}
	}
	return out
}
