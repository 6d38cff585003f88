package engine

import "context"

// SeesEveryRecord reports whether the caller may read object and sees
// every one of its records (no sharing rule limits which), so that a
// reference to one of them can be answered from the referring record
// alone: a lookup only ever names a record that exists (a write checks
// it; a delete clears the references to the record in its transaction),
// and the caller sees it. The error is the one a read of object gives.
func (e *Engine) SeesEveryRecord(ctx context.Context, object string) (bool, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return false, err
	}
	return sc.rules.Owners == nil, nil
}
