package engine_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// quietObjects have no scripts and no automations: bulk creates then
// answer with the record they inserted (no read back) and store the
// audit entries of a transaction in one multi-row insert.
var quietObjects = []string{
	`{"$id": "org", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
	`{"$id": "item", "type": "object", "required": ["code"], "properties": {
	    "number": {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "IT-{0000}"},
	    "code":   {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
	    "qty":    {"type": "integer", "minimum": 0, "x-crm-type": "integer"},
	    "tags":   {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist"},
	    "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
	    "stage":  {"type": "string", "enum": ["new", "won"], "default": "new", "x-crm-type": "picklist"},
	    "org":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "org"}}}`,
}

// TestEngine_WriteRecords_QuietCreates runs 260 creates (more than one
// transaction of a call that is not atomic, more than one statement of
// a multi-row insert) of which some fail in the transaction (a unique
// value taken before, one taken by an earlier write of the call, a
// lookup to nothing): each created record is answered as it is stored,
// has its audit entry with its changes (the sensitive one masked), and
// its autonumber, gap-free; the failed ones left no record, no entry
// and no number. Atomic, one failure leaves nothing at all.
func TestEngine_WriteRecords_QuietCreates(t *testing.T) {
	t.Parallel()
	for _, st := range bulkStores {
		for _, atomic := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/atomic=%v", st.name, atomic), func(t *testing.T) {
				t.Parallel()
				tn := testkit.New(t, "acme", testkit.WithStore(st.open), testkit.WithObjects(quietObjects...), testkit.WithEncryption())
				eng, ctx := tn.Engine, tn.Admin
				org, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "华为"})
				require.NoError(t, err)
				_, err = eng.CreateRecord(ctx, "item", map[string]any{"code": "taken"})
				require.NoError(t, err)

				writes := make([]engine.BulkWrite, 260)
				for i := range writes {
					writes[i] = create(map[string]any{"code": fmt.Sprintf("c%03d", i), "qty": i, "tags": []string{"b", "a", "b"},
						"mobile": "13800138000", "org": org.ID})
				}
				writes[7].Data["code"] = "taken"
				writes[150].Data["code"] = "c003"
				writes[201].Data["org"] = "no-such-org"
				res, err := eng.WriteRecords(ctx, "item", writes, engine.BulkOptions{Atomic: atomic})
				require.NoError(t, err)
				require.Len(t, res, len(writes))

				failed := map[int]string{7: "code", 150: "code", 201: "org"}
				if atomic {
					for i, r := range res {
						if _, bad := failed[i]; bad && r.Outcome == engine.OutcomeFailed {
							continue
						}
						assert.Equal(t, engine.OutcomeNotApplied, r.Outcome, "write %d", i)
					}
					assert.Equal(t, int64(1), count(t, eng, ctx, "item"), "nothing of the call stays")
					entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "item", Action: engine.AuditCreate, First: 100})
					require.NoError(t, err)
					assert.Len(t, entries, 1, "nor any audit entry of it")
					next, err := eng.CreateRecord(ctx, "item", map[string]any{"code": "next"})
					require.NoError(t, err)
					assert.Equal(t, "IT-0002", next.Data["number"], "nor a number")
					return
				}

				numbers := map[string]bool{"IT-0001": true}
				for i, r := range res {
					if field, bad := failed[i]; bad {
						assert.Equal(t, engine.OutcomeFailed, r.Outcome, "write %d", i)
						assert.Contains(t, fieldErrors(t, r.Err), field, "write %d", i)
						continue
					}
					require.Equal(t, engine.OutcomeCreated, r.Outcome, "write %d: %v", i, r.Err)
					got, err := eng.GetRecord(ctx, "item", r.ID)
					require.NoError(t, err)
					assert.Equal(t, got, r.Record, "write %d is answered as stored", i)
					assert.Equal(t, []any{"b", "a"}, got.Data["tags"])
					numbers[got.Data["number"].(string)] = true
				}
				created := len(writes) - len(failed)
				assert.Equal(t, int64(created+1), count(t, eng, ctx, "item"))
				for n := 1; n <= created+1; n++ {
					assert.True(t, numbers[fmt.Sprintf("IT-%04d", n)], "number %d is given once, without gaps", n)
				}

				var entries []engine.AuditEntry
				after := ""
				for {
					page, more, err := eng.Audit(ctx, engine.AuditQuery{Object: "item", Action: engine.AuditCreate, First: 100, After: after})
					require.NoError(t, err)
					entries = append(entries, page...)
					if !more {
						break
					}
					after = page[len(page)-1].ID
				}
				require.Len(t, entries, created+1, "one entry for each created record, none for the failed")
				byRecord := map[string]engine.AuditEntry{}
				for _, en := range entries {
					byRecord[en.RecordID] = en
				}
				r := res[42]
				en, ok := byRecord[r.ID]
				require.True(t, ok)
				assert.Equal(t, int64(1), en.Version)
				assert.Equal(t, "c042", en.Changes["code"].New)
				assert.Equal(t, "•••", en.Changes["mobile"].New, "a sensitive value is masked in the trail")
				assert.Equal(t, org.ID, en.Changes["org"].New)
				next, err := eng.CreateRecord(ctx, "item", map[string]any{"code": "next"})
				require.NoError(t, err)
				assert.Equal(t, fmt.Sprintf("IT-%04d", created+2), next.Data["number"], "the counter was stored where the call left it")
			})
		}
	}
}
