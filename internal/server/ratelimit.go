package server

import (
	"context"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/store"
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

	// shared, when set, counts every process's requests (several servers
	// on one database): see takeShared. The buckets above then serve
	// only while the store does not answer.
	shared store.Counters
	name   string // the counters' prefix: "ip" or "key"
	log    *slog.Logger
	// refused holds the keys the shared count refused, until when, so
	// that a client that keeps asking costs no further store round trip
	// until it may succeed; at most maxBuckets of them.
	refused   map[string]time.Time
	grants    map[string]grant // see takeShared
	failedLog time.Time        // when the store's last failure was logged
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

// sharedLimiter is a limiter that counts in shared (nil: in this
// process's memory alone).
func sharedLimiter(r Rate, now func() time.Time, shared store.Counters, name string, log *slog.Logger) *limiter {
	l := newLimiter(r, now)
	l.shared, l.name, l.log, l.refused, l.grants = shared, name, log, map[string]time.Time{}, map[string]grant{}
	return l
}

// on says whether the limiter limits anything (a rate was given).
func (l *limiter) on() bool { return l != nil && l.rate.Per > 0 }

// take spends a token of key's bucket; when there is none it returns how
// long until there is.
func (l *limiter) take(ctx context.Context, key string) (ok bool, wait time.Duration) {
	if !l.on() {
		return true, 0
	}
	if l.shared != nil {
		ok, wait, err := l.takeShared(ctx, key)
		if err == nil {
			return ok, wait
		}
		l.mu.Lock()
		if now := l.now(); now.Sub(l.failedLog) > time.Minute {
			l.failedLog = now
			l.log.WarnContext(ctx, "shared rate limit unavailable; this process limits alone", "limit", l.name, "err", err)
		}
		l.mu.Unlock()
	}
	return l.takeLocal(key)
}

// window is the shared count's window: the time the bucket takes to fill
// (Burst/Per), in whole seconds, at least one.
func (l *limiter) window() time.Duration {
	return max(time.Second, time.Duration(math.Ceil(float64(l.rate.Burst)/l.rate.Per))*time.Second)
}

// takeShared admits a request of key by the store's shared counters: the
// requests of the last window, as every process counted them, may be at
// most Burst — a sliding window estimated from the count of this window
// and the one before (weighted by how much of it still lies within one
// window's length of now). On average that admits Per a second, and
// Burst at once after a quiet window, as the bucket does.
//
// A process takes a tenth of Burst at a time (a grant) and spends it
// from memory until it is spent or the window ends, so that a busy
// client costs one store round trip per tenth of its burst, not one per
// request. What a process took and did not spend is lost with the
// window: a client spread over k servers may be admitted up to k tenths
// less in a window, never more. A request the count refuses gives its
// grant back, and the key is refused here without a round trip until
// the wait is over.
func (l *limiter) takeShared(ctx context.Context, key string) (ok bool, wait time.Duration, err error) {
	now := l.now()
	w := l.window()
	start := store.WindowStart(now, w)
	l.mu.Lock()
	if until, refused := l.refused[key]; refused {
		if now.Before(until) {
			l.mu.Unlock()
			return false, until.Sub(now), nil
		}
		delete(l.refused, key)
	}
	if g, held := l.grants[key]; held && g.start.Equal(start) && g.left > 0 {
		g.left--
		l.grants[key] = g
		l.mu.Unlock()
		return true, 0, nil
	}
	l.mu.Unlock()
	chunk := int64(max(1, l.rate.Burst/10))
	name := l.name + "|" + key
	cur, prev, err := l.shared.AddCount(ctx, name, w, now, chunk)
	if err != nil {
		return false, 0, err
	}
	into := now.Sub(start)
	limit := float64(l.rate.Burst)
	granted := chunk
	if over := estimate(cur, prev, into, w) - limit; over > 0 {
		granted = chunk - int64(math.Ceil(over))
	}
	if back := chunk - max(granted, 0); back > 0 {
		if _, _, err := l.shared.AddCount(ctx, name, w, now, -back); err != nil {
			l.log.WarnContext(ctx, "give back a refused request's count", "limit", l.name, "err", err)
		}
	}
	if granted >= 1 {
		l.keep(key, grant{start: start, left: granted - 1}, now)
		return true, 0, nil
	}
	// Until the estimate, with this window's count as it is, leaves room
	// for one more: the window before weighs less as time goes on, and
	// once this window is the one before, its own count weighs less.
	wait = w - into
	if c := float64(cur - chunk); prev > 0 && c+1 <= limit {
		wait = time.Duration((1-(limit-c-1)/float64(prev))*float64(w)) - into
	}
	wait = max(wait, time.Second)
	l.mu.Lock()
	if len(l.refused) >= maxBuckets {
		for k, t := range l.refused {
			if !now.Before(t) {
				delete(l.refused, k)
			}
		}
	}
	if len(l.refused) < maxBuckets {
		l.refused[key] = now.Add(wait)
	}
	l.mu.Unlock()
	return false, wait, nil
}

// grant is what a process took of a key's shared count and has not spent
// yet, in the window that starts at start.
type grant struct {
	start time.Time
	left  int64
}

// keep remembers a grant (adding to one of the same window a concurrent
// request took), in at most maxBuckets keys: past that, grants of ended
// windows are dropped, and if none has ended the new one is not kept (its
// rest is lost, which only admits less).
func (l *limiter) keep(key string, g grant, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, held := l.grants[key]; held && old.start.Equal(g.start) {
		g.left += old.left
	}
	if _, held := l.grants[key]; !held && len(l.grants) >= maxBuckets {
		for k, old := range l.grants {
			if now.Sub(old.start) >= l.window() {
				delete(l.grants, k)
			}
		}
		if len(l.grants) >= maxBuckets {
			return
		}
	}
	l.grants[key] = g
}

// estimate is the sliding window's count: this window's and the share of
// the window before that still lies within one window's length of now.
func estimate(cur, prev int64, into, window time.Duration) float64 {
	return float64(prev)*(1-float64(into)/float64(window)) + float64(cur)
}

// takeLocal spends a token of key's bucket in this process.
func (l *limiter) takeLocal(key string) (ok bool, wait time.Duration) {
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
	if !s.ipLimit.on() {
		return c.Next()
	}
	// c.IP() may point into fasthttp's request buffer, which the next
	// request overwrites: the limiter keeps the key, so it keeps a copy.
	if ok, wait := s.ipLimit.take(c.UserContext(), strings.Clone(clientKey(c.IP()))); !ok {
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
