package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// Checkpoints off the writer's path (issues 17 and 20). SQLite copies
// the write-ahead log back into the database file (a checkpoint) on the
// connection whose commit took the log past 1,000 frames, inside that
// commit: on a tenant's writer connection, which every write of the
// tenant waits for. Under a bulk load that was 9 % of the server's CPU,
// all of it on the writer's serial path, plus the database file's fsync
// that the next writes waited for.
//
// A tenant's group commit writer turns SQLite's automatic checkpoints
// off on its connection and, after a commit that leaves at least
// walCheckpointFrames frames not yet copied, wakes the tenant's
// checkpointer: a goroutine that runs a PASSIVE checkpoint on a
// connection of the reader pool (the same work and the same fsyncs,
// synchronous as configured), while the writer goes on with the next
// writes. A passive checkpoint waits for no reader or writer: it copies
// what no reader still needs, and the writer starts the log afresh once
// everything was copied and no reader holds the old frames, as after
// SQLite's own checkpoints. Durability does not change: a commit is on
// disk once the log is synced, which the commit does itself.
//
// The log stays bounded when the checkpointer lags behind (a slow disk,
// readers pinning old frames): past walWriterCheckpointFrames frames not
// copied, the writer checkpoints itself after its commit, as SQLite did.
// The frame counts come from the log index's header (walstamp.go), one
// read of 100 bytes after each commit.
const (
	// walCheckpointFrames is SQLite's own default (wal_autocheckpoint).
	walCheckpointFrames = 1000
	// walWriterCheckpointFrames bounds the log: 16,384 frames are 64 MiB
	// of 4 KiB pages.
	walWriterCheckpointFrames = 16384
)

// Offsets in the log index (https://sqlite.org/walformat.html): the
// first copy of the header's mxFrame (the last valid frame), and the
// checkpoint information's nBackfill (frames copied back), both in the
// machine's byte order.
const (
	shmMxFrame   = 16
	shmNBackfill = 96
	shmReadSize  = 100
)

// checkpointer runs the checkpoints of one tenant database.
type checkpointer struct {
	reader *sql.DB
	shm    *shmFile
	// frames and writerFrames are the thresholds (walCheckpointFrames,
	// walWriterCheckpointFrames; tests change them while the writer runs).
	frames, writerFrames atomic.Uint32
	wake                 chan struct{} // buffered 1: wakes coalesce
	stop                 chan struct{}
	done                 chan struct{}
	// runs counts the checkpoints run by the goroutine, writerRuns those
	// the writer ran itself; for tests.
	runs, writerRuns atomic.Int64
}

func newCheckpointer(reader *sql.DB, shm *shmFile) *checkpointer {
	c := &checkpointer{reader: reader, shm: shm,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	c.frames.Store(walCheckpointFrames)
	c.writerFrames.Store(walWriterCheckpointFrames)
	return c
}

// start turns SQLite's automatic checkpoints off on the writer's
// connection and starts the goroutine. It reports false, leaving
// SQLite's checkpoints on, when the pragma fails.
func (c *checkpointer) start(writer *sql.DB) bool {
	if _, err := writer.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = 0"); err != nil {
		return false
	}
	go c.run()
	return true
}

// run is the checkpointer goroutine.
func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		// An error (the file busy, closed under it) leaves the frames for
		// the next wake, or for the writer past its bound.
		if err := checkpoint(c.reader); err == nil {
			c.runs.Add(1)
		}
	}
}

// checkpoint runs a PASSIVE checkpoint on a connection of db.
func checkpoint(db *sql.DB) error {
	var busy, log, copied int64
	if err := db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// pending reads how many frames of the log are not copied back yet; ok
// is false when the index cannot say (a commit under way, not
// initialised, unreadable).
func (c *checkpointer) pending() (uint32, bool) {
	var buf [shmReadSize]byte
	if c.shm == nil || !readShm(c.shm, buf[:]) {
		return 0, false
	}
	if [48]byte(buf[:48]) != [48]byte(buf[48:96]) || buf[12] == 0 { // the two header copies; isInit
		return 0, false
	}
	mx := binary.NativeEndian.Uint32(buf[shmMxFrame:])
	backfilled := binary.NativeEndian.Uint32(buf[shmNBackfill:])
	if backfilled >= mx {
		return 0, true
	}
	return mx - backfilled, true
}

// committed is called by the writer after each commit: it wakes the
// goroutine when the log holds enough frames to copy, and checkpoints on
// writer (the writer's own pool, its connection free between
// transactions) when the log outgrew its bound.
func (c *checkpointer) committed(writer *sql.DB) {
	n, ok := c.pending()
	if !ok || n < c.frames.Load() {
		return
	}
	if n >= c.writerFrames.Load() {
		if err := checkpoint(writer); err == nil {
			c.writerRuns.Add(1)
		}
		return
	}
	select {
	case c.wake <- struct{}{}:
	default: // already woken
	}
}

// close stops the goroutine once its checkpoint under way ended.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}
