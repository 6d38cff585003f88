package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// maxTxAttempts bounds how often WithTx runs fn when the server reports a
// transient transaction error (a write conflict with another process).
const maxTxAttempts = 5

// WithTx implements [store.TenantStore]. This process runs one
// transaction per tenant at a time. Where the server has multi-document
// transactions, fn runs in one (majority commit), and runs
// again, at most 5 times in all, when the server reports a transient
// transaction error; fn must therefore have no effect outside the
// transaction. Elsewhere the writes are applied as fn makes them and
// undone in reverse order if the transaction fails; see the package
// documentation for what that promises.
func (ts *tenantStore) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	// The due index learns that the tenant may have new work before the
	// first write that may add some, and again when the transaction
	// ended (due.go).
	due := &txDue{}
	defer func() {
		if !due.lowered {
			return
		}
		if err := ts.s.LowerDue(context.WithoutCancel(ctx), ts.id, store.DueAtOnce); err != nil {
			ts.s.log.Warn("lower the due time of a tenant after a write", "tenant", ts.id, "err", err)
		}
	}()
	return ts.withTx(ctx, fn, due)
}

func (ts *tenantStore) withTx(ctx context.Context, fn func(tx store.Tx) error, due *txDue) error {
	select {
	case ts.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for the tenant's transaction: %w", ctx.Err())
	}
	release := func() { <-ts.sem }
	if !ts.s.caps.transactions {
		return ts.runCompensated(ctx, fn, release, due)
	}
	defer release()
	sess, err := ts.s.client.StartSession()
	if err != nil {
		return fmt.Errorf("start session: %w", ts.s.fail(ctx, err))
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	for attempt := 1; ; attempt++ {
		err := ts.runServerTx(ctx, sess, fn, due)
		if err == nil || attempt == maxTxAttempts || ctx.Err() != nil || !isTransientTx(err) {
			return err
		}
		ts.s.log.Debug("transaction conflict, running it again", "tenant", ts.id, "attempt", attempt, "err", err)
		select {
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		case <-ctx.Done():
			return store.ContextError(ctx, err)
		}
	}
}

// isTransientTx reports errors after which the whole transaction may be
// run again.
func isTransientTx(err error) bool {
	var le mongo.LabeledError
	return errors.As(err, &le) && le.HasErrorLabel("TransientTransactionError")
}

func newTx(ts *tenantStore, sess *mongo.Session, due *txDue) *tx {
	return &tx{
		due:             due,
		reader:          reader{s: ts.s, db: ts.db, sess: sess},
		ts:              ts,
		compensate:      sess == nil,
		pendingVersions: map[string]pendingVersion{},
		createdHere:     map[string]map[string]bool{},
		deletedHere:     map[string]bool{},
		touched:         map[string]bool{},
		wrote:           map[string]bool{},
	}
}

// runServerTx runs fn once in a server transaction on sess.
func (ts *tenantStore) runServerTx(ctx context.Context, sess *mongo.Session, fn func(tx store.Tx) error, due *txDue) (err error) {
	// Note: read concern "local", because MongoDB creates collections and
	// indexes inside a transaction only under it (SaveObject of a new
	// object does); on a replica set it still reads from the snapshot the
	// transaction opened.
	if err := sess.StartTransaction(options.Transaction().
		SetReadConcern(readconcern.Local()).
		SetWriteConcern(writeconcern.Majority())); err != nil {
		return fmt.Errorf("start transaction: %w", err)
	}
	t := newTx(ts, sess, due)
	finished := false
	defer func() {
		if finished {
			return
		}
		// fn panicked: abort, put the indexes back, and let the panic go on.
		bg := context.WithoutCancel(ctx)
		_ = sess.AbortTransaction(bg)
		_ = t.rollback(bg)
	}()
	err = fn(t)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("commit transaction: %w", ctx.Err())
	}
	if err == nil {
		err = t.flush(ctx)
	}
	if err == nil {
		err = t.raiseDataVersions(ctx)
	}
	if err == nil {
		err = ts.commit(ctx, sess)
	}
	finished = true
	if err != nil {
		bg := context.WithoutCancel(ctx)
		_ = sess.AbortTransaction(bg)
		if rerr := t.rollback(bg); rerr != nil {
			ts.s.log.Warn("restore indexes after an aborted transaction", "tenant", ts.id, "err", rerr)
		}
		return err
	}
	t.afterCommit(context.WithoutCancel(ctx))
	return nil
}

// commit commits the session's transaction, trying again while the
// outcome is unknown (a network error or failover during the commit).
func (ts *tenantStore) commit(ctx context.Context, sess *mongo.Session) error {
	for attempt := 1; ; attempt++ {
		octx, cancel := ts.s.op(ctx)
		err := sess.CommitTransaction(octx)
		cancel()
		if err == nil {
			return nil
		}
		var le mongo.LabeledError
		if attempt < maxTxAttempts && ctx.Err() == nil && errors.As(err, &le) && le.HasErrorLabel("UnknownTransactionCommitResult") {
			continue
		}
		return fmt.Errorf("commit transaction: %w", ts.s.fail(octx, err))
	}
}

// runCompensated runs fn with writes applied at once and undone if the
// transaction fails. release gives the tenant's transaction slot back.
//
// A transaction that ends because its context did (the request's
// deadline) is undone in the background: the caller gets its error at
// once, as the deadline promises, while the undo goes on holding the
// tenant's slot, so that no later transaction of this process runs before
// it is complete. Undoing a thousand writes on FerretDB took minutes,
// which used to keep a request with a 30 s deadline for nearly three.
func (ts *tenantStore) runCompensated(ctx context.Context, fn func(tx store.Tx) error, release func(), due *txDue) error {
	t := newTx(ts, nil, due)
	finished, background := false, false
	defer func() {
		if !background {
			release()
		}
	}()
	defer func() {
		if finished {
			return
		}
		// fn panicked: undo, and let the panic go on.
		if err := t.rollback(context.WithoutCancel(ctx)); err != nil {
			ts.s.log.Error("undo a panicked transaction", "tenant", ts.id, "err", err)
		}
		t.raiseAfterUndo(context.WithoutCancel(ctx))
	}()
	err := fn(t)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("commit transaction: %w", ctx.Err())
	}
	if err == nil {
		err = t.flush(ctx)
	}
	if err == nil {
		err = t.raiseDataVersions(ctx)
	}
	finished = true
	if err != nil {
		if ctx.Err() != nil && len(t.undo) > 0 {
			background = true
			bg := context.WithoutCancel(ctx)
			go func() {
				defer release()
				if rerr := t.rollback(bg); rerr != nil {
					ts.s.log.Error("undo a transaction whose deadline passed", "tenant", ts.id, "err", rerr)
				}
				t.raiseAfterUndo(bg)
			}()
			return store.ContextError(ctx, err)
		}
		rerr := t.rollback(context.WithoutCancel(ctx))
		t.raiseAfterUndo(context.WithoutCancel(ctx))
		if rerr != nil {
			ts.s.log.Error("undo a failed transaction", "tenant", ts.id, "err", rerr)
			return errors.Join(err, rerr)
		}
		return err
	}
	t.afterCommit(context.WithoutCancel(ctx))
	return nil
}

// undoStep reverses one write of a compensated transaction.
type undoStep struct {
	what string // the write, for messages: `insert deal record "x"`
	run  func(ctx context.Context) error
}

// tx is a write transaction of one tenant: a server transaction when
// sess is set, else a compensated one.
type tx struct {
	reader // reads see the transaction's writes
	ts     *tenantStore

	compensate bool
	undo       []undoStep

	// Metadata versions are written when the transaction commits.
	pending         []objectVersionDoc
	pendingVersions map[string]pendingVersion
	// bumps counts BumpMetaRevision calls, applied with the pending
	// versions.
	bumps int
	// createdHere holds the index names of collections created in this
	// transaction; deletedHere the objects it deleted; touched every
	// object whose definition it changed (they are reconciled after it).
	createdHere map[string]map[string]bool
	deletedHere map[string]bool
	touched     map[string]bool
	// wrote holds the objects whose records this server transaction
	// wrote: MongoDB cannot build an index on them until it ends.
	wrote map[string]bool
	// due is shared by the attempts of one WithTx (due.go).
	due *txDue
}

var _ store.Tx = (*tx)(nil)

// onUndo records how to reverse a write of a compensated transaction.
func (t *tx) onUndo(what string, run func(ctx context.Context) error) {
	if t.compensate {
		t.undo = append(t.undo, undoStep{what: what, run: run})
	}
}

// ddl runs fn outside any transaction, bounded by the operation timeout.
func (t *tx) ddl(ctx context.Context, fn func(ctx context.Context) error) error {
	octx, cancel := t.s.op(ctx)
	defer cancel()
	return t.s.fail(octx, fn(octx))
}

// inTx runs fn in the transaction, bounded by the operation timeout.
func (t *tx) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	octx, cancel := t.s.op(ctx)
	defer cancel()
	return t.s.fail(octx, fn(t.sessCtx(octx)))
}

// flush writes the metadata versions saved in the transaction and bumps
// the revision once.
func (t *tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 && t.bumps == 0 {
		return nil
	}
	if err := t.mayAddDue(ctx, ""); err != nil {
		return err
	}
	objects := t.db.Collection(collObjects)
	for _, d := range t.pending {
		err := t.inTx(ctx, func(ctx context.Context) error {
			_, err := objects.InsertOne(ctx, d)
			return err
		})
		if mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("store version %d of object %q: saved meanwhile by another process: %w", d.Version, d.Name, store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store version %d of object %q: %w", d.Version, d.Name, err)
		}
		id := d.ID
		t.onUndo("store version "+id, func(ctx context.Context) error {
			_, err := objects.DeleteOne(ctx, eq(keyID, id))
			return err
		})
	}
	n := int64(len(t.pending) + t.bumps)
	meta := t.db.Collection(collMeta)
	err := t.inTx(ctx, func(ctx context.Context) error {
		_, err := meta.UpdateOne(ctx, eq(keyID, revisionID),
			bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: n}}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("bump metadata revision: %w", err)
	}
	// No undo: nothing can fail after the bump.
	return nil
}

// rollback undoes the writes of a compensated transaction in reverse
// order and reconciles the objects whose definition it touched. Its error
// wraps [store.ErrIncompleteRollback] and names what remains.
func (t *tx) rollback(ctx context.Context) error {
	var failed []string
	for i := len(t.undo) - 1; i >= 0; i-- {
		step := t.undo[i]
		octx, cancel := context.WithTimeout(ctx, t.s.cfg.OperationTimeout)
		err := step.run(octx)
		cancel()
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s (%v)", step.what, err))
		}
	}
	t.undo = nil
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("%w: tenant %q: not undone: %s", store.ErrIncompleteRollback, t.ts.id, strings.Join(failed, "; ")))
	}
	for name := range t.touched {
		if err := t.ts.reconcile(ctx, name); err != nil {
			// Extra indexes cost space and, if unique, refuse values the
			// committed definition allows: say so, though no data is
			// wrong.
			errs = append(errs, fmt.Errorf("restore indexes of %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// afterCommit drops what the committed definitions no longer need. A
// failure leaves extra indexes or a deleted object's collection, which
// the next save of the object clears; it is logged, not returned, as the
// transaction did commit.
func (t *tx) afterCommit(ctx context.Context) {
	for name := range t.touched {
		if err := t.ts.reconcile(ctx, name); err != nil {
			t.s.log.Warn("drop indexes or collection no longer declared", "tenant", t.ts.id, "object", name, "err", err)
		}
	}
}

// Insert implements [store.Tx].
func (t *tx) Insert(ctx context.Context, obj *schema.Object, rec store.Record) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("insert record: %w", err)
	}
	if rec.ID == "" {
		return fmt.Errorf("insert %s record: empty id", obj.Name)
	}
	doc, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, err)
	}
	coll := t.records(obj)
	if err := t.mayAddDue(ctx, obj.Name); err != nil {
		return err
	}
	t.wrote[obj.Name] = true
	octx, cancel := t.s.op(ctx)
	defer cancel()
	if _, err := coll.InsertOne(t.sessCtx(octx), doc); err != nil {
		return fmt.Errorf("insert %s record %q: %w", obj.Name, rec.ID, t.writeError(octx, obj, rec, true, err))
	}
	t.onUndo(fmt.Sprintf("insert %s record %q", obj.Name, rec.ID), func(ctx context.Context) error {
		_, err := coll.DeleteOne(ctx, bson.D{
			equality(keyID, rec.ID),
			equality(keyVersion, rec.Version),
		})
		return err
	})
	return nil
}

// Update implements [store.Tx].
func (t *tx) Update(ctx context.Context, obj *schema.Object, rec store.Record, expectedVersion int64) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	doc, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, err)
	}
	coll := t.records(obj)
	filter := bson.D{
		equality(keyID, rec.ID),
		equality(keyVersion, expectedVersion),
	}
	if err := t.mayAddDue(ctx, obj.Name); err != nil {
		return err
	}
	t.wrote[obj.Name] = true
	octx, cancel := t.s.op(ctx)
	defer cancel()
	if !t.compensate {
		res, err := coll.ReplaceOne(t.sessCtx(octx), filter, doc)
		if err != nil {
			return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, t.writeError(octx, obj, rec, false, err))
		}
		if res.MatchedCount == 0 {
			return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, t.missingOrMoved(octx, obj, rec.ID, expectedVersion))
		}
		return nil
	}
	old, err := coll.FindOneAndReplace(octx, filter, doc, options.FindOneAndReplace().SetReturnDocument(options.Before)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, t.missingOrMoved(octx, obj, rec.ID, expectedVersion))
	}
	if err != nil {
		return fmt.Errorf("update %s record %q: %w", obj.Name, rec.ID, t.writeError(octx, obj, rec, false, err))
	}
	t.onUndo(fmt.Sprintf("update %s record %q", obj.Name, rec.ID), func(ctx context.Context) error {
		_, err := coll.ReplaceOne(ctx, bson.D{
			equality(keyID, rec.ID),
			equality(keyVersion, rec.Version),
		}, old)
		return err
	})
	return nil
}

// missingOrMoved explains an update that matched nothing.
func (t *tx) missingOrMoved(ctx context.Context, obj *schema.Object, id string, expected int64) error {
	var d struct {
		Version int64 `bson:"v"`
	}
	err := t.records(obj).FindOne(t.sessCtx(ctx), eq(keyID, id), options.FindOne().SetProjection(bson.D{{Key: keyVersion, Value: int32(1)}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.ErrNotFound
	}
	if err != nil {
		return t.s.fail(ctx, err)
	}
	return fmt.Errorf("version is %d, not %d: %w", d.Version, expected, store.ErrConflict)
}

// Delete implements [store.Tx].
func (t *tx) Delete(ctx context.Context, obj *schema.Object, id string) error {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("delete record: %w", err)
	}
	coll := t.records(obj)
	if err := t.mayAddDue(ctx, obj.Name); err != nil {
		return err
	}
	t.wrote[obj.Name] = true
	octx, cancel := t.s.op(ctx)
	defer cancel()
	if !t.compensate {
		res, err := coll.DeleteOne(t.sessCtx(octx), eq(keyID, id))
		if err != nil {
			return fmt.Errorf("delete %s record %q: %w", obj.Name, id, t.s.fail(octx, err))
		}
		if res.DeletedCount == 0 {
			return fmt.Errorf("delete %s record %q: %w", obj.Name, id, store.ErrNotFound)
		}
		return nil
	}
	old, err := coll.FindOneAndDelete(octx, eq(keyID, id)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("delete %s record %q: %w", obj.Name, id, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete %s record %q: %w", obj.Name, id, t.s.fail(octx, err))
	}
	t.onUndo(fmt.Sprintf("delete %s record %q", obj.Name, id), func(ctx context.Context) error {
		_, err := coll.InsertOne(ctx, old)
		return err
	})
	return nil
}

// NextSequence implements [store.Tx]. In a server transaction a
// rolled-back number is given back by the abort; in a compensated one by
// decrementing the counter again, which holds as long as this process is
// the only writer of the tenant (see the package documentation).
func (t *tx) NextSequence(ctx context.Context, name string) (int64, error) {
	seqs := t.db.Collection(collSequences)
	var d struct {
		Value int64 `bson:"value"`
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		err = t.inTx(ctx, func(ctx context.Context) error {
			return seqs.FindOneAndUpdate(ctx, eq(keyID, name),
				bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: int64(1)}}}},
				options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&d)
		})
		// Two first uses racing to create the counter: one upsert loses
		// with a duplicate key and finds the counter on its second try.
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return 0, fmt.Errorf("next value of sequence %q: %w", name, err)
	}
	n := d.Value
	t.onUndo(fmt.Sprintf("take number %d of sequence %q", n, name), func(ctx context.Context) error {
		res, err := seqs.UpdateOne(ctx, bson.D{
			equality(keyID, name),
			equality("value", n),
		}, bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: int64(-1)}}}})
		if err == nil && res.MatchedCount == 0 {
			err = errors.New("the counter has moved on; the number stays used")
		}
		return err
	})
	return n, nil
}

// writeError explains a failed insert or replace of rec: an existing id
// is [store.ErrConflict] and a taken unique value a [*store.UniqueError].
// MongoDB names the index of a duplicate key; FerretDB does not (and
// reports a unique clash on update as an internal error), so when the
// server does not say, the adapter looks for the clash itself.
func (t *tx) writeError(ctx context.Context, obj *schema.Object, rec store.Record, insert bool, err error) error {
	if ctx.Err() != nil || isUnreachable(err) || mongo.IsTimeout(err) {
		return t.s.fail(ctx, err)
	}
	specs, _ := indexSpecs(obj)
	dup := mongo.IsDuplicateKeyError(err)
	if dup {
		switch name := duplicateIndex(err); name {
		case "":
		case "_id_":
			return store.ErrConflict
		default:
			for _, s := range specs {
				if s.Name == name {
					return &store.UniqueError{Object: obj.Name, Fields: s.Fields}
				}
			}
		}
	}
	// Look outside the transaction: a failed write may have aborted it.
	probe := reader{s: t.s, db: t.db}
	if insert {
		if _, gerr := probe.Get(ctx, obj, rec.ID); gerr == nil {
			return store.ErrConflict
		}
	}
	if fields := probe.clash(ctx, obj, rec, specs); fields != nil {
		return &store.UniqueError{Object: obj.Name, Fields: fields}
	}
	if dup {
		return &store.UniqueError{Object: obj.Name}
	}
	return t.s.fail(ctx, err)
}

// clash returns the fields of the first unique index under which another
// record has rec's values, nil if none.
func (r reader) clash(ctx context.Context, obj *schema.Object, rec store.Record, specs []indexSpec) []string {
	for _, s := range specs {
		if !s.Unique {
			continue
		}
		conds := []cond{negate(cmp(keyID, cmpEq, rec.ID))}
		complete := true
		for i, f := range s.Fields {
			v, ok := rec.Data[f]
			if !ok || v == nil {
				complete = false
				break
			}
			ev, err := encodeValue(v, 1)
			if err != nil {
				complete = false
				break
			}
			conds = append(conds, cmp(s.Keys[i], cmpEq, ev))
		}
		if !complete {
			continue
		}
		octx, cancel := r.s.op(ctx)
		n, err := r.records(obj).CountDocuments(octx, allOf(conds...).render(), options.Count().SetLimit(1))
		cancel()
		if err == nil && n > 0 {
			return s.Fields
		}
	}
	return nil
}

// BumpMetaRevision implements [store.Tx]: the revision grows with the
// metadata versions when the transaction commits.
func (t *tx) BumpMetaRevision(context.Context) error {
	t.bumps++
	return nil
}
