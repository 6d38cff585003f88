package schema

import (
	"fmt"
	"strings"

	"github.com/crmkit/crm/message"
)

// FieldError is one problem with one field of a record.
type FieldError struct {
	// Field is the field name; a dotted path for nested values
	// ("shipTo.city"), or "" for a problem with the record as a whole.
	Field string `json:"field"`
	// Code is a stable machine-readable reason: "required", "type",
	// "maxLength", "minLength", "minimum", "maximum", "multipleOf", "enum",
	// "format", "pattern", "minItems", "maxItems", "uniqueItems", "unknown",
	// "encoding" (not UTF-8), "characters" (control or bidi characters)
	// (the Code* constants, set by Validator.Validate), and "unique",
	// "lookup", "readOnly", "script" (set by the engine).
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageZh string `json:"messageZh"`
}

// NewFieldError returns the problem code with field, in the words of the
// catalogue's key with args (see package message).
func NewFieldError(field, code string, key message.Key, args ...any) FieldError {
	return FieldError{Field: field, Code: code, Message: message.Text(message.En, key, args...), MessageZh: message.Text(message.Zh, key, args...)}
}

// fieldErrorOf returns the problem code with field in the words of m.
func fieldErrorOf(field, code string, m message.Message) FieldError {
	return NewFieldError(field, code, m.Key, m.Args...)
}

// ValidationError reports a record payload that does not fit its object.
// Fields names every problem found, in field order.
type ValidationError struct {
	Object string
	// Label is the object's label, for messages to business users; empty
	// when the error was made without the object at hand.
	Label  Label
	Fields []FieldError
}

// Invalid returns the validation error of a record of o with those
// problems.
func (o *Object) Invalid(fields []FieldError) *ValidationError {
	return &ValidationError{Object: o.Name, Label: o.Label, Fields: fields}
}

// Error lists the failing fields in English.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == "" {
			parts[i] = f.Message
		} else {
			parts[i] = f.Field + ": " + f.Message
		}
	}
	return fmt.Sprintf("invalid %s record: %s", e.Object, strings.Join(parts, "; "))
}

// Problem is one reason a definition was refused. Path is a JSON pointer
// into the submitted document ("/properties/amount/x-crm-type").
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// Migration is set when the problem is stored records that a change
	// would not fit: which field, why, how many and one of them.
	Migration *Migration `json:"migration,omitempty"`
}

// Migration describes the stored records of one field that a definition
// change would not fit, for one reason.
type Migration struct {
	Field string // the record field (a dotted path for nested values)
	// Code is the record validation's reason (a [FieldError] code:
	// "required", "enum", "maxLength" ...).
	Code string
	// Records counts the records that fail for this field and reason.
	Records int
	// Example is the id of one of them.
	Example string
	// Reason is the validation message of the example, in English and
	// Chinese.
	Reason, ReasonZh string
	// Value is the stored value that does not convert, when the problem
	// is one per value (a value of a field becoming a user field that
	// names no active user); "" otherwise.
	Value string
}

// DefinitionError reports an object definition that the meta-schema or the
// CRM's own rules refuse, or a change to one that would invalidate stored
// data.
type DefinitionError struct {
	Object   string
	Problems []Problem
}

// Error lists the problems with their paths.
func (e *DefinitionError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
	}
	name := e.Object
	if name == "" {
		name = "object"
	}
	return fmt.Sprintf("invalid definition of %s: %s", name, strings.Join(parts, "; "))
}
