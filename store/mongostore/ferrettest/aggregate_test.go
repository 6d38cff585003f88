package ferrettest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestAggregate_SameOnSQLiteAndMongo runs the engine's aggregations, with
// its roles, sharing, labels, buckets in the tenant's zone and cost, over
// one tenant on the embedded store and, moved there by export and import,
// on MongoDB (FerretDB): every answer must be the same.
func TestAggregate_SameOnSQLiteAndMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	src, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: log})
	require.NoError(t, err)
	_, err = src.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	for _, def := range []string{
		`{"$id": "account", "type": "object", "properties": {
		  "name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "deal", "type": "object", "properties": {
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "qty": {"type": "integer", "x-crm-type": "integer"},
		  "won": {"type": "boolean", "x-crm-type": "boolean"},
		  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
		  "closedAt": {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		  "stage": {"type": "string", "enum": ["open", "won", "lost"], "x-crm-type": "picklist"}}}`,
	} {
		_, err := src.SaveObject(actx, json.RawMessage(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	var accounts []string
	for i := range 3 {
		acc, err := src.CreateRecord(actx, "account", map[string]any{"name": fmt.Sprintf("客户 %d", i)})
		require.NoError(t, err)
		accounts = append(accounts, acc.ID)
	}
	stages := []any{"open", "won", "lost", nil}
	// Both sides of midnight in Asia/Shanghai (16:00 UTC), a week across
	// a year, and records without values.
	instants := []any{"2026-03-31T15:59:59.999999Z", "2026-03-31T16:00:00Z", "2026-12-31T17:00:00+01:00", nil}
	dates := []any{"2026-12-28", "2027-01-03", "2026-03-31", nil}
	for i := range 40 {
		data := map[string]any{}
		put := func(field string, v any) {
			if v != nil {
				data[field] = v
			}
		}
		put("stage", stages[i%4])
		put("closedAt", instants[i%4])
		put("closeDate", dates[i/4%4])
		put("won", []any{true, false, nil}[i%3])
		put("account", []any{accounts[0], accounts[1], accounts[2], nil}[i/3%4])
		if i%5 != 0 {
			data["amount"] = float64(i)*12.5 - 100
		}
		if i%7 != 0 {
			data["qty"] = float64(i % 4)
		}
		_, err := src.CreateRecord(actx, "deal", data)
		require.NoError(t, err)
	}
	// Books from April: the fiscal buckets below cut on 1 April in the
	// tenant's zone; the setting moves with the tenant.
	april := 4
	_, err = src.SetTenantSettings(actx, engine.TenantSettingsChange{FiscalYearStart: &april})
	require.NoError(t, err)
	var dump bytes.Buffer
	_, err = src.ExportTenant(ctx, "acme", &dump)
	require.NoError(t, err)
	mongo, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: log})
	require.NoError(t, err)
	_, err = mongo.ImportTenant(ctx, "acme", bytes.NewReader(dump.Bytes()))
	require.NoError(t, err)

	// The fiscal year from April reached MongoDB with the tenant: 31 March
	// 23:59 in Shanghai closes fiscal 2025, 1 April opens 2026, and New
	// Year's Day 2027 is in its fourth quarter.
	fq, err := mongo.Aggregate(actx, "deal", engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closedAt", Bucket: store.BucketFiscalQuarter}}, Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	var quarters []any
	for _, g := range fq.Groups {
		quarters = append(quarters, g.Keys[0].Value)
	}
	assert.Equal(t, []any{nil, "2025-Q4", "2026-Q1", "2026-Q4"}, quarters)
	require.Len(t, fq.Groups, 4)
	assert.Equal(t, "FY2026 Q1", fq.Groups[2].Keys[0].Label.En)
	assert.Equal(t, "2026-03-31T16:00:00Z", fq.Groups[2].Keys[0].From)

	all := []store.Measure{
		{Op: store.MeasureCount}, {Op: store.MeasureCountDistinct, Field: "account"},
		{Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureAvg, Field: "amount"},
		{Op: store.MeasureMin, Field: "qty"}, {Op: store.MeasureMax, Field: "amount"},
	}
	scenarios := []struct {
		name   string
		query  engine.AggregateQuery
		groups int
	}{
		{name: "totals", query: engine.AggregateQuery{Measures: all}, groups: 1},
		{name: "nothing matches", query: engine.AggregateQuery{Filter: &store.Filter{Field: "amount", Op: store.OpGt, Value: 1e9}, Measures: all}, groups: 1},
		{name: "by stage", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "stage"}}, Measures: all}, groups: 4},
		{name: "by account, named", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "account"}}, Measures: all}, groups: 4},
		{name: "by stage, flag and quantity, biggest sums first, a page", query: engine.AggregateQuery{
			GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "won"}, {Field: "qty"}}, Measures: all,
			Order: []store.GroupOrder{{Measure: true, Index: 2, Desc: true}}, First: 5}, groups: 5},
		{name: "having", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "account"}, {Field: "won"}}, Measures: all,
			Having: []store.Having{{Measure: 0, Op: store.OpGte, Value: 3}, {Measure: 2, Op: store.OpNe, Value: 0}}}, groups: -1},
		{name: "days of a date-time in the tenant's zone", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closedAt", Bucket: store.BucketDay}}, Measures: all}, groups: 4},
		{name: "weeks of a date", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketWeek}}, Measures: all}, groups: 3},
		{name: "quarters and stages", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closedAt", Bucket: store.BucketQuarter}, {Field: "stage"}}, Measures: all,
			Order: []store.GroupOrder{{Index: 0, Desc: true}}}, groups: -1},
		{name: "fiscal quarters of a date-time from April, either side of midnight in the zone", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closedAt", Bucket: store.BucketFiscalQuarter}}, Measures: all}, groups: 4},
		{name: "fiscal years and quarters of a date", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketFiscalYear}, {Field: "closeDate", Bucket: store.BucketFiscalQuarter}}, Measures: all,
			Order: []store.GroupOrder{{Index: 1, Desc: true}}}, groups: 4},
		{name: "years of creation", query: engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "createdAt", Bucket: store.BucketYear}}, Measures: all}, groups: 1},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			want, err := src.Aggregate(actx, "deal", sc.query)
			require.NoError(t, err)
			got, err := mongo.Aggregate(actx, "deal", sc.query)
			require.NoError(t, err)
			if sc.groups >= 0 {
				require.Len(t, want.Groups, sc.groups, "the embedded store's answer")
			} else {
				require.NotEmpty(t, want.Groups, "the embedded store's answer")
			}
			assert.Equal(t, want.HasMore, got.HasMore)
			assert.Equal(t, want.Scanned, got.Scanned)
			require.Len(t, got.Groups, len(want.Groups))
			for i := range want.Groups {
				assert.Equal(t, want.Groups[i].Keys, got.Groups[i].Keys, "group %d", i)
				require.Len(t, got.Groups[i].Values, len(want.Groups[i].Values))
				for j, w := range want.Groups[i].Values {
					if f, ok := w.(float64); ok {
						assert.InDelta(t, f, got.Groups[i].Values[j], 1e-9, "group %d, measure %d", i, j)
						continue
					}
					assert.Equal(t, w, got.Groups[i].Values[j], "group %d, measure %d", i, j)
				}
			}
		})
	}
}
