package seal_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestSealer_SealOpen(t *testing.T) {
	t.Parallel()
	s, err := seal.New(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	text, err := s.Seal(seal.AAD("acme", "patient", "notes", "r1"), "青霉素过敏")
	require.NoError(t, err)
	assert.True(t, seal.IsSealed(text))
	v, err := s.Open(seal.AAD("acme", "patient", "notes", "r1"), text)
	require.NoError(t, err)
	assert.Equal(t, "青霉素过敏", v)

	_, err = s.Open(seal.AAD("acme", "patient", "notes", "r2"), text)
	require.ErrorIs(t, err, seal.ErrWrongKey, "bound to its record")
	other, err := seal.New(bytes.Repeat([]byte{2}, 32))
	require.NoError(t, err)
	_, err = other.Open(seal.AAD("acme", "patient", "notes", "r1"), text)
	require.ErrorIs(t, err, seal.ErrWrongKey, "another key")

	_, err = seal.New([]byte("short"))
	require.Error(t, err)
}

func TestStore_SealsWritesAndOpensReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	obj, err := schema.ParseObject([]byte(`{"$id": "patient", "type": "object", "properties": {
  "name":   {"type": "string", "x-crm-type": "text"},
  "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true, "x-crm-searchable": true}}}`))
	require.NoError(t, err)
	st := sqlitestore.NewForTest(t)
	require.NoError(t, st.CreateTenant(ctx, store.Tenant{ID: "acme"}))
	raw, err := st.Tenant(ctx, "acme")
	require.NoError(t, err)
	require.NoError(t, raw.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: obj.Name, Version: 1, Definition: obj.Definition}, obj)
	}))
	s, err := seal.New(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	sealed := seal.NewStore(raw, seal.Config{Sealer: s, Tenant: "acme"})

	rec := store.Record{ID: "r1", Version: 1, Data: map[string]any{"name": "王芳", "mobile": "13812345678"}}
	require.NoError(t, sealed.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, obj, rec) }))
	stored, err := raw.Get(ctx, obj, "r1")
	require.NoError(t, err)
	assert.True(t, seal.IsSealed(stored.Data["mobile"].(string)), "ciphertext at rest")
	got, err := sealed.Get(ctx, obj, "r1")
	require.NoError(t, err)
	assert.Equal(t, "13812345678", got.Data["mobile"])

	f := store.Leaf("mobile", store.OpEq, "13812345678")
	page, err := sealed.Find(ctx, obj, store.Query{Filter: &f, Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1, "equality on a searchable field compares hashes")

	_, err = seal.NewStore(raw, seal.Config{Tenant: "acme"}).Get(ctx, obj, "r1")
	var ke *seal.KeyError
	require.ErrorAs(t, err, &ke, "no key")
	require.ErrorIs(t, err, seal.ErrNoKey)
}
