package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// One resident id written with x and with X is one value under
// x-crm-unique; mobiles with +86 and spaces are stored bare, and a search
// written either way finds them (issue 13, item 14).
func TestFormats_CanonicalBeforeUnique(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, def(t, map[string]any{
		"$id": "patient", "type": "object", "x-crm-label": map[string]any{"zh": "患者", "en": "Patient"},
		"properties": map[string]any{
			"idCard": map[string]any{"type": "string", "x-crm-type": "text", "format": "cn-resident-id", "x-crm-unique": true},
			"mobile": map[string]any{"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-unique": true},
			"uscc":   map[string]any{"type": "string", "x-crm-type": "text", "format": "cn-uscc"},
		},
	}), engine.SaveOptions{})
	require.NoError(t, err)

	first, err := eng.CreateRecord(ctx, "patient", map[string]any{"idCard": "11010519491231002x", "mobile": "+86 138 1234 5678", "uscc": "91350100m000100y43"})
	require.NoError(t, err)
	assert.Equal(t, "11010519491231002X", first.Data["idCard"])
	assert.Equal(t, "13812345678", first.Data["mobile"])
	assert.Equal(t, "91350100M000100Y43", first.Data["uscc"])

	_, err = eng.CreateRecord(ctx, "patient", map[string]any{"idCard": "11010519491231002X"})
	assert.Equal(t, map[string]string{"idCard": "unique"}, fieldErrors(t, err), "the same id with an upper-case X")
	_, err = eng.CreateRecord(ctx, "patient", map[string]any{"mobile": "0086-13812345678"})
	assert.Equal(t, map[string]string{"mobile": "unique"}, fieldErrors(t, err), "the same mobile with 0086")

	for _, f := range []store.Filter{
		store.Leaf("idCard", store.OpEq, "11010519491231002x"),
		store.Leaf("mobile", store.OpEq, "+86 13812345678"),
		store.Leaf("mobile", store.OpIn, []any{"138 1234 5678"}),
	} {
		res, err := eng.ListRecords(ctx, "patient", engine.ListQuery{Filter: &f})
		require.NoError(t, err)
		require.Len(t, res.Records, 1, "%+v", f)
		assert.Equal(t, first.ID, res.Records[0].ID)
	}
}
