package graphql

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
)

// CodeQueryTooComplex is the extensions.code of a query refused by the
// width and cost limits before it runs (G5, G6).
const CodeQueryTooComplex = "QUERY_TOO_COMPLEX"

// Error is an error of this package with a message safe to show and the
// extensions a GraphQL error carries; code is one of [engine.Code] or
// [CodeQueryTooComplex].
type Error struct {
	Code    string
	Message string
	// Ext holds extensions besides the code ("fields", "problems",
	// "requestId").
	Ext   map[string]any
	cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Extensions returns the GraphQL error extensions, code included.
func (e *Error) Extensions() map[string]any {
	ext := make(map[string]any, len(e.Ext)+1)
	for k, v := range e.Ext {
		ext[k] = v
	}
	ext["code"] = e.Code
	return ext
}

func badRequestf(format string, args ...any) *Error {
	return &Error{Code: string(engine.CodeBadRequest), Message: fmt.Sprintf(format, args...)}
}

func tooComplexf(format string, args ...any) *Error {
	return &Error{Code: CodeQueryTooComplex, Message: fmt.Sprintf(format, args...)}
}

func forbidden(lang string, key message.Key) *Error {
	return &Error{Code: string(engine.CodeForbidden), Message: say(lang, key), cause: engine.ErrForbidden}
}

// queryError turns any error into a GraphQL error with extensions.code, in
// the request's language. Internal errors are logged with the request id
// and shown as "internal error" only.
func (r *request) queryError(err error) *QueryError {
	e := r.srv.publicError(err, r.lang, r.requestID)
	return &QueryError{Message: e.Message, Extensions: e.Extensions(), Err: err}
}

// publicError classifies err for a caller (see [engine.CodeOf]) and
// counts it (Config.OnError).
func (s *Server) publicError(err error, lang, requestID string) *Error {
	e := s.classify(err, lang, requestID)
	if s.onError != nil {
		s.onError(e.Code)
	}
	return e
}

func (s *Server) classify(err error, lang, requestID string) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Code: string(engine.CodeTimeout), Message: say(lang, "request.cancelled")}
	}
	code := engine.CodeOf(err)
	var pe *panicError
	if errors.As(err, &pe) {
		code = engine.CodeInternal
	}
	e := &Error{Code: string(code), Message: engine.PublicMessage(err, lang), cause: err}
	var ee *engine.Error
	if errors.As(err, &ee) {
		if field, ok := inputFields[ee.Key]; ok {
			e.Ext = map[string]any{"fields": []map[string]any{{"field": field, "code": string(ee.Key), "message": e.Message}}}
		}
	} else {
		// engine.PublicMessage has no words of its own for these two.
		switch code {
		case engine.CodeForbidden:
			e.Message = say(lang, "request.forbidden")
		case engine.CodeUnauthenticated:
			e.Message = say(lang, "request.unauthenticated")
		}
	}
	switch code {
	case engine.CodeValidation:
		var ve *schema.ValidationError
		var de *schema.DefinitionError
		if errors.As(err, &ve) {
			fields := make([]map[string]any, len(ve.Fields))
			for i, f := range ve.Fields {
				msg := f.MessageZh
				if lang == "en" || msg == "" {
					msg = f.Message
				}
				fields[i] = map[string]any{"field": f.Field, "code": f.Code, "message": msg}
			}
			e.Ext = map[string]any{"fields": fields}
		} else if errors.As(err, &de) {
			problems := make([]map[string]any, len(de.Problems))
			for i, p := range de.Problems {
				problems[i] = map[string]any{"path": p.Path, "message": p.Message}
				if m := p.Migration; m != nil {
					reason := m.ReasonZh
					if lang == "en" || reason == "" {
						reason = m.Reason
					}
					problems[i]["field"], problems[i]["code"], problems[i]["records"], problems[i]["example"], problems[i]["reason"] = m.Field, m.Code, m.Records, m.Example, reason
					if m.Value != "" {
						problems[i]["value"] = m.Value
					}
				}
			}
			e.Ext = map[string]any{"problems": problems}
		}
	case engine.CodeInternal:
		attrs := []any{"err", err, "requestId", requestID}
		if pe != nil {
			attrs = append(attrs, "stack", string(pe.stack))
		}
		s.log.Error("graphql: internal error", attrs...)
		e.Message = "internal error"
		e.Ext = map[string]any{"requestId": requestID}
	}
	return e
}

// say returns the catalogue's message key in lang: English when asked
// for, Chinese, the product's default, otherwise.
func say(lang string, key message.Key, args ...any) string {
	if lang != message.En {
		lang = message.Zh
	}
	return message.Text(lang, key, args...)
}

// languageOf picks the message language from an Accept-Language header:
// the preferred tag that is English or Chinese decides; Chinese, the
// product's default, otherwise.
func languageOf(header string) string {
	if header == "" {
		return "zh"
	}
	type tag struct {
		name string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		name := strings.ToLower(strings.TrimSpace(fields[0]))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			p = strings.TrimSpace(p)
			if v, ok := strings.CutPrefix(p, "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			tags = append(tags, tag{name, q})
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].q > tags[j].q })
	for _, t := range tags {
		switch {
		case strings.HasPrefix(t.name, "en"):
			return "en"
		case strings.HasPrefix(t.name, "zh"):
			return "zh"
		}
	}
	return "zh"
}

type ctxKey int

const (
	langKey ctxKey = iota
	requestIDKey
)

// withRequest returns a context that carries the message language and the
// request id for errors.
func withRequest(ctx context.Context, lang, requestID string) context.Context {
	ctx = context.WithValue(ctx, langKey, lang)
	return context.WithValue(ctx, requestIDKey, requestID)
}

func requestInfo(ctx context.Context) (lang, requestID string) {
	lang, _ = ctx.Value(langKey).(string)
	if lang != "en" {
		lang = "zh"
	}
	requestID, _ = ctx.Value(requestIDKey).(string)
	return lang, requestID
}
