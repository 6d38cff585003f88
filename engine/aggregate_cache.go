package engine

import (
	lru "container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Aggregate answers are kept until the records under them change: a
// dashboard that ten people open, or one that refreshes itself, is
// computed once per change of its objects' records rather than once per
// look. An answer is the store's groups for one store aggregation (the
// final filter, with the caller's sharing scope and view in it, the
// groups, measures, having, order, limit and zone) of one object at one
// metadata revision, tagged with the object's data version read before
// it was computed ([store.DataVersioner]). A later aggregation takes it
// only while the data version is unchanged, so it is never staler than
// the records: a write committed while the answer was computed moves
// the version, and the answer is not used again. Labels (option labels,
// lookup titles, user names) are not kept: they are read for every
// answer. A store without data versions (the MongoDB adapter) keeps
// nothing.

// DefaultAggregateCacheBytes bounds the memory of kept answers when
// Config leaves it zero.
const DefaultAggregateCacheBytes = 32 << 20

// aggregateCache is a least-recently-used map of answers, bounded in
// (estimated) bytes. The zero value keeps nothing.
type aggregateCache struct {
	max int64

	mu      sync.Mutex
	size    int64
	entries map[string]*lru.Element // of *keptAggregate
	order   lru.List                // most recently used first
	// flights are the answers being computed, by key and data version:
	// the same aggregation asked again meanwhile waits for the one
	// computation rather than reading the records too.
	flights map[string]*flight
}

// flight is one answer being computed; done closes when it is.
type flight struct {
	done    chan struct{}
	waiters int // callers waiting for it (c.mu)
	groups  []store.Group
	scanned int64
	err     error
}

// keptAggregate is one kept answer.
type keptAggregate struct {
	key     string
	version int64
	scanned int64
	groups  []store.Group
	size    int64
}

func newAggregateCache(maxBytes int64) *aggregateCache {
	return &aggregateCache{max: maxBytes, entries: map[string]*lru.Element{}, flights: map[string]*flight{}}
}

// get returns the answer kept under key at data version version. The
// groups are shared: callers copy what they change.
func (c *aggregateCache) get(key string, version int64) (groups []store.Group, scanned int64, ok bool) {
	if c == nil || c.max <= 0 {
		return nil, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.entries[key]
	if el == nil {
		return nil, 0, false
	}
	kept := el.Value.(*keptAggregate)
	if kept.version != version {
		c.remove(el) // the records changed: it will not be used again
		return nil, 0, false
	}
	c.order.MoveToFront(el)
	return kept.groups, kept.scanned, true
}

// put keeps an answer computed from the records at data version version,
// evicting the least recently used ones beyond the bound. An answer
// larger than an eighth of the bound is not kept.
func (c *aggregateCache) put(key string, version, scanned int64, groups []store.Group) {
	if c == nil || c.max <= 0 {
		return
	}
	kept := &keptAggregate{key: key, version: version, scanned: scanned, groups: groups, size: answerSize(key, groups)}
	if kept.size > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.entries[key]; el != nil {
		c.remove(el)
	}
	c.entries[key] = c.order.PushFront(kept)
	c.size += kept.size
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

// compute returns the answer under key at data version version: the one
// another caller is computing, once it is done (shared), or the one
// compute gives, which is then kept. A computation that failed (its
// caller's deadline, its tenant's budget) leaves each caller that waited
// for it to compute its own. The keeping cache is c; a nil or zero c
// just computes.
func (c *aggregateCache) compute(ctx context.Context, key string, version int64, compute func() ([]store.Group, int64, error)) (groups []store.Group, scanned int64, shared bool, err error) {
	if c == nil || c.max <= 0 {
		groups, scanned, err = compute()
		return groups, scanned, false, err
	}
	fk := key + "\x00" + strconv.FormatInt(version, 10)
	c.mu.Lock()
	if f := c.flights[fk]; f != nil {
		f.waiters++
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.err == nil {
				return f.groups, f.scanned, true, nil
			}
		case <-ctx.Done():
			return nil, 0, false, fmt.Errorf("wait for the same aggregation: %w", ctx.Err())
		}
		groups, scanned, err = compute()
		return groups, scanned, false, err
	}
	f := &flight{done: make(chan struct{})}
	c.flights[fk] = f
	c.mu.Unlock()
	defer func() { // also when compute panics: no one waits forever
		c.mu.Lock()
		delete(c.flights, fk)
		c.mu.Unlock()
		close(f.done)
	}()
	f.groups, f.scanned, f.err = compute()
	if f.err == nil {
		c.put(key, version, f.scanned, f.groups)
	}
	return f.groups, f.scanned, false, f.err
}

// remove drops an entry; c.mu is held.
func (c *aggregateCache) remove(el *lru.Element) {
	kept := c.order.Remove(el).(*keptAggregate)
	delete(c.entries, kept.key)
	c.size -= kept.size
}

// answerSize estimates the bytes an answer holds: its key, and per group
// the slices, the interfaces and the strings in them.
func answerSize(key string, groups []store.Group) int64 {
	size := int64(len(key)) + 128
	for _, g := range groups {
		size += 64 + 16*int64(len(g.Keys)+len(g.Values))
		for _, v := range g.Keys {
			if s, ok := v.(string); ok {
				size += int64(len(s))
			}
		}
	}
	return size
}

// aggregateKey names one store aggregation of obj in tenant at metadata
// revision rev; false when it cannot be named (a filter value JSON does
// not encode), and is then not kept.
func aggregateKey(tenant string, rev int64, obj *schema.Object, agg store.Aggregation) (string, bool) {
	body, err := json.Marshal(struct {
		Filter   *store.Filter
		GroupBy  []store.GroupBy
		Measures []store.Measure
		Having   []store.Having
		Order    []store.GroupOrder
		Limit    int
		Zone     string
		Fiscal   int
	}{agg.Filter, agg.GroupBy, agg.Measures, agg.Having, agg.Order, agg.Limit, agg.Zone.String(), agg.FiscalYearStart})
	if err != nil {
		return "", false
	}
	return tenant + "\x00" + obj.Name + "\x00" + strconv.FormatInt(rev, 10) + "\x00" + string(body), true
}

// dataVersion reads obj's data version; false when the store has none.
func dataVersion(ctx context.Context, ts store.TenantStore, obj *schema.Object) (int64, bool, error) {
	dv, ok := ts.(store.DataVersioner)
	if !ok {
		return 0, false, nil
	}
	v, err := dv.DataVersion(ctx, obj.Name)
	if errors.Is(err, store.ErrNoDataVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return v, true, nil
}
