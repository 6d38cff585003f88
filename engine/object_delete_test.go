package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestEngine_DeleteObject: a dry run counts what would go; the delete
// needs the record count it showed, refuses an object others refer to,
// and removes the records, stage history, views and layout with the
// definition, audited; saving the object again starts empty.
func TestEngine_DeleteObject(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithObjects(deletedAccount, deletedDeal))
	eng, ctx := tn.Engine, tn.Admin
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华东"})
	require.NoError(t, err)
	d1, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "一期", "amount": 10.0, "account": acc.ID})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "二期"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "deal", d1.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	hist, err := eng.StageHistory(ctx, "deal", "stage", []string{d1.ID})
	require.NoError(t, err)
	require.Len(t, hist[d1.ID], 2, "created in open, moved to won")
	_, err = eng.SaveView(ctx, engine.View{Object: "deal", Name: "open", Columns: []string{"title"}}, true)
	require.NoError(t, err)
	li := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	_, err = eng.SaveView(li, engine.View{Object: "deal", Name: "mine", Columns: []string{"title", "amount"}}, false)
	require.NoError(t, err)
	_, err = eng.SaveLayout(ctx, engine.Layout{Object: "deal", Sections: []engine.LayoutSection{{Label: schemaLabel("概要", "Summary"), Fields: []string{"title"}}}})
	require.NoError(t, err)

	_, err = eng.DeleteObject(ctx, "account", 1, false)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "deal.account", "the reference is named")

	dry, err := eng.DeleteObject(ctx, "deal", 0, true)
	require.NoError(t, err)
	assert.Equal(t, engine.ObjectDeletion{Name: "deal", Records: 2, Views: 2, Layout: true}, dry)

	_, err = eng.DeleteObject(ctx, "deal", 3, false)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.Equal(t, `object "deal" holds 2 records, not 3: nothing was deleted; confirm with the number it holds`, engine.PublicMessage(err, "en"))
	_, err = eng.GetRecord(ctx, "deal", d1.ID)
	require.NoError(t, err, "a refused delete changed nothing")

	rep := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:rep", Role: "sales"})
	_, err = eng.DeleteObject(rep, "deal", 2, false)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	for _, name := range []string{"nothing", "crmAudit"} {
		_, err = eng.DeleteObject(ctx, name, 0, false)
		assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), name)
	}

	done, err := eng.DeleteObject(ctx, "deal", 2, false)
	require.NoError(t, err)
	assert.Equal(t, engine.ObjectDeletion{Name: "deal", Records: 2, Views: 2, Layout: true, Deleted: true}, done)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Nil(t, cat.Object("deal"))
	_, err = eng.GetRecord(ctx, "deal", d1.ID)
	assert.ErrorContains(t, err, `unknown object "deal"`)

	trail, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "deal", Action: engine.AuditMetadata, First: 1})
	require.NoError(t, err)
	require.Len(t, trail, 1)
	assert.Equal(t, engine.FieldChange{Old: 2.0, New: nil}, trail[0].Changes["records"], "the deletion is audited with what it removed")

	info, err := eng.SaveObject(ctx, []byte(deletedDeal), engine.SaveOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 3, info.Version, "the new object continues the deleted one's versions")
	again, err := eng.ListRecords(ctx, "deal", engine.ListQuery{})
	require.NoError(t, err)
	assert.Empty(t, again.Records, "the object saved again starts empty")
	views, err := eng.Views(li, "deal")
	require.NoError(t, err)
	assert.Empty(t, views, "shared and personal views went with it")
	layout, err := eng.Layout(ctx, "deal")
	require.NoError(t, err)
	assert.True(t, layout.Default, "the saved layout went with it")
	hist, err = eng.StageHistory(ctx, "deal", "stage", []string{d1.ID})
	require.NoError(t, err)
	assert.Empty(t, hist[d1.ID], "the stage history went with it")
}

const deletedAccount = `{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`

const deletedDeal = `{"$id": "deal", "type": "object", "properties": {
  "title":   {"type": "string", "x-crm-type": "text"},
  "amount":  {"type": "number", "x-crm-type": "currency"},
  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
  "stage":   {"type": "string", "enum": ["open", "won", "lost"], "default": "open", "x-crm-type": "picklist",
    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}, {"value": "lost", "category": "lost"}]}}}}`
