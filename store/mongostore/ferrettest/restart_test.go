package ferrettest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
)

// A second start against the same databases finds the indexes it made the
// first time and leaves them: FerretDB panicked when asked again to create
// the API-key index whose keys include _id, so the server could not start
// twice (issue 13, item 16).
func TestStore_OpensTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := mongostore.Config{URI: uri, DatabasePrefix: "twice"}
	for round := range 3 {
		var s *mongostore.Store
		var err error
		if round < 2 {
			s, err = mongostore.New(cfg)
			require.NoError(t, err, "start %d", round+1)
		} else {
			s = mongostore.NewForTest(t, cfg) // drops the databases at the end
		}
		if round == 0 {
			require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
			require.NoError(t, s.CreateAPIKey(ctx, store.APIKey{ID: "k1", TenantID: "acme", Name: "first", Hash: "h1", Prefix: "crm_1", CreatedAt: time.Now()}))
		}
		ts, err := s.Tenant(ctx, "acme")
		require.NoError(t, err, "start %d", round+1)
		_, err = ts.MetaRevision(ctx)
		require.NoError(t, err)
		k, err := s.APIKeyByHash(ctx, "h1")
		require.NoError(t, err)
		assert.Equal(t, "k1", k.ID)
		if round < 2 {
			require.NoError(t, s.Close())
		}
	}
}

// A transaction whose context ends is answered at once and undone in the
// background; the tenant's next transaction runs only once the undo is
// complete, and sees none of the writes (issue 13, item 16: a request with
// a 30 s deadline waited minutes for an undo).
func TestStore_EndedTransactionUndone(t *testing.T) {
	t.Parallel()
	s := mongostore.NewForTest(t, mongostore.Config{URI: uri})
	ctx := context.Background()
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := &schema.Object{Name: "deal", Fields: []*schema.Field{{Name: "name", Type: schema.TypeText}}}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj)
	}))
	rctx, cancel := context.WithCancel(ctx)
	err = ts.WithTx(rctx, func(tx store.Tx) error {
		for i := range 300 {
			at := time.Now()
			if err := tx.Insert(rctx, obj, store.Record{ID: fmt.Sprintf("d%03d", i), Version: 1, CreatedAt: at, UpdatedAt: at, Data: map[string]any{"name": "x"}}); err != nil {
				return err
			}
		}
		cancel() // the request's deadline passes
		return rctx.Err()
	})
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, obj, nil)
		require.NoError(t, err)
		assert.Zero(t, n, "the undo was complete before the next transaction began")
		return nil
	}))
}
