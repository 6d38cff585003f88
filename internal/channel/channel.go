// Package channel sends notifications to people outside the web app: by
// e-mail over SMTP and through the group robots of WeCom (企业微信),
// DingTalk (钉钉) and Feishu (飞书). [Client] is the worker's
// [worker.Sender]: one call sends one note to one person with the tenant's
// setting of one channel.
//
// Every service is reached the way webhooks are (package webhook): no
// address in a special-purpose block (loopback, private, link-local, the
// clouds' metadata services …) unless Config.AllowPrivate says so, a
// timeout on each call, no redirects, answers read up to a bound. The
// services' answers are checked, not only their HTTP status: a robot
// answers 200 with an error code. Rate limits and the services' transient
// errors are retried by the worker with backoff; a wrong key, token or
// signature, or a message the service refuses, is [worker.Permanent] and
// given up at once with the service's code and message kept on the entry.
package channel

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/webhook"
)

// Config tunes a [Client].
type Config struct {
	// Timeout of one send (connecting, TLS, the exchange); default 10s.
	Timeout time.Duration
	// AllowPrivate lets channels reach every address, loopback and private
	// networks included (tests, and SMTP relays inside a company network
	// when the operator says so); off by default.
	AllowPrivate bool
	// RootCAs verify the certificates of SMTP servers; nil: the system's.
	// Tests set a pool with their own certificate.
	RootCAs *x509.CertPool
	// Now returns the current time (robots' signed timestamps, e-mails'
	// Date); if nil, time.Now.
	Now func() time.Time
	// Hostname names this server in SMTP's EHLO and in Message-IDs;
	// default "localhost".
	Hostname string
}

// Client sends notes. It is safe for concurrent use.
type Client struct {
	cfg    Config
	dialer *net.Dialer
	http   *http.Client
}

var _ worker.Sender = (*Client)(nil)

// maxAnswer bounds what is read of a service's answer.
const maxAnswer = 64 << 10

// New returns a client.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowPrivate {
		dialer.Control = guard
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		Proxy:                 nil,
	}
	return &Client{cfg: cfg, dialer: dialer, http: &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		// A redirect would carry the message (and a signature) somewhere
		// the tenant did not name.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// guard refuses connections to the special-purpose blocks webhooks may not
// reach either ([webhook.Blocked]); it runs on the resolved address, so a
// name that resolves to a private address is refused too.
func guard(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s is not an IP address", webhook.ErrForbiddenAddress, host)
	}
	if block, no := webhook.Blocked(addr); no {
		return fmt.Errorf("%w: %s is in %s", webhook.ErrForbiddenAddress, host, block)
	}
	return nil
}

// Send sends n with cfg's channel.
func (c *Client) Send(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	var err error
	switch cfg.Channel {
	case worker.ChannelEmail:
		err = c.sendEmail(ctx, cfg, n)
	case worker.ChannelWeCom:
		err = c.sendWeCom(ctx, cfg, n)
	case worker.ChannelDingTalk:
		err = c.sendDingTalk(ctx, cfg, n)
	case worker.ChannelFeishu:
		err = c.sendFeishu(ctx, cfg, n)
	default:
		return worker.Permanent(fmt.Errorf("unknown channel %q", cfg.Channel))
	}
	if errors.Is(err, webhook.ErrForbiddenAddress) && !worker.IsPermanent(err) {
		err = worker.Permanent(err)
	}
	return err
}

// kindLabels name the kinds of notification in messages.
var kindLabels = map[string][2]string{
	"automation": {"自动化提醒", "Automation"},
	"approval":   {"审批", "Approval"},
	"mention":    {"提及", "Mention"},
	"task":       {"任务", "Task"},
	"assignment": {"分配", "Assignment"},
	"system":     {"系统通知", "System"},
}

func kindLabel(kind string, en bool) string {
	l, ok := kindLabels[kind]
	if !ok {
		l = [2]string{"通知", "Notification"}
	}
	if en {
		return l[1]
	}
	return l[0]
}

// texts returns the note's text in the channel's language: one or two
// paragraphs (Chinese first), a language missing in the note replaced by
// the other.
func texts(cfg worker.ChannelConfig, n worker.Note) []string {
	zh, en := n.MessageZh, n.MessageEn
	if zh == "" {
		zh = en
	}
	if en == "" {
		en = zh
	}
	switch cfg.Language {
	case "en":
		return []string{en}
	case "both":
		if zh == en {
			return []string{zh}
		}
		return []string{zh, en}
	default:
		return []string{zh}
	}
}

// title is the heading of a message: its kind in the channel's language.
func title(cfg worker.ChannelConfig, n worker.Note) string {
	switch cfg.Language {
	case "en":
		return "[CRM] " + kindLabel(n.Kind, true)
	case "both":
		return "【CRM】" + kindLabel(n.Kind, false) + " / " + kindLabel(n.Kind, true)
	default:
		return "【CRM】" + kindLabel(n.Kind, false)
	}
}

// link is the note's absolute address in the web app, "" when the
// channel has no AppURL or the note no link.
func link(cfg worker.ChannelConfig, n worker.Note) string {
	if cfg.AppURL == "" || n.Link == "" || !strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") {
		return ""
	}
	return strings.TrimRight(cfg.AppURL, "/") + n.Link
}

func linkLabel(cfg worker.ChannelConfig) string {
	if cfg.Language == "en" {
		return "Open the record"
	}
	return "查看记录"
}

// clip cuts s to at most max bytes of UTF-8 on a rune boundary, marking
// the cut with "…" when there is room for it; max <= 0 gives "".
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	mark := "…"
	if max < len(mark) {
		mark = ""
	}
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
