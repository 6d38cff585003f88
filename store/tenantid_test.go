package store_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/store"
)

// tenantIDRule is the engine's rule for tenant ids as a regular
// expression: store.ValidTenantID must agree with it on every text.
var tenantIDRule = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

var tenantIDSeeds = []string{
	"", "a", "acme", "acme-2", "a-", "-a", "1a", "A", "aB", "a_b", "a.b", "a b", "a\n", "\na", "é", "aé",
	"a" + strings.Repeat("b", 62), "a" + strings.Repeat("b", 63), "a" + strings.Repeat("-", 62), "acme\x00",
}

func TestValidTenantID_AsTheRule(t *testing.T) {
	t.Parallel()
	for _, id := range tenantIDSeeds {
		assert.Equal(t, tenantIDRule.MatchString(id), store.ValidTenantID(id), "%q", id)
	}
}

func FuzzValidTenantID(f *testing.F) {
	for _, id := range tenantIDSeeds {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		assert.Equal(t, tenantIDRule.MatchString(id), store.ValidTenantID(id), "%q", id)
	})
}
