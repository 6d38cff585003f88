package scripting

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// watchdog is the process-level memory bound (S5). goja cannot cap a run's
// memory, and allocations made by the VM itself (s += s, pushing fresh
// strings) are not seen by the guards. While runs are in flight the
// watchdog reads the heap every interval. Above a quarter of the ceiling it
// starts a collection in the background, so garbage does not count against
// the ceiling for long; above a third of it, it interrupts every run in
// flight with ErrMemory at once. It never waits for a collection itself: a
// first version did (runtime.GC, then judge the live heap), and 16
// allocating runs took the heap to 22 GB under a 1 GiB ceiling while it
// waited.
//
// Why a third: Interrupt takes effect between VM instructions, and one
// instruction can allocate as much as the values it works on. s += s
// allocates twice the length of s while s is still live, so the heap can
// triple in one instruction; a doubling loop that the watchdog judged at
// 15/16 of a 512 MiB ceiling peaked at 896 MiB. Stopping the runs at a
// third keeps the peak, the last instruction included, under the ceiling.
type watchdog struct {
	ceiling  int64
	interval time.Duration
	log      *slog.Logger

	mu   sync.Mutex
	runs map[*goja.Runtime]bool // true once interrupted
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup

	fired      atomic.Int64
	peak       atomic.Int64
	collecting atomic.Bool
}

// MemoryStats are the watchdog's figures since the runner started.
type MemoryStats struct {
	Ceiling  int64 // bytes
	PeakHeap int64 // highest heap seen while runs were in flight, bytes
	Fired    int64 // times the ceiling was passed and runs were stopped
}

// MemoryStats returns the watchdog's figures.
func (r *Runner) MemoryStats() MemoryStats {
	return MemoryStats{Ceiling: r.watch.ceiling, PeakHeap: r.watch.peak.Load(), Fired: r.watch.fired.Load()}
}

func startWatchdog(ceiling int64, interval time.Duration, log *slog.Logger) *watchdog {
	w := &watchdog{
		ceiling: ceiling, interval: interval, log: log,
		runs: map[*goja.Runtime]bool{},
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	w.wg.Add(1)
	go w.loop()
	return w
}

func (w *watchdog) stop() {
	close(w.done)
	w.wg.Wait()
}

// add registers a running VM; the returned func unregisters it, after which
// the watchdog never touches it.
func (w *watchdog) add(vm *goja.Runtime) func() {
	w.mu.Lock()
	w.runs[vm] = false
	first := len(w.runs) == 1
	w.mu.Unlock()
	if first {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	return func() {
		w.mu.Lock()
		delete(w.runs, vm)
		w.mu.Unlock()
	}
}

func (w *watchdog) idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.runs) == 0
}

func (w *watchdog) loop() {
	defer w.wg.Done()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() int64 {
		metrics.Read(samples)
		if samples[0].Value.Kind() != metrics.KindUint64 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return int64(ms.HeapAlloc)
		}
		return int64(samples[0].Value.Uint64())
	}
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		if w.idle() {
			select {
			case <-w.wake:
			case <-w.done:
				return
			}
		}
		select {
		case <-t.C:
		case <-w.done:
			return
		}
		heap := read()
		w.notePeak(heap)
		if heap > w.ceiling/3 {
			w.fire(heap)
			w.collect(true)
		} else if heap > w.ceiling/4 {
			w.collect(false)
		}
	}
}

// collect starts one background collection at a time; after the runs were
// stopped it also returns the freed memory to the OS.
func (w *watchdog) collect(release bool) {
	if !w.collecting.CompareAndSwap(false, true) {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.collecting.Store(false)
		if release {
			debug.FreeOSMemory()
		} else {
			runtime.GC()
		}
	}()
}

func (w *watchdog) notePeak(heap int64) {
	for {
		p := w.peak.Load()
		if heap <= p || w.peak.CompareAndSwap(p, heap) {
			return
		}
	}
}

func (w *watchdog) fire(heap int64) {
	w.mu.Lock()
	n := 0
	for vm, done := range w.runs {
		if !done {
			vm.Interrupt(newLimitError(LimitMemory, w.ceiling, "bytes", ErrMemory))
			w.runs[vm] = true
			n++
		}
	}
	w.mu.Unlock()
	if n > 0 {
		w.fired.Add(1)
		w.log.Warn("scripting: memory ceiling reached, runs stopped", "heap", heap, "ceiling", w.ceiling, "runs", n)
	}
}
