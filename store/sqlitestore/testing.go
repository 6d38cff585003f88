package sqlitestore

import "testing"

// NewForTest returns a store in a fresh temporary directory, closed when
// the test ends. It lives in a non-test file so that other packages' tests
// can use it. The store uses synchronous=NORMAL: test data need not
// survive power loss, and commits are several times faster.
func NewForTest(t testing.TB) *Store {
	t.Helper()
	s, err := New(Config{Dir: t.TempDir(), Synchronous: "NORMAL", ReadConns: 4, CacheKiB: 2048})
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close test store: %v", err)
		}
	})
	return s
}
