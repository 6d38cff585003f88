package scripting

import (
	"runtime"
	"time"
)

// Limits are the budgets of one run. A zero field takes the value of
// [DefaultLimits]; a negative one is treated as zero too, so no budget can be
// switched off by configuration. Admins can read each tenant's values through
// [Runner.LimitsFor], and every [LimitError] names the limit and its value.
type Limits struct {
	// WallTime bounds a run from its first instruction to its last (S1). If
	// zero, 1s.
	WallTime time.Duration
	// MaxCallStack bounds JavaScript call depth (S3). If zero, 1000 frames.
	MaxCallStack int
	// MaxHostCalls bounds all crm.* calls of a run together. If zero, 300.
	MaxHostCalls int
	// MaxQueries bounds crm.find and crm.get calls per run, the analogue
	// of Apex's 100 SOQL queries (S11). If zero, 100.
	MaxQueries int
	// MaxReads bounds records returned by crm.find and crm.get per run (S11).
	// If zero, 10,000.
	MaxReads int
	// MaxWrites bounds crm.create and crm.update calls per run (S11). If
	// zero, 150.
	MaxWrites int
	// MaxEnqueued bounds crm.enqueue calls (webhooks, notifications) per run
	// (S11). If zero, 50.
	MaxEnqueued int
	// MaxLogBytes bounds the captured log of a run; later output is dropped
	// and [Result.LogsTruncated] is set. If zero, 64 KiB.
	MaxLogBytes int
	// MaxStringLength bounds, in UTF-16 code units, a string built by a
	// size-checked built-in (repeat, padStart, join, replace …) (S4). If
	// zero, 4 Mi.
	MaxStringLength int
	// MaxArrayLength bounds the length of an array (or array-like) a
	// length-walking built-in accepts (fill, map, Array.from, spread …) (S4).
	// If zero, 1 Mi.
	MaxArrayLength int
	// MaxAllocBytes bounds the bytes a run's size-checked built-ins produce
	// in total, so a loop of small allowed allocations still ends (S5). If
	// zero, 64 MiB.
	MaxAllocBytes int64
	// MaxValueBytes bounds one value crossing the boundary between script
	// and host (a record passed to crm.create, ctx.record after beforeSave,
	// an action payload). If zero, 1 MiB.
	MaxValueBytes int
	// MaxSourceBytes bounds the size of a script or expression. If zero,
	// 256 KiB.
	MaxSourceBytes int
	// MaxConcurrent bounds the runs of one tenant in flight at once (S12).
	// If zero, half of GOMAXPROCS and at least 1, so one tenant can never
	// hold every core.
	MaxConcurrent int
	// MaxWaiting bounds the runs of one tenant waiting for a slot; more are
	// refused at once with a [LimitError]. If zero, 256.
	MaxWaiting int
}

// DefaultLimits returns the limits a tenant gets unless configured
// otherwise.
func DefaultLimits() Limits {
	return Limits{}.withDefaults()
}

func (l Limits) withDefaults() Limits {
	setDuration(&l.WallTime, time.Second)
	setInt(&l.MaxCallStack, 1000)
	setInt(&l.MaxHostCalls, 300)
	setInt(&l.MaxQueries, 100)
	setInt(&l.MaxReads, 10_000)
	setInt(&l.MaxWrites, 150)
	setInt(&l.MaxEnqueued, 50)
	setInt(&l.MaxLogBytes, 64<<10)
	setInt(&l.MaxStringLength, 4<<20)
	setInt(&l.MaxArrayLength, 1<<20)
	if l.MaxAllocBytes <= 0 {
		l.MaxAllocBytes = 64 << 20
	}
	setInt(&l.MaxValueBytes, 1<<20)
	setInt(&l.MaxSourceBytes, 256<<10)
	setInt(&l.MaxConcurrent, max(1, runtime.GOMAXPROCS(0)/2))
	setInt(&l.MaxWaiting, 256)
	return l
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}

func setDuration(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}
