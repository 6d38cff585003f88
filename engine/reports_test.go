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

// reportDeals writes five deals of the starter template.
func reportDeals(t *testing.T, eng *engine.Engine, ctx context.Context) {
	t.Helper()
	for _, d := range []struct {
		title, stage, close string
		amount, probability float64
	}{{"a", "new", "2026-01-10", 10, 10}, {"b", "qualified", "2026-01-20", 30, 40}, {"c", "won", "2026-02-03", 50, 100},
		{"d", "qualified", "2026-02-14", 20, 40}, {"e", "won", "2026-03-01", 40, 100}} {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": d.title, "stage": d.stage, "amount": d.amount,
			"probability": d.probability, "closeDate": d.close})
		require.NoError(t, err)
	}
}

func pipelineReport() engine.Report {
	return engine.Report{Name: "pipelineByStage", Label: schema.Label{Zh: "各阶段商机", En: "Pipeline by stage"}, Object: "deal",
		GroupBy:  []store.GroupBy{{Field: "stage"}},
		Measures: []store.Measure{{Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureCount}},
		Order:    []store.GroupOrder{{Measure: true, Index: 0, Desc: true}},
		Chart:    engine.Chart{Type: engine.ChartBar}}
}

func TestReports_SaveListRun(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	reportDeals(t, eng, ctx)

	saved, err := eng.SaveReport(ctx, pipelineReport(), false)
	require.NoError(t, err)
	assert.Empty(t, saved.Owner, "an administrator's report is shared")

	res, err := eng.RunReport(ctx, "pipelineByStage", nil)
	require.NoError(t, err)
	require.Len(t, res.Columns, 3)
	assert.Equal(t, engine.ReportColumn{Key: "stage", Label: schema.Label{Zh: "阶段", En: "Stage"}, Kind: engine.ColumnGroup, Field: "stage", Type: "picklist"}, res.Columns[0])
	assert.Equal(t, engine.ReportColumn{Key: "sum:amount", Label: schema.Label{Zh: "金额合计", En: "Sum of Amount"}, Kind: engine.ColumnMeasure, Field: "amount", Function: store.MeasureSum, Type: "currency"}, res.Columns[1])
	assert.Equal(t, schema.Label{Zh: "记录数", En: "Count"}, res.Columns[2].Label)
	var got []string
	for _, row := range res.Rows {
		got = append(got, row.Keys[0].Value.(string))
	}
	assert.Equal(t, []string{"won", "qualified", "new"}, got, "ordered by the sum, descending")
	assert.Equal(t, []any{90.0, int64(2)}, res.Rows[0].Values)
	assert.False(t, res.HasMore)

	// A date field by month; a KPI; a limit.
	monthly := engine.Report{Name: "wonByMonth", Object: "deal", Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "won"},
		GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketMonth}}, Measures: []store.Measure{{Op: store.MeasureSum, Field: "amount"}},
		Chart: engine.Chart{Type: engine.ChartLine}}
	res, err = eng.RunReport(ctx, "", &monthly)
	require.NoError(t, err, "an unsaved definition runs")
	assert.Equal(t, "closeDate:month", res.Columns[0].Key)
	assert.Equal(t, schema.Label{Zh: "预计成交日期（月）", En: "Close date (month)"}, res.Columns[0].Label)
	require.Len(t, res.Rows, 2)
	assert.Equal(t, "2026-02-01", res.Rows[0].Keys[0].Value)
	kpi := engine.Report{Name: "openTotal", Object: "deal", Measures: []store.Measure{{Op: store.MeasureAvg, Field: "amount"}}, Chart: engine.Chart{Type: engine.ChartKPI}}
	res, err = eng.RunReport(ctx, "", &kpi)
	require.NoError(t, err)
	require.Len(t, res.Rows, 1)
	assert.Equal(t, []any{30.0}, res.Rows[0].Values)
	limited := pipelineReport()
	limited.Limit = 2
	res, err = eng.RunReport(ctx, "", &limited)
	require.NoError(t, err)
	assert.Len(t, res.Rows, 2)
	assert.True(t, res.HasMore)

	list, err := eng.Reports(ctx, "deal")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "pipelineByStage", list[0].Name)
	all, err := eng.Reports(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 1)
	_, err = eng.Reports(ctx, "nothing")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.RunReport(ctx, "nope", nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}

func TestReports_PersonalAndRoles(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	reportDeals(t, eng, ctx)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Fields: map[string]string{"probability": engine.FieldHidden}}}}))
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "support", Objects: map[string]engine.ObjectAccess{"account": {Read: true}}}))
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	li := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	zhao := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:zhao", Role: "support"})

	_, err := eng.SaveReport(wang, pipelineReport(), false)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "only administrators save shared reports")
	mine := pipelineReport()
	mine.Filter = &store.Filter{Field: "amount", Op: store.OpGte, Value: 30.0}
	saved, err := eng.SaveReport(wang, mine, true)
	require.NoError(t, err)
	assert.Equal(t, "user:wang", saved.Owner)
	forSales := pipelineReport()
	forSales.Name, forSales.Roles = "salesOnly", []string{"sales"}
	_, err = eng.SaveReport(ctx, forSales, false)
	require.NoError(t, err)
	likely := pipelineReport()
	likely.Name, likely.Measures = "likely", []store.Measure{{Op: store.MeasureAvg, Field: "probability"}}
	_, err = eng.SaveReport(ctx, likely, false)
	require.NoError(t, err)
	_, err = eng.SaveReport(ctx, pipelineReport(), false)
	require.NoError(t, err)

	names := func(ctx context.Context) []string {
		list, err := eng.Reports(ctx, "")
		require.NoError(t, err)
		out := []string{}
		for _, r := range list {
			out = append(out, r.Name+"@"+r.Owner)
		}
		return out
	}
	assert.Equal(t, []string{"pipelineByStage@", "salesOnly@", "pipelineByStage@user:wang"}, names(wang),
		"shared first, then one's own; a report on a hidden field is left out")
	assert.Equal(t, []string{"pipelineByStage@", "salesOnly@"}, names(li), "another user's report is not listed")
	assert.Equal(t, []string{}, names(zhao), "reports over objects the role may not read and for other roles are left out")
	assert.Equal(t, []string{"likely@", "pipelineByStage@", "salesOnly@"}, names(ctx), "administrators get every shared report")

	res, err := eng.RunReport(wang, "pipelineByStage", nil)
	require.NoError(t, err)
	assert.Len(t, res.Rows, 2, "one's own report of a name comes first")
	res, err = eng.RunReport(li, "pipelineByStage", nil)
	require.NoError(t, err)
	assert.Len(t, res.Rows, 3)
	_, err = eng.RunReport(li, "likely", nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a report over a hidden field is not found for the role")
	_, err = eng.RunReport(li, "", &likely)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	assert.ErrorContains(t, err, "probability", "the field is named")
	_, err = eng.RunReport(zhao, "", &forSales)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "an object the role may not read")

	// Deleting.
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteReport(wang, "salesOnly", false)))
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteReport(li, "pipelineByStage", true)))
	require.NoError(t, eng.DeleteReport(wang, "pipelineByStage", true))
	require.NoError(t, eng.DeleteReport(ctx, "salesOnly", false))
	assert.Equal(t, []string{"pipelineByStage@"}, names(wang))
}

func TestReports_Refusals(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	with := func(change func(r *engine.Report)) engine.Report {
		r := pipelineReport()
		change(&r)
		return r
	}
	scenarios := []struct {
		name   string
		report engine.Report
		code   engine.Code
		says   string
	}{
		{"bad name", with(func(r *engine.Report) { r.Name = "Bad name" }), engine.CodeValidation, "/name"},
		{"unknown object", with(func(r *engine.Report) { r.Object = "nothing" }), engine.CodeValidation, "/object"},
		{"unknown group field", with(func(r *engine.Report) { r.GroupBy = []store.GroupBy{{Field: "nope"}} }), engine.CodeValidation, "/groupBy/0: nope"},
		{"number group field", with(func(r *engine.Report) { r.GroupBy = []store.GroupBy{{Field: "amount"}} }), engine.CodeValidation, "/groupBy/0: amount"},
		{"sum of text", with(func(r *engine.Report) { r.Measures = []store.Measure{{Op: store.MeasureSum, Field: "title"}} }), engine.CodeValidation, "/measures/0: title"},
		{"no measure", with(func(r *engine.Report) { r.Measures = nil }), engine.CodeValidation, "/measures"},
		{"unknown chart", with(func(r *engine.Report) { r.Chart.Type = "radar" }), engine.CodeValidation, "/chart/type"},
		{"kpi with groups", with(func(r *engine.Report) { r.Chart.Type = engine.ChartKPI }), engine.CodeValidation, "/groupBy"},
		{"pivot of one field", with(func(r *engine.Report) { r.Chart.Type = engine.ChartPivot }), engine.CodeValidation, "/groupBy"},
		{"pie of two fields", with(func(r *engine.Report) {
			r.Chart.Type = engine.ChartPie
			r.GroupBy = append(r.GroupBy, store.GroupBy{Field: "closeDate", Bucket: store.BucketMonth})
		}), engine.CodeValidation, "/groupBy"},
		{"limit too high", with(func(r *engine.Report) { r.Limit = 1001 }), engine.CodeValidation, "/limit"},
		{"unknown role", with(func(r *engine.Report) { r.Roles = []string{"ghost"} }), engine.CodeValidation, "/roles/0"},
		{"bad filter", with(func(r *engine.Report) { r.Filter = &store.Filter{Field: "amount", Op: store.OpGt, Value: "many"} }), engine.CodeValidation, "/filter"},
		{"order out of range", with(func(r *engine.Report) { r.Order = []store.GroupOrder{{Measure: true, Index: 5}} }), engine.CodeValidation, "measure 5"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := eng.SaveReport(ctx, s.report, false)
			assert.Equal(t, s.code, engine.CodeOf(err), "%v", err)
			assert.ErrorContains(t, err, s.says)
			_, err = eng.RunReport(ctx, "", &s.report)
			assert.Equal(t, s.code, engine.CodeOf(err), "a definition that cannot be saved does not run either")
		})
	}
	list, err := eng.Reports(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, list, "nothing was saved")
}

func TestDashboards(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Fields: map[string]string{"probability": engine.FieldHidden}}}}))
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	_, err := eng.SaveReport(ctx, pipelineReport(), false)
	require.NoError(t, err)
	likely := pipelineReport()
	likely.Name, likely.Measures = "likely", []store.Measure{{Op: store.MeasureAvg, Field: "probability"}}
	_, err = eng.SaveReport(ctx, likely, false)
	require.NoError(t, err)

	overview := engine.Dashboard{Name: "salesOverview", Label: schema.Label{Zh: "销售概览", En: "Sales overview"},
		Cards: []engine.DashboardCard{{Report: "pipelineByStage", Width: 16}, {Report: "likely", Width: 8}}}
	_, err = eng.SaveDashboard(wang, overview, false)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.SaveDashboard(ctx, overview, false)
	require.NoError(t, err)

	d, err := eng.Dashboard(ctx, "salesOverview")
	require.NoError(t, err)
	require.Len(t, d.Cards, 2)
	assert.Equal(t, "likely", d.Reports[1].Name)
	d, err = eng.Dashboard(wang, "salesOverview")
	require.NoError(t, err)
	assert.Equal(t, []engine.DashboardCard{{Report: "pipelineByStage", Width: 16}}, d.Cards, "the card of a report the role does not get is dropped")

	_, err = eng.SaveDashboard(wang, engine.Dashboard{Name: "mine", Cards: []engine.DashboardCard{{Report: "likely", Width: 24}}}, true)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "a personal dashboard names reports its owner gets")
	mine := engine.Dashboard{Name: "mine", Cards: []engine.DashboardCard{{Report: "pipelineByStage", Width: 24}}}
	_, err = eng.SaveDashboard(wang, mine, true)
	require.NoError(t, err)
	list, err := eng.Dashboards(wang)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "salesOverview", list[0].Name, "shared first")
	assert.Equal(t, "mine", list[1].Name)
	assert.Equal(t, schema.Label{Zh: "mine", En: "mine"}, list[1].Label, "a dashboard without a label is labelled with its name")
	list, err = eng.Dashboards(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1, "another user's dashboard is not listed")

	for name, d := range map[string]engine.Dashboard{
		"no cards":       {Name: "x"},
		"unknown report": {Name: "x", Cards: []engine.DashboardCard{{Report: "nope", Width: 8}}},
		"too wide":       {Name: "x", Cards: []engine.DashboardCard{{Report: "likely", Width: 25}}},
		"too narrow":     {Name: "x", Cards: []engine.DashboardCard{{Report: "likely", Width: 0}}},
		"too many cards": {Name: "x", Cards: make([]engine.DashboardCard, 25)},
		"bad name":       {Name: "X", Cards: []engine.DashboardCard{{Report: "likely", Width: 8}}},
	} {
		_, err := eng.SaveDashboard(ctx, d, false)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "%s: %v", name, err)
	}

	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteDashboard(wang, "salesOverview", false)))
	require.NoError(t, eng.DeleteDashboard(wang, "mine", true))
	require.NoError(t, eng.DeleteDashboard(ctx, "salesOverview", false))
	_, err = eng.Dashboard(ctx, "salesOverview")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}

func TestReports_GoWithTheirObject(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang"})
	contacts := engine.Report{Name: "contactsByOwner", Object: "contact", GroupBy: []store.GroupBy{{Field: "ownerId"}},
		Measures: []store.Measure{{Op: store.MeasureCount}}, Chart: engine.Chart{Type: engine.ChartTable}}
	_, err := eng.SaveReport(ctx, contacts, false)
	require.NoError(t, err)
	_, err = eng.SaveReport(wang, contacts, true)
	require.NoError(t, err)
	_, err = eng.SaveReport(ctx, pipelineReport(), false)
	require.NoError(t, err)

	// The starter's deals refer to contacts: drop the reference first.
	dry, err := eng.DeleteObject(ctx, "deal", 0, true)
	require.NoError(t, err)
	assert.Equal(t, 1, dry.Reports)
	_, err = eng.DeleteObject(ctx, "deal", 0, false)
	require.NoError(t, err)
	list, err := eng.Reports(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "contactsByOwner", list[0].Name, "the deal report went with its object")
}
