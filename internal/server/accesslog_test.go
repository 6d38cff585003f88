package server_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/server"
)

// accessLines is a log handler that hands every access line to a channel
// and, when hold is set, waits for it to be closed before returning.
type accessLines struct {
	lines chan map[string]string
	hold  chan struct{}
}

func newAccessLines(hold bool) *accessLines {
	a := &accessLines{lines: make(chan map[string]string, 16)}
	if hold {
		a.hold = make(chan struct{})
	}
	return a
}

func (a *accessLines) Enabled(context.Context, slog.Level) bool { return true }
func (a *accessLines) WithAttrs([]slog.Attr) slog.Handler       { return a }
func (a *accessLines) WithGroup(string) slog.Handler            { return a }

func (a *accessLines) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	line := map[string]string{}
	r.Attrs(func(at slog.Attr) bool {
		line[at.Key] = at.Value.String()
		return true
	})
	a.lines <- line
	if a.hold != nil {
		<-a.hold
	}
	return nil
}

// next waits for the next access line (a generous bound, so that a line
// never written fails the test rather than hanging it).
func (a *accessLines) next(t *testing.T) map[string]string {
	t.Helper()
	select {
	case l := <-a.lines:
		return l
	case <-time.After(30 * time.Second):
		require.FailNow(t, "no access line")
		return nil
	}
}

// TestEdge_AccessLine checks that every request gets its access line, with
// the status the client got, whether the handler answered, failed or the
// caller was refused.
func TestEdge_AccessLine(t *testing.T) {
	t.Parallel()
	lines := newAccessLines(false)
	e := startEdge(t, server.Config{Logger: slog.New(lines)}, func(c *fiber.Ctx) error {
		switch c.Query("as") {
		case "missing":
			return &engine.Error{Kind: engine.ErrNotFound, Message: "no such deal"}
		case "broken":
			return errors.New("disk on fire")
		}
		return c.JSON(fiber.Map{"ok": true})
	})
	scenarios := []struct {
		name     string
		path     string
		key      string
		expected int
	}{
		{"answered", "/graphql", goodKey, http.StatusOK},
		{"not found", "/graphql?as=missing", goodKey, http.StatusNotFound},
		{"internal error", "/graphql?as=broken", goodKey, http.StatusInternalServerError},
		{"no key", "/graphql", "", http.StatusUnauthorized},
		{"no route", "/nowhere", "", http.StatusNotFound},
	}
	for _, s := range scenarios { // one after the other: the lines come in order
		headers := map[string]string{}
		if s.key != "" {
			headers["Authorization"] = "Bearer " + s.key
		}
		r := do(t, http.MethodPost, e.url+s.path, `{}`, headers)
		require.Equal(t, s.expected, r.status, s.name)
		line := lines.next(t)
		assert.Equal(t, "POST", line["method"], s.name)
		assert.Equal(t, s.path[:len(s.path)-len(queryOf(s.path))], line["path"], s.name)
		assert.Equal(t, fmt.Sprint(s.expected), line["status"], s.name)
		assert.NotEmpty(t, line["requestId"], s.name)
		assert.Equal(t, r.header.Get("X-Request-Id"), line["requestId"], s.name)
		assert.NotEmpty(t, line["duration"], s.name)
	}
}

func queryOf(path string) string {
	for i := range path {
		if path[i] == '?' {
			return path[i:]
		}
	}
	return ""
}

// TestEdge_AccessLineAfterTheAnswer checks that a client gets its answer
// without waiting for the access line: the log handler here does not
// return until the test has the answer.
func TestEdge_AccessLineAfterTheAnswer(t *testing.T) {
	t.Parallel()
	lines := newAccessLines(true)
	e := startEdge(t, server.Config{Logger: slog.New(lines)}, whoAmI)
	client := &http.Client{Timeout: 30 * time.Second} // a bound, not a speed: the answer never comes if it waits for the line
	for i := range 3 {
		req, err := http.NewRequest(http.MethodPost, e.url+"/graphql", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+goodKey)
		resp, err := client.Do(req)
		require.NoError(t, err, "request %d", i)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		line := lines.next(t)
		assert.Equal(t, "200", line["status"])
		lines.hold <- struct{}{} // let the line's write return: the connection's next request
	}
}

// TestEdge_AccessLineClientGone checks that a request whose client hung up
// before its answer still gets its line.
func TestEdge_AccessLineClientGone(t *testing.T) {
	t.Parallel()
	lines := newAccessLines(false)
	arrived, release := make(chan struct{}), make(chan struct{})
	e := startEdge(t, server.Config{Logger: slog.New(lines)}, func(c *fiber.Ctx) error {
		close(arrived)
		<-release
		return c.JSON(fiber.Map{"ok": true})
	})
	conn, err := net.Dial("tcp", e.addr)
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 2\r\n\r\n{}", goodKey)
	require.NoError(t, err)
	<-arrived
	require.NoError(t, conn.Close())
	close(release)
	line := lines.next(t)
	assert.Equal(t, "200", line["status"])
	assert.Equal(t, "/graphql", line["path"])
}
