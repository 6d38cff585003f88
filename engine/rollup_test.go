package engine_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
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

// A roll-up is readable only where its sources are: a role that cannot
// see every child record, or a field the roll-up sums or filters on, does
// not see the roll-up either, at any door (issue 13, item 8: noteSum gave
// away the sum of another user's hidden amounts).
func TestRollup_ReadableOnlyWhereSourcesAre(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		sharing string            // the deal's x-crm-sharing
		fields  map[string]string // the role's field levels on deal
		sees    []string          // the roll-ups the role sees
	}{
		{"every source visible", "readWrite", nil, []string{"biggest", "deals", "smallest", "wonAmount"}},
		{"private children", "private", nil, nil},
		{"read-only children are all visible", "readOnly", nil, []string{"biggest", "deals", "smallest", "wonAmount"}},
		{"summed field hidden", "readWrite", map[string]string{"amount": engine.FieldHidden}, []string{"deals"}},
		{"condition field hidden", "readWrite", map[string]string{"stage": engine.FieldHidden}, []string{"biggest", "deals", "smallest"}},
		{"lookup hidden", "readWrite", map[string]string{"account": engine.FieldHidden}, nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			dealDef := strings.Replace(rollupDealDef, `"type": "object",`, `"type": "object", "x-crm-sharing": "`+s.sharing+`",`, 1)
			for _, d := range []string{rollupAccountDef, dealDef} {
				_, err := eng.SaveObject(ctx, []byte(d), engine.SaveOptions{})
				require.NoError(t, err)
			}
			require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{
				"account": {Read: true, Update: true}, "deal": {Read: true, Create: true, Fields: s.fields}}}))
			_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "rep", Role: "rep", Password: "a long enough password"})
			require.NoError(t, err)
			rep := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:rep", Role: "rep"})
			acct, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
			require.NoError(t, err)
			_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "admin's", "amount": 700.0, "stage": "won", "account": acct.ID})
			require.NoError(t, err)

			all := []string{"biggest", "deals", "smallest", "wonAmount"}
			rec, err := eng.GetRecord(rep, "account", acct.ID)
			require.NoError(t, err)
			list, err := eng.ListRecords(rep, "account", engine.ListQuery{})
			require.NoError(t, err)
			cat, err := eng.Catalog(rep)
			require.NoError(t, err)
			var seen, listed, inSchema []string
			for _, f := range all {
				if _, ok := rec.Data[f]; ok {
					seen = append(seen, f)
				}
				if _, ok := list.Records[0].Data[f]; ok {
					listed = append(listed, f)
				}
				if cat.Object("account").Field(f) != nil {
					inSchema = append(inSchema, f)
				}
				_, ferr := eng.ListRecords(rep, "account", engine.ListQuery{Filter: &store.Filter{Field: f, Op: store.OpGt, Value: 0.0}})
				_, serr := eng.ListRecords(rep, "account", engine.ListQuery{Sort: []store.Sort{{Field: f}}})
				if slices.Contains(s.sees, f) {
					assert.NoError(t, ferr, f)
					assert.NoError(t, serr, f)
				} else {
					assert.Equal(t, engine.CodeForbidden, engine.CodeOf(ferr), "filter on %s", f)
					assert.Equal(t, engine.CodeForbidden, engine.CodeOf(serr), "sort on %s", f)
				}
			}
			assert.Equal(t, s.sees, seen, "get")
			assert.Equal(t, s.sees, listed, "list")
			assert.Equal(t, s.sees, inSchema, "the role's schema")

			full, err := eng.GetRecord(ctx, "account", acct.ID)
			require.NoError(t, err)
			assert.Equal(t, 700.0, full.Data["wonAmount"], "administrators see every roll-up")
		})
	}
}
