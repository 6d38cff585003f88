package metrics

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A value equal to a bound is counted in that bound's bucket ("le"), one
// above the last bound only in +Inf; the sum is exact.
func TestHistogram_Buckets(t *testing.T) {
	var h histogram
	for _, v := range []float64{0.0005, 0.001, 0.0011, 0.3, 30, 31} {
		h.observe(v)
	}
	var b bytes.Buffer
	h.write(&exposition{b: &b}, "x", label{"route", "/r"})
	out := b.String()
	for _, want := range []string{
		`x_bucket{route="/r",le="0.001"} 2` + "\n",
		`x_bucket{route="/r",le="0.0025"} 3` + "\n",
		`x_bucket{route="/r",le="0.25"} 3` + "\n",
		`x_bucket{route="/r",le="0.5"} 4` + "\n",
		`x_bucket{route="/r",le="30"} 5` + "\n",
		`x_bucket{route="/r",le="+Inf"} 6` + "\n",
		`x_sum{route="/r"} 61.3026` + "\n",
		`x_count{route="/r"} 6` + "\n",
	} {
		assert.Contains(t, out, want)
	}
}

// Counting a request of a route already seen allocates nothing.
func TestMetrics_CountingAllocatesNothing(t *testing.T) {
	m := New(nil)
	key := requestKey{"/graphql", "POST", 200}
	m.requests.get(key, cloneRequestKey).Add(1)
	m.duration.get("/graphql", func(s string) string { return s }).observe(0.002)
	allocs := testing.AllocsPerRun(100, func() {
		m.requests.get(key, cloneRequestKey).Add(1)
		m.duration.get("/graphql", func(s string) string { return s }).observe(0.002)
	})
	assert.Zero(t, allocs)
}
