package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
)

// TestEngine_WriteWithoutAutomations: an administrator's migration writes
// records as they were, without the automations that made them so
// elsewhere; validation still holds, and nobody else may skip them.
func TestEngine_WriteWithoutAutomations(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, admin := tn.Engine, tn.Admin
	_, err := eng.SaveObject(admin, []byte(`{"$id": "ticket", "type": "object", "required": ["subject"], "properties": {
	    "subject":  {"type": "string", "x-crm-type": "text"},
	    "priority": {"type": "string", "enum": ["low", "high"], "x-crm-type": "picklist"},
	    "status":   {"type": "string", "enum": ["new", "triaged", "closed"], "x-crm-type": "picklist"}},
	  "x-crm-automations": [{"name": "triage", "trigger": {"event": "saved"}, "condition": {"field": "priority", "op": "eq", "value": "high"},
	    "actions": [{"type": "setFields", "values": {"status": "triaged"}}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	rows := []engine.BulkWrite{
		{Action: engine.BulkCreate, Data: map[string]any{"subject": "旧工单", "priority": "high", "status": "closed"}},
		{Action: engine.BulkCreate, Data: map[string]any{"priority": "high"}},
	}
	res, err := eng.WriteRecords(admin, "ticket", rows, engine.BulkOptions{SkipAutomations: true})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeCreated, res[0].Outcome)
	assert.Equal(t, "closed", res[0].Record.Data["status"], "the automation did not run")
	assert.Equal(t, engine.OutcomeFailed, res[1].Outcome, "validation still holds")

	res, err = eng.WriteRecords(admin, "ticket", rows[:1], engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, "triaged", res[0].Record.Data["status"], "without the switch, it runs")

	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "support", Objects: map[string]engine.ObjectAccess{"ticket": {Read: true, Create: true, Update: true}}}))
	user := tn.As(engine.Actor{TenantID: "acme", ID: "user:agent", Role: "support"})
	_, err = eng.WriteRecords(user, "ticket", rows[:1], engine.BulkOptions{SkipAutomations: true})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = eng.ImportRecords(user, "ticket", engine.ImportTable{Header: []string{"subject"}, Rows: []engine.ImportRow{{Line: 2, Cells: []string{"x"}}}},
		engine.ImportSpec{Columns: []importvalue.Column{{Field: "subject"}}, Mode: engine.BulkCreate, SkipAutomations: true}, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	assert.ErrorContains(t, err, "only administrators may write without automations")
}
