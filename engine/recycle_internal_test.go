package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// TestBinRefs_Bound: an entry keeps at most maxBinReferences cleared
// references and counts the rest, which a restore reports as not put
// back.
func TestBinRefs_Bound(t *testing.T) {
	t.Parallel()
	var b binRefs
	for i := range maxBinReferences + 7 {
		b.add(binReference{Object: "deal", Field: "contacts", Record: string(rune('a' + i%26)), Many: true})
	}
	assert.Len(t, b.kept, maxBinReferences)
	assert.Equal(t, 7, b.lost)
	var none *binRefs
	none.add(binReference{}) // a delete that keeps nothing (erasure) collects nothing
}

// TestStoredRecord_RoundTrip: the record a bin entry keeps reads back as
// it was stored, whichever numeric type a store gives back.
func TestStoredRecord_RoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 8, 0, 0, 123000, time.UTC)
	rec := store.Record{ID: "r1", Version: 4, OwnerID: "user:li", CreatedAt: at, UpdatedAt: at.Add(time.Hour), CreatedBy: "user:li", UpdatedBy: "user:wang",
		Data: map[string]any{"name": "杭州", "amount": 1.5, "address": map[string]any{"city": "杭州市"}}}
	m := storedRecordJSON(rec)
	got, err := storedRecord(m)
	require.NoError(t, err)
	assert.Equal(t, rec, got)
	m["version"] = int32(4) // as a MongoDB document may give it back
	got, err = storedRecord(m)
	require.NoError(t, err)
	assert.Equal(t, int64(4), got.Version)

	for _, bad := range []any{nil, "x", map[string]any{"id": "r1"}, map[string]any{"id": "r1", "version": 1.0, "createdAt": "yesterday", "updatedAt": "x"}} {
		_, err := storedRecord(bad)
		assert.Error(t, err, "%v", bad)
	}
}
