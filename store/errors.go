package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound is returned when a record, object definition, tenant or key
	// does not exist (in the caller's tenant).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a write expected a version that is no
	// longer current (optimistic concurrency), or a name that must be new is
	// taken.
	ErrConflict = errors.New("store: conflict")
	// ErrDuplicate is returned when a write would break a unique index.
	// [*UniqueError] carries the fields.
	ErrDuplicate = errors.New("store: duplicate value")
	// ErrInvalidQuery is returned when a query names an unknown field or
	// uses an operator the field's type does not support.
	ErrInvalidQuery = errors.New("store: invalid query")
)

// UniqueError reports a write that would give two records of one object the
// same value in a unique field (or combination of fields).
type UniqueError struct {
	Object string
	Fields []string
}

func (e *UniqueError) Error() string {
	return fmt.Sprintf("store: duplicate value in %s.%s", e.Object, strings.Join(e.Fields, "+"))
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *UniqueError) Is(target error) bool { return target == ErrDuplicate }

// QueryError reports a query that cannot be run as given.
type QueryError struct {
	Field   string
	Message string
}

func (e *QueryError) Error() string {
	if e.Field == "" {
		return "store: invalid query: " + e.Message
	}
	return fmt.Sprintf("store: invalid query on %q: %s", e.Field, e.Message)
}

// Is makes errors.Is(err, ErrInvalidQuery) true.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }

var (
	// ErrUnavailable is returned when the storage backend cannot be reached
	// or did not answer within the adapter's timeouts (server down,
	// network failure, no primary). Nothing is known to have been written
	// by the failed call; the caller may retry later.
	ErrUnavailable = errors.New("store: storage unavailable")
	// ErrIncompleteRollback is returned by [TenantStore.WithTx] on a
	// backend without multi-document transactions when the transaction
	// failed and undoing the writes it had already made failed too: some of
	// them remain. The error names them; an operator must look.
	ErrIncompleteRollback = errors.New("store: transaction failed and was only partly undone")
)

// ContextError makes errors.Is(err, ctx.Err()) hold when the context
// ended, whatever a driver reported: adapters pass driver errors through
// it. A nil err stays nil.
func ContextError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
