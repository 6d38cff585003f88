package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// TestEngine_UserContacts: e-mail addresses and mobile numbers are
// normalised and checked when users are created or changed; a bad one is
// refused and changes nothing.
func TestEngine_UserContacts(t *testing.T) {
	t.Parallel()
	eng, admin, _ := newEngine(t)
	u, err := eng.CreateUser(admin, "acme", engine.NewUser{Username: "li", DisplayName: "李雷", Password: "correct horse battery",
		Email: " li@example.com ", Mobile: "+86 138-0013-8000"})
	require.NoError(t, err)
	assert.Equal(t, "li@example.com", u.Email)
	assert.Equal(t, "+8613800138000", u.Mobile)

	scenarios := []struct {
		name          string
		email, mobile string
		key           string
	}{
		{"not an address", "li at example.com", "", "user.badEmail"},
		{"a display name with the address", "Li <li@example.com>", "", "user.badEmail"},
		{"no domain dot", "li@localhost", "", "user.badEmail"},
		{"letters in a mobile", "", "138abc", "user.badMobile"},
		{"too short", "", "12345", "user.badMobile"},
		{"too long", "", "+1234567890123456", "user.badMobile"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := eng.UpdateUser(admin, "acme", "li", engine.UserChange{Email: &s.email, Mobile: &s.mobile})
			var ee *engine.Error
			require.ErrorAs(t, err, &ee)
			assert.EqualValues(t, s.key, ee.Key)
			assert.ErrorIs(t, err, engine.ErrBadRequest)
		})
	}
	users, err := eng.Users(admin, "acme")
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, "li@example.com", users[0].Email, "unchanged")

	none := ""
	u, err = eng.UpdateUser(admin, "acme", "li", engine.UserChange{Email: &none, Mobile: &none})
	require.NoError(t, err)
	assert.Empty(t, u.Email+u.Mobile, "cleared")
}
