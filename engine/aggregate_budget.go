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
	swept     time.Time // when full buckets were last dropped
}

type rowBucket struct {
	tokens float64
	last   time.Time
}

// rowBucketsSwept is how many tenants' buckets a budget holds before it
// drops the full ones (at most once a minute).
const rowBucketsSwept = 1024

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
		if len(b.tenants) >= rowBucketsSwept && now.Sub(b.swept) >= time.Minute {
			// A bucket untouched for a minute is full again: the same as
			// none. Dropping them bounds the map by the tenants that
			// aggregated in the last minute.
			b.swept = now
			for id, old := range b.tenants {
				if now.Sub(old.last) >= time.Minute {
					delete(b.tenants, id)
				}
			}
		}
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
