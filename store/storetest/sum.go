package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// testSum checks the optional [store.Summer]: sums over the records a
// filter matches, missing and null values left out, "no value" told
// apart from zero, only numeric fields, inside transactions too, and
// never across tenants.
func testSum(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	sum, ok := ts.(store.Summer)
	require.True(t, ok, "the adapter's tenant store implements store.Summer")

	total, has, err := sum.Sum(ctx, deal, nil, "amount")
	require.NoError(t, err)
	assert.False(t, has, "an empty object has no value")
	assert.Zero(t, total)

	insert(t, ts, deal, filterRecords()...)
	other := newTenant(t, s, "other")
	saveObject(t, other, deal, 1)
	insert(t, other, deal, record("x1", 0, map[string]any{"amount": 7.0, "stage": "won"}))

	scenarios := []struct {
		name   string
		filter *store.Filter
		field  string
		sum    float64
		has    bool
	}{
		{"every record, missing and null values left out", nil, "amount", 100 + 250.5 + 0 - 50 + 1000000, true},
		{"a filter", leaf("stage", store.OpEq, "won"), "amount", 250.5 + 1000000, true},
		{"an integer field", nil, "qty", 1 + 3 + 0 + 2 + 10, true},
		{"a combined filter", and(leaf("won", store.OpEq, false), leaf("amount", store.OpLt, 1000)), "amount", 100 + 0, true},
		{"zero is a value", leaf("code", store.OpEq, "C-3"), "amount", 0, true},
		{"records without a value", leaf("id", store.OpIn, []any{"r5", "r6"}), "amount", 0, false},
		{"no record matches", leaf("name", store.OpEq, "nobody"), "amount", 0, false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, has, err := sum.Sum(ctx, deal, sc.filter, sc.field)
			require.NoError(t, err)
			assert.InDelta(t, sc.sum, got, 1e-9)
			assert.Equal(t, sc.has, has)
		})
	}

	t.Run("only numeric fields", func(t *testing.T) {
		t.Parallel()
		for _, field := range []string{"name", "stage", "closeDate", "account", "tags", "shipTo", "shipTo.city", "extra", "nope", "version", "id"} {
			_, _, err := sum.Sum(ctx, deal, nil, field)
			var qe *store.QueryError
			require.True(t, errors.As(err, &qe), "%s: %v", field, err)
			assert.Equal(t, field, qe.Field)
			assert.ErrorIs(t, err, store.ErrInvalidQuery)
		}
		_, _, err := sum.Sum(ctx, deal, leaf("nope", store.OpEq, 1), "amount")
		assert.ErrorIs(t, err, store.ErrInvalidQuery, "the filter is checked as for Find")
	})

	t.Run("sensitive fields are ciphertext", func(t *testing.T) {
		t.Parallel()
		salary := &schema.Object{Name: "salary", Fields: []*schema.Field{{Name: "amount", Type: schema.TypeCurrency, Sensitive: true}}}
		saveObject(t, ts, salary, 1)
		_, _, err := sum.Sum(ctx, salary, nil, "amount")
		assert.ErrorIs(t, err, store.ErrInvalidQuery)
	})

	t.Run("inside a transaction", func(t *testing.T) {
		t.Parallel()
		item := itemObject()
		saveObject(t, ts, item, 1)
		insert(t, ts, item, record("i1", 0, map[string]any{"score": 1.5}))
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			require.NoError(t, tx.Insert(ctx, item, record("i2", 0, map[string]any{"score": 2.25})))
			txSum, ok := tx.(store.Summer)
			require.True(t, ok, "the adapter's transactions implement store.Summer")
			got, has, err := txSum.Sum(ctx, item, nil, "score")
			require.NoError(t, err)
			assert.True(t, has)
			assert.InDelta(t, 3.75, got, 1e-9, "the transaction's own write is counted")
			return nil
		}))
	})
}
