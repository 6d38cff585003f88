package engine

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestPlatformDefinitions checks that every platform object's definition
// is one the engine accepts, under a reserved name.
func TestPlatformDefinitions(t *testing.T) {
	t.Parallel()
	require.NotEmpty(t, platformDefinitions)
	for name, def := range platformDefinitions {
		obj, err := schema.ParseObject([]byte(def))
		require.NoError(t, err, name)
		assert.Equal(t, name, obj.Name)
		assert.True(t, isPlatformName(name), name)
		_, err = schema.NewValidator(obj)
		require.NoError(t, err, name)
	}
	assert.False(t, isPlatformName("crm"))
	assert.False(t, isPlatformName("crmlead"))
	assert.False(t, isPlatformName("deal"))
}

// A tenant holding an older definition of a platform object gets the
// current one when its metadata loads, before any write needs it.
func TestEngine_UpgradesPlatformObjectsOnLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	ts, err := e.tenantStore(ctx, "acme")
	require.NoError(t, err)
	old := []byte(`{"$id": "crmAudit", "type": "object", "properties": {"object": {"type": "string", "x-crm-type": "text"}}}`)
	obj, err := schema.ParseObject(old)
	require.NoError(t, err)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: auditObject, Version: 1, Definition: old, SavedBy: "system"}, obj)
	}))

	snap, err := e.state(ctx, "acme", ts)
	require.NoError(t, err)
	cur := snap.platform[auditObject]
	require.NotNil(t, cur)
	assert.EqualValues(t, 2, cur.Version, "the current definition, as the next version")
	assert.JSONEq(t, platformDefinitions[auditObject], string(cur.Definition))
	assert.Nil(t, snap.platform[outboxObject], "an object the tenant never had waits for the write that needs it")

	again, err := e.state(ctx, "acme", ts)
	require.NoError(t, err)
	assert.EqualValues(t, 2, again.platform[auditObject].Version, "saved once")
}
