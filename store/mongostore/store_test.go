package mongostore_test

import (
	"context"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/mongostore/mongotest"
	"github.com/crmkit/crm/store/storetest"
)

// realServer returns CRM_TEST_MONGODB_URI, or skips: these tests need a
// MongoDB server. Embedded FerretDB runs the same suites in
// store/mongostore/ferrettest.
func realServer(t *testing.T) string {
	t.Helper()
	uri := os.Getenv("CRM_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("CRM_TEST_MONGODB_URI is not set: the MongoDB server tests run against FerretDB in store/mongostore/ferrettest only")
	}
	return uri
}

func TestStore_Conformance(t *testing.T) {
	t.Parallel()
	uri := realServer(t)
	probe := mongostore.NewForTest(t, mongostore.Config{URI: uri})
	if !probe.Transactions() {
		t.Logf("%s has no multi-document transactions (not a replica set of MongoDB 4.4+?): only the compensating mode runs", probe.Server())
	}
	t.Run("server transactions", func(t *testing.T) {
		t.Parallel()
		storetest.RunWith(t, func(t testing.TB) store.Store {
			return mongostore.NewForTest(t, mongostore.Config{URI: uri})
		}, storetest.Options{NoIsolation: !probe.Transactions()})
	})
	t.Run("compensation", func(t *testing.T) {
		t.Parallel()
		storetest.RunWith(t, func(t testing.TB) store.Store {
			return mongostore.NewForTest(t, mongostore.Config{URI: uri, DisableTransactions: true})
		}, storetest.Options{NoIsolation: true})
	})
}

func TestStore_Server(t *testing.T) {
	t.Parallel()
	uri := realServer(t)
	t.Run("server transactions", func(t *testing.T) {
		t.Parallel()
		mongotest.Run(t, mongostore.Config{URI: uri})
	})
	t.Run("compensation", func(t *testing.T) {
		t.Parallel()
		mongotest.Run(t, mongostore.Config{URI: uri, DisableTransactions: true})
	})
}

func TestDatabaseName(t *testing.T) {
	t.Parallel()
	long := "a" + strings.Repeat("b", 61) + "c" // 63 characters, the longest id
	scenarios := []struct {
		name, prefix, id, want string
	}{
		{name: "short id", prefix: "crm", id: "acme", want: "crm_t_acme"},
		{name: "id with dashes and digits", prefix: "crm", id: "acme-2", want: "crm_t_acme-2"},
		{name: "exactly 63 bytes", prefix: "crm", id: strings.Repeat("x", 57), want: "crm_t_" + strings.Repeat("x", 57)},
		{name: "longest id", prefix: "crm", id: long},
		{name: "longest prefix and id", prefix: "p" + strings.Repeat("q", 19), id: long},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, err := mongostore.DatabaseName(sc.prefix, sc.id)
			require.NoError(t, err)
			if sc.want != "" {
				assert.Equal(t, sc.want, got)
			}
			assert.LessOrEqual(t, len(got), 63, "MongoDB's limit")
			assert.True(t, strings.HasPrefix(got, sc.prefix+"_t_"))
			assert.Equal(t, -1, strings.IndexFunc(got, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
			}), "only lower-case letters, digits, '_' and '-': %s", got)
		})
	}

	// Long ids that share their first characters stay apart.
	a, err := mongostore.DatabaseName("crm", long)
	require.NoError(t, err)
	b, err := mongostore.DatabaseName("crm", long[:62]+"d")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	again, err := mongostore.DatabaseName("crm", long)
	require.NoError(t, err)
	assert.Equal(t, a, again, "stable")

	invalid := []struct{ name, prefix, id string }{
		{name: "dot in id", prefix: "crm", id: "a.b"},
		{name: "slash in id", prefix: "crm", id: "a/b"},
		{name: "dollar in id", prefix: "crm", id: "a$b"},
		{name: "upper case id", prefix: "crm", id: "Acme"},
		{name: "empty id", prefix: "crm", id: ""},
		{name: "id too long", prefix: "crm", id: long + "x"},
		{name: "NUL in id", prefix: "crm", id: "a\x00b"},
		{name: "empty prefix", prefix: "", id: "acme"},
		{name: "prefix with a dot", prefix: "c.rm", id: "acme"},
		{name: "upper case prefix", prefix: "CRM", id: "acme"},
		{name: "prefix too long", prefix: strings.Repeat("p", 21), id: "acme"},
	}
	for _, sc := range invalid {
		_, err := mongostore.DatabaseName(sc.prefix, sc.id)
		assert.Error(t, err, sc.name)
	}
}

func TestNew_Config(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		cfg  mongostore.Config
	}{
		{name: "no URI", cfg: mongostore.Config{}},
		{name: "not a URI", cfg: mongostore.Config{URI: "localhost:27017"}},
		{name: "bad prefix", cfg: mongostore.Config{URI: "mongodb://127.0.0.1:1", DatabasePrefix: "Bad.Prefix"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s, err := mongostore.New(sc.cfg)
			require.Error(t, err)
			assert.Nil(t, s)
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// silentServer accepts connections and never answers, like a server that
// hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

func TestNew_Unreachable(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		addr string
	}{
		{name: "nothing listening", addr: closedPort(t)},
		{name: "server never answers", addr: silentServer(t)},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			const timeout = 700 * time.Millisecond
			start := time.Now()
			s, err := mongostore.New(mongostore.Config{
				URI:                    "mongodb://admin:s3cret@" + sc.addr + "/?serverSelectionTimeoutMS=60000",
				ConnectTimeout:         timeout,
				ServerSelectionTimeout: timeout,
			})
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Less(t, elapsed, timeout+2*time.Second, "fails within the configured timeout, never hangs")
			require.ErrorIs(t, err, store.ErrUnavailable)
			assert.Contains(t, err.Error(), sc.addr, "names the host")
			assert.NotContains(t, err.Error(), "s3cret", "never shows the password")
		})
	}
}

func TestStore_ClosedStore(t *testing.T) {
	t.Parallel()
	uri := realServer(t)
	s, err := mongostore.New(mongostore.Config{URI: uri})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice")
	_, err = s.Tenant(context.Background(), "acme")
	require.Error(t, err)
}
