package testkit

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/crmkit/crm/store"
)

// Shared is a store with [store.Counters] and [store.Leases] kept in
// memory, as several servers on one database see them: engines and
// servers built over the same Shared in one test act as separate servers
// on one MongoDB. Fail makes both fail, as a database that does not
// answer.
type Shared struct {
	store.Store

	mu     sync.Mutex
	counts map[sharedKey]int64
	leases map[sharedKey]string // owner by name and epoch
	fail   bool
}

type sharedKey struct {
	name   string
	window time.Duration
	start  time.Time
}

// NewShared gives s shared counters and leases.
func NewShared(s store.Store) *Shared {
	return &Shared{Store: s, counts: map[sharedKey]int64{}, leases: map[sharedKey]string{}}
}

// Fail makes the counters and leases fail (true) or answer again.
func (s *Shared) Fail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

var errShared = errors.New("testkit: shared counters unavailable")

// AddCount implements [store.Counters].
func (s *Shared) AddCount(_ context.Context, key string, window time.Duration, at time.Time, n int64) (int64, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, 0, errShared
	}
	start := store.WindowStart(at, window)
	k := sharedKey{key, window, start}
	s.counts[k] += n
	return s.counts[k], s.counts[sharedKey{key, window, start.Add(-window)}], nil
}

// TakeLease implements [store.Leases] as the MongoDB adapter does: the
// epoch of at and the next are the owner's, or the lease is not.
func (s *Shared) TakeLease(_ context.Context, name, owner string, ttl time.Duration, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return false, errShared
	}
	start := store.WindowStart(at, ttl)
	keys := []sharedKey{{name, ttl, start}, {name, ttl, start.Add(ttl)}}
	for _, k := range keys {
		if o, ok := s.leases[k]; ok && o != owner {
			return false, nil
		}
	}
	for _, k := range keys {
		s.leases[k] = owner
	}
	return true, nil
}
