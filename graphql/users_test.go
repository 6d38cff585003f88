package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// TestUsers_TemporaryPassword: a session whose password is temporary may
// call me and changePassword and nothing else, introspection included;
// every other field is FORBIDDEN with reason PASSWORD_CHANGE_REQUIRED.
func TestUsers_TemporaryPassword(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	temp := engine.Actor{TenantID: tenantA, ID: "user:wang", Admin: true, Session: "s1", MustChangePassword: true}

	data := mustRun(t, srv, temp, `{ me { id username displayName mustChangePassword admin } __typename }`, nil)
	assert.Equal(t, map[string]any{"id": "user:wang", "username": "wang", "displayName": "用户 wang", "mustChangePassword": true, "admin": true}, data["me"])

	scenarios := []struct {
		name  string
		query string
	}{
		{"a list", `{ deals { totalCount } }`},
		{"metadata", `{ objects { name } }`},
		{"a write", `mutation { createAccount(input: {name: "x"}) { id } }`},
		{"beside me", `{ me { id } deals { totalCount } }`},
		{"through a fragment", `query { ...F } fragment F on Query { accounts { totalCount } }`},
		{"introspection", `{ __schema { queryType { name } } }`},
		{"one type", `{ __type(name: "Deal") { name } }`},
		{"an admin's users", `{ users { username } }`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, temp, s.query, nil)
			require.NotEmpty(t, r.Errors)
			for _, e := range r.Errors {
				assert.Equal(t, "FORBIDDEN", e.Extensions["code"])
				assert.Equal(t, "PASSWORD_CHANGE_REQUIRED", e.Extensions["reason"])
				assert.Contains(t, e.Message, "请先修改密码")
			}
		})
	}
	r := run(t, srv, temp, `{ me { id } deal(id: "d1") { id } }`, nil)
	assert.Equal(t, "user:wang", r.Data["me"].(map[string]any)["id"], "me still answers beside a refused nullable field")
	assert.Nil(t, r.Data["deal"])
	assert.Zero(t, f.calls["ListRecords"], "nothing refused reached the engine")

	data = mustRun(t, srv, temp, `mutation { changePassword(current: "temporary password", new: "my own password") }`, nil)
	assert.Equal(t, true, data["changePassword"])
	assert.Equal(t, 1, f.calls["ChangePassword"])

	data = mustRun(t, srv, admin, `{ me { id username displayName mustChangePassword } }`, nil)
	assert.Equal(t, map[string]any{"id": "key:admin", "username": nil, "displayName": nil, "mustChangePassword": false}, data["me"], "an API key has no user name")
	changed := temp
	changed.MustChangePassword = false
	mustRun(t, srv, changed, `{ deals { totalCount } }`, nil)
}
