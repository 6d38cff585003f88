package mongostore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// A tenant's blobs are GridFS files of the bucket "blobs" in the tenant's
// database (collections blobs.files and blobs.chunks), the key as the
// file's _id and name. The driver writes a file's chunks first and its
// files document last, so a blob is listed and opened only once whole; a
// put that fails removes the chunks it wrote. Checked on FerretDB 1.24
// (store/mongostore/ferrettest) as well as the driver's own GridFS
// contract.

var _ store.Blobs = (*tenantStore)(nil)

const blobBucket = "blobs"

func (t *tenantStore) bucket() *mongo.GridFSBucket {
	return t.db.GridFSBucket(options.GridFSBucket().SetName(blobBucket))
}

// PutBlob implements [store.Blobs].
func (t *tenantStore) PutBlob(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := store.CheckBlobKey(key); err != nil {
		return 0, err
	}
	b := t.bucket()
	// A second put under a key would write its chunks beside the first
	// one's (and a failure would remove them): refuse it first.
	octx, cancel := t.s.op(ctx)
	n, err := b.GetFilesCollection().CountDocuments(octx, eq(keyID, key))
	cancel()
	if err != nil {
		return 0, fmt.Errorf("put blob %q: %w", key, t.s.fail(octx, err))
	}
	if n > 0 {
		return 0, fmt.Errorf("put blob %q: %w", key, store.ErrConflict)
	}
	counted := &countingReader{r: r}
	if err := b.UploadFromStreamWithID(ctx, key, key, counted); err != nil {
		// The driver removes the chunks when the source fails, not when a
		// write does: remove what is left in both cases.
		dctx, dcancel := t.s.op(context.WithoutCancel(ctx))
		if derr := b.Delete(dctx, key); derr != nil && !errors.Is(derr, mongo.ErrFileNotFound) {
			err = errors.Join(err, derr)
		}
		dcancel()
		if mongo.IsDuplicateKeyError(err) {
			return 0, fmt.Errorf("put blob %q: %w", key, store.ErrConflict)
		}
		return 0, fmt.Errorf("put blob %q: %w", key, t.s.fail(ctx, err))
	}
	return counted.n, nil
}

// OpenBlob implements [store.Blobs]. The reader reads the chunks as it
// goes, within ctx.
func (t *tenantStore) OpenBlob(ctx context.Context, key string) (io.ReadCloser, store.BlobInfo, error) {
	if err := store.CheckBlobKey(key); err != nil {
		return nil, store.BlobInfo{}, err
	}
	ds, err := t.bucket().OpenDownloadStream(ctx, key)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, store.BlobInfo{}, fmt.Errorf("open blob %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.BlobInfo{}, fmt.Errorf("open blob %q: %w", key, t.s.fail(ctx, err))
	}
	f := ds.GetFile()
	return ds, store.BlobInfo{Key: key, Size: f.Length, CreatedAt: f.UploadDate.UTC()}, nil
}

// DeleteBlob implements [store.Blobs].
func (t *tenantStore) DeleteBlob(ctx context.Context, key string) error {
	if err := store.CheckBlobKey(key); err != nil {
		return err
	}
	octx, cancel := t.s.op(ctx)
	defer cancel()
	err := t.bucket().Delete(octx, key)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return fmt.Errorf("delete blob %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete blob %q: %w", key, t.s.fail(octx, err))
	}
	return nil
}

// ListBlobs implements [store.Blobs], a page of files documents at a time.
func (t *tenantStore) ListBlobs(ctx context.Context, after string, fn func(store.BlobInfo) error) error {
	const page = 500
	files := t.bucket().GetFilesCollection()
	for {
		octx, cancel := t.s.op(ctx)
		cur, err := files.Find(octx, bson.D{{Key: keyID, Value: bson.D{{Key: "$gt", Value: after}}}},
			options.Find().SetSort(bson.D{{Key: keyID, Value: int32(1)}}).SetLimit(page))
		if err != nil {
			cancel()
			return fmt.Errorf("list blobs: %w", t.s.fail(octx, err))
		}
		var docs []struct {
			ID         any           `bson:"_id"`
			Length     int64         `bson:"length"`
			UploadDate bson.DateTime `bson:"uploadDate"`
		}
		err = cur.All(octx, &docs)
		cancel()
		if err != nil {
			return fmt.Errorf("list blobs: %w", t.s.fail(octx, err))
		}
		for _, d := range docs {
			key, ok := d.ID.(string)
			if !ok {
				continue // not a file of ours
			}
			after = key
			if err := fn(store.BlobInfo{Key: key, Size: d.Length, CreatedAt: d.UploadDate.Time().UTC()}); err != nil {
				return err
			}
		}
		if len(docs) < page {
			return nil
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
