package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// report is the outcome of one invocation.
type report struct {
	cfg     Config
	servers []Server
	results []Result
	loads   map[string]string // how long each server's load took
	disk    map[string]int64  // bytes of each server's data after its load
	idle    []int64
	after   []int64
	started time.Time
	load    [2]float64 // load average (1 min) before and after the runs
}

// ratio is ours ÷ res in requests/s, and res ÷ ours in CPU time a
// request (both: how many times better ours is).
func (r report) ratio(res Result) (perSecond, cpu string) {
	if res.Server == "crm" {
		return "", ""
	}
	for _, o := range r.results {
		if o.Server == "crm" && o.Operation == res.Operation && o.Clients == res.Clients {
			if res.PerSecond > 0 {
				perSecond = fmt.Sprintf("%.1f×", o.PerSecond/res.PerSecond)
			}
			if o.CPU > 0 {
				cpu = fmt.Sprintf("%.1f×", float64(res.CPU)/float64(o.CPU))
			}
		}
	}
	return perSecond, cpu
}

func failures(res Result) int {
	n := 0
	for _, run := range res.Runs {
		n += run.Failures
	}
	return n
}

func (r report) header() []string {
	lines := []string{
		fmt.Sprintf("%s UTC, %d cores (%s/%s), load average %.1f before the runs and %.1f after",
			r.started.Format("2006-01-02 15:04"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, r.load[0], r.load[1]),
		fmt.Sprintf("%d accounts, %d deals (seed %d); %d runs of %s per operation, server and concurrency, medians; servers take turns within a round",
			r.cfg.Accounts, r.cfg.Deals, r.cfg.Seed, r.cfg.Runs, r.cfg.Duration),
	}
	for i, s := range r.servers {
		lines = append(lines, fmt.Sprintf("%s: %s; loaded in %s; %s on disk after the load; RSS %s at start, %s after the runs",
			s.Name(), s.Version(), r.loads[s.Name()], mib(r.disk[s.Name()]), mib(r.idle[i]), mib(r.after[i])))
	}
	return lines
}

// text writes the table for a terminal.
func (r report) text(w io.Writer) {
	for _, l := range r.header() {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintf(w, "\n%-16s %7s %-11s %9s %10s %10s %9s %8s %8s %6s  %s\n", "operation", "clients", "server", "req/s", "p50", "p99",
		"CPU/req", "ours ÷", "CPU ÷", "failed", "peak RSS (anon + file)")
	for _, res := range r.results {
		perSecond, cpu := r.ratio(res)
		fmt.Fprintf(w, "%-16s %7d %-11s %9.1f %10s %10s %9s %8s %8s %6d  %s\n", res.Operation, res.Clients, res.Server, res.PerSecond,
			ms(res.P50), ms(res.P99), ms(res.CPU), perSecond, cpu, failures(res), peakText(res.Peak))
	}
}

// markdown writes the table for docs/performance.md.
func (r report) markdown(w io.Writer) {
	for _, l := range r.header() {
		fmt.Fprintf(w, "- %s\n", l)
	}
	fmt.Fprintln(w, "\n| operation | clients | server | requests/s | p50 | p99 | server CPU a request | ours ÷ theirs, requests/s | theirs ÷ ours, CPU a request | failed | peak RSS (anon + file) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, res := range r.results {
		perSecond, cpu := r.ratio(res)
		fmt.Fprintf(w, "| %s | %d | %s | %.1f | %s | %s | %s | %s | %s | %d | %s |\n", res.Operation, res.Clients, res.Server, res.PerSecond,
			ms(res.P50), ms(res.P99), ms(res.CPU), perSecond, cpu, failures(res), peakText(res.Peak))
	}
}

// peakText is a peak of resident memory with its parts.
func peakText(m Memory) string {
	return fmt.Sprintf("%s (%s + %s)", mib(m.Total()), mib(m.Anon), mib(m.File))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
