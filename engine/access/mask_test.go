package access_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/access"
)

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"13812345678":           "138****5678",
		"+8613812345678":        "+86*******5678",
		"110101199003071234":    "110***********1234",
		"zhang.san@example.com": "z***@example.com",
		"张三丰先生":                 "张***生",
		"1234567":               "12***67",
		"ab":                    "**",
		"":                      "",
	} {
		assert.Equal(t, want, access.Mask(in), fmt.Sprintf("Mask(%q)", in))
	}
}
