package sqlitestore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// TestStore_RecordTableKeyedByID checks the layout of a new record table:
// rows stored in the B-tree of their id (WITHOUT ROWID), so no index of
// the primary key beside the table.
func TestStore_RecordTableKeyedByID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := planDeal()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, SavedAt: time.Now()}, obj)
	}))
	db := ts.(*tenantStore).testDB(t)
	var text string
	require.NoError(t, db.reader.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'r_deal'`).Scan(&text))
	assert.True(t, strings.HasSuffix(text, "WITHOUT ROWID"), text)
	var autoindexes int
	require.NoError(t, db.reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'r_deal' AND sql IS NULL`).Scan(&autoindexes))
	assert.Zero(t, autoindexes, "the primary key is the table itself")
}
