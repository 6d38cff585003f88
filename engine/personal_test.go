package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

func TestPersonalData_ExportAndErase(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "客户"})
	require.NoError(t, err)
	c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "李雷", "account": acc.ID})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "contact", c.ID, map[string]any{"name": "李雷雷"}, nil)
	require.NoError(t, err)
	d, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "单", "contacts": []any{c.ID}})
	require.NoError(t, err)

	pd, err := eng.PersonalDataOf(ctx, "contact", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "李雷雷", pd.Record.Data["name"])
	assert.Equal(t, []engine.Reference{{Object: "deal", Field: "contacts", RecordID: d.ID}}, pd.References)
	require.Len(t, pd.Audit, 2)

	require.NoError(t, eng.ErasePersonalData(ctx, "contact", c.ID))
	_, err = eng.GetRecord(ctx, "contact", c.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	deal, err := eng.GetRecord(ctx, "deal", d.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{}, deal.Data["contacts"], "references to the erased record are cleared")
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: c.ID})
	require.NoError(t, err)
	text, _ := json.Marshal(entries)
	assert.NotContains(t, string(text), "李雷", "no value of the person is left in the trail")
	assert.Equal(t, engine.AuditPersonalData, entries[0].Action, "the erasure is audited")
	assert.Equal(t, "[erased]", entries[len(entries)-1].Changes["name"].New)

	user := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:x"})
	_, err = eng.PersonalDataOf(user, "account", acc.ID)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
}
