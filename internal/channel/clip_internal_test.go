package channel

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// TestClip: at most max bytes, on a rune boundary, "…" marking a cut
// when it fits; never a panic, whatever max.
func TestClip(t *testing.T) {
	t.Parallel()
	for limit, want := range map[int]string{-1: "", 0: "", 1: "", 2: "", 3: "…", 4: "…", 5: "…", 6: "审…", 8: "审…", 9: "审审审", 12: "审审审"} {
		got := clip("审审审", limit)
		assert.Equal(t, want, got, "max %d", limit)
		assert.True(t, utf8.ValidString(got))
		assert.LessOrEqual(t, len(got), max(limit, 0))
	}
	assert.Equal(t, "ab", clip("abc", 2), "no room for the mark: cut only")
	assert.Equal(t, "abc", clip("abc", 3))
}
