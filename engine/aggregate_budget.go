package engine

import (
	"sync"
	"time"
)

// rowBudget is a token bucket of records per tenant: full at perMinute,
// refilled evenly over a minute. An aggregation takes the records it
// reads; one that finds too few tokens left is refused and takes none.
type rowBudget struct {
	perMinute int64
	mu        sync.Mutex
	tenants   map[string]*rowBucket
}

type rowBucket struct {
	tokens float64
	last   time.Time
}

// take spends n tokens of tenant's bucket; false when fewer are left,
// with the wait until there would be enough.
func (b *rowBudget) take(tenant string, n int64, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tenants == nil {
		b.tenants = map[string]*rowBucket{}
	}
	full := float64(b.perMinute)
	t := b.tenants[tenant]
	if t == nil {
		t = &rowBucket{tokens: full, last: now}
		b.tenants[tenant] = t
	}
	perNano := full / float64(time.Minute)
	if el := now.Sub(t.last); el > 0 {
		t.tokens = min(full, t.tokens+float64(el)*perNano)
	}
	t.last = now
	if float64(n) > t.tokens {
		return false, time.Duration((float64(n) - t.tokens) / perNano)
	}
	t.tokens -= float64(n)
	return true, 0
}
