package template

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMerger_Merge(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name               string
		base, ours, theirs string
		want               string
		conflicts          []string
		theirsWin          bool
	}{
		{
			name:   "pipeline stages from both sides, each where its side put it",
			base:   `{"stages": [{"value": "new", "next": ["won"]}, {"value": "won", "next": []}]}`,
			ours:   `{"stages": [{"value": "new", "next": ["won", "vip"]}, {"value": "won", "next": []}, {"value": "vip", "next": ["won"]}]}`,
			theirs: `{"stages": [{"value": "new", "next": ["proposal", "won"]}, {"value": "proposal", "next": ["won"]}, {"value": "won", "next": []}]}`,
			want:   `{"stages": [{"value": "new", "next": ["proposal", "won", "vip"]}, {"value": "proposal", "next": ["won"]}, {"value": "won", "next": []}, {"value": "vip", "next": ["won"]}]}`,
		},
		{
			name:   "a value both removed stays removed; one side's removal wins over no change",
			base:   `{"enum": ["a", "b", "c"]}`,
			ours:   `{"enum": ["a", "c"]}`,
			theirs: `{"enum": ["a", "b"]}`,
			want:   `{"enum": ["a"]}`,
		},
		{
			name:      "both changed a scalar: conflict, ours kept",
			base:      `{"maxLength": 100}`,
			ours:      `{"maxLength": 200}`,
			theirs:    `{"maxLength": 300}`,
			want:      `{"maxLength": 200}`,
			conflicts: []string{"/maxLength"},
		},
		{
			name:      "both changed a scalar: theirs taken when asked",
			base:      `{"maxLength": 100}`,
			ours:      `{"maxLength": 200}`,
			theirs:    `{"maxLength": 300}`,
			want:      `{"maxLength": 300}`,
			conflicts: []string{"/maxLength"},
			theirsWin: true,
		},
		{
			name:   "the same change on both sides is no conflict",
			base:   `{"x-crm-label": {"zh": "旧"}}`,
			ours:   `{"x-crm-label": {"zh": "新"}}`,
			theirs: `{"x-crm-label": {"zh": "新"}}`,
			want:   `{"x-crm-label": {"zh": "新"}}`,
		},
		{
			name:   "numbers compare by value",
			base:   `{"minimum": 1}`,
			ours:   `{"minimum": 1.0}`,
			theirs: `{"minimum": 2}`,
			want:   `{"minimum": 2}`,
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b, err := decodeOrdered([]byte(s.base))
			require.NoError(t, err)
			o, err := decodeOrdered([]byte(s.ours))
			require.NoError(t, err)
			th, err := decodeOrdered([]byte(s.theirs))
			require.NoError(t, err)
			m := &merger{object: "x", theirsWin: s.theirsWin}
			got := m.merge("/x", b, o, th)
			assert.JSONEq(t, s.want, string(encodeOrdered(got)))
			want, err := decodeOrdered([]byte(s.want))
			require.NoError(t, err)
			assert.Equal(t, canonical(want), canonical(got))
			var paths []string
			for _, c := range m.conflicts {
				paths = append(paths, c.Path[len("/x"):])
			}
			assert.Equal(t, s.conflicts, paths)
		})
	}
}

// Member order is kept through decoding and encoding: it is a
// definition's field order.
func TestDecodeOrdered_KeepsOrder(t *testing.T) {
	t.Parallel()
	in := `{"z":1,"a":{"y":[true,null,"<&>"],"b":2.50},"m":"中文"}`
	v, err := decodeOrdered([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, in, string(encodeOrdered(v)))
}
