package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

// Several servers on one MongoDB (issue 21): three `crm serve` processes
// on one database (FerretDB in .ci/ferretdb-e2e), each a process of its
// own, so that one can be killed with SIGKILL. The processes are this
// test binary run as the command (TestMain, runAsCommand).

// runAsCommand names the environment variable that makes the test binary
// run as `crm` with its arguments instead of running tests.
const runAsCommand = "CRM_TEST_RUN_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is a `crm serve` running in a process of its own.
type process struct {
	URL string
	Key string // the key it printed, on the first start of a database
	cmd *exec.Cmd
	out *testkit.Buffer
}

var listening = regexp.MustCompile(`CRM server listening on (http://127\.0\.0\.1:\d+)`)

// spawn runs `crm serve args...` in a new process until the test ends
// (or kill), without waiting for it.
func spawn(t *testing.T, args ...string) *process {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), runAsCommand+"=1")
	p := &process{cmd: cmd, out: &testkit.Buffer{}}
	cmd.Stdout = p.out
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var logs bytes.Buffer
	var logsMu sync.Mutex
	go func() { // keep the last of the server's log, for failures
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logsMu.Lock()
			if logs.Len() > 1<<16 {
				logs.Reset()
			}
			logs.WriteString(sc.Text() + "\n")
			logsMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			logsMu.Lock()
			t.Logf("log of the server at %s:\n%s", p.URL, logs.String())
			logsMu.Unlock()
		}
	})
	return p
}

// wait waits until the server listens, or fails the test after 60s.
func (p *process) wait(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listening.FindStringSubmatch(p.out.String()); m != nil {
			p.URL = m[1]
			p.Key = keyPattern.FindString(p.out.String())
			return
		}
		if p.cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("the server did not start within 60s; it printed:\n%s", p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clients counts requests, so that each comes from an address of its own
// (the servers believe X-Forwarded-For from loopback), out of the way of
// the per-address limit unless a test names one.
var clients atomic.Int64

func nextClient() string {
	n := clients.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

// post sends a JSON body to path as client (an address; "" for a new
// one) with key ("" for none) and returns the status and decoded body.
func (p *process) post(t *testing.T, path, key, client string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, p.URL+path, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if client == "" {
		client = nextClient()
	}
	req.Header.Set("X-Forwarded-For", client)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	return resp.StatusCode, m
}

// ok runs a GraphQL operation with the key that must succeed.
func (p *process) ok(t *testing.T, key, query string, vars map[string]any) map[string]any {
	t.Helper()
	status, m := p.post(t, "/graphql", key, "", map[string]any{"query": query, "variables": vars})
	require.Equal(t, http.StatusOK, status, "%s: %v", query, m)
	require.Nil(t, m["errors"], "%s", query)
	data, _ := m["data"].(map[string]any)
	return data
}

// receiver is a webhook receiver on loopback that counts deliveries by
// idempotency key and by the record they are about.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	hits     int
	keys     map[string]int
	records  map[string]int
	delay    time.Duration
	received chan struct{} // a token per delivery, never blocking
}

func newReceiver(t *testing.T, delay time.Duration) *receiver {
	r := &receiver{keys: map[string]int{}, records: map[string]int{}, delay: delay, received: make(chan struct{}, 10_000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		time.Sleep(r.delay)
		var payload struct {
			Record struct {
				ID string `json:"id"`
			} `json:"record"`
		}
		body, _ := io.ReadAll(req.Body)
		_ = json.Unmarshal(body, &payload)
		r.mu.Lock()
		r.hits++
		r.keys[req.Header.Get("Idempotency-Key")]++
		r.records[payload.Record.ID]++
		r.mu.Unlock()
		select {
		case r.received <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(r.Close)
	return r
}

// counts returns the deliveries, distinct keys and distinct records so far.
func (r *receiver) counts() (hits, keys, records int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits, len(r.keys), len(r.records)
}

// repeated returns the records delivered more than once, with how often.
func (r *receiver) repeated() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for id, n := range r.records {
		if n > 1 {
			out[id] = n
		}
	}
	return out
}

// TestServe_MultiServer runs three servers on one MongoDB: rate limits
// and the sign-in throttle hold across them, a definition saved through
// one is used by the next request to another, every due timer and outbox
// entry is worked on once, and a server killed with SIGKILL mid-work
// leaves nothing undone and nothing done twice but the delivery it had in
// flight (repeated with the same Idempotency-Key). Bounded in time; no
// assertion on speed.
func TestServe_MultiServer(t *testing.T) {
	uri := os.Getenv("CRM_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("skipped: several servers need a shared MongoDB; .ci/ferretdb-e2e runs this on FerretDB (CRM_TEST_MONGODB_URI)")
	}
	shared := t.TempDir()
	keyFile := filepath.Join(shared, "mongo.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600))
	prefix := fmt.Sprintf("ms%d", time.Now().UnixNano()%1_000_000_000)
	const perIP = 5 // a second; 10 at once
	args := func() []string {
		return []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--mongo", uri, "--mongo-prefix", prefix,
			"--encryption-key-file", keyFile, "--rate-per-key", "0", "--rate-per-ip", fmt.Sprint(perIP),
			"--trusted-proxies", "127.0.0.1", "--webhook-allow-private", "--worker-lease", "2s",
			"--metrics-addr", "off", "--request-timeout", "5m"}
	}
	// All three start at once on the empty database: one of them makes
	// the first start (the tenant, its administrator and key), the
	// others find it made.
	servers := []*process{spawn(t, args()...), spawn(t, args()...), spawn(t, args()...)}
	key := ""
	for _, p := range servers {
		p.wait(t)
		if p.Key != "" {
			require.Empty(t, key, "one server makes the first start")
			key = p.Key
		}
	}
	require.NotEmpty(t, key, "the server that made the first start prints the administrator's key")
	a, b, c := servers[0], servers[1], servers[2]

	t.Run("a definition saved through one server is used by the next request to another", func(t *testing.T) {
		save := func(p *process, def string) {
			p.ok(t, key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
		}
		save(a, `{"$id": "ticket", "type": "object", "properties": {"subject": {"type": "string", "x-crm-type": "text"}}}`)
		b.ok(t, key, `mutation { createTicket(input: {subject: "打印机卡纸"}) { id } }`, nil)
		save(c, `{"$id": "ticket", "type": "object", "properties": {"subject": {"type": "string", "x-crm-type": "text"},
		  "severity": {"type": "string", "enum": ["low", "high"], "x-crm-type": "picklist"}}}`)
		a.ok(t, key, `mutation { createTicket(input: {subject: "断网", severity: high}) { id } }`, nil)
		data := b.ok(t, key, `{ tickets(filter: {severity: {eq: high}}) { nodes { subject severity } } }`, nil)
		assert.Equal(t, "断网", path(data, "tickets", "nodes", 0, "subject"))
	})

	t.Run("the rate limit of an address holds across servers", func(t *testing.T) {
		// Burst is 2*perIP, refilled at perIP a second: in elapsed
		// seconds the two servers together admit about burst +
		// perIP*elapsed, where each alone would admit that much again.
		// Requests go on until each alone would have admitted them all
		// and more, so that the test fails if the count is not shared,
		// however fast the machine is.
		const burst = 2 * perIP
		client := "198.51.100.7"
		start := time.Now()
		sent, admitted := 0, 0
		for sent < 1000 {
			elapsed := time.Since(start).Seconds()
			if float64(sent) > 2*(burst+perIP*elapsed)+10 {
				break
			}
			status, _ := servers[sent%2].post(t, "/graphql", "", client, map[string]any{"query": "{ __typename }"})
			if status != http.StatusTooManyRequests {
				admitted++
			}
			sent++
		}
		elapsed := time.Since(start).Seconds()
		require.Greater(t, float64(sent), 2*(burst+perIP*elapsed), "sent more than two servers counting alone would admit")
		assert.GreaterOrEqual(t, admitted, burst/2, "the address is admitted at first")
		assert.LessOrEqual(t, float64(admitted), 1.5*burst+perIP*elapsed+1, "about one limit across both servers, not two (%d sent in %.1fs)", sent, elapsed)
	})

	t.Run("five failed sign-ins through two servers lock the user on all three", func(t *testing.T) {
		a.ok(t, key, `mutation { createUser(input: {username: "ann", password: "ann's long password"}) { username } }`, nil)
		login := func(p *process, password string) int {
			status, _ := p.post(t, "/auth/login", "", "", map[string]any{"tenant": "default", "username": "ann", "password": password})
			return status
		}
		for i, p := range []*process{a, a, a, b, b} {
			require.Equal(t, http.StatusUnauthorized, login(p, "a wrong password"), "failure %d", i+1)
		}
		for _, p := range servers {
			assert.Equal(t, http.StatusTooManyRequests, login(p, "ann's long password"), "locked at %s", p.URL)
		}
	})

	t.Run("every due timer and outbox entry is worked on once", func(t *testing.T) {
		r := newReceiver(t, 0)
		def := fmt.Sprintf(`{"$id": "ping", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
		  "due": {"type": "string", "format": "date", "x-crm-type": "date"}},
		  "x-crm-automations": [{"name": "remind", "trigger": {"event": "time", "dateField": "due", "offsetDays": 0},
		    "actions": [{"type": "webhook", "url": %q}]}]}`, r.URL+"/remind")
		a.ok(t, key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
		const n = 200
		for i := range n {
			servers[i%3].ok(t, key, fmt.Sprintf(`mutation { createPing(input: {name: "p%d", due: "2026-01-01"}) { id } }`, i), nil)
		}
		waitFor(t, r, n, 3*time.Minute)
		time.Sleep(3 * time.Second) // passes of all three servers after the last delivery
		hits, keys, records := r.counts()
		assert.Equal(t, n, records, "every timer fired")
		assert.Equal(t, n, keys, "one outbox entry a timer")
		assert.Equal(t, n, hits, "each delivered once")
		assert.Empty(t, r.repeated())
	})

	t.Run("a server killed mid-work leaves nothing undone or done twice", func(t *testing.T) {
		r := newReceiver(t, 20*time.Millisecond)
		def := fmt.Sprintf(`{"$id": "blip", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}},
		  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"}, "actions": [{"type": "webhook", "url": %q}]}]}`, r.URL+"/tell")
		a.ok(t, key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
		const n = 150
		for i := range n {
			servers[i%2].ok(t, key, fmt.Sprintf(`mutation { createBlip(input: {name: "b%d"}) { id } }`, i), nil)
		}
		waitFor(t, r, 10, time.Minute)
		require.NoError(t, c.cmd.Process.Kill()) // SIGKILL: no cleanup of any kind
		waitFor(t, r, n, 3*time.Minute)
		time.Sleep(3 * time.Second)
		hits, keys, records := r.counts()
		assert.Equal(t, n, records, "every entry delivered")
		assert.Equal(t, n, keys, "one outbox entry a record")
		// What the killed server had in flight may go out again (at
		// least once, with the same Idempotency-Key); a server delivers
		// one entry at a time.
		assert.LessOrEqual(t, hits, n+1, "repeated: %v", r.repeated())
		pending := a.ok(t, key, `{ outbox(status: "pending") { id } }`, nil)
		assert.Empty(t, pending["outbox"], "nothing left pending")
	})
}

// waitFor waits until r has received deliveries about n records, failing
// the test after limit.
func waitFor(t *testing.T, r *receiver, n int, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		if _, _, records := r.counts(); records >= n {
			return
		}
		select {
		case <-r.received:
		case <-time.After(time.Second):
		case <-deadline:
			hits, keys, records := r.counts()
			t.Fatalf("%d of %d records delivered within %s (%d deliveries, %d keys)", records, n, limit, hits, keys)
		}
	}
}
