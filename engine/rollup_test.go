package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

const rollupAccountDef = `{"$id": "account", "type": "object", "properties": {
  "name":      {"type": "string", "x-crm-type": "text"},
  "wonAmount": {"type": "number", "x-crm-type": "rollup",
                "x-crm-rollup": {"object": "deal", "via": "account", "function": "sum", "field": "amount", "condition": {"field": "stage", "op": "eq", "value": "won"}}},
  "deals":     {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "count"}},
  "biggest":   {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "max", "field": "amount"}},
  "smallest":  {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "min", "field": "amount"}}
}}`

const rollupDealDef = `{"$id": "deal", "type": "object", "properties": {
  "title":   {"type": "string", "x-crm-type": "text"},
  "amount":  {"type": "number", "x-crm-type": "currency"},
  "stage":   {"type": "string", "enum": ["open", "won", "lost"], "x-crm-type": "picklist"},
  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`

func TestRollup_KeptCurrent(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	for _, d := range []string{rollupAccountDef, rollupDealDef} {
		_, err := eng.SaveObject(ctx, []byte(d), engine.SaveOptions{})
		require.NoError(t, err)
	}
	a, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "B"})
	require.NoError(t, err)
	sums := func(id string) map[string]any {
		rec, err := eng.GetRecord(ctx, "account", id)
		require.NoError(t, err)
		out := map[string]any{}
		for _, k := range []string{"wonAmount", "deals", "biggest", "smallest"} {
			out[k] = rec.Data[k]
		}
		return out
	}
	_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": "x", "deals": 5.0})
	assert.Equal(t, map[string]string{"deals": "readOnly"}, fieldErrors(t, err), "clients cannot set a roll-up")

	d1, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "1", "amount": 0.1, "stage": "won", "account": a.ID})
	require.NoError(t, err)
	d2, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "2", "amount": 0.2, "stage": "won", "account": a.ID})
	require.NoError(t, err)
	d3, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "3", "amount": 50.0, "stage": "open", "account": a.ID})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"wonAmount": 0.3, "deals": 3.0, "biggest": 50.0, "smallest": 0.1}, sums(a.ID))

	_, err = eng.UpdateRecord(ctx, "deal", d3.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 50.3, sums(a.ID)["wonAmount"], "a child entering the condition")
	_, err = eng.UpdateRecord(ctx, "deal", d1.ID, map[string]any{"amount": 0.5}, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"wonAmount": 50.7, "deals": 3.0, "biggest": 50.0, "smallest": 0.2}, sums(a.ID))

	_, err = eng.UpdateRecord(ctx, "deal", d3.ID, map[string]any{"account": b.ID}, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"wonAmount": 0.7, "deals": 2.0, "biggest": 0.5, "smallest": 0.2}, sums(a.ID), "re-parented away")
	assert.Equal(t, map[string]any{"wonAmount": 50.0, "deals": 1.0, "biggest": 50.0, "smallest": 50.0}, sums(b.ID), "re-parented here")

	require.NoError(t, eng.DeleteRecord(ctx, "deal", d2.ID))
	require.NoError(t, eng.DeleteRecord(ctx, "deal", d1.ID))
	assert.Equal(t, map[string]any{"wonAmount": 0.0, "deals": 0.0, "biggest": nil, "smallest": nil}, sums(a.ID), "no children: min and max have no value")

	n, err := eng.RebuildRollup(ctx, "account", "wonAmount")
	require.NoError(t, err)
	assert.Zero(t, n, "kept current: a rebuild changes nothing")
	_, err = eng.RebuildRollup(ctx, "account", "name")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

func TestRollup_ComputedWhenAdded(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(rollupDealDef), engine.SaveOptions{})
	require.NoError(t, err)
	a, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	for _, amount := range []float64{10, 20, 30} {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{"amount": amount, "stage": "won", "account": a.ID})
		require.NoError(t, err)
	}
	_, err = eng.SaveObject(ctx, []byte(rollupAccountDef), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.GetRecord(ctx, "account", a.ID)
	require.NoError(t, err)
	assert.Equal(t, 60.0, rec.Data["wonAmount"], "existing children are summed when the field is added")
	assert.Equal(t, 3.0, rec.Data["deals"])
}
