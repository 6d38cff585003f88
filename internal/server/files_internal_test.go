package server

import (
	"mime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContentDisposition: every name comes back exactly to a client that
// reads RFC 5987 (as mime.ParseMediaType does), and the ASCII fallback
// holds nothing that could end the header's quoted string.
func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"报价单 v2.pdf", `a"b\c.txt`, "x;y=z,w'q(1)*.doc", "100%.csv", "名字@公司:合同.pdf", "plain.txt", "emoji 📎.png"} {
		h := contentDisposition(name)
		kind, params, err := mime.ParseMediaType(h)
		require.NoError(t, err, h)
		assert.Equal(t, "attachment", kind)
		assert.Equal(t, name, params["filename"], h)
		fallback, ok := strings.CutPrefix(h, `attachment; filename="`)
		require.True(t, ok, h)
		fallback, _, ok = strings.Cut(fallback, `"; filename*=UTF-8''`)
		require.True(t, ok, h)
		assert.NotContains(t, fallback, `"`)
		assert.NotContains(t, fallback, `\`)
	}
	assert.Equal(t, "a%20b%27%28%29%2A%3B.txt", extValue("a b'()*;.txt"))
}
