package sqlitestore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// writeMany commits n transactions of one insert each.
func (f writerFixture) writeMany(t *testing.T, prefix string, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, f.ts.WithTx(t.Context(), func(tx store.Tx) error {
			return f.insert(t.Context(), tx, fmt.Sprintf("%s%04d", prefix, i))
		}))
	}
}

func TestCheckpoint_OffTheWriter(t *testing.T) {
	f := newWriterFixture(t, Config{})
	db := f.ts.testDB(t)
	c := db.writes.ckpt
	require.NotNil(t, c, "a tenant's writer runs its checkpoints off its path")

	var auto int
	require.NoError(t, db.writer.QueryRowContext(t.Context(), "PRAGMA wal_autocheckpoint").Scan(&auto))
	assert.Equal(t, 0, auto, "SQLite's own checkpoints are off on the writer's connection")

	c.frames.Store(8) // a few commits' worth
	f.writeMany(t, "a", 40)
	require.Eventually(t, func() bool { return c.runs.Load() > 0 }, 30*time.Second, 5*time.Millisecond,
		"the checkpointer ran once the log held enough frames")
	assert.Zero(t, c.writerRuns.Load(), "the writer checkpointed nothing itself")

	// What the checkpointer copied stays, and the log starts afresh.
	f.writeMany(t, "b", 40)
	for _, id := range []string{"a0000", "a0039", "b0000", "b0039"} {
		assert.True(t, f.exists(t, id), id)
	}
	n, ok := c.pending()
	require.True(t, ok)
	assert.Less(t, n, uint32(walWriterCheckpointFrames))
}

func TestCheckpoint_WriterBoundsTheLog(t *testing.T) {
	f := newWriterFixture(t, Config{})
	db := f.ts.testDB(t)
	c := db.writes.ckpt
	require.NotNil(t, c)
	// The checkpointer is stopped: only the writer can copy the log back.
	c.close()
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	close(c.done) // for the store's close
	c.frames.Store(4)
	c.writerFrames.Store(8)

	f.writeMany(t, "a", 30)
	// The writer checks the log after each commit, before it takes the
	// next write: the earlier commits' checks are done by now.
	assert.Positive(t, c.writerRuns.Load(), "past its bound the writer checkpoints itself")
	n, ok := c.pending()
	require.True(t, ok)
	assert.Less(t, n, uint32(8+4), "the log stays within the bound (plus a commit's frames)")
	assert.Zero(t, c.runs.Load())
	assert.True(t, f.exists(t, "a0029"))
}

func TestCheckpoint_PendingReadsTheIndex(t *testing.T) {
	f := newWriterFixture(t, Config{})
	db := f.ts.testDB(t)
	c := db.writes.ckpt
	require.NotNil(t, c)
	c.frames.Store(1 << 30) // no checkpoint while this test counts
	before, ok := c.pending()
	require.True(t, ok)
	f.writeMany(t, "a", 3)
	after, ok := c.pending()
	require.True(t, ok)
	assert.Greater(t, after, before, "each commit adds frames")

	require.NoError(t, checkpoint(db.reader))
	copied, ok := c.pending()
	require.True(t, ok)
	assert.Zero(t, copied, "a checkpoint with no reader copies every frame")

	// The store closes cleanly with the checkpointer idle, and the data
	// is whole on reopening.
	require.NoError(t, f.s.Close())
	s, err := New(Config{Dir: f.s.cfg.Dir})
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	ts, err := s.Tenant(context.Background(), "acme")
	require.NoError(t, err)
	_, err = ts.Get(context.Background(), f.obj, "a0002")
	require.NoError(t, err)
}
