package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_RecycleBin: a delete and restore round trip through the real
// server — the deleted account leaves lists and its contact's and deal's
// lookups, sits in the recycle bin, and comes back with both lookups and
// the deal's stage history; a deal whose contact was deleted after it and
// purged comes back without the contact, saying so; a unique name taken meanwhile refuses
// the restore. .ci/ferretdb-e2e runs it on the MongoDB adapter too.
func TestServe_RecycleBin(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)

	acc := s.ok(t, `mutation { createAccount(input: {name: "回收站客户"}) { id } }`, nil)["createAccount"].(map[string]any)["id"].(string)
	contact := s.ok(t, `mutation($a: ID!) { createContact(input: {name: "李雷", account: $a}) { id } }`, map[string]any{"a": acc})["createContact"].(map[string]any)["id"].(string)
	deal := s.ok(t, `mutation($a: ID!, $c: ID!) { createDeal(input: {title: "年度框架", account: $a, contacts: [$c]}) { id } }`,
		map[string]any{"a": acc, "c": contact})["createDeal"].(map[string]any)["id"].(string)
	s.ok(t, `mutation($id: ID!) { updateDeal(id: $id, input: {stage: won}) { stage } }`, map[string]any{"id": deal})

	s.ok(t, `mutation($id: ID!) { deleteAccount(id: $id) }`, map[string]any{"id": acc})
	data := s.ok(t, `query($d: ID!, $c: ID!) { accounts { totalCount } deal(id: $d) { account { id } } contact(id: $c) { account { id } } }`,
		map[string]any{"d": deal, "c": contact})
	assert.Equal(t, 0.0, data["accounts"].(map[string]any)["totalCount"])
	assert.Nil(t, data["deal"].(map[string]any)["account"])
	assert.Nil(t, data["contact"].(map[string]any)["account"])

	bin := s.ok(t, `{ recycleBin { entries { id object title references } } }`, nil)["recycleBin"].(map[string]any)["entries"].([]any)
	require.Len(t, bin, 1)
	assert.Equal(t, map[string]any{"id": acc, "object": "account", "title": "回收站客户", "references": 2.0}, bin[0])

	out := s.ok(t, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { restored referencesRestored error { message } } }`,
		map[string]any{"ids": []any{acc}})["restoreDeleted"].([]any)
	assert.Equal(t, map[string]any{"restored": true, "referencesRestored": 2.0, "error": nil}, out[0])
	data = s.ok(t, `query($d: ID!, $c: ID!) { accounts { totalCount } deal(id: $d) { account { name } } contact(id: $c) { account { name } } }`,
		map[string]any{"d": deal, "c": contact})
	assert.Equal(t, 1.0, data["accounts"].(map[string]any)["totalCount"])
	assert.Equal(t, map[string]any{"name": "回收站客户"}, data["deal"].(map[string]any)["account"])
	assert.Equal(t, map[string]any{"name": "回收站客户"}, data["contact"].(map[string]any)["account"])

	s.ok(t, `mutation($id: ID!) { deleteDeal(id: $id) }`, map[string]any{"id": deal})
	s.ok(t, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": contact})
	s.ok(t, `mutation($ids: [ID!]!) { purgeDeleted(ids: $ids) }`, map[string]any{"ids": []any{contact}})
	out = s.ok(t, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { restored clearedLookups } }`, map[string]any{"ids": []any{deal}})["restoreDeleted"].([]any)
	assert.Equal(t, map[string]any{"restored": true, "clearedLookups": []any{"contacts"}}, out[0])
	data = s.ok(t, `query($d: ID!) { deal(id: $d) { stage account { name } contacts { id } } }`, map[string]any{"d": deal})
	assert.Equal(t, map[string]any{"stage": "won", "account": map[string]any{"name": "回收站客户"}, "contacts": []any{}}, data["deal"])

	s.ok(t, `mutation($id: ID!) { deleteAccount(id: $id) }`, map[string]any{"id": acc})
	s.ok(t, `mutation { createAccount(input: {name: "回收站客户"}) { id } }`, nil)
	r := s.gql(t, s.Key, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { restored error { code message } } }`, map[string]any{"ids": []any{acc}})
	require.Empty(t, r.Errors)
	res := r.Data["restoreDeleted"].([]any)[0].(map[string]any)
	assert.Equal(t, false, res["restored"])
	assert.Equal(t, "CONFLICT", res["error"].(map[string]any)["code"])
	assert.Contains(t, res["error"].(map[string]any)["message"], "回收站客户")
}
