package sqlitestore

import "testing"

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
