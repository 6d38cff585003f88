package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_NotificationReachesTheRobot follows a notification through
// the real server: a user chooses WeCom for mentions and gives a mobile
// number; an @mention in a note reaches a loopback WeCom robot with the
// user mentioned by mobile, and the delivery shows as delivered in the
// outbox; when the robot's key is refused, the delivery is given up at
// once with WeCom's answer on it.
func TestServe_NotificationReachesTheRobot(t *testing.T) {
	t.Parallel()
	var refuse atomic.Bool
	hits := make(chan channelHit, 10)
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		hits <- channelHit{path: r.URL.Path, query: r.URL.Query(), body: body}
		w.Header().Set("Content-Type", "application/json")
		if refuse.Load() {
			_, _ = io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url, hint: [1733456789_abc]"}`)
			return
		}
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(robot.Close)

	s := startServer(t, t.TempDir(), "--webhook-allow-private")
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "deal", "type": "object",
	  "x-crm-label": {"zh": "商机", "en": "Deal"}, "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`)})
	const pw = "correct horse battery staple"
	s.ok(t, `mutation($p: String!) { createUser(input: {username: "li", displayName: "李雷", password: $p, mustChangePassword: false}) { username } }`, map[string]any{"p": pw})
	li := s.signIn(t, "li", pw)
	_, codes := li.do(t, `mutation { updateMyContact(input: {mobile: "138 0013 8000"}) { username } }`)
	require.Empty(t, codes)
	_, codes = li.do(t, `mutation { setNotificationPreferences(preferences: [{kind: "mention", channels: ["wecom"]}]) { kind channels } }`)
	require.Empty(t, codes)
	s.ok(t, `mutation($u: String!) { saveNotificationChannel(channel: "wecom", input: {enabled: true, url: $u, kinds: ["mention"], appUrl: "https://crm.example.com"}) { enabled } }`,
		map[string]any{"u": robot.URL + "/cgi-bin/webhook/send?key=e2e-wecom-key"})

	deal := path(s.ok(t, `mutation { createDeal(input: {name: "杭州项目"}) { id } }`, nil), "createDeal", "id").(string)
	s.ok(t, `mutation($id: ID!) { addNote(object: "deal", id: $id, body: "请 @李雷 跟进报价", mentions: ["li"]) { id } }`, map[string]any{"id": deal})

	h := nextHit(t, hits)
	assert.Equal(t, "/cgi-bin/webhook/send", h.path)
	assert.Equal(t, "e2e-wecom-key", h.query.Get("key"))
	assert.Equal(t, "text", h.body["msgtype"])
	text, _ := h.body["text"].(map[string]any)
	assert.Equal(t, []any{"13800138000"}, text["mentioned_mobile_list"])
	content, _ := text["content"].(string)
	assert.True(t, strings.HasPrefix(content, "【CRM】提及\n"), content)
	assert.Contains(t, content, "跟进报价")
	assert.True(t, strings.HasSuffix(content, "\nhttps://crm.example.com/o/deal/"+deal), content)

	delivered := func(status string) []any {
		entries, _ := path(s.ok(t, `query($s: String) { outbox(status: $s) { id kind channel status attempts lastError } }`, map[string]any{"s": status}), "outbox").([]any)
		var out []any
		for _, e := range entries {
			if path(e, "kind") == "deliver" {
				out = append(out, e)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(delivered("delivered")) == 1 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, "wecom", path(delivered("delivered"), 0, "channel"))

	// The robot's key is refused: given up at once, WeCom's answer kept.
	refuse.Store(true)
	s.ok(t, `mutation($id: ID!) { addNote(object: "deal", id: $id, body: "再次 @李雷", mentions: ["li"]) { id } }`, map[string]any{"id": deal})
	nextHit(t, hits)
	require.Eventually(t, func() bool { return len(delivered("dead")) == 1 }, 10*time.Second, 50*time.Millisecond)
	dead := delivered("dead")[0]
	assert.Equal(t, 1.0, path(dead, "attempts"))
	assert.Contains(t, path(dead, "lastError"), "WeCom: error 93000: invalid webhook url")
	select {
	case extra := <-hits:
		t.Fatalf("a refused key is not tried again, got %v", extra.body)
	case <-time.After(1500 * time.Millisecond):
	}
}
