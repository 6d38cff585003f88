// Command bench measures our server against PocketBase and Directus on the
// peer workload (10k accounts, 100k deals with 15 fields, the same seeded
// data on every server): each server runs on loopback with its data in a
// directory of its own, and each operation runs at each concurrency for a
// fixed time, several rounds, the servers taking turns within a round so
// that a busy machine weighs on all of them alike. It prints requests/s
// and p50/p99 latencies (medians of the rounds) and the ratio of ours to
// each peer. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config is what one invocation measures.
type Config struct {
	Servers    []string
	Operations []string
	Clients    []int
	Duration   time.Duration
	Warmup     time.Duration
	Runs       int
	Seed       uint64
	Accounts   int
	Deals      int
	Work       string // data directories, kept between invocations
	Reload     bool   // load the data again even when it is there
	LoadOnly   bool   // load the data and stop
	CRM        string // the crm binary; empty: built from the repository
	PocketBase string // the pocketbase binary; empty: built from bench/pocketbase
	Directus   string // the folder holding Directus's node_modules
	// AggregateBudget is our tenant's budget of records read by
	// aggregations per minute; 0 keeps the server's default.
	AggregateBudget int64
	Profile         string // file for a CPU profile of our server
	Trace           string // file for a runtime trace of our server
	Markdown        string // file for the table in Markdown
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := benchmark(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (Config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	servers := fs.String("servers", "crm,pocketbase,directus", "servers to measure, comma-separated: crm, crm-nocache (ours keeping no aggregate answers), pocketbase, directus")
	ops := fs.String("ops", "", "operations to measure, comma-separated (default: all)")
	clients := fs.String("clients", "1,32", "concurrent clients of each run, comma-separated")
	var cfg Config
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "length of one run")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "warm-up of each operation on each server before the runs")
	fs.IntVar(&cfg.Runs, "runs", 3, "rounds; figures are their medians")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the generated data")
	fs.IntVar(&cfg.Accounts, "accounts", 10_000, "accounts")
	fs.IntVar(&cfg.Deals, "deals", 100_000, "deals")
	fs.StringVar(&cfg.Work, "work", filepath.Join(os.TempDir(), "crm-bench"), "directory of the servers' data, kept for the next invocation")
	fs.BoolVar(&cfg.Reload, "reload", false, "load the data again even when the work directory has it")
	fs.BoolVar(&cfg.LoadOnly, "load-only", false, "load the data into the work directory (when it is not there) and stop")
	fs.StringVar(&cfg.CRM, "crm", "", "crm binary (default: built from the repository above bench/)")
	fs.StringVar(&cfg.PocketBase, "pocketbase", "", "pocketbase binary (default: built from bench/pocketbase)")
	fs.StringVar(&cfg.Directus, "directus", "directus", "folder where Directus is installed (npm ci)")
	fs.Int64Var(&cfg.AggregateBudget, "crm-aggregate-budget", 0, "our tenant's budget of records aggregations may read per minute (0: the server's default)")
	fs.StringVar(&cfg.Profile, "profile", "", "write a CPU profile of our server, taken during its first run at the highest concurrency, to this file (builds crm with -tags pprof)")
	fs.StringVar(&cfg.Trace, "trace", "", "write a runtime trace of our server, 2 s of its first run at the highest concurrency, to this file (builds crm with -tags pprof; read it with go tool trace)")
	fs.StringVar(&cfg.Markdown, "markdown", "", "also write the table in Markdown to this file")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Servers = split(*servers)
	cfg.Operations = split(*ops)
	if len(cfg.Operations) == 0 {
		for _, o := range operations {
			cfg.Operations = append(cfg.Operations, o().Name)
		}
	}
	for _, c := range split(*clients) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-clients: %q is not a positive number", c)
		}
		cfg.Clients = append(cfg.Clients, n)
	}
	if cfg.Runs < 1 || cfg.Duration <= 0 {
		return cfg, errors.New("-runs and -duration must be positive")
	}
	return cfg, nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func benchmark(ctx context.Context, cfg Config, stdout, log io.Writer) error {
	logf := func(format string, args ...any) {
		fmt.Fprintf(log, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
	}
	var ops []Operation
	for _, name := range cfg.Operations {
		op, ok := operationNamed(name)
		if !ok {
			return fmt.Errorf("no operation %q", name)
		}
		ops = append(ops, op)
	}
	if err := os.MkdirAll(cfg.Work, 0o755); err != nil {
		return err
	}
	conns := 0
	for _, c := range cfg.Clients {
		conns = max(conns, c)
	}
	servers, err := newServers(ctx, cfg, conns, logf)
	if err != nil {
		return err
	}
	w := NewWorkload(cfg.Seed, cfg.Accounts, cfg.Deals)
	loads := map[string]string{}
	disk := map[string]int64{} // bytes of each server's data after the load
	for _, s := range servers {
		dir := filepath.Join(cfg.Work, s.Name())
		took, err := prepare(ctx, s, dir, w, cfg.Reload, logf)
		if err != nil {
			return err
		}
		loads[s.Name()] = took
		if disk[s.Name()], err = diskUsage(dir); err != nil {
			return fmt.Errorf("disk used by %s: %w", s.Name(), err)
		}
	}
	if cfg.LoadOnly {
		return nil
	}
	for _, s := range servers {
		logf("start %s", s.Name())
		if err := s.Start(ctx, filepath.Join(cfg.Work, s.Name())); err != nil {
			stopAll(servers)
			return err
		}
	}
	defer stopAll(servers)
	var idle []int64
	for _, s := range servers {
		idle = append(idle, s.Process().RSS())
	}

	// Every server must give the right answer before it is measured.
	for _, op := range ops {
		for _, s := range servers {
			req, ok := op.On[requestsOf(s.Name())]
			if !ok {
				return fmt.Errorf("operation %s has no request for %s", op.Name, s.Name())
			}
			status, body, err := s.Client().Do(ctx, req.Call(w, 0, 0))
			if err == nil && status/100 != 2 {
				err = fmt.Errorf("status %d: %s", status, clip(body))
			}
			if err == nil {
				err = req.Check(w, body)
			}
			if err != nil {
				return fmt.Errorf("%s on %s: %w", op.Name, s.Name(), err)
			}
			logf("%s on %s: answer checked", op.Name, s.Name())
			if cfg.Warmup > 0 {
				measure(ctx, s.Client(), w, req, 1, cfg.Warmup)
			}
		}
	}

	load1, _, _, _ := loadAverage()
	started := time.Now().UTC()
	runs := map[string][]Run{} // by op/clients/server
	key := func(op string, c int, s string) string { return fmt.Sprintf("%s/%d/%s", op, c, s) }
	top := cfg.Clients[len(cfg.Clients)-1]
	for round := 1; round <= cfg.Runs; round++ {
		for _, op := range ops {
			for _, c := range cfg.Clients {
				for _, s := range servers {
					var profile chan error
					if cfg.Profile != "" && s.Name() == "crm" && round == 1 && c == top && op.Name == ops[0].Name {
						profile = make(chan error, 1)
						go func() { profile <- takeProfile(ctx, s.(*crmServer), cfg.Duration, cfg.Profile) }()
					}
					var trace chan error
					if cfg.Trace != "" && s.Name() == "crm" && round == 1 && c == top && op.Name == ops[0].Name {
						trace = make(chan error, 1)
						go func() { trace <- takeTrace(ctx, s.(*crmServer), cfg.Duration, cfg.Trace) }()
					}
					cpu := s.Process().CPU()
					peak := peakMemory(ctx, s.Process(), 100*time.Millisecond)
					r := measure(ctx, s.Client(), w, op.On[requestsOf(s.Name())], c, cfg.Duration)
					r.CPU = s.Process().CPU() - cpu
					r.Peak = peak()
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if profile != nil {
						if err := <-profile; err != nil {
							logf("profile: %v", err)
						} else {
							logf("CPU profile of crm written to %s", cfg.Profile)
						}
					}
					if trace != nil {
						if err := <-trace; err != nil {
							logf("trace: %v", err)
						} else {
							logf("trace of crm written to %s", cfg.Trace)
						}
					}
					k := key(op.Name, c, s.Name())
					runs[k] = append(runs[k], r)
					logf("round %d %s %d clients %s: %.1f/s p50 %s p90 %s p99 %s max %s, CPU %s a request, %d failed %s", round, op.Name, c, s.Name(),
						r.PerSecond(), ms(r.Percentile(0.5)), ms(r.Percentile(0.9)), ms(r.Percentile(0.99)), ms(r.Percentile(1)), fineMs(r.CPUPerRequest()), r.Failures, r.FirstFail)
				}
			}
		}
	}
	load2, _, _, _ := loadAverage()
	var results []Result
	for _, op := range ops {
		for _, c := range cfg.Clients {
			for _, s := range servers {
				results = append(results, summarize(s.Name(), op.Name, c, runs[key(op.Name, c, s.Name())]))
			}
		}
	}
	rep := report{cfg: cfg, servers: servers, results: results, loads: loads, disk: disk, idle: idle, started: started,
		load: [2]float64{load1, load2}}
	for _, s := range servers {
		rep.after = append(rep.after, s.Process().RSS())
	}
	rep.text(stdout)
	if cfg.Markdown != "" {
		f, err := os.Create(cfg.Markdown)
		if err != nil {
			return err
		}
		defer f.Close()
		rep.markdown(f)
	}
	return nil
}

// requestsOf names the server whose requests a server takes: crm-nocache
// is ours with no aggregate answers kept (--aggregate-cache-mb 0).
func requestsOf(server string) string {
	if server == "crm-nocache" {
		return "crm"
	}
	return server
}

// newServers builds what the servers need and returns them.
func newServers(ctx context.Context, cfg Config, conns int, logf func(string, ...any)) ([]Server, error) {
	var out []Server
	var err error
	bin := filepath.Join(cfg.Work, "bin")
	for _, name := range cfg.Servers {
		switch name {
		case "crm", "crm-nocache":
			s := &crmServer{name: name, binary: cfg.CRM, tenant: "bench", aggregateBudget: cfg.AggregateBudget, conns: conns,
				keepNoAnswers: name == "crm-nocache"}
			if s.binary == "" {
				s.binary = filepath.Join(bin, "crm")
				args := []string{"build", "-o", s.binary}
				if cfg.Profile != "" || cfg.Trace != "" {
					args = append(args, "-tags", "pprof")
				}
				logf("build crm")
				if _, err := run(ctx, "..", nil, "go", append(args, "./cmd/crm")...); err != nil {
					return nil, err
				}
			}
			if s.binary, err = installed(s.binary, filepath.Join(cfg.Work, "run")); err != nil {
				return nil, err
			}
			if cfg.Profile != "" || cfg.Trace != "" {
				port, err := freePort()
				if err != nil {
					return nil, err
				}
				s.pprofAddr = fmt.Sprintf("127.0.0.1:%d", port)
			}
			out = append(out, s)
		case "pocketbase":
			s := &pocketBaseServer{binary: cfg.PocketBase, version: pocketBaseVersion("pocketbase"), conns: conns}
			if s.binary == "" {
				s.binary = filepath.Join(bin, "pocketbase")
				logf("build pocketbase %s", s.version)
				if _, err := run(ctx, "pocketbase", nil, "go", "build", "-o", s.binary, "."); err != nil {
					return nil, err
				}
			}
			if s.binary, err = installed(s.binary, filepath.Join(cfg.Work, "run")); err != nil {
				return nil, err
			}
			out = append(out, s)
		case "directus":
			home, err := filepath.Abs(cfg.Directus)
			if err != nil {
				return nil, err
			}
			out = append(out, &directusServer{home: home, version: directusVersion(home), conns: conns})
		default:
			return nil, fmt.Errorf("no server %q (crm, crm-nocache, pocketbase, directus)", name)
		}
	}
	return out, nil
}

// prepare loads w into dir unless dir already holds it; it returns how
// long the load took (now or when it was made).
func prepare(ctx context.Context, s Server, dir string, w *Workload, reload bool, logf func(string, ...any)) (string, error) {
	mark := filepath.Join(dir, "loaded")
	if b, err := os.ReadFile(mark); err == nil && !reload {
		lines := strings.SplitN(string(b), "\n", 2)
		if lines[0] == w.Fingerprint() {
			logf("%s: data already loaded in %s", s.Name(), dir)
			if len(lines) == 2 {
				return strings.TrimSpace(lines[1]), nil
			}
			return "", nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	logf("%s: load %d accounts and %d deals into %s", s.Name(), len(w.Accounts), len(w.Deals), dir)
	start := time.Now()
	if err := s.Prepare(ctx, dir, w); err != nil {
		return "", fmt.Errorf("prepare %s: %w", s.Name(), err)
	}
	took := time.Since(start).Round(time.Second)
	logf("%s: loaded in %s", s.Name(), took)
	note := fmt.Sprintf("%s (%.0f records/s)", took, float64(len(w.Accounts)+len(w.Deals))/took.Seconds())
	return note, os.WriteFile(mark, []byte(w.Fingerprint()+"\n"+note+"\n"), 0o644)
}

func stopAll(servers []Server) {
	for _, s := range servers {
		if s.Process() != nil {
			s.Stop()
		}
	}
}

// takeProfile fetches a CPU profile of our server over d.
func takeProfile(ctx context.Context, s *crmServer, d time.Duration, file string) error {
	secs := max(int(d.Seconds())-1, 1)
	return fetchTo(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprofAddr, secs), file)
}

// takeTrace fetches a runtime trace of our server: 2 s from a second
// into a run of d (or less, in a shorter run).
func takeTrace(ctx context.Context, s *crmServer, d time.Duration, file string) error {
	wait := min(time.Second, d/4)
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	secs := min(2.0, (d-wait).Seconds()-0.5)
	return fetchTo(ctx, fmt.Sprintf("http://%s/debug/pprof/trace?seconds=%.1f", s.pprofAddr, max(secs, 0.1)), file)
}

// fetchTo writes what url answers to file.
func fetchTo(ctx context.Context, url, file string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadAverage reads the machine's load averages.
func loadAverage() (one, five, fifteen float64, err error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, 0, 0, err
	}
	_, err = fmt.Sscan(string(b), &one, &five, &fifteen)
	return one, five, fifteen, err
}

// directusVersion reads the installed Directus's version.
func directusVersion(home string) string {
	b, err := os.ReadFile(filepath.Join(home, "node_modules", "directus", "package.json"))
	if err != nil {
		return "(not installed)"
	}
	const key = `"version": "`
	s := string(b)
	if i := strings.Index(s, key); i >= 0 {
		s = s[i+len(key):]
		if j := strings.IndexByte(s, '"'); j >= 0 {
			return s[:j]
		}
	}
	return "?"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// fineMs is ms to the microsecond: the log line of a run, where a change
// of some tens of microseconds of CPU a request is what is compared.
func fineMs(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// installed copies the binary at path into dir with plain writes, as an
// installation would, and returns the copy's path. The servers run from
// such copies so that their resident file pages compare fairly: a binary
// the Go linker has just written (through a memory map) showed about
// 6 MiB more RSS at start than a copy of the same file, and our binary is
// rebuilt for every run while PocketBase's is reused.
func installed(path, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	in, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	defer in.Close()
	dst := filepath.Join(dir, filepath.Base(path))
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*")
	if err != nil {
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	return dst, nil
}
