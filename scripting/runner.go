package scripting

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a [Runner].
type Config struct {
	// Limits are every tenant's budgets unless LimitsFor says otherwise.
	// Zero fields take [DefaultLimits].
	Limits Limits
	// LimitsFor returns a tenant's own budgets; zero fields fall back to
	// Limits. If nil, every tenant gets Limits.
	LimitsFor func(tenant string) Limits
	// CacheSize bounds the compiled programs kept (scripts and expressions
	// each). If zero, 1024.
	CacheSize int
	// MemoryCeiling is the Go heap, in bytes, that scripts must not take
	// the process past (S5): the watchdog stops every run in flight with
	// [ErrMemory] once the heap passes a third of it, since one VM
	// instruction can triple the heap before the runs notice (see
	// watchdog). If zero, 3 GiB: runs are stopped once the heap passes
	// 1 GiB.
	MemoryCeiling int64
	// WatchInterval is how often the watchdog reads the heap while runs
	// are in flight. If zero, 5ms.
	WatchInterval time.Duration
	// Logger receives watchdog events. If nil, they are dropped.
	Logger *slog.Logger
	// OnRun, when set, is told of every script run that started: its
	// tenant, how long it ran and its error (nil when it succeeded). It is
	// called on the run's goroutine after the run and must be quick.
	OnRun func(tenant string, d time.Duration, err error)
}

// Runner runs tenants' scripts and expressions in the sandbox. It is safe
// for concurrent use; create one per process and Close it on shutdown.
type Runner struct {
	cfg    Config
	base   Limits
	progs  *programCache
	exprs  *programCache
	gates  *gates
	watch  *watchdog
	closed atomic.Bool
	stats  runStats
}

// New returns a Runner and starts its memory watchdog.
func New(cfg Config) (*Runner, error) {
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 1024
	}
	if cfg.MemoryCeiling <= 0 {
		cfg.MemoryCeiling = 3 << 30
	}
	if cfg.WatchInterval <= 0 {
		cfg.WatchInterval = 5 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{
		cfg:   cfg,
		base:  cfg.Limits.withDefaults(),
		progs: newProgramCache(cfg.CacheSize),
		exprs: newProgramCache(cfg.CacheSize),
		gates: newGates(),
	}
	r.watch = startWatchdog(cfg.MemoryCeiling, cfg.WatchInterval, cfg.Logger)
	return r, nil
}

// Close stops the watchdog. Runs after Close fail with [ErrClosed].
func (r *Runner) Close() error {
	if r.closed.CompareAndSwap(false, true) {
		r.watch.stop()
	}
	return nil
}

// LimitsFor returns the budgets in force for a tenant, defaults filled in.
func (r *Runner) LimitsFor(tenant string) Limits {
	if r.cfg.LimitsFor == nil {
		return r.base
	}
	l := r.cfg.LimitsFor(tenant)
	b := r.base
	fill := func(p *int, def int) {
		if *p <= 0 {
			*p = def
		}
	}
	if l.WallTime <= 0 {
		l.WallTime = b.WallTime
	}
	if l.MaxAllocBytes <= 0 {
		l.MaxAllocBytes = b.MaxAllocBytes
	}
	fill(&l.MaxCallStack, b.MaxCallStack)
	fill(&l.MaxHostCalls, b.MaxHostCalls)
	fill(&l.MaxQueries, b.MaxQueries)
	fill(&l.MaxReads, b.MaxReads)
	fill(&l.MaxWrites, b.MaxWrites)
	fill(&l.MaxEnqueued, b.MaxEnqueued)
	fill(&l.MaxLogBytes, b.MaxLogBytes)
	fill(&l.MaxStringLength, b.MaxStringLength)
	fill(&l.MaxArrayLength, b.MaxArrayLength)
	fill(&l.MaxValueBytes, b.MaxValueBytes)
	fill(&l.MaxSourceBytes, b.MaxSourceBytes)
	fill(&l.MaxConcurrent, b.MaxConcurrent)
	fill(&l.MaxWaiting, b.MaxWaiting)
	return l
}

// Compile checks a script and caches its program; the engine calls it when
// an admin saves a script. It returns a [*ScriptError] wrapping
// [ErrCompile] with the author's line and column if the script does not
// parse.
func (r *Runner) Compile(s Script) error {
	_, err := r.program(s, r.LimitsFor(s.Tenant))
	return err
}

func (r *Runner) program(s Script, lim Limits) (*compiled, error) {
	if !s.Kind.valid() {
		return nil, fmt.Errorf("scripting: script %q: unknown kind %q", s.name(), s.Kind)
	}
	key := cacheKey{tenant: s.Tenant, id: s.ID, version: s.Version, sum: sha256.Sum256([]byte(s.Source))}
	if c := r.progs.get(key); c != nil {
		return c, nil
	}
	c, err := compileScript(s, lim)
	if err != nil {
		return nil, err
	}
	r.progs.put(key, c)
	return c, nil
}

// Call is one run of a script: the script version, its inputs and the host
// it may use.
type Call struct {
	Script Script
	Object string         // the object the record belongs to (ctx.object)
	Record map[string]any // the new record (ctx.record); nil for scheduled scripts
	Old    map[string]any // the record before the update (ctx.old); nil on create
	Stage  *StageChange   // for onStageChange (ctx.stage)
	Params map[string]any // for scheduled scripts (ctx.params)
	// User is who is acting (ctx.user), for every kind; nil gives
	// ctx.user null.
	User *User
	// Today is the tenant's date ("2026-12-04", ctx.today) and TimeZone
	// its IANA zone (ctx.timeZone): a script's Date reads the server's
	// clock in UTC, and a date-only field holds the tenant's days.
	Today, TimeZone string
	// Host is the only door out (crm.*). If nil, crm calls throw. For a dry
	// run pass a [DryRun].
	Host Host
}

// User is the principal a script runs for, as the script sees it
// (ctx.user): a signed-in user's id (user:NAME) and details, an API key
// (key:ID) or the system, with the fields they have.
type User struct {
	ID      string `json:"id"`
	Name    string `json:"name"`    // display name; the user name when none is set
	Role    string `json:"role"`    // "" for none
	Team    string `json:"team"`    // "" for none
	Manager string `json:"manager"` // the manager's id (user:NAME); "" for none
}

// StageChange is the move an onStageChange script reacts to.
type StageChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Result is what a run produced. Run returns it even when the run fails, with
// what was gathered until then (logs help to debug a failing script).
type Result struct {
	Errors        []FieldError   // from ctx.addError, in order
	Changes       map[string]any // beforeSave: fields set or changed; nil means "remove"
	Logs          []LogEntry     // from log(...) and console.*
	LogsTruncated bool           // the log went over MaxLogBytes
	Enqueued      []Action       // actions handed to Host.Enqueue
	Stats         Stats
}

// FieldError is a validation message for one field ("" for the record).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"` // in English when the script gave both languages
	// MessageZh is the message in Chinese when the script gave a
	// {zh, en} message object; "" for a plain string.
	MessageZh string `json:"messageZh,omitempty"`
}

// LogEntry is one captured log line.
type LogEntry struct {
	Level   string `json:"level"` // "info", "warn", "error", "debug"
	Message string `json:"message"`
}

// Stats are a run's counters, to show next to the tenant's limits.
type Stats struct {
	Duration   time.Duration
	HostCalls  int // all crm.* calls
	Queries    int // crm.find and crm.get
	Reads      int // records returned
	Writes     int
	Enqueued   int
	AllocBytes int64 // bytes produced by size-checked built-ins
}

// Run runs one script version in a fresh runtime under the tenant's limits.
// It waits for a slot of the tenant's concurrency cap (giving up when ctx
// is done), compiles the script unless its program is cached, and returns
// the result. A failing run returns a [*ScriptError] naming the script and
// position, wrapping [ErrException], a [*LimitError] or ctx's error, and
// still returns the partial [Result].
func (r *Runner) Run(ctx context.Context, call Call) (*Result, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	lim := r.LimitsFor(call.Script.Tenant)
	prog, err := r.program(call.Script, lim)
	if err != nil {
		return nil, err
	}
	// A run started from a host call of another run of the same tenant (a
	// script writes a record whose script runs) uses the slot the outer
	// run holds: waiting for another would deadlock when the tenant has
	// one slot.
	slot := slotKey{runner: r, tenant: call.Script.Tenant}
	if ctx.Value(slot) == nil {
		release, err := r.gates.acquire(ctx, call.Script.Tenant, lim)
		if err != nil {
			return nil, err
		}
		defer release()
		ctx = context.WithValue(ctx, slot, true)
	}
	x := &run{runner: r, lim: lim, prog: prog, call: &call, res: &Result{}, lineShift: 1}
	err = x.execute(ctx)
	r.stats.note(x.res.Stats.Duration, err)
	if r.cfg.OnRun != nil {
		r.cfg.OnRun(call.Script.Tenant, x.res.Stats.Duration, err)
	}
	return x.res, err
}

// RunStats count the script runs of a Runner since it started, for
// monitoring.
type RunStats struct {
	Runs    int64
	Seconds float64 // time spent in runs
	// Failed counts failed runs by reason: "timeout", "limit", "memory",
	// "stackOverflow", "exception", "compile", "canceled", "other".
	Failed map[string]int64
}

type runStats struct {
	mu     sync.Mutex
	runs   int64
	nanos  int64
	failed map[string]int64
}

func (s *runStats) note(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	s.nanos += int64(d)
	if err == nil {
		return
	}
	if s.failed == nil {
		s.failed = map[string]int64{}
	}
	s.failed[failureKind(err)]++
}

// StoppedByLimit reports whether a run's error is one of its budgets
// stopping it (time, host calls, memory, call stack) rather than the
// script's own exception or a syntax error.
func StoppedByLimit(err error) bool {
	switch failureKind(err) {
	case "timeout", "memory", "stackOverflow", "limit":
		return true
	}
	return false
}

func failureKind(err error) string {
	switch {
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrMemory):
		return "memory"
	case errors.Is(err, ErrStackOverflow):
		return "stackOverflow"
	case errors.Is(err, ErrLimit):
		return "limit"
	case errors.Is(err, ErrException):
		return "exception"
	case errors.Is(err, ErrCompile):
		return "compile"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "other"
}

// RunStats returns the runner's counts.
func (r *Runner) RunStats() RunStats {
	r.stats.mu.Lock()
	defer r.stats.mu.Unlock()
	out := RunStats{Runs: r.stats.runs, Seconds: time.Duration(r.stats.nanos).Seconds(), Failed: map[string]int64{}}
	for k, v := range r.stats.failed {
		out.Failed[k] = v
	}
	return out
}

// slotKey marks a context whose run holds one of the tenant's slots.
type slotKey struct {
	runner *Runner
	tenant string
}

// Expression is a compiled expression, safe to evaluate concurrently.
type Expression struct {
	r    *Runner
	prog *compiled
}

// CompileExpression parses and caches an expression (a formula, a validation
// rule condition, a roll-up filter). A syntax error is a [*ScriptError]
// wrapping [ErrCompile] with the line and column.
func (r *Runner) CompileExpression(expr string) (*Expression, error) {
	key := cacheKey{tenant: "\x00expr", sum: sha256.Sum256([]byte(expr))}
	if c := r.exprs.get(key); c != nil {
		return &Expression{r: r, prog: c}, nil
	}
	c, err := compileExpression(expr, r.base)
	if err != nil {
		return nil, err
	}
	r.exprs.put(key, c)
	return &Expression{r: r, prog: c}, nil
}

// EvalExpression compiles (or takes from the cache) and evaluates expr with
// the record's fields as variables; see [Expression.Eval].
func (r *Runner) EvalExpression(ctx context.Context, expr string, record map[string]any) (any, error) {
	e, err := r.CompileExpression(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(ctx, record)
}

// Eval evaluates the expression in a fresh runtime with the default limits.
// Each field of record is a variable; a name that is neither a field nor a
// built-in is null, so `!closeDate` is true for a record without one. The
// result is JSON-like (nil, bool, int64, float64, string, []any,
// map[string]any). Expressions have no host API.
func (e *Expression) Eval(ctx context.Context, record map[string]any) (any, error) {
	if e.r.closed.Load() {
		return nil, ErrClosed
	}
	x := &run{runner: e.r, lim: e.r.base, prog: e.prog, res: &Result{}, expr: true, vars: record}
	err := x.execute(ctx)
	return x.value, err
}
