package store

import "context"

// Optional capabilities, used to move a whole tenant between stores
// (export and import). An adapter that lacks them cannot take part in a
// move; the engine says so.

// SequenceReader lists a tenant's counters (see [Tx.NextSequence]) with
// their current values.
type SequenceReader interface {
	Sequences(ctx context.Context) (map[string]int64, error)
}

// SequenceSetter moves a counter forward inside a transaction: after it,
// the counter is at least atLeast, and the next number is above it. A
// counter never moves back, so no number is given out twice.
type SequenceSetter interface {
	SetSequence(ctx context.Context, name string, atLeast int64) error
}
