// Package metrics exposes the server's Prometheus metrics: HTTP requests
// by route and status with their latency, errors by engine code, script
// runs and their time, per-tenant figures (outbox depth, jobs, store
// size) read from the engine when scraped, and the Go runtime's and the
// process's own figures (go_*, process_*).
//
// The per-tenant series name tenants, so the endpoint is not on the
// public port: the server serves it on a listen address of its own,
// loopback by default, optionally behind a bearer token (docs/security.md).
//
// The package writes Prometheus' text exposition format (version 0.0.4)
// itself rather than through the Prometheus client library: that library
// and the protocol-buffer runtime under it ran their package
// initialisation in every process, metrics served or not, and kept about
// 2 MiB resident at start (docs/performance.md, "Memory at start").
package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/subtle"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/scripting"
)

// Source is what the metrics read from the engine when scraped.
type Source interface {
	OpsStats(ctx context.Context) ([]engine.TenantOps, error)
	ScriptStats() scripting.RunStats
}

// tenantStates is the part of an engine that reports the tenants' state
// it keeps.
type tenantStates interface {
	TenantStateStats() engine.TenantStateStats
}

// durationBuckets are the upper bounds (seconds) of the request latency
// histogram's buckets.
var durationBuckets = [...]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// requestKey names one series of crm_http_requests_total.
type requestKey struct {
	route, method string
	status        int
}

// Metrics holds the series the HTTP edge feeds and the sources read when
// scraped. Its methods are safe for concurrent use.
type Metrics struct {
	requests family[requestKey, atomic.Uint64]
	duration family[string, histogram]
	errors   family[string, atomic.Uint64]
	engine   *engineCollector
	states   tenantStates
	started  time.Time
}

// New makes the metrics. src may be nil (no engine figures).
func New(src Source) *Metrics {
	m := &Metrics{started: time.Now()}
	if src != nil {
		m.engine = &engineCollector{src: src}
	}
	if ts, ok := src.(tenantStates); ok {
		m.states = ts
	}
	return m
}

// Middleware counts and times every request by its route (the route
// pattern, never the raw path, so the labels stay few).
func (m *Metrics) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			if fe, ok := err.(*fiber.Error); ok {
				status = fe.Code
			}
		}
		route := "other"
		if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" {
			route = r.Path
		}
		m.requests.get(requestKey{route, c.Method(), status}, cloneRequestKey).Add(1)
		m.duration.get(route, strings.Clone).observe(time.Since(start).Seconds())
		return err
	}
}

// cloneRequestKey copies the strings of a key kept in a map: the server's
// strings of a request may point into buffers it reuses.
func cloneRequestKey(k requestKey) requestKey {
	return requestKey{strings.Clone(k.route), strings.Clone(k.method), k.status}
}

// Error counts an error answered with code.
func (m *Metrics) Error(code string) {
	if code == "" {
		return
	}
	m.errors.get(code, strings.Clone).Add(1)
}

// Handler serves the metrics; with a token, only to requests that send it
// as "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			sent, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="crm metrics"`)
				http.Error(w, "metrics need the token (--metrics-token)", http.StatusUnauthorized)
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "metrics are read with GET", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		m.write(&buf)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(buf.Bytes())
			_ = zw.Close()
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		_, _ = w.Write(buf.Bytes())
	})
}

// acceptsGzip reports whether an Accept-Encoding header names gzip with
// a weight above zero.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		w, err := strconv.ParseFloat(q, 64)
		return err == nil && w > 0
	}
	return false
}

// write puts every series in the text exposition format into b.
func (m *Metrics) write(b *bytes.Buffer) {
	e := exposition{b: b}

	e.family("crm_errors_total", "counter", "Errors answered to clients by code (VALIDATION_FAILED, FORBIDDEN, TIMEOUT, INTERNAL ...), GraphQL errors included.")
	for _, code := range m.errors.keys(strings.Compare) {
		e.sample("crm_errors_total", []label{{"code", code}}, uintValue(m.errors.lookup(code).Load()))
	}

	e.family("crm_http_request_duration_seconds", "histogram", "HTTP request latency by route.")
	for _, route := range m.duration.keys(strings.Compare) {
		m.duration.lookup(route).write(&e, "crm_http_request_duration_seconds", label{"route", route})
	}

	e.family("crm_http_requests_total", "counter", "HTTP requests by route, method and status code.")
	for _, k := range m.requests.keys(compareRequestKeys) {
		e.sample("crm_http_requests_total", []label{{"method", k.method}, {"route", k.route}, {"status", strconv.Itoa(k.status)}},
			uintValue(m.requests.lookup(k).Load()))
	}

	if m.engine != nil {
		m.engine.write(&e)
	}
	if m.states != nil {
		e.family("crm_tenant_states", "gauge", "Tenants whose derived state (compiled metadata) the engine keeps; at most --tenant-states.")
		e.sample("crm_tenant_states", nil, intValue(int64(m.states.TenantStateStats().Kept)))
	}
	writeGo(&e)
	writeProcess(&e, m.started)
}

func compareRequestKeys(a, b requestKey) int {
	if c := strings.Compare(a.method, b.method); c != 0 {
		return c
	}
	if c := strings.Compare(a.route, b.route); c != 0 {
		return c
	}
	return a.status - b.status
}

// family is a set of series of one metric, one value of type V per key,
// made on first use. Reads of an existing series take a shared lock only.
type family[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]*V
}

// get returns the series of key, making it if there is none; clone copies
// a key that is kept.
func (f *family[K, V]) get(key K, clone func(K) K) *V {
	f.mu.RLock()
	v := f.m[key]
	f.mu.RUnlock()
	if v != nil {
		return v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if v = f.m[key]; v == nil {
		if f.m == nil {
			f.m = map[K]*V{}
		}
		v = new(V)
		f.m[clone(key)] = v
	}
	return v
}

func (f *family[K, V]) lookup(key K) *V {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.m[key]
}

// keys returns the keys of the family's series in the order cmp gives.
func (f *family[K, V]) keys(cmp func(a, b K) int) []K {
	f.mu.RLock()
	out := make([]K, 0, len(f.m))
	for k := range f.m {
		out = append(out, k)
	}
	f.mu.RUnlock()
	slices.SortFunc(out, cmp)
	return out
}

// histogram counts observations in durationBuckets (each count is of
// that bucket alone; the exposition adds them up).
type histogram struct {
	counts [len(durationBuckets) + 1]atomic.Uint64 // the last: above every bound
	sum    atomic.Uint64                           // math.Float64bits of the sum
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(durationBuckets[:], v) // first bound >= v
	h.counts[i].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (h *histogram) write(e *exposition, name string, l label) {
	var total uint64
	for i, bound := range durationBuckets {
		total += h.counts[i].Load()
		e.sample(name+"_bucket", []label{l, {"le", formatFloat(bound)}}, uintValue(total))
	}
	total += h.counts[len(durationBuckets)].Load()
	e.sample(name+"_bucket", []label{l, {"le", "+Inf"}}, uintValue(total))
	e.sample(name+"_sum", []label{l}, floatValue(math.Float64frombits(h.sum.Load())))
	e.sample(name+"_count", []label{l}, uintValue(total))
}

// engineCollector reads the engine's figures when scraped, at most every
// opsTTL (counting outboxes of many tenants is not free).
type engineCollector struct {
	src Source

	mu   sync.Mutex
	at   time.Time
	ops  []engine.TenantOps
	oerr error
}

const opsTTL = 15 * time.Second

func (c *engineCollector) write(e *exposition) {
	st := c.src.ScriptStats()
	ops, err := c.tenantOps()
	failed := int64(0)
	if err != nil {
		failed = 1
	}
	e.family("crm_ops_scrape_error", "gauge", "1 when the per-tenant figures could not be read.")
	e.sample("crm_ops_scrape_error", nil, intValue(failed))
	e.family("crm_script_failures_total", "counter", "Failed script runs by reason (timeout, limit, memory, exception ...).")
	reasons := make([]string, 0, len(st.Failed))
	for reason := range st.Failed {
		reasons = append(reasons, reason)
	}
	slices.Sort(reasons)
	for _, reason := range reasons {
		e.sample("crm_script_failures_total", []label{{"reason", reason}}, intValue(st.Failed[reason]))
	}
	e.family("crm_script_runs_total", "counter", "Script, rule and formula runs.")
	e.sample("crm_script_runs_total", nil, intValue(st.Runs))
	e.family("crm_script_seconds_total", "counter", "Time spent in script runs.")
	e.sample("crm_script_seconds_total", nil, floatValue(st.Seconds))
	e.family("crm_tenants", "gauge", "Tenants.")
	e.sample("crm_tenants", nil, intValue(int64(len(ops))))

	ops = slices.Clone(ops)
	slices.SortFunc(ops, func(a, b engine.TenantOps) int { return strings.Compare(a.Tenant, b.Tenant) })
	e.family("crm_jobs_running", "gauge", "Background jobs pending or running, per tenant.")
	for _, o := range ops {
		e.sample("crm_jobs_running", []label{{"tenant", o.Tenant}}, intValue(o.JobsRunning))
	}
	e.family("crm_outbox_pending", "gauge", "Webhook and notification deliveries waiting, per tenant.")
	for _, o := range ops {
		e.sample("crm_outbox_pending", []label{{"tenant", o.Tenant}}, intValue(o.OutboxPending))
	}
	e.family("crm_tenant_store_bytes", "gauge", "Space a tenant's data takes in the store.")
	for _, o := range ops {
		if o.StoreBytes >= 0 {
			e.sample("crm_tenant_store_bytes", []label{{"tenant", o.Tenant}}, intValue(o.StoreBytes))
		}
	}
	e.family("crm_tenant_unavailable", "gauge", "1 for a tenant the server found unusable at start.")
	for _, o := range ops {
		down := int64(0)
		if o.Unavailable {
			down = 1
		}
		e.sample("crm_tenant_unavailable", []label{{"tenant", o.Tenant}}, intValue(down))
	}
}

func (c *engineCollector) tenantOps() ([]engine.TenantOps, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops != nil && time.Since(c.at) < opsTTL {
		return c.ops, c.oerr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ops, err := c.src.OpsStats(ctx)
	if err != nil && c.ops != nil {
		return c.ops, err // the last figures, marked stale by the error gauge
	}
	c.ops, c.oerr, c.at = ops, err, time.Now()
	return ops, err
}
