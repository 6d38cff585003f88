package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"

	"github.com/crmkit/crm/store"
)

// Files in a tenant export: after the records, each blob that an
// attachment names, once, as a "blob" line (its key and size) followed by
// "chunk" lines of at most blobChunk bytes each (base64 in JSON); the
// trailer counts the blobs. An import checks each blob against the
// attachment that names it (size and SHA-256) while it writes it, and
// refuses a file whose attachments name blobs it lacks. Blobs live
// outside the import's transaction: a failed import deletes the ones it
// wrote.

// blobChunk is the most bytes one chunk line carries (1.4 MB as base64,
// within maxExportLine).
const blobChunk = 1 << 20

// exportBlobs writes the blobs the exported attachments name.
func exportBlobs(ctx context.Context, ts store.TenantStore, keys map[string]bool, write func(exportLine) error) (int64, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	blobs, err := blobsOf(ts)
	if err != nil {
		return 0, err
	}
	n := int64(0)
	buf := make([]byte, blobChunk)
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		rc, info, err := blobs.OpenBlob(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("the bytes of file blob %q are missing from the store", key)
		}
		if err != nil {
			return n, err
		}
		err = func() error {
			defer rc.Close()
			if err := write(exportLine{Type: "blob", Name: key, Size: info.Size}); err != nil {
				return err
			}
			for {
				k, err := io.ReadFull(rc, buf)
				if k > 0 {
					if err := write(exportLine{Type: "chunk", Bytes: buf[:k]}); err != nil {
						return err
					}
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return nil
				}
				if err != nil {
					return fmt.Errorf("read file blob %q: %w", key, err)
				}
			}
		}()
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// importedFile is what an imported attachment says of its blob.
type importedFile struct {
	size   int64
	sha256 string
	done   bool
}

// blobImport is the blob an import is reading, chunk by chunk, into a
// temporary file.
type blobImport struct {
	key  string
	want importedFile
	tmp  *os.File
	sum  hash.Hash
	size int64
}

// noteAttachment remembers the blob an imported attachment record names.
func (im *importer) noteAttachment(data map[string]any) error {
	key, _ := data["blob"].(string)
	if err := store.CheckBlobKey(key); err != nil {
		return fmt.Errorf("an attachment names the blob %q, which is not a blob key", key)
	}
	sum, _ := data["sha256"].(string)
	if im.files == nil {
		im.files = map[string]*importedFile{}
	}
	size := int64(number(data["size"]))
	if n, ok := data["size"].(json.Number); ok {
		v, err := n.Int64()
		if err != nil {
			return fmt.Errorf("an attachment's size %q is not a whole number", n)
		}
		size = v
	}
	im.files[key] = &importedFile{size: size, sha256: sum}
	return nil
}

// startBlob begins the blob of a "blob" line.
func (im *importer) startBlob(l exportLine) error {
	if err := im.endBlob(context.Background(), nil); err != nil {
		return err
	}
	f := im.files[l.Name]
	if f == nil {
		return fmt.Errorf("blob %q is named by no attachment of the file", l.Name)
	}
	if f.done {
		return fmt.Errorf("blob %q comes twice", l.Name)
	}
	if l.Size != f.size {
		return fmt.Errorf("blob %q has %d bytes, its attachment says %d", l.Name, l.Size, f.size)
	}
	tmp, err := os.CreateTemp("", "crm-import-blob-*")
	if err != nil {
		return err
	}
	im.blob = &blobImport{key: l.Name, want: *f, tmp: tmp, sum: sha256.New()}
	return nil
}

// chunk adds a "chunk" line's bytes to the blob being read.
func (im *importer) chunk(l exportLine) error {
	b := im.blob
	if b == nil {
		return errors.New("a chunk line outside a blob")
	}
	b.size += int64(len(l.Bytes))
	if b.size > b.want.size {
		return fmt.Errorf("blob %q has more bytes than its attachment says (%d)", b.key, b.want.size)
	}
	b.sum.Write(l.Bytes)
	_, err := b.tmp.Write(l.Bytes)
	return err
}

// endBlob checks the blob being read, if any, and stores it in blobs.
func (im *importer) endBlob(ctx context.Context, blobs store.Blobs) error {
	b := im.blob
	if b == nil {
		return nil
	}
	im.blob = nil
	defer func() {
		b.tmp.Close()
		os.Remove(b.tmp.Name())
	}()
	if b.size != b.want.size || hex.EncodeToString(b.sum.Sum(nil)) != b.want.sha256 {
		return fmt.Errorf("blob %q does not match its attachment (size or SHA-256)", b.key)
	}
	if blobs == nil {
		return errors.New("a blob line must follow the last chunk of the blob before it")
	}
	if _, err := b.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := blobs.PutBlob(ctx, b.key, b.tmp); err != nil {
		return fmt.Errorf("store blob %q: %w", b.key, err)
	}
	im.putBlobs = append(im.putBlobs, b.key)
	im.files[b.key].done = true
	return nil
}

// checkFiles refuses a file whose attachments name blobs it lacks.
func (im *importer) checkFiles() error {
	missing := 0
	for _, f := range im.files {
		if !f.done {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Errorf("%d attached files have no bytes in the file", missing)
	}
	return nil
}

// dropImportedBlobs deletes the blobs a failed import wrote.
func (im *importer) dropImportedBlobs(ctx context.Context, blobs store.Blobs) {
	if im.blob != nil {
		im.blob.tmp.Close()
		os.Remove(im.blob.tmp.Name())
		im.blob = nil
	}
	for _, key := range im.putBlobs {
		_ = blobs.DeleteBlob(context.WithoutCancel(ctx), key)
	}
}
