// Package webhook delivers the engine's webhook actions over HTTP: one
// signed POST per delivery, with the delivery's id as idempotency key, and
// no requests to the server's own network unless allowed.
//
// Receivers check the X-CRM-Signature header, "t=<unix seconds>,v1=<hex>",
// where v1 is HMAC-SHA256 under the tenant's webhook secret of
// "<t>.<body>" (see [Verify]).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crmkit/crm/engine/worker"
)

// Config tunes a [Client].
type Config struct {
	// Timeout of one delivery; default 10s.
	Timeout time.Duration
	// AllowPrivate lets webhooks reach every address, the special-purpose
	// blocks of [Blocked] included (loopback, private, link-local, shared
	// address space …). Off by default, so that a tenant's URL cannot probe
	// the network the server runs in or a cloud's metadata service.
	AllowPrivate bool
}

// Client delivers webhooks. It is safe for concurrent use.
type Client struct {
	http *http.Client
}

var _ worker.Deliverer = (*Client)(nil)

// ErrForbiddenAddress is returned for a URL whose host resolves to an
// address webhooks may not reach.
var ErrForbiddenAddress = errors.New("webhook: the address is in a special-purpose block (private, local, shared or reserved)")

// New returns a client.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			addr, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("%w: %s is not an IP address", ErrForbiddenAddress, host)
			}
			if block, no := Blocked(addr); no {
				return fmt.Errorf("%w: %s is in %s", ErrForbiddenAddress, host, block)
			}
			return nil
		}
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{http: &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		// A redirect would send the signed body somewhere the tenant did
		// not name: it counts as a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Deliver POSTs the delivery. Any answer but 2xx is an error, so that the
// worker tries again later.
func (c *Client) Deliver(ctx context.Context, d worker.Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", d.URL, err)
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "crm-webhook/1")
	req.Header.Set("Idempotency-Key", d.ID)
	req.Header.Set("X-CRM-Delivery", d.ID)
	req.Header.Set("X-CRM-Attempt", strconv.Itoa(d.Attempt))
	req.Header.Set("X-CRM-Signature", Sign(d.Secret, now, d.Body))
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", d.URL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s: status %d: %s", d.URL, resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return nil
}

// Sign returns the X-CRM-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks a signature header against the body: the MAC must match
// and its time be within tolerance of now (replays are refused).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("webhook: malformed signature header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: signature too old or from the future")
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("webhook: signature does not match")
	}
	return nil
}
