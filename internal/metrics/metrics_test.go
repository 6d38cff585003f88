package metrics_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/metrics"
	"github.com/crmkit/crm/scripting"
)

type source struct {
	ops []engine.TenantOps
	err error
}

func (s *source) OpsStats(context.Context) ([]engine.TenantOps, error) { return s.ops, s.err }
func (s *source) ScriptStats() scripting.RunStats {
	return scripting.RunStats{Runs: 7, Seconds: 0.25, Failed: map[string]int64{"timeout": 2, "exception": 1}}
}
func (s *source) TenantStateStats() engine.TenantStateStats { return engine.TenantStateStats{Kept: 3} }

// scrape reads the metrics as Prometheus does and parses them with
// Prometheus' own parser, which refuses anything out of format.
func scrape(t *testing.T, h http.Handler, headers map[string]string) map[string]*dto.MetricFamily {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", rec.Header().Get("Content-Type"))
	var body io.Reader = rec.Body
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		body = zr
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(body)
	require.NoError(t, err)
	return families
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "no family %s", name)
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(labels) {
			continue
		}
		same := true
		for k, v := range labels {
			same = same && got[k] == v
		}
		if !same {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func TestMetrics_RequestsErrorsAndEngineFigures(t *testing.T) {
	src := &source{ops: []engine.TenantOps{
		{Tenant: "acme", OutboxPending: 4, JobsRunning: 1, StoreBytes: 8192},
		{Tenant: `we"ird\ten` + "\nant", StoreBytes: -1, Unavailable: true},
	}}
	m := metrics.New(src)
	app := fiber.New()
	app.Use(m.Middleware())
	app.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Post("/graphql", func(c *fiber.Ctx) error { return fiber.NewError(http.StatusUnauthorized, "no") })

	const clients, each = 8, 50
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/ok", nil), -1)
				if assert.NoError(t, err) {
					resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	resp, err := app.Test(httptest.NewRequest(http.MethodPost, "/graphql", nil), -1)
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = app.Test(httptest.NewRequest(http.MethodGet, "/nowhere/at/all", nil), -1)
	require.NoError(t, err)
	resp.Body.Close()
	m.Error("VALIDATION_FAILED")
	m.Error("VALIDATION_FAILED")
	m.Error("") // not an error

	fams := scrape(t, m.Handler(""), nil)
	assert.Equal(t, float64(clients*each), value(t, fams, "crm_http_requests_total", map[string]string{"route": "/ok", "method": "GET", "status": "200"}))
	assert.Equal(t, 1.0, value(t, fams, "crm_http_requests_total", map[string]string{"route": "/graphql", "method": "POST", "status": "401"}))
	assert.Equal(t, 1.0, value(t, fams, "crm_http_requests_total", map[string]string{"route": "other", "method": "GET", "status": "404"}),
		"a path no route has is counted under one label, not its own")
	assert.Equal(t, 2.0, value(t, fams, "crm_errors_total", map[string]string{"code": "VALIDATION_FAILED"}))
	assert.Len(t, fams["crm_errors_total"].Metric, 1)

	h := fams["crm_http_request_duration_seconds"]
	require.Equal(t, dto.MetricType_HISTOGRAM, h.GetType())
	for _, s := range h.Metric {
		if s.Label[0].GetName() != "route" || s.Label[0].GetValue() != "/ok" {
			continue
		}
		assert.Equal(t, uint64(clients*each), s.Histogram.GetSampleCount())
		buckets := s.Histogram.Bucket
		require.Len(t, buckets, 15, "14 bounds and +Inf")
		for i := 1; i < len(buckets); i++ {
			assert.GreaterOrEqual(t, buckets[i].GetCumulativeCount(), buckets[i-1].GetCumulativeCount(), "buckets add up")
		}
		assert.Equal(t, 30.0, buckets[13].GetUpperBound())
		assert.Equal(t, uint64(clients*each), buckets[14].GetCumulativeCount(), "the +Inf bucket is the count")
		assert.Greater(t, s.Histogram.GetSampleSum(), 0.0)
	}

	assert.Equal(t, 4.0, value(t, fams, "crm_outbox_pending", map[string]string{"tenant": "acme"}))
	assert.Equal(t, 1.0, value(t, fams, "crm_jobs_running", map[string]string{"tenant": "acme"}))
	assert.Equal(t, 8192.0, value(t, fams, "crm_tenant_store_bytes", map[string]string{"tenant": "acme"}))
	assert.Equal(t, 1.0, value(t, fams, "crm_tenant_unavailable", map[string]string{"tenant": `we"ird\ten` + "\nant"}),
		"a label value with quotes, backslashes and line feeds comes back whole")
	assert.Len(t, fams["crm_tenant_store_bytes"].Metric, 1, "a store that cannot tell its size has no series")
	assert.Equal(t, 2.0, value(t, fams, "crm_tenants", nil))
	assert.Equal(t, 0.0, value(t, fams, "crm_ops_scrape_error", nil))
	assert.Equal(t, 7.0, value(t, fams, "crm_script_runs_total", nil))
	assert.Equal(t, 0.25, value(t, fams, "crm_script_seconds_total", nil))
	assert.Equal(t, 2.0, value(t, fams, "crm_script_failures_total", map[string]string{"reason": "timeout"}))
	assert.Equal(t, 3.0, value(t, fams, "crm_tenant_states", nil))

	assert.Greater(t, value(t, fams, "go_goroutines", nil), 0.0)
	assert.Greater(t, value(t, fams, "go_memstats_heap_alloc_bytes", nil), 0.0)
	assert.Equal(t, 1.0, value(t, fams, "go_info", map[string]string{"version": runtime.Version()}))
	assert.Equal(t, dto.MetricType_SUMMARY, fams["go_gc_duration_seconds"].GetType())
	assert.Greater(t, value(t, fams, "process_resident_memory_bytes", nil), 0.0)
	assert.Greater(t, value(t, fams, "go_threads", nil), 0.0)
	assert.Greater(t, value(t, fams, "process_open_fds", nil), 0.0)
	assert.GreaterOrEqual(t, value(t, fams, "process_cpu_seconds_total", nil), 0.0)
	assert.Greater(t, value(t, fams, "process_start_time_seconds", nil), 1.7e9)
}

// The per-tenant figures are read at most every 15 s; when a read fails
// the last figures stay, marked by the error gauge.
func TestMetrics_EngineFiguresKeptWhenAReadFails(t *testing.T) {
	src := &source{ops: []engine.TenantOps{{Tenant: "acme", OutboxPending: 1}}}
	m := metrics.New(src)
	fams := scrape(t, m.Handler(""), nil)
	assert.Equal(t, 1.0, value(t, fams, "crm_outbox_pending", map[string]string{"tenant": "acme"}))

	src.ops, src.err = nil, errors.New("store down")
	fams = scrape(t, m.Handler(""), nil)
	assert.Equal(t, 1.0, value(t, fams, "crm_outbox_pending", map[string]string{"tenant": "acme"}), "kept, not read again within 15 s")

	fresh := metrics.New(&source{err: errors.New("store down")})
	fams = scrape(t, fresh.Handler(""), nil)
	assert.Equal(t, 1.0, value(t, fams, "crm_ops_scrape_error", nil))
	assert.Equal(t, 0.0, value(t, fams, "crm_tenants", nil))
}

func TestMetrics_TokenAndEncoding(t *testing.T) {
	m := metrics.New(nil)
	h := m.Handler("s3cret")
	for _, auth := range []string{"", "Bearer wrong", "s3cret", "Basic s3cret"} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, auth)
		assert.NotContains(t, rec.Body.String(), "go_goroutines", auth)
	}
	fams := scrape(t, h, map[string]string{"Authorization": "Bearer s3cret"})
	assert.Contains(t, fams, "go_goroutines")
	assert.NotContains(t, fams, "crm_tenants", "no engine, no engine figures")

	fams = scrape(t, h, map[string]string{"Authorization": "Bearer s3cret", "Accept-Encoding": "br, gzip;q=0.5"})
	assert.Contains(t, fams, "go_goroutines", "gzip when the scraper takes it")

	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	req.Header.Set("Accept-Encoding", "gzip;q=0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Empty(t, rec.Header().Get("Content-Encoding"), "q=0 refuses gzip")
	assert.True(t, bytes.HasPrefix(rec.Body.Bytes(), []byte("# HELP")))

	req = httptest.NewRequest(http.MethodPost, "/metrics", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer s3cret")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}
