package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkload_Deterministic(t *testing.T) {
	a, b := NewWorkload(7, 50, 500), NewWorkload(7, 50, 500)
	assert.Equal(t, a, b, "the same seed makes the same records")
	assert.NotEqual(t, a.Deals, NewWorkload(8, 50, 500).Deals, "another seed makes others")

	var n int64
	for stage, total := range a.ByStage() {
		assert.Positive(t, total.Count, stage)
		n += total.Count
	}
	assert.Equal(t, int64(500), n, "every deal is in one stage")
	for _, d := range a.Deals {
		assert.Less(t, d.Account, 50, "lookups name generated accounts")
	}
}

func TestSameTotals(t *testing.T) {
	want := map[string]StageTotal{"won": {Count: 3, Sum: 1e9 + 0.25}, "lost": {Count: 1, Sum: 2}}
	scenarios := []struct {
		name    string
		got     map[string]StageTotal
		problem string
	}{
		{"equal", map[string]StageTotal{"won": {3, 1e9 + 0.25}, "lost": {1, 2}}, ""},
		{"a sum off by float noise", map[string]StageTotal{"won": {3, 1e9 + 0.2500001}, "lost": {1, 2}}, ""},
		{"a sum off by a yuan", map[string]StageTotal{"won": {3, 1e9 + 1.25}, "lost": {1, 2}}, "won: sum"},
		{"a count off", map[string]StageTotal{"won": {2, 1e9 + 0.25}, "lost": {1, 2}}, "won: count 2, want 3"},
		{"a group missing", map[string]StageTotal{"won": {3, 1e9 + 0.25}}, "lost missing"},
		{"a group too many", map[string]StageTotal{"won": {3, 1e9 + 0.25}, "lost": {1, 2}, "new": {1, 1}}, "unexpected group new"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			err := sameTotals(want, sc.got)
			if sc.problem == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), sc.problem)
		})
	}
}

func TestCheckPage(t *testing.T) {
	w := NewWorkload(1, 20, 5000)
	var page []pageDeal
	for _, i := range pageOrder(w) {
		d := w.Deals[i]
		page = append(page, pageDeal{d.Title, d.Stage, d.Amount, d.CloseDate, w.Accounts[d.Account].Name})
		if len(page) == pageSize {
			break
		}
	}
	require.Len(t, page, pageSize, "the workload has a full page")
	assert.NoError(t, checkPage(w, page, true))

	swapped := append([]pageDeal(nil), page...)
	swapped[0], swapped[len(swapped)-1] = swapped[len(swapped)-1], swapped[0]
	assert.Error(t, checkPage(w, swapped, false), "out of order")
	otherAccount := append([]pageDeal(nil), page...)
	otherAccount[3].AccountName = "nobody"
	assert.Error(t, checkPage(w, otherAccount, true), "a wrong account")
	assert.NoError(t, checkPage(w, otherAccount, false), "accounts unchecked without them")
	assert.Error(t, checkPage(w, page[:10], false), "a short page")
}

// pageOrder lists the deals of the page's filter by close date, latest
// first.
func pageOrder(w *Workload) []int {
	var out []int
	for date := "2027-12-31"; date >= "2026-01-01"; {
		for i, d := range w.Deals {
			if d.Stage == pageStage && d.Amount > pageAmount && d.CloseDate == date {
				out = append(out, i)
			}
		}
		day, _ := time.Parse(time.DateOnly, date)
		date = day.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return out
}

func TestRun_Figures(t *testing.T) {
	r := Run{Requests: 4, Late: 1, Failures: 1, Elapsed: 2 * time.Second, CPU: 60 * time.Millisecond,
		Latencies: []time.Duration{1 * time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 40 * time.Millisecond}}
	assert.Equal(t, 2.0, r.PerSecond())
	assert.Equal(t, 2*time.Millisecond, r.Percentile(0.5))
	assert.Equal(t, 40*time.Millisecond, r.Percentile(0.99))
	assert.Equal(t, 10*time.Millisecond, r.CPUPerRequest(), "late and failed requests used the CPU too")
	assert.Zero(t, Run{}.Percentile(0.5))
	assert.Zero(t, Run{}.CPUPerRequest())

	res := summarize("crm", "op", 1, []Run{
		{Requests: 10, Elapsed: time.Second}, {Requests: 30, Elapsed: time.Second}, {Requests: 20, Elapsed: time.Second}})
	assert.Equal(t, 20.0, res.PerSecond, "the median of the rounds")
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))

	peaks := summarize("crm", "op", 1, []Run{{Peak: Memory{Anon: 5, File: 1}}, {Peak: Memory{Anon: 2, File: 9}}, {Peak: Memory{Anon: 3}}})
	assert.Equal(t, Memory{Anon: 2, File: 9}, peaks.Peak, "the largest peak of the rounds, not a median")
}

func TestDiskUsage_CountsTheServersFilesOnly(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data", "tenants"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "tenants", "t.db"), make([]byte, 64<<10), 0o644))
	for name := range driverFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), make([]byte, 1<<20), 0o644))
	}
	used, err := diskUsage(dir)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, used, int64(64<<10), "the data file's blocks")
	assert.Less(t, used, int64(1<<20), "the driver's export, log, key and mark are not the server's")

	_, err = diskUsage(filepath.Join(dir, "missing"))
	assert.Error(t, err)
}

func TestMemory_OfAProcessGroup(t *testing.T) {
	p, err := startProcess(t.TempDir(), filepath.Join(t.TempDir(), "log"), nil, "sleep", "30")
	require.NoError(t, err)
	defer p.Stop()
	stop := peakMemory(context.Background(), p, 10*time.Millisecond)
	m := stop()
	assert.Positive(t, m.Anon+m.File, "a running process has resident pages")
	assert.Equal(t, m.Anon+m.File, m.Total())
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-clients", "1,8", "-ops", "countSumByStage"})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 8}, cfg.Clients)
	assert.Equal(t, []string{"crm", "pocketbase", "directus"}, cfg.Servers)
	assert.Equal(t, 10*time.Second, cfg.Duration)

	all, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Len(t, all.Operations, len(operations), "every read operation by default")
	assert.NotContains(t, all.Operations, "bulkCreate", "writes run only when named")
	assert.NotContains(t, all.Operations, "createDeal", "writes run only when named")
	writes, err := parseFlags([]string{"-ops", "createDeal,bulkCreate"})
	require.NoError(t, err)
	for _, name := range append(all.Operations, writes.Operations...) {
		op, ok := operationNamed(name)
		require.True(t, ok)
		for _, server := range all.Servers {
			assert.Contains(t, op.On, server, "%s asks every server", name)
		}
	}
	_, err = parseFlags([]string{"-clients", "0"})
	assert.Error(t, err)
}

func TestBulkCreate_Check(t *testing.T) {
	w := NewWorkload(1, 20, 1000)
	op, ok := operationNamed("bulkCreate")
	require.True(t, ok)
	deals := bulkDeals(w, 3, 2)
	require.Len(t, deals, bulkBatch)
	assert.NotEqual(t, deals, bulkDeals(w, 3, 3), "each call creates other copies")
	results := func(last string) []byte {
		out := make([]map[string]any, bulkBatch)
		for k := range out {
			out[k] = map[string]any{"outcome": "created", "error": nil}
		}
		out[bulkBatch-1]["outcome"] = last
		return jsonBody(map[string]any{"data": map[string]any{"createDeals": out}})
	}
	assert.NoError(t, op.On["crm"].Check(w, results("created")))
	assert.ErrorContains(t, op.On["crm"].Check(w, results("failed")), "deal 499 of the batch was not created")
	assert.ErrorContains(t, op.On["pocketbase"].Check(w, []byte(`[{"status": 200}]`)), "1 results, want 500")
}

func TestCreateDeal_Check(t *testing.T) {
	w := NewWorkload(1, 20, 1000)
	op, ok := operationNamed("createDeal")
	require.True(t, ok)
	d := w.Deals[dealOf(w, 0, 0)]
	assert.NotEqual(t, dealOf(w, 0, 1), dealOf(w, 0, 2), "each call creates another copy")
	crm := func(title string) []byte {
		return jsonBody(map[string]any{"data": map[string]any{"createDeal": map[string]any{"id": "x", "title": title, "amount": d.Amount}}})
	}
	assert.NoError(t, op.On["crm"].Check(w, crm(d.Title)))
	assert.Error(t, op.On["crm"].Check(w, crm("other")))
	assert.ErrorContains(t, op.On["crm"].Check(w, []byte(`{"data": {"createDeal": null}, "errors": [{"message": "invalid"}]}`)), "invalid")
	assert.NoError(t, op.On["pocketbase"].Check(w, jsonBody(map[string]any{"id": "p1", "title": d.Title, "amount": d.Amount})))
	assert.ErrorContains(t, op.On["pocketbase"].Check(w, []byte(`{"title": "x"}`)), "no record created")
	assert.NoError(t, op.On["directus"].Check(w, jsonBody(map[string]any{"data": map[string]any{"id": 7, "title": d.Title, "amount": d.Amount}})))
}
