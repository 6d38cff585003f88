package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

// The command's tests drive crm as an operator does: command lines through
// [Main] with an empty environment, and servers on loopback ports. This
// file holds what they share.

// keyPattern finds an API key in what a command printed.
var keyPattern = regexp.MustCompile(`crm_[0-9a-f]{48}`)

// quietMain is the command with stdin, standard output to out, standard
// error discarded and no environment variables.
func quietMain(stdin io.Reader, out io.Writer) *Main {
	return &Main{Stdin: stdin, Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
}

// cli runs one command line and returns what it printed.
func cli(stdin string, args ...string) (string, error) {
	out := &testkit.Buffer{}
	err := quietMain(strings.NewReader(stdin), out).Run(context.Background(), args)
	return out.String(), err
}

// cliOn returns a runner of command lines on the data directory dir.
func cliOn(dir string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		return cli("", append(args, "--data", dir)...)
	}
}

// cliOnWithErrors is cliOn that also returns what a command wrote to
// standard error (progress, warnings).
func cliOnWithErrors(dir string) func(args ...string) (out, errOut string, err error) {
	return func(args ...string) (string, string, error) {
		o, e := &testkit.Buffer{}, &testkit.Buffer{}
		m := &Main{Stdout: o, Stderr: e, Getenv: func(string) string { return "" }}
		err := m.Run(context.Background(), append(args, "--data", dir))
		return o.String(), e.String(), err
	}
}

// testServer is a running `crm serve` and the key it printed on its first
// start.
type testServer struct {
	URL    string
	Key    string
	Data   string
	Stdout *testkit.Buffer
}

// storeArgs are the flags that put a test server's data in dataDir, or,
// when CRM_TEST_MONGODB_URI names a MongoDB (.ci/ferretdb-e2e runs the
// HTTP tests on FerretDB so), in databases of a prefix made from dataDir,
// with a key file in dataDir for sensitive fields.
func storeArgs(t *testing.T, dataDir string) []string {
	uri := os.Getenv("CRM_TEST_MONGODB_URI")
	if uri == "" {
		return []string{"--data", dataDir}
	}
	sum := sha256.Sum256([]byte(dataDir))
	keyFile := filepath.Join(dataDir, "mongo.key")
	if _, err := os.Stat(keyFile); err != nil {
		require.NoError(t, os.WriteFile(keyFile, []byte(hex.EncodeToString(sum[:])+"\n"), 0o600))
	}
	return []string{"--data", dataDir, "--mongo", uri, "--mongo-prefix", "e" + hex.EncodeToString(sum[:6]), "--encryption-key-file", keyFile}
}

// launch runs `crm` with args (a serve command listening on 127.0.0.1:0)
// until stop is called, which returns the command's error.
func launch(t *testing.T, dataDir string, args []string) (s *testServer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	out := &testkit.Buffer{}
	m := quietMain(nil, out)
	m.ready = ready
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, args) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start within 20s")
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = context.DeadlineExceeded
			}
		})
		return stopErr
	}
	return &testServer{URL: "http://" + addr, Key: keyPattern.FindString(out.String()), Data: dataDir, Stdout: out}, stop
}

// serveArgs is a serve command on a free loopback port without rate limits.
func serveArgs(t *testing.T, dataDir string, extra ...string) []string {
	// The request deadline is long: under the race detector on a busy
	// machine a template install can take more than the default 30s.
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--rate-per-key", "0", "--rate-per-ip", "0", "--request-timeout", "5m"}, storeArgs(t, dataDir)...)
	return append(args, extra...)
}

// startServer runs a server on dataDir until the test ends.
func startServer(t *testing.T, dataDir string, extra ...string) *testServer {
	t.Helper()
	s, stop := launch(t, dataDir, serveArgs(t, dataDir, extra...))
	t.Cleanup(func() { assert.NoError(t, stop(), "graceful shutdown") })
	return s
}

// runServer runs a server on dir (the embedded store) and returns it with a
// function that stops it before the test ends.
func runServer(t *testing.T, dir string) (*testServer, func()) {
	t.Helper()
	s, stop := launch(t, dir, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--rate-per-key", "0", "--rate-per-ip", "0", "--request-timeout", "5m"})
	t.Cleanup(func() { assert.NoError(t, stop()) })
	return s, func() { require.NoError(t, stop()) }
}

// createKey creates an API key of tenant with the CLI.
func createKey(t *testing.T, dir, tenant string) string {
	out, err := cli("", append([]string{"apikey", "create", "--tenant", tenant}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	return keyPattern.FindString(out)
}

// roleKey creates an API key of tenant "default" with a role.
func roleKey(t *testing.T, dir, role string) string {
	t.Helper()
	out, err := cli("", append([]string{"apikey", "create", "--tenant", "default", "--role", role}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	key := keyPattern.FindString(out)
	require.NotEmpty(t, key)
	return key
}

// writeKey writes an encryption key file and returns its path.
func writeKey(t *testing.T, key string) string {
	p := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(p, []byte(key), 0o600))
	return p
}
