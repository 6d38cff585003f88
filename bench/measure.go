package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Run is one timed run of an operation on a server at a concurrency.
type Run struct {
	Requests  int
	Late      int // answered after the run's end: not counted but waited for
	Failures  int
	FirstFail string // the first failure, to report
	Elapsed   time.Duration
	Latencies []time.Duration // of the successful requests, sorted
	// CPU is the processor time the server used during the run
	// (including the wait for its last requests).
	CPU time.Duration
	// Peak is the server's largest resident memory sampled during the
	// run.
	Peak Memory
}

// CPUPerRequest is the server's processor time per request answered
// (late ones too, since the run's CPU time includes them): unlike
// requests/s, it hardly depends on what else the machine runs.
func (r Run) CPUPerRequest() time.Duration {
	if n := r.Requests + r.Late + r.Failures; n > 0 {
		return r.CPU / time.Duration(n)
	}
	return 0
}

// PerSecond is the successful requests a second.
func (r Run) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Percentile is the latency below which fraction p of the requests
// answered.
func (r Run) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(p*float64(len(r.Latencies))+0.5) - 1
	return r.Latencies[min(max(i, 0), len(r.Latencies)-1)]
}

// measure runs clients concurrent loops of req against cl for d: each
// loop sends a request as soon as its previous one is answered (a closed
// loop, as wrk does). Answers other than 2xx count as failures; requests
// answered after d are not counted, but waited for, so that a server
// starts the next run without work left over from this one.
func measure(ctx context.Context, cl *Client, w *Workload, req Request, clients int, d time.Duration) Run {
	var (
		mu  sync.Mutex
		out Run
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			fails, late, first := 0, 0, ""
			for n := 0; ctx.Err() == nil && time.Now().Before(deadline); n++ {
				t := time.Now()
				status, body, err := cl.Do(ctx, req.Call(w, c, n))
				if time.Now().After(deadline) {
					late++ // answered after the run: not counted
					break
				}
				switch {
				case err != nil:
					fails++
					if first == "" {
						first = err.Error()
					}
				case status/100 != 2:
					fails++
					if first == "" {
						first = fmt.Sprintf("status %d: %s", status, clip(body))
					}
				default:
					lat = append(lat, time.Since(t))
				}
			}
			mu.Lock()
			out.Latencies = append(out.Latencies, lat...)
			out.Requests += len(lat)
			out.Failures += fails
			out.Late += late
			if out.FirstFail == "" {
				out.FirstFail = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = d
	slices.Sort(out.Latencies)
	return out
}

// Result is the median of an operation's runs on one server at one
// concurrency.
type Result struct {
	Server    string
	Operation string
	Clients   int
	PerSecond float64
	P50, P99  time.Duration
	CPU       time.Duration // server CPU time per request
	Peak      Memory        // the largest of the runs' peaks
	Runs      []Run
}

// summarize takes the median of each figure over runs.
func summarize(server, op string, clients int, runs []Run) Result {
	r := Result{Server: server, Operation: op, Clients: clients, Runs: runs}
	var rps []float64
	var p50, p99, cpu []time.Duration
	for _, run := range runs {
		rps = append(rps, run.PerSecond())
		p50 = append(p50, run.Percentile(0.50))
		p99 = append(p99, run.Percentile(0.99))
		cpu = append(cpu, run.CPUPerRequest())
		if run.Peak.Total() > r.Peak.Total() {
			r.Peak = run.Peak
		}
	}
	r.PerSecond, r.P50, r.P99, r.CPU = median(rps), median(p50), median(p99), median(cpu)
	return r
}

func median[T int | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
