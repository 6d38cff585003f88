package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func schemaLabel(zh, en string) schema.Label { return schema.Label{Zh: zh, En: en} }

func titles(t *testing.T, recs []store.Record) []string {
	t.Helper()
	out := []string{}
	for _, r := range recs {
		out = append(out, r.Data["title"].(string))
	}
	return out
}

func TestViews(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	for i, d := range []struct {
		title, stage string
		amount       float64
	}{{"a", "new", 10}, {"b", "qualified", 30}, {"c", "won", 50}, {"d", "qualified", 20}, {"e", "lost", 40}} {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": d.title, "stage": d.stage, "amount": d.amount, "probability": float64(i)})
		require.NoError(t, err)
	}
	open := engine.View{Object: "deal", Name: "open",
		Filter:  &store.Filter{Field: "stage", Op: store.OpIn, Value: []any{"new", "qualified"}},
		Sort:    []store.Sort{{Field: "amount", Desc: true}},
		Columns: []string{"title", "amount", "stage", "probability"}}
	saved, err := eng.SaveView(ctx, open, true)
	require.NoError(t, err)
	assert.Equal(t, "open", saved.Label.En, "a view without a label is labelled with its name")

	page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "d", "a"}, titles(t, page.Records), "the view's filter and order")
	page, err = eng.ListRecords(ctx, "deal", engine.ListQuery{View: "open", Filter: &store.Filter{Field: "amount", Op: store.OpGt, Value: 15.0}, Sort: []store.Sort{{Field: "title"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "d"}, titles(t, page.Records), "the query's filter is and-ed, its order wins")
	page, err = eng.ListRecords(ctx, "deal", engine.ListQuery{View: "open", First: 2})
	require.NoError(t, err)
	next, err := eng.ListRecords(ctx, "deal", engine.ListQuery{View: "open", First: 2, After: page.EndCursor})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, titles(t, next.Records), "pages continue in the view's order")
	_, err = eng.ListRecords(ctx, "deal", engine.ListQuery{View: "nope"})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	// Users: personal views; shared ones only from administrators.
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Fields: map[string]string{"probability": engine.FieldHidden}}}}))
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	li := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	_, err = eng.SaveView(wang, engine.View{Object: "deal", Name: "big", Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 40.0}}, true)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.SaveView(wang, engine.View{Object: "deal", Name: "big", Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 40.0}}, false)
	require.NoError(t, err)
	_, err = eng.SaveView(wang, engine.View{Object: "deal", Name: "open", Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "won"}}, false)
	require.NoError(t, err)
	page, err = eng.ListRecords(wang, "deal", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Equal(t, []string{"c"}, titles(t, page.Records), "one's own view of a name comes before the shared one")
	page, err = eng.ListRecords(li, "deal", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "d", "a"}, titles(t, page.Records))
	_, err = eng.ListRecords(li, "deal", engine.ListQuery{View: "big"})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another user's personal view")

	list, err := eng.Views(wang, "deal")
	require.NoError(t, err)
	var names []string
	for _, v := range list {
		names = append(names, v.Name+"@"+v.Owner)
	}
	assert.Equal(t, []string{"open@", "big@user:wang", "open@user:wang"}, names, "shared first, then one's own")
	assert.Equal(t, []string{"title", "amount", "stage"}, list[0].Columns, "hidden columns are dropped")

	// A view on a field the role may not see is neither saved nor offered.
	_, err = eng.SaveView(wang, engine.View{Object: "deal", Name: "sneaky", Sort: []store.Sort{{Field: "probability"}}}, false)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.SaveView(wang, engine.View{Object: "deal", Name: "sneaky", Columns: []string{"probability"}}, false)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.SaveView(ctx, engine.View{Object: "deal", Name: "likely", Sort: []store.Sort{{Field: "probability", Desc: true}}}, true)
	require.NoError(t, err)
	list, err = eng.Views(li, "deal")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "open", list[0].Name)
	_, err = eng.ListRecords(li, "deal", engine.ListQuery{View: "likely"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "nor applied")

	// Bad views say what is wrong and change nothing.
	for name, v := range map[string]engine.View{
		"unknown column":    {Object: "deal", Name: "x", Columns: []string{"nope"}},
		"repeated column":   {Object: "deal", Name: "x", Columns: []string{"title", "title"}},
		"bad name":          {Object: "deal", Name: "X y"},
		"unknown field":     {Object: "deal", Name: "x", Filter: &store.Filter{Field: "nope", Op: store.OpEq, Value: 1.0}},
		"wrong value type":  {Object: "deal", Name: "x", Filter: &store.Filter{Field: "amount", Op: store.OpGt, Value: "many"}},
		"unsortable column": {Object: "deal", Name: "x", Sort: []store.Sort{{Field: "contacts"}}},
	} {
		_, err := eng.SaveView(ctx, v, true)
		require.Error(t, err, name)
		assert.Contains(t, []engine.Code{engine.CodeValidation, engine.CodeBadRequest}, engine.CodeOf(err), "%s: %v", name, err)
	}
	_, err = eng.SaveView(ctx, engine.View{Object: "nothing", Name: "x"}, true)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, "nothing")

	// Deleting.
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteView(wang, "deal", "open", true)))
	require.NoError(t, eng.DeleteView(wang, "deal", "open", false))
	page, err = eng.ListRecords(wang, "deal", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "d", "a"}, titles(t, page.Records), "the shared view is back in front")
	require.NoError(t, eng.DeleteView(ctx, "deal", "open", true))
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteView(ctx, "deal", "open", true)))
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Action: engine.AuditMetadata, Object: "crmView"})
	require.NoError(t, err)
	assert.Len(t, entries, 6, "view changes are audited")
}

func TestLayouts(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)

	def, err := eng.Layout(ctx, "deal")
	require.NoError(t, err)
	assert.True(t, def.Default)
	require.Len(t, def.Sections, 1)
	assert.Equal(t, []string{"number", "title", "amount", "probability", "stage", "closeDate", "account", "contacts", "email", "notes"}, def.Sections[0].Fields)
	assert.Equal(t, []string{"number"}, def.ReadOnly, "the server fills autonumbers")
	acct, err := eng.Layout(ctx, "account")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"contact.account", "deal.account"}, acct.Related)

	layout := engine.Layout{Object: "deal", Sections: []engine.LayoutSection{
		{Label: schemaLabel("基本信息", "Basics"), Fields: []string{"number", "title", "account", "stage"}},
		{Label: schemaLabel("金额", "Money"), Columns: 1, Fields: []string{"amount", "probability", "closeDate"}},
	}, Related: []string{}}
	saved, err := eng.SaveLayout(ctx, layout)
	require.NoError(t, err)
	assert.Equal(t, 2, saved.Sections[0].Columns, "two columns unless said")

	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Update: true, Fields: map[string]string{"probability": engine.FieldHidden, "amount": engine.FieldReadOnly}}}}))
	sales := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	got, err := eng.Layout(sales, "deal")
	require.NoError(t, err)
	assert.False(t, got.Default)
	assert.Equal(t, []string{"amount", "closeDate"}, got.Sections[1].Fields, "a hidden field is not on the role's page")
	assert.Equal(t, []string{"number", "amount"}, got.ReadOnly)
	_, err = eng.SaveLayout(sales, layout)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.Layout(sales, "contact")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "no page of an object the role may not read")

	for name, l := range map[string]engine.Layout{
		"no sections":    {Object: "deal"},
		"unknown field":  {Object: "deal", Sections: []engine.LayoutSection{{Label: schemaLabel("a", "a"), Fields: []string{"nope"}}}},
		"placed twice":   {Object: "deal", Sections: []engine.LayoutSection{{Label: schemaLabel("a", "a"), Fields: []string{"title"}}, {Label: schemaLabel("b", "b"), Fields: []string{"title"}}}},
		"no label":       {Object: "deal", Sections: []engine.LayoutSection{{Fields: []string{"title"}}}},
		"five columns":   {Object: "deal", Sections: []engine.LayoutSection{{Label: schemaLabel("a", "a"), Columns: 5, Fields: []string{"title"}}}},
		"not a relation": {Object: "deal", Sections: []engine.LayoutSection{{Label: schemaLabel("a", "a"), Fields: []string{"title"}}}, Related: []string{"contact.name"}},
	} {
		_, err := eng.SaveLayout(ctx, l)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "%s: %v", name, err)
	}
	again, err := eng.Layout(ctx, "deal")
	require.NoError(t, err)
	assert.Len(t, again.Sections, 2, "refused layouts change nothing")

	require.NoError(t, eng.DeleteLayout(ctx, "deal"))
	back, err := eng.Layout(ctx, "deal")
	require.NoError(t, err)
	assert.True(t, back.Default)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteLayout(ctx, "deal")))
}

func TestViews_Board(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	for _, n := range []string{"华东大单", "华南小单", "华东小单"} {
		_, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": n})
		require.NoError(t, err)
	}
	_, err := eng.SaveView(ctx, engine.View{Object: "opportunity", Name: "east", Filter: &store.Filter{Field: "name", Op: store.OpStartsWith, Value: "华东"}}, true)
	require.NoError(t, err)
	cols, err := eng.Board(ctx, "opportunity", "stage", engine.ListQuery{View: "east"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, cols[0].Total, "the board takes the view's filter")
}
