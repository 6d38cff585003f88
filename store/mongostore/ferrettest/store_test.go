package ferrettest_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
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
	// the pipeline's operators the adapter groups by raw values. Data
	// versions are kept although FerretDB has no transactions, so that
	// the suite checks them.
	storetest.RunWith(t, func(t testing.TB) store.Store {
		return mongostore.NewForTest(t, mongostore.Config{URI: uri, DataVersionsWithoutTransactions: true})
	}, storetest.Options{NoIsolation: true, NoAtomicUpdates: true})
}

// TestStore_NoDataVersionsByDefault: without server transactions the
// store keeps no data versions unless asked, and says so.
func TestStore_NoDataVersionsByDefault(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := mongostore.NewForTest(t, mongostore.Config{URI: uri})
	require.NoError(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "Acme", CreatedAt: time.Now()}))
	ts, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	obj := &schema.Object{Name: "deal", Fields: []*schema.Field{{Name: "name", Type: schema.TypeText}}}
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		return tx.Insert(ctx, obj, store.Record{ID: "d1", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Data: map[string]any{"name": "x"}})
	}))
	dv, ok := ts.(store.DataVersioner)
	require.True(t, ok)
	_, err = dv.DataVersion(ctx, "deal")
	require.ErrorIs(t, err, store.ErrNoDataVersion)
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
