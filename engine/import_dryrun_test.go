package engine_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// dryMember has a unique mobile, an autonumber, a script that fails
// after the save for one name and an automation that tells a webhook of
// every new member (through the outbox).
const dryMember = `{"$id": "member", "type": "object", "required": ["name"], "properties": {
    "name":   {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "姓名", "en": "Name"}},
    "mobile": {"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-unique": true, "x-crm-label": {"zh": "手机号", "en": "Mobile"}},
    "number": {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "M-{0000}", "x-crm-label": {"zh": "编号", "en": "Number"}}},
  "x-crm-scripts": [{"name": "boom", "kind": "afterSave", "source": "if (ctx.record.name === '爆炸') throw new Error('boom')"}],
  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"},
    "actions": [{"type": "webhook", "url": "https://hooks.example.com/new-member"}]}]}`

// TestEngine_ImportRecords_DryRunWrites: on the embedded store a dry run
// writes each batch for real and rolls it back, so it rejects exactly
// the rows the run then rejects — a mobile a stored member has, one
// repeated within a batch, one repeated from an earlier batch, a row
// whose script fails after its save — and counts the others valid,
// leaving no record, audit entry, outbox entry or autonumber behind.
// Where the store cannot roll back (no savepoints), the dry run checks
// only, and says so by missing what needs the writes.
func TestEngine_ImportRecords_DryRunWrites(t *testing.T) {
	t.Parallel()
	for _, st := range bulkStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			tn := testkit.New(t, "acme", testkit.WithStore(st.open), testkit.WithObjects(dryMember))
			eng, admin := tn.Engine, tn.Admin
			_, err := eng.CreateRecord(admin, "member", map[string]any{"name": "老会员", "mobile": "13900000000"})
			require.NoError(t, err)

			header := []string{"姓名", "手机号"}
			rows := make([]engine.ImportRow, 520)
			for i := range rows {
				rows[i] = engine.ImportRow{Line: i + 2, Cells: []string{fmt.Sprintf("会员%d", i), fmt.Sprintf("138%08d", i)}}
			}
			rows[2].Cells[1] = "13900000000" // a stored member's
			rows[11].Cells[1] = rows[10].Cells[1]
			rows[510].Cells[1] = rows[20].Cells[1] // the second batch repeats the first's
			rows[30].Cells[0] = "爆炸"
			table := engine.ImportTable{Header: header, Rows: rows}
			spec := engine.ImportSpec{Columns: []importvalue.Column{{Field: "name"}, {Field: "mobile"}}, Mode: engine.BulkCreate}

			dry := spec
			dry.DryRun = true
			drep, err := eng.ImportRecords(admin, "member", table, dry, nil)
			require.NoError(t, err)
			assert.Zero(t, drep.Created)
			assert.Equal(t, int64(1), count(t, eng, admin, "member"), "a dry run keeps no record")
			entries, _, err := eng.Audit(admin, engine.AuditQuery{Object: "member", Action: engine.AuditCreate})
			require.NoError(t, err)
			assert.Len(t, entries, 1, "nor an audit entry")
			outbox, err := eng.Outbox(admin, "", 100)
			require.NoError(t, err)
			assert.Len(t, outbox, 1, "nor a webhook: only the stored member's")

			if st.name != "savepoints" {
				assert.Equal(t, []int{13, 512}, lines(drep.Rejected), "checks only: repeats within the file")
				assert.Equal(t, len(rows)-2, drep.Valid)
				return
			}
			assert.Equal(t, []int{4, 13, 32, 512}, lines(drep.Rejected))
			assert.Equal(t, len(rows)-4, drep.Valid)
			for _, r := range drep.Rejected {
				if r.Line != 32 {
					assert.Equal(t, "手机号", r.Problems[0].Field, "line %d", r.Line)
					assert.Equal(t, "unique", r.Problems[0].Code, "line %d", r.Line)
				}
			}

			rep, err := eng.ImportRecords(admin, "member", table, spec, nil)
			require.NoError(t, err)
			assert.Equal(t, lines(drep.Rejected), lines(rep.Rejected), "the run rejects what the dry run said")
			for i := range rep.Rejected {
				assert.Equal(t, drep.Rejected[i].Problems, rep.Rejected[i].Problems, "in the same words")
			}
			assert.Equal(t, drep.Valid, rep.Created)
			first, err := eng.ListRecords(admin, "member", engine.ListQuery{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13800000000"}})
			require.NoError(t, err)
			require.Len(t, first.Records, 1)
			assert.Equal(t, "M-0002", first.Records[0].Data["number"], "the dry run took no number")
		})
	}
}

func lines(rows []engine.RejectedRow) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Line
	}
	return out
}
