package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// recordingSender keeps what it was asked to send and fails for the
// mobiles of fail.
type recordingSender struct {
	mu   sync.Mutex
	sent []worker.Note
	cfgs []worker.ChannelConfig
	fail map[string]error
}

func (s *recordingSender) Send(_ context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent, s.cfgs = append(s.sent, n), append(s.cfgs, cfg)
	return s.fail[n.To.Mobile]
}

func channelEngine(t *testing.T, key bool, sender worker.Sender) (*Engine, store.Store, context.Context) {
	t.Helper()
	st := sqlitestore.NewForTest(t)
	cfg := Config{Store: st, Logger: slog.New(slog.DiscardHandler), Channels: sender}
	if key {
		cfg.EncryptionKey = bytes.Repeat([]byte{9}, 32)
	}
	eng, err := New(cfg)
	require.NoError(t, err)
	_, err = eng.CreateTenant(context.Background(), "acme", "")
	require.NoError(t, err)
	return eng, st, WithActor(context.Background(), Actor{TenantID: "acme", ID: "user:admin", Admin: true})
}

func some[T any](v T) *T { return &v }

const robotURL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdefTOKEN"

func TestChannels_SecretsSealedAndMasked(t *testing.T) {
	t.Parallel()
	eng, st, ctx := channelEngine(t, true, nil)
	list, err := eng.NotificationChannels(ctx)
	require.NoError(t, err)
	require.Len(t, list, 4)
	assert.Equal(t, []string{"email", "wecom", "dingtalk", "feishu"}, []string{list[0].Channel, list[1].Channel, list[2].Channel, list[3].Channel})
	assert.False(t, list[2].Configured)

	saved, err := eng.SaveNotificationChannel(ctx, "dingtalk", ChannelInput{Enabled: some(true), URL: some(robotURL), Secret: some("SECabcdef0123456789"),
		Kinds: some([]string{"approval", "task", "approval"}), Format: some("markdown"), AppURL: some("https://crm.example.com")})
	require.NoError(t, err)
	assert.Equal(t, "https://oapi.dingtalk.com/robot/send?access_token=•••OKEN", saved.URLMasked)
	assert.True(t, saved.SecretSet)
	assert.True(t, saved.Enabled)
	assert.Equal(t, []string{"approval", "task"}, saved.Kinds, "kinds are kept once each")

	saved, err = eng.SaveNotificationChannel(ctx, "email", ChannelInput{Enabled: some(true), SMTPHost: some("smtp.exmail.qq.com"), SMTPPort: some(465),
		SMTPTLS: some("tls"), SMTPUser: some("crm@example.com"), SMTPPassword: some("mail-pass-秘密"), From: some("crm@example.com"), FromName: some("CRM")})
	require.NoError(t, err)
	assert.True(t, saved.PasswordSet)

	// What clients get holds no secret.
	list, err = eng.NotificationChannels(ctx)
	require.NoError(t, err)
	out, _ := json.Marshal(list)
	for _, secret := range []string{"0123456789abcdefTOKEN", "SECabcdef0123456789", "mail-pass-秘密"} {
		assert.NotContains(t, string(out), secret)
	}
	// At rest: the address, secret and password are sealed.
	raw, err := st.Tenant(context.Background(), "acme")
	require.NoError(t, err)
	sc, err := eng.scope(ctx)
	require.NoError(t, err)
	obj, err := eng.platformObject(ctx, sc.ts, sc.snap, channelObject)
	require.NoError(t, err)
	for _, id := range []string{"dingtalk", "email"} {
		rec, err := raw.Get(context.Background(), obj, id)
		require.NoError(t, err)
		text, _ := json.Marshal(rec.Data)
		for _, secret := range []string{"0123456789abcdefTOKEN", "SECabcdef0123456789", "mail-pass-秘密"} {
			assert.NotContains(t, string(text), secret)
		}
	}
	rec, err := raw.Get(context.Background(), obj, "dingtalk")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rec.Data["secret"].(string), "enc:v1:"))
	// The worker gets them opened.
	cfg, err := eng.readChannel(ctx, sc.ts, sc.snap, "dingtalk")
	require.NoError(t, err)
	assert.Equal(t, robotURL, cfg.URL)
	assert.Equal(t, "SECabcdef0123456789", cfg.Secret)

	// Leaving a secret out keeps it; an empty string clears it.
	saved, err = eng.SaveNotificationChannel(ctx, "dingtalk", ChannelInput{Language: some("both")})
	require.NoError(t, err)
	assert.True(t, saved.SecretSet)
	saved, err = eng.SaveNotificationChannel(ctx, "dingtalk", ChannelInput{Secret: some("")})
	require.NoError(t, err)
	assert.False(t, saved.SecretSet)
	assert.Equal(t, "both", saved.Language)

	// The audit trail says what changed, never the secrets.
	entries, _, err := eng.Audit(ctx, AuditQuery{Object: channelObject, First: 10})
	require.NoError(t, err)
	require.Len(t, entries, 4)
	trail, _ := json.Marshal(entries)
	for _, secret := range []string{"0123456789abcdefTOKEN", "SECabcdef0123456789", "mail-pass-秘密"} {
		assert.NotContains(t, string(trail), secret)
	}
	assert.Contains(t, string(trail), `"secret":{"old":"•••","new":""}`)
	assert.Contains(t, string(trail), `"kinds":{"old":[],"new":["approval","task"]}`)
	assert.Contains(t, string(trail), `"smtpPort":{"old":0,"new":465}`)
}

func TestChannels_BadSettingsRefusedWhole(t *testing.T) {
	t.Parallel()
	eng, _, ctx := channelEngine(t, true, nil)
	_, err := eng.SaveNotificationChannel(ctx, "wecom", ChannelInput{URL: some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"), Enabled: some(true)})
	require.NoError(t, err)
	cases := []struct {
		channel string
		in      ChannelInput
		want    string
	}{
		{"sms", ChannelInput{}, `unknown channel "sms"`},
		{"wecom", ChannelInput{URL: some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send"), Format: some("markdown")}, "lacks key"},
		{"dingtalk", ChannelInput{URL: some("ftp://oapi.dingtalk.com/robot/send?access_token=x")}, "absolute http(s) address"},
		{"dingtalk", ChannelInput{URL: some("https://user:pw@oapi.dingtalk.com/robot/send?access_token=x")}, "without user information"},
		{"feishu", ChannelInput{URL: some("https://open.feishu.cn/open-apis/bot/v2/hook/")}, "lacks /hook/<token>"},
		{"feishu", ChannelInput{Enabled: some(true)}, "needs its webhook address"},
		{"wecom", ChannelInput{Kinds: some([]string{"approval", "sms"})}, `unknown notification kind "sms"`},
		{"wecom", ChannelInput{Language: some("fr")}, "zh, en or both"},
		{"wecom", ChannelInput{Format: some("html")}, "text or markdown"},
		{"wecom", ChannelInput{AppURL: some("crm.example.com")}, "absolute http(s) address"},
		{"wecom", ChannelInput{Secret: some("a\r\nb")}, "line breaks"},
		{"wecom", ChannelInput{Secret: some(strings.Repeat("x", maxChannelText+1))}, "at most 2000 bytes"},
		{"email", ChannelInput{Enabled: some(true), SMTPHost: some("smtp.example.com")}, "SMTP server and a sender address"},
		{"email", ChannelInput{From: some("CRM <crm@example.com>")}, "not an e-mail address"},
		{"email", ChannelInput{SMTPHost: some("smtp.example.com:25")}, "host name or IP address"},
		{"email", ChannelInput{SMTPTLS: some("ssl")}, "starttls, tls or none"},
		{"email", ChannelInput{SMTPTLS: some("none"), SMTPUser: some("u")}, "encrypted connection"},
		{"email", ChannelInput{SMTPPort: some(70000)}, "between 1 and 65535"},
	}
	for _, c := range cases {
		_, err := eng.SaveNotificationChannel(ctx, c.channel, c.in)
		require.Error(t, err, c.want)
		assert.Equal(t, CodeBadRequest, CodeOf(err), c.want)
		assert.Contains(t, err.Error(), c.want)
		assert.NotEmpty(t, PublicMessage(err, "zh"))
	}
	list, err := eng.NotificationChannels(ctx)
	require.NoError(t, err)
	assert.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=•••", list[1].URLMasked, "nothing changed")
	assert.Equal(t, "text", list[1].Format)
	assert.False(t, list[0].Configured, "a refused first save stores nothing")

	// Non-administrators and a server without a key are refused.
	user := WithActor(context.Background(), Actor{TenantID: "acme", ID: "user:li"})
	_, err = eng.NotificationChannels(user)
	assert.Equal(t, CodeForbidden, CodeOf(err))
	_, err = eng.SaveNotificationChannel(user, "wecom", ChannelInput{Enabled: some(false)})
	assert.Equal(t, CodeForbidden, CodeOf(err))
	assert.Equal(t, CodeForbidden, CodeOf(eng.TestNotificationChannel(user, "wecom", ChannelTest{})))

	noKey, _, ctx2 := channelEngine(t, false, nil)
	_, err = noKey.SaveNotificationChannel(ctx2, "wecom", ChannelInput{URL: some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNoKey)
	assert.Contains(t, err.Error(), "CRM_ENCRYPTION_KEY")
}

func TestChannels_TestMessage(t *testing.T) {
	t.Parallel()
	s := &recordingSender{fail: map[string]error{"13900000000": worker.Permanent(errors.New("WeCom: error 93000: invalid webhook url"))}}
	eng, _, ctx := channelEngine(t, true, s)
	err := eng.TestNotificationChannel(ctx, "wecom", ChannelTest{})
	assert.ErrorContains(t, err, "not set up yet")
	_, err = eng.SaveNotificationChannel(ctx, "wecom", ChannelInput{URL: some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")})
	require.NoError(t, err)
	require.NoError(t, eng.TestNotificationChannel(ctx, "wecom", ChannelTest{Mobile: "13800000000"}), "a switched-off channel can be tested")
	require.Len(t, s.sent, 1)
	assert.Equal(t, "system", s.sent[0].Kind)
	assert.Equal(t, "13800000000", s.sent[0].To.Mobile)
	assert.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", s.cfgs[0].URL)

	err = eng.TestNotificationChannel(ctx, "wecom", ChannelTest{Mobile: "13900000000"})
	require.Error(t, err)
	assert.Equal(t, CodeBadRequest, CodeOf(err))
	assert.Contains(t, err.Error(), "invalid webhook url")
	assert.Contains(t, PublicMessage(err, "zh"), "测试消息发送失败")

	assert.ErrorContains(t, eng.TestNotificationChannel(ctx, "wecom", ChannelTest{Mobile: "call me"}), "not a mobile number")
	_, err = eng.SaveNotificationChannel(ctx, "email", ChannelInput{SMTPHost: some("smtp.example.com"), From: some("crm@example.com")})
	require.NoError(t, err)
	assert.ErrorContains(t, eng.TestNotificationChannel(ctx, "email", ChannelTest{}), "needs the address")
	require.NoError(t, eng.TestNotificationChannel(ctx, "email", ChannelTest{Email: "me@example.com"}))

	figures, err := eng.Usage(ctx)
	require.NoError(t, err)
	got := map[string]float64{}
	for _, f := range figures {
		if f.Window == "hour" {
			got[f.Name] = f.Value
		}
	}
	assert.Equal(t, 2.0, got["channel.sent"])
	assert.Equal(t, 1.0, got["channel.failures"])

	none, _, ctx3 := channelEngine(t, true, nil)
	assert.ErrorContains(t, none.TestNotificationChannel(ctx3, "wecom", ChannelTest{}), "sends no notifications on channels")
}

// enqueueDeliver writes a deliver entry as notify does (contract 1 of
// issue 18).
func enqueueDeliver(t *testing.T, eng *Engine, ctx context.Context, id, channel, kind, mobile string) {
	t.Helper()
	sc, err := eng.scope(ctx)
	require.NoError(t, err)
	ob, err := eng.platformObject(ctx, sc.ts, sc.snap, outboxObject)
	require.NoError(t, err)
	now := eng.stamp()
	rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:admin", UpdatedBy: "user:admin",
		Data: map[string]any{"kind": worker.KindDeliver, "channel": channel, "notification": "n-" + id, "status": OutboxPending,
			"attempts": 0.0, "nextAttemptAt": now.Format(schema.DateTimeLayout), "object": "deal", "record": "d1",
			"payload": map[string]any{"kind": kind, "link": "/o/deal/d1",
				"to":      map[string]any{"user": "user:li", "name": "李雷", "email": "li@example.com", "mobile": mobile},
				"message": map[string]any{"zh": "请审批报价", "en": "Please approve the quote"}}}}
	require.NoError(t, sc.ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, ob, rec) }))
}

func TestChannels_WorkerDelivers(t *testing.T) {
	t.Parallel()
	s := &recordingSender{fail: map[string]error{
		"13900000000": worker.Permanent(errors.New("DingTalk: error 310000: sign not match")),
		"13700000000": errors.New("DingTalk: error 130101: send too fast"),
	}}
	eng, _, ctx := channelEngine(t, true, s)
	_, err := eng.SaveNotificationChannel(ctx, "dingtalk", ChannelInput{Enabled: some(true), URL: some(robotURL), Secret: some("SECx"), Kinds: some([]string{"approval"})})
	require.NoError(t, err)
	enqueueDeliver(t, eng, ctx, "e1", "dingtalk", "approval", "13800000000")
	enqueueDeliver(t, eng, ctx, "e2", "dingtalk", "approval", "13900000000")
	enqueueDeliver(t, eng, ctx, "e3", "dingtalk", "approval", "13700000000")
	enqueueDeliver(t, eng, ctx, "e4", "dingtalk", "task", "13800000000")
	enqueueDeliver(t, eng, ctx, "e5", "feishu", "approval", "13800000000")

	stats, err := worker.RunDue(context.Background(), eng.Queues(), worker.Config{Channels: s, MaxAttempts: 3})
	require.NoError(t, err)
	assert.Equal(t, worker.Stats{Delivered: 1, Failed: 1, Dead: 2, Skipped: 1}, stats)
	require.Len(t, s.sent, 3)
	assert.Equal(t, "SECx", s.cfgs[0].Secret, "the worker's sender gets the secret opened")
	assert.Equal(t, worker.Note{ID: "e1", Kind: "approval", Link: "/o/deal/d1", MessageZh: "请审批报价", MessageEn: "Please approve the quote",
		To: worker.Person{User: "user:li", Name: "李雷", Email: "li@example.com", Mobile: "13800000000"}}, s.sent[0])

	entries, err := eng.Outbox(ctx, "", 10)
	require.NoError(t, err)
	byID := map[string]OutboxEntry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	assert.Equal(t, OutboxDelivered, byID["e1"].Status)
	assert.Equal(t, "dingtalk", byID["e1"].Channel)
	assert.Equal(t, OutboxDead, byID["e2"].Status, "a bad signature is not retried")
	assert.Equal(t, "DingTalk: error 310000: sign not match", byID["e2"].LastError)
	assert.Equal(t, 1, byID["e2"].Attempts)
	assert.Equal(t, OutboxPending, byID["e3"].Status, "a rate limit is retried later")
	assert.Equal(t, "DingTalk: error 130101: send too fast", byID["e3"].LastError)
	assert.Equal(t, OutboxSkipped, byID["e4"].Status)
	assert.Contains(t, byID["e4"].LastError, `does not take notifications of kind "task"`)
	assert.Equal(t, OutboxDead, byID["e5"].Status, "a channel not set up is given up at once")
	assert.Contains(t, byID["e5"].LastError, `channel "feishu": the channel is not set up`)

	// After setting Feishu up, an administrator retries the dead entry.
	_, err = eng.SaveNotificationChannel(ctx, "feishu", ChannelInput{Enabled: some(true), URL: some("https://open.feishu.cn/open-apis/bot/v2/hook/abc")})
	require.NoError(t, err)
	_, err = eng.RetryOutbox(ctx, "e5")
	require.NoError(t, err)
	stats, err = worker.RunDue(context.Background(), eng.Queues(), worker.Config{Channels: s, MaxAttempts: 3})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Delivered)
	assert.Equal(t, "feishu", s.cfgs[len(s.cfgs)-1].Channel)

	figures, err := eng.Usage(ctx)
	require.NoError(t, err)
	got := map[string]float64{}
	for _, f := range figures {
		if f.Window == "day" {
			got[f.Name] = f.Value
		}
	}
	assert.Equal(t, 2.0, got["channel.sent"])
	assert.Equal(t, 3.0, got["channel.failures"], "the bad signature, the rate limit and the channel not set up")
}

func TestChannels_ExportWithoutSecrets(t *testing.T) {
	t.Parallel()
	eng, _, ctx := channelEngine(t, true, nil)
	_, err := eng.SaveNotificationChannel(ctx, "dingtalk", ChannelInput{Enabled: some(true), URL: some(robotURL), Secret: some("SECexport"), Kinds: some([]string{"task"})})
	require.NoError(t, err)
	_, err = eng.SaveNotificationChannel(ctx, "email", ChannelInput{SMTPHost: some("smtp.example.com"), SMTPUser: some("u"), SMTPPassword: some("pw-export"), From: some("crm@example.com")})
	require.NoError(t, err)
	var full, bare bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "acme", &full)
	require.NoError(t, err)
	_, err = eng.ExportTenant(context.Background(), "acme", &bare, ExportOptions{WithoutSecrets: true})
	require.NoError(t, err)
	assert.Contains(t, full.String(), `"object":"crmChannel"`)
	assert.NotContains(t, full.String(), "SECexport", "sealed in a full export")
	var channels []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(bare.String()), "\n") {
		var l map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		if l["object"] == channelObject {
			channels = append(channels, l["data"].(map[string]any))
		}
	}
	require.Len(t, channels, 2)
	for _, c := range channels {
		assert.NotContains(t, c, "url")
		assert.NotContains(t, c, "secret")
		assert.NotContains(t, c, "smtpPassword")
		assert.Equal(t, false, c["enabled"])
	}
}

// TestChannels_NotifyReachesTheSender: a notification written by notify
// for a user who chose DingTalk for approvals reaches the sender with the
// user's name and mobile, the text and the link; the tenant's setting
// with its secret opened.
func TestChannels_NotifyReachesTheSender(t *testing.T) {
	t.Parallel()
	s := &recordingSender{}
	eng, _, admin := channelEngine(t, true, s)
	_, err := eng.CreateUser(admin, "acme", NewUser{Username: "li", DisplayName: "李雷", Role: AdminRole, Password: "correct horse battery", Mobile: "13800138000", Email: "li@example.com"})
	require.NoError(t, err)
	_, err = eng.SaveNotificationChannel(admin, "dingtalk", ChannelInput{Enabled: some(true), URL: some(robotURL), Secret: some("SECnotify")})
	require.NoError(t, err)
	ctx := context.Background()
	ts, err := eng.tenantStore(ctx, "acme")
	require.NoError(t, err)
	snap, err := eng.state(ctx, "acme", ts)
	require.NoError(t, err)
	prefs, err := eng.platformObject(ctx, ts, snap, notificationPreferenceObject)
	require.NoError(t, err)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, prefs, store.Record{ID: "li", Version: 1, Data: map[string]any{"channels": map[string]any{"approval": []any{"dingtalk"}}}})
	}))
	snap, err = eng.state(ctx, "acme", ts)
	require.NoError(t, err)
	w, err := eng.newWriter(ctx, ts, snap, Actor{TenantID: "acme", ID: "user:admin"})
	require.NoError(t, err)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return w.notify(ctx, tx, notice{Kind: NoticeApproval, To: []recipient{{"user", "li"}}, Object: "deal", Record: "d9",
			Message: schema.Label{Zh: "请审批报价", En: "Please approve"}, Actor: "user:admin"})
	}))
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{Channels: s})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Delivered)
	require.Len(t, s.sent, 1)
	n := s.sent[0]
	assert.Equal(t, worker.Person{User: "li", Name: "李雷", Email: "li@example.com", Mobile: "13800138000"}, n.To)
	assert.Equal(t, "approval", n.Kind)
	assert.Equal(t, "/o/deal/d9", n.Link)
	assert.Equal(t, "请审批报价", n.MessageZh)
	assert.Equal(t, "SECnotify", s.cfgs[0].Secret)
	assert.Equal(t, worker.ChannelDingTalk, s.cfgs[0].Channel)
}
