package store

import "context"

// Savepointer is an optional capability of a [Tx], found by type
// assertion: named points inside a transaction that its later writes
// can be undone back to, while the writes before stay in the
// transaction. Many writes that must each land or not on their own
// then share one transaction (one commit, one fsync) instead of one
// each. A Tx without it offers only the whole transaction.
type Savepointer interface {
	// Savepoint marks the transaction's present state under name (a
	// letter or underscore, then letters, digits or underscores).
	// Savepoints nest: a later one lies inside an earlier one.
	Savepoint(ctx context.Context, name string) error
	// RollbackTo undoes every write made since the savepoint name (record
	// writes, sequence numbers, what other savepoints inside it kept) and
	// forgets it and the savepoints inside it; the transaction goes on
	// and may still commit what was written before. [ErrNotFound] for a
	// name that is not an open savepoint.
	RollbackTo(ctx context.Context, name string) error
	// Release forgets the savepoint name and those inside it, keeping
	// their writes in the transaction (they commit or roll back with it).
	// [ErrNotFound] for a name that is not an open savepoint.
	Release(ctx context.Context, name string) error
}
