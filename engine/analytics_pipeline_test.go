package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// funnelTenant is a tenant whose opportunities moved along their pipeline
// under a fake clock (UTC; the tenant's days are Shanghai's, 8 hours
// ahead):
//
//	02-20 09:00  E created in lead (amount 300)
//	03-02 09:00  A, B, C created in lead; E → proposal
//	03-02 12:00  A → proposal (amount 1000)
//	03-02 14:00  B → lost
//	03-02 17:00  F created in lead (03-03 01:00 in Shanghai)
//	03-02 18:00  C → proposal (amount 500)
//	03-03 12:00  A → won; E → won
//	03-04 12:00  D created in proposal (amount 2000)
//	03-05 12:00  now
func funnelTenant(t *testing.T) (*engine.Engine, context.Context) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.AsActor("user:li"), testkit.WithClock(clk), testkit.WithObjects(opportunityDef))
	eng, ctx := tn.Engine, tn.Admin
	create := func(data map[string]any) string {
		rec, err := eng.CreateRecord(ctx, "opportunity", data)
		require.NoError(t, err)
		return rec.ID
	}
	move := func(id string, patch map[string]any) {
		_, err := eng.UpdateRecord(ctx, "opportunity", id, patch, nil)
		require.NoError(t, err)
	}
	e := create(map[string]any{"name": "E", "amount": 300.0})
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	a := create(map[string]any{"name": "A"})
	b := create(map[string]any{"name": "B"})
	c := create(map[string]any{"name": "C"})
	move(e, map[string]any{"stage": "proposal", "closeDate": "2026-03-10"})
	clk.Advance(3 * time.Hour)
	move(a, map[string]any{"stage": "proposal", "amount": 1000.0, "closeDate": "2026-04-10"})
	clk.Advance(2 * time.Hour)
	move(b, map[string]any{"stage": "lost", "lossReason": "预算取消"})
	clk.Advance(3 * time.Hour)
	create(map[string]any{"name": "F"})
	clk.Advance(time.Hour)
	move(c, map[string]any{"stage": "proposal", "amount": 500.0, "closeDate": "2026-03-20"})
	clk.Advance(18 * time.Hour)
	move(a, map[string]any{"stage": "won"})
	move(e, map[string]any{"stage": "won"})
	clk.Advance(24 * time.Hour)
	create(map[string]any{"name": "D", "stage": "proposal", "amount": 2000.0, "closeDate": "2026-04-15"})
	clk.Advance(24 * time.Hour)
	return eng, ctx
}

func f64(v float64) *float64 { return &v }

// stageFigures is one stage of a funnel in a comparable form.
type stageFigures struct {
	Stage                   string
	Step                    bool
	Reached, Current        int64
	FromPrevious, FromFirst *float64
	AverageHours            *float64
}

func figuresOf(f *engine.Funnel) []stageFigures {
	out := make([]stageFigures, len(f.Stages))
	for i, s := range f.Stages {
		out[i] = stageFigures{s.Stage.Value, s.Step, s.Reached, s.Current, s.FromPrevious, s.FromFirst, s.AverageHours}
	}
	return out
}

// TestEngine_Funnel: the figures of a period follow from the stage
// history, with the period's days in the tenant's zone.
func TestEngine_Funnel(t *testing.T) {
	t.Parallel()
	eng, ctx := funnelTenant(t)

	march, err := eng.Funnel(ctx, "opportunity", "stage", engine.FunnelQuery{From: "2026-03-01", To: "2026-03-31"})
	require.NoError(t, err)
	assert.Equal(t, "amount", march.AmountField, "the object's first currency field")
	assert.EqualValues(t, 5, march.Records, "A B C D F were created in March; E in February")
	assert.Equal(t, []stageFigures{
		// D entered proposal directly: it reached lead through a later step.
		// Time in lead: A 3h, B 5h, C 9h, F 67h so far.
		{"lead", true, 5, 1, nil, f64(1), f64(21)},
		// A 24h, C 66h so far, D 24h so far.
		{"proposal", true, 3, 2, f64(0.6), f64(0.6), f64(38)},
		{"won", true, 1, 1, f64(0.3333), f64(0.2), nil},
		// An exit: B left the funnel here; it says nothing of the stages before.
		{"lost", false, 1, 1, nil, f64(0.2), nil},
	}, figuresOf(march))
	assert.Equal(t, "线索", march.Stages[0].Label.Zh)
	assert.EqualValues(t, 2, march.Won, "A and E (created in February) closed won in March")
	assert.EqualValues(t, 1, march.Lost)
	assert.Equal(t, f64(0.6667), march.WinRate)
	assert.EqualValues(t, 3, march.OpenCount, "C, D and F are open now")
	assert.Equal(t, f64(650), march.AverageWonAmount, "(1000 + 300) / 2")
	assert.Equal(t, f64(6.125), march.AverageDaysToClose, "A 27h, E 11 days 3h")
	assert.Equal(t, f64(212.24), march.Velocity, "3 × 650 × 2/3 / 6.125")

	// 03-03 begins at 03-02 16:00 UTC: F (created 03-02 17:00 UTC) is in,
	// B's loss (03-02 14:00 UTC) is not.
	later, err := eng.Funnel(ctx, "opportunity", "stage", engine.FunnelQuery{From: "2026-03-03"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, later.Records, "D and F")
	assert.Equal(t, []int64{2, 1, 0, 0}, []int64{later.Stages[0].Reached, later.Stages[1].Reached, later.Stages[2].Reached, later.Stages[3].Reached})
	assert.EqualValues(t, [2]int64{2, 0}, [2]int64{later.Won, later.Lost})
	assert.Equal(t, f64(1), later.WinRate)

	filtered, err := eng.Funnel(ctx, "opportunity", "stage", engine.FunnelQuery{
		From: "2026-03-01", To: "2026-03-31", Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 1000.0}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, filtered.Records, "A and D")
	assert.EqualValues(t, [2]int64{1, 0}, [2]int64{filtered.Won, filtered.Lost}, "E's amount is below the filter")
	assert.EqualValues(t, 1, filtered.OpenCount)

	february, err := eng.Funnel(ctx, "opportunity", "stage", engine.FunnelQuery{To: "2026-02-28"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, february.Records)
	assert.Nil(t, february.WinRate, "nothing closed")
	assert.Nil(t, february.Velocity)
	assert.Equal(t, f64(240), february.Stages[0].AverageHours, "E's visit to lead, which lasted into March")
}

// TestEngine_FunnelErrors: bad arguments are refused with what is wrong.
func TestEngine_FunnelErrors(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newPipelineEngine(t)
	scenarios := []struct {
		name  string
		field string
		q     engine.FunnelQuery
		code  engine.Code
		words string
	}{
		{"not a pipeline field", "name", engine.FunnelQuery{}, engine.CodeBadRequest, "opportunity.name is not a pipeline field"},
		{"malformed day", "stage", engine.FunnelQuery{From: "2026-3-1"}, engine.CodeBadRequest, `from must be a day written YYYY-MM-DD, not "2026-3-1"`},
		{"period ends before it begins", "stage", engine.FunnelQuery{From: "2026-03-02", To: "2026-03-01"}, engine.CodeBadRequest, "ends before it begins"},
		{"unknown view", "stage", engine.FunnelQuery{View: "nope"}, engine.CodeNotFound, `no view "nope"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := eng.Funnel(ctx, "opportunity", s.field, s.q)
			assert.Equal(t, s.code, engine.CodeOf(err), "%v", err)
			assert.ErrorContains(t, err, s.words)
		})
	}
}

// TestEngine_FunnelSharing: records the caller may not see are not
// counted, and an amount field its role may not read is refused by name.
func TestEngine_FunnelSharing(t *testing.T) {
	t.Parallel()
	private := strings.Replace(opportunityDef, `"type": "object",`, `"type": "object", "x-crm-sharing": "private",`, 1)
	tn := testkit.New(t, "acme", testkit.WithObjects(private))
	eng, admin := tn.Engine, tn.Admin
	as := salesTeam(t, eng, admin)
	mine, err := eng.CreateRecord(as["rep1"], "opportunity", map[string]any{"name": "mine", "amount": 100.0})
	require.NoError(t, err)
	theirs, err := eng.CreateRecord(as["rep3"], "opportunity", map[string]any{"name": "theirs", "amount": 900.0})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(as["rep3"], "opportunity", theirs.ID, map[string]any{"stage": "lost", "lossReason": "价格"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(as["rep1"], "opportunity", mine.ID, map[string]any{"stage": "proposal", "closeDate": "2026-06-01"}, nil)
	require.NoError(t, err)

	all, err := eng.Funnel(admin, "opportunity", "stage", engine.FunnelQuery{})
	require.NoError(t, err)
	assert.EqualValues(t, [3]int64{2, 0, 1}, [3]int64{all.Records, all.Won, all.Lost})

	own, err := eng.Funnel(as["rep1"], "opportunity", "stage", engine.FunnelQuery{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, own.Records, "rep3's private record is not counted")
	assert.EqualValues(t, []int64{1, 1, 0, 0}, []int64{own.Stages[0].Reached, own.Stages[1].Reached, own.Stages[2].Reached, own.Stages[3].Reached})
	assert.EqualValues(t, [2]int64{0, 0}, [2]int64{own.Won, own.Lost}, "nor is its loss")
	assert.EqualValues(t, 1, own.OpenCount)

	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"opportunity": {Read: true, Create: true, Update: true, Fields: map[string]string{"amount": engine.FieldHidden}}}}))
	_, err = eng.Funnel(as["rep1"], "opportunity", "stage", engine.FunnelQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, "opportunity.amount")
}

// TestEngine_FunnelIsBudgeted: the records a funnel reads are charged to
// the tenant's aggregation budget, and refused when it is spent.
func TestEngine_FunnelIsBudgeted(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithObjects(opportunityDef),
		testkit.WithConfig(func(c *engine.Config) { c.AggregateRowsPerMinute = 5 }))
	for _, name := range []string{"a", "b", "c"} {
		_, err := tn.Engine.CreateRecord(tn.Admin, "opportunity", map[string]any{"name": name})
		require.NoError(t, err)
	}
	_, err := tn.Engine.Funnel(tn.Admin, "opportunity", "stage", engine.FunnelQuery{})
	require.NoError(t, err, "3 records read of 5")
	_, err = tn.Engine.Funnel(tn.Admin, "opportunity", "stage", engine.FunnelQuery{})
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "3 more would pass the budget")
}
