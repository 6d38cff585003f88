package usage_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/usage"
)

func TestMeter_Windows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC)
	m := usage.New(func() time.Time { return now })
	m.Add("a", usage.ScriptRuns, 1)
	m.Add("a", usage.ScriptLongest, 40)
	m.Add("b", usage.ScriptRuns, 5)

	now = now.Add(30 * time.Minute)
	m.Add("a", usage.ScriptRuns, 2)
	m.Add("a", usage.ScriptLongest, 25)
	got := m.Totals("a")
	assert.Equal(t, 3.0, got.Hour[usage.ScriptRuns])
	assert.Equal(t, 40.0, got.Hour[usage.ScriptLongest], "a maximum, not a sum")
	assert.Equal(t, 3.0, got.Day[usage.ScriptRuns])
	assert.Equal(t, 5.0, m.Totals("b").Hour[usage.ScriptRuns], "tenants apart")

	now = now.Add(45 * time.Minute) // the first count is 75 minutes old
	got = m.Totals("a")
	assert.Equal(t, 2.0, got.Hour[usage.ScriptRuns])
	assert.Equal(t, 25.0, got.Hour[usage.ScriptLongest])
	assert.Equal(t, 3.0, got.Day[usage.ScriptRuns])

	now = now.Add(25 * time.Hour)
	got = m.Totals("a")
	assert.Empty(t, got.Hour)
	assert.Empty(t, got.Day)
	m.Add("a", usage.APIRequests, 1)
	assert.Equal(t, 1.0, m.Totals("a").Day[usage.APIRequests], "an old slot is reused, not added to")
	assert.Empty(t, m.Totals("nobody").Hour)

	var none *usage.Meter
	none.Add("a", usage.ScriptRuns, 1)
	assert.Empty(t, none.Totals("a").Day)
}

func TestMeter_Concurrent(t *testing.T) {
	t.Parallel()
	m := usage.New(nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				m.Add(fmt.Sprint("t", i%2), usage.APIRequests, 1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 4000.0, m.Totals("t0").Hour[usage.APIRequests])
	assert.Equal(t, 4000.0, m.Totals("t1").Day[usage.APIRequests])
}

// Tenants with nothing counted in the last day are dropped once the meter
// tracks many: the bound follows the tenants active in a day, not every
// tenant ever counted, and active tenants keep their counts.
func TestMeter_DropsIdleTenants(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC)
	m := usage.New(func() time.Time { return now })
	for i := range 2000 {
		m.Add(fmt.Sprintf("t%d", i), usage.ScriptRuns, 1)
	}
	assert.Equal(t, 2000, m.Tenants())
	now = now.Add(23 * time.Hour)
	m.Add("t7", usage.ScriptRuns, 2)
	m.Add("new", usage.ScriptRuns, 1)
	assert.Equal(t, 2001, m.Tenants(), "counts of the last day are kept")
	now = now.Add(2 * time.Hour)
	m.Add("newer", usage.ScriptRuns, 1)
	assert.Equal(t, 3, m.Tenants(), "only t7, new and newer counted within the day")
	assert.Equal(t, float64(2), m.Totals("t7").Day[usage.ScriptRuns])
	assert.Empty(t, m.Totals("t8").Day, "a dropped tenant reports what it reported: nothing in the day")
}
