package store

import (
	"context"
	"errors"
)

// ErrNoDataVersion is what [DataVersioner.DataVersion] returns when the
// store cannot tell whether records changed (an adapter that offers data
// versions only in some configurations); a reader then keeps no answers.
var ErrNoDataVersion = errors.New("store: no data versions here")

// DataVersioner is an optional capability of a [TenantStore], found by
// type assertion: a number per object that tells a reader whether any of
// the object's records changed since it last looked, so that an answer
// computed from them (an aggregate) can be kept until they do.
type DataVersioner interface {
	// DataVersion returns the data version of object's records. It
	// changes with every committed insert, update or delete of one of
	// them, by any connection or process that writes the database, and
	// never returns to a value it had: equal versions read at two
	// moments mean that no record of the object changed in between. An
	// object without records or table yet has a version too.
	// [ErrNoDataVersion] when the store keeps none in its present
	// configuration.
	DataVersion(ctx context.Context, object string) (int64, error)
}
