package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func testTenantsAndKeys(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)

	// Tenants.
	for i, id := range []string{"globex", "acme", "initech"} {
		require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: id, Name: "Tenant " + id, CreatedAt: base.Add(time.Duration(i) * time.Hour)}))
	}
	err := s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Again", CreatedAt: base})
	require.ErrorIs(t, err, store.ErrConflict)

	got, err := s.GetTenant(ctx, "globex")
	require.NoError(t, err)
	assert.Equal(t, "globex", got.ID)
	assert.Equal(t, "Tenant globex", got.Name)
	assert.True(t, base.Equal(got.CreatedAt), "createdAt %s", got.CreatedAt)

	acme, err := s.GetTenant(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, "Tenant acme", acme.Name, "a refused duplicate changes nothing")

	_, err = s.GetTenant(ctx, "nobody")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Tenant(ctx, "nobody")
	require.ErrorIs(t, err, store.ErrNotFound)

	list, err := s.ListTenants(ctx)
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, []string{"acme", "globex", "initech"}, []string{list[0].ID, list[1].ID, list[2].ID})

	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	rev, err := ts.MetaRevision(ctx)
	require.NoError(t, err)
	objs, err := ts.Objects(ctx)
	require.NoError(t, err)
	assert.Empty(t, objs, "a new tenant has no objects (revision %d)", rev)

	// API keys.
	keys := []store.APIKey{
		{ID: "k2", TenantID: "acme", Name: "second", Hash: "hash-2", Prefix: "crm_22", CreatedAt: base.Add(time.Minute)},
		{ID: "k1", TenantID: "acme", Name: "first", Hash: "hash-1", Prefix: "crm_11", CreatedAt: base},
		{ID: "k3", TenantID: "acme", Name: "third", Hash: "hash-3", Prefix: "crm_33", CreatedAt: base.Add(2 * time.Minute), ExpiresAt: base.Add(90 * 24 * time.Hour), Role: "sales"},
		{ID: "g1", TenantID: "globex", Name: "globex", Hash: "hash-g", Prefix: "crm_gg", CreatedAt: base},
	}
	for _, k := range keys {
		require.NoError(t, s.CreateAPIKey(ctx, k))
	}

	scenarios := []struct {
		name string
		key  store.APIKey
		want error
	}{
		{name: "unknown tenant", key: store.APIKey{ID: "k9", TenantID: "nobody", Hash: "hash-9", CreatedAt: base}, want: store.ErrNotFound},
		{name: "duplicate id", key: store.APIKey{ID: "k1", TenantID: "acme", Hash: "hash-new", CreatedAt: base}, want: store.ErrConflict},
		{name: "duplicate hash", key: store.APIKey{ID: "k8", TenantID: "acme", Hash: "hash-1", CreatedAt: base}, want: store.ErrConflict},
		{name: "duplicate hash in another tenant", key: store.APIKey{ID: "k7", TenantID: "globex", Hash: "hash-2", CreatedAt: base}, want: store.ErrConflict},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.ErrorIs(t, s.CreateAPIKey(ctx, sc.key), sc.want)
		})
	}

	k, err := s.APIKeyByHash(ctx, "hash-2")
	require.NoError(t, err)
	assert.Equal(t, "k2", k.ID)
	assert.Equal(t, "acme", k.TenantID)
	assert.Equal(t, "second", k.Name)
	assert.Equal(t, "crm_22", k.Prefix)
	assert.True(t, base.Add(time.Minute).Equal(k.CreatedAt))
	assert.True(t, k.RevokedAt.IsZero())
	assert.True(t, k.ExpiresAt.IsZero(), "a key without expiry")
	k, err = s.APIKeyByHash(ctx, "hash-3")
	require.NoError(t, err)
	assert.True(t, base.Add(90*24*time.Hour).Equal(k.ExpiresAt), "the expiry is kept: %s", k.ExpiresAt)
	assert.Equal(t, "sales", k.Role)

	_, err = s.APIKeyByHash(ctx, "hash-unknown")
	require.ErrorIs(t, err, store.ErrNotFound)

	acmeKeys, err := s.ListAPIKeys(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, []string{"k1", "k2", "k3"}, keyIDs(acmeKeys), "ordered by creation")
	none, err := s.ListAPIKeys(ctx, "initech")
	require.NoError(t, err)
	assert.Empty(t, none)

	revokedAt := base.Add(time.Hour)
	require.NoError(t, s.RevokeAPIKey(ctx, "acme", "k2", revokedAt))
	k, err = s.APIKeyByHash(ctx, "hash-2")
	require.NoError(t, err, "a revoked key is still found, so callers can tell it is revoked")
	assert.True(t, revokedAt.Equal(k.RevokedAt), "revokedAt %s", k.RevokedAt)

	require.ErrorIs(t, s.RevokeAPIKey(ctx, "acme", "k-unknown", revokedAt), store.ErrNotFound)
	require.ErrorIs(t, s.RevokeAPIKey(ctx, "globex", "k1", revokedAt), store.ErrNotFound, "a key of another tenant is not found")
	k, err = s.APIKeyByHash(ctx, "hash-1")
	require.NoError(t, err)
	assert.True(t, k.RevokedAt.IsZero(), "a refused revocation changes nothing")
}

func keyIDs(ks []store.APIKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

// testDeleteTenant: a deleted tenant is gone with its data and keys, and
// created again under the same id it starts empty; API keys move between
// tenants with their secrets.
func testDeleteTenant(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "doomed")
	_ = newTenant(t, s, "kept")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal, record("d1", 0, map[string]any{"name": "gone"}))
	require.NoError(t, s.CreateAPIKey(ctx, store.APIKey{ID: "kd", TenantID: "doomed", Name: "d", Hash: "hash-d", Prefix: "crm_dd", CreatedAt: base}))
	require.NoError(t, s.CreateAPIKey(ctx, store.APIKey{ID: "kk", TenantID: "kept", Name: "k", Hash: "hash-k", Prefix: "crm_kk", CreatedAt: base}))

	require.ErrorIs(t, s.MoveAPIKeys(ctx, "doomed", "nobody"), store.ErrNotFound)
	require.NoError(t, s.MoveAPIKeys(ctx, "kept", "doomed"))
	k, err := s.APIKeyByHash(ctx, "hash-k")
	require.NoError(t, err)
	assert.Equal(t, "doomed", k.TenantID, "moved")
	require.NoError(t, s.MoveAPIKeys(ctx, "doomed", "kept"))
	keys, err := s.ListAPIKeys(ctx, "kept")
	require.NoError(t, err)
	assert.Equal(t, []string{"kd", "kk"}, keyIDs(keys), "both keys moved back")
	require.NoError(t, s.MoveAPIKeys(ctx, "kept", "doomed"))
	require.NoError(t, s.CreateAPIKey(ctx, store.APIKey{ID: "k2", TenantID: "kept", Name: "k2", Hash: "hash-k2", Prefix: "crm_k2", CreatedAt: base}))

	require.NoError(t, s.DeleteTenant(ctx, "doomed"))
	require.ErrorIs(t, s.DeleteTenant(ctx, "doomed"), store.ErrNotFound)
	_, err = s.GetTenant(ctx, "doomed")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Tenant(ctx, "doomed")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.APIKeyByHash(ctx, "hash-d")
	require.ErrorIs(t, err, store.ErrNotFound, "its keys are gone")
	_, err = s.APIKeyByHash(ctx, "hash-k")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.APIKeyByHash(ctx, "hash-k2")
	require.NoError(t, err, "other tenants' keys stay")
	list, err := s.ListTenants(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1)

	again := newTenant(t, s, "doomed")
	objs, err := again.Objects(ctx)
	require.NoError(t, err)
	assert.Empty(t, objs, "a tenant created again under the id starts empty")
	seqs, ok := again.(store.SequenceReader)
	if ok {
		got, err := seqs.Sequences(ctx)
		require.NoError(t, err)
		assert.Empty(t, got)
	}
}
