package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/crmkit/crm/store"
)

// Server error codes the adapter acts on.
const (
	codeNamespaceNotFound = 26
	codeIndexNotFound     = 27
	codeNamespaceExists   = 48
)

// isUnreachable reports errors that say the deployment could not be used
// at all: no server selected in time, a network failure, a pool that
// stayed busy, a disconnected client.
func isUnreachable(err error) bool {
	var sse topology.ServerSelectionError
	var wqt topology.WaitQueueTimeoutError
	var ce topology.ConnectionError
	return errors.As(err, &sse) || errors.As(err, &wqt) || errors.As(err, &ce) ||
		errors.Is(err, mongo.ErrClientDisconnected) || mongo.IsNetworkError(err)
}

// unavailable wraps err, from doing what, with [store.ErrUnavailable] and a
// message that says where to look.
func (s *Store) unavailable(ctx context.Context, what string, err error) error {
	if ctx.Err() == nil && !isUnreachable(err) && !mongo.IsTimeout(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return store.ContextError(ctx, fmt.Errorf("%s: MongoDB at %s did not answer within the configured timeouts (connect %s, server selection %s, operation %s); check that it runs and is reachable from here, and the URI's hosts, replicaSet, TLS and credentials: %w: %w",
		what, s.hosts, s.cfg.ConnectTimeout, s.cfg.ServerSelectionTimeout, s.cfg.OperationTimeout, store.ErrUnavailable, err))
}

// fail translates a driver error of any operation: unreachable servers and
// timeouts wrap [store.ErrUnavailable], an ended context stays visible,
// and anything else is kept as it is.
func (s *Store) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return store.ContextError(ctx, err)
	}
	if isUnreachable(err) || mongo.IsTimeout(err) {
		return fmt.Errorf("MongoDB at %s did not answer in time (server selection %s, operation %s); check that it runs and is reachable: %w: %w",
			s.hosts, s.cfg.ServerSelectionTimeout, s.cfg.OperationTimeout, store.ErrUnavailable, err)
	}
	return err
}

// serverCode returns the server's error code of err, 0 if none.
func serverCode(err error) int {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return int(ce.Code)
	}
	var we mongo.WriteException
	if errors.As(err, &we) && len(we.WriteErrors) > 0 {
		return we.WriteErrors[0].Code
	}
	return 0
}

// indexInMessage finds the index name in MongoDB's duplicate key message
// ("E11000 duplicate key error collection: db.c index: name dup key: ...").
// The error is classified by its code; the text only names the index.
var indexInMessage = regexp.MustCompile(`index: (\S+) dup key`)

// duplicateIndex returns the name of the index a duplicate key error is
// about, "" if the server did not say (FerretDB does not).
func duplicateIndex(err error) string {
	var raws []bson.Raw
	var msgs []string
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			raws = append(raws, e.Raw)
			msgs = append(msgs, e.Message)
		}
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		raws = append(raws, ce.Raw)
		msgs = append(msgs, ce.Message)
	}
	for _, m := range msgs {
		if sub := indexInMessage.FindStringSubmatch(m); sub != nil {
			return sub[1]
		}
	}
	for _, r := range raws {
		if len(r) == 0 {
			continue
		}
		// Servers from 4.4 report the key pattern; "_id_" is the only index
		// on {_id: 1}.
		if kp, ok := r.Lookup("keyPattern").DocumentOK(); ok {
			if elems, err := kp.Elements(); err == nil && len(elems) == 1 && elems[0].Key() == keyID {
				return "_id_"
			}
		}
	}
	return ""
}
