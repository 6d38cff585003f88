// Package metrics exposes the server's Prometheus metrics: HTTP requests
// by route and status with their latency, errors by engine code, script
// runs and their time, and per-tenant figures (outbox depth, jobs, store
// size) read from the engine when scraped.
//
// The per-tenant series name tenants, so the endpoint is not on the
// public port: the server serves it on a listen address of its own,
// loopback by default, optionally behind a bearer token (docs/security.md).
package metrics

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/scripting"
)

// Source is what the metrics read from the engine when scraped.
type Source interface {
	OpsStats(ctx context.Context) ([]engine.TenantOps, error)
	ScriptStats() scripting.RunStats
}

// Metrics holds the registry and the collectors the HTTP edge feeds.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
}

// New registers the metrics. src may be nil (no engine figures).
func New(src Source) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "crm_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_errors_total", Help: "Errors answered to clients by code (VALIDATION_FAILED, FORBIDDEN, TIMEOUT, INTERNAL ...), GraphQL errors included.",
		}, []string{"code"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src != nil {
		m.reg.MustRegister(&engineCollector{src: src})
	}
	if ts, ok := src.(tenantStates); ok {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "crm_tenant_states", Help: "Tenants whose derived state (compiled metadata) the engine keeps; at most --tenant-states.",
		}, func() float64 { return float64(ts.TenantStateStats().Kept) }))
	}
	return m
}

// tenantStates is the part of an engine that reports the tenants' state
// it keeps.
type tenantStates interface {
	TenantStateStats() engine.TenantStateStats
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
		m.requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return err
	}
}

// Error counts an error answered with code.
func (m *Metrics) Error(code string) {
	if code == "" {
		return
	}
	m.errors.WithLabelValues(code).Inc()
}

// Handler serves the metrics; with a token, only to requests that send it
// as "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="crm metrics"`)
			http.Error(w, "metrics need the token (--metrics-token)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
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

var (
	descRuns     = prometheus.NewDesc("crm_script_runs_total", "Script, rule and formula runs.", nil, nil)
	descSeconds  = prometheus.NewDesc("crm_script_seconds_total", "Time spent in script runs.", nil, nil)
	descFailed   = prometheus.NewDesc("crm_script_failures_total", "Failed script runs by reason (timeout, limit, memory, exception ...).", []string{"reason"}, nil)
	descOutbox   = prometheus.NewDesc("crm_outbox_pending", "Webhook and notification deliveries waiting, per tenant.", []string{"tenant"}, nil)
	descJobs     = prometheus.NewDesc("crm_jobs_running", "Background jobs pending or running, per tenant.", []string{"tenant"}, nil)
	descStore    = prometheus.NewDesc("crm_tenant_store_bytes", "Space a tenant's data takes in the store.", []string{"tenant"}, nil)
	descDown     = prometheus.NewDesc("crm_tenant_unavailable", "1 for a tenant the server found unusable at start.", []string{"tenant"}, nil)
	descTenants  = prometheus.NewDesc("crm_tenants", "Tenants.", nil, nil)
	descOpsError = prometheus.NewDesc("crm_ops_scrape_error", "1 when the per-tenant figures could not be read.", nil, nil)
)

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRuns, descSeconds, descFailed, descOutbox, descJobs, descStore, descDown, descTenants, descOpsError} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.ScriptStats()
	ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, float64(st.Runs))
	ch <- prometheus.MustNewConstMetric(descSeconds, prometheus.CounterValue, st.Seconds)
	for reason, n := range st.Failed {
		ch <- prometheus.MustNewConstMetric(descFailed, prometheus.CounterValue, float64(n), reason)
	}
	ops, err := c.tenantOps()
	failed := 0.0
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(descOpsError, prometheus.GaugeValue, failed)
	ch <- prometheus.MustNewConstMetric(descTenants, prometheus.GaugeValue, float64(len(ops)))
	for _, o := range ops {
		down := 0.0
		if o.Unavailable {
			down = 1
		}
		ch <- prometheus.MustNewConstMetric(descDown, prometheus.GaugeValue, down, o.Tenant)
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(o.OutboxPending), o.Tenant)
		ch <- prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, float64(o.JobsRunning), o.Tenant)
		if o.StoreBytes >= 0 {
			ch <- prometheus.MustNewConstMetric(descStore, prometheus.GaugeValue, float64(o.StoreBytes), o.Tenant)
		}
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
