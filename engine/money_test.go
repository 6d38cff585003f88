package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// moneyObject is a multi-currency object: each order names its currency
// and the date its rate is taken on; its fee is always in yen.
const moneyObject = `{"$id":"order","type":"object","x-crm-label":{"zh":"订单","en":"Order"},
 "x-crm-multiCurrency":{"codeField":"currency","dateField":"closeDate"},
 "properties":{
  "title":{"type":"string","x-crm-type":"text"},
  "currency":{"type":"string","x-crm-type":"text"},
  "closeDate":{"type":"string","format":"date","x-crm-type":"date"},
  "amount":{"type":"number","x-crm-type":"currency","x-crm-label":{"zh":"金额","en":"Amount"}},
  "fee":{"type":"number","x-crm-type":"currency","x-crm-currency":"JPY"}},
 "required":["title"]}`

func TestMoney_WrittenAmounts(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, json.RawMessage(moneyObject), engine.SaveOptions{})
	require.NoError(t, err)

	rec, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "a", "amount": 0.1 + 0.2, "fee": 1200})
	require.NoError(t, err)
	assert.Equal(t, 0.3, rec.Data["amount"], "float noise past 15 digits is dropped")
	assert.Equal(t, "CNY", rec.Data["currency"], "the tenant's currency by default")
	assert.Equal(t, 1200.0, rec.Data["fee"])

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "b", "amount": 1.234, "fee": 1.5, "currency": "XYZ"})
	require.Error(t, err)
	assert.Equal(t, map[string]string{"currency": "enum", "fee": "multipleOf"}, fieldErrors(t, err))

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "b", "amount": 1.234, "fee": 1.5})
	assert.Equal(t, map[string]string{"amount": "multipleOf", "fee": "multipleOf"}, fieldErrors(t, err))
	assert.Contains(t, err.Error(), "an amount in CNY has at most 2 decimals")
	assert.Contains(t, err.Error(), "an amount in JPY has no decimals")

	kwd, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "c", "amount": 1.234, "currency": "kwd"})
	require.NoError(t, err, "three decimals in dinars")
	assert.Equal(t, "KWD", kwd.Data["currency"])

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "d", "amount": 1e13})
	assert.Equal(t, map[string]string{"amount": "maximum"}, fieldErrors(t, err))

	_, err = eng.UpdateRecord(ctx, "order", kwd.ID, map[string]any{"currency": "CNY"}, nil)
	assert.Equal(t, map[string]string{"amount": "multipleOf"}, fieldErrors(t, err), "a new currency checks the amount again")
	_, err = eng.UpdateRecord(ctx, "order", kwd.ID, map[string]any{"title": "c2"}, nil)
	require.NoError(t, err, "an unchanged amount is not checked again")
}

// A roll-up sum of amounts moves by each child's change as integers of
// minor units: after hundreds of increments and changes it is the
// decimal sum, where adding float64s drifts.
func TestMoney_RollupStaysExact(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	for _, d := range []string{
		`{"$id":"wallet","type":"object","properties":{"name":{"type":"string","x-crm-type":"text"},
		  "total":{"type":"number","x-crm-type":"rollup","x-crm-rollup":{"object":"payment","via":"wallet","function":"sum","field":"amount"}}}}`,
		`{"$id":"payment","type":"object","properties":{"amount":{"type":"number","x-crm-type":"currency"},
		  "wallet":{"type":"string","x-crm-type":"lookup","x-crm-target":"wallet"}}}`,
	} {
		_, err := eng.SaveObject(ctx, json.RawMessage(d), engine.SaveOptions{})
		require.NoError(t, err)
	}
	w, err := eng.CreateRecord(ctx, "wallet", map[string]any{"name": "w"})
	require.NoError(t, err)
	var ids []string
	floatSum := 0.0
	for i := range 300 {
		a := []float64{0.1, 0.2, 0.7}[i%3]
		floatSum += a
		p, err := eng.CreateRecord(ctx, "payment", map[string]any{"amount": a, "wallet": w.ID})
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	require.NotEqual(t, 100.0, floatSum, "float64 drifts: the test can fail")
	got, err := eng.GetRecord(ctx, "wallet", w.ID)
	require.NoError(t, err)
	assert.Equal(t, 100.0, got.Data["total"])
	for _, id := range ids[:100] {
		_, err := eng.UpdateRecord(ctx, "payment", id, map[string]any{"amount": 0.3}, nil)
		require.NoError(t, err)
	}
	got, err = eng.GetRecord(ctx, "wallet", w.ID)
	require.NoError(t, err)
	assert.Equal(t, 96.9, got.Data["total"], "100 − (34×0.1 + 33×0.2 + 33×0.7) + 100×0.3")

	sum, ok, err := eng.SumRecords(ctx, "payment", "amount", engine.ListQuery{})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, 96.9, sum)
}
