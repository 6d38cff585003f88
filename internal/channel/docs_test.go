package channel_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
)

// docBlocks reads the fenced blocks of a Markdown file by their info
// string ("http dingtalk-request" …).
func docBlocks(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	blocks := map[string]string{}
	var info string
	var lines []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := sc.Text()
		switch {
		case !in && strings.HasPrefix(text, "```"):
			in, info, lines = true, strings.TrimSpace(strings.TrimPrefix(text, "```")), nil
		case in && text == "```":
			in = false
			blocks[info] = strings.Join(lines, "\n")
		case in:
			lines = append(lines, text)
		}
	}
	require.NoError(t, sc.Err())
	return blocks
}

// TestDocs_RobotRequests sends the notification docs/channels.md
// describes through each robot, with the page's addresses and secrets
// and its clock, to a loopback receiver, and compares the request that
// arrives with the page's block byte for byte: the path and query (the
// DingTalk signature in it), the content type and the body (the Feishu
// signature in it).
func TestDocs_RobotRequests(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docs/channels.md")
	require.NoError(t, err)
	page := string(raw)
	blocks := docBlocks(t, "../../docs/channels.md")
	cases := []struct {
		block, channel, secret string
	}{
		{"http wecom-request", worker.ChannelWeCom, ""},
		{"http dingtalk-request", worker.ChannelDingTalk, "SEC2b8f0c1d9e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1"},
		{"http feishu-request", worker.ChannelFeishu, "qgxTyRgyA8yUfDfk3zkQYd"},
	}
	for _, c := range cases {
		block, ok := blocks[c.block]
		require.True(t, ok, "docs/channels.md has the block %q", c.block)
		if c.secret != "" {
			assert.Contains(t, page, "`"+c.secret+"`", "the page names the secret of %s", c.block)
		}
		head, body, ok := strings.Cut(block, "\n\n")
		require.True(t, ok, "%s: headers, a blank line, the body", c.block)
		lines := strings.Split(head, "\n")
		method, rest, _ := strings.Cut(lines[0], " ")
		target, proto, _ := strings.Cut(rest, " ")
		require.Equal(t, "POST", method, c.block)
		require.Equal(t, "HTTP/1.1", proto, c.block)
		headers := map[string]string{}
		for _, l := range lines[1:] {
			k, v, _ := strings.Cut(l, ": ")
			headers[k] = v
		}

		// The address the administrator pastes: the page's host and path
		// with the service's own parameter (the signature is the server's).
		path, query, _ := strings.Cut(target, "?")
		own := query
		if i := strings.Index(own, "&timestamp="); i >= 0 {
			own = own[:i]
		}
		r := newRobot(t, robotAnswer{200, `{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}`})
		address := r.srv.URL + path
		if own != "" {
			address += "?" + own
		}
		dir := path[:strings.LastIndex(path, "/")+1]
		assert.Contains(t, page, "`https://"+headers["Host"]+dir, "the page gives the address to copy for %s", c.block)
		cfg := worker.ChannelConfig{Channel: c.channel, Enabled: true, URL: address, Secret: c.secret,
			Language: "zh", Format: "text", AppURL: "https://crm.example.com"}
		require.NoError(t, loopbackClient().Send(context.Background(), cfg, sample()), c.block)
		got := r.last(t)
		sent := got.Path
		if got.RawQuery != "" {
			sent += "?" + got.RawQuery
		}
		assert.Equal(t, target, sent, "%s: the request line", c.block)
		assert.Equal(t, headers["Content-Type"], got.Type, "%s: Content-Type", c.block)
		assert.Equal(t, body, got.Raw, "%s: the body, byte for byte", c.block)
	}
}
