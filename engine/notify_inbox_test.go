package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
)

// inboxDeal notifies the owner's manager and wang of every new deal.
const inboxDeal = `{"$id": "deal", "type": "object", "x-crm-label": {"zh": "商机", "en": "Deal"}, "required": ["name"],
  "properties": {"name": {"type": "string", "x-crm-type": "text"}},
  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"},
    "actions": [{"type": "notify", "recipients": ["manager", "user:wang"], "message": {"zh": "新商机 {{name}}", "en": "New deal {{name}}"}}]}]}`

type inboxTenant struct {
	tn             *testkit.Tenant
	clk            *testkit.Clock
	li, wang, boss context.Context
	eng            *engine.Engine
}

// newInboxTenant has boss (administrator), li (sales, reports to boss)
// and wang (sales).
func newInboxTenant(t *testing.T) inboxTenant {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(inboxDeal))
	eng := tn.Engine
	require.NoError(t, eng.SaveRole(tn.Admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"deal": {Read: true, Create: true, Update: true}}}))
	for _, u := range []engine.NewUser{
		{Username: "boss", DisplayName: "老板", Role: engine.AdminRole},
		{Username: "li", DisplayName: "李雷", Role: "sales", Manager: "boss"},
		{Username: "wang", DisplayName: "王芳", Role: "sales"},
	} {
		u.Password = "correct horse battery"
		_, err := eng.CreateUser(tn.Admin, "acme", u)
		require.NoError(t, err)
	}
	return inboxTenant{tn: tn, clk: clk, eng: eng,
		li:   tn.As(engine.Actor{ID: "user:li", Role: "sales"}),
		wang: tn.As(engine.Actor{ID: "user:wang", Role: "sales"}),
		boss: tn.As(engine.Actor{ID: "user:boss", Admin: true}),
	}
}

func unread(t *testing.T, eng *engine.Engine, ctx context.Context) int {
	t.Helper()
	n, err := eng.UnreadNotificationCount(ctx)
	require.NoError(t, err)
	return n
}

// TestEngine_Inbox: each user reads, counts and marks read their own
// notifications, with the record's link and labels; another user's id
// is as unknown as none.
func TestEngine_Inbox(t *testing.T) {
	t.Parallel()
	it := newInboxTenant(t)
	eng := it.eng
	deal, err := eng.CreateRecord(it.li, "deal", map[string]any{"name": "杭州项目"})
	require.NoError(t, err)

	page, err := eng.MyNotifications(it.wang, false, 10, "")
	require.NoError(t, err)
	require.Len(t, page.Notices, 1)
	n := page.Notices[0]
	assert.Equal(t, engine.NoticeAutomation, n.Kind)
	assert.Equal(t, "新商机 杭州项目", n.Message.Zh)
	assert.Equal(t, "New deal 杭州项目", n.Message.En)
	assert.Equal(t, "deal", n.Object)
	assert.Equal(t, "商机", n.ObjectLabel.Zh)
	assert.Equal(t, deal.ID, n.RecordID)
	assert.Equal(t, "杭州项目", n.RecordLabel)
	assert.Equal(t, "/o/deal/"+deal.ID, n.Link)
	assert.Equal(t, "user:li", n.Actor)
	assert.Equal(t, "李雷", n.ActorName)
	assert.False(t, n.Read)
	assert.Equal(t, 1, unread(t, eng, it.wang))

	bossPage, err := eng.MyNotifications(it.boss, false, 10, "")
	require.NoError(t, err)
	require.Len(t, bossPage.Notices, 1, "li's manager")
	bossNote := bossPage.Notices[0].ID
	liPage, err := eng.MyNotifications(it.li, false, 10, "")
	require.NoError(t, err)
	assert.Empty(t, liPage.Notices, "li made the change and is not one the rule names alone")

	// Attack: wang marks the boss's notification read.
	_, err = eng.MarkNotificationsRead(it.wang, []string{n.ID, bossNote}, false)
	require.ErrorIs(t, err, engine.ErrNotFound)
	assert.Equal(t, 1, unread(t, eng, it.boss), "nothing changed")
	assert.Equal(t, 1, unread(t, eng, it.wang), "not even wang's own: all or nothing")

	changed, err := eng.MarkNotificationsRead(it.wang, []string{n.ID, n.ID}, false)
	require.NoError(t, err)
	assert.Equal(t, 1, changed)
	assert.Zero(t, unread(t, eng, it.wang))
	changed, err = eng.MarkNotificationsRead(it.wang, []string{n.ID}, false)
	require.NoError(t, err)
	assert.Zero(t, changed, "already read")
	page, err = eng.MyNotifications(it.wang, true, 10, "")
	require.NoError(t, err)
	assert.Empty(t, page.Notices, "unread only")
	page, err = eng.MyNotifications(it.wang, false, 10, "")
	require.NoError(t, err)
	require.Len(t, page.Notices, 1)
	assert.True(t, page.Notices[0].Read)
	assert.Equal(t, 1, unread(t, eng, it.boss))

	// Paging, newest first.
	for _, name := range []string{"b", "c", "d"} {
		it.clk.Advance(time.Minute)
		_, err := eng.CreateRecord(it.li, "deal", map[string]any{"name": name})
		require.NoError(t, err)
	}
	first, err := eng.MyNotifications(it.wang, false, 2, "")
	require.NoError(t, err)
	require.Len(t, first.Notices, 2)
	assert.True(t, first.HasMore)
	assert.Equal(t, "d", first.Notices[0].RecordLabel)
	assert.Equal(t, "c", first.Notices[1].RecordLabel)
	next, err := eng.MyNotifications(it.wang, false, 2, first.EndCursor)
	require.NoError(t, err)
	require.Len(t, next.Notices, 2)
	assert.False(t, next.HasMore)
	assert.Equal(t, "b", next.Notices[0].RecordLabel)
	assert.Equal(t, "杭州项目", next.Notices[1].RecordLabel)

	changed, err = eng.MarkNotificationsRead(it.wang, nil, true)
	require.NoError(t, err)
	assert.Equal(t, 3, changed)
	assert.Zero(t, unread(t, eng, it.wang))
	assert.Equal(t, 4, unread(t, eng, it.boss), "the boss's stay unread")
}

// TestEngine_Inbox_Refused: bad arguments and callers without an inbox.
func TestEngine_Inbox_Refused(t *testing.T) {
	t.Parallel()
	it := newInboxTenant(t)
	eng := it.eng
	key := it.tn.As(engine.Actor{ID: "key:k1", Admin: true})
	_, err := eng.MyNotifications(key, false, 10, "")
	assert.ErrorIs(t, err, engine.ErrBadRequest, "an API key has no inbox")
	_, err = eng.UnreadNotificationCount(key)
	assert.ErrorIs(t, err, engine.ErrBadRequest)
	_, err = eng.MyNotifications(it.wang, false, 101, "")
	assert.ErrorIs(t, err, engine.ErrBadRequest)
	_, err = eng.MyNotifications(it.wang, false, 10, "not a cursor")
	assert.ErrorIs(t, err, engine.ErrBadRequest)
	_, err = eng.MarkNotificationsRead(it.wang, nil, false)
	assert.ErrorIs(t, err, engine.ErrBadRequest, "neither ids nor all")
	_, err = eng.MarkNotificationsRead(it.wang, []string{"x"}, true)
	assert.ErrorIs(t, err, engine.ErrBadRequest, "both")
	_, err = eng.MarkNotificationsRead(it.wang, make([]string, engine.MaxMarkRead+1), false)
	assert.ErrorIs(t, err, engine.ErrBadRequest)
	_, err = eng.MarkNotificationsRead(it.wang, []string{"ghost"}, false)
	assert.ErrorIs(t, err, engine.ErrNotFound)
}

// TestEngine_NotificationPreferences: a user chooses channels per kind;
// the next notification of that kind is enqueued on them.
func TestEngine_NotificationPreferences(t *testing.T) {
	t.Parallel()
	it := newInboxTenant(t)
	eng := it.eng
	prefs, err := eng.NotificationPreferences(it.wang)
	require.NoError(t, err)
	require.Len(t, prefs, len(engine.NoticeKinds))
	for _, p := range prefs {
		assert.Empty(t, p.Channels, p.Kind)
	}

	scenarios := []struct {
		name  string
		prefs []engine.NotificationPreference
	}{
		{"unknown kind", []engine.NotificationPreference{{Kind: "gossip"}}},
		{"unknown channel", []engine.NotificationPreference{{Kind: "approval", Channels: []string{"pager"}}}},
		{"a kind twice", []engine.NotificationPreference{{Kind: "approval"}, {Kind: "approval", Channels: []string{"email"}}}},
	}
	for _, s := range scenarios {
		_, err := eng.SetNotificationPreferences(it.wang, s.prefs)
		assert.ErrorIs(t, err, engine.ErrBadRequest, s.name)
	}

	got, err := eng.SetNotificationPreferences(it.wang, []engine.NotificationPreference{
		{Kind: "automation", Channels: []string{"feishu", "email", "email"}}, {Kind: "approval", Channels: []string{"wecom"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"email", "feishu"}, got[0].Channels, "known order, once each")
	assert.Equal(t, []string{"wecom"}, got[1].Channels)
	got, err = eng.SetNotificationPreferences(it.wang, []engine.NotificationPreference{{Kind: "approval", Channels: []string{}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"email", "feishu"}, got[0].Channels, "kinds not listed keep theirs")
	assert.Empty(t, got[1].Channels)
	mine, err := eng.NotificationPreferences(it.li)
	require.NoError(t, err)
	assert.Empty(t, mine[0].Channels, "each user has their own")

	email := "wang@example.com"
	u, err := eng.UpdateMyContact(it.wang, &email, nil)
	require.NoError(t, err)
	assert.Equal(t, email, u.Email)
	bad := "wang@"
	_, err = eng.UpdateMyContact(it.wang, &bad, nil)
	assert.ErrorIs(t, err, engine.ErrBadRequest)

	_, err = eng.CreateRecord(it.li, "deal", map[string]any{"name": "宁波"})
	require.NoError(t, err)
	out, err := eng.Outbox(it.tn.Admin, "", 10)
	require.NoError(t, err)
	var channels []string
	for _, e := range out {
		if e.Kind == worker.KindDeliver {
			channels = append(channels, e.Payload["kind"].(string)+":"+e.Payload["to"].(map[string]any)["user"].(string))
			assert.Equal(t, email, e.Payload["to"].(map[string]any)["email"])
		}
	}
	assert.ElementsMatch(t, []string{"automation:wang", "automation:wang"}, channels, "e-mail and Feishu for wang; the boss chose none")
}

// TestEngine_Inbox_Retention: the worker deletes read notifications 90
// days after they were read and any after a year.
func TestEngine_Inbox_Retention(t *testing.T) {
	t.Parallel()
	it := newInboxTenant(t)
	eng := it.eng
	_, err := eng.CreateRecord(it.li, "deal", map[string]any{"name": "a"})
	require.NoError(t, err)
	_, err = eng.MarkNotificationsRead(it.wang, nil, true)
	require.NoError(t, err)

	it.clk.Advance(engine.NotificationReadRetention - time.Hour)
	_, err = worker.RunDue(it.tn.Admin, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	page, err := eng.MyNotifications(it.wang, false, 10, "")
	require.NoError(t, err)
	assert.Len(t, page.Notices, 1, "not yet")

	it.clk.Advance(2 * time.Hour)
	_, err = worker.RunDue(it.tn.Admin, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	page, err = eng.MyNotifications(it.wang, false, 10, "")
	require.NoError(t, err)
	assert.Empty(t, page.Notices, "read 90 days ago")
	assert.Equal(t, 1, unread(t, eng, it.boss), "the boss's, unread, stays")

	it.clk.Advance(engine.NotificationRetention)
	_, err = worker.RunDue(it.tn.Admin, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, unread(t, eng, it.boss), "a year old, read or not")
}
