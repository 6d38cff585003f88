package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

const forecastDef = `{
  "$id": "deal", "type": "object", "x-crm-sharing": "private",
  "properties": {
    "title":     {"type": "string", "x-crm-type": "text"},
    "amount":    {"type": "number", "x-crm-type": "currency"},
    "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
    "stage": {"type": "string", "enum": ["new", "proposal", "won", "lost"], "default": "new", "x-crm-type": "picklist",
      "x-crm-pipeline": {"stages": [
        {"value": "new", "category": "open", "probability": 10},
        {"value": "proposal", "category": "open", "probability": 70},
        {"value": "won", "category": "won", "probability": 100},
        {"value": "lost", "category": "lost", "probability": 0}]}}
  }
}`

// row is a forecast row in a comparable form.
type row struct {
	Month, Owner                       any
	Weighted, BestCase, Committed, Won float64
	OpenCount, WonCount                int64
}

func rowsOf(f *engine.Forecast) []row {
	out := make([]row, len(f.Rows))
	for i, r := range f.Rows {
		out[i] = row{Weighted: r.Weighted, BestCase: r.BestCase, Committed: r.Committed, Won: r.Won, OpenCount: r.OpenCount, WonCount: r.WonCount}
		if r.Month != nil {
			out[i].Month = r.Month.Value
		}
		if r.Owner != nil {
			out[i].Owner = r.Owner.Value
		}
	}
	return out
}

// TestEngine_Forecast: amounts weighed by their stage's probability, by
// close month and owner, over the records the caller sees.
func TestEngine_Forecast(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.AsActor("user:li"), testkit.WithObjects(forecastDef))
	eng, admin := tn.Engine, tn.Admin
	as := salesTeam(t, eng, admin)
	for _, d := range []struct {
		who  string
		data map[string]any
	}{
		{"rep1", map[string]any{"title": "d1", "stage": "new", "amount": 1000.0, "closeDate": "2026-03-15"}},
		{"rep1", map[string]any{"title": "d2", "stage": "proposal", "amount": 2000.0, "closeDate": "2026-03-31"}},
		{"rep1", map[string]any{"title": "d3", "stage": "won", "amount": 500.0, "closeDate": "2026-03-01"}},
		{"rep3", map[string]any{"title": "d4", "stage": "proposal", "amount": 4000.0, "closeDate": "2026-04-01"}},
		{"rep3", map[string]any{"title": "d5", "stage": "lost", "amount": 9999.0, "closeDate": "2026-03-02"}},
		{"rep3", map[string]any{"title": "d6", "stage": "new", "closeDate": "2026-04-30"}},
		{"", map[string]any{"title": "d7", "stage": "new", "amount": 300.0}},
	} {
		ctx := admin
		if d.who != "" {
			ctx = as[d.who]
		}
		_, err := eng.CreateRecord(ctx, "deal", d.data)
		require.NoError(t, err)
	}

	all, err := eng.Forecast(admin, "deal", "stage", engine.ForecastQuery{ByMonth: true, ByOwner: true})
	require.NoError(t, err)
	assert.Equal(t, [3]string{"stage", "amount", "closeDate"}, [3]string{all.Field, all.AmountField, all.CloseDateField})
	assert.Equal(t, []row{
		// d1: 1000 × 10 %, d2: 2000 × 70 % (committed); d3 won.
		{"2026-03-01", "user:rep1", 1500, 3000, 2000, 500, 2, 1},
		// d6 has no amount: counted, adds nothing.
		{"2026-04-01", "user:rep3", 2800, 4000, 4000, 0, 2, 0},
		{nil, "user:li", 30, 300, 0, 0, 1, 0},
	}, rowsOf(all), "lost deals are left out; no close date comes last")
	assert.Equal(t, engine.ForecastRow{Weighted: 4330, BestCase: 7300, Committed: 6000, Won: 500, OpenCount: 5, WonCount: 1}, all.Total)
	assert.Equal(t, "2026-03", all.Rows[0].Month.Label.En)
	assert.Equal(t, [2]string{"2026-03-01", "2026-04-01"}, [2]string{all.Rows[0].Month.From, all.Rows[0].Month.To})

	march, err := eng.Forecast(admin, "deal", "stage", engine.ForecastQuery{From: "2026-03-01", To: "2026-03-31", ByMonth: true})
	require.NoError(t, err)
	assert.Equal(t, []row{{"2026-03-01", nil, 1500, 3000, 2000, 500, 2, 1}}, rowsOf(march), "both ends of the period count")

	byOwner, err := eng.Forecast(admin, "deal", "stage", engine.ForecastQuery{ByOwner: true, From: "2026-04-01"})
	require.NoError(t, err)
	assert.Equal(t, []row{{nil, "user:rep3", 2800, 4000, 4000, 0, 2, 0}}, rowsOf(byOwner))

	whole, err := eng.Forecast(admin, "deal", "stage", engine.ForecastQuery{})
	require.NoError(t, err)
	require.Len(t, whole.Rows, 1)
	assert.Equal(t, all.Total, whole.Rows[0], "without groups: one row, the total")

	own, err := eng.Forecast(as["rep1"], "deal", "stage", engine.ForecastQuery{ByMonth: true, ByOwner: true})
	require.NoError(t, err)
	assert.Equal(t, []row{{"2026-03-01", "user:rep1", 1500, 3000, 2000, 500, 2, 1}}, rowsOf(own), "other people's private deals are not counted")

	scenarios := []struct {
		name   string
		hidden string
	}{
		{"amount hidden", "amount"},
		{"close date hidden", "closeDate"},
	}
	for _, s := range scenarios {
		require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
			"deal": {Read: true, Fields: map[string]string{s.hidden: engine.FieldHidden}}}}), s.name)
		_, err := eng.Forecast(as["rep1"], "deal", "stage", engine.ForecastQuery{})
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), s.name)
		assert.ErrorContains(t, err, "deal."+s.hidden, s.name)
	}
}

// TestEngine_ForecastNeedsItsFields: an object without an amount or close
// date has no forecast, and says what is missing.
func TestEngine_ForecastNeedsItsFields(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	_, err := eng.Forecast(ctx, "opportunity", "stage", engine.ForecastQuery{})
	require.NoError(t, err, "amount and closeDate")
	_, err = eng.Forecast(ctx, "opportunity", "name", engine.ForecastQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))

	tn := testkit.New(t, "acme", testkit.WithObjects(`{"$id": "ticket", "type": "object", "properties": {
	  "status": {"type": "string", "enum": ["open", "done"], "x-crm-type": "picklist",
	    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open", "probability": 50}, {"value": "done", "category": "closed"}]}}}}`))
	_, err = tn.Engine.Forecast(tn.Admin, "ticket", "status", engine.ForecastQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, "ticket has no amount to forecast")
}
