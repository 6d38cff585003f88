package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
)

const ticketsByStatusV1 = `{"name": "ticketsByStatus", "label": {"zh": "各状态工单", "en": "Tickets by status"}, "object": "ticket",
  "groupBy": [{"field": "status"}], "measures": [{"op": "count"}], "chart": {"type": "pie"}}`

const helpdeskOverviewV1 = `{"name": "helpdeskOverview", "label": {"zh": "客服概览", "en": "Helpdesk overview"},
  "cards": [{"report": "ticketsByStatus", "width": 12}]}`

func withReports(t *template.Template, reports, dashboards []string) *template.Template {
	for _, r := range reports {
		t.Reports = append(t.Reports, json.RawMessage(r))
	}
	for _, d := range dashboards {
		t.Dashboards = append(t.Dashboards, json.RawMessage(d))
	}
	return t
}

func TestTemplateDocs_ReportsAndDashboards(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	v1 := withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, []string{helpdeskOverviewV1})
	res, err := eng.InstallTemplate(ctx, v1, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "create", planOf(res, "report:ticketsByStatus"))
	assert.Equal(t, "create", planOf(res, "dashboard:helpdeskOverview"))
	for _, s := range []string{"open", "open", "doing"} {
		_, err := eng.CreateRecord(ctx, "ticket", map[string]any{"title": s, "status": s})
		require.NoError(t, err)
	}
	run, err := eng.RunReport(ctx, "ticketsByStatus", nil)
	require.NoError(t, err)
	require.Len(t, run.Rows, 2, "the template's report runs")
	d, err := eng.Dashboard(ctx, "helpdeskOverview")
	require.NoError(t, err)
	assert.Equal(t, "ticketsByStatus", d.Reports[0].Name)

	// The tenant limits the report; the new version draws it as a bar
	// chart and widens the card. Both survive.
	r, err := eng.Report(ctx, "ticketsByStatus")
	require.NoError(t, err)
	r.Limit = 10
	_, err = eng.SaveReport(ctx, r, false)
	require.NoError(t, err)
	reportV2 := edit(t, ticketsByStatusV1, func(d map[string]any) { d["chart"] = map[string]any{"type": "bar"} })
	dashV2 := edit(t, helpdeskOverviewV1, func(d map[string]any) {
		d["cards"] = []any{map[string]any{"report": "ticketsByStatus", "width": 24}}
	})
	v2 := withReports(tpl("1.1.0", noteV1, ticketV1), []string{reportV2}, []string{dashV2})
	res, err = eng.InstallTemplate(ctx, v2, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "update", planOf(res, "report:ticketsByStatus"))
	assert.Equal(t, "update", planOf(res, "dashboard:helpdeskOverview"))
	r, err = eng.Report(ctx, "ticketsByStatus")
	require.NoError(t, err)
	assert.Equal(t, 10, r.Limit, "the tenant's change is kept")
	assert.Equal(t, engine.ChartBar, r.Chart.Type, "the new version's change is made")
	d, err = eng.Dashboard(ctx, "helpdeskOverview")
	require.NoError(t, err)
	assert.Equal(t, 24, d.Cards[0].Width)

	// Export carries them; the copy installs into another tenant.
	out, err := eng.ExportTemplate(ctx, "my-helpdesk", "0.1.0")
	require.NoError(t, err)
	require.Len(t, out.Reports, 1)
	require.Len(t, out.Dashboards, 1)
	other, octx, _ := newEngine(t)
	_, err = other.InstallTemplate(octx, out, template.InstallOptions{})
	require.NoError(t, err)
	or, err := other.Report(octx, "ticketsByStatus")
	require.NoError(t, err)
	assert.Equal(t, r, or)

	// Rollback of 1.1.0 restores the pie chart.
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
	require.NoError(t, err)
	r, err = eng.Report(ctx, "ticketsByStatus")
	require.NoError(t, err)
	assert.Equal(t, engine.ChartPie, r.Chart.Type)

	for name, s := range map[string]struct {
		reports, dashboards []string
		says                string
	}{
		"unknown group field": {[]string{`{"name": "x", "object": "ticket", "groupBy": [{"field": "nope"}], "measures": [{"op": "count"}], "chart": {"type": "bar"}}`}, nil, "/groupBy/0"},
		"unknown object":      {[]string{`{"name": "x", "object": "nope", "measures": [{"op": "count"}], "chart": {"type": "kpi"}}`}, nil, "/object"},
		"personal":            {[]string{`{"name": "x", "object": "ticket", "measures": [{"op": "count"}], "chart": {"type": "kpi"}, "owner": "user:li"}`}, nil, "a template's reports are shared"},
		"unknown member":      {[]string{`{"name": "x", "object": "ticket", "measures": [{"op": "count"}], "chart": {"type": "kpi"}, "colour": "red"}`}, nil, "colour"},
		"card too wide":       {nil, []string{`{"name": "x", "cards": [{"report": "y", "width": 30}]}`}, "/cards/0/width"},
	} {
		bad := withReports(tpl("2.0.0", noteV1, ticketV1), s.reports, s.dashboards)
		_, err := eng.InstallTemplate(ctx, bad, template.InstallOptions{})
		assert.ErrorContains(t, err, s.says, name)
	}
}
