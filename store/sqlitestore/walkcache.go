package sqlitestore

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// A page's range probe ([rangeProbe]) read up to [walkBelow] index
// entries on every request: an eighth of the CPU of the list everybody
// opens (docs/performance.md, "Lists (issue 20)"). Its answer decides
// only how SQLite reads the page, never what the page holds: both plans
// return the same records in the same order. So a reader keeps the
// answer of each probe (its text and arguments) for [walkKeep] and asks
// again after that; writes in the meantime can make a kept answer the
// slower plan for at most that long, never a wrong page. Transactions
// keep none: their statement cache lives as long as their batch.

// walkKeep is how long a probe's answer is used again.
const walkKeep = 2 * time.Second

// walkEntries bounds how many answers a reader keeps: filters come in
// as many shapes and values as clients send.
const walkEntries = 256

// walkCache keeps probe answers of one pool.
type walkCache struct {
	mu sync.Mutex
	m  map[string]walkAnswer
}

type walkAnswer struct {
	walk bool
	at   time.Time
}

// get returns the kept answer of key, if it is recent enough.
func (c *walkCache) get(key string, now time.Time) (walk, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[key]
	if !ok || now.Sub(a.at) >= walkKeep || now.Before(a.at) {
		return false, false
	}
	return a.walk, true
}

// put keeps the answer of key. When the cache is full, the answers past
// their time go; if none has, all go (the next requests probe again).
func (c *walkCache) put(key string, walk bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]walkAnswer{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= walkEntries {
		for k, a := range c.m {
			if now.Sub(a.at) >= walkKeep || now.Before(a.at) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= walkEntries {
			clear(c.m)
		}
	}
	c.m[key] = walkAnswer{walk: walk, at: now}
}

// probeKey is the text of a probe with its arguments, each written with
// its type so that 1 and "1" differ. ok is false for an argument of a
// type it does not know, which is then not kept.
func probeKey(text string, args []any) (string, bool) {
	b := make([]byte, 0, len(text)+16*len(args))
	b = append(b, text...)
	for _, a := range args {
		b = append(b, 0)
		switch v := a.(type) {
		case nil:
			b = append(b, 'n')
		case string:
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(v)), 10)
			b = append(b, ':')
			b = append(b, v...)
		case float64:
			b = append(b, 'f')
			b = strconv.AppendUint(b, math.Float64bits(v), 16)
		case int64:
			b = append(b, 'i')
			b = strconv.AppendInt(b, v, 10)
		case int:
			b = append(b, 'i')
			b = strconv.AppendInt(b, int64(v), 10)
		case bool:
			b = append(b, 'b')
			b = strconv.AppendBool(b, v)
		default:
			return "", false
		}
	}
	return string(b), true
}
