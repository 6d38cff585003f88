package ferrettest_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/mongostore/ferrettest"
	"github.com/crmkit/crm/store/mongostore/mongotest"
	"github.com/crmkit/crm/store/storetest"
)

var uri string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferrettest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv, err := ferrettest.Start(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	uri = srv.URI
	code := m.Run()
	srv.Stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func TestStore_Conformance(t *testing.T) {
	t.Parallel()
	// FerretDB has no transactions: the adapter undoes failed ones by
	// compensation, which other readers can see while it runs. The
	// aggregate case runs whole (no AggregateSubset): where FerretDB lacks
	// the pipeline's operators the adapter groups by raw values.
	storetest.RunWith(t, func(t testing.TB) store.Store {
		return mongostore.NewForTest(t, mongostore.Config{URI: uri})
	}, storetest.Options{NoIsolation: true})
}

func TestStore_Server(t *testing.T) {
	t.Parallel()
	mongotest.Run(t, mongostore.Config{URI: uri})
}

func TestStore_Capabilities(t *testing.T) {
	t.Parallel()
	s := mongostore.NewForTest(t, mongostore.Config{URI: uri})
	if s.Transactions() {
		t.Fatalf("FerretDB reported as having transactions: %s", s.Server())
	}
	t.Logf("server: %s", s.Server())
}
