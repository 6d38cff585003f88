package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// MaxBulkWrites is how many writes one [Engine.WriteRecords] call may
// carry; more is BAD_REQUEST naming the number.
const MaxBulkWrites = 500

// bulkTxWrites is how many writes one transaction of a call that is not
// atomic carries, each under its own savepoint: one commit (one fsync)
// for all of them. It is the whole call, as an atomic call's: at about
// 150 µs of CPU a create, 500 hold the tenant's writer for about 75 ms
// (transactions of 100 cost a fifth more CPU a record in commits).
const bulkTxWrites = MaxBulkWrites

// bulkSavepoint names the savepoint of each write of a call that is not
// atomic: one name, since each is closed before the next opens (a store
// may then prepare its statements once).
const bulkSavepoint = "bulk_write"

// BulkAction is what one write of [Engine.WriteRecords] does.
type BulkAction string

// Bulk actions.
const (
	BulkCreate BulkAction = "create"
	BulkUpdate BulkAction = "update"
	// BulkUpsert updates the record that the write matches (by id, or by
	// the unique field [BulkOptions.By] names) and creates one when none
	// matches.
	BulkUpsert BulkAction = "upsert"
	BulkDelete BulkAction = "delete"
)

// Outcomes of one write of [Engine.WriteRecords].
const (
	OutcomeCreated = "created"
	OutcomeUpdated = "updated"
	OutcomeDeleted = "deleted"
	OutcomeFailed  = "failed"
	// OutcomeNotApplied: the write of an atomic call was undone, or never
	// run, because another write of the call failed.
	OutcomeNotApplied = "notApplied"
)

// BulkWrite is one write of [Engine.WriteRecords].
type BulkWrite struct {
	Action BulkAction
	// ID names the record of an update or delete. An upsert matches on it
	// when [BulkOptions.By] is "": without one it creates, and an id that
	// names no record the actor sees is NOT_FOUND (records get their ids
	// from the engine, never from the caller).
	ID string
	// Data is the input of a create, and the patch of an update (absent
	// fields are kept, null clears one). An upsert's is the patch of the
	// record it updates, and the input of the one it creates (without its
	// nulls).
	Data map[string]any
	// Version, for an update or delete, must be the stored version when
	// not nil, as for [Engine.UpdateRecord].
	Version *int64
}

// BulkOptions say how [Engine.WriteRecords] runs its writes.
type BulkOptions struct {
	// Atomic runs every write in one transaction: the first failure
	// undoes them all. The zero value lets each write land or not on its
	// own.
	Atomic bool
	// By is the unique field of the object that an upsert matches
	// existing records on; "" matches on the record id.
	By string
	// SkipAutomations runs the writes without the object's automations
	// (field actions, webhooks, notifications, time triggers), as a
	// migration of records that already went through them elsewhere
	// wants; validation, rules, scripts, formulas and roll-ups still run.
	// Administrators only.
	SkipAutomations bool
	// dryRun runs the writes as a call that is not atomic would, in one
	// transaction that is then rolled back (see bulkRun.runDry): the
	// results say what the writes would do, nothing is kept. Only an
	// import's dry run sets it.
	dryRun bool
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run: roll back")

// errNoDryRun says that the store cannot roll a dry run back.
var errNoDryRun = errors.New("the store cannot roll a dry run back")

// BulkResult is what became of one write of [Engine.WriteRecords].
type BulkResult struct {
	// Outcome is one of the Outcome* constants.
	Outcome string
	// ID is the record's id: the one written, or the one the write named.
	ID string
	// Record is the committed record as a single write answers it (as
	// the actor may see it); zero for deletes and failures.
	Record store.Record
	// Err is the engine's typed error of a failed write (VALIDATION_FAILED
	// with its fields, NOT_FOUND, CONFLICT, FORBIDDEN …).
	Err error
}

// WriteRecords runs many writes of one object's records in one call and
// answers one result per write, in input order. Each write gets exactly
// what [Engine.CreateRecord], [Engine.UpdateRecord] and
// [Engine.DeleteRecord] give a single one: the role's and the sharing's
// permissions record by record, field rules, validation, rules, scripts,
// automations, roll-ups, the audit trail and the outbox.
//
// Not atomic, each write lands or not on its own: the writes share
// transactions of up to [bulkTxWrites] writes, each under a savepoint
// where the store has them ([store.Savepointer]; one transaction per
// write otherwise), and a failed write's savepoint is rolled back with
// whatever its scripts and automations wrote. Atomic, they share one
// transaction, and the first failure leaves every other write
// [OutcomeNotApplied] and nothing written; an atomic call whose
// transaction fails as a whole returns the error.
//
// The call itself fails, before anything runs, with BAD_REQUEST for more
// than [MaxBulkWrites] writes, an unknown action, an update or delete
// without an id, or a By that is not a unique field the actor may read.
func (e *Engine) WriteRecords(ctx context.Context, object string, writes []BulkWrite, opts BulkOptions) ([]BulkResult, error) {
	if len(writes) > MaxBulkWrites {
		return nil, errorOf(ErrBadRequest, nil, "bulk.tooMany", len(writes), MaxBulkWrites)
	}
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return nil, err
	}
	if err := checkBulkWrites(writes); err != nil {
		return nil, err
	}
	if opts.SkipAutomations {
		if !w.actor.Admin {
			return nil, errorOf(ErrForbidden, nil, "bulk.skipAutomationsAdminOnly")
		}
		w.skipAutomations = true
	}
	if err := w.checkUpsertKey(obj, opts.By); err != nil {
		return nil, err
	}
	w.auditBuf = &auditBuffer{}
	b := &bulkRun{w: w, obj: obj, writes: writes, by: opts.By, quiet: w.quiet(),
		results: make([]BulkResult, len(writes)), checked: make([]map[string]any, len(writes)), checkErr: make([]error, len(writes))}
	if b.quiet && onlyCreates(writes) {
		w.lookupMemo = &lookupMemo{}
	}
	if b.quiet && canDryRun(w.ts) {
		w.numbers = &numberRun{}
	}
	var pending []int
	if b.quiet && !opts.Atomic && !opts.dryRun && canDryRun(w.ts) {
		pending = b.checkCreatesAhead(ctx)
		defer b.waitChecks()
	} else {
		pending = b.checkCreates(ctx)
	}
	switch {
	case opts.dryRun:
		if err := b.runDry(ctx, pending); err != nil {
			return nil, err
		}
	case opts.Atomic:
		if err := b.runAtomic(ctx, pending); err != nil {
			return nil, err
		}
	default:
		b.runBatched(ctx, pending)
	}
	return b.results, nil
}

// onlyCreates reports whether every write creates.
func onlyCreates(writes []BulkWrite) bool {
	for _, wr := range writes {
		if wr.Action != BulkCreate {
			return false
		}
	}
	return true
}

// fresh readies the writer's buffers for a transaction that starts (or
// runs again).
func (b *bulkRun) fresh() {
	b.w.auditBuf.undo(0)
	b.w.deadBlobs = nil
	if b.w.lookupMemo != nil {
		b.w.lookupMemo.reset()
	}
	if b.w.numbers != nil {
		b.w.numbers.undo(nil)
	}
}

// bulkMark is the state of the writer's buffers before a write.
type bulkMark struct {
	audit   int
	numbers numbersMark
	blobs   int // len(deadBlobs): a file delete undone keeps its blob
}

// mark takes the state of the writer's buffers before a write.
func (b *bulkRun) mark() bulkMark {
	m := bulkMark{audit: b.w.auditBuf.mark(), blobs: len(b.w.deadBlobs)}
	if b.w.numbers != nil {
		m.numbers = b.w.numbers.mark()
	}
	return m
}

// undone forgets what the writes undone since m left in the writer's
// buffers.
func (b *bulkRun) undone(m bulkMark) {
	b.w.auditBuf.undo(m.audit)
	b.w.deadBlobs = b.w.deadBlobs[:m.blobs]
	if b.w.lookupMemo != nil {
		b.w.lookupMemo.reset()
	}
	if b.w.numbers != nil {
		b.w.numbers.undo(m.numbers)
	}
}

// flush stores what the writer's buffers hold, before the transaction
// commits.
func (b *bulkRun) flush(ctx context.Context, tx store.Tx) error {
	if err := b.w.flushNumbers(ctx, tx); err != nil {
		return err
	}
	return b.w.flushAudit(ctx, tx)
}

// checkBulkWrites refuses writes that cannot be run at all.
func checkBulkWrites(writes []BulkWrite) error {
	for i, wr := range writes {
		switch wr.Action {
		case BulkCreate, BulkUpsert:
		case BulkUpdate, BulkDelete:
			if wr.ID == "" {
				return errorOf(ErrBadRequest, nil, "bulk.needsID", i, string(wr.Action))
			}
		default:
			return errorOf(ErrBadRequest, nil, "bulk.unknownAction", i, string(wr.Action))
		}
	}
	return nil
}

// checkUpsertKey refuses a By that names no unique field of obj, or one
// whose values the actor may not read (matching on it would tell them).
func (w *writer) checkUpsertKey(obj *schema.Object, by string) error {
	if by == "" {
		return nil
	}
	f := obj.Field(by)
	if f == nil || f.Hidden {
		return errorOf(ErrBadRequest, nil, "bulk.noSuchKey", obj.Name, by, labelZh(obj))
	}
	if !f.Unique {
		return errorOf(ErrBadRequest, nil, "bulk.keyNotUnique", obj.Name, by, labelZh(obj))
	}
	match := store.Leaf(by, store.OpEq, "")
	return w.snap.readRules(w.actor, obj).check(&match, nil)
}

// bulkRun is one WriteRecords call under way.
type bulkRun struct {
	w       *writer
	obj     *schema.Object
	writes  []BulkWrite
	by      string
	results []BulkResult
	// checked holds the data of each create that passed its checks.
	checked []map[string]any
	// quiet: nothing but a write itself changes its record in the
	// transaction (see writer.quiet), so a create answers with the record
	// it inserted instead of reading it back.
	quiet bool
	// ready, when the checks of the creates run ahead (checkCreatesAhead),
	// has a channel for each create, closed once its checks are done;
	// checkErr holds a failed check's error, and checksDone is closed when
	// the checks are all done.
	ready      []chan struct{}
	checkErr   []error
	checksDone chan struct{}
	// encoded holds, for a create checked ahead whose data the writer
	// will not change (encodeAhead), its data in the store's stored form,
	// made beside the writer ([store.DataEncoder]).
	encoded []any
}

// quiet reports that no write of w can change records beyond its own:
// no object of the tenant has scripts, and none has automations that
// run (w skips them, or there are none). A record a create inserted is
// then the committed one; roll-ups change only the records it looks up.
func (w *writer) quiet() bool {
	for _, o := range w.snap.catalog.Objects {
		if len(o.Scripts) > 0 || (len(o.Automations) > 0 && !w.skipAutomations) {
			return false
		}
	}
	return true
}

// checkCreates runs the checks of the creates that need no transaction,
// as CreateRecord does before its own, and returns the writes still to
// run, in input order.
func (b *bulkRun) checkCreates(ctx context.Context) []int {
	pending := make([]int, 0, len(b.writes))
	for i, wr := range b.writes {
		if wr.Action != BulkCreate {
			pending = append(pending, i)
			continue
		}
		err := b.w.snap.mayDo(b.w.actor, b.obj, "create")
		if err == nil {
			b.checked[i], err = b.w.checkNew(ctx, b.w.ts, b.obj, wr.Data)
		}
		if err != nil {
			b.fail(i, "create", err)
			continue
		}
		pending = append(pending, i)
	}
	return pending
}

// checkCreatesAhead runs the checks of the creates as checkCreates
// does, but in a goroutine of its own, in input order, while the writes
// already checked are stored: the writer connection need not wait for a
// create's validation, normalising and formulas, which take about a
// fifth of a bulk create's CPU. It returns every write as pending; the
// transaction waits for a create's checks before running it (waitCheck)
// and passes over one that failed them. Only quiet calls that are not
// atomic (no script can read what the transaction wrote, and a failed
// check fails that write alone) on a store whose reads outside a
// transaction see only what is committed ([store.TxIsolation]), as they
// did when every check ran before the transaction. The checks run on a
// copy of the writer without the transaction's buffers (lookup memo,
// numbers, audit entries), so that nothing the transaction uses is
// shared.
func (b *bulkRun) checkCreatesAhead(ctx context.Context) []int {
	pending := make([]int, len(b.writes))
	b.ready = make([]chan struct{}, len(b.writes))
	b.encoded = make([]any, len(b.writes))
	encode := encodeAhead(b.obj)
	for i := range b.writes {
		pending[i] = i
		if b.writes[i].Action == BulkCreate {
			b.ready[i] = make(chan struct{})
		}
	}
	cw := *b.w
	cw.lookupMemo, cw.numbers, cw.auditBuf, cw.deadBlobs, cw.written = nil, nil, nil, nil, nil
	b.checksDone = make(chan struct{})
	go func() {
		defer close(b.checksDone)
		for i, wr := range b.writes {
			if wr.Action != BulkCreate {
				continue
			}
			b.checked[i], b.checkErr[i] = b.checkCreate(ctx, &cw, wr)
			if encode && b.checkErr[i] == nil {
				b.encoded[i] = store.EncodeData(cw.ts, b.obj, b.checked[i])
			}
			close(b.ready[i])
		}
	}()
	return pending
}

// checkCreate runs the checks of one create on w.
func (b *bulkRun) checkCreate(ctx context.Context, w *writer, wr BulkWrite) (data map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil { // a panic in a goroutine would end the process
			data, err = nil, fmt.Errorf("check a create of %s: %v", b.obj.Name, p)
		}
	}()
	if err := w.snap.mayDo(w.actor, b.obj, "create"); err != nil {
		return nil, err
	}
	data, err = w.checkNew(ctx, w.ts, b.obj, wr.Data)
	if err != nil {
		return nil, err
	}
	return schema.Normalize(b.obj, data), nil // as create would, here rather than on the writer's path
}

// encodeAhead reports whether the data of obj's creates, once checked
// ahead, is what the writer inserts, so that it may be encoded ahead:
// on the writer's path only autonumbers fill values into it, and the
// field actions of automations, after which createNormal encodes it
// again (a single create's, CreateRecord).
func encodeAhead(obj *schema.Object) bool {
	for _, f := range obj.Fields {
		if f.Type == schema.TypeAutoNumber {
			return false
		}
	}
	return true
}

// waitCheck waits for the checks of write i when they run ahead
// (checkCreatesAhead) and reports whether it failed them (its result
// then says why).
func (b *bulkRun) waitCheck(i int) bool {
	if b.ready == nil || b.ready[i] == nil {
		return false
	}
	<-b.ready[i]
	if err := b.checkErr[i]; err != nil {
		if b.results[i].Outcome != OutcomeFailed {
			b.fail(i, "create", err)
		}
		return true
	}
	return false
}

// waitChecks waits for the checks running ahead to end, and records the
// failures of those no transaction reached.
func (b *bulkRun) waitChecks() {
	if b.checksDone == nil {
		return
	}
	<-b.checksDone
	for i := range b.writes {
		if b.ready[i] != nil && b.checkErr[i] != nil && b.results[i].Outcome != OutcomeFailed {
			b.fail(i, "create", b.checkErr[i])
		}
	}
}

// fail records the failure of write i (op names it in errors).
func (b *bulkRun) fail(i int, op string, err error) {
	_, err = b.w.answer(b.obj, op, store.Record{}, err)
	b.results[i] = BulkResult{Outcome: OutcomeFailed, ID: b.writes[i].ID, Err: err}
}

// runBatched runs the pending writes of a call that is not atomic.
func (b *bulkRun) runBatched(ctx context.Context, pending []int) {
	// hopeful: the writes of a transaction run without a savepoint each
	// until one fails; then the transaction is rolled back and run again
	// with savepoints, as are the call's later transactions (a call with
	// one failure is likely to have more). Two statements fewer a write
	// when none fails, the same results when one does.
	hopeful := true
	for len(pending) > 0 {
		took := 0
		err := b.w.ts.WithTx(ctx, func(tx store.Tx) error {
			took = 0
			b.fresh() // a transaction run again starts afresh
			if err := b.prefetchLookups(ctx, tx, pending); err != nil {
				return err
			}
			sp, savepoints := tx.(store.Savepointer)
			for _, i := range pending {
				if took == bulkTxWrites || (!savepoints && took == 1) {
					break
				}
				took++
				if b.waitCheck(i) {
					continue
				}
				if !savepoints {
					// The write's own transaction is its savepoint.
					if err := b.apply(ctx, tx, i); err != nil {
						return err
					}
					continue
				}
				if hopeful {
					if err := b.apply(ctx, tx, i); err != nil {
						return errWithSavepoints
					}
					continue
				}
				if err := sp.Savepoint(ctx, bulkSavepoint); err != nil {
					return err
				}
				mark := b.mark()
				if err := b.apply(ctx, tx, i); err != nil {
					if rerr := sp.RollbackTo(ctx, bulkSavepoint); rerr != nil {
						return rerr
					}
					b.undone(mark)
					continue
				}
				if err := sp.Release(ctx, bulkSavepoint); err != nil {
					return err
				}
			}
			return b.flush(ctx, tx)
		})
		if errors.Is(err, errWithSavepoints) {
			// Nothing of the transaction stays; its writes run again,
			// each under its savepoint, and every result is written anew.
			hopeful = false
			continue
		}
		if err == nil {
			b.w.dropDeadBlobs(ctx) // files the committed writes deleted
		} else {
			b.w.deadBlobs = nil
			b.waitChecks() // none still writes a result
			// Nothing of this transaction stays: the writes that had
			// landed in it, or were under way, fail with it; those that
			// failed on their own keep their reason.
			for _, i := range pending[:took] {
				if b.results[i].Outcome != OutcomeFailed {
					b.fail(i, string(b.writes[i].Action), err)
				}
			}
			if took == 0 {
				// The transaction did not even start: neither will the
				// next ones.
				for _, i := range pending {
					if b.results[i].Outcome != OutcomeFailed {
						b.fail(i, string(b.writes[i].Action), err)
					}
				}
				return
			}
		}
		pending = pending[took:]
	}
}

// errWithSavepoints rolls back a transaction of runBatched whose writes
// ran without savepoints when one of them failed, to run them again with
// savepoints.
var errWithSavepoints = errors.New("engine: a bulk write failed: run the transaction again with savepoints")

// canDryRun reports whether a dry run can run real writes and roll them
// back on ts: its transactions must be isolated ([store.TxIsolation]),
// so that no one sees the writes meanwhile and nothing stays, and have
// savepoints (checked in the transaction).
func canDryRun(ts store.TenantStore) bool {
	iso, ok := ts.(store.TxIsolation)
	return ok && iso.IsolatedTx()
}

// runDry runs the pending writes each under its savepoint, as runBatched
// does, all in one transaction that is then rolled back: the results say
// what each write would do (its scripts, rules, unique checks against
// the stored records and the earlier writes of the call), and nothing
// stays — records, audit, outbox, timers, numbers. The call fails with
// errNoDryRun, having run nothing, on a store without savepoints.
func (b *bulkRun) runDry(ctx context.Context, pending []int) error {
	if !canDryRun(b.w.ts) {
		return errNoDryRun
	}
	err := b.w.ts.WithTx(ctx, func(tx store.Tx) error {
		b.fresh()
		sp, ok := tx.(store.Savepointer)
		if !ok {
			return errNoDryRun
		}
		for _, i := range pending {
			if err := sp.Savepoint(ctx, bulkSavepoint); err != nil {
				return err
			}
			mark := b.mark()
			if err := b.apply(ctx, tx, i); err != nil {
				if rerr := sp.RollbackTo(ctx, bulkSavepoint); rerr != nil {
					return rerr
				}
				b.undone(mark)
				continue
			}
			if err := sp.Release(ctx, bulkSavepoint); err != nil {
				return err
			}
		}
		return errDryRun
	})
	b.w.deadBlobs = nil // rolled back: every file stays
	switch {
	case errors.Is(err, errDryRun):
		return nil
	case errors.Is(err, errNoDryRun):
		return errNoDryRun
	case err != nil:
		_, err = b.w.answer(b.obj, "write", store.Record{}, err)
		return err
	}
	return errors.New("dry run: the transaction was not rolled back") // unreachable: fn never returns nil
}

// runAtomic runs the pending writes in one transaction that the first
// failure undoes. A write that failed its checks before (a create) fails
// the call at once.
func (b *bulkRun) runAtomic(ctx context.Context, pending []int) error {
	failed := len(pending) < len(b.writes)
	if !failed {
		err := b.w.ts.WithTx(ctx, func(tx store.Tx) error {
			b.fresh() // a transaction run again starts afresh
			if err := b.prefetchLookups(ctx, tx, pending); err != nil {
				return err
			}
			for _, i := range pending {
				if err := b.apply(ctx, tx, i); err != nil {
					failed = true
					return err
				}
			}
			return b.flush(ctx, tx)
		})
		if err == nil {
			b.w.dropDeadBlobs(ctx) // files the committed writes deleted
		}
		b.w.deadBlobs = nil
		if err != nil && !failed {
			_, err = b.w.answer(b.obj, "write", store.Record{}, err)
			return err
		}
	}
	if failed {
		for i := range b.results {
			if b.results[i].Outcome != OutcomeFailed {
				b.results[i] = BulkResult{Outcome: OutcomeNotApplied, ID: b.writes[i].ID}
			}
		}
	}
	return nil
}

// apply runs write i in tx and records its result; the error says that
// it failed (its result says why).
func (b *bulkRun) apply(ctx context.Context, tx store.Tx, i int) error {
	wr := b.writes[i]
	var (
		rec     store.Record
		outcome string
		op      = string(wr.Action)
		err     error
	)
	switch wr.Action {
	case BulkCreate:
		outcome = OutcomeCreated
		if b.quiet {
			if m := b.w.lookupMemo; m != nil {
				m.on = true
			}
			if b.ready != nil {
				rec, err = b.w.createNormal(ctx, tx, b.obj, b.checked[i], b.encoded[i]) // normalised and encoded by checkCreate
			} else {
				rec, err = b.w.create(ctx, tx, b.obj, b.checked[i])
			}
			if m := b.w.lookupMemo; m != nil {
				m.on = false
			}
		} else {
			rec, err = b.w.insertChecked(ctx, tx, b.obj, b.checked[i])
		}
	case BulkUpdate:
		outcome = OutcomeUpdated
		if err = b.w.snap.mayDo(b.w.actor, b.obj, "update"); err == nil {
			rec, err = b.w.patchRecord(ctx, tx, b.obj, wr.ID, wr.Data, wr.Version)
		}
	case BulkDelete:
		outcome = OutcomeDeleted
		if err = b.w.snap.mayDo(b.w.actor, b.obj, "delete"); err == nil {
			err = b.w.eraseRecord(ctx, tx, b.obj, wr.ID, wr.Version)
		}
		rec = store.Record{ID: wr.ID}
	case BulkUpsert:
		rec, outcome, err = b.upsert(ctx, tx, wr)
		if outcome == OutcomeCreated {
			op = "create"
		} else {
			op = "update"
		}
	}
	if err != nil {
		b.fail(i, op, err)
		return err
	}
	if outcome == OutcomeDeleted {
		b.results[i] = BulkResult{Outcome: outcome, ID: rec.ID}
		return nil
	}
	rec, _ = b.w.answer(b.obj, op, rec, nil)
	b.results[i] = BulkResult{Outcome: outcome, ID: rec.ID, Record: rec}
	return nil
}

// upsert updates the record wr matches, or creates one when none does.
func (b *bulkRun) upsert(ctx context.Context, tx store.Tx, wr BulkWrite) (store.Record, string, error) {
	cur, found, err := b.match(ctx, tx, wr)
	if err != nil {
		return store.Record{}, OutcomeUpdated, err
	}
	if found {
		if err := b.w.snap.mayDo(b.w.actor, b.obj, "update"); err != nil {
			return store.Record{}, OutcomeUpdated, err
		}
		rec, err := b.w.patchCurrent(ctx, tx, b.obj, cur, wr.Data)
		return rec, OutcomeUpdated, err
	}
	if err := b.w.snap.mayDo(b.w.actor, b.obj, "create"); err != nil {
		return store.Record{}, OutcomeCreated, err
	}
	input := make(map[string]any, len(wr.Data))
	for k, v := range wr.Data {
		if v != nil {
			input[k] = v
		}
	}
	data, err := b.w.checkNew(ctx, tx, b.obj, input)
	if err != nil {
		return store.Record{}, OutcomeCreated, err
	}
	rec, err := b.w.insertChecked(ctx, tx, b.obj, data)
	return rec, OutcomeCreated, err
}

// match finds the record an upsert updates: the one its id names, or the
// one whose By field holds the input's value as the unique index compares
// it. A record the actor may not see does not match: creating then meets
// the unique value, as a create would.
func (b *bulkRun) match(ctx context.Context, tx store.Tx, wr BulkWrite) (store.Record, bool, error) {
	if b.by == "" {
		if wr.ID == "" {
			return store.Record{}, false, nil
		}
		cur, err := changeable(ctx, tx, b.w.snap, b.w.actor, b.obj, wr.ID)
		return cur, err == nil, err
	}
	key, ok := schema.Normalize(b.obj, map[string]any{b.by: wr.Data[b.by]})[b.by]
	if !ok {
		return store.Record{}, false, nil // no value: nothing to match
	}
	match := store.Leaf(b.by, store.OpEq, key)
	page, err := tx.Find(ctx, b.obj, store.Query{Filter: &match, Limit: 1})
	if err != nil {
		return store.Record{}, false, queryFailed(b.obj, err)
	}
	if len(page.Records) == 0 {
		return store.Record{}, false, nil
	}
	cur, err := changeable(ctx, tx, b.w.snap, b.w.actor, b.obj, page.Records[0].ID)
	if errors.Is(err, ErrNotFound) {
		return store.Record{}, false, nil
	}
	return cur, err == nil, err
}

// lookupMemo keeps, while the creates of one bulk call run in their
// transaction, the records their lookups named, so that the 500 deals of
// one account cost one read of it instead of 500. Whoever sets it
// resets it when a transaction starts and whenever a write's savepoint
// is rolled back, and turns it on only around writes that no script or
// automation runs with (quiet) and that create: nothing else then
// deletes records or changes their owners in the transaction, which is
// what a lookup's check looks at (existence, and sharing by owner).
type lookupMemo struct {
	on   bool
	recs map[string]map[string]store.Record // object → id → record
}

// reset forgets every record (a new transaction, or writes undone).
func (m *lookupMemo) reset() { clear(m.recs) }

// lookupRecords is r.GetMany(target, ids), through the writer's
// lookupMemo when it is on.
func (w *writer) lookupRecords(ctx context.Context, r store.Reader, target *schema.Object, ids []string) ([]store.Record, error) {
	m := w.lookupMemo
	if m == nil || !m.on {
		return r.GetMany(ctx, target, ids)
	}
	known := m.recs[target.Name]
	out := make([]store.Record, 0, len(ids))
	var missing []string
	for _, id := range ids {
		if rec, ok := known[id]; ok {
			out = append(out, rec)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := r.GetMany(ctx, target, missing)
	if err != nil {
		return nil, err
	}
	if known == nil {
		if m.recs == nil {
			m.recs = map[string]map[string]store.Record{}
		}
		known = map[string]store.Record{}
		m.recs[target.Name] = known
	}
	for _, rec := range found {
		if _, dup := known[rec.ID]; !dup {
			known[rec.ID] = rec
			out = append(out, rec)
		}
	}
	return out, nil
}

// maxPrefetch bounds how many records of one target a transaction's
// prefetchLookups reads; the others are read when a write names them.
const maxPrefetch = 2 * MaxBulkWrites

// prefetchLookups fills the lookup memo, when it is on, with the records
// the creates among writes name in their lookups, in one read of each
// target at the start of the transaction instead of one read for each
// record the first time a create names it (500 deals naming 100
// accounts: one read instead of 100). It reads the ids as the callers
// gave them (a value the checks change is read when its create runs);
// what the memo holds means what it meant (see lookupMemo).
func (b *bulkRun) prefetchLookups(ctx context.Context, tx store.Tx, writes []int) error {
	m := b.w.lookupMemo
	if m == nil {
		return nil
	}
	for _, f := range b.obj.Fields {
		if k := f.Kind(); k != schema.KindLookup && k != schema.KindLookupList {
			continue
		}
		target := b.w.snap.catalog.Object(f.Target)
		if target == nil {
			continue
		}
		seen := map[string]bool{}
		var ids []string
		for _, i := range writes {
			if b.writes[i].Action != BulkCreate {
				continue
			}
			for _, id := range lookupIDs(b.writes[i].Data[f.Name]) {
				if id != "" && !seen[id] && len(ids) < maxPrefetch {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		m.on = true
		_, err := b.w.lookupRecords(ctx, tx, target, ids)
		m.on = false
		if err != nil {
			return fmt.Errorf("read the %s records %s.%s names: %w", target.Name, b.obj.Name, f.Name, err)
		}
	}
	return nil
}

// numberRun hands out the autonumbers of the creates of one bulk call's
// transaction: a counter's first number of the transaction comes from
// the store (tx.NextSequence, which also locks it there), the next ones
// from memory, and flush stores the last one given before the commit
// (store.SequenceSetter), one write a counter instead of one a record.
// The numbers are those one NextSequence a record would give, gap-free:
// a write whose savepoint is rolled back gives its numbers back (undo to
// the mark taken before it). Only creates that no script or automation
// runs with use it (quiet), on a store whose transactions are isolated,
// so that nothing else takes numbers of the counter meanwhile.
type numberRun struct {
	last map[string]int64 // counter → last number given in the transaction
}

// numbersMark is a numberRun's state before a write.
type numbersMark map[string]int64

func (n *numberRun) mark() numbersMark { return maps.Clone(n.last) }

// undo forgets the numbers given since m; a counter first used since m
// is read from the store again (its rolled-back savepoint undid that).
func (n *numberRun) undo(m numbersMark) { n.last = maps.Clone(m) }

// nextNumber is tx.NextSequence(name), through the writer's numberRun
// when there is one and tx can store a counter (store.SequenceSetter).
func (w *writer) nextNumber(ctx context.Context, tx store.Tx, name string) (int64, error) {
	n := w.numbers
	if n == nil {
		return tx.NextSequence(ctx, name)
	}
	if !canSetSequence(tx) {
		return tx.NextSequence(ctx, name)
	}
	if v, ok := n.last[name]; ok {
		n.last[name] = v + 1
		return v + 1, nil
	}
	v, err := tx.NextSequence(ctx, name)
	if err != nil {
		return 0, err
	}
	if n.last == nil {
		n.last = map[string]int64{}
	}
	n.last[name] = v
	return v, nil
}

// flushNumbers stores the last number given of each counter in tx.
func (w *writer) flushNumbers(ctx context.Context, tx store.Tx) error {
	n := w.numbers
	if n == nil || len(n.last) == 0 {
		return nil
	}
	setter, ok := tx.(store.SequenceSetter)
	if !ok || !canSetSequence(tx) {
		return nil // nextNumber used the store's own counters
	}
	for _, name := range slices.Sorted(maps.Keys(n.last)) {
		if err := setter.SetSequence(ctx, name, n.last[name]); err != nil {
			return fmt.Errorf("store counter %s: %w", name, err)
		}
	}
	clear(n.last)
	return nil
}

// canSetSequence reports whether tx can store a counter: it is a
// store.SequenceSetter, and one that says it reaches a store that has
// SetSequence when it passes the call on (the engine's sealing Tx).
func canSetSequence(tx store.Tx) bool {
	if _, ok := tx.(store.SequenceSetter); !ok {
		return false
	}
	if c, ok := tx.(interface{ CanSetSequence() bool }); ok {
		return c.CanSetSequence()
	}
	return true
}
