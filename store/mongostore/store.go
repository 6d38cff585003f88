package mongostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/crmkit/crm/store"
)

// Config configures [New].
type Config struct {
	// URI is the MongoDB connection string; required. Hosts, replica set,
	// credentials, TLS (tls=true, tlsCAFile, tlsCertificateKeyFile ...),
	// read preference and write concern are given here. Credentials never
	// appear in errors or logs.
	URI string
	// DatabasePrefix starts the name of every database the store uses:
	// <prefix>_system for tenants and API keys, <prefix>_t_<tenant> per
	// tenant (see [DatabaseName]). 1–20 characters: lower-case letters,
	// digits, '_' and '-', starting with a letter. If empty, "crm".
	DatabasePrefix string
	// ConnectTimeout bounds New: dialling and finding a usable server. A
	// server that is down at start fails New after this long with an error
	// that wraps [store.ErrUnavailable]. It also bounds each dial. If zero,
	// the URI's connectTimeoutMS, else 10s.
	ConnectTimeout time.Duration
	// ServerSelectionTimeout is how long an operation waits for a usable
	// server (for example during a replica set election) before it fails
	// with [store.ErrUnavailable]. If zero, the URI's
	// serverSelectionTimeoutMS, else 10s.
	ServerSelectionTimeout time.Duration
	// OperationTimeout bounds each single operation whose context has no
	// earlier deadline. If zero, 30s.
	OperationTimeout time.Duration
	// MaxPoolSize bounds the connections to each server. If zero, the
	// URI's maxPoolSize, else 100 (the driver's default).
	MaxPoolSize uint64
	// DisableTransactions makes WithTx undo failed transactions by
	// compensation even where the server has multi-document transactions
	// (see the package documentation). Tests use it to run that path on a
	// real server.
	DisableTransactions bool
	// DataVersionsWithoutTransactions keeps data versions
	// ([store.DataVersioner]) where WithTx undoes by compensation too.
	// With server transactions the raise rides in the transaction; without
	// them it is one more durable write per write transaction (a
	// single-record create took 1.6–1.9× as long on FerretDB), so by
	// default such a store reports [store.ErrNoDataVersion] and the engine
	// keeps no aggregate answers.
	DataVersionsWithoutTransactions bool
	// Logger receives notices (detected server capabilities, failed
	// clean-ups). If nil, they are discarded.
	Logger *slog.Logger
}

const (
	defaultPrefix           = "crm"
	defaultConnectTimeout   = 10 * time.Second
	defaultSelectionTimeout = 10 * time.Second
	defaultOperationTimeout = 30 * time.Second
	// maxDatabaseName is MongoDB's limit on database names in bytes.
	maxDatabaseName = 63
)

var (
	prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,19}$`)
)

// DatabaseName returns the database of a tenant: <prefix>_t_<id> when that
// fits MongoDB's 63 bytes, else the id cut short followed by '_' and 12 hex
// digits of its SHA-256. Tenant ids have no '_', so a shortened name never
// equals a plain one; the store also keeps every tenant's database name
// under a unique index, so that even a hash collision cannot make two
// tenants share a database. Tenant ids and prefixes are lower-case, as
// MongoDB refuses two database names that differ only in case.
func DatabaseName(prefix, tenantID string) (string, error) {
	if !prefixPattern.MatchString(prefix) {
		return "", fmt.Errorf("database prefix %q: want 1-20 lower-case letters, digits, '_' or '-', starting with a letter", prefix)
	}
	if !store.ValidTenantID(tenantID) {
		return "", fmt.Errorf("tenant id %q is not a valid tenant id", tenantID)
	}
	name := prefix + "_t_" + tenantID
	if len(name) <= maxDatabaseName {
		return name, nil
	}
	sum := sha256.Sum256([]byte(tenantID))
	suffix := "_" + hex.EncodeToString(sum[:6])
	keep := maxDatabaseName - len(prefix) - len("_t_") - len(suffix)
	return prefix + "_t_" + tenantID[:keep] + suffix, nil
}

// systemDatabaseName is the database of tenants and API keys.
func systemDatabaseName(prefix string) string { return prefix + "_system" }

// capabilities are what the server can do, found out by New.
type capabilities struct {
	// transactions: a replica set or sharded cluster of MongoDB 4.4 or
	// later (collections and indexes can be created inside a transaction).
	transactions bool
	// partialIndexes: MongoDB's partialFilterExpression, which FerretDB
	// does not implement.
	partialIndexes bool
	// groupExpressions: the aggregation expressions and accumulators
	// Aggregate's pipeline uses ($cond, $isNumber, $avg, $min, $max,
	// $addToSet, several accumulators in one $group): MongoDB 4.4 (wire
	// version 9) and later, not FerretDB (see docs/decisions.md,
	// Aggregates on MongoDB).
	groupExpressions bool
	// dateTrunc: $dateTrunc, MongoDB 5.0 (wire version 13) and later.
	dateTrunc bool
	server    string // "MongoDB 7.0.2 (replica set rs0)" for logs
}

// Store is the MongoDB implementation of [store.Store]. It is safe for
// concurrent use.
type Store struct {
	cfg    Config
	log    *slog.Logger
	client *mongo.Client
	system *mongo.Database
	caps   capabilities
	hosts  string // for error messages; no credentials

	mu      sync.Mutex
	tenants map[string]*tenantStore
	closed  bool

	counters counterState // counters.go
	// dueObjects are the objects whose writes may add due work
	// (SetDueObjects, due.go); nil: every write may.
	dueObjects atomic.Pointer[map[string]bool]
}

var _ store.Store = (*Store)(nil)

var errClosed = errors.New("mongostore: store is closed")

// New connects to the deployment at cfg.URI, finds out what it supports
// and prepares the system database. A server that cannot be reached within
// cfg.ConnectTimeout gives an error wrapping [store.ErrUnavailable].
func New(cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, errors.New("open mongodb store: no URI")
	}
	if cfg.DatabasePrefix == "" {
		cfg.DatabasePrefix = defaultPrefix
	}
	if !prefixPattern.MatchString(cfg.DatabasePrefix) {
		return nil, fmt.Errorf("open mongodb store: database prefix %q: want 1-20 lower-case letters, digits, '_' or '-', starting with a letter", cfg.DatabasePrefix)
	}
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = defaultOperationTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	opts := options.Client().ApplyURI(cfg.URI)
	// Note: the URI is never put in an error: it may hold a password.
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("open mongodb store: invalid URI: %s", redact(err.Error(), cfg.URI))
	}
	hosts := strings.Join(opts.Hosts, ",")
	// A Config field that is set wins over the URI; a zero one leaves the
	// URI's setting, or else the default.
	cfg.ConnectTimeout = pick(cfg.ConnectTimeout, opts.ConnectTimeout, defaultConnectTimeout)
	cfg.ServerSelectionTimeout = pick(cfg.ServerSelectionTimeout, opts.ServerSelectionTimeout, defaultSelectionTimeout)
	opts.SetAppName("crm").
		SetConnectTimeout(cfg.ConnectTimeout).
		SetServerSelectionTimeout(cfg.ServerSelectionTimeout)
	if cfg.MaxPoolSize > 0 {
		opts.SetMaxPoolSize(cfg.MaxPoolSize)
	}
	if opts.WriteConcern == nil {
		// Acknowledged by a majority of the replica set (and journaled,
		// as majority implies by default): a write that returned survives
		// a failover (D6).
		opts.SetWriteConcern(writeconcern.Majority())
	}
	if opts.RetryWrites == nil {
		opts.SetRetryWrites(true)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("open mongodb store: %s", redact(err.Error(), cfg.URI))
	}
	s := &Store{
		cfg:     cfg,
		log:     log,
		client:  client,
		system:  client.Database(systemDatabaseName(cfg.DatabasePrefix)),
		hosts:   hosts,
		tenants: map[string]*tenantStore{},
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ConnectTimeout)
	defer cancel()
	if err := s.start(ctx); err != nil {
		dctx, dcancel := context.WithTimeout(context.Background(), time.Second)
		defer dcancel()
		_ = client.Disconnect(dctx)
		return nil, fmt.Errorf("open mongodb store: %w", err)
	}
	log.Info("mongodb store opened", "hosts", hosts, "server", s.caps.server,
		"transactions", s.caps.transactions, "prefix", cfg.DatabasePrefix)
	return s, nil
}

// start finds out the server's capabilities and prepares the system
// database.
func (s *Store) start(ctx context.Context) error {
	var hello struct {
		SetName      string `bson:"setName"`
		Msg          string `bson:"msg"`
		SessionsTTL  *int64 `bson:"logicalSessionTimeoutMinutes"`
		MaxWireVersn int32  `bson:"maxWireVersion"`
	}
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return s.unavailable(ctx, "reach the server", err)
	}
	var build struct {
		Version string `bson:"version"`
		Ferret  string `bson:"ferretdbVersion"`
	}
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&build); err != nil {
		return s.unavailable(ctx, "read the server's build info", err)
	}
	clustered := hello.SetName != "" || hello.Msg == "isdbgrid"
	s.caps = capabilities{
		// Wire version 9 is MongoDB 4.4.
		transactions:     clustered && hello.SessionsTTL != nil && hello.MaxWireVersn >= 9 && build.Ferret == "",
		partialIndexes:   build.Ferret == "",
		groupExpressions: build.Ferret == "" && hello.MaxWireVersn >= 9,
		dateTrunc:        build.Ferret == "" && hello.MaxWireVersn >= 13,
	}
	switch {
	case build.Ferret != "":
		s.caps.server = fmt.Sprintf("FerretDB %s (as MongoDB %s)", build.Ferret, build.Version)
	case hello.SetName != "":
		s.caps.server = fmt.Sprintf("MongoDB %s (replica set %s)", build.Version, hello.SetName)
	case hello.Msg == "isdbgrid":
		s.caps.server = fmt.Sprintf("MongoDB %s (sharded)", build.Version)
	default:
		s.caps.server = fmt.Sprintf("MongoDB %s (standalone)", build.Version)
	}
	if s.cfg.DisableTransactions {
		s.caps.transactions = false
	}
	if !s.caps.transactions {
		s.log.Warn("mongodb deployment without multi-document transactions: WithTx undoes failed transactions by compensation (see the mongostore package documentation)",
			"server", s.caps.server)
	}
	return s.prepareSystem(ctx)
}

// Transactions reports whether WithTx runs as a server transaction (a
// replica set or sharded cluster of MongoDB 4.4 or later, and
// DisableTransactions unset) rather than with compensation.
func (s *Store) Transactions() bool { return s.caps.transactions }

// Prefix returns the database prefix in use (see [DatabaseName]).
func (s *Store) Prefix() string { return s.cfg.DatabasePrefix }

// Server describes the server New found, for logs.
func (s *Store) Server() string { return s.caps.server }

// Close implements [store.Store]: it disconnects, waiting at most the
// operation timeout for operations in flight. Calls after the first
// return nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.tenants = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.OperationTimeout)
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("close mongodb store: %w", err)
	}
	return nil
}

// Tenant implements [store.Store]. The tenant's store is cached until
// Close. Opening a tenant first brings its database up to this build's
// layout (see migrateTenant).
func (s *Store) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	if !store.ValidTenantID(id) {
		return nil, fmt.Errorf("open tenant %q: not a valid tenant id: %w", id, store.ErrNotFound)
	}
	s.mu.Lock()
	ts, closed := s.tenants[id], s.closed
	s.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("open tenant %q: %w", id, errClosed)
	}
	if ts != nil {
		return ts, nil
	}
	doc, err := s.tenantDoc(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("open tenant %q: %w", id, err)
	}
	fresh := newTenantStore(s, id, s.client.Database(doc.Database))
	// Outside the lock: migrating may take a while, and callers opening
	// the same tenant meanwhile repeat steps that may run again.
	if err := fresh.migrateTenant(ctx); err != nil {
		return nil, fmt.Errorf("open tenant %q: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("open tenant %q: %w", id, errClosed)
	}
	if ts := s.tenants[id]; ts != nil {
		return ts, nil
	}
	s.tenants[id] = fresh
	return fresh, nil
}

// op bounds one operation by the operation timeout unless ctx ends
// sooner.
func (s *Store) op(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.cfg.OperationTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.cfg.OperationTimeout)
}

// pick returns set if positive, else the URI's value if it has one, else
// def.
func pick(set time.Duration, uri *time.Duration, def time.Duration) time.Duration {
	switch {
	case set > 0:
		return set
	case uri != nil && *uri > 0:
		return *uri
	}
	return def
}

// redact removes the URI (which may hold a password) from a driver message.
func redact(msg, uri string) string {
	if uri != "" {
		msg = strings.ReplaceAll(msg, uri, "<uri>")
	}
	return msg
}
