package graphql_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestInbox_GraphQL: a notify automation reaches two users; each reads,
// counts and marks read only their own notifications through the API,
// and chooses channels; an API key has no inbox.
func TestInbox_GraphQL(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t, testkit.WithObjects(`{"$id": "deal", "type": "object", "x-crm-label": {"zh": "商机", "en": "Deal"},
	  "properties": {"name": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"},
	    "actions": [{"type": "notify", "recipients": ["user:li", "user:wang"], "message": {"zh": "新商机 {{name}}", "en": "New deal {{name}}"}}]}]}`))
	for _, u := range []string{"li", "wang"} {
		_, err := tn.Engine.CreateUser(tn.Admin, tenantA, engine.NewUser{Username: u, DisplayName: u, Password: "correct horse battery"})
		require.NoError(t, err)
	}
	li := engine.Actor{TenantID: tenantA, ID: "user:li", Admin: true}
	wang := engine.Actor{TenantID: tenantA, ID: "user:wang", Admin: true}
	created := mustRun(t, srv, admin, `mutation { createDeal(input: {name: "苏州"}) { id } }`, nil)
	dealID := created["createDeal"].(map[string]any)["id"].(string)

	got := mustRun(t, srv, li, `{ unreadNotificationCount myNotifications(first: 5) { hasNextPage endCursor
	  notifications { id kind message { zh en } object objectLabel { zh } recordId recordLabel link actor read createdAt } } }`, nil)
	assert.Equal(t, 1.0, got["unreadNotificationCount"])
	page := got["myNotifications"].(map[string]any)
	assert.Equal(t, false, page["hasNextPage"])
	notes := page["notifications"].([]any)
	require.Len(t, notes, 1)
	n := notes[0].(map[string]any)
	assert.Equal(t, "automation", n["kind"])
	assert.Equal(t, map[string]any{"zh": "新商机 苏州", "en": "New deal 苏州"}, n["message"])
	assert.Equal(t, "deal", n["object"])
	assert.Equal(t, map[string]any{"zh": "商机"}, n["objectLabel"])
	assert.Equal(t, dealID, n["recordId"])
	assert.Equal(t, "苏州", n["recordLabel"])
	assert.Equal(t, "/o/deal/"+dealID, n["link"])
	assert.Nil(t, n["actor"], "an API key made the change: no user")
	assert.Equal(t, false, n["read"])
	liNote := n["id"].(string)

	// Attack: wang marks li's notification read, by id.
	r := run(t, srv, wang, `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`, map[string]any{"ids": []any{liNote}})
	assert.Equal(t, []string{"NOT_FOUND"}, r.codes())
	assert.Equal(t, 1.0, mustRun(t, srv, li, `{ unreadNotificationCount }`, nil)["unreadNotificationCount"])
	assert.Equal(t, 1.0, mustRun(t, srv, wang, `{ unreadNotificationCount }`, nil)["unreadNotificationCount"], "wang's own is untouched")

	out := mustRun(t, srv, li, fmt.Sprintf(`mutation { markNotificationsRead(ids: [%q]) }`, liNote), nil)
	assert.Equal(t, 1.0, out["markNotificationsRead"])
	got = mustRun(t, srv, li, `{ unreadNotificationCount myNotifications(unreadOnly: true) { notifications { id } } }`, nil)
	assert.Equal(t, 0.0, got["unreadNotificationCount"])
	assert.Empty(t, got["myNotifications"].(map[string]any)["notifications"])
	out = mustRun(t, srv, wang, `mutation { markNotificationsRead(all: true) }`, nil)
	assert.Equal(t, 1.0, out["markNotificationsRead"])

	prefs := mustRun(t, srv, wang, `mutation { setNotificationPreferences(preferences: [{kind: "approval", channels: ["dingtalk", "email"]}]) { kind channels } }`, nil)
	list := prefs["setNotificationPreferences"].([]any)
	require.Len(t, list, len(engine.NoticeKinds))
	assert.Equal(t, map[string]any{"kind": "approval", "channels": []any{"email", "dingtalk"}}, list[1])
	again := mustRun(t, srv, wang, `{ notificationPreferences { kind channels } }`, nil)
	assert.Equal(t, list, again["notificationPreferences"])
	me := mustRun(t, srv, wang, `mutation { updateMyContact(input: {email: "wang@example.com", mobile: "139 0000 1111"}) { username email mobile } }`, nil)
	assert.Equal(t, map[string]any{"username": "wang", "email": "wang@example.com", "mobile": "13900001111"}, me["updateMyContact"])
	assert.Equal(t, "wang@example.com", mustRun(t, srv, wang, `{ me { email } }`, nil)["me"].(map[string]any)["email"])

	scenarios := []struct {
		name  string
		actor engine.Actor
		query string
		code  string
	}{
		{"an API key has no inbox", admin, `{ myNotifications { hasNextPage } }`, "BAD_REQUEST"},
		{"first out of range", wang, `{ myNotifications(first: 0) { hasNextPage } }`, "BAD_REQUEST"},
		{"a foreign cursor", wang, `{ myNotifications(after: "bm90IGEgY3Vyc29y") { hasNextPage } }`, "BAD_REQUEST"},
		{"neither ids nor all", wang, `mutation { markNotificationsRead }`, "BAD_REQUEST"},
		{"an unknown channel", wang, `mutation { setNotificationPreferences(preferences: [{kind: "task", channels: ["pager"]}]) { kind } }`, "BAD_REQUEST"},
		{"a bad e-mail address", wang, `mutation { updateMyContact(input: {email: "nope"}) { email } }`, "BAD_REQUEST"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, s.actor, s.query, nil)
			require.NotEmpty(t, r.Errors)
			assert.Equal(t, s.code, r.codes()[0], r.messages())
		})
	}
}
