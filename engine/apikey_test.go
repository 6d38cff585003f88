package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
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
