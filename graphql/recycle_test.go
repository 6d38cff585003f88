package graphql_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecycle_GraphQL deletes an account over HTTP, finds it in the
// recycle bin, restores it with its contact's lookup, and checks the
// arguments' checks, purge, the retention and who may do what.
func TestRecycle_GraphQL(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	data := func(r httpReply) map[string]any {
		t.Helper()
		require.Equal(t, 200, r.status, string(r.body))
		body := r.json(t)
		require.Nil(t, body["errors"], string(r.body))
		return body["data"].(map[string]any)
	}
	problem := func(r httpReply) string {
		t.Helper()
		errs, _ := r.json(t)["errors"].([]any)
		require.NotEmpty(t, errs, string(r.body))
		return errs[0].(map[string]any)["extensions"].(map[string]any)["code"].(string)
	}

	acc := data(s.post(t, s.admin, `mutation { createAccount(input: {name: "回收站测试有限公司"}) { id version } }`, "", ""))["createAccount"].(map[string]any)
	accID := acc["id"].(string)
	contact := data(s.post(t, s.admin, `mutation($a: ID!) { createContact(input: {name: "王芳", account: $a}) { id } }`, fmt.Sprintf(`{"a": %q}`, accID), ""))["createContact"].(map[string]any)
	contactID := contact["id"].(string)
	data(s.post(t, s.admin, `mutation($id: ID!) { deleteAccount(id: $id) }`, fmt.Sprintf(`{"id": %q}`, accID), ""))

	got := data(s.post(t, s.admin, `query($id: ID!) { account(id: $id) { id } contact(id: $id) { account { id } } }`, fmt.Sprintf(`{"id": %q}`, accID), ""))
	assert.Nil(t, got["account"], "a deleted record is gone")

	bin := data(s.post(t, s.admin, `{ recycleBin(object: "account", first: 10) { retentionDays hasNextPage endCursor
	  entries { id object title data ownerId version reason deletedBy deletedAt expiresAt references } } }`, "", ""))["recycleBin"].(map[string]any)
	assert.Equal(t, 30.0, bin["retentionDays"])
	entries := bin["entries"].([]any)
	require.Len(t, entries, 1)
	en := entries[0].(map[string]any)
	assert.Equal(t, accID, en["id"])
	assert.Equal(t, "回收站测试有限公司", en["title"])
	assert.Equal(t, "delete", en["reason"])
	assert.Equal(t, 1.0, en["references"])
	assert.Equal(t, "回收站测试有限公司", en["data"].(map[string]any)["name"])

	scenarios := []struct{ name, query, code string }{
		{"no ids", `mutation { restoreDeleted(ids: []) { id } }`, "BAD_REQUEST"},
		{"first out of range", `{ recycleBin(first: 0) { hasNextPage } }`, "BAD_REQUEST"},
		{"a foreign cursor", `{ recycleBin(after: "bm90IGEgY3Vyc29y") { hasNextPage } }`, "BAD_REQUEST"},
		{"an unknown object", `{ recycleBin(object: "ghost") { hasNextPage } }`, "BAD_REQUEST"},
		{"retention out of range", `mutation { setRecycleBinRetention(days: 99999) { retentionDays } }`, "BAD_REQUEST"},
		{"purge of nothing", `mutation { purgeDeleted(ids: ["nope"]) }`, "NOT_FOUND"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			assert.Equal(t, sc.code, problem(s.post(t, s.admin, sc.query, "", "")))
		})
	}

	rep := s.roleKeys["salesRep"]
	require.NotEmpty(t, rep)
	repBin := data(s.post(t, rep, `{ recycleBin { entries { id } } }`, "", ""))["recycleBin"].(map[string]any)
	assert.Empty(t, repBin["entries"], "a sales rep does not see what an administrator deleted of others'")
	assert.Equal(t, "FORBIDDEN", problem(s.post(t, rep, `mutation { setRecycleBinRetention(days: 5) { retentionDays } }`, "", "")))
	assert.Equal(t, "FORBIDDEN", problem(s.post(t, rep, `mutation { emptyRecycleBin }`, "", "")))
	out := data(s.post(t, rep, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { id restored error { code message } } }`, fmt.Sprintf(`{"ids": [%q]}`, accID), ""))
	first := out["restoreDeleted"].([]any)[0].(map[string]any)
	assert.Equal(t, false, first["restored"])
	assert.Equal(t, "NOT_FOUND", first["error"].(map[string]any)["code"])

	out = data(s.post(t, s.admin, `mutation($ids: [ID!]!) { restoreDeleted(ids: $ids) { id object restored error { code } data version
	  clearedLookups droppedFields referencesRestored referencesNotRestored historyLost } }`, fmt.Sprintf(`{"ids": [%q, "nope"]}`, accID), ""))
	results := out["restoreDeleted"].([]any)
	require.Len(t, results, 2)
	ok := results[0].(map[string]any)
	assert.Equal(t, true, ok["restored"], ok)
	assert.Equal(t, "account", ok["object"])
	assert.Equal(t, acc["version"].(float64)+1, ok["version"])
	assert.Equal(t, 1.0, ok["referencesRestored"])
	assert.Equal(t, []any{}, ok["clearedLookups"])
	assert.Equal(t, "NOT_FOUND", results[1].(map[string]any)["error"].(map[string]any)["code"])
	got = data(s.post(t, s.admin, `query($id: ID!) { contact(id: $id) { account { id name } } }`, fmt.Sprintf(`{"id": %q}`, contactID), ""))
	assert.Equal(t, map[string]any{"id": accID, "name": "回收站测试有限公司"}, got["contact"].(map[string]any)["account"], "the lookup is back")

	data(s.post(t, s.admin, `mutation($id: ID!) { deleteContact(id: $id) }`, fmt.Sprintf(`{"id": %q}`, contactID), ""))
	n := data(s.post(t, s.admin, `mutation($ids: [ID!]!) { purgeDeleted(ids: $ids) }`, fmt.Sprintf(`{"ids": [%q]}`, contactID), ""))
	assert.Equal(t, 1.0, n["purgeDeleted"])
	set := data(s.post(t, s.admin, `mutation { setRecycleBinRetention(days: 7) { retentionDays maxRetentionDays } }`, "", ""))
	assert.Equal(t, map[string]any{"retentionDays": 7.0, "maxRetentionDays": 3650.0}, set["setRecycleBinRetention"])
	settings := data(s.post(t, rep, `{ recycleBinSettings { retentionDays } }`, "", ""))
	assert.Equal(t, 7.0, settings["recycleBinSettings"].(map[string]any)["retentionDays"], "anyone reads the retention")
	var empty struct{ EmptyRecycleBin int }
	raw, err := json.Marshal(data(s.post(t, s.admin, `mutation { emptyRecycleBin }`, "", "")))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &empty))
	assert.Equal(t, 0, empty.EmptyRecycleBin)
}
