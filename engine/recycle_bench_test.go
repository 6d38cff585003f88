package engine_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// BenchmarkEngine_DeleteRecord measures one delete of a contact that a deal
// refers to, with the recycle bin on (the default) and off (retention 0),
// and a restore from the bin: what the bin costs a delete.
func BenchmarkEngine_DeleteRecord(b *testing.B) {
	for _, days := range []int{30, 0} {
		b.Run(fmt.Sprintf("retention=%d", days), func(b *testing.B) {
			tn := testkit.New(b, "acme", testkit.WithEncryption(), testkit.WithObjects(recycleObjects[0], recycleObjects[1], recycleObjects[2]))
			eng, ctx := tn.Engine, tn.Admin
			_, err := eng.SetRecycleRetention(ctx, days)
			require.NoError(b, err)
			ids := seedContacts(b, eng, tn, b.N)
			b.ResetTimer()
			for i := range b.N {
				if err := eng.DeleteRecord(ctx, "contact", ids[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("restore", func(b *testing.B) {
		tn := testkit.New(b, "acme", testkit.WithEncryption(), testkit.WithObjects(recycleObjects[0], recycleObjects[1], recycleObjects[2]))
		eng, ctx := tn.Engine, tn.Admin
		ids := seedContacts(b, eng, tn, b.N)
		for _, id := range ids {
			require.NoError(b, eng.DeleteRecord(ctx, "contact", id))
		}
		b.ResetTimer()
		for i := range b.N {
			res, err := eng.RestoreDeleted(ctx, ids[i:i+1])
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res[0].Err)
			}
		}
	})
}

// seedContacts creates n contacts, each referred to by a deal.
func seedContacts(b *testing.B, eng *engine.Engine, tn *testkit.Tenant, n int) []string {
	b.Helper()
	ctx := tn.Admin
	ids := make([]string, 0, n)
	for len(ids) < n {
		var writes []engine.BulkWrite
		for range min(500, n-len(ids)) {
			writes = append(writes, engine.BulkWrite{Action: engine.BulkCreate, Data: map[string]any{"name": "c"}})
		}
		res, err := eng.WriteRecords(ctx, "contact", writes, engine.BulkOptions{})
		require.NoError(b, err)
		var deals []engine.BulkWrite
		for _, r := range res {
			require.NoError(b, r.Err)
			ids = append(ids, r.ID)
			deals = append(deals, engine.BulkWrite{Action: engine.BulkCreate, Data: map[string]any{"title": "d", "contacts": []any{r.ID}}})
		}
		_, err = eng.WriteRecords(ctx, "deal", deals, engine.BulkOptions{})
		require.NoError(b, err)
	}
	return ids
}
