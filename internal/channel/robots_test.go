package channel_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/channel"
	"github.com/crmkit/crm/internal/webhook"
)

// fixedNow is the clock of the tests: signatures are checked against it.
var fixedNow = time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)

// robot is a loopback receiver standing in for a robot service: it keeps
// each request and answers with the next of its answers (the last one
// repeated).
type robot struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []robotRequest
	answers  []robotAnswer
}

type robotRequest struct {
	Path  string
	Query url.Values
	Type  string
	Body  map[string]any
}

type robotAnswer struct {
	status int
	body   string
}

func newRobot(t *testing.T, answers ...robotAnswer) *robot {
	t.Helper()
	r := &robot{answers: answers}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.requests = append(r.requests, robotRequest{Path: req.URL.Path, Query: req.URL.Query(), Type: req.Header.Get("Content-Type"), Body: body})
		a := r.answers[min(len(r.requests), len(r.answers))-1]
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *robot) last(t *testing.T) robotRequest {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.requests, "the robot got no request")
	return r.requests[len(r.requests)-1]
}

func loopbackClient() *channel.Client {
	return channel.New(channel.Config{AllowPrivate: true, Now: func() time.Time { return fixedNow }, Timeout: 5 * time.Second})
}

func sample() worker.Note {
	return worker.Note{ID: "01jnote", Kind: "approval", Link: "/o/deal/01jdeal",
		To:        worker.Person{User: "u1", Name: "王芳", Email: "wang@example.com", Mobile: "13800138000"},
		MessageZh: "报价单 Q-1 需要您审批", MessageEn: "Quote Q-1 needs your approval"}
}

// jsonOf reads a JSON text the way the receivers decode bodies.
func jsonOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

func TestWeCom_TextMentionsByMobile(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/cgi-bin/webhook/send?key=693a91f6-7xxx", Language: "zh", Format: "text", AppURL: "https://crm.example.com/"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "/cgi-bin/webhook/send", got.Path)
	assert.Equal(t, "693a91f6-7xxx", got.Query.Get("key"))
	assert.Equal(t, "application/json; charset=utf-8", got.Type)
	assert.Equal(t, jsonOf(t, `{"msgtype":"text","text":{"content":"【CRM】审批\n报价单 Q-1 需要您审批\nhttps://crm.example.com/o/deal/01jdeal","mentioned_mobile_list":["13800138000"]}}`), got.Body)
}

func TestWeCom_MarkdownInBothLanguages(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/cgi-bin/webhook/send?key=k", Language: "both", Format: "markdown", AppURL: "https://crm.example.com"}
	n := sample()
	n.MessageEn = "Quote *Q-1* needs [you]"
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	assert.Equal(t, jsonOf(t, `{"msgtype":"markdown","markdown":{"content":"**【CRM】审批 / Approval**\n\n> 报价单 Q-1 需要您审批\n\n> Quote \\*Q-1\\* needs \\[you\\]\n\n[查看记录](https://crm.example.com/o/deal/01jdeal)\n\n@王芳\n"}}`), r.last(t).Body)
}

func TestDingTalk_SignedTextWithAt(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	const secret = "SEC0123456789abcdef"
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: r.srv.URL + "/robot/send?access_token=tok123", Secret: secret, Language: "en", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "/robot/send", got.Path)
	assert.Equal(t, "tok123", got.Query.Get("access_token"))
	ts := got.Query.Get("timestamp")
	assert.Equal(t, strconv.FormatInt(fixedNow.UnixMilli(), 10), ts, "the timestamp is in milliseconds")
	// The receiver's check, as DingTalk documents it.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), got.Query.Get("sign"))
	assert.Equal(t, channel.DingTalkSign(secret, fixedNow.UnixMilli()), got.Query.Get("sign"))
	assert.Equal(t, jsonOf(t, `{"msgtype":"text","text":{"content":"[CRM] Approval\nQuote Q-1 needs your approval\n@13800138000"},"at":{"atMobiles":["13800138000"],"isAtAll":false}}`), got.Body)
}

func TestDingTalk_SignIsURLEncoded(t *testing.T) {
	t.Parallel()
	// A sign with + and / must arrive intact: find a timestamp giving one.
	var ts int64
	for ts = 1; ts < 1000; ts++ {
		if s := channel.DingTalkSign("s", ts); containsAny(s, "+/=") {
			break
		}
	}
	rawQuery := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rawQuery = req.URL.RawQuery
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	c := channel.New(channel.Config{AllowPrivate: true, Now: func() time.Time { return time.UnixMilli(ts) }})
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: srv.URL + "/robot/send?access_token=t", Secret: "s", Format: "text"}
	require.NoError(t, c.Send(context.Background(), cfg, sample()))
	q, err := url.ParseQuery(rawQuery)
	require.NoError(t, err)
	assert.Equal(t, channel.DingTalkSign("s", ts), q.Get("sign"))
	assert.Contains(t, rawQuery, "sign="+url.QueryEscape(channel.DingTalkSign("s", ts)))
}

func containsAny(s, chars string) bool {
	for _, c := range chars {
		for _, d := range s {
			if c == d {
				return true
			}
		}
	}
	return false
}

func TestDingTalk_Markdown(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: r.srv.URL + "/robot/send?access_token=t", Language: "zh", Format: "markdown", AppURL: "https://crm.example.com"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Empty(t, got.Query.Get("sign"), "no secret: no signature")
	assert.Equal(t, jsonOf(t, `{"msgtype":"markdown","markdown":{"title":"【CRM】审批","text":"#### 【CRM】审批\n\n> 报价单 Q-1 需要您审批\n\n[查看记录](https://crm.example.com/o/deal/01jdeal)\n\n@13800138000\n"},"at":{"atMobiles":["13800138000"],"isAtAll":false}}`), got.Body)
}

func TestFeishu_SignedText(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"code":0,"msg":"success","data":{}}`})
	const secret = "feishu-secret"
	cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: r.srv.URL + "/open-apis/bot/v2/hook/0f1e2d3c-aaaa", Secret: secret, Language: "zh", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "/open-apis/bot/v2/hook/0f1e2d3c-aaaa", got.Path)
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	// The receiver's check, as Feishu documents it: the key is
	// timestamp+"\n"+secret, the message empty.
	mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	want := map[string]any{"timestamp": ts, "sign": base64.StdEncoding.EncodeToString(mac.Sum(nil)), "msg_type": "text",
		"content": map[string]any{"text": "【CRM】审批\n报价单 Q-1 需要您审批\n@王芳"}}
	assert.Equal(t, want, got.Body)
}

func TestFeishu_PostInEnglish(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"StatusCode":0,"StatusMessage":"success"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: r.srv.URL + "/open-apis/bot/v2/hook/x", Language: "en", Format: "markdown", AppURL: "https://crm.example.com"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	assert.Equal(t, jsonOf(t, `{"msg_type":"post","content":{"post":{"en_us":{"title":"[CRM] Approval","content":[
		[{"tag":"text","text":"Quote Q-1 needs your approval"}],
		[{"tag":"a","text":"Open the record","href":"https://crm.example.com/o/deal/01jdeal"}],
		[{"tag":"text","text":"@王芳"}]]}}}}`), r.last(t).Body)
}

// TestRobots_ErrorCodes: code 0 succeeds; rate limits and busy services
// are retried; a bad key, token or signature fails for good, with the
// service's code and message.
func TestRobots_ErrorCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		channel, path string
		status        int
		answer        string
		permanent     bool
		want          string
		limited       bool
	}{
		{worker.ChannelWeCom, "/send?key=k", 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, false, "WeCom: error 45009: api freq out of limit", true},
		{worker.ChannelWeCom, "/send?key=k", 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, true, "WeCom: error 93000: invalid webhook url", false},
		{worker.ChannelWeCom, "/send?key=k", 200, `{"errcode":-1,"errmsg":"system busy"}`, false, "WeCom: error -1: system busy", false},
		{worker.ChannelDingTalk, "/send?access_token=t", 200, `{"errcode":130101,"errmsg":"send too fast"}`, false, "DingTalk: error 130101: send too fast", true},
		{worker.ChannelDingTalk, "/send?access_token=t", 200, `{"errcode":310000,"errmsg":"sign not match"}`, true, "DingTalk: error 310000: sign not match", false},
		{worker.ChannelDingTalk, "/send?access_token=t", 200, `{"errcode":300001,"errmsg":"token is not exist"}`, true, "DingTalk: error 300001: token is not exist", false},
		{worker.ChannelFeishu, "/hook/x", 200, `{"code":11232,"msg":"frequency limited"}`, false, "Feishu: error 11232: frequency limited", true},
		{worker.ChannelFeishu, "/hook/x", 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, true, "Feishu: error 19021: sign match fail", false},
		{worker.ChannelFeishu, "/hook/x", 400, `{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}`, true, "Feishu: error 19001", false},
		{worker.ChannelFeishu, "/hook/x", 200, `{"code":99991,"msg":"something new"}`, false, "Feishu: error 99991: something new", false},
		{worker.ChannelWeCom, "/send?key=k", 502, `bad gateway`, false, "WeCom: HTTP 502: bad gateway", false},
		{worker.ChannelWeCom, "/send?key=k", 429, `{}`, false, "WeCom: HTTP 429", true},
		{worker.ChannelWeCom, "/send?key=k", 404, `not found`, true, "WeCom: HTTP 404: not found", false},
		{worker.ChannelWeCom, "/send?key=k", 200, `<html>portal login</html>`, false, "WeCom: the answer is not the service's: <html>portal login</html>", false},
	}
	for _, c := range cases {
		r := newRobot(t, robotAnswer{c.status, c.answer})
		cfg := worker.ChannelConfig{Channel: c.channel, URL: r.srv.URL + c.path, Format: "text", Secret: "s"}
		err := loopbackClient().Send(context.Background(), cfg, sample())
		require.Error(t, err, c.answer)
		assert.Contains(t, err.Error(), c.want)
		assert.Equal(t, c.permanent, worker.IsPermanent(err), "%s %s", c.channel, c.answer)
		assert.Equal(t, c.limited, worker.IsRateLimited(err), "%s %s", c.channel, c.answer)
	}
}

func TestRobots_AnswerIsBoundedAndKeyNotInErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"`)
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = 'x'
		}
		_, _ = w.Write(big)
		_, _ = io.WriteString(w, `"}`)
	}))
	t.Cleanup(srv.Close)
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: srv.URL + "/send?key=SECRETKEY", Format: "text"}
	err := loopbackClient().Send(context.Background(), cfg, sample())
	require.Error(t, err, "an answer cut at its bound is no answer")
	assert.False(t, worker.IsPermanent(err))

	addr := srv.Listener.Addr().String()
	srv.Close() // nothing listens: the error names the host, not the key
	err = loopbackClient().Send(context.Background(), cfg, sample())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETKEY")
	assert.Contains(t, err.Error(), addr)
}

func TestRobots_NoRedirects(t *testing.T) {
	t.Parallel()
	target := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	srv := httptest.NewServer(http.RedirectHandler(target.srv.URL+"/elsewhere", http.StatusTemporaryRedirect))
	t.Cleanup(srv.Close)
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: srv.URL + "/send?key=k", Format: "text"}
	err := loopbackClient().Send(context.Background(), cfg, sample())
	require.Error(t, err)
	assert.True(t, worker.IsPermanent(err))
	target.mu.Lock()
	assert.Empty(t, target.requests)
	target.mu.Unlock()
}

// TestGuard: without AllowPrivate no channel reaches loopback (nor any
// special-purpose block): a permanent failure, nothing sent.
func TestGuard(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	c := channel.New(channel.Config{})
	for _, name := range []string{worker.ChannelWeCom, worker.ChannelDingTalk, worker.ChannelFeishu} {
		cfg := worker.ChannelConfig{Channel: name, URL: r.srv.URL + "/send?key=k&access_token=t", Format: "text"}
		err := c.Send(context.Background(), cfg, sample())
		require.ErrorIs(t, err, webhook.ErrForbiddenAddress, name)
		assert.True(t, worker.IsPermanent(err))
	}
	r.mu.Lock()
	assert.Empty(t, r.requests)
	r.mu.Unlock()
}
