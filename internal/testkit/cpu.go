package testkit

import (
	"testing"
	"time"
)

// CPUNow is [ProcessCPU] for benchmarks: 0 where it is not measured.
func CPUNow() time.Duration {
	cpu, _ := ProcessCPU()
	return cpu
}

// ReportCPU reports the process's CPU time an operation since start (a
// [CPUNow]) as cpu-ns/op: on a busy machine it moves far less than the
// time an operation takes.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(CPUNow()-start)/float64(b.N), "cpu-ns/op")
}
