// Package server builds the HTTP edge of the CRM: the Fiber app with its
// limits, middleware (request ids, recovery, structured access logs,
// deadlines, API-key authentication), the GraphQL endpoint, health checks
// and the embedded admin UI. It turns engine errors into HTTP statuses in
// one place, [errorHandler].
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/valyala/fasthttp"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/internal/metrics"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/store"
)

// Authenticator resolves an API key secret to an actor.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (engine.Actor, error)
}

// Sessions signs users in and out and resolves session cookies.
type Sessions interface {
	SignIn(ctx context.Context, tenantID, username, password string) (*engine.Session, error)
	AuthenticateSession(ctx context.Context, token string) (engine.Actor, string, error)
	// SessionOf describes the session of a token (without the token).
	SessionOf(ctx context.Context, token string) (*engine.Session, error)
	SignOut(ctx context.Context, token string) error
}

// sessionCookie is the name of the session cookie.
const sessionCookie = "crm_session"

// Config wires a [Server]. Zero durations and sizes take the defaults given.
type Config struct {
	Auth Authenticator // required
	// Sessions, when set, serves /auth/login, /auth/session and
	// /auth/logout and accepts the session cookie besides API keys.
	Sessions Sessions
	// GraphQL serves /graphql; the actor is in c.UserContext(). Required.
	// It checks that its body is UTF-8 (graphql.Server.Handler does: text
	// that is not is refused where it stands, field by field in variables).
	GraphQL fiber.Handler
	// Health reports whether the server can serve (e.g. the store
	// answers); nil means always healthy.
	Health func(ctx context.Context) error
	// UI is the web app's built files (index.html at the root, hashed
	// files under assets/); nil serves no UI. See ui.go.
	UI     fs.FS
	Logger *slog.Logger // if nil, slog.Default()

	RequestTimeout time.Duration // deadline of each request's work; default 30s
	ReadTimeout    time.Duration // default 10s (slow clients, H2)
	WriteTimeout   time.Duration // default 60s
	IdleTimeout    time.Duration // keep-alive; default 60s (H3)
	BodyLimit      int           // bytes; default 2 MiB (H1)

	// KeyRate limits each authenticated caller (tenant and key); zero Per
	// means no limit.
	KeyRate Rate
	// IPRate limits each client address, before authentication; zero Per
	// means no limit.
	IPRate Rate
	// SharedLimits, when set, keeps both rates in counters every server
	// on the same database shares (store.Counters: several servers on one
	// MongoDB), so that a limit holds across them; nil keeps them in this
	// process's memory.
	SharedLimits store.Counters
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// whose X-Forwarded-For names the client. Empty: the peer address is
	// the client, whatever headers say.
	TrustedProxies []string
	// Now is the clock of the rate limits; if nil, time.Now.
	Now func() time.Time
	// AllowedOrigins are origins ("https://crm.example.com") besides the
	// server's own whose pages may call /auth/login and /auth/logout.
	// Empty: only pages the server itself serves.
	AllowedOrigins []string
	// Usage, when set, counts each tenant's authenticated requests and
	// those the per-key rate limit refuses (the administrators' usage
	// page).
	Usage *usage.Meter
	// Imports, when set, serves /imports/upload (files to import, up to
	// UploadLimit) and /imports/:job/rejects.csv (see imports.go).
	Imports Imports
	// Files, when set, serves /files (attached files, see files.go).
	Files Files
	// MaxFileBytes is the largest file the engine takes from any tenant
	// (engine.Config.MaxFileBytes), which bounds the body of an upload;
	// if zero, engine.DefaultMaxFileBytes.
	MaxFileBytes int64
	// Exports, when set, serves /exports/:object (a list's records as
	// CSV or .xlsx; see exports.go).
	Exports Exports
	// Metrics, when set, counts requests and errors. The metrics are
	// served elsewhere (Metrics.Handler on a listener of their own): this
	// app answers /metrics with 404, never with the UI's page.
	Metrics *metrics.Metrics
	// SignOns, when set with Sessions, serves sign-in with WeCom,
	// DingTalk and Feishu under /auth/sso (see sso.go).
	SignOns SignOns
}

// Server is the HTTP server.
type Server struct {
	app      *fiber.App
	cfg      Config
	log      *slog.Logger
	keyLimit *limiter
	ipLimit  *limiter
	ui       *webApp // nil without Config.UI
}

// New builds the app. Call [Server.Serve] to accept connections.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || cfg.GraphQL == nil {
		return nil, errors.New("server: Config.Auth and Config.GraphQL are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.RequestTimeout, 30*time.Second)
	def(&cfg.ReadTimeout, 10*time.Second)
	def(&cfg.WriteTimeout, 60*time.Second)
	def(&cfg.IdleTimeout, 60*time.Second)
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 2 << 20
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = engine.DefaultMaxFileBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.keyLimit = sharedLimiter(cfg.KeyRate, cfg.Now, cfg.SharedLimits, "key", s.log)
	s.ipLimit = sharedLimiter(cfg.IPRate, cfg.Now, cfg.SharedLimits, "ip", s.log)
	if cfg.UI != nil {
		ui, err := newWebApp(cfg.UI)
		if err != nil {
			return nil, err
		}
		s.ui = ui
	}
	s.app = fiber.New(fiber.Config{
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		AppName:                 "crm",
		DisableStartupMessage:   true,
		// Strings read from a request (query, parameters, cookies,
		// headers) are copies: by default fiber hands out views of a
		// buffer the next request reuses, and a value the engine keeps
		// (a tenant name in a cache) would change under it.
		Immutable: true,
		// Bodies up to the limit are read before the handlers run; a
		// longer one (an upload) comes as a stream that bodyLimit bounds
		// per route, so that no route reads more than its own limit.
		BodyLimit:                    cfg.BodyLimit,
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  cfg.ReadTimeout,
		WriteTimeout:                 cfg.WriteTimeout,
		IdleTimeout:                  cfg.IdleTimeout,
		ReadBufferSize:               16 << 10,
		ErrorHandler:                 s.errorHandler,
	})
	s.routes()
	return s, nil
}

// App returns the Fiber app, for in-process tests.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until [Server.Shutdown].
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) routes() {
	s.app.Use(requestid.New())
	if s.cfg.Metrics != nil {
		s.app.Use(s.cfg.Metrics.Middleware())
	}
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(s.accessLog)
	s.app.Use(s.deadline)
	s.app.Use(s.limitByIP)

	s.app.Use(s.bodyLimit)
	s.app.Get("/healthz", s.healthz)
	s.app.All("/metrics", func(c *fiber.Ctx) error {
		return c.Status(fiber.StatusNotFound).JSON(fiber.Map{
			"error": say(c, "server.metricsElsewhere"),
			"code":  engine.CodeNotFound})
	})
	if s.cfg.Sessions != nil {
		s.app.Post("/auth/login", s.authEndpoint, utf8Body, s.login)
		s.app.Get("/auth/session", s.session)
		s.app.Post("/auth/logout", s.authEndpoint, s.logout)
		if s.cfg.SignOns != nil {
			s.signOnRoutes()
		}
	}
	// Answers are compressed when the client accepts it: introspection and
	// lists are large JSON that shrinks tenfold. (Compression next to
	// secrets can leak them to an attacker who injects text and watches
	// sizes — BREACH — but a cross-site page cannot make these requests:
	// they need the CSRF header or a key.)
	zip := compressLarge()
	s.app.Get("/graphql", zip, s.authenticate(true), s.cfg.GraphQL)
	// The GraphQL handler checks its body's encoding itself: text that is
	// not UTF-8 in variables is refused field by field, elsewhere with 400.
	s.app.Post("/graphql", zip, s.authenticate(false), s.cfg.GraphQL)
	s.app.All("/graphql", s.cfg.GraphQL) // other methods: 405 with Allow, no credentials needed
	if s.cfg.Exports != nil {
		s.exportRoutes()
	}
	if s.cfg.Imports != nil {
		s.importRoutes()
	}
	if s.cfg.Files != nil {
		s.fileRoutes()
	}
	if s.ui != nil {
		s.app.Use("/", s.ui.serve)
	}
}

// minCompressed is the smallest answer compressed: one that fits in a
// single packet (an Ethernet frame carries 1,500 bytes with the headers)
// arrives no sooner for being smaller, and gzipping it costs about as
// much CPU as computing a record by id.
const minCompressed = 1400

// compressLarge gzips (or brotli-compresses) an answer of at least
// minCompressed bytes for a client that accepts it, at the fastest level.
func compressLarge() fiber.Handler {
	zip := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {}, fasthttp.CompressBrotliBestSpeed, fasthttp.CompressBestSpeed)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		if len(c.Response().Body()) >= minCompressed {
			zip(c.Context())
		}
		return nil
	}
}

// deadline gives every request's work a deadline that reaches the store
// through the context (H6).
func (s *Server) deadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// authenticate puts the actor of the request's API key into the user
// context. With browserPage set, a browser asking for HTML passes without
// a key, so that the GraphQL explorer page loads and can ask for one.
func (s *Server) authenticate(browserPage bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if browserPage && strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
			return c.Next()
		}
		// One request, one scope: what authentication resolves of the
		// tenant is reused by the catalog and the operation.
		c.SetUserContext(engine.WithRequest(c.UserContext()))
		h := c.Get(fiber.HeaderAuthorization)
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if (!ok || secret == "") && s.cfg.Sessions != nil && c.Cookies(sessionCookie) != "" {
			return s.sessionAuth(c)
		}
		if !ok || secret == "" {
			return unauthenticated(c, say(c, "server.noAuthHeader"))
		}
		actor, err := s.cfg.Auth.Authenticate(c.UserContext(), strings.TrimSpace(secret))
		if err != nil {
			if engine.CodeOf(err) == engine.CodeUnauthenticated {
				return unauthenticated(c, engine.PublicMessage(err, langOf(c)))
			}
			return err
		}
		if ok, wait := s.admit(c.UserContext(), actor); !ok {
			return tooMany(c, wait, say(c, "server.tooManyForKey"))
		}
		c.SetUserContext(engine.WithActor(c.UserContext(), actor))
		return c.Next()
	}
}

// admit spends a token of an authenticated caller's rate (its key or
// session), or says how long until there is one, and counts the request
// for the tenant's usage.
func (s *Server) admit(ctx context.Context, actor engine.Actor) (ok bool, wait time.Duration) {
	if s.keyLimit.on() { // without a rate, the key is not even made
		if ok, wait := s.keyLimit.take(ctx, actor.TenantID+"|"+actor.ID); !ok {
			s.cfg.Usage.Add(actor.TenantID, usage.APIRateLimited, 1)
			return false, wait
		}
	}
	s.cfg.Usage.Add(actor.TenantID, usage.APIRequests, 1)
	return true, 0
}

// utf8Body refuses a body that is not valid UTF-8 (JSON must be), naming
// the first bad byte: a decoder would otherwise replace the bad bytes with
// U+FFFD and use text the client did not send.
func utf8Body(c *fiber.Ctx) error {
	body := c.Body()
	if utf8.Valid(body) {
		return c.Next()
	}
	at := 0
	for at < len(body) {
		r, size := utf8.DecodeRune(body[at:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		at += size
	}
	return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{
		"error": say(c, "request.bodyNotUTF8", at),
		"code":  engine.CodeBadRequest,
		"errors": []fiber.Map{{"message": say(c, "request.bodyNotUTF8", at),
			"extensions": fiber.Map{"code": engine.CodeBadRequest}}},
	})
}

// unauthenticated answers 401 in the GraphQL response shape, since the
// only authenticated route is /graphql.
func unauthenticated(c *fiber.Ctx, msg string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="crm"`)
	return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{
		"errors": []fiber.Map{{"message": msg, "extensions": fiber.Map{"code": engine.CodeUnauthenticated}}},
	})
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// langOf is the language of the messages to c: English when the client
// prefers it, Chinese otherwise.
func langOf(c *fiber.Ctx) string {
	if preferEnglish(c) {
		return message.En
	}
	return message.Zh
}

// say returns the catalogue's message key in the language of c.
func say(c *fiber.Ctx, key message.Key, args ...any) string {
	return message.Text(langOf(c), key, args...)
}

func preferEnglish(c *fiber.Ctx) bool {
	lang := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderAcceptLanguage)))
	return strings.HasPrefix(lang, "en")
}

func (s *Server) healthz(c *fiber.Ctx) error {
	if s.cfg.Health != nil {
		if err := s.cfg.Health(c.UserContext()); err != nil {
			s.log.ErrorContext(c.UserContext(), "health check", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
		}
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// accessLog writes one line for every request that reaches it, after
// the answer has gone out: a client waits for its answer, not for the
// line, and at one client the line's formatting and its write to stderr
// were about 5 µs of a 0.23 ms round trip. The line is made here, while
// the request's values are valid, and written by fasthttp when it is done
// with the request (the user values' Close, which it calls after the
// answer is flushed, or when the connection ends, a write to the client
// that fails included), on this request's goroutine, before the next
// request of the connection is read: nothing is queued or buffered, so a
// line is lost only if the process dies between the answer's write and
// the line's.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
		} else {
			status = statusOf(err)
		}
	}
	ctx := c.UserContext()
	if h := s.log.Handler(); h.Enabled(ctx, slog.LevelInfo) {
		// The record is made here rather than by Logger.LogAttrs, which
		// walks the stack for the caller's position on every request (a
		// fifth of the line's cost); the position would be this function.
		line := accessLines.Get().(*accessLine)
		line.h, line.ctx, line.r = h, ctx, slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		line.r.AddAttrs(
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.String("requestId", requestID(c)),
		)
		c.Context().SetUserValue(accessLineKey{}, line)
	}
	return err
}

// accessLineKey is the key of a request's accessLine among fasthttp's user
// values.
type accessLineKey struct{}

// accessLine is a request's access line, written when fasthttp closes the
// request's user values (after its answer is written).
type accessLine struct {
	h   slog.Handler
	ctx context.Context
	r   slog.Record
}

// accessLines keeps the lines written, for the next requests.
var accessLines = sync.Pool{New: func() any { return new(accessLine) }}

// Close writes the line. A line that fails to write is not the request's
// error (as Logger.LogAttrs).
func (l *accessLine) Close() error {
	_ = l.h.Handle(l.ctx, l.r)
	*l = accessLine{}
	accessLines.Put(l)
	return nil
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic in handler", "panic", fmt.Sprint(e), "path", c.Path(), "requestId", requestID(c))
}

// errorHandler is the one place where errors that reach Fiber become HTTP
// responses: engine codes map to statuses, and internal errors are logged
// with the request id and answered without detail (H12).
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return c.Status(fe.Code).JSON(fiber.Map{"error": fe.Message})
	}
	status := statusOf(err)
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.Error(string(engine.CodeOf(err)))
	}
	lang := "zh"
	if preferEnglish(c) {
		lang = "en"
	}
	if status == fiber.StatusInternalServerError {
		s.log.ErrorContext(c.UserContext(), "internal error", "err", err, "path", c.Path(), "requestId", requestID(c))
	}
	return c.Status(status).JSON(fiber.Map{
		"error":     engine.PublicMessage(err, lang),
		"code":      engine.CodeOf(err),
		"requestId": requestID(c),
	})
}

func statusOf(err error) int {
	switch engine.CodeOf(err) {
	case engine.CodeValidation, engine.CodeBadRequest:
		return fiber.StatusBadRequest
	case engine.CodeUnauthenticated:
		return fiber.StatusUnauthorized
	case engine.CodeForbidden:
		return fiber.StatusForbidden
	case engine.CodeNotFound:
		return fiber.StatusNotFound
	case engine.CodeConflict:
		return fiber.StatusConflict
	case engine.CodeTimeout:
		return fiber.StatusGatewayTimeout
	case engine.CodeUnavailable:
		return fiber.StatusServiceUnavailable
	case engine.CodeRateLimited:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusInternalServerError
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}
