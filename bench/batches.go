package main

import (
	"context"
	"sync"
)

// parallelBatches calls do for [from, to) slices of n items, size at a
// time, with workers calls at once; it stops at the first error.
func parallelBatches(ctx context.Context, n, size, workers int, do func(from, to int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	starts := make(chan int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := range starts {
				if err := do(from, min(from+size, n)); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
feed:
	for from := 0; from < n; from += size {
		select {
		case starts <- from:
		case <-ctx.Done():
			break feed
		}
	}
	close(starts)
	wg.Wait()
	return first
}
