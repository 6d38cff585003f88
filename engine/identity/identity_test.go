package identity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/identity"
)

func TestValidUsername(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"alice": true, "zhang.san": true, "r2-d2_x": true, "a": false, "Alice": false,
		"-bob": false, "bob smith": false, strings.Repeat("a", 63): true, strings.Repeat("a", 64): false,
	} {
		assert.Equal(t, want, identity.ValidUsername(name), name)
	}
}

func TestPassword_Policy(t *testing.T) {
	t.Parallel()
	assert.True(t, identity.PasswordTooShort("short"))
	assert.False(t, identity.PasswordTooShort("长长长长长长长长长长"), "ten characters, whatever their bytes")
	assert.False(t, identity.PasswordTooLong(strings.Repeat("x", identity.MaxPasswordBytes)))
	assert.True(t, identity.PasswordTooLong(strings.Repeat("x", identity.MaxPasswordBytes+1)))
}

func TestManagerLoop(t *testing.T) {
	t.Parallel()
	managers := map[string]string{"rep": "lead", "lead": "boss"}
	managerOf := func(name string) string { return managers[name] }
	assert.False(t, identity.ManagerLoop("new", "rep", managerOf, len(managers)))
	assert.True(t, identity.ManagerLoop("boss", "rep", managerOf, len(managers)), "boss above lead above rep above boss")
}

func TestSession_Token(t *testing.T) {
	t.Parallel()
	token, csrf, err := identity.NewSession("acme")
	require.NoError(t, err)
	tenant, ok := identity.SessionTenant(token)
	assert.True(t, ok)
	assert.Equal(t, "acme", tenant)
	assert.NotEmpty(t, csrf)
	assert.Len(t, identity.SessionID(token), 64, "a hex SHA-256")
	assert.NotEqual(t, token, identity.SessionID(token))
	_, ok = identity.SessionTenant("no-token")
	assert.False(t, ok)
}

func TestKey(t *testing.T) {
	t.Parallel()
	secret, shown, err := identity.NewKey()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, "crm_"))
	assert.Equal(t, secret[:10], shown)
	assert.True(t, identity.MayBeKey(secret))
	assert.False(t, identity.MayBeKey("acme.token"))
	assert.False(t, identity.MayBeKey("crm_"+strings.Repeat("0", 200)))
	assert.Len(t, identity.KeyHash(secret), 64)
}

func TestDirectory_Search(t *testing.T) {
	t.Parallel()
	d := identity.NewDirectory([]identity.Entry{
		{Username: "wang", DisplayName: "王芳"}, {Username: "bob"}, {Username: "li.lei", DisplayName: "李雷", Team: "east"},
	})
	names := func(es []identity.Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.DisplayName)
		}
		return out
	}
	assert.Equal(t, []string{"bob", "李雷", "王芳"}, names(d.Search("", 10)), "Latin, then Chinese in pinyin order")
	assert.Equal(t, []string{"李雷"}, names(d.Search(" LI.", 10)))
	assert.Equal(t, []string{"bob"}, names(d.Search("", 1)))
	assert.NotNil(t, d.Search("nobody", 10))
}

func TestAppendKeyHash_IsKeyHash(t *testing.T) {
	t.Parallel()
	for _, secret := range []string{"", "crm_0123456789abcdef", strings.Repeat("x", 200)} {
		want := identity.KeyHash(secret)
		assert.Len(t, want, identity.KeyHashSize)
		assert.Equal(t, want, string(identity.AppendKeyHash(nil, secret)))
		assert.Equal(t, "p:"+want, string(identity.AppendKeyHash([]byte("p:"), secret)), "appended to what dst holds")
	}
}
