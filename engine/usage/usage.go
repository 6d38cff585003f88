// Package usage counts what each tenant uses — script runs and their
// time, API requests, requests refused by rate limits — per hour for the
// last day, in memory, so that administrators can see their usage next to
// their limits. Counts start again when the process starts; they are not
// a bill.
package usage

import (
	"sync"
	"time"
)

// Counter names one thing counted.
type Counter string

// The counters.
const (
	ScriptRuns        Counter = "script.runs"       // script runs (validation, hooks, scheduled, tests)
	ScriptFailures    Counter = "script.failures"   // runs that ended in an error
	ScriptLimitStops  Counter = "script.limitStops" // runs stopped by a budget (time, calls, memory, stack)
	ScriptMillis      Counter = "script.time"       // milliseconds spent in runs
	ScriptLongest     Counter = "script.longest"    // the longest run, in milliseconds (a maximum, not a sum)
	APIRequests       Counter = "api.requests"      // authenticated API requests
	APIRateLimited    Counter = "api.rateLimited"   // requests refused by the per-key rate limit
	AggregateRows     Counter = "aggregate.rows"    // records read by aggregations
	AggregateRefused  Counter = "aggregate.refused" // aggregations refused by their bounds
	AggregateCached   Counter = "aggregate.cached"  // aggregations answered from a kept answer
	ChannelSent       Counter = "channel.sent"      // notifications sent on e-mail and group robots (tests included)
	ChannelFailures   Counter = "channel.failures"  // attempts to send on a channel that failed
	hoursKept                 = 24
	maxTenantsTracked         = 100_000
)

// maxima are the counters that keep the largest value rather than a sum.
var maxima = map[Counter]bool{ScriptLongest: true}

// Meter counts per tenant, per minute for the last hour and per hour for
// the last day. The zero value is not usable; call [New]. A nil *Meter
// counts nothing.
type Meter struct {
	now func() time.Time

	mu      sync.Mutex
	tenants map[string]*tenantCounts
	swept   int64 // the minute (since the epoch) tenants without counts were last dropped
}

type tenantCounts struct {
	minutes ring // slots of a minute, the last hour
	hours   ring // slots of an hour, the last day
}

// ring keeps the last len(slots) periods; a slot holds the counts of the
// period it is stamped with.
type ring struct {
	slots []slot
}

type slot struct {
	period int64 // periods since the Unix epoch
	counts map[Counter]float64
}

func newRing(n int) ring { return ring{slots: make([]slot, n)} }

func (r ring) add(period int64, c Counter, v float64) {
	s := &r.slots[period%int64(len(r.slots))]
	if s.period != period || s.counts == nil {
		s.period, s.counts = period, map[Counter]float64{}
	}
	fold(s.counts, c, v)
}

// sum folds the counts of the periods after now-len(slots).
func (r ring) sum(now int64, into map[Counter]float64) {
	for _, s := range r.slots {
		if age := now - s.period; s.counts != nil && age >= 0 && age < int64(len(r.slots)) {
			for c, v := range s.counts {
				fold(into, c, v)
			}
		}
	}
}

// New returns a meter reading time from now (time.Now if nil).
func New(now func() time.Time) *Meter {
	if now == nil {
		now = time.Now
	}
	return &Meter{now: now, tenants: map[string]*tenantCounts{}}
}

// Add counts v of c for tenant now (for a maximum, keeps v if it is
// larger).
func (m *Meter) Add(tenant string, c Counter, v float64) {
	if m == nil || tenant == "" {
		return
	}
	sec := m.now().Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil {
		if len(m.tenants) >= sweptFrom && sec/60 != m.swept {
			m.swept = sec / 60
			m.dropIdle(sec / 3600)
		}
		if len(m.tenants) >= maxTenantsTracked {
			return // tenants come from authenticated callers; this bounds a misuse
		}
		t = &tenantCounts{minutes: newRing(60), hours: newRing(hoursKept)}
		m.tenants[tenant] = t
	}
	t.minutes.add(sec/60, c, v)
	t.hours.add(sec/3600, c, v)
}

// Totals are a tenant's counts over the last 60 minutes and over the last
// 24 clock hours (the current one included).
type Totals struct {
	Hour, Day map[Counter]float64
}

// Totals returns tenant's counts.
func (m *Meter) Totals(tenant string) Totals {
	out := Totals{Hour: map[Counter]float64{}, Day: map[Counter]float64{}}
	if m == nil {
		return out
	}
	sec := m.now().Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if t := m.tenants[tenant]; t != nil {
		t.minutes.sum(sec/60, out.Hour)
		t.hours.sum(sec/3600, out.Day)
	}
	return out
}

func fold(into map[Counter]float64, c Counter, v float64) {
	if maxima[c] {
		into[c] = max(into[c], v)
	} else {
		into[c] += v
	}
}

// sweptFrom is how many tenants a meter tracks before it drops, at most
// once a minute, those with nothing counted in the last day.
const sweptFrom = 1024

// dropIdle drops the tenants none of whose counts is within the day
// before hour: they would report zeros, as an unknown tenant does.
func (m *Meter) dropIdle(hour int64) {
	for id, t := range m.tenants {
		idle := true
		for _, s := range t.hours.slots {
			if age := hour - s.period; s.counts != nil && age < int64(len(t.hours.slots)) {
				idle = false
				break
			}
		}
		if idle {
			delete(m.tenants, id)
		}
	}
}

// Tenants reports how many tenants the meter tracks.
func (m *Meter) Tenants() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tenants)
}
