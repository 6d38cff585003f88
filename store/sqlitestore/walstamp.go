package sqlitestore

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// A tenant's metadata revision is asked for on every request, and most
// requests change nothing: reading it from the file each time took a
// pooled connection, a read transaction and a statement (12 % of the
// CPU of a get by id over HTTP). The answer is kept instead, with a stamp
// of the write-ahead log's index that says whether anything was committed
// since, by any connection of any process.
//
// The stamp is the header of the write-ahead log index (the file's
// "-shm" companion, https://sqlite.org/walformat.html): every connection
// in WAL mode, whatever its process, updates it when a transaction
// commits (its change counter, last frame and checksums) and reads it to
// find the snapshot a read transaction sees, so a header unchanged since
// the revision was read means no commit that could have changed it is
// visible. The header is kept twice, the copies written one after the
// other; copies that differ (a commit under way) or an index not yet
// initialised count as a change, so the revision is read again. Reading
// the header takes two system calls (pread of 96 bytes and fstat) against
// a read transaction.
//
// The index file is read through a descriptor of its own, which needs
// care: POSIX locks belong to a process and a file, and closing any
// descriptor of a file drops every lock the process holds on it,
// SQLite's included. So one descriptor is kept per file for the whole
// process (shmFiles), and closed only once no database of this process
// has the file open: openDatabaseAs takes a reference before its pools
// connect, close gives it back after they closed. When the index file is
// removed (SQLite removes it when the last connection to the database
// closes) the descriptor sees no link left and is opened again.

// shmHeaderSize is the length of the two copies of the index header.
const shmHeaderSize = 96

// shmFile is the process's descriptor of one database's index file.
type shmFile struct {
	key  string // in shmFiles: the database's absolute path
	refs int    // databases of this process on the file; guarded by shmFilesMu
	path string
	mu   sync.RWMutex // guards fd; written to open and close it
	fd   int          // -1 while not open
}

var (
	shmFilesMu sync.Mutex
	shmFiles   = map[string]*shmFile{}
)

// holdShm takes a reference on the index file of the database at path;
// releaseShm gives it back.
func holdShm(path string) *shmFile {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	shmFilesMu.Lock()
	defer shmFilesMu.Unlock()
	f := shmFiles[path]
	if f == nil {
		f = &shmFile{key: path, path: path + "-shm", fd: -1}
		shmFiles[path] = f
	}
	f.refs++
	return f
}

// releaseShm gives back a reference of holdShm; the last one closes the
// descriptor (no connection of this process has the file open by then).
func releaseShm(f *shmFile) {
	if f == nil {
		return
	}
	shmFilesMu.Lock()
	defer shmFilesMu.Unlock()
	f.refs--
	if f.refs > 0 {
		return
	}
	delete(shmFiles, f.key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd >= 0 {
		closeFD(f.fd)
		f.fd = -1
	}
}

// walStamp is the index header as read; ok is false when it cannot
// vouch for anything (copies that differ, not initialised, unreadable).
type walStamp [shmHeaderSize / 2]byte

// stamp reads the index header. The caller holds the database (its
// connections keep the index file).
func (f *shmFile) stamp() (walStamp, bool) {
	var buf [shmHeaderSize]byte
	if f == nil || !readShm(f, buf[:]) {
		return walStamp{}, false
	}
	var s walStamp
	copy(s[:], buf[:shmHeaderSize/2])
	if s != walStamp(buf[shmHeaderSize/2:]) || s[12] == 0 { // s[12]: isInit
		return walStamp{}, false
	}
	return s, true
}

// revisionAt is a metadata revision and the stamp it was read under.
type revisionAt struct {
	stamp walStamp
	rev   int64
}

// keptRevision is a database's last revision read; nil when none.
type keptRevision = atomic.Pointer[revisionAt]

// metaRevision reads the tenant's metadata revision, or answers the one
// read last when no transaction committed since (see above).
func (d *database) metaRevision(ctx context.Context) (int64, error) {
	s, ok := d.shm.stamp()
	if ok {
		if k := d.rev.Load(); k != nil && k.stamp == s {
			return k.rev, nil
		}
	}
	// Read after the stamp: the transaction sees every commit the stamp
	// names, and if a later one came between, the stamp differs next time.
	var v int64
	if err := d.records().pointRow(ctx, `SELECT value FROM meta_revision WHERE id = 1`).Scan(&v); err != nil {
		return 0, err
	}
	if ok {
		d.rev.Store(&revisionAt{stamp: s, rev: v})
	}
	return v, nil
}
