package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
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

// Text that is not UTF-8 is named before scripts run: a beforeSave script
// sees it with U+FFFD in place of the bad bytes, and one that writes it
// back must not get the replacement stored. Every such field comes back at
// once, an address part by its path, each once (issue 13, item 15).
func TestFormats_NotUTF8NamedBeforeScripts(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, def(t, map[string]any{
		"$id": "memo", "type": "object",
		"properties": map[string]any{
			"title":   map[string]any{"type": "string", "x-crm-type": "text"},
			"body":    map[string]any{"type": "string", "x-crm-type": "textarea"},
			"address": map[string]any{"type": "object", "x-crm-type": "address"},
		},
		"x-crm-scripts": []any{map[string]any{"name": "tidy", "kind": "beforeSave",
			"source": "ctx.set('title', (ctx.record.title || '').trim()); ctx.set('body', ctx.record.body)"}},
	}), engine.SaveOptions{})
	require.NoError(t, err)

	_, err = eng.CreateRecord(ctx, "memo", map[string]any{"title": " a\xffb ", "body": "ok",
		"address": map[string]any{"city": "\xe4\xb8", "district": "浦东新区", "street": "\xc3"}})
	assert.Equal(t, map[string]string{"title": "encoding", "address.city": "encoding", "address.street": "encoding"}, fieldErrors(t, err))
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Fields, 3, "each field once: %v", ve.Fields)

	rec, err := eng.CreateRecord(ctx, "memo", map[string]any{"title": "fine", "body": "fine"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "memo", rec.ID, map[string]any{"body": "x\xfey"}, nil)
	assert.Equal(t, map[string]string{"body": "encoding"}, fieldErrors(t, err), "the script wrote it back with U+FFFD")
	got, err := eng.GetRecord(ctx, "memo", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, "fine", got.Data["body"], "nothing written")
	assert.EqualValues(t, 1, got.Version)
}
