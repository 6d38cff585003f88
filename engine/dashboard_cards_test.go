package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// assertMissingCard checks a refusal of a dashboard whose card names a
// report that is not there: VALIDATION_FAILED, a problem at the card's
// path, and a message in both languages naming the dashboard, the card
// (from 1) and the report.
func assertMissingCard(t testing.TB, err error, path string, words ...string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "%v", err)
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	var paths []string
	for _, p := range de.Problems {
		paths = append(paths, p.Path)
	}
	assert.Contains(t, paths, path)
	for _, lang := range []string{"en", "zh"} {
		msg := engine.PublicMessage(err, lang)
		for _, w := range words {
			assert.Contains(t, msg, w, "%s message %q", lang, msg)
		}
	}
	assert.Contains(t, engine.PublicMessage(err, "zh"), "报表")
	assert.Contains(t, engine.PublicMessage(err, "en"), "report")
}

func TestDashboards_CardsNameReportsThatExist(t *testing.T) {
	t.Parallel()
	lost := `{"name": "helpdeskOverview", "cards": [{"report": "ticketsByStatus", "width": 12}, {"report": "ticketsByAgent", "width": 12}]}`
	scenarios := []struct {
		name string
		// before runs on the tenant before the template is installed.
		before func(t *testing.T, eng *engine.Engine, ctx context.Context)
		tpl    *template.Template
		// missing is "" when the install must succeed, else the report
		// the refusal must name (as the second card's).
		missing string
	}{
		{
			name:    "a card naming a report of the template installs",
			tpl:     withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, []string{helpdeskOverviewV1}),
			missing: "",
		},
		{
			name:    "a card naming a report neither in the template nor in the tenant is refused",
			tpl:     withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, []string{lost}),
			missing: "ticketsByAgent",
		},
		{
			name: "a card naming the tenant's own shared report installs",
			before: func(t *testing.T, eng *engine.Engine, ctx context.Context) {
				_, err := eng.SaveObject(ctx, []byte(ticketV1), engine.SaveOptions{})
				require.NoError(t, err)
				_, err = eng.SaveReport(ctx, engine.Report{Name: "ticketsByAgent", Object: "ticket",
					GroupBy:  ticketReport().GroupBy,
					Measures: ticketReport().Measures, Chart: engine.Chart{Type: engine.ChartBar}}, false)
				require.NoError(t, err)
			},
			tpl:     withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, []string{lost}),
			missing: "",
		},
		{
			name: "a card naming a personal report of the administrator is refused",
			before: func(t *testing.T, eng *engine.Engine, ctx context.Context) {
				_, err := eng.SaveObject(ctx, []byte(ticketV1), engine.SaveOptions{})
				require.NoError(t, err)
				_, err = eng.SaveReport(ctx, engine.Report{Name: "ticketsByAgent", Object: "ticket",
					GroupBy:  ticketReport().GroupBy,
					Measures: ticketReport().Measures, Chart: engine.Chart{Type: engine.ChartBar}}, true)
				require.NoError(t, err)
			},
			tpl:     withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, []string{lost}),
			missing: "ticketsByAgent",
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			if s.before != nil {
				s.before(t, eng, ctx)
			}
			for _, dry := range []bool{true, false} {
				_, err := eng.InstallTemplate(ctx, s.tpl, template.InstallOptions{DryRun: dry})
				if s.missing == "" {
					require.NoError(t, err, "dry run %v", dry)
					continue
				}
				assertMissingCard(t, err, "/cards/1/report", "helpdeskOverview", "2", s.missing)
				assert.Contains(t, engine.PublicMessage(err, "en"), "neither in the template nor in the tenant")
			}
			list, err := eng.Dashboards(ctx)
			require.NoError(t, err)
			if s.missing == "" {
				require.Len(t, list, 1)
				return
			}
			assert.Empty(t, list, "nothing installed")
			reports, err := eng.Reports(ctx, "")
			require.NoError(t, err)
			for _, r := range reports {
				assert.NotEqual(t, "ticketsByStatus", r.Name, "the template's reports are not installed either")
			}
			assert.Empty(t, installedVersion(t, eng, ctx, "helpdesk"))
		})
	}
}

// ticketReport is a report of the test template's tickets by status.
func ticketReport() engine.Report {
	return engine.Report{GroupBy: []store.GroupBy{{Field: "status"}}, Measures: []store.Measure{{Op: store.MeasureCount}}}
}

func TestDashboards_SaveRefusesCardsOfMissingReports(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.InstallTemplate(ctx, withReports(tpl("1.0.0", noteV1, ticketV1), []string{ticketsByStatusV1}, nil), template.InstallOptions{})
	require.NoError(t, err)
	li := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li", Role: "member"})
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "member", Objects: map[string]engine.ObjectAccess{"ticket": {Read: true}}}))
	mine := engine.Report{Name: "myTickets", Object: "ticket", GroupBy: ticketReport().GroupBy, Measures: ticketReport().Measures, Chart: engine.Chart{Type: engine.ChartPie}}
	_, err = eng.SaveReport(li, mine, true)
	require.NoError(t, err)

	scenarios := []struct {
		name     string
		ctx      context.Context
		personal bool
		cards    []string
		missing  string // "" when the save must succeed
		path     string
	}{
		{"shared, of shared reports", ctx, false, []string{"ticketsByStatus"}, "", ""},
		{"shared, of a report that does not exist", ctx, false, []string{"ticketsByStatus", "nope"}, "nope", "/cards/1/report"},
		{"shared, of another's personal report", ctx, false, []string{"myTickets"}, "myTickets", "/cards/0/report"},
		{"personal, of the owner's own report", li, true, []string{"myTickets", "ticketsByStatus"}, "", ""},
		{"personal, of a report that does not exist", li, true, []string{"gone"}, "gone", "/cards/0/report"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			d := engine.Dashboard{Name: "board"}
			for _, r := range s.cards {
				d.Cards = append(d.Cards, engine.DashboardCard{Report: r, Width: 12})
			}
			_, err := eng.SaveDashboard(s.ctx, d, s.personal)
			if s.missing == "" {
				require.NoError(t, err)
				require.NoError(t, eng.DeleteDashboard(s.ctx, "board", s.personal))
				return
			}
			card := "1"
			if s.path == "/cards/1/report" {
				card = "2"
			}
			assertMissingCard(t, err, s.path, "board", card, s.missing)
			_, err = eng.Dashboard(s.ctx, "board")
			assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "nothing saved")
		})
	}
}
