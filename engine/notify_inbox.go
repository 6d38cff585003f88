package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// A signed-in user's inbox: the notifications notify wrote for them, newest
// first, which only they read and mark read, and their choice of external
// channels per kind of notification. API keys and the CLI have no inbox.
//
// Retention: the worker deletes read notifications NotificationReadRetention
// after they were read, and any notification NotificationRetention after it
// was written, a batch per tenant and pass (see purgeNotifications), so an
// inbox stays bounded however long a tenant runs.

const (
	// NotificationReadRetention is how long a read notification is kept.
	NotificationReadRetention = 90 * 24 * time.Hour
	// NotificationRetention is how long any notification is kept, read or
	// not.
	NotificationRetention = 365 * 24 * time.Hour
	// MaxMarkRead bounds the ids of one MarkNotificationsRead call.
	MaxMarkRead = 100
	// maxMarkAll bounds the notifications one "mark all read" changes;
	// the rest (in an inbox that overflowed) wait for the next call.
	maxMarkAll = 10000
	// markBatch is how many notifications one transaction marks read.
	markBatch = 500
)

// Notice is one notification of the caller's inbox.
type Notice struct {
	ID      string
	Kind    string
	Message schema.Label
	// Object and RecordID name the record it is about ("" for none);
	// ObjectLabel and RecordLabel name them for people when the caller
	// may read them, and Link is the web app's path to the record.
	Object      string
	ObjectLabel schema.Label
	RecordID    string
	RecordLabel string
	Link        string
	// Actor is who caused it ("user:NAME"; "" for the system), ActorName
	// their display name.
	Actor     string
	ActorName string
	Read      bool
	CreatedAt string
}

// NoticePage is a page of the caller's inbox.
type NoticePage struct {
	Notices   []Notice
	EndCursor string
	HasMore   bool
}

// NotificationPreference is the external channels a user chose for one
// kind of notification, besides the inbox.
type NotificationPreference struct {
	Kind     string
	Channels []string
}

// inboxScope is the caller's scope when the caller is a signed-in user,
// with the user name and the inbox object (nil when the tenant has none
// yet).
type inboxScope struct {
	scope
	user  string
	inbox *schema.Object
}

func (e *Engine) inboxScope(ctx context.Context) (inboxScope, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return inboxScope{}, err
	}
	user, ok := strings.CutPrefix(sc.actor.ID, "user:")
	if !ok {
		return inboxScope{}, errorOf(ErrBadRequest, nil, "notify.notAUser")
	}
	return inboxScope{scope: sc, user: user, inbox: sc.snap.platform[notificationObject]}, nil
}

// notificationSort is the inbox's order: newest first.
var notificationSort = []store.Sort{{Field: "at", Desc: true}}

// MyNotifications lists the caller's notifications, newest first, at
// most first (1–100; zero means [DefaultPageSize]) after the cursor
// after, only unread ones when unreadOnly. Only signed-in users have an
// inbox.
func (e *Engine) MyNotifications(ctx context.Context, unreadOnly bool, first int, after string) (NoticePage, error) {
	is, err := e.inboxScope(ctx)
	if err != nil {
		return NoticePage{}, err
	}
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 1 || first > MaxPageSize {
		return NoticePage{}, errorOf(ErrBadRequest, nil, "page.firstOutOfRange", MaxPageSize)
	}
	q := store.Query{Filter: is.mine(unreadOnly), Sort: notificationSort, Limit: first}
	if after != "" {
		if q.After, err = decodeCursor(after, notificationSort); err != nil {
			return NoticePage{}, err
		}
	}
	if is.inbox == nil {
		return NoticePage{}, nil
	}
	page, err := is.ts.Find(ctx, is.inbox, q)
	if err != nil {
		return NoticePage{}, fmt.Errorf("read the inbox of %q: %w", is.user, err)
	}
	out := NoticePage{HasMore: page.HasMore, Notices: make([]Notice, len(page.Records))}
	byObject := map[string][]string{}
	for i, r := range page.Records {
		n := noticeOf(r)
		if n.Object != "" && n.RecordID != "" {
			byObject[n.Object] = append(byObject[n.Object], n.RecordID)
		}
		if n.Actor != "" {
			n.ActorName = is.snap.principalLabel(n.Actor).Zh
		}
		out.Notices[i] = n
	}
	for object, ids := range byObject {
		obj := is.snap.catalog.Object(object)
		if obj == nil || is.snap.mayDo(is.actor, obj, "read") != nil {
			continue
		}
		titles, err := e.recordTitles(ctx, is.scope, object, ids)
		if err != nil {
			return NoticePage{}, err
		}
		for i := range out.Notices {
			n := &out.Notices[i]
			if n.Object == object {
				n.ObjectLabel = obj.Label
				n.RecordLabel = titles[n.RecordID]
			}
		}
	}
	if len(page.Records) > 0 {
		out.EndCursor = encodeCursor(notificationSort, &page.Records[len(page.Records)-1])
	}
	return out, nil
}

// mine is the filter of the caller's notifications.
func (is inboxScope) mine(unreadOnly bool) *store.Filter {
	f := store.Leaf("user", store.OpEq, is.user)
	if unreadOnly {
		f = store.Filter{And: []store.Filter{f, store.Leaf("read", store.OpEq, false)}}
	}
	return &f
}

func noticeOf(r store.Record) Notice {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	n := Notice{ID: r.ID, Kind: s("kind"), Object: s("object"), RecordID: s("record"), Actor: s("actor"),
		CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout)}
	if n.Kind == "" {
		n.Kind = NoticeAutomation // written before kinds existed
	}
	n.Read, _ = r.Data["read"].(bool)
	if m, ok := r.Data["message"].(map[string]any); ok {
		n.Message.Zh, _ = m["zh"].(string)
		n.Message.En, _ = m["en"].(string)
	}
	if n.Object != "" && n.RecordID != "" {
		n.Link = "/o/" + n.Object + "/" + n.RecordID
	}
	return n
}

// UnreadNotificationCount counts the caller's unread notifications.
func (e *Engine) UnreadNotificationCount(ctx context.Context) (int, error) {
	is, err := e.inboxScope(ctx)
	if err != nil || is.inbox == nil {
		return 0, err
	}
	n, err := is.ts.Count(ctx, is.inbox, is.mine(true))
	if err != nil {
		return 0, fmt.Errorf("count the unread notifications of %q: %w", is.user, err)
	}
	return int(n), nil
}

// MarkNotificationsRead marks the caller's notifications ids (at most
// [MaxMarkRead]) read, or, with all, every unread one (up to 10,000 a
// call), and returns how many changed. An id that is not one of the
// caller's notifications is NOT_FOUND and nothing changes.
func (e *Engine) MarkNotificationsRead(ctx context.Context, ids []string, all bool) (int, error) {
	is, err := e.inboxScope(ctx)
	if err != nil {
		return 0, err
	}
	if all == (len(ids) > 0) {
		return 0, errorOf(ErrBadRequest, nil, "notify.markWhich")
	}
	if len(ids) > MaxMarkRead {
		return 0, errorOf(ErrBadRequest, nil, "notify.markTooMany", len(ids), MaxMarkRead)
	}
	if is.inbox == nil {
		if all {
			return 0, nil
		}
		return 0, errorOf(ErrNotFound, nil, "notify.notFound", ids[0])
	}
	now := e.stamp()
	mark := func(tx store.Tx, cur store.Record) error {
		next := cur
		next.Data = cloneMap(cur.Data)
		next.Data["read"], next.Data["readAt"] = true, now.Format(schema.DateTimeLayout)
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, is.actor.ID
		return tx.Update(ctx, is.inbox, next, cur.Version)
	}
	if !all {
		changed := 0
		err := is.ts.WithTx(ctx, func(tx store.Tx) error {
			changed = 0
			for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
				cur, err := tx.Get(ctx, is.inbox, id)
				if errors.Is(err, store.ErrNotFound) || (err == nil && cur.Data["user"] != is.user) {
					return errorOf(ErrNotFound, nil, "notify.notFound", id) // another's is as unknown as none
				} else if err != nil {
					return err
				}
				if cur.Data["read"] == true {
					continue
				}
				if err := mark(tx, cur); err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("mark notifications of %q read: %w", is.user, err)
		}
		return changed, nil
	}
	changed := 0
	for changed < maxMarkAll {
		n := 0
		err := is.ts.WithTx(ctx, func(tx store.Tx) error {
			n = 0
			page, err := tx.Find(ctx, is.inbox, store.Query{Filter: is.mine(true), Limit: min(markBatch, maxMarkAll-changed)})
			if err != nil {
				return err
			}
			for _, cur := range page.Records {
				if err := mark(tx, cur); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return changed, fmt.Errorf("mark all notifications of %q read: %w", is.user, err)
		}
		changed += n
		if n < markBatch {
			break
		}
	}
	return changed, nil
}

// NotificationPreferences returns the caller's channels for every kind of
// notification, in the order of [NoticeKinds].
func (e *Engine) NotificationPreferences(ctx context.Context) ([]NotificationPreference, error) {
	is, err := e.inboxScope(ctx)
	if err != nil {
		return nil, err
	}
	var rec store.Record
	if prefs := is.snap.platform[notificationPreferenceObject]; prefs != nil {
		rec, err = is.ts.Get(ctx, prefs, is.user)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read the notification preferences of %q: %w", is.user, err)
		}
	}
	out := make([]NotificationPreference, len(NoticeKinds))
	for i, k := range NoticeKinds {
		out[i] = NotificationPreference{Kind: k, Channels: preferenceChannels(rec, k)}
		if out[i].Channels == nil {
			out[i].Channels = []string{}
		}
	}
	return out, nil
}

// SetNotificationPreferences replaces the caller's channels for the kinds
// it lists (the others keep theirs) and returns them all. An unknown kind
// or channel, or a kind listed twice, is refused and nothing changes.
func (e *Engine) SetNotificationPreferences(ctx context.Context, prefs []NotificationPreference) ([]NotificationPreference, error) {
	is, err := e.inboxScope(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range prefs {
		if !slices.Contains(NoticeKinds, p.Kind) {
			return nil, errorOf(ErrBadRequest, nil, "notify.badKind", p.Kind, strings.Join(NoticeKinds, ", "))
		}
		if seen[p.Kind] {
			return nil, errorOf(ErrBadRequest, nil, "notify.kindTwice", p.Kind)
		}
		seen[p.Kind] = true
		for _, ch := range p.Channels {
			if !slices.Contains(NoticeChannels, ch) {
				return nil, errorOf(ErrBadRequest, nil, "notify.badChannel", ch, strings.Join(NoticeChannels, ", "))
			}
		}
	}
	obj, err := e.platformObject(ctx, is.ts, is.snap, notificationPreferenceObject)
	if err != nil {
		return nil, err
	}
	err = is.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, obj, is.user)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		channels := map[string]any{}
		for _, k := range NoticeKinds {
			if ch := preferenceChannels(cur, k); len(ch) > 0 {
				channels[k] = toAnys(ch)
			}
		}
		for _, p := range prefs {
			chosen := []string{}
			for _, ch := range NoticeChannels {
				if slices.Contains(p.Channels, ch) {
					chosen = append(chosen, ch)
				}
			}
			channels[p.Kind] = toAnys(chosen)
		}
		now := e.stamp()
		if !exists {
			return tx.Insert(ctx, obj, store.Record{ID: is.user, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: is.actor.ID, UpdatedBy: is.actor.ID,
				Data: map[string]any{"channels": channels}})
		}
		next := cur
		next.Data = map[string]any{"channels": channels}
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, is.actor.ID
		return tx.Update(ctx, obj, next, cur.Version)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, errorOf(ErrConflict, err, "notify.preferencesChanged")
	}
	if err != nil {
		return nil, fmt.Errorf("save the notification preferences of %q: %w", is.user, err)
	}
	return e.NotificationPreferences(ctx)
}

func toAnys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// UpdateMyContact lets a signed-in user change their own e-mail address
// and mobile number (nil leaves one as it is; "" clears it), checked as
// [Engine.UpdateUser] checks them.
func (e *Engine) UpdateMyContact(ctx context.Context, email, mobile *string) (User, error) {
	is, err := e.inboxScope(ctx)
	if err != nil {
		return User{}, err
	}
	return e.updateUser(ctx, is.actor, is.ts, is.snap, is.user, UserChange{Email: email, Mobile: mobile}, "")
}

// purgeNotifications deletes, for the worker, up to limit notifications
// of a tenant past their retention (read ones NotificationReadRetention
// after they were read, any NotificationRetention after they were
// written) and returns how many. A tenant is looked at once a minute at
// most.
func (e *Engine) purgeNotifications(ctx context.Context, tenant string, limit int) (int, error) {
	now := e.stamp()
	if v, ok := e.notifyPurged.Load(tenant); ok && now.Before(v.(time.Time).Add(time.Minute)) {
		return 0, nil
	}
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return 0, err
	}
	inbox := snap.platform[notificationObject]
	if inbox == nil || limit <= 0 {
		e.notifyPurged.Store(tenant, now)
		return 0, nil
	}
	layout := schema.DateTimeLayout
	old := store.Filter{Or: []store.Filter{
		{And: []store.Filter{store.Leaf("read", store.OpEq, true), store.Leaf("readAt", store.OpLte, now.Add(-NotificationReadRetention).Format(layout))}},
		store.Leaf("at", store.OpLte, now.Add(-NotificationRetention).Format(layout)),
	}}
	// None past its retention: no write transaction, which would mark
	// the tenant due again in the worker's due index (due.go).
	if page, err := ts.Find(ctx, inbox, store.Query{Filter: &old, Limit: 1}); err == nil && len(page.Records) == 0 {
		e.notifyPurged.Store(tenant, now)
		return 0, nil
	}
	n := 0
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		n = 0
		page, err := tx.Find(ctx, inbox, store.Query{Filter: &old, Limit: limit})
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := tx.Delete(ctx, inbox, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge old notifications: %w", err)
	}
	if n < limit {
		e.notifyPurged.Store(tenant, now) // nothing more is due for a while
	}
	return n, nil
}
