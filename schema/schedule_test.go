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
		got := sc.Next(at, time.UTC)
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

// Cron fields are wall-clock time in the tenant's zone: nine o'clock in
// Shanghai is 01:00 UTC; in New York a spring-forward day's 02:30 does not
// exist and fires at 03:00, and the repeated hour of the fall-back day
// fires once.
func TestSchedule_NextInZone(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	nine, err := schema.ParseSchedule("0 9 * * 1-5")
	require.NoError(t, err)
	friday := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC) // 10:00 Friday in Shanghai
	assert.Equal(t, time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC), nine.Next(friday, shanghai), "Monday 09:00 in Shanghai")
	daily, err := schema.ParseSchedule("@daily")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC), daily.Next(friday, shanghai), "midnight there")

	kolkata, err := time.LoadLocation("Asia/Kolkata") // UTC+05:30
	require.NoError(t, err)
	hourly, err := schema.ParseSchedule("@hourly")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC), hourly.Next(friday, kolkata), "on the hour there, at :30 UTC")

	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	gap, err := schema.ParseSchedule("30 2 * * *")
	require.NoError(t, err)
	before := time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC) // 00:00 EST on the spring-forward day
	got := gap.Next(before, ny)
	assert.Equal(t, time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC), got, "02:30 is skipped on the 8th: the next is the 9th's 02:30 EDT")
	repeat, err := schema.ParseSchedule("30 1 * * *")
	require.NoError(t, err)
	first := repeat.Next(time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), ny) // 00:00 EDT on the fall-back day
	assert.Equal(t, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), first, "01:30 EDT")
	second := repeat.Next(first, ny)
	assert.Equal(t, time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC), second, "not again at 01:30 EST the same day")
}
