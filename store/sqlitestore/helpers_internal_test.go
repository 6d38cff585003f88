package sqlitestore

import (
	"testing"
	"time"

	"github.com/crmkit/crm/store"
)

// testDB holds the tenant's database until the test ends, for tests that
// look at the file's insides.
func (t *tenantStore) testDB(tb testing.TB) *database {
	tb.Helper()
	o, err := t.s.acquire(tb.Context(), t.id)
	if err != nil {
		tb.Fatalf("hold the database of tenant %q: %v", t.id, err)
	}
	tb.Cleanup(func() { t.s.release(o) })
	return o.db
}

// acmeTenant returns the tenant "acme" of a fresh test store, for tests
// that need one tenant and nothing else of the store.
func acmeTenant(tb testing.TB) store.TenantStore {
	tb.Helper()
	s := NewForTest(tb)
	if err := s.CreateTenant(tb.Context(), store.Tenant{ID: "acme", CreatedAt: time.Now()}); err != nil {
		tb.Fatalf("create tenant acme: %v", err)
	}
	ts, err := s.Tenant(tb.Context(), "acme")
	if err != nil {
		tb.Fatalf("open tenant acme: %v", err)
	}
	return ts
}
