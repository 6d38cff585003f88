package install_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// forecasts are the pipelines of each template that the weighted
// forecast weighs, with the date field it cuts into months.
var forecasts = map[string][]string{
	"b2b-sales": {"opportunity.stage by closeDate"},
	"finance":   {"opportunity.stage by expectedCloseDate"},
	"chemical":  {"contract.status by expectedSigningDate"},
	"tourism":   {"booking.status by balanceDueDate"},
}

// Every pipeline of an industry template that weighs its stages by a
// probability and adds up an amount forecasts: over the template's sample
// data, the weighted forecast by close month has months, some of them
// still to come with open records in them.
func TestInstall_EveryPipelineForecasts(t *testing.T) {
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
			eng, ctx := newTenant(t, "t1")
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{
				Sample: install.Sample(m.Name, sample.Options{Records: 600, Seed: 7, Now: refDate})})
			require.NoError(t, err)
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			var forecast []string
			for _, obj := range cat.Objects {
				for _, f := range obj.Fields {
					if !forecastable(obj, f) {
						continue
					}
					fc, err := eng.Forecast(ctx, obj.Name, f.Name, engine.ForecastQuery{ByMonth: true})
					require.NoError(t, err, "forecast of %s.%s", obj.Name, f.Name)
					require.NotEmpty(t, fc.Rows, "%s.%s forecasts some months", obj.Name, f.Name)
					coming, weighted := 0, 0.0
					for _, r := range fc.Rows {
						require.NotNil(t, r.Month, "%s.%s: rows by month", obj.Name, f.Name)
						if v, ok := r.Month.Value.(string); ok && v >= refDate.Format(schema.DateLayout)[:8]+"01" && r.OpenCount > 0 {
							coming++
						}
						if r.Month.Value == nil {
							assert.Zero(t, r.OpenCount+r.WonCount, "%s.%s: every sample record has a close date", obj.Name, f.Name)
						}
					}
					weighted = fc.Total.Weighted
					assert.Positive(t, weighted, "%s.%s: the open records weigh something", obj.Name, f.Name)
					assert.Positive(t, coming, "%s.%s: open records close in the coming months", obj.Name, f.Name)
					t.Logf("%s.%s by %s: %d months, %d to come, weighted %.0f", obj.Name, f.Name, fc.CloseDateField, len(fc.Rows), coming, weighted)
					forecast = append(forecast, fmt.Sprintf("%s.%s by %s", obj.Name, f.Name, fc.CloseDateField))
				}
			}
			assert.ElementsMatch(t, forecasts[m.Name], forecast, "the pipelines forecast")
		})
	}
}

// forecastable reports whether f is a pipeline whose stages have
// probabilities, on an object with an amount: one the forecast weighs.
func forecastable(obj *schema.Object, f *schema.Field) bool {
	if f.Pipeline == nil {
		return false
	}
	weighed := false
	for _, st := range f.Pipeline.Stages {
		weighed = weighed || st.Probability != nil
	}
	if !weighed {
		return false
	}
	if f.Pipeline.Amount != "" {
		return true
	}
	for _, g := range obj.Fields {
		if g.Type == schema.TypeCurrency {
			return true
		}
	}
	return false
}
