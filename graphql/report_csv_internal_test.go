package graphql

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSafeCSVText(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+86": "'+86", "-1": "'-1", "@x": "'@x", "赢单": "赢单", "": ""} {
		assert.Equal(t, want, safeCSVText(in), in)
	}
}
