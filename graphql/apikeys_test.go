package graphql_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/internal/testkit"
)

// TestAPIKeys_Lifecycle: an administrator creates a key with a role and an
// expiry and sees its secret once, lists keys without secrets, the key
// works until it is revoked, and both changes are in the audit trail; a
// role is refused every step.
func TestAPIKeys_Lifecycle(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC))
	srv, tn := realServer(t, testkit.WithClock(clock))
	err := tn.Engine.SaveRole(tn.Admin, engine.Role{Name: "sales", Objects: map[string]access.ObjectAccess{"*": {Read: true}}})
	require.NoError(t, err)

	data := mustRun(t, srv, admin, `mutation { createApiKey(name: "ERP 对接", role: "sales", expiresAt: "2027-01-01T00:00:00+08:00") { secret key { id name prefix role createdAt expiresAt revokedAt } } }`, nil)
	created := data["createApiKey"].(map[string]any)
	secret := created["secret"].(string)
	key := created["key"].(map[string]any)
	assert.Regexp(t, `^crm_`, secret)
	assert.Equal(t, "ERP 对接", key["name"])
	assert.Equal(t, "sales", key["role"])
	assert.Equal(t, "2026-12-31T16:00:00.000000Z", key["expiresAt"])
	assert.Nil(t, key["revokedAt"])
	assert.Contains(t, secret, key["prefix"].(string), "the prefix is the start of the secret")

	a, err := tn.Engine.Authenticate(context.Background(), secret)
	require.NoError(t, err)
	assert.Equal(t, "sales", a.Role)
	assert.False(t, a.Admin)

	data = mustRun(t, srv, admin, `{ apiKeys { id name role revokedAt } }`, nil)
	assert.Equal(t, []any{map[string]any{"id": key["id"], "name": "ERP 对接", "role": "sales", "revokedAt": nil}}, data["apiKeys"])

	clock.Advance(time.Minute)
	data = mustRun(t, srv, admin, `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, map[string]any{"id": key["id"]})
	assert.Equal(t, "2026-12-05T08:01:00.000000Z", data["revokeApiKey"].(map[string]any)["revokedAt"])
	_, err = tn.Engine.Authenticate(context.Background(), secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "refused at once")
	clock.Advance(time.Minute)
	data = mustRun(t, srv, admin, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, map[string]any{"id": key["id"]})
	assert.Equal(t, "2026-12-05T08:01:00.000000Z", data["revokeApiKey"].(map[string]any)["revokedAt"], "the first revocation stays")

	data = mustRun(t, srv, admin, `{ auditTrail(object: "apiKey") { entries { actor action recordId changes } } }`, nil)
	entries := data["auditTrail"].(map[string]any)["entries"].([]any)
	require.Len(t, entries, 2, "one create, one revoke")
	newest, oldest := entries[0].(map[string]any), entries[1].(map[string]any)
	assert.Equal(t, admin.ID, oldest["actor"])
	assert.Equal(t, "permission", oldest["action"])
	assert.Equal(t, key["id"], oldest["recordId"])
	assert.NotContains(t, oldest["changes"], secret, "never the secret")
	assert.Contains(t, newest["changes"], "revokedAt")

	scenarios := []struct {
		name, query, code string
	}{
		{"a role lists", `{ apiKeys { id } }`, "FORBIDDEN"},
		{"a role creates", `mutation { createApiKey(name: "x") { secret } }`, "FORBIDDEN"},
		{"a role revokes", `mutation { revokeApiKey(id: "x") { id } }`, "FORBIDDEN"},
	}
	for _, s := range scenarios {
		r := run(t, srv, user, s.query, nil)
		assert.Equal(t, []string{s.code}, r.codes(), s.name)
	}
	bad := []struct {
		name, query, code, message string
	}{
		{"unknown role", `mutation { createApiKey(name: "x", role: "nobody") { secret } }`, "BAD_REQUEST", `没有角色 "nobody"`},
		{"expiry in the past", `mutation { createApiKey(name: "x", expiresAt: "2020-01-01T00:00:00Z") { secret } }`, "BAD_REQUEST", "晚于现在"},
		{"not a date-time", `mutation { createApiKey(name: "x", expiresAt: "tomorrow") { secret } }`, "BAD_REQUEST", "RFC 3339"},
		{"unknown key", `mutation { revokeApiKey(id: "nope") { id } }`, "NOT_FOUND", `没有 API 密钥 "nope"`},
	}
	for _, s := range bad {
		r := run(t, srv, admin, s.query, nil)
		assert.Equal(t, []string{s.code}, r.codes(), s.name)
		assert.Contains(t, r.messages(), s.message, s.name)
	}
	data = mustRun(t, srv, admin, `{ apiKeys { id } }`, nil)
	assert.Len(t, data["apiKeys"], 1, "refused creations left nothing behind")
}
