package engine_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/crmkit/crm/internal/testkit"
)

// BenchmarkEngine_CreateRecordParallel is BenchmarkEngine_CreateRecord
// from 16 goroutines per CPU (32 writers at -cpu 2): with group commit
// they share commits. cpu-ns/op is the process's CPU time (every
// goroutine, the garbage collector, SQLite) per created record, the
// number that means something on a shared machine.
func BenchmarkEngine_CreateRecordParallel(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	withStarter(b, eng, ctx)
	var n atomic.Int64
	b.SetParallelism(16)
	start := testkit.CPUNow()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := eng.CreateRecord(ctx, "deal", map[string]any{
				"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0, "stage": "qualified", "email": "buyer@example.com",
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	testkit.ReportCPU(b, start)
}

// BenchmarkEngine_CreateRecordCPU is BenchmarkEngine_CreateRecord (one
// writer) with the process's CPU time per record.
func BenchmarkEngine_CreateRecordCPU(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	withStarter(b, eng, ctx)
	start := testkit.CPUNow()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{
			"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0, "stage": "qualified", "email": "buyer@example.com",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	testkit.ReportCPU(b, start)
}
