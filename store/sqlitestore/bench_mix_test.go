package sqlitestore_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmkit/crm/store"
)

// BenchmarkStore_GetAmidPages measures how long gets by id take while
// pages keep the tenant's readers busy: 16 clients read pages of 50 (half
// the stage in the range, sorted by close date, 100,000 deals) while 16
// read single deals, each read in a context with a deadline as an HTTP
// request has. It reports the gets' and the pages' latencies (p50, p99,
// in ms) besides the time a get; b.N counts gets. A measurement, asserting
// nothing: latencies depend on the machine and its load.
func BenchmarkStore_GetAmidPages(b *testing.B) {
	ts, obj, ids := dealsSummed.get(b)
	q := store.Query{
		Filter: &store.Filter{And: []store.Filter{
			store.Leaf("stage", store.OpEq, "propose"),
			store.Leaf("amount", store.OpGt, 50_000.0),
		}},
		Sort:  []store.Sort{{Field: "closeDate", Desc: true}},
		Limit: 50,
	}
	const pagers, getters = 16, 16
	var (
		stop    atomic.Bool
		mu      sync.Mutex
		pageLat []time.Duration
		getLat  []time.Duration
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	request := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(b.Context(), 30*time.Second)
	}
	for range pagers {
		wg.Go(func() {
			var mine []time.Duration
			for !stop.Load() {
				ctx, cancel := request()
				start := time.Now()
				_, err := ts.Find(ctx, obj, q)
				mine = append(mine, time.Since(start))
				cancel()
				if err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			pageLat = append(pageLat, mine...)
			mu.Unlock()
		})
	}
	b.ResetTimer()
	var gets sync.WaitGroup
	for range getters {
		gets.Go(func() {
			var mine []time.Duration
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					break
				}
				ctx, cancel := request()
				start := time.Now()
				_, err := ts.Get(ctx, obj, ids[(int(n)*7919)%len(ids)])
				mine = append(mine, time.Since(start))
				cancel()
				if err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			getLat = append(getLat, mine...)
			mu.Unlock()
		})
	}
	gets.Wait()
	b.StopTimer()
	stop.Store(true)
	wg.Wait()
	report := func(name string, lat []time.Duration) {
		if len(lat) == 0 {
			return
		}
		slices.Sort(lat)
		at := func(p float64) float64 {
			i := min(int(p*float64(len(lat))), len(lat)-1)
			return float64(lat[i]) / float64(time.Millisecond)
		}
		b.ReportMetric(at(0.5), name+"-p50-ms")
		b.ReportMetric(at(0.99), name+"-p99-ms")
	}
	report("get", getLat)
	report("page", pageLat)
}
