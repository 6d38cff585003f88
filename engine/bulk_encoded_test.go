package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestEngine_WriteRecords_EncodedAhead: creates of objects without
// autonumbers, checked ahead of the writer, are stored with data encoded
// beside it; each reads back as it was answered and as it was given
// (normalised), unique values still hold; a sensitive field (object
// "lead": not encoded ahead) is still sealed in the store, not stored as
// given.
func TestEngine_WriteRecords_EncodedAhead(t *testing.T) {
	t.Parallel()
	for _, st := range bulkStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			lead := `{"$id": "lead", "type": "object", "required": ["code"], "properties": {
				    "code":   {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
				    "amount": {"type": "number", "minimum": 0, "x-crm-type": "currency"},
				    "note":   {"type": "string", "x-crm-type": "textarea"},
				    "hot":    {"type": "boolean", "x-crm-type": "boolean"},
				    "tags":   {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist"},
				    "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
				    "org":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "org"}},
				 "x-crm-indexes": [["hot", "amount"]]}`
			prospect := strings.NewReplacer(`"lead"`, `"prospect"`, `, "x-crm-sensitive": true`, ``).Replace(lead)
			tn := testkit.New(t, "acme", testkit.WithStore(st.open), testkit.WithEncryption(), testkit.WithObjects(
				`{"$id": "org", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`, lead, prospect))
			eng, ctx := tn.Engine, tn.Admin
			org, err := eng.CreateRecord(ctx, "org", map[string]any{"name": "华为"})
			require.NoError(t, err)
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			ts, err := tn.Store.Tenant(ctx, "acme")
			require.NoError(t, err)
			for _, name := range []string{"lead", "prospect"} {
				writes := make([]engine.BulkWrite, 130)
				for i := range writes {
					writes[i] = create(map[string]any{"code": fmt.Sprintf("L-%03d", i), "amount": float64(i) + 0.25,
						"note": "客户 <关注> \"交付\"\n周期", "hot": i%2 == 0, "tags": []string{"b", "a"}, "mobile": "13800138000", "org": org.ID})
				}
				writes[9].Data["code"] = "L-002" // taken by write 2
				res, err := eng.WriteRecords(ctx, name, writes, engine.BulkOptions{})
				require.NoError(t, err)
				for i, r := range res {
					if i == 9 {
						require.Equal(t, engine.OutcomeFailed, r.Outcome)
						continue
					}
					require.Equal(t, engine.OutcomeCreated, r.Outcome, "%s write %d: %v", name, i, r.Err)
					got, err := eng.GetRecord(ctx, name, r.ID)
					require.NoError(t, err)
					assert.Equal(t, got, r.Record, "%s write %d is answered as stored", name, i)
					assert.Equal(t, fmt.Sprintf("L-%03d", i), got.Data["code"])
					assert.Equal(t, float64(i)+0.25, got.Data["amount"])
					assert.Equal(t, "客户 <关注> \"交付\"\n周期", got.Data["note"])
					assert.Equal(t, i%2 == 0, got.Data["hot"])
					assert.Equal(t, "13800138000", got.Data["mobile"])
				}
				assert.Equal(t, int64(129), count(t, eng, ctx, name))
				raw, err := ts.Get(ctx, cat.Object(name), res[0].ID)
				require.NoError(t, err)
				assert.Equal(t, "L-000", raw.Data["code"])
				if name == "lead" {
					assert.NotEqual(t, "13800138000", raw.Data["mobile"], "sealed in the store")
				} else {
					assert.Equal(t, "13800138000", raw.Data["mobile"])
				}
			}
		})
	}
}
