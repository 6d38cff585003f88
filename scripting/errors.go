package scripting

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinels for errors.Is. A run that ends on a budget returns a
// [*ScriptError] that wraps a [*LimitError], which matches one of the first
// four.
var (
	// ErrTimeout: the run used up its wall time (S1), or one regular
	// expression match ran past the match time limit (S6).
	ErrTimeout = errors.New("scripting: time limit exceeded")
	// ErrStackOverflow: the run went deeper than its call-stack limit (S3).
	ErrStackOverflow = errors.New("scripting: call stack limit exceeded")
	// ErrLimit: a counted budget (host calls, queries, reads, writes, enqueued actions,
	// allocated bytes, waiting runs, source size) was passed (S11).
	ErrLimit = errors.New("scripting: limit exceeded")
	// ErrMemory: the process went over its memory ceiling while the run was
	// in flight and the watchdog stopped it (S5).
	ErrMemory = errors.New("scripting: memory ceiling exceeded")
	// ErrCompile: the script or expression does not parse.
	ErrCompile = errors.New("scripting: compile error")
	// ErrException: the script threw and did not catch it.
	ErrException = errors.New("scripting: uncaught exception")
	// ErrClosed: the runner was closed.
	ErrClosed = errors.New("scripting: runner closed")
)

// Names of limits, as [LimitError.Limit] reports them.
const (
	LimitWallTime     = "wall time"
	LimitCallStack    = "call stack depth"
	LimitHostCalls    = "host calls"
	LimitQueries      = "queries"
	LimitReads        = "records read"
	LimitWrites       = "records written"
	LimitEnqueued     = "enqueued actions"
	LimitAllocBytes   = "allocated bytes"
	LimitMemory       = "memory ceiling"
	LimitRegexTime    = "regex match time"
	LimitSourceBytes  = "source size"
	LimitWaiting      = "waiting runs"
	LimitValueBytes   = "value size"
	LimitStringLength = "string length"
	LimitArrayLength  = "array length"
)

// LimitError reports the budget a run passed: its name, its configured value
// and the unit of that value. It matches [ErrTimeout], [ErrStackOverflow],
// [ErrLimit] or [ErrMemory] through errors.Is.
type LimitError struct {
	Limit string // one of the Limit* names
	Value int64  // the configured value, in Unit
	Unit  string // "ms", "frames", "calls", "records", "bytes", "runs"
	Kind  error  // the sentinel this error matches
}

func (e *LimitError) Error() string {
	return "scripting: " + e.Limit + " limit of " + e.value() + " exceeded"
}

func (e *LimitError) value() string {
	switch e.Unit {
	case "ms":
		return (time.Duration(e.Value) * time.Millisecond).String()
	case "":
		return strconv.FormatInt(e.Value, 10)
	}
	return strconv.FormatInt(e.Value, 10) + " " + e.Unit
}

// Is reports whether target is the sentinel of this limit's kind.
func (e *LimitError) Is(target error) bool { return target == e.Kind }

func newLimitError(limit string, value int64, unit string, kind error) *LimitError {
	return &LimitError{Limit: limit, Value: value, Unit: unit, Kind: kind}
}

func timeoutError(d time.Duration) *LimitError {
	return newLimitError(LimitWallTime, d.Milliseconds(), "ms", ErrTimeout)
}

// ScriptError is how a run or a compile fails: the script's name, the
// position in the script's own source (1-based; zero when unknown) and a
// message. Err is the cause: [ErrCompile], [ErrException], a [*LimitError],
// or the context's error when the caller gave up.
type ScriptError struct {
	Script  string
	Line    int
	Column  int
	Message string
	Err     error
	// Host is the error of a host call (crm.create …) that the script let
	// through uncaught, under ErrException; nil otherwise.
	Host error
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	b.WriteString("scripting: ")
	b.WriteString(strconv.Quote(e.Script))
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ", column %d", e.Column)
		}
	}
	b.WriteString(": ")
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "scripting: "))
	}
	return b.String()
}

// Unwrap returns the cause and, for an uncaught host failure, the host's
// error.
func (e *ScriptError) Unwrap() []error {
	if e.Host != nil {
		return []error{e.Err, e.Host}
	}
	return []error{e.Err}
}
