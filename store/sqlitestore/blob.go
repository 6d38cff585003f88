package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crmkit/crm/store"
)

// A tenant's blobs are files in the data directory, blobs/<tenant>/<key>
// (0600 in a 0700 directory): written to a temporary file (".put-…") in
// the same directory, synced, then linked under the key, so that a blob is
// either whole under its key or absent, and a crash while writing leaves a
// temporary file, which opening the tenant again removes once it is an
// hour old. Keys are checked against store.BlobKeyPattern before they
// become file names.

var _ store.Blobs = (*tenantStore)(nil)

// tempPrefix starts the names of blobs being written; keys never start
// with '.'.
const tempPrefix = ".put-"

func (t *tenantStore) blobPath(key string) (string, error) {
	if err := store.CheckBlobKey(key); err != nil {
		return "", err
	}
	return filepath.Join(t.blobDir, key), nil
}

// PutBlob implements [store.Blobs].
func (t *tenantStore) PutBlob(ctx context.Context, key string, r io.Reader) (int64, error) {
	path, err := t.blobPath(key)
	if err != nil {
		return 0, err
	}
	if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("put blob %q: %w", key, store.ErrConflict)
	}
	if err := os.MkdirAll(t.blobDir, 0o700); err != nil {
		return 0, fmt.Errorf("put blob %q: %w", key, err)
	}
	f, err := os.CreateTemp(t.blobDir, tempPrefix+key+"-*")
	if err != nil {
		return 0, fmt.Errorf("put blob %q: %w", key, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // once linked, the key's name holds the file
	n, err := io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("put blob %q: %w", key, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, fmt.Errorf("put blob %q: %w", key, store.ErrConflict)
		}
		return 0, fmt.Errorf("put blob %q: %w", key, err)
	}
	syncDir(t.blobDir)
	return n, nil
}

// OpenBlob implements [store.Blobs].
func (t *tenantStore) OpenBlob(ctx context.Context, key string) (io.ReadCloser, store.BlobInfo, error) {
	path, err := t.blobPath(key)
	if err != nil {
		return nil, store.BlobInfo{}, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, store.BlobInfo{}, fmt.Errorf("open blob %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.BlobInfo{}, fmt.Errorf("open blob %q: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, store.BlobInfo{}, fmt.Errorf("open blob %q: %w", key, err)
	}
	return f, store.BlobInfo{Key: key, Size: st.Size(), CreatedAt: st.ModTime().UTC()}, nil
}

// DeleteBlob implements [store.Blobs].
func (t *tenantStore) DeleteBlob(ctx context.Context, key string) error {
	path, err := t.blobPath(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob %q: %w", key, store.ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	return nil
}

// ListBlobs implements [store.Blobs]. It reads the directory's names at
// once (a name is about 30 bytes: a million blobs take some 30 MB while
// the walk runs).
func (t *tenantStore) ListBlobs(ctx context.Context, after string, fn func(store.BlobInfo) error) error {
	entries, err := os.ReadDir(t.blobDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	for _, e := range entries { // sorted by name
		name := e.Name()
		if strings.HasPrefix(name, ".") || !e.Type().IsRegular() || name <= after {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list blobs: %w", store.ContextError(ctx, err))
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("list blobs: %w", err)
		}
		if err := fn(store.BlobInfo{Key: name, Size: info.Size(), CreatedAt: info.ModTime().UTC()}); err != nil {
			return err
		}
	}
	return nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, store.ContextError(c.ctx, err)
	}
	return c.r.Read(p)
}

// syncDir makes a new name in dir durable; where directories cannot be
// synced the rename is as durable as the file system makes it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// sweepTemp removes the temporary files of puts a crash interrupted.
func sweepTemp(dir string, now time.Time) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, n := range names {
		if st, err := os.Lstat(n); err == nil && now.Sub(st.ModTime()) > time.Hour {
			_ = os.Remove(n)
		}
	}
}
