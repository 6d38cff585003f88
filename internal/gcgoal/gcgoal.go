// Package gcgoal sets the Go collector's heap goal for the server: a
// fixed headroom above the live heap while the heap is small, Go's
// default (GOGC=100, the goal twice the live heap) once it is large, and
// a memory limit under the cgroup's.
//
// Why (docs/decisions.md, "The collector's goal"): with GOGC=100 a
// server whose live heap is 30 MiB collects every 30 MiB allocated, a
// page of 50 deals allocates about 0.3 MiB, and the collector took a
// tenth of a page's CPU. A larger GOGC saves most of that, but it also
// multiplies the goal of a server with many tenants, whose live heap is
// hundreds of MiB. A headroom in bytes gives the small heap the larger
// goal and the large one the goal it had.
//
// GOGC and GOMEMLIMIT keep their meaning: when GOGC is set in the
// environment the percentage is left to it, and when GOMEMLIMIT is set
// the limit is.
package gcgoal

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Config says how the goal is set. Zero values take the defaults.
type Config struct {
	// Headroom is how many bytes the heap may grow above the live heap
	// before the next collection, at least. If zero, 64 MiB.
	Headroom uint64
	// MaxPercent bounds the percentage (GOGC) a small heap gets. If
	// zero, 400.
	MaxPercent int
	// Getenv reads the environment; overridable in tests. If nil,
	// os.Getenv.
	Getenv func(string) string
	// CgroupDir is where the cgroup file systems are mounted;
	// overridable in tests. If empty, /sys/fs/cgroup.
	CgroupDir string
}

// Defaults of [Config].
const (
	DefaultHeadroom   = 64 << 20
	DefaultMaxPercent = 400
)

// Tuner keeps the collector's percentage at the headroom's.
type Tuner struct {
	headroom uint64
	max      int
	percent  atomic.Int64 // the percentage last set; 0: none set
	limit    int64        // the memory limit set, 0: none
	stopped  atomic.Bool
	once     sync.Once
	samples  []metrics.Sample
}

// Start sets the memory limit and starts keeping the percentage (after
// every collection, from the live heap it left). It changes nothing the
// environment's GOGC or GOMEMLIMIT decide. Stop undoes what it set.
func Start(cfg Config) *Tuner {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	t := &Tuner{headroom: cfg.Headroom, max: cfg.MaxPercent,
		samples: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if t.headroom == 0 {
		t.headroom = DefaultHeadroom
	}
	if t.max < 100 {
		t.max = DefaultMaxPercent
	}
	if getenv("GOMEMLIMIT") == "" {
		dir := cfg.CgroupDir
		if dir == "" {
			dir = "/sys/fs/cgroup"
		}
		if lim, ok := CgroupLimit(dir); ok {
			// Room for what is not Go heap (SQLite's page caches are C
			// memory of modernc's allocator, but goroutine stacks, the
			// binary's pages and the kernel's accounting of them are
			// not) and for the collector to react before the kernel
			// does.
			t.limit = lim / 10 * 9
			debug.SetMemoryLimit(t.limit)
		}
	}
	if getenv("GOGC") != "" {
		t.stopped.Store(true)
		return t
	}
	t.adjust()
	t.arm()
	return t
}

// Percent is the percentage the tuner last set (0: none; GOGC was set).
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

// Limit is the memory limit the tuner set (0: none).
func (t *Tuner) Limit() int64 { return t.limit }

// Stop stops adjusting and puts back Go's defaults for what it set.
func (t *Tuner) Stop() {
	t.once.Do(func() {
		was := t.stopped.Swap(true)
		if !was && t.percent.Load() != 0 {
			debug.SetGCPercent(100)
		}
		if t.limit != 0 {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	})
}

// arm sets a finalizer on a new object, which runs after the collection
// that finds it unreachable: once a cycle.
func (t *Tuner) arm() {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		if t.stopped.Load() {
			return
		}
		t.adjust()
		t.arm()
	})
}

// adjust sets the percentage from the live heap the last collection
// left. debug.SetGCPercent stops the world, so it is called only when
// the percentage moves by a tenth or more.
func (t *Tuner) adjust() {
	metrics.Read(t.samples)
	var live uint64
	if t.samples[0].Value.Kind() == metrics.KindUint64 {
		live = t.samples[0].Value.Uint64()
	}
	p := PercentFor(live, t.headroom, t.max)
	old := int(t.percent.Load())
	if old != 0 && p*10 > old*9 && p*10 < old*11 {
		return
	}
	if t.stopped.Load() {
		return
	}
	t.percent.Store(int64(p))
	debug.SetGCPercent(p)
}

// PercentFor is the GOGC percentage that lets a heap of live bytes grow
// by headroom before the next collection, between 100 (Go's default) and
// max.
func PercentFor(live, headroom uint64, max int) int {
	if live == 0 {
		return max
	}
	p := headroom * 100 / live
	switch {
	case p < 100:
		return 100
	case p > uint64(max):
		return max
	}
	return int(p)
}

// CgroupLimit returns the memory limit of the process's cgroup, read
// from cgroup v2's memory.max or v1's memory.limit_in_bytes under dir;
// ok is false when there is none (unlimited or not found).
func CgroupLimit(dir string) (limit int64, ok bool) {
	paths := []string{dir + "/memory.max", dir + "/memory/memory.limit_in_bytes"}
	if rel, found := ownCgroup(); found {
		// The process's own group first: a container usually sees its
		// group at the root, a service on a host under its path.
		paths = append([]string{dir + rel + "/memory.max", dir + "/memory" + rel + "/memory.limit_in_bytes"}, paths...)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		// cgroup v1 writes "no limit" as the largest page-aligned int64.
		if n >= math.MaxInt64/2 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// ownCgroup is the path of the process's cgroup v2 group (the "0::"
// line of /proc/self/cgroup).
func ownCgroup() (string, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rel, ok := strings.CutPrefix(line, "0::"); ok && rel != "/" && rel != "" {
			return rel, true
		}
	}
	return "", false
}
