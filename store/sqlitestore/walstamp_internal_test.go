package sqlitestore

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// bumpEnv names the tenant file the helper process raises the revision
// of (TestHelperProcess_BumpRevision).
const bumpEnv = "SQLITESTORE_TEST_BUMP_REVISION_OF"

// TestHelperProcess_BumpRevision is another process changing a tenant's
// metadata, as `crm` commands beside a running server do; it runs only
// when a test starts it.
func TestHelperProcess_BumpRevision(t *testing.T) {
	path := os.Getenv(bumpEnv)
	if path == "" {
		t.Skip("started by TestMetaRevision_SeesEveryCommit")
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE meta_revision SET value = value + 1 WHERE id = 1`)
	require.NoError(t, err)
}

func newRevisionStore(t *testing.T) (*Store, *tenantStore, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, Synchronous: "NORMAL"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	return s, ts.(*tenantStore), filepath.Join(dir, "tenants", "acme.db")
}

// TestMetaRevision_SeesEveryCommit: the revision kept in memory is
// answered only while nothing committed; a change through this store,
// through another connection of the process and by another process is
// seen by the next call.
func TestMetaRevision_SeesEveryCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, ts, path := newRevisionStore(t)
	rev := func() int64 {
		t.Helper()
		v, err := ts.MetaRevision(ctx)
		require.NoError(t, err)
		return v
	}
	r0 := rev()
	assert.Equal(t, r0, rev(), "nothing committed")

	if runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOOS != "js" && runtime.GOOS != "wasip1" {
		db := ts.testDB(t)
		s, ok := db.shm.stamp()
		require.True(t, ok, "the index header is readable on %s", runtime.GOOS)
		kept := db.rev.Load()
		require.NotNil(t, kept, "the revision is kept")
		assert.Equal(t, s, kept.stamp)
		assert.Equal(t, r0, kept.rev)
	}

	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.BumpMetaRevision(ctx) }))
	assert.Equal(t, r0+1, rev(), "a change through the store")

	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer other.Close()
	_, err = other.ExecContext(ctx, `UPDATE meta_revision SET value = value + 1 WHERE id = 1`)
	require.NoError(t, err)
	assert.Equal(t, r0+2, rev(), "a change through another connection")

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess_BumpRevision$", "-test.count=1")
	cmd.Env = append(os.Environ(), bumpEnv+"="+path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, r0+3, rev(), "a change by another process")

	// A commit that changes no metadata: read again, the same answer.
	_, err = other.ExecContext(ctx, `INSERT INTO sequences (name, value) VALUES ('walstamp', 1)`)
	require.NoError(t, err)
	assert.Equal(t, r0+3, rev())
	assert.Equal(t, r0+3, rev())
}

// TestMetaRevision_IndexFileRemoved: when every connection of the
// process to a database closed, SQLite removes the index file and a new
// one is made with the next connection; a descriptor still open on the
// removed file is opened again on the new one, not trusted.
func TestMetaRevision_IndexFileRemoved(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the index header is not read on windows")
	}
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	cfg := Config{Dir: dir, Synchronous: "NORMAL", BusyTimeout: 10 * time.Second, CacheKiB: 1024, ReadConns: 2}
	held := holdShm(path) // as if a database of the process still held it
	defer releaseShm(held)

	open := func() *database {
		t.Helper()
		db, err := openDatabase(ctx, path, &cfg, tenantLayout)
		require.NoError(t, err)
		require.Same(t, held, db.shm)
		return db
	}
	db := open()
	r0, err := db.metaRevision(ctx)
	require.NoError(t, err)
	first, ok := held.stamp()
	require.True(t, ok)
	require.NoError(t, db.close())
	_, err = os.Stat(path + "-shm")
	require.ErrorIs(t, err, os.ErrNotExist, "SQLite removes the index file with its last connection")

	db = open()
	defer db.close()
	_, err = db.writer.ExecContext(ctx, `UPDATE meta_revision SET value = value + 7 WHERE id = 1`)
	require.NoError(t, err)
	s, ok := held.stamp()
	require.True(t, ok)
	assert.NotEqual(t, first, s)
	r, err := db.metaRevision(ctx)
	require.NoError(t, err)
	assert.Equal(t, r0+7, r)
}

// TestShmFiles_OneDescriptorPerFile: databases of the process on one file
// share the descriptor, closed with the last of them.
func TestShmFiles_OneDescriptorPerFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	a := holdShm(path)
	b := holdShm(path)
	require.Same(t, a, b)
	releaseShm(a)
	shmFilesMu.Lock()
	_, kept := shmFiles[a.key]
	shmFilesMu.Unlock()
	assert.True(t, kept)
	releaseShm(b)
	shmFilesMu.Lock()
	_, kept = shmFiles[a.key]
	shmFilesMu.Unlock()
	assert.False(t, kept)
	c := holdShm(path)
	defer releaseShm(c)
	assert.NotSame(t, a, c)
}
