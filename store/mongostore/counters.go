package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// collCounters is the system collection of [store.Counters]: one document
// {_id: "<key>|<window seconds>|<window start, Unix seconds>", c: count,
// exp: date} per key and window. exp is the end of the window after it:
// until then the counter is still read as the previous window's. A TTL
// index on exp removes them on MongoDB; where the server has no TTL
// monitor (FerretDB), each process also deletes expired ones at most once
// a minute (counterSweep), so the collection holds about the keys counted
// in the last two windows.
const collCounters = "counters"

// counterSweep is how often a process deletes expired counters itself.
const counterSweep = time.Minute

var _ store.Counters = (*Store)(nil)

// counterState is when this process last swept the counters.
type counterState struct {
	mu          sync.Mutex
	swept       time.Time
	leasesSwept time.Time // leases.go
}

// prepareCounters creates the counters' TTL index. A server that refuses
// it leaves the sweep to do the removing.
func (s *Store) prepareCounters(ctx context.Context) {
	for _, name := range []string{collCounters, collLeases} {
		err := ensureIndexes(ctx, s.system.Collection(name), []mongo.IndexModel{{
			Keys:    bson.D{{Key: "exp", Value: int32(1)}},
			Options: options.Index().SetName("ttl_exp").SetExpireAfterSeconds(0),
		}})
		if err != nil {
			s.log.Warn("no TTL index; each process deletes expired documents itself", "collection", name, "err", err)
		}
	}
}

func counterID(key string, window time.Duration, start time.Time) string {
	return key + "|" + strconv.FormatInt(int64(window/time.Second), 10) + "|" + strconv.FormatInt(start.Unix(), 10)
}

// AddCount implements [store.Counters] with one atomic upsert ($inc) of
// the window's document and one read of the previous window's.
func (s *Store) AddCount(ctx context.Context, key string, window time.Duration, at time.Time, n int64) (cur, prev int64, err error) {
	if window < time.Second {
		return 0, 0, fmt.Errorf("count %q: window %s is shorter than a second", key, window)
	}
	if len(key) == 0 || len(key) > store.MaxCounterKey {
		return 0, 0, fmt.Errorf("count %q: a key has 1 to %d bytes", key, store.MaxCounterKey)
	}
	start := store.WindowStart(at, window)
	coll := s.system.Collection(collCounters)
	octx, cancel := s.op(ctx)
	defer cancel()
	var doc struct {
		C int64 `bson:"c"`
	}
	id := counterID(key, window, start)
	if n == 0 {
		err = coll.FindOne(octx, eq(keyID, id)).Decode(&doc)
	} else {
		upd := bson.D{
			{Key: "$inc", Value: bson.D{{Key: "c", Value: n}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "exp", Value: start.Add(2 * window).UTC()}}},
		}
		opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
		// Two processes inserting the same new window race on _id: the
		// loser's upsert fails with a duplicate key and, run again,
		// finds the document and increments it.
		for attempt := 1; ; attempt++ {
			err = coll.FindOneAndUpdate(octx, eq(keyID, id), upd, opts).Decode(&doc)
			if err == nil || !mongo.IsDuplicateKeyError(err) || attempt == 3 {
				break
			}
		}
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, 0, fmt.Errorf("count %q: %w", key, s.fail(octx, err))
	}
	cur = doc.C
	doc.C = 0
	err = coll.FindOne(octx, eq(keyID, counterID(key, window, start.Add(-window)))).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, 0, fmt.Errorf("count %q: read the window before: %w", key, s.fail(octx, err))
	}
	s.sweepCounters(ctx, at)
	return cur, doc.C, nil
}

// sweepCounters deletes expired counters, at most once a counterSweep in
// this process.
func (s *Store) sweepCounters(ctx context.Context, now time.Time) {
	s.counters.mu.Lock()
	if now.Sub(s.counters.swept) < counterSweep {
		s.counters.mu.Unlock()
		return
	}
	s.counters.swept = now
	s.counters.mu.Unlock()
	octx, cancel := s.op(context.WithoutCancel(ctx))
	defer cancel()
	if _, err := s.system.Collection(collCounters).DeleteMany(octx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lt", Value: now.UTC()}}}}); err != nil {
		s.log.Warn("delete expired shared counters", "err", s.fail(octx, err))
	}
}
