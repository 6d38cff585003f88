package engine_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// TestEngine_SumRecords: sums cover every record the filter, the view
// and the caller's sharing let through, and refuse fields that are not
// numbers or that the caller may not see in full.
func TestEngine_SumRecords(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithConfig(func(c *engine.Config) { c.EncryptionKey = bytes.Repeat([]byte{3}, 32) }))
	eng, admin := tn.Engine, tn.Admin
	_, err := eng.SaveObject(admin, []byte(`{"$id": "deal", "type": "object", "x-crm-sharing": "private",
	  "properties": {
	    "title":  {"type": "string", "x-crm-type": "text"},
	    "amount": {"type": "number", "x-crm-type": "currency"},
	    "qty":    {"type": "integer", "x-crm-type": "integer"},
	    "margin": {"type": "number", "x-crm-type": "percent"},
	    "phone":  {"type": "string", "x-crm-type": "text"},
	    "secret": {"type": "number", "x-crm-type": "number", "x-crm-sensitive": true},
	    "net":    {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "(amount || 0) * 2"}},
	    "stage":  {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	      "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	as := salesTeam(t, eng, admin)
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Create: true, Update: true, Fields: map[string]string{"margin": engine.FieldHidden, "phone": engine.FieldMasked}}}}))
	for _, d := range []struct {
		who    string
		amount float64
		stage  string
	}{{"rep1", 100.1, "open"}, {"rep1", 200.2, "won"}, {"rep2", 300, "open"}, {"rep3", 5000, "open"}} {
		_, err := eng.CreateRecord(as[d.who], "deal", map[string]any{"title": d.who, "amount": d.amount, "qty": 2.0, "stage": d.stage})
		require.NoError(t, err)
	}
	_, err = eng.CreateRecord(admin, "deal", map[string]any{"title": "no amount"})
	require.NoError(t, err)
	_, err = eng.SaveView(admin, engine.View{Object: "deal", Name: "open", Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "open"}}, true)
	require.NoError(t, err)

	scenarios := []struct {
		name  string
		ctx   context.Context
		field string
		q     engine.ListQuery
		sum   float64
		ok    bool
	}{
		{"everything, for an administrator", admin, "amount", engine.ListQuery{}, 5600.3, true},
		{"an integer field", admin, "qty", engine.ListQuery{}, 8, true},
		{"a formula with a number result", admin, "net", engine.ListQuery{}, 11200.6, true},
		{"a filter", admin, "amount", engine.ListQuery{Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "won"}}, 200.2, true},
		{"a view", admin, "amount", engine.ListQuery{View: "open"}, 5400.1, true},
		{"a view and a filter, whatever the page", admin, "amount", engine.ListQuery{View: "open", First: 1, Filter: &store.Filter{Field: "amount", Op: store.OpLt, Value: 1000.0}}, 400.1, true},
		{"what the caller's sharing lets through", as["rep1"], "amount", engine.ListQuery{}, 600.3, true},
		{"a manager sees the team below", as["lead"], "amount", engine.ListQuery{}, 600.3, true},
		{"no matching record", admin, "amount", engine.ListQuery{Filter: &store.Filter{Field: "title", Op: store.OpEq, Value: "nobody"}}, 0, false},
		{"matching records without a value", admin, "amount", engine.ListQuery{Filter: &store.Filter{Field: "title", Op: store.OpEq, Value: "no amount"}}, 0, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			sum, ok, err := eng.SumRecords(s.ctx, "deal", s.field, s.q)
			require.NoError(t, err)
			assert.Equal(t, s.ok, ok)
			assert.Equal(t, s.sum, sum, "decimal amounts without binary noise")
		})
	}

	refusals := []struct {
		name, field, message string
		ctx                  context.Context
	}{
		{"unknown", "nope", `cannot sum deal.nope: deal has no such field`, admin},
		{"text", "title", `cannot sum deal.title: it is not a number field`, admin},
		{"picklist", "stage", `cannot sum deal.stage: it is not a number field`, admin},
		{"a system field", "version", `cannot sum deal.version: deal has no such field`, admin},
		{"sensitive", "secret", `cannot sum deal.secret: its values are protected`, admin},
		{"hidden from the role: as if unknown", "margin", `cannot sum deal.margin: deal has no such field`, as["rep1"]},
		{"masked for the role", "phone", `cannot sum deal.phone`, as["rep1"]},
	}
	for _, r := range refusals {
		t.Run("refused: "+r.name, func(t *testing.T) {
			_, _, err := eng.SumRecords(r.ctx, "deal", r.field, engine.ListQuery{})
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
			assert.ErrorContains(t, err, r.message)
		})
	}
	_, _, err = eng.SumRecords(as["rep1"], "deal", "amount", engine.ListQuery{Filter: &store.Filter{Field: "margin", Op: store.OpGt, Value: 1.0}})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "no reaching a hidden field through the filter")
	_, _, err = eng.SumRecords(admin, "ghost", "amount", engine.ListQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	sum, ok, err := eng.SumRecords(admin, "deal", "margin", engine.ListQuery{})
	require.NoError(t, err, "administrators sum any number field")
	assert.False(t, ok)
	assert.Zero(t, sum)
}
