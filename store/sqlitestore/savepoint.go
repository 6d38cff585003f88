package sqlitestore

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/crmkit/crm/store"
)

var _ store.Savepointer = (*tx)(nil)

// savepointName is what store.Savepointer lets a name be.
var savepointName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Savepoint implements [store.Savepointer] with SQLite's SAVEPOINT. The
// statements go through the transaction's statement cache: a caller that
// reuses a name (one savepoint per write, released before the next)
// parses them once.
func (t *tx) Savepoint(ctx context.Context, name string) error {
	if !savepointName.MatchString(name) {
		return fmt.Errorf("savepoint %q: not a savepoint name", name)
	}
	if _, err := t.exec(ctx, "SAVEPOINT "+quoteIdent(name)); err != nil {
		return fmt.Errorf("savepoint %q: %w", name, store.ContextError(ctx, err))
	}
	t.savepoints = append(t.savepoints, name)
	return nil
}

// RollbackTo implements [store.Savepointer]: ROLLBACK TO undoes the
// writes and leaves the savepoint open, RELEASE then closes it.
func (t *tx) RollbackTo(ctx context.Context, name string) error {
	i, err := t.openSavepoint(name)
	if err != nil {
		return fmt.Errorf("roll back to savepoint: %w", err)
	}
	for _, stmt := range []string{"ROLLBACK TO ", "RELEASE "} {
		if _, err := t.exec(ctx, stmt+quoteIdent(name)); err != nil {
			return fmt.Errorf("roll back to savepoint %q: %w", name, store.ContextError(ctx, err))
		}
	}
	t.savepoints = t.savepoints[:i]
	return nil
}

// Release implements [store.Savepointer].
func (t *tx) Release(ctx context.Context, name string) error {
	i, err := t.openSavepoint(name)
	if err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	if _, err := t.exec(ctx, "RELEASE "+quoteIdent(name)); err != nil {
		return fmt.Errorf("release savepoint %q: %w", name, store.ContextError(ctx, err))
	}
	t.savepoints = t.savepoints[:i]
	return nil
}

// openSavepoint returns where the innermost open savepoint called name
// lies in t.savepoints.
func (t *tx) openSavepoint(name string) (int, error) {
	for i, open := range slices.Backward(t.savepoints) {
		if open == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%q is not an open savepoint: %w", name, store.ErrNotFound)
}
