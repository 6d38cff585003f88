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
	"strconv"
	"strings"

	"github.com/crmkit/crm/engine/worker"
)

// The group robots' message formats, signatures and error codes, as their
// documentation describes them (developer.work.weixin.qq.com 91770,
// open.dingtalk.com "自定义机器人", open.feishu.cn "自定义机器人使用指南"):
//
//   - WeCom: POST {msgtype: text, text: {content, mentioned_mobile_list}}
//     or {msgtype: markdown, markdown: {content}} to the robot's address,
//     whose key query parameter is the credential; no signature. Text is
//     at most 2,048 bytes, markdown 4,096; markdown cannot mention by
//     mobile, so the person's name is written instead.
//   - DingTalk: POST {msgtype: text, text: {content}, at: {atMobiles}} or
//     {msgtype: markdown, markdown: {title, text}, at: …} to the address
//     with access_token; with 加签, timestamp (milliseconds) and sign =
//     base64(HmacSHA256(key: secret, data: timestamp+"\n"+secret)) are
//     added to the query (url-encoded). A mention needs "@mobile" in the
//     text as well as in atMobiles.
//   - Feishu: POST {msg_type: text, content: {text}} or {msg_type: post,
//     content: {post: {zh_cn|en_us: {title, content}}}} to
//     …/bot/v2/hook/<token>; with 签名校验, timestamp (seconds, a string)
//     and sign = base64(HmacSHA256(key: timestamp+"\n"+secret, data: ""))
//     go in the body. A custom bot mentions people only by their Feishu
//     open_id or user_id (<at user_id="ou_…">), which the CRM does not
//     hold: the person's name is written instead; no mention by mobile.
//
// All three answer HTTP 200 with a code: 0 is success. The codes of rate
// limits and of the services being busy are retried; those of a bad
// key, token, signature, keyword or IP list, or of a refused message,
// fail at once.

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

var (
	weComCodes = map[int]codeClass{
		-1:    codeRetry,     // system busy
		45009: codeRateLimit, // api freq out of limit (20 messages a minute per robot)
		45033: codeRateLimit, // api concurrent out of limit
		93000: codePermanent, // invalid webhook url: the key is wrong or the robot removed
		93004: codePermanent, // the robot is switched off
		93008: codePermanent, // the robot is not in the group
		40008: codePermanent, // invalid message type
		44004: codePermanent, // empty content
		40058: codePermanent, // invalid parameter
		45002: codePermanent, // content too long
	}
	dingTalkCodes = map[int]codeClass{
		-1:     codeRetry,     // system busy
		130101: codeRateLimit, // send too fast (20 messages a minute per robot)
		410100: codeRateLimit, // send too fast, throttled
		300001: codePermanent, // the token does not exist
		300005: codePermanent, // the token does not exist
		310000: codePermanent, // keywords not in content, sign not match, or IP not allowed
		400013: codePermanent, // the group was dissolved
		400101: codePermanent, // access_token does not exist
		400102: codePermanent, // the robot is switched off
		430101: codePermanent, // unsafe external link
		430102: codePermanent, // unsuitable text
		430103: codePermanent, // unsuitable emoji
		430104: codePermanent, // unsuitable content
	}
	feishuCodes = map[int]codeClass{
		11232: codeRateLimit, // frequency limited (100 a minute, 5 a second per bot)
		9499:  codePermanent, // bad request
		19001: codePermanent, // param invalid: the hook token is wrong
		19002: codePermanent, // the bot is not in the group or is switched off
		19021: codePermanent, // sign match fail, or timestamp more than an hour off
		19022: codePermanent, // IP not allowed
		19024: codePermanent, // keywords not found
	}
)

// post sends body as JSON and checks the robot's answer against codes.
func (c *Client) post(ctx context.Context, service, address string, body any, codes map[int]codeClass) error {
	b, err := json.Marshal(body)
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: encode the message: %w", service, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(b))
	if err != nil {
		return worker.Permanent(fmt.Errorf("%s: %w", service, err))
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
		return worker.RateLimited(fmt.Errorf("%s: HTTP %d: %s", service, resp.StatusCode, snippet(raw)))
	case resp.StatusCode >= 500:
		return fmt.Errorf("%s: HTTP %d: %s", service, resp.StatusCode, snippet(raw))
	case parsed && hasCode && code != 0:
		err := fmt.Errorf("%s: error %d: %s", service, code, clip(msg, 300))
		switch class, known := codes[code]; {
		case known && class == codePermanent:
			return worker.Permanent(err)
		case known && class == codeRateLimit:
			return worker.RateLimited(err)
		}
		return err // a rate limit, a busy service, or a code not documented: retried
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

// plainText is a robot's text message: title, text, link.
func plainText(cfg worker.ChannelConfig, n worker.Note, mention string) string {
	parts := []string{title(cfg, n)}
	parts = append(parts, texts(cfg, n)...)
	if l := link(cfg, n); l != "" {
		parts = append(parts, l)
	}
	if mention != "" {
		parts = append(parts, mention)
	}
	return strings.Join(parts, "\n")
}

// markdownEscape keeps a note's text from being read as markdown.
var markdownEscape = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "#", `\#`, "<", "&lt;", ">", "&gt;")

// markdownText is a markdown message: the title between open and close,
// each text as a quote, the link, the mention.
func markdownText(cfg worker.ChannelConfig, n worker.Note, open, close, mention string) string {
	var b strings.Builder
	b.WriteString(open + markdownEscape.Replace(title(cfg, n)) + close + "\n")
	for _, t := range texts(cfg, n) {
		b.WriteString("\n> " + strings.ReplaceAll(markdownEscape.Replace(t), "\n", "\n> ") + "\n")
	}
	if l := link(cfg, n); l != "" {
		b.WriteString("\n[" + linkLabel(cfg) + "](" + l + ")\n")
	}
	if mention != "" {
		b.WriteString("\n" + mention + "\n")
	}
	return b.String()
}

func (c *Client) sendWeCom(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	var body map[string]any
	if cfg.Format == "markdown" {
		mention := ""
		if n.To.Name != "" {
			mention = "@" + markdownEscape.Replace(n.To.Name)
		}
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": clip(markdownText(cfg, n, "**", "**", mention), 4096)}}
	} else {
		text := map[string]any{"content": clip(plainText(cfg, n, ""), 2048)}
		if n.To.Mobile != "" {
			text["mentioned_mobile_list"] = []string{n.To.Mobile}
		}
		body = map[string]any{"msgtype": "text", "text": text}
	}
	return c.post(ctx, "WeCom", cfg.URL, body, weComCodes)
}

// DingTalkSign is the sign of a DingTalk robot's request at timestamp (in
// milliseconds): base64 of HmacSHA256 under the secret of
// timestamp+"\n"+secret (before url-encoding).
func DingTalkSign(secret string, timestamp int64) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(timestamp, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func (c *Client) sendDingTalk(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return worker.Permanent(fmt.Errorf("DingTalk: the robot's address does not parse"))
	}
	if cfg.Secret != "" {
		ts := c.cfg.Now().UnixMilli()
		q := u.Query()
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("sign", DingTalkSign(cfg.Secret, ts))
		u.RawQuery = q.Encode()
	}
	at := map[string]any{"isAtAll": false}
	mention := ""
	if n.To.Mobile != "" {
		at["atMobiles"] = []string{n.To.Mobile}
		mention = "@" + n.To.Mobile
	}
	var body map[string]any
	if cfg.Format == "markdown" {
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]any{"title": title(cfg, n), "text": clip(markdownText(cfg, n, "#### ", "", mention), 5000)}, "at": at}
	} else {
		body = map[string]any{"msgtype": "text", "text": map[string]any{"content": clip(plainText(cfg, n, mention), 5000)}, "at": at}
	}
	return c.post(ctx, "DingTalk", u.String(), body, dingTalkCodes)
}

// FeishuSign is the sign of a Feishu bot's request at timestamp (in
// seconds): base64 of HmacSHA256 keyed with timestamp+"\n"+secret over
// an empty message.
func FeishuSign(secret string, timestamp int64) string {
	h := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func (c *Client) sendFeishu(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	mention := ""
	if n.To.Name != "" {
		mention = "@" + n.To.Name
	}
	var body map[string]any
	if cfg.Format == "markdown" {
		var lines []any
		for _, t := range texts(cfg, n) {
			lines = append(lines, []any{map[string]any{"tag": "text", "text": clip(t, 4000)}})
		}
		if l := link(cfg, n); l != "" {
			lines = append(lines, []any{map[string]any{"tag": "a", "text": linkLabel(cfg), "href": l}})
		}
		if mention != "" {
			lines = append(lines, []any{map[string]any{"tag": "text", "text": mention}})
		}
		lang := "zh_cn"
		if cfg.Language == "en" {
			lang = "en_us"
		}
		body = map[string]any{"msg_type": "post", "content": map[string]any{"post": map[string]any{lang: map[string]any{"title": title(cfg, n), "content": lines}}}}
	} else {
		body = map[string]any{"msg_type": "text", "content": map[string]any{"text": clip(plainText(cfg, n, mention), 4000)}}
	}
	if cfg.Secret != "" {
		ts := c.cfg.Now().Unix()
		body["timestamp"] = strconv.FormatInt(ts, 10)
		body["sign"] = FeishuSign(cfg.Secret, ts)
	}
	return c.post(ctx, "Feishu", cfg.URL, body, feishuCodes)
}
