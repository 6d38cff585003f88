package engine_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// revisionCounter is a store that counts the metadata revision reads of
// its tenants.
type revisionCounter struct {
	store.Store
	reads atomic.Int64
}

func (s *revisionCounter) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	ts, err := s.Store.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	return &countedTenant{TenantStore: ts, reads: &s.reads}, nil
}

type countedTenant struct {
	store.TenantStore
	reads *atomic.Int64
}

func (t *countedTenant) MetaRevision(ctx context.Context) (int64, error) {
	t.reads.Add(1)
	return t.TenantStore.MetaRevision(ctx)
}

func TestEngine_WithRequest(t *testing.T) {
	t.Parallel()
	st := &revisionCounter{Store: sqlitestore.NewForTest(t)}
	eng, err := engine.New(engine.Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(context.Background(), "acme", "Acme")
	require.NoError(t, err)
	admin := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:test", Admin: true})
	withStarter(t, eng, admin)

	t.Run("one revision read per request", func(t *testing.T) {
		ctx := engine.WithRequest(admin)
		before := st.reads.Load()
		_, err := eng.Catalog(ctx)
		require.NoError(t, err)
		for _, name := range []string{"Acme", "Globex", "Initech"} {
			_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": name})
			require.NoError(t, err)
			_, err = eng.ListRecords(ctx, "account", engine.ListQuery{})
			require.NoError(t, err)
		}
		assert.Equal(t, int64(1), st.reads.Load()-before)
	})

	t.Run("a request sees its own metadata changes", func(t *testing.T) {
		ctx := engine.WithRequest(admin)
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		require.Nil(t, cat.Object("ticket"))
		_, err = eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{})
		require.NoError(t, err)
		cat, err = eng.Catalog(ctx)
		require.NoError(t, err)
		require.NotNil(t, cat.Object("ticket"))
		_, err = eng.CreateRecord(ctx, "ticket", map[string]any{"subject": "printer"})
		require.NoError(t, err)

		require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "support", Objects: map[string]engine.ObjectAccess{"ticket": {Read: true}}}))
		roles, err := eng.Roles(ctx)
		require.NoError(t, err)
		var names []string
		for _, r := range roles {
			names = append(names, r.Name)
		}
		assert.Contains(t, names, "support")
		support := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "key:support", Role: "support"})
		page, err := eng.ListRecords(support, "ticket", engine.ListQuery{})
		require.NoError(t, err)
		assert.Len(t, page.Records, 1)
	})

	t.Run("other engines' changes wait for the next request", func(t *testing.T) {
		second, err := engine.New(engine.Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		ctx := engine.WithRequest(admin)
		_, err = eng.Catalog(ctx)
		require.NoError(t, err)
		_, err = second.SaveObject(admin, def(t, map[string]any{"$id": "note", "type": "object",
			"properties": map[string]any{"body": subject}, "required": []string{}}), engine.SaveOptions{})
		require.NoError(t, err)
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		assert.Nil(t, cat.Object("note"), "the request keeps its snapshot")
		cat, err = eng.Catalog(engine.WithRequest(admin))
		require.NoError(t, err)
		assert.NotNil(t, cat.Object("note"), "the next request sees it")
	})
}
