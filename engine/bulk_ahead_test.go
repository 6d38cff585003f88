package engine_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestEngine_WriteRecords_ChecksAhead: in a call that is not atomic the
// checks of the creates run ahead of the transaction that stores them;
// creates failing their checks, creates failing in the transaction
// (a unique value an earlier write of the call took, a lookup to
// nothing), updates and deletes mixed in between still answer in input
// order, each as a call of one would, and the autonumbers stay gap-free
// in input order.
func TestEngine_WriteRecords_ChecksAhead(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithObjects(quietObjects...), testkit.WithEncryption())
	eng, ctx := tn.Engine, tn.Admin
	org, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "华为"})
	require.NoError(t, err)
	old, err := eng.CreateRecord(ctx, "item", map[string]any{"code": "old", "qty": 1})
	require.NoError(t, err)
	gone, err := eng.CreateRecord(ctx, "item", map[string]any{"code": "gone"})
	require.NoError(t, err)

	writes := make([]engine.BulkWrite, 120)
	for i := range writes {
		writes[i] = create(map[string]any{"code": fmt.Sprintf("k%03d", i), "qty": i, "org": org.ID})
	}
	writes[3].Data["qty"] = -1            // fails its checks
	delete(writes[4].Data, "code")        // so does this: code is required
	writes[5].Data["code"] = "k002"       // taken by write 2, in the transaction
	writes[6].Data["org"] = "no-such-org" // a lookup to nothing
	writes[50] = engine.BulkWrite{Action: engine.BulkUpdate, ID: old.ID, Data: map[string]any{"qty": 7}}
	writes[51] = engine.BulkWrite{Action: engine.BulkDelete, ID: gone.ID}
	writes[52] = engine.BulkWrite{Action: engine.BulkUpdate, ID: old.ID, Data: map[string]any{"qty": -5}} // fails
	writes[119].Data["tags"] = []string{"zzz"}                                                            // the last one fails its checks
	res, err := eng.WriteRecords(ctx, "item", writes, engine.BulkOptions{})
	require.NoError(t, err)
	require.Len(t, res, len(writes))

	failed := map[int]string{3: "qty", 4: "code", 5: "code", 6: "org", 52: "qty", 119: "tags"}
	number := 3 // IT-0001 and IT-0002 are taken
	for i, r := range res {
		if field, bad := failed[i]; bad {
			require.Equal(t, engine.OutcomeFailed, r.Outcome, "write %d", i)
			assert.Contains(t, fieldErrors(t, r.Err), field, "write %d", i)
			continue
		}
		switch i {
		case 50:
			require.Equal(t, engine.OutcomeUpdated, r.Outcome, "write %d: %v", i, r.Err)
			assert.Equal(t, 7.0, r.Record.Data["qty"])
		case 51:
			require.Equal(t, engine.OutcomeDeleted, r.Outcome, "write %d: %v", i, r.Err)
		default:
			require.Equal(t, engine.OutcomeCreated, r.Outcome, "write %d: %v", i, r.Err)
			assert.Equal(t, fmt.Sprintf("k%03d", i), r.Record.Data["code"])
			assert.Equal(t, fmt.Sprintf("IT-%04d", number), r.Record.Data["number"], "write %d: numbers in input order, no gaps", i)
			number++
			got, err := eng.GetRecord(ctx, "item", r.ID)
			require.NoError(t, err)
			assert.Equal(t, got, r.Record, "write %d is answered as stored", i)
		}
	}
	assert.Equal(t, int64(1+120-len(failed)-2), count(t, eng, ctx, "item"), "the old one, and the creates that landed")
}
