//go:build unix

package sqlitestore

import (
	"syscall"
	"testing"
	"time"

	"github.com/crmkit/crm/store"
)

// BenchmarkMetaRevision: what a request pays for its tenant's metadata
// revision when nothing committed since the last one (kept: the index
// header read and compared), against reading it from the file (read).
func BenchmarkMetaRevision(b *testing.B) {
	ctx := b.Context()
	s := NewForTest(b)
	if err := s.CreateTenant(ctx, store.Tenant{ID: "acme", CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	ts, err := s.Tenant(ctx, "acme")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ts.MetaRevision(ctx); err != nil {
		b.Fatal(err)
	}
	db := ts.(*tenantStore).testDB(b)
	b.Run("kept", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			if _, err := ts.MetaRevision(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("read", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			var v int64
			if err := db.records().queryRow(ctx, `SELECT value FROM meta_revision WHERE id = 1`).Scan(&v); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// processCPU is the process's CPU time, user and system (testkit's,
// which this package's internal tests cannot import).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
