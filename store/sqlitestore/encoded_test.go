package sqlitestore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// A record inserted with its data encoded ahead (store.DataEncoder,
// store.EncodedInserter) is stored as Insert stores it: it reads back the
// same, filters and sorts on its fields find it, and its unique values
// are held by the expression indexes.
func TestTenant_InsertEncoded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: now}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	item := &schema.Object{Name: "item", Fields: []*schema.Field{
		{Name: "code", Type: schema.TypeText, Unique: true},
		{Name: "amount", Type: schema.TypeNumber},
		{Name: "note", Type: schema.TypeText},
		{Name: "won", Type: schema.TypeBoolean},
	}}
	saveObject(t, ts, item)
	data := func(code string, amount float64) map[string]any {
		return map[string]any{"code": code, "amount": amount, "note": "客户 <关注> \"交付\"\n", "won": true,
			"extra": map[string]any{"list": []any{1.5, "x", nil}, "names": []any{"a", "é"}}}
	}
	require.Implements(t, (*store.DataEncoder)(nil), ts)
	encode := func(d map[string]any) any {
		enc := store.EncodeData(ts, item, d)
		require.NotNil(t, enc)
		return enc
	}

	plain := store.Record{ID: "i1", Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:a", UpdatedBy: "user:a", OwnerID: "user:a", Data: data("A-1", 10)}
	ahead := plain
	ahead.ID, ahead.Data = "i2", data("A-2", 20)
	unknown := plain
	unknown.ID, unknown.Data = "i3", data("A-3", 30)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		require.Implements(t, (*store.EncodedInserter)(nil), tx)
		if err := tx.Insert(ctx, item, plain); err != nil {
			return err
		}
		if err := store.InsertEncoded(ctx, tx, item, ahead, encode(ahead.Data)); err != nil {
			return err
		}
		return store.InsertEncoded(ctx, tx, item, unknown, "not the store's own") // ignored: Data is encoded
	}))
	for _, want := range []store.Record{plain, ahead, unknown} {
		got, err := ts.Get(ctx, item, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want.Data, got.Data, want.ID)
	}
	page, err := ts.Find(ctx, item, store.Query{Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 15.0},
		Sort: []store.Sort{{Field: "code", Desc: true}}})
	require.NoError(t, err)
	ids := []string{}
	for _, r := range page.Records {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"i3", "i2"}, ids)

	dup := plain
	dup.ID, dup.Data = "i4", data("A-2", 40)
	err = ts.WithTx(ctx, func(tx store.Tx) error { return store.InsertEncoded(ctx, tx, item, dup, encode(dup.Data)) })
	var ue *store.UniqueError
	require.ErrorAs(t, err, &ue, "the unique index on code holds the encoded insert")
	_, err = ts.Get(ctx, item, "i4")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// Data holding a value without an encoding of its own is not encoded
// ahead; Insert then encodes it, or answers its error.
func TestTenant_EncodeData_Refuses(t *testing.T) {
	t.Parallel()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: "acme", CreatedAt: now}))
	ts, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	obj := &schema.Object{Name: "item", Fields: []*schema.Field{{Name: "n", Type: schema.TypeNumber}}}
	assert.Nil(t, store.EncodeData(ts, obj, map[string]any{"n": struct{ A int }{1}}))
	assert.Nil(t, store.EncodeData(ts, obj, nil))
}
