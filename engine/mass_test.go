package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

func dealsBy(t *testing.T, eng *engine.Engine, ctx context.Context, f *store.Filter) map[string]store.Record {
	t.Helper()
	page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: f, First: 100})
	require.NoError(t, err)
	out := map[string]store.Record{}
	for _, r := range page.Records {
		out[r.ID] = r
	}
	return out
}

func TestEngine_MassChange(t *testing.T) {
	t.Parallel()
	eng, admin, as := aggregateTenant(t)
	open := &store.Filter{Field: "stage", Op: store.OpEq, Value: "open"}

	var progress [][2]int
	rep, err := eng.MassChange(admin, "deal", engine.MassSelection{View: "open"}, engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"qty": 7.0}},
		func(done, total int) { progress = append(progress, [2]int{done, total}) })
	require.NoError(t, err)
	assert.Equal(t, engine.MassReport{Selected: 3, Changed: 3}, *rep)
	assert.Equal(t, [][2]int{{3, 3}}, progress)
	for _, d := range dealsBy(t, eng, admin, open) {
		assert.Equal(t, 7.0, d.Data["qty"])
	}

	rep, err = eng.MassChange(as["rep1"], "deal", engine.MassSelection{All: true}, engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"qty": 1.0}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Selected, "rep1 chooses among what rep1 sees: the deals of its team")
	assert.Equal(t, 2, rep.Changed, "and changes its own")
	require.Len(t, rep.Failures, 1, "a teammate's deal is for reading, not changing")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(rep.Failures[0].Err), rep.Failures[0].Err.Error())
	all := dealsBy(t, eng, admin, nil)
	changed := 0
	for _, d := range all {
		if d.Data["qty"] == 1.0 {
			changed++
			assert.Equal(t, "rep1", d.Data["title"])
		}
	}
	assert.Equal(t, 2, changed)

	var west []string
	mine := ""
	for id, d := range all {
		switch d.Data["title"] {
		case "rep3":
			west = append(west, id)
		case "rep1":
			mine = id
		}
	}
	rep, err = eng.MassChange(as["rep1"], "deal", engine.MassSelection{IDs: append([]string{mine}, west...)}, engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"qty": 9.0}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Changed)
	assert.Equal(t, 2, rep.Failed, "rep3's deals are not rep1's to change")
	for _, f := range rep.Failures {
		assert.Contains(t, west, f.ID)
		assert.Equal(t, engine.CodeNotFound, engine.CodeOf(f.Err))
	}

	rep, err = eng.MassChange(admin, "deal", engine.MassSelection{Filter: open}, engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"stage": "lost"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Failed, "no such stage: every write refused by validation")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(rep.Failures[0].Err))

	rep, err = eng.MassChange(admin, "deal", engine.MassSelection{Filter: open}, engine.MassAction{Kind: engine.MassTransfer, Owner: "rep3"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Changed)
	for _, d := range dealsBy(t, eng, admin, open) {
		assert.Equal(t, "user:rep3", d.OwnerID)
	}

	rep, err = eng.MassChange(admin, "deal", engine.MassSelection{IDs: west}, engine.MassAction{Kind: engine.MassDelete}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Changed)
	assert.Len(t, dealsBy(t, eng, admin, nil), 3)

	scenarios := []struct {
		name string
		sel  engine.MassSelection
		act  engine.MassAction
		says string
	}{
		{"no selection", engine.MassSelection{}, engine.MassAction{Kind: engine.MassDelete}, "choose the records"},
		{"an unknown kind", engine.MassSelection{All: true}, engine.MassAction{Kind: "archive"}, `unknown mass action "archive"`},
		{"nothing to set", engine.MassSelection{All: true}, engine.MassAction{Kind: engine.MassUpdate}, "at least one field"},
		{"no owner", engine.MassSelection{All: true}, engine.MassAction{Kind: engine.MassTransfer}, "needs the new owner"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := eng.MassChange(admin, "deal", sc.sel, sc.act, nil)
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
			assert.ErrorContains(t, err, sc.says)
		})
	}
	assert.Len(t, dealsBy(t, eng, admin, nil), 3, "refusals changed nothing")
}
