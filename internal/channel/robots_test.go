package channel_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/channel"
	"github.com/crmkit/crm/internal/webhook"
)

// fixedNow is the clock of the tests: signatures are checked against it.
// In milliseconds 1796545800000, in seconds 1796545800.
var fixedNow = time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)

// robot is a loopback receiver standing in for a robot service: it keeps
// each request as it came and answers with the next of its answers (the
// last one repeated).
type robot struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []robotRequest
	answers  []robotAnswer
}

type robotRequest struct {
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	Type     string
	Raw      string // the body, byte for byte
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
		r.mu.Lock()
		r.requests = append(r.requests, robotRequest{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery,
			Query: req.URL.Query(), Type: req.Header.Get("Content-Type"), Raw: string(raw)})
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

// jsonString is s as a JSON string's content, without the quotes, "<",
// ">" and "&" as they are (the way the bodies are written).
func jsonString(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(s))
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// dingTalkSignByHand is DingTalk's documented formula written out here,
// independent of the code under test: base64(HmacSHA256(key: secret,
// data: timestamp + "\n" + secret)).
func dingTalkSignByHand(secret string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// feishuSignByHand is Feishu's documented formula written out here:
// base64(HmacSHA256(key: timestamp + "\n" + secret, data: "")).
func feishuSignByHand(secret string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(ts, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// TestSignatures_KnownAnswers: the signatures of fixed secrets and
// timestamps, worked out once with Python's hmac module (the services'
// own sample code is Python and Java) and written here as literals, agree
// with the formulas written out in this test and with the code.
func TestSignatures_KnownAnswers(t *testing.T) {
	t.Parallel()
	dingtalk := []struct {
		secret string
		ts     int64
		want   string
	}{
		// DingTalk's sample secret, a millisecond timestamp.
		{"this is secret", 1765009800000, "lH83qEY7b249wVTimhEHA4pFBwSN5UOzNEPSieSK7n4="},
		{"SEC0123456789abcdef", 1796545800000, "ckPGuLnLm0RcS0ilhLhi5VZuE+Kx3ZD0qcbR5XvNQHk="},
		// docs/channels.md's example: +, / and = to url-encode.
		{"SEC2b8f0c1d9e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1", 1796545800000, "zGErcjTsa8c6dCty4DvCAc+n0zx+VibrKG1cj3EJ/jM="},
	}
	for _, c := range dingtalk {
		assert.Equal(t, c.want, dingTalkSignByHand(c.secret, c.ts))
		assert.Equal(t, c.want, channel.DingTalkSign(c.secret, c.ts))
	}
	feishu := []struct {
		secret string
		ts     int64
		want   string
	}{
		// Feishu's own sample: secret "demo", timestamp 1599360473 seconds.
		{"demo", 1599360473, "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="},
		{"feishu-secret", 1796545800, "xENyCz+yOh1fIFtSYnYOSDmA1I4BQ+7lvyuT4bsXhtQ="},
	}
	for _, c := range feishu {
		assert.Equal(t, c.want, feishuSignByHand(c.secret, c.ts))
		assert.Equal(t, c.want, channel.FeishuSign(c.secret, c.ts))
	}
	// The two formulas are not the same: the key and the message swap.
	assert.NotEqual(t, dingTalkSignByHand("demo", 1599360473), feishuSignByHand("demo", 1599360473))
}

func TestWeCom_TextBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/cgi-bin/webhook/send?key=693a91f6-7xxx", Secret: "ignored",
		Language: "zh", Format: "text", AppURL: "https://crm.example.com/"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/cgi-bin/webhook/send", got.Path)
	assert.Equal(t, "key=693a91f6-7xxx", got.RawQuery, "WeCom robots are not signed: the address goes as it is")
	assert.Equal(t, "application/json; charset=utf-8", got.Type)
	assert.Equal(t, `{"msgtype":"text","text":{"content":"【CRM】审批\n报价单 Q-1 需要您审批\nhttps://crm.example.com/o/deal/01jdeal","mentioned_mobile_list":["13800138000"]}}`, got.Raw)
}

func TestWeCom_MarkdownBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/cgi-bin/webhook/send?key=k", Language: "both", Format: "markdown", AppURL: "https://crm.example.com"}
	n := sample()
	n.MessageEn = "Quote *Q-1* needs [you] <font>"
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	assert.Equal(t, `{"msgtype":"markdown","markdown":{"content":"**【CRM】审批 / Approval**\n\n> 报价单 Q-1 需要您审批\n\n> Quote \\*Q-1\\* needs \\[you\\] &lt;font&gt;\n\n[查看记录](https://crm.example.com/o/deal/01jdeal)\n\n@王芳\n"}}`, r.last(t).Raw)
}

func TestDingTalk_SignedTextBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	const secret = "SEC0123456789abcdef"
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: r.srv.URL + "/robot/send?access_token=tok123", Secret: secret, Language: "en", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "/robot/send", got.Path)
	// timestamp in milliseconds and the url-encoded sign, appended to the
	// address's own parameters.
	assert.Equal(t, "access_token=tok123&timestamp=1796545800000&sign=ckPGuLnLm0RcS0ilhLhi5VZuE%2BKx3ZD0qcbR5XvNQHk%3D", got.RawQuery)
	assert.Equal(t, dingTalkSignByHand(secret, fixedNow.UnixMilli()), got.Query.Get("sign"))
	assert.Equal(t, `{"msgtype":"text","text":{"content":"[CRM] Approval\nQuote Q-1 needs your approval\n@13800138000"},"at":{"atMobiles":["13800138000"],"isAtAll":false}}`, got.Raw)
}

func TestDingTalk_SignedURLReplacesAnOldSignature(t *testing.T) {
	t.Parallel()
	got, err := channel.DingTalkSignedURL("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=old", "this is secret", 1765009800000)
	require.NoError(t, err)
	assert.Equal(t, "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1765009800000&sign=lH83qEY7b249wVTimhEHA4pFBwSN5UOzNEPSieSK7n4%3D", got)
}

func TestDingTalk_MarkdownBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: r.srv.URL + "/robot/send?access_token=t", Language: "zh", Format: "markdown", AppURL: "https://crm.example.com"}
	n := sample()
	n.To.Mobile = ""
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	got := r.last(t)
	assert.Equal(t, "access_token=t", got.RawQuery, "no secret: no signature")
	assert.Equal(t, `{"msgtype":"markdown","markdown":{"title":"【CRM】审批","text":"#### 【CRM】审批\n\n> 报价单 Q-1 需要您审批\n\n[查看记录](https://crm.example.com/o/deal/01jdeal)\n"},"at":{"isAtAll":false}}`, got.Raw)

	n = sample()
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	assert.Equal(t, `{"msgtype":"markdown","markdown":{"title":"【CRM】审批","text":"#### 【CRM】审批\n\n> 报价单 Q-1 需要您审批\n\n[查看记录](https://crm.example.com/o/deal/01jdeal)\n\n@13800138000\n"},"at":{"atMobiles":["13800138000"],"isAtAll":false}}`, r.last(t).Raw,
		"a mention needs @mobile in the text as well as in atMobiles")
}

func TestFeishu_SignedTextBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}`})
	const secret = "feishu-secret"
	cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: r.srv.URL + "/open-apis/bot/v2/hook/0f1e2d3c-aaaa", Secret: secret, Language: "zh", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "/open-apis/bot/v2/hook/0f1e2d3c-aaaa", got.Path)
	assert.Empty(t, got.RawQuery, "Feishu's signature is in the body")
	// timestamp in seconds, as a string; the key is timestamp+"\n"+secret.
	assert.Equal(t, "xENyCz+yOh1fIFtSYnYOSDmA1I4BQ+7lvyuT4bsXhtQ=", feishuSignByHand(secret, fixedNow.Unix()))
	assert.Equal(t, `{"timestamp":"1796545800","sign":"xENyCz+yOh1fIFtSYnYOSDmA1I4BQ+7lvyuT4bsXhtQ=","msg_type":"text","content":{"text":"【CRM】审批\n报价单 Q-1 需要您审批\n@王芳"}}`, got.Raw)
}

func TestFeishu_PostBody(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"StatusCode":0,"StatusMessage":"success"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: r.srv.URL + "/open-apis/bot/v2/hook/x", Language: "en", Format: "markdown", AppURL: "https://crm.example.com"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	assert.Equal(t, `{"msg_type":"post","content":{"post":{"en_us":{"title":"[CRM] Approval","content":[[{"tag":"text","text":"Quote Q-1 needs your approval"}],[{"tag":"a","text":"Open the record","href":"https://crm.example.com/o/deal/01jdeal"}],[{"tag":"text","text":"@王芳"}]]}}}}`, r.last(t).Raw)
}

// TestRobots_PeopleCannotMentionTheGroup: a note's text and a person's
// name are sent as text, never as the services' mention syntax.
func TestRobots_PeopleCannotMentionTheGroup(t *testing.T) {
	t.Parallel()
	n := sample()
	n.MessageZh = `看这里 <@all> <at user_id="all">所有人</at> < AT user_id="ou_1"></at>`
	n.To.Name = `<at user_id="all">王</at>`

	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/send?key=k", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	assert.Contains(t, r.last(t).Raw, `看这里 ＜@all>`)
	assert.NotContains(t, r.last(t).Raw, `<@`)

	f := newRobot(t, robotAnswer{200, `{"code":0,"msg":"success"}`})
	cfg = worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: f.srv.URL + "/hook/x", Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
	raw := f.last(t).Raw
	assert.Contains(t, raw, `＜at user_id=\"all\">所有人＜/at> ＜ AT user_id=\"ou_1\">＜/at>`)
	assert.Contains(t, raw, `@＜at user_id=\"all\">王＜/at>`)
	assert.NotRegexp(t, `(?i)<\s*/?\s*at`, raw)
}

// TestRobots_Limits: texts are cut to the services' limits, in bytes of
// UTF-8 and on rune boundaries, keeping the title, the link and the
// mention whole; a text within the limit is not touched.
func TestRobots_Limits(t *testing.T) {
	t.Parallel()
	const app = "https://crm.example.com"
	link := app + "/o/deal/01jdeal"
	send := func(t *testing.T, cfg worker.ChannelConfig, n worker.Note) robotRequest {
		t.Helper()
		r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok","code":0}`})
		cfg.URL = r.srv.URL + "/send?key=k&access_token=t"
		cfg.AppURL = app
		require.NoError(t, loopbackClient().Send(context.Background(), cfg, n))
		return r.last(t)
	}
	wecomText := func(t *testing.T, raw string) string {
		t.Helper()
		var body struct {
			Text struct {
				Content string   `json:"content"`
				Mobiles []string `json:"mentioned_mobile_list"`
			} `json:"text"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		require.NoError(t, json.Unmarshal([]byte(raw), &body))
		return body.Text.Content + body.Markdown.Content
	}

	t.Run("WeCom text: 2048 bytes exactly is sent whole, one byte more is cut", func(t *testing.T) {
		t.Parallel()
		head := "【CRM】审批\n"
		tail := "\n" + link
		n := sample()
		// 3-byte runes, then ASCII to land exactly on 2048 bytes.
		room := 2048 - len(head) - len(tail)
		n.MessageZh = strings.Repeat("审", room/3) + strings.Repeat("x", room%3)
		cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, Format: "text", Language: "zh"}
		content := wecomText(t, send(t, cfg, n).Raw)
		assert.Len(t, content, 2048)
		assert.Equal(t, head+n.MessageZh+tail, content)

		n.MessageZh = "x" + n.MessageZh
		content = wecomText(t, send(t, cfg, n).Raw)
		assert.LessOrEqual(t, len(content), 2048)
		assert.GreaterOrEqual(t, len(content), 2048-3, "as much text as fits")
		assert.True(t, utf8.ValidString(content))
		assert.True(t, strings.HasPrefix(content, head+"x审"))
		assert.True(t, strings.HasSuffix(content, "…"+tail), "the link stays whole")
	})
	t.Run("WeCom markdown: 4096 bytes, escapes counted", func(t *testing.T) {
		t.Parallel()
		n := sample()
		n.MessageZh = strings.Repeat("*审", 2000) // each "*" is sent as `\*`
		cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, Format: "markdown", Language: "zh"}
		content := wecomText(t, send(t, cfg, n).Raw)
		assert.LessOrEqual(t, len(content), 4096)
		assert.GreaterOrEqual(t, len(content), 4096-6)
		assert.True(t, utf8.ValidString(content))
		assert.True(t, strings.HasSuffix(content, "…\n\n[查看记录]("+link+")\n\n@王芳\n"))
		assert.NotContains(t, content, "\\…", "cut before escaping: no escape split in two")
	})
	t.Run("WeCom both languages share the limit", func(t *testing.T) {
		t.Parallel()
		n := sample()
		n.MessageZh = strings.Repeat("审", 1000)
		n.MessageEn = strings.Repeat("e", 3000)
		cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, Format: "text", Language: "both"}
		content := wecomText(t, send(t, cfg, n).Raw)
		assert.LessOrEqual(t, len(content), 2048)
		assert.GreaterOrEqual(t, len(content), 2048-6)
		assert.Contains(t, content, "审审审…\n", "the Chinese text is cut too when both are long")
		assert.True(t, strings.HasSuffix(content, "e…\n"+link))
	})
	t.Run("DingTalk: the body stays within 20000 bytes, the @mobile kept", func(t *testing.T) {
		t.Parallel()
		n := sample()
		n.MessageZh = strings.Repeat("钉\n", 9000) // newlines are escaped in JSON: counted
		for _, format := range []string{"text", "markdown"} {
			cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, Format: format, Language: "zh"}
			raw := send(t, cfg, n).Raw
			assert.LessOrEqual(t, len(raw), 20000, format)
			assert.GreaterOrEqual(t, len(raw), 20000-12, format)
			assert.True(t, utf8.ValidString(raw))
			assert.Contains(t, raw, `@13800138000`, format)
			assert.True(t, strings.HasSuffix(raw, `"at":{"atMobiles":["13800138000"],"isAtAll":false}}`), format)
		}
	})
	t.Run("Feishu: the whole body within 20000 bytes, 4-byte runes, signature kept", func(t *testing.T) {
		t.Parallel()
		n := sample()
		n.MessageZh = strings.Repeat("😀", 4000)
		n.MessageEn = strings.Repeat("飞", 4000)
		for _, format := range []string{"text", "markdown"} {
			cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, Format: format, Language: "both", Secret: "s"}
			raw := send(t, cfg, n).Raw
			assert.LessOrEqual(t, len(raw), 20000, format)
			assert.GreaterOrEqual(t, len(raw), 20000-12, format)
			assert.True(t, utf8.ValidString(raw), format)
			assert.True(t, strings.HasPrefix(raw, `{"timestamp":"1796545800","sign":"`+channel.FeishuSign("s", 1796545800)+`"`), format)
			assert.Contains(t, raw, "😀…", format)
			assert.Contains(t, raw, "飞…", format)
			assert.Contains(t, raw, jsonString(t, link), format)
		}
	})
}

func TestDingTalk_SignIsURLEncoded(t *testing.T) {
	t.Parallel()
	// docs/channels.md's secret at fixedNow signs with "+", "/" and "=".
	const secret = "SEC2b8f0c1d9e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1"
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelDingTalk, URL: r.srv.URL + "/robot/send?access_token=t", Secret: secret, Format: "text"}
	require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()))
	got := r.last(t)
	assert.Equal(t, "access_token=t&timestamp=1796545800000&sign=zGErcjTsa8c6dCty4DvCAc%2Bn0zx%2BVibrKG1cj3EJ%2FjM%3D", got.RawQuery)
	assert.Equal(t, "zGErcjTsa8c6dCty4DvCAc+n0zx+VibrKG1cj3EJ/jM=", got.Query.Get("sign"), "arrives intact once decoded")
}

// TestRobots_ErrorCodes: each code the services document (docs/channels.md
// lists them with their source): 0 succeeds; rate limits and a busy
// service are retried; a bad key, token, signature, keyword or IP list, a
// robot removed or switched off, or a refused message fails at once,
// with the service's code and message kept.
func TestRobots_ErrorCodes(t *testing.T) {
	t.Parallel()
	type outcome int
	const (
		retry outcome = iota
		limited
		dead
	)
	cases := []struct {
		channel string
		status  int
		answer  string
		want    outcome
	}{
		{worker.ChannelWeCom, 200, `{"errcode":-1,"errmsg":"system busy"}`, retry},
		{worker.ChannelWeCom, 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, limited},
		{worker.ChannelWeCom, 200, `{"errcode":45033,"errmsg":"api concurrent out of limit"}`, limited},
		{worker.ChannelWeCom, 200, `{"errcode":93000,"errmsg":"invalid webhook url, hint: [1653710655173452988930371]"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":93004,"errmsg":"robot is disabled"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":93008,"errmsg":"not in chat"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":40008,"errmsg":"invalid message type"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":40035,"errmsg":"invalid parameter"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":40058,"errmsg":"invalid parameter"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":44004,"errmsg":"empty content"}`, dead},
		{worker.ChannelWeCom, 200, `{"errcode":45002,"errmsg":"content size out of limit"}`, dead},

		{worker.ChannelDingTalk, 200, `{"errcode":-1,"errmsg":"系统繁忙"}`, retry},
		{worker.ChannelDingTalk, 200, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`, limited},
		{worker.ChannelDingTalk, 200, `{"errcode":410100,"errmsg":"发送速度太快而限流"}`, limited},
		{worker.ChannelDingTalk, 200, `{"errcode":300001,"errmsg":"token is not exist"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":300005,"errmsg":"token is not exist"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":310000,"errmsg":"keywords not in content"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":310000,"errmsg":"ip 1.2.3.4 not in whitelist"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":40035,"errmsg":"缺少参数 access_token"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":400013,"errmsg":"群已被解散"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":400101,"errmsg":"access_token不存在"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":400102,"errmsg":"机器人已停用"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":400105,"errmsg":"不支持的消息类型"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":400106,"errmsg":"机器人不存在"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":430101,"errmsg":"含有不安全的外链"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":430102,"errmsg":"含有不合适的文本"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":430103,"errmsg":"含有不合适的图片"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":430104,"errmsg":"含有不合适的内容"}`, dead},
		{worker.ChannelDingTalk, 200, `{"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"}`, dead},

		{worker.ChannelFeishu, 200, `{"code":11232,"data":{},"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]"}`, limited},
		{worker.ChannelFeishu, 200, `{"code":9499,"msg":"Bad Request","data":{}}`, dead},
		{worker.ChannelFeishu, 200, `{"StatusCode":9499,"StatusMessage":"Bad Request"}`, dead},
		{worker.ChannelFeishu, 200, `{"code":19001,"data":{},"msg":"param invalid: incoming webhook access token invalid"}`, dead},
		{worker.ChannelFeishu, 400, `{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}`, dead},
		{worker.ChannelFeishu, 200, `{"code":19002,"msg":"param invalid"}`, dead},
		{worker.ChannelFeishu, 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, dead},
		{worker.ChannelFeishu, 200, `{"code":19022,"msg":"Ip Not Allowed"}`, dead},
		{worker.ChannelFeishu, 200, `{"code":19024,"msg":"Key Words Not Found"}`, dead},

		// Codes no page names are retried (up to the last attempt).
		{worker.ChannelFeishu, 200, `{"code":99991,"msg":"something new"}`, retry},
		{worker.ChannelDingTalk, 200, `{"errcode":90030,"errmsg":"webhook over limit"}`, retry},
		// HTTP itself.
		{worker.ChannelWeCom, 502, `bad gateway`, retry},
		{worker.ChannelWeCom, 503, `{"errcode":0}`, retry},
		{worker.ChannelWeCom, 408, ``, retry},
		{worker.ChannelWeCom, 429, `{}`, limited},
		{worker.ChannelWeCom, 404, `not found`, dead},
		{worker.ChannelWeCom, 403, `{"errcode":0}`, dead},
		{worker.ChannelWeCom, 200, `<html>portal login</html>`, retry},
		{worker.ChannelWeCom, 200, `{"ok":true}`, retry},
	}
	for _, c := range cases {
		r := newRobot(t, robotAnswer{c.status, c.answer})
		cfg := worker.ChannelConfig{Channel: c.channel, URL: r.srv.URL + "/send?key=k&access_token=t", Format: "text", Secret: "s"}
		err := loopbackClient().Send(context.Background(), cfg, sample())
		require.Error(t, err, "%s %d %s", c.channel, c.status, c.answer)
		what := c.channel + " " + strconv.Itoa(c.status) + " " + c.answer
		assert.Equal(t, c.want == dead, worker.IsPermanent(err), what)
		assert.Equal(t, c.want == limited, worker.IsRateLimited(err), what)
		if rl := (*worker.RateLimitedError)(nil); errors.As(err, &rl) {
			want := time.Duration(0) // the worker's least wait
			if c.channel == worker.ChannelDingTalk {
				want = 10 * time.Minute // 「如果超过20条，会限流10分钟」
			}
			assert.Equal(t, want, rl.Wait, what)
		}
		var a struct {
			ErrCode    *int   `json:"errcode"`
			ErrMsg     string `json:"errmsg"`
			Code       *int   `json:"code"`
			Msg        string `json:"msg"`
			StatusCode *int   `json:"StatusCode"`
		}
		if json.Unmarshal([]byte(c.answer), &a) == nil && c.status < 500 && c.status != 429 {
			switch {
			case a.ErrCode != nil && *a.ErrCode != 0:
				assert.Contains(t, err.Error(), "error "+strconv.Itoa(*a.ErrCode)+": "+a.ErrMsg, what)
			case a.Code != nil && *a.Code != 0:
				assert.Contains(t, err.Error(), "error "+strconv.Itoa(*a.Code)+": "+a.Msg, what)
			}
		}
		assert.NotContains(t, err.Error(), "key=k", "the address's key is not in the error")
	}
	for _, ok := range []string{`{"errcode":0,"errmsg":"ok"}`, `{"code":0,"msg":"success","data":{}}`, `{"StatusCode":0,"StatusMessage":"success"}`,
		`{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}`} {
		r := newRobot(t, robotAnswer{200, ok})
		cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: r.srv.URL + "/hook/x", Format: "text"}
		assert.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()), ok)
	}
}

func TestRobots_AnswerIsBoundedAndKeyNotInErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"`)
		_, _ = w.Write([]byte(strings.Repeat("x", 1<<20)))
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

// TestRobots_TooLongWithoutText: a message whose title, link and mention
// alone pass the limit is not sent at all, for good, saying why.
func TestRobots_TooLongWithoutText(t *testing.T) {
	t.Parallel()
	r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok"}`})
	cfg := worker.ChannelConfig{Channel: worker.ChannelWeCom, URL: r.srv.URL + "/send?key=k", Format: "text",
		AppURL: "https://crm.example.com/" + strings.Repeat("a", 3000)}
	err := loopbackClient().Send(context.Background(), cfg, sample())
	require.Error(t, err)
	assert.True(t, worker.IsPermanent(err))
	assert.Contains(t, err.Error(), "WeCom: the message is")
	assert.Contains(t, err.Error(), "more than the 2048 the service takes")
	r.mu.Lock()
	assert.Empty(t, r.requests)
	r.mu.Unlock()
}

// TestRobots_RetryAfter: an HTTP 429's Retry-After, in seconds or as a
// date, is how long the rate limit is waited out, at most an hour.
func TestRobots_RetryAfter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		header string
		want   time.Duration
	}{
		{"120", 2 * time.Minute},
		{fixedNow.Add(5 * time.Minute).Format(http.TimeFormat), 5 * time.Minute},
		{fixedNow.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"99999999", time.Hour},
		{"-5", 0},
		{"soon", 0},
		{"", 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if c.header != "" {
				w.Header().Set("Retry-After", c.header)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}))
		cfg := worker.ChannelConfig{Channel: worker.ChannelFeishu, URL: srv.URL + "/hook/x", Format: "text"}
		err := loopbackClient().Send(context.Background(), cfg, sample())
		srv.Close()
		var limited *worker.RateLimitedError
		require.ErrorAs(t, err, &limited, c.header)
		assert.Equal(t, c.want, limited.Wait, c.header)
	}
}
