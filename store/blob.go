package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Blobs is an optional capability of a [TenantStore]: the tenant's opaque
// byte streams (attached files), each under a key the engine chose. Blobs
// live beside the tenant's records but outside their transactions: the
// engine writes a blob before the record that names it and deletes it
// after the record is gone, and sweeps blobs no record names (see
// [Blobs.ListBlobs]). Nothing reachable through it belongs to another
// tenant; deleting the tenant deletes its blobs.
//
// The SQLite adapter keeps blobs as files under the data directory, the
// MongoDB adapter in GridFS (bucket "blobs" of the tenant's database).
type Blobs interface {
	// PutBlob stores what r yields under key and returns its size. key
	// must match [BlobKeyPattern] ([ErrInvalidBlobKey] otherwise); a key already
	// stored is [ErrConflict]. If r fails (for example because the caller
	// bounds it and the bound was passed), PutBlob returns that error
	// wrapped and keeps nothing under key.
	PutBlob(ctx context.Context, key string, r io.Reader) (int64, error)
	// OpenBlob returns a reader of the blob and its size, or
	// [ErrNotFound]. The caller closes the reader.
	OpenBlob(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// DeleteBlob removes a blob; [ErrNotFound] if there is none.
	DeleteBlob(ctx context.Context, key string) error
	// ListBlobs calls fn with every blob, in key order, starting after
	// the key after ("" for the first); fn returning an error stops the
	// walk with it. Blobs being written are not listed.
	ListBlobs(ctx context.Context, after string, fn func(BlobInfo) error) error
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key       string
	Size      int64
	CreatedAt time.Time
}

// BlobKeyPattern is what a blob key looks like: 1 to 64 letters, digits,
// '-' and '_' (never a path: no '/', '.', or "..").
var BlobKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ErrInvalidBlobKey is returned for a blob key that does not match
// [BlobKeyPattern].
var ErrInvalidBlobKey = errors.New("store: invalid blob key")

// CheckBlobKey returns [ErrInvalidBlobKey], wrapped, when key does not
// match [BlobKeyPattern].
func CheckBlobKey(key string) error {
	if !BlobKeyPattern.MatchString(key) {
		if len(key) > 80 {
			key = key[:80] + "…"
		}
		return fmt.Errorf("%w %q", ErrInvalidBlobKey, key)
	}
	return nil
}
