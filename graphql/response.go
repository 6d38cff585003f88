package graphql

import (
	"encoding/json"
	"fmt"
)

// Response is a GraphQL response. Data is absent (nil) when the request
// failed before execution began — a syntax, validation or variable error,
// a refused limit — and JSON (null when a non-null root field failed)
// otherwise.
type Response struct {
	Errors []*QueryError   `json:"errors,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	// framed, when set, is the response without errors written whole
	// but for its closing brace: dataFrame followed by Data.
	framed []byte
}

// dataFrame opens a response without errors.
const dataFrame = `{"data":`

// marshal encodes the response as encoding/json does. Data is already
// compact JSON with HTML-sensitive characters escaped (writeJSON), so a
// response without errors is written around it as it is, without
// checking and copying it once more.
func (r *Response) marshal() ([]byte, error) {
	if len(r.Errors) > 0 || len(r.Data) == 0 {
		return json.Marshal(r)
	}
	if len(r.framed) == len(dataFrame)+len(r.Data) {
		return append(r.framed, '}'), nil
	}
	out := make([]byte, 0, len(`{"data":}`)+len(r.Data))
	out = append(out, dataFrame...)
	out = append(out, r.Data...)
	return append(out, '}'), nil
}

// QueryError is one entry of a response's errors: a message safe to show,
// where in the document and the response it arose, and extensions.code
// (see [Error]).
type QueryError struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	// Err is the cause, for in-process callers; never sent.
	Err error `json:"-"`
}

func (e *QueryError) Error() string {
	if len(e.Locations) > 0 {
		return fmt.Sprintf("graphql: %s (line %d, column %d)", e.Message, e.Locations[0].Line, e.Locations[0].Column)
	}
	return "graphql: " + e.Message
}

// Unwrap returns the cause.
func (e *QueryError) Unwrap() error { return e.Err }

// Location is a position in the document, 1-based.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}
