package graphql

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLanguageOf(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ header, want string }{
		{"", "zh"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"fr-FR, en;q=0.8, zh;q=0.5", "en"},
		{"fr-FR, de", "zh"},
		{"zh;q=0.5, en;q=0.9", "en"},
		{"en;q=0, zh", "zh"},
		{"EN-gb", "en"},
		{";;,,", "zh"},
	}
	for _, s := range scenarios {
		t.Run(s.header, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, languageOf(s.header))
		})
	}
}
