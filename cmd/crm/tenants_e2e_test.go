package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// Many tenants on one machine (issue 21). TestServe_ManyTenants makes
// CRM_TENANTS tenants (default 300; the published run has 10,000): a few
// with the b2b-sales template and its sample data, the rest small (one
// object, two records); then it starts `crm serve` in a process of its
// own with --open-tenants CRM_OPEN_TENANTS (default 16) and reports its
// startup time, resident memory and open files, the latency of requests
// to cold and warm tenants, uniform and skewed (a few hot tenants), the
// server's CPU while its worker ticks over idle tenants, and in this
// process a worker pass with the due index against one that visits every
// tenant. Every phase is a fixed number of requests or passes, never a
// duration, and nothing asserts a speed. Run the big one with
//
//	CRM_TENANTS=10000 CRM_OPEN_TENANTS=256 CRM_TENANTS_REPORT=/tmp/tenants.txt \
//	  go test -run TestServe_ManyTenants -v -timeout 60m ./cmd/crm
//
// CRM_TENANTS_DIR keeps (and on the next run reuses) the data directory.

func envNumber(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	require.Positive(t, n, name)
	return n
}

const memoDef = `{"$id": "memo", "type": "object", "properties": {
  "title": {"type": "string", "x-crm-type": "text"},
  "done":  {"type": "boolean", "x-crm-type": "boolean"}}, "required": ["title"]}`

// makeTenants creates n tenants in dir, the first templated ones with the
// b2b-sales template and sample data, and returns an API key of each.
func makeTenants(t *testing.T, dir string, n, templated int) []string {
	t.Helper()
	keysFile := filepath.Join(dir, "bench-keys.txt")
	if b, err := os.ReadFile(keysFile); err == nil {
		if keys := strings.Fields(string(b)); len(keys) == n {
			return keys
		}
	}
	ctx := context.Background()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL", ReadConns: 1, OpenTenants: 8})
	require.NoError(t, err)
	key, err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).dataDirKey(dir) // the one the server reads
	require.NoError(t, err)
	eng, err := engine.New(engine.Config{Store: st, Logger: slog.New(slog.DiscardHandler), ExportDir: t.TempDir(), EncryptionKey: key})
	require.NoError(t, err)
	tpl, err := install.Template("b2b-sales")
	require.NoError(t, err)
	keys := make([]string, n)
	var mu sync.Mutex
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := range jobs {
				if err := makeTenant(ctx, eng, i, i < templated, tpl, keys); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	require.NoError(t, firstErr)
	require.NoError(t, eng.Close())
	require.NoError(t, st.Close())
	require.NoError(t, os.WriteFile(keysFile, []byte(strings.Join(keys, "\n")), 0o600))
	return keys
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func makeTenant(ctx context.Context, eng *engine.Engine, i int, templated bool, tpl *template.Template, keys []string) error {
	id := fmt.Sprintf("t%05d", i)
	if _, err := eng.CreateTenant(ctx, id, id); err != nil {
		return err
	}
	admin := engine.WithActor(ctx, engine.Actor{TenantID: id, ID: "user:bench", Admin: true})
	if templated {
		if _, err := eng.CreateUser(admin, id, engine.NewUser{Username: "rep", Password: "correct horse battery"}); err != nil {
			return fmt.Errorf("tenant %s: %w", id, err)
		}
		opts := template.InstallOptions{Sample: install.Sample(tpl.Name, sample.Options{Records: 300, Seed: int64(i)})}
		if _, err := eng.InstallTemplate(admin, tpl, opts); err != nil {
			return fmt.Errorf("tenant %s: install b2b-sales: %w", id, err)
		}
	}
	if _, err := eng.SaveObject(admin, []byte(memoDef), engine.SaveOptions{}); err != nil {
		return fmt.Errorf("tenant %s: %w", id, err)
	}
	for _, title := range []string{"first", "second"} {
		if _, err := eng.CreateRecord(admin, "memo", map[string]any{"title": title}); err != nil {
			return fmt.Errorf("tenant %s: %w", id, err)
		}
	}
	key, _, err := eng.CreateAPIKey(admin, id, "bench")
	if err != nil {
		return fmt.Errorf("tenant %s: %w", id, err)
	}
	keys[i] = key
	return nil
}

// procStats reads a process's resident memory, open files and CPU time.
func procStats(t *testing.T, pid int) (rssKiB int64, files int, cpu time.Duration) {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rssKiB, _ = strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	require.NoError(t, err)
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return rssKiB, len(fds), time.Duration(utime+stime) * (time.Second / 100) // USER_HZ
}

// latencies runs requests (tenant indexes) with clients at once and
// returns their latencies, sorted.
func latencies(t *testing.T, url string, keys []string, tenants []int, clients int) []time.Duration {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 2 * time.Minute}
	body := []byte(`{"query": "{ memos(first: 10) { totalCount } }"}`)
	out := make([]time.Duration, len(tenants))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure error
	for range clients {
		wg.Go(func() {
			for j := range next {
				req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+keys[tenants[j]])
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					var b []byte
					b, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && (resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"totalCount":2`))) {
						err = fmt.Errorf("tenant %d: status %d: %s", tenants[j], resp.StatusCode, b)
					}
				}
				out[j] = time.Since(start)
				if err != nil {
					mu.Lock()
					failure = cmpErr(failure, err)
					mu.Unlock()
				}
			}
		})
	}
	for j := range tenants {
		next <- j
	}
	close(next)
	wg.Wait()
	require.NoError(t, failure)
	slices.Sort(out)
	return out
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	v := d[min(len(d)-1, int(float64(len(d))*p))]
	return fmt.Sprintf("%.1f ms", float64(v)/float64(time.Millisecond))
}

// dueNow counts the tenants the server's due index has due now.
func dueNow(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "system.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM due_index WHERE due_at <= ?`, store.FormatTime(time.Now())).Scan(&n))
	return n
}

// noIndex is a store without its due index: the worker visits every
// tenant, as before the index.
type noIndex struct{ store.Store }

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestServe_ManyTenants(t *testing.T) {
	if testing.Short() {
		t.Skip("makes hundreds of tenants")
	}
	n := envNumber(t, "CRM_TENANTS", 300)
	open := envNumber(t, "CRM_OPEN_TENANTS", 16)
	templated := max(1, n/3000)
	dir := os.Getenv("CRM_TENANTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	var report strings.Builder
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		t.Log(line)
		report.WriteString(line + "\n")
	}
	one, _, _ := loadAvg()
	say("tenants: %d (%d with b2b-sales and its sample data), --open-tenants %d, load average %.1f", n, templated, open, one)

	started := time.Now()
	keys := makeTenants(t, dir, n, templated)
	say("made the tenants in %s", time.Since(started).Round(time.Second))

	started = time.Now()
	p := spawn(t, "--addr", "127.0.0.1:0", "--data", dir, "--open-tenants", strconv.Itoa(open),
		"--rate-per-key", "0", "--rate-per-ip", "0", "--metrics-addr", "off", "--log-format", "json")
	p.wait(t)
	say("startup: listening after %s", time.Since(started).Round(time.Millisecond))
	pid := p.cmd.Process.Pid
	rss, files, _ := procStats(t, pid)
	say("at start: RSS %d MiB, open files %d", rss>>10, files)

	// The worker's first passes visit the tenants the making left due
	// (1,000 a pass); wait until none is due.
	deadline := time.Now().Add(10 * time.Minute)
	due := dueNow(t, dir)
	for ; due > 0 && time.Now().Before(deadline); due = dueNow(t, dir) {
		time.Sleep(500 * time.Millisecond)
	}
	say("first passes over every tenant done after %s (tenants still due: %d)", time.Since(started).Round(time.Second), due)
	_, _, cpu0 := procStats(t, pid)
	time.Sleep(20 * time.Second) // twenty ticks of an idle server
	rss, files, cpu1 := procStats(t, pid)
	say("idle: server CPU a second (a worker tick, %d idle tenants) %.1f ms (clock ticks of 10 ms over 20 s); RSS %d MiB, open files %d",
		n, float64(cpu1-cpu0)/20/float64(time.Millisecond), rss>>10, files)

	rng := rand.New(rand.NewPCG(21, uint64(n)))
	hot := []int{}
	for i := range min(8, n) {
		hot = append(hot, (i*7919)%n)
	}
	requests := min(2000, 4*n)
	phase := func(name string, tenants []int) {
		_, _, before := procStats(t, pid)
		lat := latencies(t, p.URL, keys, tenants, 4)
		rss, files, after := procStats(t, pid)
		say("%-34s %5d requests  p50 %-9s p99 %-9s server CPU a request %.2f ms  RSS %d MiB  open files %d",
			name, len(tenants), pct(lat, 0.5), pct(lat, 0.99), float64(after-before)/float64(len(tenants))/float64(time.Millisecond), rss>>10, files)
		require.LessOrEqual(t, files, maxOpenFiles(open), "docs/deploy.md's bound on open files")
	}
	// Cold: each tenant once, picked from all (most are not open).
	cold := rng.Perm(n)[:min(n, requests/4)]
	phase("cold tenants (each once)", cold)
	warm := make([]int, requests)
	for j := range warm {
		warm[j] = hot[j%len(hot)]
	}
	phase("warm tenants (8 hot)", warm)
	uniform := make([]int, requests)
	for j := range uniform {
		uniform[j] = rng.IntN(n)
	}
	phase("uniform over all tenants", uniform)
	skewed := make([]int, requests)
	for j := range skewed {
		if rng.IntN(10) < 9 {
			skewed[j] = hot[rng.IntN(len(hot))]
		} else {
			skewed[j] = rng.IntN(n)
		}
	}
	phase("skewed (90% to 8 hot tenants)", skewed)
	// Every tenant once: what the server keeps after serving all of them
	// (the engine's per-tenant state is bounded by --open-tenants).
	phase("every tenant once", rng.Perm(n))

	// The server stops; in this process, one worker pass with the due
	// index (nothing due) against one over every tenant.
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	_ = p.cmd.Wait()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: dir, OpenTenants: open})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	for _, sc := range []struct {
		name string
		st   store.Store
	}{{"with the due index", st}, {"visiting every tenant", noIndex{st}}} {
		key, err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).dataDirKey(dir)
		require.NoError(t, err)
		eng, err := engine.New(engine.Config{Store: sc.st, Logger: slog.New(slog.DiscardHandler), ExportDir: t.TempDir(), EncryptionKey: key})
		require.NoError(t, err)
		passes := 1
		if sc.st == st {
			// The first pass gives the due index's entries to this engine.
			_, err = worker.RunDue(t.Context(), eng.Queues(), worker.Config{})
			require.NoError(t, err)
		}
		opens, cpu, wall := st.CacheStats().Opens, processCPU(), time.Now()
		for range passes {
			_, err = worker.RunDue(t.Context(), eng.Queues(), worker.Config{})
			require.NoError(t, err)
		}
		say("worker pass %-22s %9.1f ms, CPU %9.1f ms, tenant databases opened %d",
			sc.name, float64(time.Since(wall))/float64(passes)/float64(time.Millisecond),
			float64(processCPU()-cpu)/float64(passes)/float64(time.Millisecond), (st.CacheStats().Opens-opens)/int64(passes))
		require.NoError(t, eng.Close())
	}
	if out := os.Getenv("CRM_TENANTS_REPORT"); out != "" {
		require.NoError(t, os.WriteFile(out, []byte(report.String()), 0o644))
	}
}

// maxOpenFiles is docs/deploy.md's bound on the files a server with
// --open-tenants open holds: each open database and system.db with a
// writer and a reader a CPU (a database file and a -wal file each) and
// its -shm file twice (SQLite's and the store's), and 30 more.
func maxOpenFiles(open int) int {
	return (open+1)*(2*(1+runtime.NumCPU())+2) + 30
}

func loadAvg() (one, five, fifteen float64) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, 0, 0
	}
	f := strings.Fields(string(b))
	one, _ = strconv.ParseFloat(f[0], 64)
	five, _ = strconv.ParseFloat(f[1], 64)
	fifteen, _ = strconv.ParseFloat(f[2], 64)
	return one, five, fifteen
}
