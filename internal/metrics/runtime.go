package metrics

import (
	"runtime"
	"runtime/debug"
	"time"
)

// writeGo writes the Go runtime's figures under the names Prometheus'
// Go client gives them (go_goroutines, go_memstats_*, go_gc_duration_seconds
// ...), so that dashboards made for Go programs read them. Reading them
// stops the world for a few microseconds, once a scrape.
func writeGo(e *exposition) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge := func(name, help string, v value) {
		e.family(name, "gauge", help)
		e.sample(name, nil, v)
	}
	counter := func(name, help string, v value) {
		e.family(name, "counter", help)
		e.sample(name, nil, v)
	}

	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	e.family("go_gc_duration_seconds", "summary", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		d := 0.0
		if gc.NumGC > 0 {
			d = gc.PauseQuantiles[i].Seconds()
		}
		e.sample("go_gc_duration_seconds", []label{{"quantile", q}}, floatValue(d))
	}
	e.sample("go_gc_duration_seconds_sum", nil, floatValue(gc.PauseTotal.Seconds()))
	e.sample("go_gc_duration_seconds_count", nil, intValue(gc.NumGC))

	gauge("go_goroutines", "Number of goroutines that currently exist.", intValue(int64(runtime.NumGoroutine())))
	e.family("go_info", "gauge", "Information about the Go environment.")
	e.sample("go_info", []label{{"version", runtime.Version()}}, "1")
	gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", uintValue(ms.HeapAlloc))
	counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already.", uintValue(ms.TotalAlloc))
	counter("go_memstats_frees_total", "Total number of heap objects frees.", uintValue(ms.Frees))
	gauge("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata.", uintValue(ms.GCSys))
	gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", uintValue(ms.HeapAlloc))
	gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", uintValue(ms.HeapIdle))
	gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", uintValue(ms.HeapInuse))
	gauge("go_memstats_heap_objects", "Number of currently allocated objects.", uintValue(ms.HeapObjects))
	gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", uintValue(ms.HeapReleased))
	gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system.", uintValue(ms.HeapSys))
	lastGC := 0.0
	if ms.LastGC > 0 {
		lastGC = float64(ms.LastGC) / 1e9
	}
	gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", floatValue(lastGC))
	counter("go_memstats_mallocs_total", "Total number of heap objects allocated.", uintValue(ms.Mallocs))
	gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", uintValue(ms.NextGC))
	gauge("go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments.", uintValue(ms.StackInuse))
	gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", uintValue(ms.Sys))
	gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", intValue(int64(runtime.GOMAXPROCS(0))))
}
