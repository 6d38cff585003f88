package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// Inbox is what a signed-in user's notifications need: their inbox, its
// unread count, marking read, their channel preferences and contact
// details (engine/notify_inbox.go).
type Inbox interface {
	MyNotifications(ctx context.Context, unreadOnly bool, first int, after string) (engine.NoticePage, error)
	UnreadNotificationCount(ctx context.Context) (int, error)
	MarkNotificationsRead(ctx context.Context, ids []string, all bool) (int, error)
	NotificationPreferences(ctx context.Context) ([]engine.NotificationPreference, error)
	SetNotificationPreferences(ctx context.Context, prefs []engine.NotificationPreference) ([]engine.NotificationPreference, error)
	UpdateMyContact(ctx context.Context, email, mobile *string) (engine.User, error)
}

// inboxResolvers serve the inbox's queries and mutations.
func (s *execSchema) inboxResolvers(query, mutation map[string]resolver) {
	eng := s.srv.inbox
	query["myNotifications"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		unread, _ := fc.args["unreadOnly"].(bool)
		after, _ := fc.args["after"].(string)
		first := 0
		if n, ok := fc.args["first"].(int64); ok {
			if first = int(n); first == 0 {
				first = -1 // an explicit 0 is out of range, not the default
			}
		}
		page, err := eng.MyNotifications(ctx, unread, first, after)
		if err != nil {
			return nil, err
		}
		return &page, nil
	}
	query["unreadNotificationCount"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := eng.UnreadNotificationCount(ctx)
		if err != nil {
			return nil, err
		}
		return int32(min(n, 1<<31-1)), nil
	}
	query["notificationPreferences"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		prefs, err := eng.NotificationPreferences(ctx)
		if err != nil {
			return nil, err
		}
		return prefValues(prefs), nil
	}
	mutation["markNotificationsRead"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		items, _ := fc.args["ids"].([]any)
		ids := make([]string, 0, len(items))
		for _, it := range items {
			id, _ := it.(string)
			ids = append(ids, id)
		}
		all, _ := fc.args["all"].(bool)
		n, err := eng.MarkNotificationsRead(ctx, ids, all)
		if err != nil {
			return nil, err
		}
		return int32(n), nil
	}
	mutation["setNotificationPreferences"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		items, _ := fc.args["preferences"].([]any)
		prefs := make([]engine.NotificationPreference, 0, len(items))
		for _, it := range items {
			m, _ := it.(map[string]any)
			p := engine.NotificationPreference{}
			p.Kind, _ = m["kind"].(string)
			chs, _ := m["channels"].([]any)
			p.Channels = make([]string, 0, len(chs))
			for _, c := range chs {
				ch, _ := c.(string)
				p.Channels = append(p.Channels, ch)
			}
			prefs = append(prefs, p)
		}
		out, err := eng.SetNotificationPreferences(ctx, prefs)
		if err != nil {
			return nil, err
		}
		return prefValues(out), nil
	}
	mutation["updateMyContact"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		in, _ := fc.args["input"].(map[string]any)
		str := func(k string) *string {
			v, set := in[k]
			if !set {
				return nil
			}
			s, _ := v.(string) // null clears
			return &s
		}
		u, err := eng.UpdateMyContact(ctx, str("email"), str("mobile"))
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
}

func prefValues(prefs []engine.NotificationPreference) []any {
	out := make([]any, len(prefs))
	for i := range prefs {
		out[i] = &prefs[i]
	}
	return out
}

// inboxTypeResolvers serve NotificationPage, InboxNotification and
// NotificationPreference.
func inboxTypeResolvers() (page, notice, pref map[string]resolver) {
	pv := func(p any) *engine.NoticePage { return p.(*engine.NoticePage) }
	page = map[string]resolver{
		"notifications": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pv(p).Notices))
			for i := range pv(p).Notices {
				out[i] = &pv(p).Notices[i]
			}
			return out, nil
		},
		"hasNextPage": func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).HasMore, nil },
		"endCursor":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(pv(p).EndCursor), nil },
	}
	n := func(p any) *engine.Notice { return p.(*engine.Notice) }
	notice = map[string]resolver{
		"id":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).ID, nil },
		"kind":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Kind, nil },
		"message":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Message, nil },
		"object":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).Object), nil },
		"recordId":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).RecordID), nil },
		"recordLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).RecordLabel), nil },
		"objectLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			l := n(p).ObjectLabel
			if l.Zh == "" && l.En == "" {
				return nil, nil
			}
			return l, nil
		},
		"link":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).Link), nil },
		"actor":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).Actor), nil },
		"actorName": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(n(p).ActorName), nil },
		"read":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Read, nil },
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(n(p).CreatedAt), nil },
	}
	pf := func(p any) *engine.NotificationPreference { return p.(*engine.NotificationPreference) }
	pref = map[string]resolver{
		"kind": func(_ context.Context, p any, _ *fieldCall) (any, error) { return pf(p).Kind, nil },
		"channels": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pf(p).Channels))
			for i, c := range pf(p).Channels {
				out[i] = c
			}
			return out, nil
		},
	}
	return page, notice, pref
}

const inboxSDL = `
"A page of the signed-in user's notifications, newest first."
type NotificationPage {
  notifications: [InboxNotification!]!
  hasNextPage: Boolean!
  "Pass as after to get the next page; null when the page is empty."
  endCursor: String
}

"One notification in the signed-in user's inbox."
type InboxNotification {
  id: ID!
  "automation, approval, mention, task, assignment or system"
  kind: String!
  message: Label!
  "The API name of the record's object; null when it is about no record."
  object: String
  "The object's label, when the user may read the object."
  objectLabel: Label
  recordId: ID
  "The record's title, when the user may read it."
  recordLabel: String
  "The web app's path to the record: /o/<object>/<id>."
  link: String
  "Who caused it (user:<name>); null for the system."
  actor: String
  actorName: String
  read: Boolean!
  createdAt: DateTime!
}

"The external channels a user chose for one kind of notification, besides the inbox, which is always on."
type NotificationPreference {
  "automation, approval, mention, task, assignment or system"
  kind: String!
  "Some of email, wecom, dingtalk and feishu."
  channels: [String!]!
}

"A kind of notification and the channels to send it on."
input NotificationPreferenceInput {
  kind: String!
  channels: [String!]!
}

"The signed-in user's own contact details; an omitted field stays, null clears it."
input MyContactInput {
  email: String
  "6 to 15 digits, with + and the country code outside China; spaces and hyphens are dropped."
  mobile: String
}
`

const inboxSDLQuery = `  "The signed-in user's notifications, newest first: unreadOnly leaves out read ones; first is 1 to 100, default 20. Read notifications are deleted 90 days after they were read, any after a year."
  myNotifications(unreadOnly: Boolean, first: Int, after: String): NotificationPage!
  "How many of the signed-in user's notifications are unread."
  unreadNotificationCount: Int!
  "The signed-in user's channels for every kind of notification."
  notificationPreferences: [NotificationPreference!]!
`

const inboxSDLMutation = `  "Marks the signed-in user's notifications ids (at most 100) read, or with all every unread one; returns how many changed. An id that is not one of the user's own is NOT_FOUND and nothing changes."
  markNotificationsRead(ids: [ID!], all: Boolean): Int
  "Replaces the signed-in user's channels for the kinds listed; the other kinds keep theirs. Returns every kind's."
  setNotificationPreferences(preferences: [NotificationPreferenceInput!]!): [NotificationPreference!]
  "Changes the signed-in user's own e-mail address and mobile number, where channels reach them."
  updateMyContact(input: MyContactInput!): User
`
