package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadme_FirstSession runs the README's "A first session over the
// API" as written: the template install through the CLI, then every
// request body of its curl lines against a real server with the printed
// key. A README that drifts from the API fails here.
func TestReadme_FirstSession(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "## A first session over the API")
	require.GreaterOrEqual(t, start, 0, "the README has the section")
	section := text[start:]
	block := section[strings.Index(section, "```sh")+5:]
	block = block[:strings.Index(block, "```")]

	dir := t.TempDir()
	s := startServer(t, dir)
	var bodies []string
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "crm template install"):
			args := append(strings.Fields(line)[1:], storeArgs(t, dir)...)
			m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
			require.NoError(t, m.Run(context.Background(), args), line)
		case strings.HasPrefix(line, "-d '"):
			bodies = append(bodies, regexp.MustCompile(`^-d '(.*)'$`).FindStringSubmatch(line)[1])
		}
	}
	require.Len(t, bodies, 3, "the session's requests")
	for _, b := range bodies {
		var req struct {
			Query string `json:"query"`
		}
		require.NoError(t, json.Unmarshal([]byte(b), &req), "a request body of the README is JSON: %s", b)
		data := s.ok(t, req.Query, nil)
		assert.NotEmpty(t, data, req.Query)
	}
	data := s.ok(t, `{ accounts(filter: {grade: {eq: strategic}}) { totalCount } }`, nil)
	assert.Greater(t, path(data, "accounts", "totalCount"), 0.0)
}
