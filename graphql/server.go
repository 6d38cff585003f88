package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/gofiber/fiber/v2"
	gql "github.com/graph-gophers/graphql-go"
	qerrors "github.com/graph-gophers/graphql-go/errors"

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
}

// Server serves a tenant-specific GraphQL API generated from each tenant's
// object definitions. It is safe for concurrent use.
type Server struct {
	eng            Engine
	log            *slog.Logger
	maxDepth       int
	maxQueryLength int
	maxParallelism int
	cache          *schemaCache
	templates      TemplateCatalog
	extraLimits    []engine.Limit
	onError        func(code string)
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
		eng:            cfg.Engine,
		log:            cfg.Logger,
		maxDepth:       orDefault(cfg.MaxDepth, DefaultMaxDepth),
		maxQueryLength: orDefault(cfg.MaxQueryLength, DefaultMaxQueryLength),
		maxParallelism: orDefault(cfg.MaxParallelism, DefaultMaxParallelism),
		cache:          newSchemaCache(orDefault(cfg.MaxSchemas, DefaultMaxSchemas)),
		templates:      cfg.Templates,
		extraLimits:    cfg.Limits,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.onError = cfg.OnError
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
	variables     map[string]any  // in-process callers
	rawVariables  json.RawMessage // HTTP: the JSON object as sent
	queryOnly     bool            // GET: mutations are refused
}

// Exec runs a GraphQL request as the actor in ctx (see
// [engine.WithActor]) and returns its response; errors are in the
// response. Variables take the values encoding/json gives (or Go numbers);
// a JSON-typed variable may also be a json.RawMessage, which keeps the
// order of its object keys.
func (s *Server) Exec(ctx context.Context, query, operationName string, variables map[string]any) *gql.Response {
	resp, _ := s.exec(ctx, execInput{query: query, operationName: operationName, variables: variables})
	return resp
}

// exec runs a request; status is the HTTP status it calls for.
func (s *Server) exec(ctx context.Context, in execInput) (resp *gql.Response, status int) {
	lang, requestID := requestInfo(ctx)
	fail := func(err error, at *pos) (*gql.Response, int) {
		e := s.publicError(err, lang, requestID)
		qe := &qerrors.QueryError{Message: e.Message, Extensions: e.Extensions()}
		if at != nil {
			qe.Locations = []qerrors.Location{{Line: at.line, Column: at.col}}
		}
		return &gql.Response{Errors: []*qerrors.QueryError{qe}}, fiber.StatusOK
	}
	defer func() {
		if p := recover(); p != nil {
			resp, status = fail(&panicError{value: p, stack: debug.Stack()}, nil)
		}
	}()

	ctx = engine.WithDoor(ctx, "graphql")
	actor, ok := engine.ActorFrom(ctx)
	if !ok {
		resp, _ := fail(&Error{Code: string(engine.CodeUnauthenticated), Message: pickLang(lang, "authentication required", "需要身份认证"), cause: engine.ErrUnauthenticated}, nil)
		return resp, fiber.StatusUnauthorized
	}
	if len(in.query) > s.maxQueryLength {
		return fail(badRequestf("the query is %d bytes long, more than the limit of %d", len(in.query), s.maxQueryLength), nil)
	}
	if strings.TrimSpace(in.query) == "" {
		resp, _ := fail(badRequestf("the request has no query"), nil)
		return resp, fiber.StatusBadRequest
	}
	doc, err := parseDocument(in.query)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return fail(err, &se.pos)
		}
		return fail(err, nil)
	}
	op, err := doc.operationNamed(in.operationName)
	if err != nil {
		return fail(badRequestf("%v", err), nil)
	}
	switch {
	case op.kind == "subscription":
		return fail(badRequestf("subscriptions are not supported"), &op.pos)
	case op.kind == "mutation" && in.queryOnly:
		resp, _ := fail(badRequestf("mutations must be sent with POST"), &op.pos)
		return resp, fiber.StatusMethodNotAllowed
	}
	given, err := variableValues(op, in)
	if err != nil {
		return fail(err, nil)
	}

	cat, err := s.eng.Catalog(ctx)
	if err != nil {
		return fail(err, nil)
	}
	if cat == nil || (cat.TenantID != "" && cat.TenantID != actor.TenantID) {
		return fail(fmt.Errorf("graphql: engine returned the catalog of tenant %q to an actor of tenant %q", catalogTenant(cat), actor.TenantID), nil)
	}
	keyed := *cat
	keyed.TenantID = actor.TenantID // the cache is keyed by the actor's tenant, never another
	es, err := s.cache.get(&keyed, s.buildSchema)
	if err != nil {
		return fail(err, nil)
	}

	vars := make(map[string]any, len(given)+len(op.vars))
	for k, v := range given {
		vars[k] = v
	}
	r := &request{s: es, srv: s, doc: doc, op: op, vars: vars, actor: actor, lang: lang, requestID: requestID}
	for _, v := range op.vars {
		if _, ok := vars[v.name]; !ok && v.def != nil {
			vars[v.name], _ = r.literal(v.def)
		}
	}
	introspectionOnly, err := r.checkLimits()
	if err != nil {
		return fail(err, nil)
	}
	validator := es.gql
	if introspectionOnly {
		validator = es.introspection
	}
	if errs := validator.ValidateWithVariables(in.query, given); len(errs) > 0 {
		for _, e := range errs {
			if e.Extensions == nil {
				e.Extensions = map[string]any{"code": string(engine.CodeBadRequest)}
			}
		}
		return &gql.Response{Errors: errs}, fiber.StatusOK
	}
	data := r.execute(ctx)
	return &gql.Response{Data: data, Errors: r.errs}, fiber.StatusOK
}

func catalogTenant(cat *engine.Catalog) string {
	if cat == nil {
		return ""
	}
	return cat.TenantID
}

// variableValues decodes the variables of op. JSON-typed variables sent as
// JSON text stay json.RawMessage, which keeps their key order; numbers
// decode as json.Number, so that large integers keep their digits.
func variableValues(op *operation, in execInput) (map[string]any, error) {
	if in.variables != nil {
		// Go values of any shape ([]string, structs, json.RawMessage) take
		// the same road as variables sent over HTTP.
		text, err := json.Marshal(in.variables)
		if err != nil {
			return nil, badRequestf("variables cannot be encoded as JSON: %v", err)
		}
		in.rawVariables = text
	}
	if len(bytes.TrimSpace(in.rawVariables)) == 0 {
		return map[string]any{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(in.rawVariables, &raw); err != nil {
		return nil, badRequestf("variables must be a JSON object")
	}
	out := make(map[string]any, len(raw))
	for _, v := range op.vars {
		text, ok := raw[v.name]
		if !ok {
			continue
		}
		if string(bytes.TrimSpace(text)) == "null" {
			out[v.name] = nil
			continue
		}
		if v.typ.elem == nil && v.typ.name == "JSON" {
			out[v.name] = text
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var val any
		if err := dec.Decode(&val); err != nil {
			return nil, badRequestf("variable $%s: %v", v.name, err)
		}
		out[v.name] = val
	}
	return out, nil
}

// Handler serves the GraphQL endpoint: POST with a JSON body {query,
// operationName, variables}; GET with ?query= (queries only), or the
// GraphiQL page for browsers. The actor must already be in
// c.UserContext() (engine.WithActor); the request id is taken from
// c.Locals("requestid"), and the message language from Accept-Language.
func (s *Server) Handler(c *fiber.Ctx) error {
	lang := languageOf(c.Get(fiber.HeaderAcceptLanguage))
	requestID, _ := c.Locals("requestid").(string)
	reply := func(status int, resp *gql.Response) error {
		body, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Status(status).Send(body)
	}
	requestError := func(status int, code engine.Code, en, zh string) error {
		return reply(status, &gql.Response{Errors: []*qerrors.QueryError{{
			Message:    pickLang(lang, en, zh),
			Extensions: map[string]any{"code": string(code)},
		}}})
	}

	var in execInput
	switch c.Method() {
	case fiber.MethodGet:
		if strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.SendString(graphiQLPage)
		}
		in = execInput{
			query:         strings.Clone(c.Query("query")),
			operationName: strings.Clone(c.Query("operationName")),
			queryOnly:     true,
		}
		if v := c.Query("variables"); v != "" {
			in.rawVariables = json.RawMessage(strings.Clone(v))
		}
	case fiber.MethodPost:
		body := bytes.TrimSpace(c.Body())
		if len(body) > 0 && body[0] == '[' {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest, "batched queries are not supported", "不支持批量查询")
		}
		var req struct {
			Query         string          `json:"query"`
			OperationName string          `json:"operationName"`
			Variables     json.RawMessage `json:"variables"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return requestError(fiber.StatusBadRequest, engine.CodeBadRequest,
				"the request body is not a JSON object {query, operationName, variables}",
				"请求体不是 JSON 对象 {query, operationName, variables}")
		}
		// json.Unmarshal copied the strings and the raw message out of
		// fiber's buffer, which is reused after the handler returns.
		in = execInput{query: req.Query, operationName: req.OperationName, rawVariables: req.Variables}
	default:
		c.Set(fiber.HeaderAllow, "GET, POST")
		return requestError(fiber.StatusMethodNotAllowed, engine.CodeBadRequest, "use GET or POST", "请使用 GET 或 POST")
	}

	ctx := withRequest(c.UserContext(), lang, requestID)
	if _, ok := engine.ActorFrom(ctx); !ok {
		c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
		return requestError(fiber.StatusUnauthorized, engine.CodeUnauthenticated, "authentication required", "需要身份认证")
	}
	resp, status := s.exec(ctx, in)
	return reply(status, resp)
}
