package store

import (
	"context"

	"github.com/crmkit/crm/schema"
)

// DataEncoder is a tenant store that can encode record data into its
// stored form ahead of the write, so that the work need not be done while
// the tenant's writes wait (the embedded store encodes SQLite's JSONB).
type DataEncoder interface {
	// EncodeData returns data as the store stores records of obj, or nil
	// when it has no such form for it (the write then encodes data
	// itself). It only reads data, and may run beside a transaction.
	EncodeData(obj *schema.Object, data map[string]any) any
}

// EncodedInserter is a transaction that can insert a record with data
// its store's [DataEncoder] encoded ahead.
type EncodedInserter interface {
	// InsertEncoded is [Tx.Insert] of rec storing encoded, which must be
	// what EncodeData returned for obj and rec.Data, with rec.Data not
	// changed since. An encoded it does not know is ignored: rec.Data is
	// encoded as Insert encodes it.
	InsertEncoded(ctx context.Context, obj *schema.Object, rec Record, encoded any) error
}

// EncodeData returns ts's [DataEncoder] encoding of data, or nil when ts
// has none.
func EncodeData(ts TenantStore, obj *schema.Object, data map[string]any) any {
	if de, ok := ts.(DataEncoder); ok {
		return de.EncodeData(obj, data)
	}
	return nil
}

// InsertEncoded inserts rec through tx's [EncodedInserter] with encoded
// when there is both, else with [Tx.Insert].
func InsertEncoded(ctx context.Context, tx Tx, obj *schema.Object, rec Record, encoded any) error {
	if encoded != nil {
		if ei, ok := tx.(EncodedInserter); ok {
			return ei.InsertEncoded(ctx, obj, rec, encoded)
		}
	}
	return tx.Insert(ctx, obj, rec)
}
