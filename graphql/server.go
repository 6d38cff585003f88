package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/crmkit/crm/engine"
)

// Defaults of [Config].
const (
	DefaultMaxDepth       = 12
	DefaultMaxQueryLength = 16 << 10
	DefaultMaxParallelism = 10
	DefaultMaxSchemas     = 1000
)

// Config wires a [Server].
type Config struct {
	// Engine runs the use cases. Required.
	Engine Engine
	// Logger receives internal errors with their request id; if nil,
	// slog.Default().
	Logger *slog.Logger
	// MaxDepth is the deepest field nesting a query may have; zero means
	// DefaultMaxDepth (12).
	MaxDepth int
	// MaxQueryLength is the longest query text in bytes; zero means
	// DefaultMaxQueryLength (16 KiB, G2).
	MaxQueryLength int
	// MaxParallelism is how many root fields of one query run at once;
	// zero means DefaultMaxParallelism (10).
	MaxParallelism int
	// Templates is the catalogue of industry templates admins may install;
	// nil offers none.
	Templates TemplateCatalog
	// Limits are budgets of the layers around this server (the HTTP
	// edge's rate limits) that the limits query lists too.
	Limits []engine.Limit
	// MaxSchemas is how many tenants' schemas are kept built; zero means
	// DefaultMaxSchemas (1000). Beyond it the least recently used are
	// dropped and rebuilt on their next request.
	MaxSchemas int
	// OnError, when set, is told the code of every error answered to a
	// client (for metrics).
	OnError func(code string)
	// ExplorerURL is where a browser opening the endpoint is sent: the web
	// app's bundled explorer ("/explorer"). Empty (an API-only build): the
	// browser gets a short page on how to call the API.
	ExplorerURL string
}

// Server serves a tenant-specific GraphQL API generated from each tenant's
// object definitions. It is safe for concurrent use.
type Server struct {
	meta           Metadata
	records        Records
	ops            Operations
	admin          Administration
	installer      Installer
	directory      Directory
	analytics      Analytics
	reports        Reporting
	imports        Importing
	mass           Mass
	recycle        Recycling
	activities     Activities     // nil: an engine without notes, tasks and the timeline
	settings       TenantSettings // nil: an engine without tenant settings
	pools          Pooling        // nil: an engine without customer pools
	rates          ExchangeRates  // nil: an engine without exchange rates
	signOn         SigningOn      // nil: an engine without sign-in providers
	approvals      Approving
	channels       Channeling
	files          Attaching
	inbox          Inbox
	seer           everySeer // nil: every reference is read
	log            *slog.Logger
	maxDepth       int
	maxQueryLength int
	maxParallelism int
	cache          *schemaCache
	docs           *docCache
	templates      TemplateCatalog
	extraLimits    []engine.Limit
	onError        func(code string)
	explorerURL    string
}

// New returns a server over cfg.Engine.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("graphql: Config.Engine is required")
	}
	if cfg.MaxDepth < 0 || cfg.MaxQueryLength < 0 || cfg.MaxParallelism < 0 || cfg.MaxSchemas < 0 {
		return nil, errors.New("graphql: Config limits must not be negative")
	}
	s := &Server{
		meta:           cfg.Engine,
		records:        cfg.Engine,
		ops:            cfg.Engine,
		admin:          cfg.Engine,
		installer:      cfg.Engine,
		directory:      cfg.Engine,
		analytics:      cfg.Engine,
		reports:        cfg.Engine,
		imports:        cfg.Engine,
		mass:           cfg.Engine,
		recycle:        cfg.Engine,
		approvals:      cfg.Engine,
		channels:       cfg.Engine,
		files:          cfg.Engine,
		inbox:          cfg.Engine,
		log:            cfg.Logger,
		maxDepth:       orDefault(cfg.MaxDepth, DefaultMaxDepth),
		maxQueryLength: orDefault(cfg.MaxQueryLength, DefaultMaxQueryLength),
		maxParallelism: orDefault(cfg.MaxParallelism, DefaultMaxParallelism),
		cache:          newSchemaCache(orDefault(cfg.MaxSchemas, DefaultMaxSchemas)),
		docs:           newDocCache(maxCachedDocs, maxCachedDocBytes),
		templates:      cfg.Templates,
		extraLimits:    cfg.Limits,
		explorerURL:    cfg.ExplorerURL,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.cache.onDrop = s.docs.dropSchema
	s.onError = cfg.OnError
	s.activities, _ = cfg.Engine.(Activities)
	s.settings, _ = cfg.Engine.(TenantSettings)
	s.pools, _ = cfg.Engine.(Pooling)
	s.rates, _ = cfg.Engine.(ExchangeRates)
	s.signOn, _ = cfg.Engine.(SigningOn)
	s.seer, _ = cfg.Engine.(everySeer)
	return s, nil
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// execInput is one GraphQL request.
type execInput struct {
	query         string
	operationName string
	variables     map[string]json.RawMessage // each value as sent
	queryOnly     bool                       // GET: mutations are refused
	// out, when set, is where the response's data is written (the
	// handler's pooled buffer); the response is valid until it is
	// reused.
	out *bytes.Buffer
}

// Exec runs a GraphQL request as the actor in ctx (see
// [engine.WithActor]) and returns its response; errors are in the
// response. Variables take the values encoding/json gives (or Go values
// that encode as JSON); a JSON-typed variable may also be a
// json.RawMessage, which keeps the order of its object keys.
func (s *Server) Exec(ctx context.Context, query, operationName string, variables map[string]any) *Response {
	in := execInput{query: query, operationName: operationName}
	if len(variables) > 0 {
		in.variables = make(map[string]json.RawMessage, len(variables))
		for k, v := range variables {
			text, err := json.Marshal(v)
			if err != nil {
				return &Response{Errors: []*QueryError{{Message: fmt.Sprintf("variable $%s cannot be encoded as JSON: %v", k, err),
					Extensions: map[string]any{"code": string(engine.CodeBadRequest)}}}}
			}
			in.variables[k] = text
		}
	}
	resp, _ := s.exec(ctx, in)
	return resp
}

// exec runs a request. status is the HTTP status the outcome calls for
// under application/graphql-response+json: 200 once execution began, 400
// for a request error (nothing ran), 401, 405 (a mutation over GET) or
// 500.
func (s *Server) exec(ctx context.Context, in execInput) (resp *Response, status int) {
	lang, requestID := requestInfo(ctx)
	fail := func(status int, errs ...error) (*Response, int) {
		out := &Response{}
		for _, err := range errs {
			out.Errors = append(out.Errors, s.requestError(err, lang, requestID))
		}
		return out, status
	}
	defer func() {
		if p := recover(); p != nil {
			resp, status = fail(fiber.StatusInternalServerError, &panicError{value: p, stack: debug.Stack()})
		}
	}()

	ctx = engine.WithRequest(engine.WithDoor(ctx, "graphql")) // the catalog and every field share one scope
	actor, ok := engine.ActorFrom(ctx)
	if !ok {
		return fail(fiber.StatusUnauthorized, &Error{Code: string(engine.CodeUnauthenticated), Message: say(lang, "request.unauthenticated"), cause: engine.ErrUnauthenticated})
	}
	if len(in.query) > s.maxQueryLength {
		return fail(fiber.StatusBadRequest, badRequestf("the query is %d bytes long, more than the limit of %d", len(in.query), s.maxQueryLength))
	}
	if strings.TrimSpace(in.query) == "" {
		return fail(fiber.StatusBadRequest, badRequestf("the request has no query"))
	}
	// A document this schema has validated before is taken as it is;
	// anything else is parsed, checked and validated, in that order (a
	// syntax error is answered even when the catalog cannot be read).
	es, schemaErr := s.schemaOf(ctx, actor)
	var prep *preparedDoc
	if schemaErr == nil {
		prep = s.docs.get(es, in.query)
	}
	if prep == nil {
		parsed, err := parser.ParseQuery(&ast.Source{Input: in.query})
		if err != nil {
			var ge *gqlerror.Error
			if errors.As(err, &ge) {
				ge.Message = "Syntax Error: " + ge.Message
			}
			return fail(fiber.StatusBadRequest, err)
		}
		if err := checkExecutableSyntax(parsed); err != nil {
			return fail(fiber.StatusBadRequest, err)
		}
		if err := checkShape(parsed, s.maxDepth); err != nil {
			return fail(fiber.StatusBadRequest, err)
		}
		if schemaErr != nil {
			return fail(fiber.StatusInternalServerError, schemaErr)
		}
		if errs := validate(es.ast, parsed); len(errs) > 0 {
			out := make([]error, len(errs))
			for i, e := range errs {
				out[i] = e
			}
			return fail(fiber.StatusBadRequest, out...)
		}
		prep = prepareDoc(parsed)
		s.docs.put(es, in.query, prep)
	}
	doc := prep.doc
	op, err := operationNamed(doc, in.operationName)
	if err != nil {
		return fail(fiber.StatusBadRequest, err)
	}
	if op.Operation == ast.Mutation && in.queryOnly {
		return fail(fiber.StatusMethodNotAllowed, badRequestf("mutations must be sent with POST"))
	}
	vars, verrs := coerceVariables(es.ast, op, in.variables, variableListLimits(es.ast, doc, op))
	if len(verrs) > 0 {
		return &Response{Errors: verrs}, fiber.StatusBadRequest
	}
	r := &request{s: es, srv: s, doc: doc, prep: prep, op: op, vars: vars, actor: actor, lang: lang, requestID: requestID}
	if err := r.checkDirectives(); err != nil {
		return fail(fiber.StatusBadRequest, err)
	}
	if err := r.checkCost(); err != nil {
		return fail(fiber.StatusBadRequest, err)
	}
	if op.Operation == ast.Mutation {
		if err := r.prepareMutation(); err != nil {
			return fail(fiber.StatusBadRequest, err)
		}
	}
	w := in.out
	if w == nil {
		w = &bytes.Buffer{}
	}
	// The data is written after the frame of a response without errors,
	// which marshal then completes in place.
	w.WriteString(dataFrame)
	r.execute(ctx, w)
	b := w.Bytes()
	return &Response{Data: b[len(dataFrame):len(b):len(b)], Errors: r.errs, framed: b}, fiber.StatusOK
}

// schemaOf returns the executable schema of the caller's catalog at its
// current revision (read once for the request).
func (s *Server) schemaOf(ctx context.Context, actor engine.Actor) (*execSchema, error) {
	cat, err := s.meta.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	if cat == nil || (cat.TenantID != "" && cat.TenantID != actor.TenantID) {
		return nil, fmt.Errorf("graphql: engine returned the catalog of tenant %q to an actor of tenant %q", catalogTenant(cat), actor.TenantID)
	}
	keyed := *cat
	keyed.TenantID = actor.TenantID // the cache is keyed by the actor's tenant, never another
	return s.cache.get(&keyed, s.buildSchema)
}

// requestError turns an error that stops a request before execution into
// a response error: gqlparser's syntax and validation errors keep their
// message and locations, with code BAD_REQUEST.
func (s *Server) requestError(err error, lang, requestID string) *QueryError {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		qe := &QueryError{Message: ge.Message, Extensions: map[string]any{"code": string(engine.CodeBadRequest)}, Err: err}
		for _, l := range ge.Locations {
			qe.Locations = append(qe.Locations, Location{Line: l.Line, Column: l.Column})
		}
		return qe
	}
	e := s.publicError(err, lang, requestID)
	return &QueryError{Message: e.Message, Extensions: e.Extensions(), Err: err}
}

// operationNamed picks the operation to run: the named one, or the only
// one when name is "".
func operationNamed(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, error) {
	if name == "" {
		switch len(doc.Operations) {
		case 0:
			return nil, badRequestf("the document has no operation")
		case 1:
			return doc.Operations[0], nil
		}
		return nil, badRequestf("the document has several operations: name one in operationName")
	}
	if op := doc.Operations.ForName(name); op != nil {
		return op, nil
	}
	return nil, badRequestf("the document has no operation named %q", name)
}

func catalogTenant(cat *engine.Catalog) string {
	if cat == nil {
		return ""
	}
	return cat.TenantID
}

// Media types of GraphQL over HTTP.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// responseMediaType picks the media type of the answer from an Accept
// header: application/graphql-response+json when the client lists it at
// least as high as application/json, application/json otherwise (also
// for */*, for no header and for types this server does not produce).
func responseMediaType(accept string) string {
	switch accept {
	case "", "*/*", mediaJSON: // what most clients send, without parsing
		return mediaJSON
	}
	best, bestQ := mediaJSON, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			if q >= bestQ {
				best, bestQ = mediaGraphQLResponse, q
			}
		case mediaJSON, "application/*", "*/*":
			if q > bestQ {
				best, bestQ = mediaJSON, q
			}
		}
	}
	return best
}

// jsonContentType reports whether a Content-Type header names JSON in
// UTF-8 (the charset may be left out).
func jsonContentType(h string) bool {
	if h == mediaJSON { // what most clients send, without parsing
		return true
	}
	mt, params, err := mime.ParseMediaType(h)
	if err != nil || mt != mediaJSON {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// Handler serves the GraphQL endpoint over HTTP (GraphQL over HTTP, the
// draft of the GraphQL Foundation): POST with a JSON body {query,
// operationName, variables, extensions}; GET with ?query= (queries
// only); a browser asking for HTML is sent to the explorer. The answer is
// application/graphql-response+json when the Accept header asks for it —
// then a request that fails before execution (syntax, validation,
// variables, limits) is a 400 — and application/json otherwise, where
// such a failure is a 200 with errors. The actor must already be in
// c.UserContext() (engine.WithActor); the request id is taken from
// c.Locals("requestid"), and the message language from Accept-Language.
func (s *Server) Handler(c *fiber.Ctx) error {
	lang := languageOf(peekHeader(c, fiber.HeaderAcceptLanguage))
	requestID, _ := c.Locals("requestid").(string)
	media := responseMediaType(peekHeader(c, fiber.HeaderAccept))
	reply := func(status int, resp *Response) error {
		body, err := resp.marshal()
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, media+"; charset=utf-8")
		c.Status(status).Response().SetBody(body) // a copy: body may be the pooled buffer
		return nil
	}
	requestError := func(status int, code engine.Code, msg string) error {
		return reply(status, &Response{Errors: []*QueryError{{
			Message:    msg,
			Extensions: map[string]any{"code": string(code)},
		}}})
	}

	var in execInput
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
		if strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
			if s.explorerURL != "" {
				return c.Redirect(s.explorerURL, fiber.StatusFound)
			}
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.SendString(apiPage)
		}
		in = execInput{
			query:         strings.Clone(c.Query("query")),
			operationName: strings.Clone(c.Query("operationName")),
			queryOnly:     true,
		}
		if !utf8.ValidString(in.query) || !utf8.ValidString(in.operationName) {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
				say(lang, "request.paramsNotUTF8"))
		}
		if v := c.Query("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &in.variables); err != nil {
				return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
					say(lang, "request.variablesNotObject"))
			}
		}
	case fiber.MethodPost:
		if !jsonContentType(peekHeader(c, fiber.HeaderContentType)) {
			return requestError(fiber.StatusUnsupportedMediaType, engine.CodeBadRequest,
				say(lang, "request.notJSON"))
		}
		raw := requestBody(c)
		body := bytes.TrimSpace(raw)
		if len(body) > 0 && body[0] == '[' {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest, say(lang, "request.batched"))
		}
		if off := badBytesOutsideVariables(raw); off >= 0 {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest, say(lang, "request.bodyNotUTF8", off))
		}
		// One check of the whole body, then its members are found
		// (splitObject) in a copy of it: fiber's buffer is reused after
		// the handler returns.
		if !json.Valid(body) {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
				say(lang, "request.bodyNotObject"))
		}
		req, isObject := splitObject(bytes.Clone(body))
		if !isObject {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
				say(lang, "request.bodyNotObject"))
		}
		var ok bool
		if in, ok = parseParams(req); !ok {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
				say(lang, "request.badParams"))
		}
	default:
		c.Set(fiber.HeaderAllow, "GET, POST")
		return requestError(fiber.StatusMethodNotAllowed, engine.CodeBadRequest, say(lang, "request.badMethod"))
	}
	if strings.TrimSpace(in.query) == "" {
		return requestError(fiber.StatusBadRequest, engine.CodeBadRequest, say(lang, "request.noQuery"))
	}

	ctx := withRequest(c.UserContext(), lang, requestID)
	if _, ok := engine.ActorFrom(ctx); !ok {
		c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
		return requestError(fiber.StatusUnauthorized, engine.CodeUnauthenticated, say(lang, "request.unauthenticated"))
	}
	out := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(out)
	in.out = out
	resp, status := s.exec(ctx, in)
	switch {
	case status == fiber.StatusMethodNotAllowed:
		c.Set(fiber.HeaderAllow, "POST")
	case media == mediaJSON && (status == fiber.StatusBadRequest || status == fiber.StatusInternalServerError):
		// application/json: a well-formed request is answered with 200,
		// its errors in the body.
		status = fiber.StatusOK
	}
	return reply(status, resp)
}

// responseBuffers hold the buffers responses are written into over HTTP:
// a page's answer is some tens of KB, which a new buffer reached by
// doubling about ten times a request.
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledResponse is the largest buffer kept for another response: a
// rare large answer (an export-sized page, introspection) is not held.
const maxPooledResponse = 1 << 20

func putResponseBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledResponse {
		return
	}
	b.Reset()
	responseBuffers.Put(b)
}

// peekHeader is c.Get without its copy when the header is absent or is
// application/json (the server copies every header it hands out, as it
// runs fiber Immutable): the three headers the handler reads were as many
// allocations a request.
func peekHeader(c *fiber.Ctx, name string) string {
	switch v := c.Request().Header.Peek(name); {
	case len(v) == 0:
		return ""
	case string(v) == mediaJSON:
		return mediaJSON
	}
	return c.Get(name)
}

// requestBody is the body of a POST, read once. Without a
// Content-Encoding it is fasthttp's own buffer, valid until the handler
// returns (what outlives it is cloned: see splitObject's call); with one,
// fiber decodes it (c.Body). c.Body finds the encoding by copying the
// name of every header of the request, and copies the body: called twice,
// that was a tenth of a get by id's allocations.
func requestBody(c *fiber.Ctx) []byte {
	if len(c.Request().Header.Peek(fiber.HeaderContentEncoding)) > 0 {
		return c.Body()
	}
	return c.Request().Body()
}

// parseParams reads the parameters of a POST body (its members, each
// valid JSON); ok is false when one has the wrong JSON type.
func parseParams(req map[string]json.RawMessage) (in execInput, ok bool) {
	isNull := func(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
	// A query without escapes (on one line) is taken as it is, as
	// plainString says encoding/json would.
	str := func(raw json.RawMessage, to *string) bool {
		if s, ok := plainString(raw); ok {
			*to = s
			return true
		}
		return json.Unmarshal(raw, to) == nil
	}
	if raw, set := req["query"]; set && !isNull(raw) {
		if !str(raw, &in.query) {
			return in, false
		}
	}
	if raw, set := req["operationName"]; set && !isNull(raw) {
		if !str(raw, &in.operationName) {
			return in, false
		}
	}
	if raw, set := req["variables"]; set && !isNull(raw) {
		if in.variables, ok = splitObject(raw); !ok { // valid: a member of a valid body
			return in, false
		}
	}
	if raw, set := req["extensions"]; set && !isNull(raw) {
		var ext map[string]json.RawMessage
		if json.Unmarshal(raw, &ext) != nil || ext == nil {
			return in, false
		}
	}
	return in, true
}
