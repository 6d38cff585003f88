package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_AuditCreationValues: the audit trail stores a create's entry
// without values, yet through the real server the record's history shows
// the deal as it was created after updates (a field cleared, one set, the
// account changed), its new account's delete (which clears the lookup),
// the deal's own delete and restore.
func TestServe_AuditCreationValues(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)

	id := func(data map[string]any, field string) string { return data[field].(map[string]any)["id"].(string) }
	a1 := id(s.ok(t, `mutation { createAccount(input: {name: "审计客户甲"}) { id } }`, nil), "createAccount")
	a2 := id(s.ok(t, `mutation { createAccount(input: {name: "审计客户乙"}) { id } }`, nil), "createAccount")
	deal := id(s.ok(t, `mutation($a: ID!) { createDeal(input: {title: "审计商机", amount: 1200, account: $a, notes: "首次接洽"}) { id } }`,
		map[string]any{"a": a1}), "createDeal")

	history := func() []any {
		t.Helper()
		data := s.ok(t, `query($id: ID!) { auditTrail(object: "deal", recordId: $id, first: 50) { entries { action changes } } }`, map[string]any{"id": deal})
		return data["auditTrail"].(map[string]any)["entries"].([]any)
	}
	first := history()
	require.Len(t, first, 1)
	created := first[0].(map[string]any)
	require.Equal(t, "create", created["action"])
	changes := created["changes"].(map[string]any)
	assert.Equal(t, map[string]any{"old": nil, "new": "审计商机"}, changes["title"])
	assert.Equal(t, map[string]any{"old": nil, "new": 1200.0}, changes["amount"])
	assert.Equal(t, map[string]any{"old": nil, "new": a1}, changes["account"])
	assert.Equal(t, map[string]any{"old": nil, "new": "首次接洽"}, changes["notes"])

	s.ok(t, `mutation($id: ID!) { updateDeal(id: $id, input: {amount: null}) { id } }`, map[string]any{"id": deal})
	s.ok(t, `mutation($id: ID!) { updateDeal(id: $id, input: {notes: "已报价", closeDate: "2027-01-31"}) { id } }`, map[string]any{"id": deal})
	s.ok(t, `mutation($id: ID!, $a: ID!) { updateDeal(id: $id, input: {account: $a}) { id } }`, map[string]any{"id": deal, "a": a2})
	s.ok(t, `mutation($id: ID!) { deleteAccount(id: $id) }`, map[string]any{"id": a2})
	s.ok(t, `mutation($id: ID!) { deleteDeal(id: $id) }`, map[string]any{"id": deal})
	s.ok(t, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { restored } }`, map[string]any{"ids": []any{deal}})

	entries := history()
	last := entries[len(entries)-1].(map[string]any)
	assert.Equal(t, "create", last["action"])
	assert.Equal(t, changes, last["changes"], "the creation reads as it did")
	cleared := false
	for _, en := range entries {
		m := en.(map[string]any)
		if m["action"] == "update" {
			c, _ := m["changes"].(map[string]any)["account"].(map[string]any)
			cleared = cleared || (c["old"] == a2 && c["new"] == nil)
		}
	}
	assert.True(t, cleared, "the lookup its account's delete cleared is in the trail")
}
