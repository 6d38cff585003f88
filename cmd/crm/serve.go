package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	tenantusage "github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/internal/sso"

	adminui "github.com/crmkit/crm/admin-ui"
	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/channel"
	"github.com/crmkit/crm/internal/gcgoal"
	"github.com/crmkit/crm/internal/metrics"
	"github.com/crmkit/crm/internal/server"
	"github.com/crmkit/crm/internal/webhook"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/sqlitestore"
)

// dataFlag registers the flags that choose the store: --data (default
// $CRM_DATA or ./data) for the embedded database, and --mongo (default
// $CRM_MONGODB_URI) with --mongo-prefix for MongoDB, which wins when set.
func (m *Main) dataFlag(fs *flag.FlagSet) *string {
	m.mongoURI = fs.String("mongo", m.env("CRM_MONGODB_URI", ""), "MongoDB connection string; when set, data lives in MongoDB instead of --data (env CRM_MONGODB_URI)")
	m.mongoPrefix = fs.String("mongo-prefix", m.env("CRM_MONGODB_PREFIX", "crm"), "prefix of the MongoDB database names (env CRM_MONGODB_PREFIX)")
	m.keyFile = fs.String("encryption-key-file", m.env("CRM_ENCRYPTION_KEY_FILE", ""), "file holding the 32-byte key (64 hex digits or base64) that encrypts sensitive fields; or set CRM_ENCRYPTION_KEY (env CRM_ENCRYPTION_KEY_FILE)")
	return fs.String("data", m.env("CRM_DATA", "./data"), "data directory of the embedded database (env CRM_DATA)")
}

// open opens the store the flags chose and the engine over it.
func (m *Main) open(dir string, log *slog.Logger) (store.Store, *engine.Engine, error) {
	st, err := m.openStore(dir, log)
	if err != nil {
		return nil, nil, err
	}
	key, err := m.encryptionKey()
	if err == nil && key == nil && (m.mongoURI == nil || *m.mongoURI == "") {
		key, err = m.dataDirKey(dir)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	exports := "" // MongoDB: the system's temporary directory
	if m.mongoURI == nil || *m.mongoURI == "" {
		exports = filepath.Join(dir, "exports")
	}
	eng, err := engine.New(engine.Config{Store: st, Logger: log, EncryptionKey: key, UniqueGuesses: m.uniqueGuesses, Usage: m.meter, Channels: channelSender(m.channels),
		AggregateRowsPerMinute: m.aggregateRowsPerMinute, AggregateCacheBytes: m.aggregateCacheBytes, ExportDir: exports,
		MaxFileBytes: m.maxFileBytes, SignOn: m.signOnClient(), WorkLease: m.workLease, TenantStates: m.tenantStates})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, eng, nil
}

// keyFileName is the key file the embedded store keeps in its data
// directory when no key is configured.
const keyFileName = "encryption.key"

// dataDirKey returns the key kept in the data directory of the embedded
// store, making one the first time, so that sensitive fields (which every
// industry template has) work out of the box. Production deployments set
// CRM_ENCRYPTION_KEY or --encryption-key-file and keep the key apart from
// the data it protects.
func (m *Main) dataDirKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, keyFileName)
	b, err := os.ReadFile(path)
	if err == nil {
		return parseKey(string(b))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the encryption key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // made by another command meanwhile
		return m.dataDirKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("create the encryption key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write the encryption key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write the encryption key: %w", err)
	}
	fmt.Fprintf(m.Stderr, "created %s: it encrypts sensitive fields; back it up with the data, and for production keep it elsewhere (--encryption-key-file)\n", path)
	return key, nil
}

// encryptionKey reads the key of sensitive fields from --encryption-key-file
// or CRM_ENCRYPTION_KEY: 32 bytes as 64 hex digits or base64. Nil when
// neither is set.
func (m *Main) encryptionKey() ([]byte, error) {
	text := m.Getenv("CRM_ENCRYPTION_KEY")
	if m.keyFile != nil && *m.keyFile != "" {
		b, err := os.ReadFile(*m.keyFile)
		if err != nil {
			return nil, fmt.Errorf("read the encryption key: %w", err)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	return parseKey(text)
}

// parseKey reads a 32-byte key written as hex or base64.
func parseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if b, err := hex.DecodeString(text); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("the encryption key must be 32 bytes written as 64 hex digits or base64 (make one with: openssl rand -hex 32)")
}

// checkTenantsAtStart is how many tenants serve checks when it starts (that
// their metadata loads and the encryption key fits); with more tenants each
// is checked when first used.
const checkTenantsAtStart = 100

// defaultOpenTenants is --open-tenants' default: each open tenant
// database holds a writer and up to one reader a CPU, two file
// descriptors each.
const defaultOpenTenants = 256

func (m *Main) openStore(dir string, log *slog.Logger) (store.Store, error) {
	if m.mongoURI != nil && *m.mongoURI != "" {
		st, err := mongostore.New(mongostore.Config{URI: *m.mongoURI, DatabasePrefix: *m.mongoPrefix, Logger: log})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	st, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Logger: log, OpenTenants: m.openTenants})
	if err != nil {
		return nil, fmt.Errorf("open embedded database in %s: %w", dir, err)
	}
	return st, nil
}

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	addr := fs.String("addr", m.env("CRM_ADDR", "127.0.0.1:8080"), "listen address (env CRM_ADDR)")
	data := m.dataFlag(fs)
	logFormat := fs.String("log-format", m.env("CRM_LOG_FORMAT", "text"), "log format: text or json (env CRM_LOG_FORMAT)")
	runWorker := fs.Bool("worker", m.env("CRM_WORKER", "true") == "true", "run automations' timers and deliveries in this process (env CRM_WORKER)")
	allowPrivate := fs.Bool("webhook-allow-private", m.env("CRM_WEBHOOK_ALLOW_PRIVATE", "") == "true",
		"let webhooks and notification channels (SMTP servers, group robots) reach loopback and private networks (env CRM_WEBHOOK_ALLOW_PRIVATE)")
	perKey := fs.Float64("rate-per-key", envFloat(m.env("CRM_RATE_PER_KEY", "")), "requests a second each API key may make on average, twice that at once; 0: no limit (env CRM_RATE_PER_KEY)")
	perIP := fs.Float64("rate-per-ip", envFloat(m.env("CRM_RATE_PER_IP", "")), "requests a second each client address may make on average, twice that at once; 0: no limit (env CRM_RATE_PER_IP)")
	metricsAddr := fs.String("metrics-addr", m.env("CRM_METRICS_ADDR", defaultMetricsAddr), "listen address of the Prometheus metrics (/metrics), apart from the API because they name tenants; \"off\" to serve none (env CRM_METRICS_ADDR)")
	metricsToken := fs.String("metrics-token", m.env("CRM_METRICS_TOKEN", ""), "bearer token the metrics need, for a metrics address reachable by others (env CRM_METRICS_TOKEN)")
	origins := fs.String("allowed-origins", m.env("CRM_ALLOWED_ORIGINS", ""), "comma-separated origins (https://crm.example.com) besides the server's own whose pages may sign in (env CRM_ALLOWED_ORIGINS)")
	ssoTest := fs.String("sso-test-endpoint", "", "FOR TESTS ONLY: send sign-ins with WeCom, DingTalk and Feishu to a stand-in on this machine (http://127.0.0.1:PORT) instead of the services; loopback addresses only")
	proxies := fs.String("trusted-proxies", m.env("CRM_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (env CRM_TRUSTED_PROXIES)")
	guessesDefault, err := envInt("CRM_UNIQUE_GUESSES", m.env("CRM_UNIQUE_GUESSES", ""), engine.DefaultUniqueGuesses)
	if err != nil {
		return err
	}
	guesses := fs.Int("unique-guesses", guessesDefault, "new values a role may give one unique field it cannot see whole (masked, or on a private object) per hour, per principal and field; at least 1 (env CRM_UNIQUE_GUESSES)")
	budgetDefault, err := envInt("CRM_AGGREGATE_ROWS_PER_MINUTE", m.env("CRM_AGGREGATE_ROWS_PER_MINUTE", ""), engine.DefaultAggregateRowsPerMinute)
	if err != nil {
		return err
	}
	budget := fs.Int64("aggregate-rows-per-minute", int64(budgetDefault), "records each tenant's aggregations (reports, dashboards, aggregate queries) may read per minute; at least 1 (env CRM_AGGREGATE_ROWS_PER_MINUTE)")
	cacheDefault, err := envInt("CRM_AGGREGATE_CACHE_MB", m.env("CRM_AGGREGATE_CACHE_MB", ""), engine.DefaultAggregateCacheBytes>>20)
	if err != nil {
		return err
	}
	fileDefault, err := envInt("CRM_MAX_FILE_MB", m.env("CRM_MAX_FILE_MB", ""), engine.DefaultMaxFileBytes>>20)
	if err != nil {
		return err
	}
	fileMB := fs.Int64("max-file-mb", int64(fileDefault), "MiB an attached file may have at most, for every tenant; tenants' administrators may set less (env CRM_MAX_FILE_MB)")
	timeoutDefault := 30 * time.Second
	if v := m.env("CRM_REQUEST_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("CRM_REQUEST_TIMEOUT: %q is not a duration such as 30s or 2m", v)
		}
		timeoutDefault = d
	}
	requestTimeout := fs.Duration("request-timeout", timeoutDefault, "how long one request's work may take before it ends with TIMEOUT, 1s to 1h (env CRM_REQUEST_TIMEOUT)")
	openDefault, err := envInt("CRM_OPEN_TENANTS", m.env("CRM_OPEN_TENANTS", ""), defaultOpenTenants)
	if err != nil {
		return err
	}
	openTenants := fs.Int("open-tenants", openDefault, "tenant databases the embedded store keeps open at once, least recently used closed first; 1 to 100000 (env CRM_OPEN_TENANTS)")
	statesDefault, err := envInt("CRM_TENANT_STATES", m.env("CRM_TENANT_STATES", ""), 0)
	if err != nil {
		return err
	}
	tenantStates := fs.Int("tenant-states", statesDefault, "tenants whose compiled metadata and GraphQL schema the server keeps, least recently used dropped first and rebuilt on use; 1 to 1000000, 0: four times --open-tenants (env CRM_TENANT_STATES)")
	workLease := fs.Duration("worker-lease", time.Minute, "with several servers on one MongoDB, how long a server keeps others off a piece of background work it took (an outbox entry, a timer; jobs' batches and scheduled scripts five times that); a stopped server's work is taken again after one to two leases; at least 1s, and longer than a webhook's 30s timeout in production")
	cacheMB := fs.Int64("aggregate-cache-mb", int64(cacheDefault), "MiB of memory for aggregate answers kept until their records change; 0 keeps none (env CRM_AGGREGATE_CACHE_MB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Arg(0))
	}
	if *guesses < 1 {
		return fmt.Errorf("--unique-guesses must be at least 1 (it limits guessing values a role cannot see), got %d", *guesses)
	}
	if *budget < 1 {
		return fmt.Errorf("--aggregate-rows-per-minute must be at least 1 (it keeps aggregations from taking the server), got %d", *budget)
	}
	if *cacheMB < 0 || *cacheMB > 1<<20 {
		return fmt.Errorf("--aggregate-cache-mb must be between 0 (keep no answers) and 1048576, got %d", *cacheMB)
	}
	if *fileMB < 1 || *fileMB > 2047 {
		return fmt.Errorf("--max-file-mb must be between 1 and 2047 (sizes are 32-bit in the API), got %d", *fileMB)
	}
	if *openTenants < 1 || *openTenants > 100000 {
		return fmt.Errorf("--open-tenants must be between 1 and 100000, got %d", *openTenants)
	}
	m.openTenants = *openTenants
	if *tenantStates < 0 || *tenantStates > 1000000 {
		return fmt.Errorf("--tenant-states must be between 1 and 1000000 (0: four times --open-tenants), got %d", *tenantStates)
	}
	m.tenantStates = *tenantStates
	if m.tenantStates == 0 {
		m.tenantStates = 4 * m.openTenants
	}
	if *workLease < time.Second || *workLease > time.Hour {
		return fmt.Errorf("--worker-lease must be between 1s and 1h, got %s", *workLease)
	}
	m.workLease = *workLease
	if *requestTimeout < time.Second || *requestTimeout > time.Hour {
		return fmt.Errorf("--request-timeout must be between 1s and 1h, got %s", *requestTimeout)
	}
	m.maxFileBytes = *fileMB << 20
	m.aggregateCacheBytes = *cacheMB << 20
	if *cacheMB == 0 {
		m.aggregateCacheBytes = -1 // the engine's "keep none"
	}
	m.uniqueGuesses = *guesses
	if *ssoTest != "" {
		ep, err := sso.Loopback(*ssoTest)
		if err != nil {
			return fmt.Errorf("--sso-test-endpoint: %w", err)
		}
		m.signOnEndpoints = &ep
	}
	m.channels = channel.New(channel.Config{AllowPrivate: *allowPrivate, Hostname: hostname()})
	m.aggregateRowsPerMinute = *budget
	m.meter = tenantusage.New(nil)
	if *perKey < 0 {
		*perKey = defaultRatePerKey
	}
	if *perIP < 0 {
		*perIP = defaultRatePerIP
	}
	log, err := m.logger(*logFormat)
	if err != nil {
		return err
	}
	st, eng, err := m.open(*data, log)
	if err != nil {
		return err
	}
	defer st.Close()
	defer eng.Close()

	// A few tenants are checked now, and their problems reported at once;
	// with more, each is checked when first used, so that the server
	// starts in seconds whatever the number of tenants (issue 21).
	var problems []engine.TenantProblem
	if tenants, err := st.ListTenants(ctx); err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	} else if len(tenants) <= checkTenantsAtStart {
		if problems, err = eng.CheckTenants(ctx); err != nil {
			return fmt.Errorf("refusing to start: %w", err)
		}
	}
	for _, p := range problems { // the other tenants are served
		log.Error("tenant unavailable", "tenant", p.Tenant, "err", p.Err)
		fmt.Fprintf(m.Stdout, "tenant %q is unavailable: %v\n", p.Tenant, p.Err)
	}
	first, err := m.bootstrap(ctx, eng)
	if err != nil {
		return err
	}
	mets := metrics.New(eng)
	explorer := ""
	if adminui.DistFS != nil {
		explorer = "/explorer" // the web app's bundled GraphiQL
	}
	gql, err := graphql.New(graphql.Config{Engine: eng, Logger: log, Templates: embeddedCatalog{}, OnError: mets.Error, ExplorerURL: explorer, MaxSchemas: m.tenantStates, Limits: []engine.Limit{
		{Name: "api.ratePerKey", Value: *perKey, Unit: "requests/s", Description: "requests each API key may make on average, twice that at once (0: none)", DescriptionZh: "每个 API 密钥（或登录会话）平均每秒可发出的请求数，瞬时可达两倍（0：不限）"},
		{Name: "api.ratePerIP", Value: *perIP, Unit: "requests/s", Description: "requests each client address may make on average, twice that at once (0: none)", DescriptionZh: "每个客户端地址平均每秒可发出的请求数，瞬时可达两倍（0：不限）"},
	}})
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Auth:     eng,
		Sessions: eng,
		SignOns:  eng,
		GraphQL:  gql.Handler,
		Health: func(ctx context.Context) error {
			_, err := st.ListTenants(ctx)
			return err
		},
		UI:             adminui.DistFS,
		Logger:         log,
		KeyRate:        server.Rate{Per: *perKey, Burst: int(2 * *perKey)},
		IPRate:         server.Rate{Per: *perIP, Burst: int(2 * *perIP)},
		SharedLimits:   sharedLimits(st),
		TrustedProxies: splitList(*proxies),
		AllowedOrigins: splitList(*origins),
		Metrics:        mets,
		Usage:          m.meter,
		Imports:        eng,
		Exports:        eng,
		Files:          eng,
		MaxFileBytes:   m.maxFileBytes,
		RequestTimeout: *requestTimeout,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	metricsURL, stopMetrics, err := m.serveMetrics(*metricsAddr, *metricsToken, mets, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	url := "http://" + ln.Addr().String()
	where := "data in " + *data
	if *m.mongoURI != "" {
		where = "data in MongoDB"
	}
	fmt.Fprintf(m.Stdout, "CRM server listening on %s (%s)\n", url, where)
	fmt.Fprintf(m.Stdout, "  GraphQL: %s/graphql   health: %s/healthz\n", url, url)
	if metricsURL != "" {
		fmt.Fprintf(m.Stdout, "  metrics: %s (for Prometheus; name tenants, keep it private)\n", metricsURL)
	}
	if first != nil {
		fmt.Fprintf(m.Stdout, "\nFirst start: created tenant %q with an administrator and an API key (both shown only once).\n\n", first.tenant)
		if adminui.DistFS != nil {
			fmt.Fprintf(m.Stdout, "Open %s/ in a browser and sign in: tenant %s, user %s, password %s (you will be asked to change it)\n\n",
				url, first.tenant, first.user, first.password)
		} else {
			fmt.Fprintf(m.Stdout, "Sign in with POST %s/auth/login: tenant %s, user %s, password %s (you will be asked to change it)\n\n",
				url, first.tenant, first.user, first.password)
		}
		fmt.Fprintf(m.Stdout, "API key:  %s\n\n", first.key)
		fmt.Fprintf(m.Stdout, "Use it as the header  Authorization: Bearer %s\nMore keys: crm apikey create --tenant %s --data %s\n", first.key, first.tenant, *data)
	}
	// What starting allocated (metadata checked, schemas compiled, the
	// catalogue read) is garbage now: collect it and give its memory back,
	// so that an idle server holds what it uses (RSS at start 57 → 38 MiB
	// over a loaded tenant; docs/performance.md, "Memory at start").
	debug.FreeOSMemory()
	// From here on the collector lets a small heap grow by a fixed
	// headroom rather than by itself (docs/decisions.md, "The collector's
	// goal"); GOGC and GOMEMLIMIT in the environment win.
	gc := gcgoal.Start(gcgoal.Config{})
	defer gc.Stop()
	log.Info("server started", "addr", ln.Addr().String(), "data", *data, "gcPercent", gc.Percent(), "memoryLimit", gc.Limit())
	if m.ready != nil {
		m.ready <- ln.Addr().String()
	}

	workerCtx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	if *runWorker {
		go func() {
			defer close(workerDone)
			_ = worker.Run(workerCtx, eng.Queues(), worker.Config{Webhooks: webhook.New(webhook.Config{AllowPrivate: *allowPrivate}), Channels: m.channels, Logger: log, Lease: m.workLease})
		}()
	} else {
		close(workerDone)
	}
	defer func() {
		stopWorker()
		<-workerDone
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	stopWorker() // a delivery in flight is retried after its lease
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	<-workerDone
	log.Info("stopped")
	return nil
}

// firstStart is what bootstrap made, to be shown once.
type firstStart struct {
	tenant, user, password, key string
}

// bootstrap, when the data directory has no tenant yet, creates the
// tenant "default", an administrator "admin" with a generated password
// that must be changed at the first sign-in, and an API key. It returns
// nil when there was a tenant already.
func (m *Main) bootstrap(ctx context.Context, eng *engine.Engine) (*firstStart, error) {
	ts, err := eng.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	if len(ts) > 0 {
		return nil, nil
	}
	first := &firstStart{tenant: "default", user: "admin"}
	if _, err := eng.CreateTenant(ctx, first.tenant, "Default"); errors.Is(err, engine.ErrConflict) {
		return nil, nil // another server on the same database started first and makes the first start
	} else if err != nil {
		return nil, err
	}
	if first.password, err = generatePassword(); err != nil {
		return nil, err
	}
	_, err = eng.CreateUser(engine.WithDoor(ctx, "cli"), first.tenant, engine.NewUser{Username: first.user, DisplayName: "管理员",
		Password: first.password, Role: engine.AdminRole, MustChangePassword: true})
	if err != nil {
		return nil, fmt.Errorf("create the first administrator: %w", err)
	}
	if first.key, _, err = eng.CreateAPIKey(ctx, first.tenant, "first start"); err != nil {
		return nil, err
	}
	return first, nil
}

// passwordAlphabet leaves out characters that are easily mistaken for
// each other (0/o, 1/l/i).
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// generatePassword returns a password that is easy to read and type:
// four groups of four characters from passwordAlphabet (31 letters,
// about 79 bits) joined by "-", drawn with crypto/rand.
func generatePassword() (string, error) {
	var b strings.Builder
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			return "", fmt.Errorf("generate a password: %w", err)
		}
		b.WriteByte(passwordAlphabet[n.Int64()])
	}
	return b.String(), nil
}

func (m *Main) logger(format string) (*slog.Logger, error) {
	switch strings.ToLower(format) {
	case "text", "":
		return slog.New(slog.NewTextHandler(m.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// Default rate limits, per second (H8).
const (
	defaultRatePerKey = 50
	defaultRatePerIP  = 100
)

// envFloat reads a number from the environment, or returns -1 for "use
// the default".
// envInt reads the integer of the variable name, def when it is unset.
func envInt(name, v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number, got %q", name, v)
	}
	return n, nil
}

func envFloat(v string) float64 {
	if v == "" {
		return -1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return -1
	}
	return f
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// defaultMetricsAddr is where metrics are served unless told otherwise:
// loopback, so that the per-tenant series are not on the internet.
const defaultMetricsAddr = "127.0.0.1:9464"

// serveMetrics serves the Prometheus metrics on their own listener. A
// failure to listen on the default address (another server on this
// machine has it) is a warning; on an address the operator chose, an
// error.
func (m *Main) serveMetrics(addr, token string, mets *metrics.Metrics, log *slog.Logger) (string, func(), error) {
	if addr == "" || addr == "off" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if addr == defaultMetricsAddr {
			log.Warn("metrics not served: their default address is taken; set --metrics-addr", "addr", addr, "err", err)
			return "", func() {}, nil
		}
		return "", nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", mets.Handler(token))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); token == "" && !isLoopback(host) {
		log.Warn("metrics are served without a token on an address others may reach; set --metrics-token", "addr", ln.Addr().String())
	}
	return "http://" + ln.Addr().String() + "/metrics", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// channelSender is the engine's sender of test messages: nil when serve
// made none (an untyped nil, not a nil *channel.Client).
func channelSender(c *channel.Client) worker.Sender {
	if c == nil {
		return nil
	}
	return c
}

// hostname names this server in e-mails' EHLO and Message-ID.
func hostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

// sharedLimits is the store's shared counters, which keep the rate limits
// of every server on one MongoDB together; nil on SQLite, whose files one
// server alone opens.
func sharedLimits(st store.Store) store.Counters {
	c, _ := st.(store.Counters)
	return c
}
