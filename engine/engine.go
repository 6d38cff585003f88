package engine

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/crmkit/crm/engine/password"
	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// Config wires an [Engine].
type Config struct {
	// Store is the storage adapter. Required.
	Store store.Store
	// Logger; if nil, slog.Default().
	Logger *slog.Logger
	// Now returns the current time; if nil, time.Now. Overridable in tests.
	Now func() time.Time
	// NewID returns a new record id; if nil, a lower-case ULID (time
	// ordered, random).
	NewID func() string
	// MaxAutomationDepth bounds how deeply writes caused by automations
	// nest; zero means DefaultMaxAutomationDepth.
	MaxAutomationDepth int
	// Scripts is the sandbox that runs tenants' scripts, rules and
	// formulas; if nil, the engine makes its own (see [Engine.Close]),
	// whose budgets are the defaults with each tenant's overrides.
	Scripts *scripting.Runner
	// EncryptionKey (32 bytes) encrypts sensitive fields at rest. Without
	// it, objects with sensitive fields cannot be saved or written.
	EncryptionKey []byte
	// PasswordHashers bounds the password derivations (argon2id, 19 MiB
	// each) running at once; if zero, GOMAXPROCS.
	PasswordHashers int
	// PasswordQueue bounds the sign-ins waiting for a hashing slot; more
	// are refused at once with ErrBusy. If zero, 8 per slot.
	PasswordQueue int
	// PasswordWait bounds the wait for a hashing slot; if zero, 3s.
	PasswordWait time.Duration
	// UniqueGuesses is how many new values a principal restricted by a
	// role may give, per hour, one unique field whose values it cannot all
	// see (see guesses.go); if zero, DefaultUniqueGuesses.
	UniqueGuesses int
	// Usage counts each tenant's script runs (those of the engine's own
	// sandbox) and is where the HTTP edge counts requests, for [Engine.Usage];
	// if nil, the engine keeps its own, with no requests counted.
	Usage *usage.Meter
	// AggregateRows bounds the records one aggregation may read; if
	// zero, DefaultAggregateRows.
	AggregateRows int64
	// AggregateRowsPerMinute is each tenant's budget of records read by
	// aggregations per minute; if zero, DefaultAggregateRowsPerMinute.
	AggregateRowsPerMinute int64
	// AggregateCacheBytes bounds the memory of aggregate answers kept
	// until their records change (aggregate_cache.go); if zero,
	// DefaultAggregateCacheBytes; negative keeps none.
	AggregateCacheBytes int64
	// ImportUploadBytes bounds the cells of uploaded import files the
	// process keeps for all tenants together; if zero,
	// DefaultImportUploadBytes.
	ImportUploadBytes int64
	// ExportDir is where export jobs write their files (export_jobs.go),
	// made with mode 0700 when missing; if empty, crm-exports in the
	// system's temporary directory.
	ExportDir string
	// Channels sends notifications over e-mail and group robots for the
	// administrators' "send a test message" (the worker has its own); if
	// nil, tests are refused with a clear error.
	Channels worker.Sender
	// MaxFileBytes bounds one attached file for every tenant
	// (attachment.go); a tenant's administrators may set a lower limit.
	// If zero, DefaultMaxFileBytes.
	MaxFileBytes int64
	// WorkLease is how long a lease on background work lasts when
	// several servers share the store (shared.go): timers, notify entries
	// and the worker's per-tenant steps take it, jobs' batches and
	// scheduled scripts five times it. If zero, one minute.
	WorkLease time.Duration
	// TenantStates bounds the tenants whose derived state (compiled
	// catalog, validators, role views, users, settings) the engine keeps;
	// the least recently used are dropped and rebuilt when used again.
	// If zero, DefaultTenantStates.
	TenantStates int
	// SignOn talks to WeCom, DingTalk and Feishu for sign-in with them
	// (internal/sso); nil: the engine offers no such sign-in.
	SignOn SignOnService
}

// Engine runs the use cases. It is safe for concurrent use.
type Engine struct {
	store store.Store
	log   *slog.Logger
	now   func() time.Time
	newID func() string
	keys  keyCache // API keys found valid (apikey.go)
	// maxDepth bounds nested automation writes.
	maxDepth int
	scripts  *scripting.Runner
	sealer   *seal.Sealer // nil without an encryption key
	own      ownRunner
	usage    *usage.Meter
	channels worker.Sender

	signIns   throttle
	shared    *shared // several servers on one database (shared.go)
	passwords *password.Hasher
	guesses   guesses

	aggregateRows      int64
	aggregatePerMinute int64
	aggregates         rowBudget
	aggregateCache     *aggregateCache
	importUploadBytes  int64
	exportsAt          string // Config.ExportDir
	maxFileBytes       int64  // Config.MaxFileBytes
	// fileSweep holds, per tenant, when the worker last swept its files.
	fileSweep sync.Map

	limitsMu    sync.Mutex
	limitsCache map[string]cachedLimits
	// binDue holds, per tenant, when its recycle bin next has an entry
	// due (recycle_list.go), so that the worker's passes skip the rest.
	binDue sync.Map
	// dueMigrated is set once every tenant has an entry in the store's
	// due index; dueVersions are the entries' versions the worker's pass
	// read (due.go).
	dueMigrated atomic.Bool
	dueMu       sync.Mutex
	dueVersions map[string]int64
	mu          sync.Mutex
	states      *tenantStates    // tenants' derived state, the most recently used (tenantcache.go)
	unavailable map[string]error // tenants CheckTenants found unusable, and why
	// checked holds the tenants checked (by CheckTenants or when first
	// opened; seal.go).
	checked sync.Map

	// notifyPurged holds, per tenant, when the worker last found no
	// notification past its retention (notify_inbox.go).
	notifyPurged sync.Map
	// markersSwept is when (Unix ns) the expired entries of fileSweep,
	// binDue and notifyPurged were last dropped (tenantcache.go).
	markersSwept atomic.Int64

	// sso talks to the sign-in providers; signOnStates remembers the
	// states of finished sign-ins (signon.go).
	sso          SignOnService
	signOnStates usedStates

	imports imports    // files uploaded for import and import results (import_uploads.go)
	mass    massRuns   // mass action jobs' reports (mass_jobs.go)
	exports exportRuns // export jobs' files (export_jobs.go)
}

// New returns an engine over cfg.Store.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("engine: Config.Store is required")
	}
	e := &Engine{limitsCache: map[string]cachedLimits{}, store: cfg.Store, log: cfg.Logger, now: cfg.Now, newID: cfg.NewID, maxDepth: cfg.MaxAutomationDepth, scripts: cfg.Scripts, usage: cfg.Usage, channels: cfg.Channels, sso: cfg.SignOn, states: newTenantStates(cfg.TenantStates)}
	e.passwords = password.New(password.Config{Slots: cfg.PasswordHashers, Queue: cfg.PasswordQueue, Wait: cfg.PasswordWait})
	e.guesses.perHour = cfg.UniqueGuesses
	if e.guesses.perHour <= 0 {
		e.guesses.perHour = DefaultUniqueGuesses
	}
	e.aggregateRows, e.aggregatePerMinute = cfg.AggregateRows, cfg.AggregateRowsPerMinute
	if e.aggregateRows <= 0 {
		e.aggregateRows = DefaultAggregateRows
	}
	if e.aggregatePerMinute <= 0 {
		e.aggregatePerMinute = DefaultAggregateRowsPerMinute
	}
	e.aggregates.perMinute = e.aggregatePerMinute
	e.shared = newShared(cfg.Store, cfg.WorkLease)
	e.nameDueObjects()
	cacheBytes := cfg.AggregateCacheBytes
	if cacheBytes == 0 {
		cacheBytes = DefaultAggregateCacheBytes
	}
	e.aggregateCache = newAggregateCache(cacheBytes)
	e.importUploadBytes = cfg.ImportUploadBytes
	e.exportsAt = cfg.ExportDir
	e.maxFileBytes = cfg.MaxFileBytes
	if e.maxFileBytes <= 0 {
		e.maxFileBytes = DefaultMaxFileBytes
	}
	if e.importUploadBytes <= 0 {
		e.importUploadBytes = DefaultImportUploadBytes
	}
	if e.maxDepth <= 0 {
		e.maxDepth = DefaultMaxAutomationDepth
	}
	if cfg.EncryptionKey != nil {
		s, err := seal.New(cfg.EncryptionKey)
		if err != nil {
			return nil, err
		}
		e.sealer = s
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.newID == nil {
		e.newID = func() string { return strings.ToLower(ulid.Make().String()) }
	}
	if e.usage == nil {
		e.usage = usage.New(e.now)
	}
	return e, nil
}

func (e *Engine) stamp() time.Time { return e.now().UTC().Truncate(time.Microsecond) }
