package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
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

	_, err = eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "KWD", Rate: "23.5", ValidFrom: "2020-01-01"})
	require.NoError(t, err)
	kwd, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "c", "amount": 1.234, "currency": "kwd"})
	require.NoError(t, err, "three decimals in dinars")
	assert.Equal(t, "KWD", kwd.Data["currency"])
	assert.Equal(t, 29.0, kwd.Data["amountConverted"], "1.234 × 23.5 = 28.999, to the fen; dated by its creation")

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

func TestMoney_ExchangeRates(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Admin
	rep := tn.As(engine.Actor{ID: "user:rep", Role: "rep"})

	rates, err := eng.ExchangeRates(rep, "")
	require.NoError(t, err)
	assert.Empty(t, rates, "none yet; any signed-in caller reads them")

	_, err = eng.SetExchangeRate(rep, engine.ExchangeRateInput{Currency: "USD", Rate: "7.1", ValidFrom: "2026-01-01"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	bad := []struct {
		in   engine.ExchangeRateInput
		says string
	}{
		{engine.ExchangeRateInput{Currency: "XYZ", Rate: "1", ValidFrom: "2026-01-01"}, "XYZ"},
		{engine.ExchangeRateInput{Currency: "CNY", Rate: "1", ValidFrom: "2026-01-01"}, "own currency"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "0", ValidFrom: "2026-01-01"}, "positive decimal"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "-7", ValidFrom: "2026-01-01"}, "positive decimal"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "7.12345678901", ValidFrom: "2026-01-01"}, "10 after"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "1e3", ValidFrom: "2026-01-01"}, "1e3"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "7", ValidFrom: "2026-02-30"}, "2026-02-30"},
		{engine.ExchangeRateInput{Currency: "USD", Rate: "7", ValidFrom: "01/02/2026"}, "YYYY-MM-DD"},
	}
	for _, b := range bad {
		_, err := eng.SetExchangeRate(ctx, b.in)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), b.says)
		assert.ErrorContains(t, err, b.says)
	}
	usd, err := eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: " usd ", Rate: "007.1000", ValidFrom: "2026-01-01"})
	require.NoError(t, err)
	assert.Equal(t, engine.ExchangeRate{ID: usd.ID, Currency: "USD", Rate: "7.1", ValidFrom: "2026-01-01"}, usd, "canonical text")
	again, err := eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "USD", Rate: "7.15", ValidFrom: "2026-01-01"})
	require.NoError(t, err)
	assert.Equal(t, usd.ID, again.ID, "the same currency and date replaces")
	_, err = eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "USD", Rate: "7.2", ValidFrom: "2026-06-01"})
	require.NoError(t, err)
	_, err = eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "EUR", Rate: "7.8", ValidFrom: "2026-01-01"})
	require.NoError(t, err)
	rates, err = eng.ExchangeRates(rep, "")
	require.NoError(t, err)
	var got []string
	for _, r := range rates {
		got = append(got, r.Currency+" "+r.Rate+" "+r.ValidFrom)
	}
	assert.Equal(t, []string{"EUR 7.8 2026-01-01", "USD 7.2 2026-06-01", "USD 7.15 2026-01-01"}, got)
	rates, err = eng.ExchangeRates(rep, "usd")
	require.NoError(t, err)
	assert.Len(t, rates, 2)

	_, err = eng.DeleteExchangeRate(rep, usd.ID)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	ok, err := eng.DeleteExchangeRate(ctx, usd.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = eng.DeleteExchangeRate(ctx, usd.ID)
	require.NoError(t, err)
	assert.False(t, ok, "gone")
}

func TestMoney_ConvertedAmounts(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.SaveObject(ctx, json.RawMessage(moneyObject), engine.SaveOptions{})
	require.NoError(t, err)

	cny, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "cny", "amount": 1234.5, "closeDate": "2026-03-01"})
	require.NoError(t, err)
	assert.Equal(t, 1234.5, cny.Data["amountConverted"], "the tenant's currency converts as it is")

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "usd", "currency": "USD", "amount": 100.01, "closeDate": "2026-03-01"})
	require.Error(t, err)
	assert.Equal(t, map[string]string{"amount": "rate"}, fieldErrors(t, err), "no rate: refused, naming the amount")
	assert.ErrorContains(t, err, "no exchange rate of USD on 2026-03-01")

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "x", "amount": 1.0, "amountConverted": 5.0})
	assert.Equal(t, map[string]string{"amountConverted": "readOnly"}, fieldErrors(t, err))

	_, err = eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "USD", Rate: "7.1", ValidFrom: "2026-01-01"})
	require.NoError(t, err)
	usd, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "usd", "currency": "USD", "amount": 100.01, "fee": 500, "closeDate": "2026-03-01"})
	require.NoError(t, err)
	assert.Equal(t, 710.07, usd.Data["amountConverted"], "100.01 × 7.1 = 710.071, to the fen")
	assert.NotContains(t, usd.Data, "feeConverted", "the yen fee has its own currency")
	late, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "late", "currency": "USD", "amount": 0.07, "closeDate": "2026-07-01"})
	require.NoError(t, err)
	assert.Equal(t, 0.5, late.Data["amountConverted"], "0.497 rounds half away from zero to 0.50")
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "early", "currency": "USD", "amount": 1, "closeDate": "2025-12-31"})
	assert.Equal(t, map[string]string{"amount": "rate"}, fieldErrors(t, err), "before the first rate")

	upd, err := eng.UpdateRecord(ctx, "order", usd.ID, map[string]any{"amount": 200}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1420.0, upd.Data["amountConverted"], "an update converts again")

	// A new rate from June: the job recomputes what it affects.
	_, err = eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: "USD", Rate: "7.2", ValidFrom: "2026-06-01"})
	require.NoError(t, err)
	runJobs(t, tn)
	got, err := eng.GetRecord(ctx, "order", late.ID)
	require.NoError(t, err)
	assert.Equal(t, 0.5, got.Data["amountConverted"], "0.07 × 7.2 = 0.504")
	got, err = eng.GetRecord(ctx, "order", upd.ID)
	require.NoError(t, err)
	assert.Equal(t, 1420.0, got.Data["amountConverted"], "March keeps January's rate")
	jobs, err := eng.Jobs(ctx, 10)
	require.NoError(t, err)
	require.NotEmpty(t, jobs)
	assert.Equal(t, engine.JobRecomputeConverted, jobs[0].Kind)
	assert.Equal(t, engine.JobDone, jobs[0].Status)
	assert.Equal(t, int64(3), jobs[0].Total)

	// Reports, sums and forecasts add converted amounts.
	sum, _, err := eng.SumRecords(ctx, "order", "amount", engine.ListQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1234.5+1420+0.5, sum)
	res, err := eng.Aggregate(ctx, "order", engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureSum, Field: "amount"}}})
	require.NoError(t, err)
	assert.Equal(t, 1234.5+1420+0.5, res.Groups[0].Values[0])

	// Deleting January's rate leaves March's dollars without one.
	rates, err := eng.ExchangeRates(ctx, "USD")
	require.NoError(t, err)
	for _, r := range rates {
		if r.ValidFrom == "2026-01-01" {
			_, err := eng.DeleteExchangeRate(ctx, r.ID)
			require.NoError(t, err)
		}
	}
	runJobs(t, tn)
	got, err = eng.GetRecord(ctx, "order", upd.ID)
	require.NoError(t, err)
	assert.NotContains(t, got.Data, "amountConverted", "no rate: no converted amount")
	jobs, err = eng.Jobs(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, int64(1), jobs[0].Missing)

	// A new tenant currency recomputes too: dollars are now the tenant's.
	_, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{Currency: ptr("USD")})
	require.NoError(t, err)
	runJobs(t, tn)
	got, err = eng.GetRecord(ctx, "order", upd.ID)
	require.NoError(t, err)
	assert.Equal(t, 200.0, got.Data["amountConverted"])
}

// A converted amount is as hidden as its source: a role that may not read
// the amount does not learn it converted.
func TestMoney_ConvertedFollowsItsSourcesAccess(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.SaveObject(ctx, json.RawMessage(moneyObject), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "a", "amount": 10.5})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "clerk", Objects: map[string]engine.ObjectAccess{
		"order": {Read: true, Fields: map[string]string{"amount": engine.FieldHidden}}}}))
	clerk := tn.As(engine.Actor{ID: "user:clerk", Role: "clerk"})
	got, err := eng.GetRecord(clerk, "order", rec.ID)
	require.NoError(t, err)
	assert.NotContains(t, got.Data, "amount")
	assert.NotContains(t, got.Data, "amountConverted")
	_, _, err = eng.SumRecords(clerk, "order", "amountConverted", engine.ListQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

// Turning multi-currency on converts the amounts of the records already
// there, in a job.
func TestMoney_TurningItOnConvertsStoredRecords(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Admin
	before := `{"$id":"order","type":"object","properties":{
	  "title":{"type":"string","x-crm-type":"text"},
	  "amount":{"type":"number","x-crm-type":"currency"}}}`
	_, err := eng.SaveObject(ctx, json.RawMessage(before), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "a", "amount": 99.99})
	require.NoError(t, err)
	assert.NotContains(t, rec.Data, "amountConverted")
	after := `{"$id":"order","type":"object","x-crm-multiCurrency":{"codeField":"currency"},"properties":{
	  "title":{"type":"string","x-crm-type":"text"},
	  "currency":{"type":"string","x-crm-type":"text"},
	  "amount":{"type":"number","x-crm-type":"currency"}}}`
	_, err = eng.SaveObject(ctx, json.RawMessage(after), engine.SaveOptions{})
	require.NoError(t, err)
	runJobs(t, tn)
	got, err := eng.GetRecord(ctx, "order", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, 99.99, got.Data["amountConverted"], "in the tenant's currency, as the record names none")
}
