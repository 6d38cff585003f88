package graphql_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/access"
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

// TestUsers_RefusalsNameTheirField: a refused createUser, updateUser or
// createApiKey names the input field it is about in extensions.fields,
// with the message key as its code, so that a form shows it there.
func TestUsers_RefusalsNameTheirField(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	require.NoError(t, tn.Engine.SaveRole(tn.Admin, engine.Role{Name: "sales", Objects: map[string]access.ObjectAccess{"*": {Read: true}}}))
	mustRun(t, srv, admin, `mutation { createUser(input: {username: "li.lei", password: "a good long password", role: "sales"}) { username } }`, nil)
	mustRun(t, srv, admin, `mutation { createUser(input: {username: "gone", password: "a good long password"}) { username } }`, nil)
	mustRun(t, srv, admin, `mutation { updateUser(username: "gone", input: {active: false}) { active } }`, nil)

	scenarios := []struct {
		name, query, field, code string
	}{
		{"a bad user name", `mutation { createUser(input: {username: "Li Lei", password: "a good long password"}) { username } }`, "username", "user.badName"},
		{"a taken user name", `mutation { createUser(input: {username: "li.lei", password: "a good long password"}) { username } }`, "username", "user.exists"},
		{"a short password", `mutation { createUser(input: {username: "han.mei", password: "short"}) { username } }`, "password", "user.passwordTooShort"},
		{"an unknown role", `mutation { createUser(input: {username: "han.mei", password: "a good long password", role: "boss"}) { username } }`, "role", "user.noRole"},
		{"an inactive manager", `mutation { createUser(input: {username: "han.mei", password: "a good long password", manager: "gone"}) { username } }`, "manager", "user.managerNotActive"},
		{"a long team", `mutation { updateUser(username: "li.lei", input: {team: "` + strings.Repeat("t", 81) + `"}) { team } }`, "team", "user.teamTooLong"},
		{"their own manager", `mutation { updateUser(username: "li.lei", input: {manager: "li.lei"}) { manager } }`, "manager", "user.ownManager"},
		{"a key's unknown role", `mutation { createApiKey(name: "erp", role: "boss") { secret } }`, "role", "apiKey.noRole"},
		{"a key's past expiry", `mutation { createApiKey(name: "erp", expiresAt: "2001-01-01T00:00:00Z") { secret } }`, "expiresAt", "apiKey.expiryFuture"},
		{"a key's long name", `mutation { createApiKey(name: "` + strings.Repeat("名", 70) + `") { secret } }`, "name", "apiKey.longName"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, admin, s.query, nil)
			require.Len(t, r.Errors, 1)
			e := r.Errors[0]
			want := "BAD_REQUEST"
			if s.code == "user.exists" {
				want = "CONFLICT"
			}
			assert.Equal(t, want, e.Extensions["code"], e.Message)
			assert.Equal(t, []any{map[string]any{"field": s.field, "code": s.code, "message": e.Message}}, e.Extensions["fields"])
		})
	}
	r := run(t, srv, admin, `mutation { updateUser(username: "nobody", input: {team: "x"}) { team } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Nil(t, r.Errors[0].Extensions["fields"], "a missing user is not a field's fault")
}
