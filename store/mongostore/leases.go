package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/store"
)

// collLeases is the system collection of [store.Leases]. Time is cut in
// epochs of the lease's length; a lease taken in epoch E is two documents
// {_id: "<name>|<ttl seconds>|<epoch>", owner, exp} for E and E+1, each
// inserted, never updated. An insert of an _id that exists fails on every
// server, FerretDB included, which applies updates as a read and a write
// and so cannot exclude two processes with a conditional update; so at
// most one owner holds an epoch, and whoever holds E also holds E+1, that
// is at least ttl from any moment in E. exp is the end of the document's
// epoch; expired documents are removed by the TTL index and the sweep, as
// counters are.
const collLeases = "leases"

var _ store.Leases = (*Store)(nil)

// TakeLease implements [store.Leases] with at most two inserts (and a
// read of a document that exists, to tell its owner).
func (s *Store) TakeLease(ctx context.Context, name, owner string, ttl time.Duration, at time.Time) (bool, error) {
	if ttl < time.Second {
		return false, fmt.Errorf("lease %q: %s is shorter than a second", name, ttl)
	}
	if len(name) == 0 || len(name) > store.MaxCounterKey || len(owner) == 0 || len(owner) > store.MaxCounterKey {
		return false, fmt.Errorf("lease %q: a name and an owner have 1 to %d bytes", name, store.MaxCounterKey)
	}
	epoch := store.WindowStart(at, ttl)
	coll := s.system.Collection(collLeases)
	octx, cancel := s.op(ctx)
	defer cancel()
	for _, start := range []time.Time{epoch, epoch.Add(ttl)} {
		id := name + "|" + strconv.FormatInt(int64(ttl/time.Second), 10) + "|" + strconv.FormatInt(start.Unix(), 10)
		_, err := coll.InsertOne(octx, bson.D{{Key: keyID, Value: id}, {Key: "owner", Value: owner}, {Key: "exp", Value: start.Add(ttl).UTC()}})
		if err == nil {
			continue
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, fmt.Errorf("take lease %q: %w", name, s.fail(octx, err))
		}
		var d struct {
			Owner string `bson:"owner"`
		}
		err = coll.FindOne(octx, eq(keyID, id)).Decode(&d)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			return false, nil // swept meanwhile: the epoch is over, someone else's
		case err != nil:
			return false, fmt.Errorf("read lease %q: %w", name, s.fail(octx, err))
		case d.Owner != owner:
			return false, nil
		}
	}
	s.sweepLeases(ctx, at)
	return true, nil
}

// sweepLeases deletes leases that ended more than a minute ago, at most
// once a counterSweep in this process.
func (s *Store) sweepLeases(ctx context.Context, now time.Time) {
	s.counters.mu.Lock()
	if now.Sub(s.counters.leasesSwept) < counterSweep {
		s.counters.mu.Unlock()
		return
	}
	s.counters.leasesSwept = now
	s.counters.mu.Unlock()
	octx, cancel := s.op(context.WithoutCancel(ctx))
	defer cancel()
	if _, err := s.system.Collection(collLeases).DeleteMany(octx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lt", Value: now.Add(-time.Minute).UTC()}}}}); err != nil {
		s.log.Warn("delete ended leases", "err", s.fail(octx, err))
	}
}
