package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// channelHit is one request a loopback robot received.
type channelHit struct {
	path  string
	query url.Values
	body  map[string]any
}

// loopbackRobot stands in for a group robot service: it answers with
// answer and hands each request to the test.
func loopbackRobot(t *testing.T, answer string) (*httptest.Server, chan channelHit) {
	t.Helper()
	hits := make(chan channelHit, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		hits <- channelHit{path: r.URL.Path, query: r.URL.Query(), body: body}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func nextHit(t *testing.T, hits chan channelHit) channelHit {
	t.Helper()
	select {
	case h := <-hits:
		return h
	case <-time.After(20 * time.Second):
		t.Fatal("the robot got nothing within 20s")
		return channelHit{}
	}
}

// TestServe_NotificationChannels sets up channels through the API of the
// real server and sends test messages to loopback robots: the exact
// payloads and signatures the services document, secrets never returned,
// bad settings and failures explained, administrators only.
func TestServe_NotificationChannels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, "--webhook-allow-private")
	ding, dingHits := loopbackRobot(t, `{"errcode":0,"errmsg":"ok"}`)
	feishu, feishuHits := loopbackRobot(t, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`)

	const save = `mutation($c: String!, $in: NotificationChannelInput!) { saveNotificationChannel(channel: $c, input: $in) {
	  channel enabled kinds language format url secretSet configured } }`
	dingURL := ding.URL + "/robot/send?access_token=ding-token-0123456789"
	got := s.ok(t, save, map[string]any{"c": "dingtalk", "in": map[string]any{"enabled": true, "url": dingURL, "secret": "SECding0123",
		"kinds": []string{"approval", "task"}, "format": "text", "language": "zh"}})
	assert.Equal(t, map[string]any{"channel": "dingtalk", "enabled": true, "kinds": []any{"approval", "task"}, "language": "zh", "format": "text",
		"url": ding.URL + "/robot/send?access_token=•••6789", "secretSet": true, "configured": true}, path(got, "saveNotificationChannel"))

	// The test message arrives signed as DingTalk checks it.
	before := time.Now().UnixMilli()
	s.ok(t, `mutation { testNotificationChannel(channel: "dingtalk", mobile: "13800138000") }`, nil)
	h := nextHit(t, dingHits)
	assert.Equal(t, "/robot/send", h.path)
	assert.Equal(t, "ding-token-0123456789", h.query.Get("access_token"))
	ts, err := strconv.ParseInt(h.query.Get("timestamp"), 10, 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, ts, before)
	mac := hmac.New(sha256.New, []byte("SECding0123"))
	mac.Write([]byte(h.query.Get("timestamp") + "\nSECding0123"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), h.query.Get("sign"))
	assert.Equal(t, map[string]any{"msgtype": "text",
		"text": map[string]any{"content": "【CRM】系统通知\n这是一条来自 CRM 的测试消息：通知渠道设置可用。\n@13800138000"},
		"at":   map[string]any{"atMobiles": []any{"13800138000"}, "isAtAll": false}}, h.body)

	// Feishu answers that the signature is wrong: the admin is told so.
	s.ok(t, save, map[string]any{"c": "feishu", "in": map[string]any{"url": feishu.URL + "/open-apis/bot/v2/hook/feishu-hook-token", "secret": "fs-secret"}})
	r := s.gql(t, s.Key, `mutation { testNotificationChannel(channel: "feishu") }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
	assert.Contains(t, r.Errors[0].Message, "Feishu: error 19021: sign match fail")
	fh := nextHit(t, feishuHits)
	fts := fh.body["timestamp"].(string)
	fmac := hmac.New(sha256.New, []byte(fts+"\nfs-secret"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(fmac.Sum(nil)), fh.body["sign"])
	assert.Equal(t, "text", fh.body["msg_type"])

	// Listing never returns a secret.
	list := s.ok(t, `{ notificationChannels { channel configured enabled url secretSet passwordSet smtpTls smtpPort } }`, nil)
	raw, _ := json.Marshal(list)
	for _, secret := range []string{"ding-token-0123456789", "SECding0123", "feishu-hook-token", "fs-secret"} {
		assert.NotContains(t, string(raw), secret)
	}
	assert.Equal(t, []any{"email", "wecom", "dingtalk", "feishu"}, []any{
		path(list, "notificationChannels", 0, "channel"), path(list, "notificationChannels", 1, "channel"),
		path(list, "notificationChannels", 2, "channel"), path(list, "notificationChannels", 3, "channel")})
	assert.Equal(t, false, path(list, "notificationChannels", 0, "configured"))
	assert.Equal(t, "starttls", path(list, "notificationChannels", 0, "smtpTls"))

	// A bad setting is refused with what is wrong, in the caller's
	// language, and nothing changes.
	r = s.gql(t, s.Key, save, map[string]any{"c": "wecom", "in": map[string]any{"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "enabled": true}})
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
	assert.Contains(t, r.Errors[0].Message, "lacks key")
	r = s.gql(t, s.Key, `{ notificationChannels { channel configured } }`, nil)
	assert.Equal(t, false, path(r.Data, "notificationChannels", 1, "configured"))

	// Non-administrators may not see or change channels.
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(`{"name": "sales", "objects": {}}`)})
	key := roleKey(t, dir, "sales")
	for _, q := range []string{`{ notificationChannels { channel } }`, `mutation { testNotificationChannel(channel: "dingtalk") }`,
		`mutation { saveNotificationChannel(channel: "dingtalk", input: {enabled: false}) { enabled } }`} {
		r := s.gql(t, key, q, nil)
		require.Len(t, r.Errors, 1, q)
		assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], q)
		assert.True(t, strings.Contains(r.Errors[0].Message, "notification channels"), r.Errors[0].Message)
	}
	select {
	case extra := <-dingHits:
		t.Fatalf("nothing else reaches the robot, got %v", extra.body)
	default:
	}
}
