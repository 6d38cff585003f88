package schema_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/schema"
)

func TestParseRecipient(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in, kind, value string
		ok              bool
	}{
		{"owner", "owner", "", true},
		{" manager ", "manager", "", true},
		{"user:li.lei", "user", "li.lei", true},
		{"user:{{consultant}}", "user", "{{consultant}}", true},
		{"role:sales", "role", "sales", true},
		{"team: 华东 ", "team", "华东", true},
		{"pricing", "", "", false},
		{"{{consultant}}", "", "", false},
		{"user:", "", "", false},
		{"group:x", "", "", false},
		{"user:" + strings.Repeat("x", 201), "", "", false},
	}
	for _, s := range scenarios {
		kind, value, ok := schema.ParseRecipient(s.in)
		assert.Equal(t, s.ok, ok, s.in)
		assert.Equal(t, s.kind, kind, s.in)
		assert.Equal(t, s.value, value, s.in)
	}
}
