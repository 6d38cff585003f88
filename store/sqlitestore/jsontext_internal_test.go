package sqlitestore

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendJSON: record data is written byte for byte as encoding/json
// writes it — every byte value in strings (controls, quotes, HTML
// characters, invalid UTF-8, U+2028), floats at the edges of their two
// forms, nesting, values of other types — and what json.Marshal refuses
// is refused.
func TestAppendJSON(t *testing.T) {
	var every strings.Builder
	for c := range 256 {
		every.WriteByte(byte(c))
	}
	values := []any{
		nil, true, false, "", "王芳 <b>&amp;</b> \"引号\" \\ \u2028\u2029 \x7f", every.String(), "\xff\xfe半个\xe4\xb8",
		0.0, math.Copysign(0, -1), 1.0, -1.5, 1e-6, 9.99e-7, 1e20, 1e21, 123456789.125, 5e-324, math.MaxFloat64, 0.1 + 0.2,
		[]any{}, []any(nil), []any{"a", 1.0, nil, []any{map[string]any{}}}, []string{"x", "<y>"}, []string(nil),
		map[string]any{}, map[string]any(nil), map[string]any{"b": 1.0, "a": map[string]any{"z": []any{"q"}, "\u00e9": "é"}, "": nil},
		42, int64(-7), json.Number("12.50"), time.Date(2026, 12, 5, 1, 2, 3, 0, time.UTC), map[string]string{"k": "v"},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		got, err := appendJSON(nil, v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%#v", v)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		v := randomValue(rng, 3)
		want, err := json.Marshal(v)
		require.NoError(t, err)
		got, err := appendJSON(nil, v)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%#v", v)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), map[string]any{"x": []any{math.Inf(-1)}}, make(chan int)} {
		_, err := appendJSON(nil, bad)
		assert.Error(t, err, "%#v", bad)
	}
}

func randomValue(rng *rand.Rand, depth int) any {
	n := rng.IntN(8)
	if depth == 0 {
		n = rng.IntN(4)
	}
	switch n {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return randomString(rng)
	case 3:
		return math.Float64frombits(rng.Uint64()&^(0x7ff<<52)|uint64(rng.IntN(0x7ff))<<52) * []float64{1, -1}[rng.IntN(2)]
	case 4, 5:
		l := make([]any, rng.IntN(4))
		for i := range l {
			l[i] = randomValue(rng, depth-1)
		}
		return l
	default:
		m := map[string]any{}
		for range rng.IntN(5) {
			m[randomString(rng)] = randomValue(rng, depth-1)
		}
		return m
	}
}

func randomString(rng *rand.Rand) string {
	b := make([]byte, rng.IntN(12))
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return string(b) + []string{"", "商机", "\u2028", "<&>"}[rng.IntN(4)]
}
