package schema_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestSchedule_Next(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 17, 30, 0, time.UTC) // a Monday
	scenarios := []struct {
		spec string
		next time.Time
	}{
		{"@hourly", time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)},
		{"@weekly", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{"@monthly", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"@every 15m", time.Date(2026, 11, 23, 10, 32, 0, 0, time.UTC)},
		{"*/20 * * * *", time.Date(2026, 11, 23, 10, 20, 0, 0, time.UTC)},
		{"0 8 * * 1-5", time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)},
		{"30 9 1,15 * *", time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)},
		{"0 0 * * 7", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{"0 12 29 2 *", time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)},
	}
	for _, s := range scenarios {
		sc, err := schema.ParseSchedule(s.spec)
		require.NoError(t, err, s.spec)
		got := sc.Next(at)
		if s.spec == "0 12 29 2 *" {
			assert.True(t, got.IsZero() || got.Equal(s.next), "leap day beyond a year: %s", got)
			continue
		}
		assert.Equal(t, s.next, got, s.spec)
	}
	for _, bad := range []string{"", "* * *", "60 * * * *", "0 24 * * *", "* * 0 * *", "*/0 * * * *", "a * * * *", "@every 10s", "@yearly"} {
		_, err := schema.ParseSchedule(bad)
		assert.Error(t, err, bad)
	}
}
