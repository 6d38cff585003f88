package server

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Rate is a token bucket's shape: Per requests a second on average, and
// Burst at once. A zero Per turns the limit off.
type Rate struct {
	Per   float64
	Burst int
}

// limiter keeps one token bucket per key (an API key's actor, a client
// address). Buckets idle for long enough are full again and are dropped,
// so the map stays as small as the set of active clients; and it never
// holds more than maxBuckets: past that, new keys share one overflow
// bucket, so that a flood of new addresses cannot grow the map, and the
// clients already known keep their own buckets.
type limiter struct {
	rate Rate
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the keys one limiter remembers.
const maxBuckets = 100_000

// overflowKey names the bucket that new keys share once the limiter is
// full (no real key contains a NUL first).
const overflowKey = "\x00overflow"

func newLimiter(r Rate, now func() time.Time) *limiter {
	if r.Burst < 1 {
		r.Burst = max(1, int(math.Ceil(r.Per)))
	}
	return &limiter{rate: r, now: now, buckets: map[string]*bucket{}}
}

// take spends a token of key's bucket; when there is none it returns how
// long until there is.
func (l *limiter) take(key string) (ok bool, wait time.Duration) {
	if l == nil || l.rate.Per <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	full := time.Duration(float64(l.rate.Burst) / l.rate.Per * float64(time.Second))
	_, known := l.buckets[key]
	if now.Sub(l.sweep) > time.Minute || (!known && len(l.buckets) >= maxBuckets && now.Sub(l.sweep) > time.Second) {
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	if !known && len(l.buckets) >= maxBuckets {
		key = overflowKey
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*l.rate.Per)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate.Per * float64(time.Second))
}

// tooMany answers 429 with Retry-After in whole seconds.
func tooMany(c *fiber.Ctx, wait time.Duration, msg string) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, secs)))
	return c.Status(fiber.StatusTooManyRequests).JSON(fiber.Map{
		"errors": []fiber.Map{{"message": msg, "extensions": fiber.Map{"code": "RATE_LIMITED", "retryAfter": max(1, secs)}}},
	})
}

// limitByIP limits every request by the client's address. Behind a proxy,
// the address comes from X-Forwarded-For only when the peer is one of
// Config.TrustedProxies; anyone else's header is ignored (H8).
func (s *Server) limitByIP(c *fiber.Ctx) error {
	// The web app's hashed files are served from memory and cached by
	// browsers for a year; counting them would let one office behind a NAT
	// address use up its budget by opening the app.
	if (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) && s.ui != nil && strings.HasPrefix(c.Path(), "/assets/") {
		return c.Next()
	}
	// c.IP() may point into fasthttp's request buffer, which the next
	// request overwrites: the limiter keeps the key, so it keeps a copy.
	if ok, wait := s.ipLimit.take(strings.Clone(clientKey(c.IP()))); !ok {
		return tooMany(c, wait, say(c, "server.tooManyForAddress"))
	}
	return c.Next()
}

// clientKey is the rate-limit key of a client address: the address for
// IPv4, its /64 network for IPv6, where one subscriber usually holds a
// whole /64 and could otherwise take a new bucket per request.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
