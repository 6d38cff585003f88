package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// blobsOf returns the tenant's blobs; every adapter has them.
func blobsOf(t testing.TB, ts store.TenantStore) store.Blobs {
	b, ok := ts.(store.Blobs)
	require.True(t, ok, "the tenant store keeps blobs (store.Blobs)")
	return b
}

func readBlob(t testing.TB, b store.Blobs, key string) []byte {
	rc, info, err := b.OpenBlob(t.Context(), key)
	require.NoError(t, err, key)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	require.NoError(t, err, key)
	assert.Equal(t, int64(len(got)), info.Size, "size of %s", key)
	assert.Equal(t, key, info.Key)
	assert.False(t, info.CreatedAt.IsZero(), "created at")
	return got
}

func listBlobs(t testing.TB, b store.Blobs, after string) []string {
	var keys []string
	require.NoError(t, b.ListBlobs(t.Context(), after, func(i store.BlobInfo) error {
		keys = append(keys, i.Key)
		return nil
	}))
	return keys
}

// failingReader yields n bytes, then fails.
type failingReader struct{ n int }

var errSource = errors.New("source failed")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errSource
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func testBlobs(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	s := newStore(t)
	ts := newTenant(t, s, "acme")
	other := newTenant(t, s, "globex")
	b, ob := blobsOf(t, ts), blobsOf(t, other)

	// Several chunks of GridFS (255 KiB each) and a last partial one.
	big := make([]byte, 3<<20+123)
	_, _ = rand.Read(big)
	n, err := b.PutBlob(ctx, "big-1", bytes.NewReader(big))
	require.NoError(t, err)
	assert.Equal(t, int64(len(big)), n)
	assert.True(t, bytes.Equal(big, readBlob(t, b, "big-1")), "the bytes come back as put")

	_, err = b.PutBlob(ctx, "empty", bytes.NewReader(nil))
	require.NoError(t, err)
	assert.Empty(t, readBlob(t, b, "empty"))
	_, err = b.PutBlob(ctx, "a_small", bytes.NewReader([]byte("<svg onload=alert(1)>")))
	require.NoError(t, err)
	assert.Equal(t, "<svg onload=alert(1)>", string(readBlob(t, b, "a_small")))

	// A key is written once.
	_, err = b.PutBlob(ctx, "a_small", bytes.NewReader([]byte("other")))
	require.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, "<svg onload=alert(1)>", string(readBlob(t, b, "a_small")), "the first put stays")

	// Keys are never paths.
	for _, key := range []string{"", "../acme", "a/b", `a\b`, ".", "..", ".hidden", "a b", "ä", string(make([]byte, 65))} {
		_, err := b.PutBlob(ctx, key, bytes.NewReader([]byte("x")))
		require.ErrorIs(t, err, store.ErrInvalidBlobKey, "put %q", key)
		_, _, err = b.OpenBlob(ctx, key)
		require.ErrorIs(t, err, store.ErrInvalidBlobKey, "open %q", key)
		require.ErrorIs(t, b.DeleteBlob(ctx, key), store.ErrInvalidBlobKey, "delete %q", key)
	}

	// A source that fails leaves nothing, however far it got.
	for _, size := range []int{0, 10, 600 << 10} {
		_, err := b.PutBlob(ctx, "broken", &failingReader{n: size})
		require.ErrorIs(t, err, errSource, "the source's error comes back")
		_, _, err = b.OpenBlob(ctx, "broken")
		require.ErrorIs(t, err, store.ErrNotFound, "nothing kept after %d bytes", size)
	}
	assert.Equal(t, []string{"a_small", "big-1", "empty"}, listBlobs(t, b, ""), "listed in key order, the failed puts absent")
	assert.Equal(t, []string{"big-1", "empty"}, listBlobs(t, b, "a_small"), "after a key")
	stop := errors.New("stop")
	calls := 0
	err = b.ListBlobs(ctx, "", func(store.BlobInfo) error { calls++; return stop })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, calls, "fn's error stops the walk")

	// Another tenant sees none of them and may use the same keys.
	_, _, err = ob.OpenBlob(ctx, "big-1")
	require.ErrorIs(t, err, store.ErrNotFound, "another tenant's key is not found")
	require.ErrorIs(t, ob.DeleteBlob(ctx, "big-1"), store.ErrNotFound)
	assert.Empty(t, listBlobs(t, ob, ""))
	_, err = ob.PutBlob(ctx, "big-1", bytes.NewReader([]byte("globex's")))
	require.NoError(t, err)
	assert.Equal(t, "globex's", string(readBlob(t, ob, "big-1")))
	assert.True(t, bytes.Equal(big, readBlob(t, b, "big-1")), "acme's blob unchanged")

	// Delete.
	require.NoError(t, b.DeleteBlob(ctx, "big-1"))
	_, _, err = b.OpenBlob(ctx, "big-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, b.DeleteBlob(ctx, "big-1"), store.ErrNotFound)
	assert.Equal(t, []string{"a_small", "empty"}, listBlobs(t, b, ""))
	_, err = b.PutBlob(ctx, "big-1", bytes.NewReader([]byte("again")))
	require.NoError(t, err, "a deleted key may be put again")
	assert.Equal(t, "again", string(readBlob(t, b, "big-1")))

	// A tenant deleted and created again has no blobs.
	require.NoError(t, s.DeleteTenant(ctx, "acme"))
	ts = newTenant(t, s, "acme")
	assert.Empty(t, listBlobs(t, blobsOf(t, ts), ""), "the deleted tenant's blobs went with it")
	assert.Equal(t, "globex's", string(readBlob(t, ob, "big-1")), "the other tenant keeps its blobs")
}
