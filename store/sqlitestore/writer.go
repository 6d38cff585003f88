package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Group commit (issue 20, docs/decisions.md): the write transactions of
// one tenant file are run by one writer goroutine, which puts the ones
// queued together into one SQLite transaction: one BEGIN IMMEDIATE, one
// COMMIT, one fsync for them all. Each runs inside its own savepoint: one
// that fails (error, panic, cancelled context) is rolled back to its
// savepoint and fails alone, the others go on. A write is acknowledged
// (its WithTx returns nil) only after the shared commit, so with
// synchronous=FULL it is on disk when its caller hears of it. A write
// queued behind others sees what they wrote, as it would had they
// committed one after another.
const (
	// maxBatchWrites bounds how many writes share one commit.
	maxBatchWrites = 256
	// maxBatchTime bounds how long a batch takes new writes after its
	// first started: a stream of writes cannot keep the first ones from
	// their commit for longer (plus the time of the write running then).
	maxBatchTime = 10 * time.Millisecond
	// writeQueue bounds the writes waiting for the writer; more callers
	// wait to queue (or for their context to end).
	writeQueue = 1024
	// maxWriterStmts bounds the statements the writer keeps prepared
	// across transactions (writerStmts).
	maxWriterStmts = 512
)

// batchSavepoint names the savepoint around each write of a batch. It is
// not a name store.Savepointer accepts, so that no savepoint of the
// engine's can shadow it.
const batchSavepoint = `"sqlitestore write"`

// write request states: queued until the writer takes it, abandoned if
// its caller left first (context ended), running once taken.
const (
	writeQueued int32 = iota
	writeRunning
	writeAbandoned
)

// writeReq is one WithTx call waiting for, or run by, the writer.
type writeReq struct {
	ctx   context.Context
	fn    func(*tx) error
	state atomic.Int32
	// Set by the writer before done is closed.
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

// finish reports the outcome to the caller.
func (r *writeReq) finish(err error) {
	r.err = err
	close(r.done)
}

// groupWriter is the writer goroutine of one database and its queue.
type groupWriter struct {
	db   *sql.DB
	reqs chan *writeReq
	// maxWrites and maxTime are the batch bounds (maxBatchWrites,
	// maxBatchTime; tests change them).
	maxWrites int
	maxTime   time.Duration
	// commits counts the transactions committed, for tests.
	commits atomic.Int64
	// mu guards closed against sends on reqs after it was closed.
	mu      sync.RWMutex
	closed  bool
	stopped chan struct{} // closed when the writer goroutine has ended
	// cur is the batch the writer is running, for the goroutine's exit
	// path (a write that called runtime.Goexit).
	cur *batch
	// stmts are the statements of fixed text the writes used, prepared
	// on db and kept: a transaction takes them (sql.Tx.StmtContext) from
	// the one connection, where they are prepared already, instead of
	// preparing them again (a fifth of the CPU of a lone create). Only
	// the writer goroutine uses it.
	stmts map[string]*sql.Stmt
	// due tells the due index of the batches that may add due work
	// (due.go); nil for none.
	due *dueHook
	// ckpt runs the database's checkpoints off the writer's path
	// (checkpoint.go); nil when SQLite runs them in the commits.
	ckpt *checkpointer
	// watched: txGone is set by SQLite's rollback hook on the writer's
	// connection whenever a transaction ends rolled back (an explicit
	// ROLLBACK, or SQLite's own after some errors), so that a write run
	// without a savepoint of its own cannot have ended the transaction
	// unseen (batch.run). Without the hook every write takes a savepoint.
	watched bool
	txGone  atomic.Bool
}

// newGroupWriter starts the writer of db; with ckpt, its checkpoints run
// there (checkpoint.go).
func newGroupWriter(db *sql.DB, due *dueHook, ckpt *checkpointer) *groupWriter {
	w := &groupWriter{db: db, reqs: make(chan *writeReq, writeQueue), stopped: make(chan struct{}),
		maxWrites: maxBatchWrites, maxTime: maxBatchTime, stmts: map[string]*sql.Stmt{}, due: due}
	if ckpt != nil && ckpt.start(db) {
		w.ckpt = ckpt
	}
	w.watched = w.watchRollbacks()
	go w.run()
	return w
}

// watchRollbacks registers the rollback hook that sets txGone on the
// writer's one connection (kept for the pool's life: no lifetime, no
// idle limit); false when the driver offers none.
func (w *groupWriter) watchRollbacks() bool {
	ctx := context.Background()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	hooked := false
	_ = conn.Raw(func(dc any) error {
		if h, ok := dc.(interface{ RegisterRollbackHook(sqlite.RollbackHookFn) }); ok {
			h.RegisterRollbackHook(func() { w.txGone.Store(true) })
			hooked = true
		}
		return nil
	})
	return hooked
}

// do queues fn and waits for its outcome: nil once what fn wrote is
// committed, fn's error (nothing of it kept), or fn's panic, raised
// again here. If ctx ends while fn is still queued, do returns at once
// and fn never runs; once fn runs, do waits for it (a cancelled context
// fails its next statement) and, if it succeeded, for the commit.
func (w *groupWriter) do(ctx context.Context, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return fmt.Errorf("begin transaction: %w", errClosed)
	}
	select {
	case w.reqs <- r:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return fmt.Errorf("begin transaction: %w", ctx.Err())
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(writeQueued, writeAbandoned) {
			return fmt.Errorf("begin transaction: %w", ctx.Err())
		}
		<-r.done
	}
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

// close stops taking writes, lets the writer run and commit those
// already queued, and waits for it to end. Calls after the first wait
// too.
func (w *groupWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.stopped
	if w.ckpt != nil {
		w.ckpt.close()
	}
}

// run is the writer goroutine: it takes a write, then those queued
// behind it up to the bounds, and commits them together.
func (w *groupWriter) run() {
	exited := true
	defer func() {
		if !exited { // a write called runtime.Goexit: fail its batch, go on in a new goroutine
			if b := w.cur; b != nil {
				err := errors.New("transaction rolled back: a write ended its goroutine (runtime.Goexit)")
				b.fail(err)
				if r := b.running; r != nil {
					r.finish(err)
				}
			}
			w.cur = nil
			go w.run()
			return
		}
		for _, st := range w.stmts {
			_ = st.Close()
		}
		close(w.stopped)
	}()
	exited = false
	for first := range w.reqs {
		b := &batch{w: w, start: time.Now()}
		w.cur = b
		for r := first; r != nil; {
			b.run(r)
			if len(b.kept) >= w.maxWrites || time.Since(b.start) >= w.maxTime {
				break
			}
			select {
			case next, ok := <-w.reqs:
				if !ok {
					next = nil
				}
				r = next
			default:
				r = nil
			}
		}
		committed := b.commit()
		w.cur = nil
		w.keep(b.learned)
		if committed && w.ckpt != nil {
			w.ckpt.committed(w.db)
		}
	}
	exited = true
}

// batch is one transaction of the writer and the writes it holds.
type batch struct {
	w     *groupWriter
	start time.Time
	sqlTx *sql.Tx // nil until the first write begins it
	conn  txConn
	stmts *stmtCache
	// kept are the writes that succeeded so far; they wait for the commit.
	kept []*writeReq
	// written are the objects the kept writes changed; meta: one saved
	// or deleted an object definition or raised the metadata revision.
	written map[string]bool
	meta    bool
	// running is the write whose fn runs now.
	running *writeReq
	// learned are the statement texts prepared in the transaction that
	// the writer does not keep yet.
	learned []string
}

// prepare is the batch's statement cache's way to prepare: a statement
// the writer keeps is taken into the transaction as it is; another is
// prepared in the transaction and kept after it (keep).
func (b *batch) prepare(ctx context.Context, text string) (*sql.Stmt, error) {
	if st := b.w.stmts[text]; st != nil {
		return b.sqlTx.StmtContext(detach(ctx), st), nil
	}
	if len(b.w.stmts)+len(b.learned) < maxWriterStmts {
		b.learned = append(b.learned, text)
	}
	return b.conn.PrepareContext(ctx, text)
}

// keep prepares texts on the writer pool, once its connection is free
// again (between transactions), and keeps them.
func (w *groupWriter) keep(texts []string) {
	for _, text := range texts {
		if w.stmts[text] != nil {
			continue
		}
		st, err := w.db.PrepareContext(context.Background(), text)
		if err != nil {
			continue // prepared in each transaction then, as before
		}
		w.stmts[text] = st
	}
}

// begin starts the batch's transaction if it has none. The writer's own
// context, never a caller's: a caller's ending must not end the others'
// transaction.
func (b *batch) begin() error {
	if b.sqlTx != nil {
		return nil
	}
	sqlTx, err := b.w.db.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	b.w.txGone.Store(false)
	b.sqlTx = sqlTx
	b.conn = txConn{tx: sqlTx}
	// Statements prepared in the transaction are closed with it.
	b.stmts = newStmtCache(b.prepare)
	return nil
}

// run runs one write inside its own savepoint, or, when the transaction
// holds no other write that succeeded, inside the transaction alone: a
// failure then rolls the whole transaction back, which undoes exactly
// what a savepoint would, and a write that starts the transaction
// (a lone create, a bulk call, which fills its batch's 10 ms alone) pays
// neither the savepoint's two statements nor its journal: while a
// savepoint is open SQLite copies every page the first time it is
// changed (8 % of the server's CPU under a bulk load of 500 deals a
// call, `subjournalPage`).
func (b *batch) run(r *writeReq) {
	if !r.state.CompareAndSwap(writeQueued, writeRunning) {
		return // its caller left
	}
	if err := r.ctx.Err(); err != nil {
		r.finish(fmt.Errorf("begin transaction: %w", err))
		return
	}
	if err := b.begin(); err != nil {
		r.finish(err)
		return
	}
	alone := len(b.kept) == 0 && b.w.watched
	if !alone {
		if err := b.exec("SAVEPOINT " + batchSavepoint); err != nil {
			b.fail(fmt.Errorf("begin transaction: %w", err))
			r.finish(fmt.Errorf("begin transaction: %w", err))
			return
		}
	}
	t := &tx{records: records{q: b.conn, stmts: b.stmts, detached: true}, sqlTx: b.conn}
	b.running = r
	panicked, panicVal, err := call(r.fn, t)
	b.running = nil
	if err == nil && !panicked && r.ctx.Err() != nil {
		err = fmt.Errorf("commit transaction: %w", r.ctx.Err())
	}
	if err != nil || panicked {
		if alone {
			b.fail(err) // nothing else to keep: the transaction goes, the next write begins another
			r.panicked, r.panicVal = panicked, panicVal
			r.finish(err)
			return
		}
		rerr := b.exec("ROLLBACK TO " + batchSavepoint)
		if rerr == nil {
			rerr = b.exec("RELEASE " + batchSavepoint)
		}
		if rerr != nil {
			// The transaction is gone (SQLite rolls it back whole on
			// some errors): so are the writes before this one.
			b.fail(fmt.Errorf("transaction rolled back: %w", rerr))
		}
		r.panicked, r.panicVal = panicked, panicVal
		r.finish(err)
		return
	}
	if alone && b.w.txGone.Load() {
		// The write ended the transaction (or SQLite did, on an error the
		// write did not return): nothing of it is kept.
		err = errors.New("transaction rolled back under the write")
		b.fail(err)
		r.finish(err)
		return
	}
	if !alone {
		if err := b.exec("RELEASE " + batchSavepoint); err != nil {
			err = fmt.Errorf("transaction rolled back: %w", err)
			b.fail(err)
			r.finish(err)
			return
		}
	}
	b.kept = append(b.kept, r)
	if len(t.written) > 0 {
		if b.written == nil {
			b.written = map[string]bool{}
		}
		maps.Copy(b.written, t.written)
	}
	b.meta = b.meta || t.meta
}

// exec runs one of the writer's own statements (savepoints, data
// versions) through the statement cache.
func (b *batch) exec(text string, args ...any) error {
	st, err := b.stmts.get(context.Background(), text)
	if err == nil {
		_, err = st.ExecContext(context.Background(), args...)
	}
	return err
}

// call runs fn, turning a panic into its value.
func call(fn func(*tx) error, t *tx) (panicked bool, panicVal any, err error) {
	defer func() {
		if panicked {
			panicVal = recover()
		}
	}()
	panicked = true
	err = fn(t)
	panicked = false
	return false, nil, err
}

// commit raises the data versions of what the kept writes changed,
// commits, and wakes them; it reports whether a transaction committed.
func (b *batch) commit() bool {
	if b.sqlTx == nil {
		return false
	}
	if len(b.kept) == 0 {
		_ = b.sqlTx.Rollback()
		b.sqlTx = nil
		return false
	}
	for _, object := range slices.Sorted(maps.Keys(b.written)) {
		if err := b.exec(raiseDataVersionSQL, object, time.Now().UnixNano()); err != nil {
			b.fail(fmt.Errorf("raise data version of %q: %w", object, err))
			return false
		}
	}
	// The due index learns of work the batch may add before it commits
	// (due.go).
	due := b.w.due != nil && b.w.due.adds(b.written, b.meta)
	if due {
		if err := b.w.due.before(); err != nil {
			b.fail(fmt.Errorf("commit transaction: %w", err))
			return false
		}
	}
	err := b.sqlTx.Commit()
	b.sqlTx = nil
	if err != nil {
		err = fmt.Errorf("commit transaction: %w", err)
	} else {
		b.w.commits.Add(1)
	}
	if due {
		b.w.due.after()
	}
	for _, r := range b.kept {
		r.finish(err)
	}
	b.kept = nil
	return err == nil
}

// fail rolls the transaction back and fails every write kept so far.
func (b *batch) fail(err error) {
	if b.sqlTx != nil {
		_ = b.sqlTx.Rollback()
		b.sqlTx = nil
	}
	for _, r := range b.kept {
		r.finish(err)
	}
	b.kept = nil
	b.written = nil
	b.meta = false
}

// txConn is the batch's transaction as one write sees it. Its statements
// never get the caller's cancellation: the driver answers a cancelled
// context by interrupting SQLite, and SQLite answers an interrupted write
// by rolling back the whole transaction, the other writes of the batch
// with it. A context that already ended is refused before the statement
// runs (database/sql checks it first), so a cancelled write fails at its
// next statement.
type txConn struct{ tx *sql.Tx }

// detach returns what a statement of a batch runs under: ctx itself if
// it ended (database/sql then refuses the statement), else ctx without
// its cancellation.
func detach(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (c txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.tx.ExecContext(detach(ctx), query, args...)
}

func (c txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(detach(ctx), query, args...)
}

func (c txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(detach(ctx), query, args...)
}

func (c txConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.tx.PrepareContext(detach(ctx), query)
}
