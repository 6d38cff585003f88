package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

func TestAPIKeys_Expiry(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Background
	secret, k, err := eng.CreateExpiringAPIKey(ctx, "acme", "partner", clk.Now().Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, clk.Now().Add(24*time.Hour), k.ExpiresAt)
	a, err := eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, "acme", a.TenantID)
	clk.Advance(24 * time.Hour)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "an expired key is refused")
	assert.ErrorContains(t, err, "expired")
	_, _, err = eng.CreateExpiringAPIKey(ctx, "acme", "late", clk.Now().Add(-time.Second))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

// Keys found valid are kept in memory; these tests hold the promises
// that come with that (docs/performance.md, "Get by id (issue 20)").

func TestAPIKeys_RevokedHereStopsAtOnce(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Background
	secret, k, err := eng.CreateAPIKey(ctx, "acme", "integration")
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err = eng.Authenticate(ctx, secret)
		require.NoError(t, err)
	}
	_, err = eng.RevokeAPIKey(tn.Admin, "acme", k.ID)
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "the clock did not move: the revocation holds at once")
}

func TestAPIKeys_RevokedElsewhereStopsWithinRecheck(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Background
	secret, k, err := eng.CreateAPIKey(ctx, "acme", "integration")
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	require.NoError(t, err)

	// Another server sharing the store revokes the key: this one does not
	// hear of it, and reads the key again within APIKeyRecheck.
	require.NoError(t, tn.Store.RevokeAPIKey(ctx, "acme", k.ID, clk.Now()))
	clk.Advance(engine.APIKeyRecheck)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	clk.Advance(time.Hour)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "a refused key is not remembered as valid")
}

func TestAPIKeys_ExpiryHoldsForKeptKeys(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Background
	secret, _, err := eng.CreateExpiringAPIKey(ctx, "acme", "partner", clk.Now().Add(time.Second))
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	clk.Advance(time.Second) // well within APIKeyRecheck
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
}

func TestAPIKeys_DeletedTenantsKeysStopAtOnce(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithOtherTenants("globex"))
	eng, ctx := tn.Engine, tn.Background
	secret, _, err := eng.CreateAPIKey(ctx, "globex", "integration")
	require.NoError(t, err)
	other, _, err := eng.CreateAPIKey(ctx, "acme", "integration")
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, other)
	require.NoError(t, err)
	require.NoError(t, eng.DeleteTenant(ctx, "globex"))
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	a, err := eng.Authenticate(ctx, other)
	require.NoError(t, err)
	assert.Equal(t, "acme", a.TenantID)
}

func TestAPIKeys_UnknownSecretsAreNotRemembered(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Background
	secret, shown, err := identity.NewKey()
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	// The key comes into the store (another server created it): it works
	// at once, since the refusal was not kept.
	require.NoError(t, tn.Store.CreateAPIKey(ctx, store.APIKey{ID: "k1", TenantID: "acme", Name: "n", Hash: identity.KeyHash(secret), Prefix: shown, CreatedAt: time.Now().UTC()}))
	a, err := eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, "key:k1", a.ID)
}
