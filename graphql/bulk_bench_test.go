package graphql_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// BenchmarkGraphQL_CreateDeals loads deals through createDeals, 500 a
// request with the inputs in a variable, on the store with its production
// settings; the answer selects each deal's id and number. It reports
// records/s and the CPU time a record costs the process:
//
//	go test ./graphql -run '^$' -bench CreateDeals -benchtime 200x
func BenchmarkGraphQL_CreateDeals(b *testing.B) {
	srv, eng, ctx, _ := benchStack(b)
	withStarterObjects(b, eng, ctx)
	accounts := make([]string, 100)
	for i := range accounts {
		rec, err := eng.CreateRecord(ctx, "account", map[string]any{"name": fmt.Sprintf("客户 %d", i)})
		require.NoError(b, err)
		accounts[i] = rec.ID
	}
	const q = `mutation($in: [DealInput!]!) { createDeals(inputs: $in) { outcome id record { number } } }`
	inputs := make([]any, engine.MaxBulkWrites)
	n := 0
	cpu0, measured := testkit.ProcessCPU()
	b.ResetTimer()
	for b.Loop() {
		for i := range inputs {
			inputs[i] = map[string]any{
				"title": fmt.Sprintf("商机 %d", n), "amount": float64(n % 1_000_000), "stage": benchStages[n%len(benchStages)],
				"closeDate": "2026-12-31", "account": accounts[n%len(accounts)], "email": fmt.Sprintf("buyer%d@example.com", n), "notes": "跟进中",
			}
			n++
		}
		mustExec(b, srv, ctx, q, map[string]any{"in": inputs})
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	if cpu1, ok := testkit.ProcessCPU(); measured && ok {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(n), "cpu-µs/record")
	}
	b.StopTimer()
	created, err := eng.CountRecords(ctx, "deal", nil)
	require.NoError(b, err)
	require.EqualValues(b, n, created, "every write landed")
}
