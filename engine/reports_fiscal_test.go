package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// TestReports_FiscalBuckets: a report by fiscal quarter and year follows
// the tenant's fiscalYearStart, names its columns and keys, gives each
// bucket's range, and a change of the start applies to the next run (the
// kept answer of the old start is not reused).
func TestReports_FiscalBuckets(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	reportDeals(t, eng, ctx) // closing 2026-01-10 … 2026-03-01
	_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "f", "stage": "won", "amount": 5.0, "probability": 100.0, "closeDate": "2026-04-01"})
	require.NoError(t, err)
	r := engine.Report{Name: "byFiscalQuarter", Object: "deal",
		GroupBy:  []store.GroupBy{{Field: "closeDate", Bucket: store.BucketFiscalYear}, {Field: "closeDate", Bucket: store.BucketFiscalQuarter}},
		Measures: []store.Measure{{Op: store.MeasureSum, Field: "amount"}},
		Chart:    engine.Chart{Type: engine.ChartBar}}
	_, err = eng.SaveReport(ctx, r, false)
	require.NoError(t, err, "fiscal buckets are saved in a report")

	type row struct {
		year, quarter, yearEn, quarterZh, from, to string
		sum                                        any
	}
	run := func() []row {
		t.Helper()
		res, err := eng.RunReport(ctx, "byFiscalQuarter", nil)
		require.NoError(t, err)
		require.Len(t, res.Columns, 3)
		assert.Equal(t, "closeDate:fiscalYear", res.Columns[0].Key)
		assert.Equal(t, schema.Label{Zh: "预计成交日期（财年）", En: "Close date (fiscal year)"}, res.Columns[0].Label)
		assert.Equal(t, schema.Label{Zh: "预计成交日期（财季）", En: "Close date (fiscal quarter)"}, res.Columns[1].Label)
		var out []row
		for _, g := range res.Rows {
			y, q := g.Keys[0], g.Keys[1]
			assert.Equal(t, store.BucketFiscalQuarter, q.Bucket)
			out = append(out, row{y.Value.(string), q.Value.(string), y.Label.En, q.Label.Zh, q.From, q.To, g.Values[0]})
		}
		return out
	}
	assert.Equal(t, []row{
		{"2026", "2026-Q1", "FY2026", "2026财年 Q1", "2026-01-01", "2026-04-01", 150.0},
		{"2026", "2026-Q2", "FY2026", "2026财年 Q2", "2026-04-01", "2026-07-01", 5.0},
	}, run(), "from January fiscal years are calendar years")

	start := 4
	_, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{FiscalYearStart: &start})
	require.NoError(t, err)
	assert.Equal(t, []row{
		{"2025", "2025-Q4", "FY2025", "2025财年 Q4", "2026-01-01", "2026-04-01", 150.0},
		{"2026", "2026-Q1", "FY2026", "2026财年 Q1", "2026-04-01", "2026-07-01", 5.0},
	}, run(), "from April, January to March closes fiscal 2025")

	bad := r
	bad.GroupBy = []store.GroupBy{{Field: "stage", Bucket: store.BucketFiscalYear}}
	_, err = eng.RunReport(ctx, "", &bad)
	assert.Error(t, err, "only dates are cut into fiscal buckets")
}
