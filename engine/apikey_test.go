package engine_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestAPIKeys_Expiry(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	eng, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler), Now: clk.Now})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = eng.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	secret, k, err := eng.CreateExpiringAPIKey(ctx, "acme", "partner", clk.now.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, clk.now.Add(24*time.Hour), k.ExpiresAt)
	a, err := eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, "acme", a.TenantID)
	clk.Advance(24 * time.Hour)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "an expired key is refused")
	assert.ErrorContains(t, err, "expired")
	_, _, err = eng.CreateExpiringAPIKey(ctx, "acme", "late", clk.now.Add(-time.Second))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}
