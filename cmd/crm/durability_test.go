package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDurability_KillNine is RELIABILITY D1 at CI size: the real binary
// serves 32 concurrent writers over HTTP (so that writes share commits:
// group commit) and is killed with SIGKILL mid-load, three times; after
// each restart every write it acknowledged is there. Every fourth write
// repeats a unique code and fails in the store, inside the shared
// transaction: none of those is kept beyond the first, and none takes
// the writes committed with it down.
func TestDurability_KillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "crm")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	dir := t.TempDir()

	var key string
	acked := map[string]bool{}
	for cycle := range 3 {
		url, cmd, out := startBinary(t, bin, dir, cycle == 0)
		if cycle == 0 {
			key = regexp.MustCompile(`crm_[0-9a-f]{48}`).FindString(out)
			require.NotEmpty(t, key)
			def := `{"$id": "ticket", "type": "object", "properties": {"subject": {"type": "string", "x-crm-type": "text"},
				"code": {"type": "string", "x-crm-type": "text", "x-crm-unique": true}}}`
			_, err := post(url, key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
			require.NoError(t, err)
		}
		// Every write acknowledged before the kill must survive it.
		missing := 0
		for id := range acked {
			data, err := post(url, key, `query($id: ID!) { ticket(id: $id) { id } }`, map[string]any{"id": id})
			require.NoError(t, err)
			if !bytes.Contains(data, []byte(id)) {
				missing++
			}
		}
		assert.Zero(t, missing, "cycle %d: %d of %d acknowledged writes missing", cycle, missing, len(acked))

		// At most one ticket of each repeated code, whatever the kills.
		for c := range cycle {
			data, err := post(url, key, `query($c: String) { tickets(filter: {code: {eq: $c}}) { totalCount } }`, map[string]any{"c": fmt.Sprint("dup-", c)})
			require.NoError(t, err)
			var r struct {
				Data struct{ Tickets struct{ TotalCount int } }
			}
			require.NoError(t, json.Unmarshal(data, &r), string(data))
			require.NotContains(t, string(data), `"errors"`)
			assert.LessOrEqual(t, r.Data.Tickets.TotalCount, 1, "tickets of code dup-%d", c)
		}

		var mu sync.Mutex
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 32 {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					code := fmt.Sprintf("c%d w%d #%d", cycle, w, i)
					if i%4 == 3 {
						code = fmt.Sprint("dup-", cycle)
					}
					data, err := post(url, key, `mutation($s: String, $c: String) { createTicket(input: {subject: $s, code: $c}) { id } }`, map[string]any{"s": fmt.Sprintf("c%d w%d #%d", cycle, w, i), "c": code})
					if err != nil {
						return // the server is gone
					}
					var r struct {
						Data struct{ CreateTicket struct{ ID string } }
					}
					if json.Unmarshal(data, &r) == nil && r.Data.CreateTicket.ID != "" {
						mu.Lock()
						acked[r.Data.CreateTicket.ID] = true
						mu.Unlock()
					}
				}
			})
		}
		time.Sleep(1500 * time.Millisecond)
		require.NoError(t, cmd.Process.Kill()) // SIGKILL: no shutdown, no flush
		_ = cmd.Wait()
		stop()
		wg.Wait()
		t.Logf("cycle %d: %d writes acknowledged so far", cycle, len(acked))
	}
	url, _, _ := startBinary(t, bin, dir, false)
	data, err := post(url, key, `{ tickets(first: 1) { totalCount } }`, nil)
	require.NoError(t, err)
	var r struct {
		Data struct{ Tickets struct{ TotalCount int } }
	}
	require.NoError(t, json.Unmarshal(data, &r))
	assert.GreaterOrEqual(t, r.Data.Tickets.TotalCount, len(acked), "every acknowledged write survived three kills")
	assert.Positive(t, len(acked))
}

// startBinary runs `crm serve` on a free loopback port until the test
// ends and returns its URL and first output (with the first key when
// first).
func startBinary(t *testing.T, bin, dir string, first bool) (string, *exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir, "--rate-per-key", "0", "--rate-per-ip", "0", "--worker=false")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var out bytes.Buffer
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(30 * time.Second)
	for lines.Scan() && time.Now().Before(deadline) {
		out.WriteString(lines.Text() + "\n")
		wait := "listening on"
		if first {
			wait = "More keys" // the last line about the first key
		}
		if bytes.Contains(out.Bytes(), []byte(wait)) {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	url := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond)
	return url, cmd, out.String()
}

func post(url, key, query string, vars map[string]any) ([]byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// TestDurability_GracefulShutdown is RELIABILITY D8/H7 at CI size: SIGTERM
// under load; the process exits 0 within its 10 s drain, and every write
// it acknowledged is there after a restart.
func TestDurability_GracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "crm")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	dir := t.TempDir()
	url, cmd, out := startBinary(t, bin, dir, true)
	key := regexp.MustCompile(`crm_[0-9a-f]{48}`).FindString(out)
	def := `{"$id": "ticket", "type": "object", "properties": {"subject": {"type": "string", "x-crm-type": "text"}}}`
	_, err := post(url, key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	require.NoError(t, err)

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				data, err := post(url, key, `mutation($s: String) { createTicket(input: {subject: $s}) { id } }`, map[string]any{"s": fmt.Sprintf("w%d #%d", w, i)})
				if err != nil {
					return // the server stopped accepting connections
				}
				var r struct {
					Data struct{ CreateTicket struct{ ID string } }
				}
				if json.Unmarshal(data, &r) == nil && r.Data.CreateTicket.ID != "" {
					mu.Lock()
					acked[r.Data.CreateTicket.ID] = true
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(time.Second)
	stopped := time.Now()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "exit code 0")
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop within its drain time")
	}
	wg.Wait()
	t.Logf("stopped %s after the signal; %d writes acknowledged", time.Since(stopped).Round(time.Millisecond), len(acked))

	url, _, _ = startBinary(t, bin, dir, false)
	missing := 0
	for id := range acked {
		data, err := post(url, key, `query($id: ID!) { ticket(id: $id) { id } }`, map[string]any{"id": id})
		require.NoError(t, err)
		if !bytes.Contains(data, []byte(id)) {
			missing++
		}
	}
	assert.Zero(t, missing, "%d of %d acknowledged writes missing", missing, len(acked))
	assert.Positive(t, len(acked))
}
