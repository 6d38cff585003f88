package install_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// Every industry template ships reports and a dashboard of them; each
// report runs over the template's sample data with a non-empty answer,
// for the administrator and for every role that gets it.
func TestInstall_EveryTemplateReportRuns(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	for _, m := range ms {
		if m.Name == "starter" {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			tpl, err := install.Template(m.Name)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(tpl.Reports), 3, "3 to 8 reports")
			require.LessOrEqual(t, len(tpl.Reports), 8, "3 to 8 reports")
			require.Len(t, tpl.Dashboards, 1, "one dashboard")
			eng, ctx := newTenant(t, "t1")
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{
				Sample: install.Sample(m.Name, sample.Options{Records: 600, Seed: 7, Now: refDate})})
			require.NoError(t, err)

			reports, err := eng.Reports(ctx, "")
			require.NoError(t, err)
			require.Len(t, reports, len(tpl.Reports), "every report installed")
			for _, r := range reports {
				res, err := eng.RunReport(ctx, r.Name, nil)
				require.NoError(t, err, "report %s", r.Name)
				require.NotEmpty(t, res.Rows, "report %s answers", r.Name)
				assert.Len(t, res.Columns, len(r.GroupBy)+len(r.Measures))
				found := false
				for _, row := range res.Rows {
					if v := row.Values[0]; v != nil && v != int64(0) && v != 0.0 {
						found = true
					}
				}
				assert.True(t, found, "report %s measures something in the sample data", r.Name)
				t.Logf("report %s: %d groups", r.Name, len(res.Rows))
			}

			var head struct{ Name string }
			require.NoError(t, json.Unmarshal(tpl.Dashboards[0], &head))
			d, err := eng.Dashboard(ctx, head.Name)
			require.NoError(t, err)
			var shipped engine.Dashboard
			require.NoError(t, json.Unmarshal(tpl.Dashboards[0], &shipped))
			assert.Equal(t, shipped.Cards, d.Cards, "every card names a report of the template")
			width := 0
			for _, c := range d.Cards {
				width += c.Width
			}
			assert.Zero(t, width%24, "the cards fill whole rows")

			roles, err := eng.Roles(ctx)
			require.NoError(t, err)
			for _, role := range roles {
				rctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + role.Name, Role: role.Name})
				got, err := eng.Reports(rctx, "")
				require.NoError(t, err)
				for _, r := range got {
					_, err := eng.RunReport(rctx, r.Name, nil)
					assert.NoError(t, err, "role %s, report %s", role.Name, r.Name)
				}
				_, err = eng.Dashboards(rctx)
				require.NoError(t, err)
			}
		})
	}
}
