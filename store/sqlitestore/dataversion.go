package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/crmkit/crm/store"
)

// Data versions ([store.DataVersioner]): data_versions holds a number per
// object that every write transaction raises, just before it commits,
// for each object whose records it inserted, updated or deleted (or
// whose table it dropped). Every writer of the file, in this process or
// another, goes through [tenantStore.WithTx], so a reader that finds the
// number unchanged knows the records are too. Rows are never deleted and
// values only grow: a table made again under a dropped one's name goes
// on from the dropped one's number. An object's first number is the
// clock's nanoseconds rather than 1, so that a tenant deleted and made
// again under the same id does not repeat the numbers of the old one to
// a reader that kept answers from it. A statement that failed may still
// raise it, which costs a reader a recomputation, never a stale answer.
//
// One raise per object and transaction rather than a trigger per row: a
// trigger made inserts of 1,000 records per transaction about 10 %
// slower (BenchmarkStore_Insert, 2 cores). The writes that share a
// commit (group commit, writer.go) share the raise too.

// dataVersionTable is created in every tenant file (tenantSchema).
const dataVersionTable = `CREATE TABLE IF NOT EXISTS data_versions (
	object TEXT PRIMARY KEY,
	value INTEGER NOT NULL
)`

// wrote notes that the transaction changes object's records.
func (t *tx) wrote(object string) {
	if t.written == nil {
		t.written = map[string]bool{}
	}
	t.written[object] = true
}

// raiseDataVersionSQL raises the data version of an object (first
// argument) or starts it at the second; the group commit writer
// (writer.go) runs it once per object its batch wrote, last before the
// commit.
const raiseDataVersionSQL = `INSERT INTO data_versions (object, value) VALUES (?, ?)
	ON CONFLICT (object) DO UPDATE SET value = value + 1`

// DataVersion implements [store.DataVersioner]. An object never written
// is at version 0.
func (t *tenantStore) DataVersion(ctx context.Context, object string) (int64, error) {
	var v int64
	err := t.withDB(ctx, func(db *database) error {
		return db.records().queryRow(ctx, `SELECT value FROM data_versions WHERE object = ?`, object).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read data version of %q: %w", object, store.ContextError(ctx, err))
	}
	return v, nil
}
