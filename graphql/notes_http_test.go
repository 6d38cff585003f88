package graphql_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestActivities_HTTP adds a note and a task to an account over the real
// HTTP server on loopback and reads them back on the account's timeline;
// a sales rep's key sees the same timeline, a bad kind is a 400.
func TestActivities_HTTP(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	data := func(r httpReply) map[string]any {
		t.Helper()
		require.Equal(t, 200, r.status, string(r.body))
		body := r.json(t)
		require.Nil(t, body["errors"], string(r.body))
		return body["data"].(map[string]any)
	}
	acc := data(s.post(t, s.admin, `mutation { createAccount(input: {name: "动态测试有限公司"}) { id } }`, "", ""))["createAccount"].(map[string]any)["id"].(string)
	vars := fmt.Sprintf(`{"a": %q}`, acc)
	note := data(s.post(t, s.admin, `mutation($a: ID!) { addNote(object: "account", id: $a, body: "上门拜访，客户有意向") { id author } }`, vars, ""))["addNote"].(map[string]any)
	data(s.post(t, s.admin, `mutation($a: ID!) { createActivity(input: {subject: "电话回访", type: call, account: $a}) { id } }`, vars, ""))
	tl := data(s.post(t, s.admin, `query($a: ID!) { timeline(object: "account", id: $a) { items { kind id title } hasNextPage } }`, vars, ""))["timeline"].(map[string]any)
	kinds := map[string]bool{}
	for _, it := range tl["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)] = true
	}
	assert.True(t, kinds["note"] && kinds["activity"] && kinds["change"], "%v", tl)

	rep := s.roleKeys["salesRep"]
	require.NotEmpty(t, rep)
	got := data(s.post(t, rep, `query($a: ID!) { recordNotes(object: "account", id: $a) { notes { id body } } }`, vars, ""))["recordNotes"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"id": note["id"], "body": "上门拜访，客户有意向"}}, got["notes"])

	r := s.post(t, s.admin, `query($a: ID!) { timeline(object: "account", id: $a, kinds: ["gossip"]) { hasNextPage } }`, vars, "")
	errs, _ := r.json(t)["errors"].([]any)
	require.Len(t, errs, 1, string(r.body))
	assert.Equal(t, "BAD_REQUEST", errs[0].(map[string]any)["extensions"].(map[string]any)["code"])
}
