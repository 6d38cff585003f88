package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Code classifies an error for the API edge, transport-neutrally.
type Code string

// Codes.
const (
	CodeValidation      Code = "VALIDATION_FAILED"
	CodeBadRequest      Code = "BAD_REQUEST"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeConflict        Code = "CONFLICT"
	CodeTimeout         Code = "TIMEOUT"
	// CodeUnavailable: the database cannot be reached; the same request
	// may succeed later.
	CodeUnavailable Code = "UNAVAILABLE"
	// CodeRateLimited: too many attempts; try again later.
	CodeRateLimited Code = "RATE_LIMITED"
	CodeInternal    Code = "INTERNAL"
)

var (
	// ErrUnauthenticated: no or an unknown or revoked credential.
	ErrUnauthenticated = errors.New("engine: unauthenticated")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("engine: forbidden")
	// ErrNotFound: no such record or object in the actor's tenant.
	ErrNotFound = errors.New("engine: not found")
	// ErrConflict: a stale version, a duplicate unique value, a name taken,
	// or a record still referenced.
	ErrConflict = errors.New("engine: conflict")
	// ErrBadRequest: arguments that are malformed rather than invalid data
	// (a bad cursor, an unknown object, a filter on an unknown field).
	ErrBadRequest = errors.New("engine: bad request")
	// ErrRateLimited: too many attempts (sign-ins) in a short time.
	ErrRateLimited = errors.New("engine: rate limited")
)

// Error is an engine error with a message safe to show to the caller, in
// English and Chinese, wrapping a sentinel for classification.
type Error struct {
	Kind      error // one of the Err* sentinels
	Message   string
	MessageZh string
	// Key and Args name the message in the catalogue (package message),
	// which has it in every language; Message and MessageZh are it in
	// English and Chinese. Key is "" for a message made otherwise.
	Key  message.Key
	Args []any
	Err  error // cause, if any; not shown to callers
}

func (e *Error) Error() string {
	if e.Err != nil && !strings.Contains(e.Message, e.Err.Error()) {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// errorOf returns an error of kind whose message is the catalogue's key
// with args (see package message).
func errorOf(kind, cause error, key message.Key, args ...any) *Error {
	return &Error{Kind: kind, Message: message.Text(message.En, key, args...), MessageZh: message.Text(message.Zh, key, args...),
		Key: key, Args: args, Err: cause}
}

// fieldError returns the problem code with field, in the words of the
// catalogue's key with args.
func fieldError(field, code string, key message.Key, args ...any) schema.FieldError {
	return schema.NewFieldError(field, code, key, args...)
}

// CodeOf classifies err.
func CodeOf(err error) Code {
	var ve *schema.ValidationError
	var de *schema.DefinitionError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ve), errors.As(err, &de):
		return CodeValidation
	case errors.Is(err, ErrUnauthenticated):
		return CodeUnauthenticated
	case errors.Is(err, ErrForbidden):
		return CodeForbidden
	case errors.Is(err, ErrNotFound), errors.Is(err, store.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, ErrConflict), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrDuplicate):
		return CodeConflict
	case errors.Is(err, ErrBadRequest), errors.Is(err, store.ErrInvalidQuery):
		return CodeBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, store.ErrUnavailable):
		return CodeUnavailable
	case errors.Is(err, ErrScript):
		return CodeScriptFailed
	case errors.Is(err, ErrNoKey), errors.Is(err, ErrWrongKey), errors.Is(err, ErrBusy), errors.Is(err, ErrTenantUnavailable):
		return CodeUnavailable
	case errors.Is(err, ErrRateLimited):
		return CodeRateLimited
	}
	return CodeInternal
}

// PublicMessage returns the message of err that may be shown to a caller in
// the language lang ("zh" or "en"): the engine's own message for classified
// errors, a generic one for internal errors.
func PublicMessage(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Key != "" {
			return message.Text(lang, e.Key, e.Args...)
		}
		if lang == "zh" && e.MessageZh != "" {
			return e.MessageZh
		}
		return e.Message
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		en, zh := ve.Label.En, ve.Label.Zh
		if en == "" {
			en = ve.Object
		}
		if zh == "" {
			zh = ve.Object
		}
		return message.Text(lang, "record.invalid", en, zh)
	}
	var de *schema.DefinitionError
	if errors.As(err, &de) {
		return message.Text(lang, "definition.invalid")
	}
	switch CodeOf(err) {
	case CodeNotFound:
		return message.Text(lang, "error.notFound")
	case CodeConflict:
		return message.Text(lang, "error.conflict")
	case CodeTimeout:
		return message.Text(lang, "error.timeout")
	case CodeUnavailable:
		return message.Text(lang, "error.unavailable")
	case CodeBadRequest:
		return message.Text(lang, "error.badRequest")
	}
	return message.Text(lang, "error.internal")
}
