package channel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/worker"
)

// The group robots' message formats, signatures, limits and error codes,
// checked against the services' own pages (docs/channels.md, "Sources",
// names each page and what was read there):
//
//   - WeCom (群机器人配置说明, developer.work.weixin.qq.com 91770): POST
//     {"msgtype":"text","text":{"content","mentioned_mobile_list"}} or
//     {"msgtype":"markdown","markdown":{"content"}} to
//     …/cgi-bin/webhook/send?key=KEY; the key is the credential, nothing is
//     signed. text.content is at most 2,048 bytes of UTF-8, markdown.content
//     4,096. Markdown has no mention by mobile (only <@userid>, which the
//     CRM does not hold), so the person's name is written instead. 20
//     messages a minute per robot.
//   - DingTalk (自定义机器人接入 / 发送群消息, open.dingtalk.com): POST
//     {"msgtype":"text","text":{"content"},"at":{"atMobiles","isAtAll"}} or
//     {"msgtype":"markdown","markdown":{"title","text"},"at":…} to
//     …/robot/send?access_token=TOKEN; with 加签, &timestamp=MS&sign=S are
//     added to the query, S = urlencode(base64(HmacSHA256(key: secret,
//     data: timestamp+"\n"+secret))), the timestamp within an hour of
//     DingTalk's clock. A mention needs "@mobile" in the text as well as
//     the mobile in atMobiles. 20 messages a minute per robot, beyond
//     that the robot is throttled for 10 minutes. A message
//     over 20,000 bytes is refused (460101): the request is kept within it.
//   - Feishu (自定义机器人使用指南, open.feishu.cn add-custom-bot): POST
//     {"timestamp","sign","msg_type":"text","content":{"text"}} or
//     msg_type "post" with content.post.{zh_cn|en_us}.{title,content} to
//     …/open-apis/bot/v2/hook/TOKEN; with 签名校验, timestamp is in seconds
//     (a string) and sign = base64(HmacSHA256(key: timestamp+"\n"+secret,
//     data: "")), within an hour. The whole request body is at most 20 KB
//     (kept within 20,000 bytes). A custom bot mentions people only by
//     open_id/user_id (<at user_id="ou_…">), which the CRM does not hold:
//     the name is written instead. 100 messages a minute, 5 a second.
//
// All three answer HTTP 200 with a code: 0 is success (Feishu also sends
// the legacy StatusCode). The codes of rate limits and of a busy service
// are retried; those of a bad key, token, signature, keyword or IP list, a
// robot switched off or removed, or a refused message fail at once.
//
// Texts from people (a note's message, a person's name) are sent as text,
// never as the services' mention syntax: WeCom's <@userid> and Feishu's
// <at user_id=…> are broken with a full-width "＜" so that a note cannot
// mention the whole group.

// The services' size limits, in bytes of UTF-8.
const (
	weComTextMax     = 2048  // text.content
	weComMarkdownMax = 4096  // markdown.content
	dingTalkBodyMax  = 20000 // the request body (460101 "message too long, exceed 20000 bytes")
	feishuBodyMax    = 20000 // the request body ("请求体的数据大小不能超过 20 KB", read as 20,000)
)

// answer is what a robot replies: errcode/errmsg (WeCom, DingTalk), or
// code/msg (Feishu; StatusCode/StatusMessage in its older answers).
type answer struct {
	ErrCode       *int   `json:"errcode"`
	ErrMsg        string `json:"errmsg"`
	Code          *int   `json:"code"`
	Msg           string `json:"msg"`
	StatusCode    *int   `json:"StatusCode"`
	StatusMessage string `json:"StatusMessage"`
}

func (a answer) code() (int, string, bool) {
	switch {
	case a.ErrCode != nil:
		return *a.ErrCode, a.ErrMsg, true
	case a.Code != nil:
		return *a.Code, a.Msg, true
	case a.StatusCode != nil:
		return *a.StatusCode, a.StatusMessage, true
	}
	return 0, "", false
}

// codeClass tells what a service's error code means.
type codeClass int

const (
	codeRetry     codeClass = iota // busy: try again later
	codeRateLimit                  // too many messages: try again later, and nothing more to this robot now
	codePermanent                  // the setting or the message is wrong
)

// dingTalkThrottle is how long DingTalk refuses a robot's messages once it
// went over 20 a minute: 「如果超过20条，会限流10分钟」.
const dingTalkThrottle = 10 * time.Minute

// maxRetryAfter bounds the wait an HTTP Retry-After may ask for.
const maxRetryAfter = time.Hour

// The error codes each service documents (or was seen answering, as
// docs/channels.md says), and what they mean here. A code not listed is
// retried like a busy service, up to the worker's last attempt.
var (
	weComCodes = map[int]codeClass{
		-1:    codeRetry,     // 系统繁忙
		45009: codeRateLimit, // 接口调用超过限制 (api freq out of limit: 20 a minute per robot)
		45033: codeRateLimit, // 接口并发调用超过限制
		93000: codePermanent, // 机器人webhookurl不合法或者机器人已经被移除出群 (invalid webhook url)
		93004: codePermanent, // 机器人被停用
		93008: codePermanent, // 不在群里
		40008: codePermanent, // 不合法的msgtype参数
		40035: codePermanent, // 不合法的参数
		40058: codePermanent, // 不合法的参数
		44004: codePermanent, // 文本消息content参数为空
		45002: codePermanent, // 消息内容大小超过限制
	}
	dingTalkCodes = map[int]codeClass{
		-1:     codeRetry,     // 系统繁忙
		130101: codeRateLimit, // send too fast, exceed 20 times per minute
		410100: codeRateLimit, // 发送速度太快而限流
		300001: codePermanent, // token is not exist
		300005: codePermanent, // token is not exist
		310000: codePermanent, // keywords not in content / sign not match / ip not in whitelist
		40035:  codePermanent, // 缺少参数 (a request without access_token)
		400013: codePermanent, // 群已被解散
		400101: codePermanent, // access_token不存在
		400102: codePermanent, // 机器人已停用
		400105: codePermanent, // 不支持的消息类型
		400106: codePermanent, // 机器人不存在
		430101: codePermanent, // 含有不安全的外链
		430102: codePermanent, // 含有不合适的文本
		430103: codePermanent, // 含有不合适的图片
		430104: codePermanent, // 含有不合适的内容
		460101: codePermanent, // message too long, exceed 20000 bytes
	}
	feishuCodes = map[int]codeClass{
		11232: codeRateLimit, // frequency limited (100 a minute, 5 a second per bot)
		9499:  codePermanent, // Bad Request: the body is not what the service takes
		19001: codePermanent, // param invalid: incoming webhook access token invalid
		19002: codePermanent, // param invalid (seen answered; no page explains it)
		19021: codePermanent, // sign match fail or timestamp is not within one hour from current time
		19022: codePermanent, // Ip Not Allowed
		19024: codePermanent, // Key Words Not Found
	}
)

// encode is the JSON of a message as it is sent: fields in the order the
// services' examples give them, "<", ">" and "&" left as they are.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// fit returns what build makes for the largest budget (the bytes each of
// the note's texts may keep) whose size, as build measures it, is within
// limit. The title, the link and the mention stay whole; only the texts
// are cut, at a rune boundary and marked "…". It fails when even empty
// texts do not fit.
func fit[T any](limit int, build func(budget int) (T, int, error)) (T, error) {
	v, size, err := build(limit)
	if err != nil || size <= limit {
		return v, err
	}
	best, size, err := build(0)
	if err != nil {
		return best, err
	}
	if size > limit {
		var zero T
		return zero, fmt.Errorf("the message is %d bytes without its text, more than the %d the service takes", size, limit)
	}
	lo, hi := 0, limit // lo fits, hi does not
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		v, size, err := build(mid)
		if err != nil {
			return v, err
		}
		if size <= limit {
			lo, best = mid, v
		} else {
			hi = mid
		}
	}
	return best, nil
}

// retryAfter reads an HTTP Retry-After (seconds or a date), bounded by
// maxRetryAfter; 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(secs, 0), int64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// post sends body as JSON and checks the robot's answer against codes;
// a rate limit waits throttle (0: the worker's least wait).
func (c *Client) post(ctx context.Context, service, address string, body []byte, codes map[int]codeClass, throttle time.Duration) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(body))
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: %w", service, redact(err, address)))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "crm-notify/1")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", service, redact(err, address))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s: read the answer: %w", service, err)
	}
	var a answer
	parsed := json.Unmarshal(raw, &a) == nil
	code, msg, hasCode := a.code()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return worker.RateLimitedFor(fmt.Errorf("%s: HTTP %d: %s", service, resp.StatusCode, snippet(raw)), max(throttle, retryAfter(resp.Header, c.cfg.Now())))
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return fmt.Errorf("%s: HTTP %d: %s", service, resp.StatusCode, snippet(raw))
	case parsed && hasCode && code != 0:
		err := fmt.Errorf("%s: error %d: %s", service, code, clip(msg, 300))
		switch class, known := codes[code]; {
		case known && class == codePermanent:
			return worker.Permanent(err)
		case known && class == codeRateLimit:
			return worker.RateLimitedFor(err, throttle)
		}
		return err // a busy service, or a code not documented: retried
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return worker.Permanent(fmt.Errorf("%s: HTTP %d: %s", service, resp.StatusCode, snippet(raw)))
	case !parsed || !hasCode:
		return fmt.Errorf("%s: the answer is not the service's: %s", service, snippet(raw))
	}
	return nil
}

// redact keeps a robot's key out of an error: url.Error quotes the whole
// address.
func redact(err error, address string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, hostOf(address), ue.Err)
	}
	return err
}

func hostOf(address string) string {
	if u, err := url.Parse(address); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return "the robot's address"
}

func snippet(raw []byte) string {
	return clip(strings.TrimSpace(string(raw)), 300)
}

// Mentions the services would read in a person's text: WeCom's <@userid>
// and Feishu's <at user_id=…> (any case, spaces allowed). Their "<" is
// sent as a full-width "＜".
var (
	weComMention  = regexp.MustCompile(`<(\s*@)`)
	feishuMention = regexp.MustCompile(`(?i)<(\s*/?\s*at\b)`)
)

// plainText is a robot's text message: the title, the texts (each cut to
// budget bytes), the link, the mention, one a line.
func plainText(cfg worker.ChannelConfig, n worker.Note, mention string, budget int, defuse func(string) string) string {
	parts := []string{title(cfg, n)}
	for _, t := range texts(cfg, n) {
		parts = append(parts, defuse(clip(t, budget)))
	}
	if l := link(cfg, n); l != "" {
		parts = append(parts, l)
	}
	if mention != "" {
		parts = append(parts, mention)
	}
	return strings.Join(parts, "\n")
}

func asIs(s string) string { return s }

// markdownEscape keeps a note's text from being read as markdown.
var markdownEscape = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "#", `\#`, "<", "&lt;", ">", "&gt;")

// markdownText is a markdown message: the title between open and close,
// each text (cut to budget bytes) as a quote, the link, the mention.
func markdownText(cfg worker.ChannelConfig, n worker.Note, open, close, mention string, budget int) string {
	var b strings.Builder
	b.WriteString(open + markdownEscape.Replace(title(cfg, n)) + close + "\n")
	for _, t := range texts(cfg, n) {
		b.WriteString("\n> " + strings.ReplaceAll(markdownEscape.Replace(clip(t, budget)), "\n", "\n> ") + "\n")
	}
	if l := link(cfg, n); l != "" {
		b.WriteString("\n[" + linkLabel(cfg) + "](" + l + ")\n")
	}
	if mention != "" {
		b.WriteString("\n" + mention + "\n")
	}
	return b.String()
}

// WeCom's messages.
type (
	weComText struct {
		MsgType string           `json:"msgtype"`
		Text    weComTextContent `json:"text"`
	}
	weComTextContent struct {
		Content             string   `json:"content"`
		MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
	}
	weComMarkdown struct {
		MsgType  string               `json:"msgtype"`
		Markdown weComMarkdownContent `json:"markdown"`
	}
	weComMarkdownContent struct {
		Content string `json:"content"`
	}
)

func (c *Client) sendWeCom(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	var body any
	var err error
	if cfg.Format == "markdown" {
		mention := ""
		if n.To.Name != "" {
			mention = "@" + markdownEscape.Replace(n.To.Name)
		}
		body, err = fit(weComMarkdownMax, func(budget int) (any, int, error) {
			content := markdownText(cfg, n, "**", "**", mention, budget)
			return weComMarkdown{MsgType: "markdown", Markdown: weComMarkdownContent{Content: content}}, len(content), nil
		})
	} else {
		var mobiles []string
		if n.To.Mobile != "" {
			mobiles = []string{n.To.Mobile}
		}
		defuse := func(s string) string { return weComMention.ReplaceAllString(s, "＜$1") }
		body, err = fit(weComTextMax, func(budget int) (any, int, error) {
			content := plainText(cfg, n, "", budget, defuse)
			return weComText{MsgType: "text", Text: weComTextContent{Content: content, MentionedMobileList: mobiles}}, len(content), nil
		})
	}
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: %w", "WeCom", err))
	}
	b, err := encode(body)
	if err != nil {
		return worker.Permanent(fmt.Errorf("WeCom: encode the message: %w", err))
	}
	return c.post(ctx, "WeCom", cfg.URL, b, weComCodes, 0)
}

// DingTalkSign is the sign of a DingTalk robot's request at timestamp (in
// milliseconds): base64 of HmacSHA256 under the secret of
// timestamp+"\n"+secret (before url-encoding).
func DingTalkSign(secret string, timestamp int64) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(timestamp, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// DingTalkSignedURL is the robot's address with the signature of a
// request at timestamp (milliseconds) appended, as DingTalk documents it:
// &timestamp=…&sign=… (url-encoded) after the address's own parameters
// (a timestamp or sign already there is replaced).
func DingTalkSignedURL(address, secret string, timestamp int64) (string, error) {
	u, err := url.Parse(address)
	if err != nil {
		return "", fmt.Errorf("the robot's address does not parse")
	}
	q := u.Query()
	q.Del("timestamp")
	q.Del("sign")
	query := q.Encode()
	if query != "" {
		query += "&"
	}
	u.RawQuery = query + "timestamp=" + strconv.FormatInt(timestamp, 10) + "&sign=" + url.QueryEscape(DingTalkSign(secret, timestamp))
	return u.String(), nil
}

// DingTalk's messages.
type (
	dingTalkMessage struct {
		MsgType  string            `json:"msgtype"`
		Text     *dingTalkText     `json:"text,omitempty"`
		Markdown *dingTalkMarkdown `json:"markdown,omitempty"`
		At       dingTalkAt        `json:"at"`
	}
	dingTalkText struct {
		Content string `json:"content"`
	}
	dingTalkMarkdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	}
	dingTalkAt struct {
		AtMobiles []string `json:"atMobiles,omitempty"`
		IsAtAll   bool     `json:"isAtAll"`
	}
)

func (c *Client) sendDingTalk(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	address := cfg.URL
	if cfg.Secret != "" {
		signed, err := DingTalkSignedURL(cfg.URL, cfg.Secret, c.cfg.Now().UnixMilli())
		if err != nil {
			return worker.Permanent(fmt.Errorf("%s: %w", "DingTalk", err))
		}
		address = signed
	}
	at := dingTalkAt{}
	mention := ""
	if n.To.Mobile != "" {
		at.AtMobiles = []string{n.To.Mobile}
		mention = "@" + n.To.Mobile
	}
	b, err := fit(dingTalkBodyMax, func(budget int) ([]byte, int, error) {
		m := dingTalkMessage{MsgType: "text", At: at}
		if cfg.Format == "markdown" {
			m.MsgType = "markdown"
			m.Markdown = &dingTalkMarkdown{Title: title(cfg, n), Text: markdownText(cfg, n, "#### ", "", mention, budget)}
		} else {
			m.Text = &dingTalkText{Content: plainText(cfg, n, mention, budget, asIs)}
		}
		b, err := encode(m)
		return b, len(b), err
	})
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: %w", "DingTalk", err))
	}
	return c.post(ctx, "DingTalk", address, b, dingTalkCodes, dingTalkThrottle)
}

// FeishuSign is the sign of a Feishu bot's request at timestamp (in
// seconds): base64 of HmacSHA256 keyed with timestamp+"\n"+secret over
// an empty message.
func FeishuSign(secret string, timestamp int64) string {
	h := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Feishu's messages.
type (
	feishuMessage struct {
		Timestamp string `json:"timestamp,omitempty"`
		Sign      string `json:"sign,omitempty"`
		MsgType   string `json:"msg_type"`
		Content   any    `json:"content"`
	}
	feishuText struct {
		Text string `json:"text"`
	}
	feishuPost struct {
		Post map[string]feishuPostBody `json:"post"`
	}
	feishuPostBody struct {
		Title   string        `json:"title"`
		Content [][]feishuTag `json:"content"`
	}
	feishuTag struct {
		Tag  string `json:"tag"`
		Text string `json:"text"`
		Href string `json:"href,omitempty"`
	}
)

func (c *Client) sendFeishu(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	defuse := func(s string) string { return feishuMention.ReplaceAllString(s, "＜$1") }
	mention := ""
	if n.To.Name != "" {
		mention = "@" + defuse(n.To.Name)
	}
	var ts, sign string
	if cfg.Secret != "" {
		now := c.cfg.Now().Unix()
		ts, sign = strconv.FormatInt(now, 10), FeishuSign(cfg.Secret, now)
	}
	b, err := fit(feishuBodyMax, func(budget int) ([]byte, int, error) {
		m := feishuMessage{Timestamp: ts, Sign: sign, MsgType: "text"}
		if cfg.Format == "markdown" {
			var lines [][]feishuTag
			for _, t := range texts(cfg, n) {
				lines = append(lines, []feishuTag{{Tag: "text", Text: clip(t, budget)}})
			}
			if l := link(cfg, n); l != "" {
				lines = append(lines, []feishuTag{{Tag: "a", Text: linkLabel(cfg), Href: l}})
			}
			if mention != "" {
				lines = append(lines, []feishuTag{{Tag: "text", Text: mention}})
			}
			lang := "zh_cn"
			if cfg.Language == "en" {
				lang = "en_us"
			}
			m.MsgType = "post"
			m.Content = feishuPost{Post: map[string]feishuPostBody{lang: {Title: title(cfg, n), Content: lines}}}
		} else {
			m.Content = feishuText{Text: plainText(cfg, n, mention, budget, defuse)}
		}
		b, err := encode(m)
		return b, len(b), err
	})
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: %w", "Feishu", err))
	}
	return c.post(ctx, "Feishu", cfg.URL, b, feishuCodes, 0)
}
