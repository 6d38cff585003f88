package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A download's file name reaches every client: old ones read the ASCII
// fallback, current ones the UTF-8 name, encoded as RFC 8187 says (only
// attr-chars stay as they are, so that quotes, apostrophes, semicolons
// and parentheses cannot end or confuse the parameter).
func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"报价单 v2.html":        `attachment; filename="___ v2.html"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95%20v2.html`,
		`a"b;c'd(1)*.txt`:    `attachment; filename="a_b_c'd(1)*.txt"; filename*=UTF-8''a%22b%3Bc%27d%281%29%2A.txt`,
		"50%.csv":            `attachment; filename="50_.csv"; filename*=UTF-8''50%25.csv`,
		"line\r\nbreak.txt":  `attachment; filename="line__break.txt"; filename*=UTF-8''line%0D%0Abreak.txt`,
		"plain-name_1~!.pdf": `attachment; filename="plain-name_1~!.pdf"; filename*=UTF-8''plain-name_1~!.pdf`,
	} {
		assert.Equal(t, want, contentDisposition(name), name)
	}
}
