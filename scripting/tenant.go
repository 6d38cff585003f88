package scripting

import (
	"context"
	"sync"
	"sync/atomic"
)

// gates holds one semaphore per tenant (S12): a tenant's runs beyond its
// MaxConcurrent wait, in order, until a slot frees or their context ends,
// so one tenant's busy scripts hold at most that many cores and never block
// another tenant's runs.
type gates struct {
	mu sync.Mutex
	m  map[string]*gate
}

type gate struct {
	slots   chan struct{}
	waiting atomic.Int64
}

func newGates() *gates { return &gates{m: map[string]*gate{}} }

// gate returns the tenant's gate, replaced by a new one when the tenant's
// cap changed (runs holding the old one release into it).
func (g *gates) gate(tenant string, capacity int) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.m[tenant]
	if !ok || cap(t.slots) != capacity {
		t = &gate{slots: make(chan struct{}, capacity)}
		g.m[tenant] = t
	}
	return t
}

// acquire waits for a slot. It fails with ctx's error when ctx ends first,
// and at once with a LimitError when MaxWaiting runs already wait.
func (g *gates) acquire(ctx context.Context, tenant string, lim Limits) (release func(), err error) {
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	t := g.gate(tenant, lim.MaxConcurrent)
	select {
	case t.slots <- struct{}{}:
		return func() { <-t.slots }, nil
	default:
	}
	if t.waiting.Add(1) > int64(lim.MaxWaiting) {
		t.waiting.Add(-1)
		return nil, newLimitError(LimitWaiting, int64(lim.MaxWaiting), "runs", ErrLimit)
	}
	defer t.waiting.Add(-1)
	select {
	case t.slots <- struct{}{}:
		return func() { <-t.slots }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// InFlight returns how many runs of a tenant hold a slot now.
func (r *Runner) InFlight(tenant string) int {
	r.gates.mu.Lock()
	defer r.gates.mu.Unlock()
	if t, ok := r.gates.m[tenant]; ok {
		return len(t.slots)
	}
	return 0
}
