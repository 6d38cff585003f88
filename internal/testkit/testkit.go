// Package testkit builds what the tests of the engine, the API edge, the
// HTTP edge and the templates set up alike: an engine over a fresh embedded
// store, a tenant in it and a context acting as its administrator, with the
// objects or the template a test needs, and a clock the test moves by hand.
// It is imported by tests only.
package testkit

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/templates/install"
)

// EncryptionKey is a fixed 32-byte key for tests that seal sensitive fields.
var EncryptionKey = []byte("0123456789abcdef0123456789abcdef")

// Tenant is a tenant made for one test: the engine serving it, the store
// under the engine and a context acting as the tenant's administrator.
type Tenant struct {
	ID     string
	Engine *engine.Engine
	Store  store.Store
	// Admin carries the administrator actor; Background carries none (for
	// the calls that take a tenant id instead, like CreateUser).
	Admin      context.Context
	Background context.Context
}

// Option changes what [New] builds.
type Option func(*setup)

type setup struct {
	name      string
	actorID   string
	config    engine.Config
	others    []string
	objects   []string
	template  string
	storeOpen func(testing.TB) store.Store
}

// Named gives the tenant a display name (the default is none).
func Named(name string) Option { return func(s *setup) { s.name = name } }

// AsActor sets the administrator's actor id (default "user:test").
func AsActor(id string) Option { return func(s *setup) { s.actorID = id } }

// WithClock makes the engine read the time from c.
func WithClock(c *Clock) Option { return func(s *setup) { s.config.Now = c.Now } }

// WithConfig changes the engine's configuration before it is built; the
// store and the logger are set by New unless fn sets them.
func WithConfig(fn func(*engine.Config)) Option { return func(s *setup) { fn(&s.config) } }

// WithEncryption gives the engine [EncryptionKey].
func WithEncryption() Option { return func(s *setup) { s.config.EncryptionKey = EncryptionKey } }

// WithOtherTenants creates further, empty tenants beside the test's own.
func WithOtherTenants(ids ...string) Option {
	return func(s *setup) { s.others = append(s.others, ids...) }
}

// WithObjects saves object definitions (JSON Schema documents) in order.
func WithObjects(defs ...string) Option {
	return func(s *setup) { s.objects = append(s.objects, defs...) }
}

// WithTemplate installs the named industry template (without sample data)
// before the objects of [WithObjects].
func WithTemplate(name string) Option { return func(s *setup) { s.template = name } }

// WithStore opens the store the engine runs on (the default is a fresh
// embedded store in the test's temporary directory).
func WithStore(open func(testing.TB) store.Store) Option {
	return func(s *setup) { s.storeOpen = open }
}

// New builds an engine over a fresh store with the tenant id in it and
// returns it with an administrator's context; the test fails on any error.
func New(t testing.TB, id string, opts ...Option) *Tenant {
	t.Helper()
	s := setup{actorID: "user:test", storeOpen: func(t testing.TB) store.Store { return sqlitestore.NewForTest(t) }}
	for _, o := range opts {
		o(&s)
	}
	st := s.config.Store
	if st == nil {
		st = s.storeOpen(t)
		s.config.Store = st
	}
	if s.config.Logger == nil {
		s.config.Logger = slog.New(slog.DiscardHandler)
	}
	if s.config.ExportDir == "" {
		s.config.ExportDir = t.TempDir()
	}
	eng, err := engine.New(s.config)
	must(t, err, "engine")
	t.Cleanup(func() {
		if err := eng.Close(); err != nil {
			t.Errorf("testkit: close engine: %v", err)
		}
	})
	ctx := context.Background()
	_, err = eng.CreateTenant(ctx, id, s.name)
	must(t, err, "tenant "+id)
	for _, other := range s.others {
		_, err = eng.CreateTenant(ctx, other, other)
		must(t, err, "tenant "+other)
	}
	tn := &Tenant{ID: id, Engine: eng, Store: st, Background: ctx,
		Admin: engine.WithActor(ctx, engine.Actor{TenantID: id, ID: s.actorID, Admin: true})}
	if s.template != "" {
		tpl, err := install.Template(s.template)
		must(t, err, "template "+s.template)
		_, err = eng.InstallTemplate(tn.Admin, tpl, template.InstallOptions{})
		must(t, err, "install "+s.template)
	}
	for _, def := range s.objects {
		_, err := eng.SaveObject(tn.Admin, []byte(def), engine.SaveOptions{})
		must(t, err, "object "+shorten(def))
	}
	return tn
}

// As returns a context acting as actor in the tenant.
func (tn *Tenant) As(actor engine.Actor) context.Context {
	if actor.TenantID == "" {
		actor.TenantID = tn.ID
	}
	return engine.WithActor(tn.Background, actor)
}

func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("testkit: %s: %v", what, err)
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Clock is a time source a test moves by hand; safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
