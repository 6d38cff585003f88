package graphql

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/schema"
)

// isDate accepts exactly the texts time.Parse accepts with the date
// layout.
func TestIsDate_AsTimeParse(t *testing.T) {
	t.Parallel()
	cases := []string{
		"", "2026-12-06", "2026-2-06", "2026-02-6", "2026/02/06", "2026-02-29", "2024-02-29", "2000-02-29", "1900-02-29",
		"2026-04-31", "2026-04-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "0000-01-01", "9999-12-31",
		"+026-01-01", "-026-01-01", "2026-01-0a", "2026-01-01 ", " 2026-01-1", "20261-01-01", "2026-01-011", "２026-01-01",
		"2026-1a-01", "2026--1-01", "2026-01--1",
	}
	for y := 1999; y <= 2001; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	for _, s := range cases {
		_, err := time.Parse(schema.DateLayout, s)
		assert.Equal(t, err == nil, isDate(s), "%q", s)
		if err == nil {
			assert.Equal(t, s, outDate(s))
		} else {
			assert.Nil(t, outDate(s), "%q", s)
		}
	}
}
