package graphql_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/crmkit/crm/internal/testkit"
)

const benchCreateDeal = `mutation($in: DealInput!) { createDeal(input: $in) { id number version } }`

func benchDealInput(i int64) map[string]any {
	return map[string]any{"in": map[string]any{
		"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0, "stage": "qualified", "email": "buyer@example.com", "closeDate": "2026-12-31",
	}}
}

// BenchmarkGraphQL_CreateParallel is BenchmarkGraphQL_Create from 16
// goroutines per CPU (32 writers at -cpu 2), which share commits (group
// commit). cpu-ns/op is the process's CPU time per created deal.
func BenchmarkGraphQL_CreateParallel(b *testing.B) {
	srv, eng, ctx, _ := benchStack(b)
	withStarterObjects(b, eng, ctx)
	var n atomic.Int64
	b.SetParallelism(16)
	start := testkit.CPUNow()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp := srv.Exec(ctx, benchCreateDeal, "", benchDealInput(n.Add(1)))
			if len(resp.Errors) > 0 {
				b.Error(resp.Errors)
				return
			}
		}
	})
	b.StopTimer()
	testkit.ReportCPU(b, start)
}

// BenchmarkGraphQL_CreateCPU is BenchmarkGraphQL_Create (one writer) with
// the process's CPU time per created deal.
func BenchmarkGraphQL_CreateCPU(b *testing.B) {
	srv, eng, ctx, _ := benchStack(b)
	withStarterObjects(b, eng, ctx)
	start := testkit.CPUNow()
	b.ResetTimer()
	for i := int64(0); b.Loop(); i++ {
		mustExec(b, srv, ctx, benchCreateDeal, benchDealInput(i))
	}
	b.StopTimer()
	testkit.ReportCPU(b, start)
}
