package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

const opportunityDef = `{
  "$id": "opportunity", "type": "object",
  "x-crm-label": {"zh": "商机", "en": "Opportunity"},
  "properties": {
    "name":      {"type": "string", "x-crm-type": "text"},
    "amount":    {"type": "number", "minimum": 0, "x-crm-type": "currency"},
    "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
    "lossReason": {"type": "string", "x-crm-type": "textarea"},
    "stage": {"type": "string", "enum": ["lead", "proposal", "won", "lost"], "default": "lead", "x-crm-type": "picklist",
      "x-crm-options": [{"value": "lead", "label": {"zh": "线索", "en": "Lead"}}, {"value": "proposal", "label": {"zh": "方案", "en": "Proposal"}},
                        {"value": "won", "label": {"zh": "赢单", "en": "Won"}}, {"value": "lost", "label": {"zh": "输单", "en": "Lost"}}],
      "x-crm-pipeline": {"stages": [
        {"value": "lead", "category": "open", "probability": 10, "next": ["proposal", "lost"]},
        {"value": "proposal", "category": "open", "probability": 50, "required": ["amount", "closeDate"]},
        {"value": "won", "category": "won", "probability": 100, "required": ["amount"], "next": []},
        {"value": "lost", "category": "lost", "probability": 0, "required": ["lossReason"], "next": ["lead"]}
      ]}}
  },
  "required": ["name"]
}`

func newPipelineEngine(t *testing.T) (*engine.Engine, context.Context, *testkit.Clock) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.AsActor("user:li"), testkit.WithClock(clk), testkit.WithObjects(opportunityDef))
	return tn.Engine, tn.Admin, clk
}

func TestPipeline_Transitions(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	rec, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "华南项目"})
	require.NoError(t, err)
	assert.Equal(t, "lead", rec.Data["stage"], "the default stage")

	scenarios := []struct {
		name     string
		patch    map[string]any
		expected map[string]string // field → code; nil: accepted
	}{
		{"skip a stage", map[string]any{"stage": "won", "amount": 10.0}, map[string]string{"stage": "transition"}},
		{"enter without the required fields", map[string]any{"stage": "proposal"}, map[string]string{"amount": "stageRequired", "closeDate": "stageRequired"}},
		{"required field given but invalid", map[string]any{"stage": "proposal", "amount": -1.0, "closeDate": "2026-04-01"}, map[string]string{"amount": "minimum"}},
		{"enter with the required fields", map[string]any{"stage": "proposal", "amount": 1000.0, "closeDate": "2026-04-01"}, nil},
		{"no next list: any stage", map[string]any{"stage": "won"}, nil},
		{"final stage", map[string]any{"stage": "lost", "lossReason": "预算取消"}, map[string]string{"stage": "transition"}},
		{"other fields change in a final stage", map[string]any{"name": "华南项目（一期）"}, nil},
	}
	for _, s := range scenarios {
		before, err := eng.GetRecord(ctx, "opportunity", rec.ID)
		require.NoError(t, err)
		_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, s.patch, nil)
		if s.expected == nil {
			require.NoError(t, err, s.name)
			continue
		}
		assert.Equal(t, s.expected, fieldErrors(t, err), s.name)
		after, err := eng.GetRecord(ctx, "opportunity", rec.ID)
		require.NoError(t, err)
		assert.Equal(t, before, after, "%s: a refused move changes nothing", s.name)
	}

	_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, map[string]any{"stage": "lost"}, nil)
	var ve interface{ Error() string }
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), `"won" is a final stage`)
}

func TestPipeline_CreateInAStage(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	_, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "x", "stage": "lost"})
	assert.Equal(t, map[string]string{"lossReason": "stageRequired"}, fieldErrors(t, err), "a new record may start in any stage, but not without its fields")
	_, err = eng.CreateRecord(ctx, "opportunity", map[string]any{"stage": "won"})
	assert.Equal(t, map[string]string{"name": "required", "amount": "stageRequired"}, fieldErrors(t, err), "one response names every problem")
	_, err = eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "x", "stage": "won", "amount": 5.0})
	require.NoError(t, err)
}

func TestPipeline_TransitionMessages(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	rec, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "x"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, map[string]any{"stage": "won", "amount": 1.0}, nil)
	var ve interface{ Error() string }
	require.ErrorAs(t, err, &ve)
	fe := fieldErrorList(t, err)
	require.Len(t, fe, 1)
	assert.Equal(t, `cannot move from "lead" to "won"; from "lead" a record may move to "proposal", "lost"`, fe[0].Message)
	assert.Equal(t, "不能从“线索”转到“赢单”；可转到的阶段：“方案”、“输单”", fe[0].MessageZh)
}

func TestPipeline_StageHistory(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := newPipelineEngine(t)
	rec, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "x"})
	require.NoError(t, err)
	other, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "y", "stage": "lost", "lossReason": "无预算"})
	require.NoError(t, err)
	clk.Advance(3 * time.Hour)
	_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, map[string]any{"stage": "proposal", "amount": 10.0, "closeDate": "2026-05-01"}, nil)
	require.NoError(t, err)
	clk.Advance(2 * 24 * time.Hour)
	_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, map[string]any{"amount": 20.0}, nil)
	require.NoError(t, err, "not a move")
	clk.Advance(time.Hour)
	_, err = eng.UpdateRecord(ctx, "opportunity", rec.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)

	hist, err := eng.StageHistory(ctx, "opportunity", "stage", []string{rec.ID, other.ID, "missing"})
	require.NoError(t, err)
	require.Len(t, hist[rec.ID], 3)
	first, second, third := hist[rec.ID][0], hist[rec.ID][1], hist[rec.ID][2]
	assert.Equal(t, [2]string{"", "lead"}, [2]string{first.From, first.To})
	assert.Zero(t, first.InPrevious)
	assert.Equal(t, "user:li", first.By)
	assert.Equal(t, [2]string{"lead", "proposal"}, [2]string{second.From, second.To})
	assert.Equal(t, 3*time.Hour, second.InPrevious)
	assert.Equal(t, [2]string{"proposal", "won"}, [2]string{third.From, third.To})
	assert.Equal(t, 49*time.Hour, third.InPrevious)
	assert.Equal(t, time.Date(2026, 3, 4, 13, 0, 0, 0, time.UTC), third.At)
	require.Len(t, hist[other.ID], 1)
	assert.Equal(t, "lost", hist[other.ID][0].To)
	assert.Empty(t, hist["missing"])

	_, err = eng.StageHistory(ctx, "opportunity", "name", []string{rec.ID})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))

	require.NoError(t, eng.DeleteRecord(ctx, "opportunity", rec.ID))
	hist, err = eng.StageHistory(ctx, "opportunity", "stage", []string{rec.ID, other.ID})
	require.NoError(t, err)
	assert.Empty(t, hist[rec.ID], "history goes with the record")
	assert.Len(t, hist[other.ID], 1)
}

func TestPipeline_Board(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	for i, stage := range []string{"lead", "lead", "proposal", "lost", "lead"} {
		data := map[string]any{"name": string(rune('a' + i)), "stage": stage, "amount": float64(i * 100), "closeDate": "2026-06-01", "lossReason": "-"}
		_, err := eng.CreateRecord(ctx, "opportunity", data)
		require.NoError(t, err)
	}
	cols, err := eng.Board(ctx, "opportunity", "stage", engine.ListQuery{First: 2, Sort: []store.Sort{{Field: "amount", Desc: true}}})
	require.NoError(t, err)
	require.Len(t, cols, 4)
	got := map[string][2]int64{}
	for _, c := range cols {
		got[c.Stage.Value] = [2]int64{c.Total, int64(len(c.Records))}
	}
	assert.Equal(t, map[string][2]int64{"lead": {3, 2}, "proposal": {1, 1}, "won": {0, 0}, "lost": {1, 1}}, got)
	assert.Equal(t, "lead", cols[0].Stage.Value, "pipeline order")
	assert.Equal(t, "线索", cols[0].Label.Zh)
	assert.True(t, cols[0].HasNextPage)
	assert.Equal(t, 400.0, cols[0].Records[0].Data["amount"])

	filtered, err := eng.Board(ctx, "opportunity", "stage", engine.ListQuery{Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 100.0}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, filtered[0].Total)
}

func TestPipeline_PlatformObjectsAreHidden(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	_, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"name": "x"})
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Name)
	}
	assert.Equal(t, []string{"opportunity"}, names)
	_, err = eng.ListRecords(ctx, "crmStageChange", engine.ListQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.ObjectHistory(ctx, "crmStageChange")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "crmStageChange", "type": "object", "properties": {"a": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.ErrorContains(t, err, "reserved")
}

func fieldErrorList(t testing.TB, err error) []schema.FieldError {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	return ve.Fields
}
