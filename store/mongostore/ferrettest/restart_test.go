package ferrettest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
