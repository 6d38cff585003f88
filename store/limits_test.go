package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func eqs(n int) []store.Filter {
	out := make([]store.Filter, n)
	for i := range out {
		out[i] = store.Leaf("title", store.OpEq, "x")
	}
	return out
}

func nested(depth int) *store.Filter {
	f := store.Leaf("title", store.OpEq, "x")
	for range depth - 1 {
		f = store.Filter{And: []store.Filter{f}}
	}
	return &f
}

func values(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "v"
	}
	return out
}

// Filters are bounded in conditions, depth, list and string length, and
// values (issue 13, item 4).
func TestCheckFilter(t *testing.T) {
	t.Parallel()
	ors := make([]store.Filter, 100)
	for i := range ors {
		ors[i] = store.Filter{Or: eqs(100)}
	}
	scenarios := []struct {
		name  string
		f     *store.Filter
		limit string // "" when accepted
	}{
		{"nil", nil, ""},
		{"one condition", &store.Filter{Field: "title", Op: store.OpEq, Value: "x"}, ""},
		{"49 conditions under an and", &store.Filter{And: eqs(49)}, ""},
		{"50 conditions under an and", &store.Filter{And: eqs(50)}, store.LimitFilterNodes},
		{"and over 100 ors of 100 equalities", &store.Filter{And: ors}, store.LimitFilterNodes},
		{"40,000 conditions", &store.Filter{Or: eqs(40_000)}, store.LimitFilterNodes},
		{"depth 8", nested(8), ""},
		{"depth 9", nested(9), store.LimitFilterDepth},
		{"in of 250", &store.Filter{Field: "stage", Op: store.OpIn, Value: values(250)}, ""},
		{"in of 251", &store.Filter{Field: "stage", Op: store.OpIn, Value: values(251)}, store.LimitFilterList},
		{"four ins of 250", &store.Filter{And: []store.Filter{
			store.Leaf("a", store.OpIn, values(250)), store.Leaf("b", store.OpIn, values(250)),
			store.Leaf("c", store.OpIn, values(250)), store.Leaf("d", store.OpIn, values(250))}}, ""},
		{"five ins of 250", &store.Filter{And: []store.Filter{
			store.Leaf("a", store.OpIn, values(250)), store.Leaf("b", store.OpIn, values(250)),
			store.Leaf("c", store.OpIn, values(250)), store.Leaf("d", store.OpIn, values(250)),
			store.Leaf("e", store.OpIn, values(250))}}, store.LimitFilterValues},
		{"contains of 1,000 characters", &store.Filter{Field: "title", Op: store.OpContains, Value: strings.Repeat("字", 1000)}, ""},
		{"contains of 1.9 MB", &store.Filter{Field: "title", Op: store.OpContains, Value: strings.Repeat("x", 1900<<10)}, store.LimitFilterString},
		{"a long string inside in", &store.Filter{Field: "stage", Op: store.OpIn, Value: []any{"a", strings.Repeat("x", 1001)}}, store.LimitFilterString},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			err := store.CheckFilter(s.f)
			if s.limit == "" {
				assert.NoError(t, err)
				return
			}
			var le *store.FilterLimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, s.limit, le.Limit)
			assert.True(t, errors.Is(err, store.ErrInvalidQuery))
			assert.Contains(t, err.Error(), s.limit)
		})
	}
	n, v := store.FilterSize(&store.Filter{And: []store.Filter{store.Leaf("a", store.OpIn, values(3)), store.Leaf("b", store.OpEq, 1)}})
	assert.Equal(t, 3, n)
	assert.Equal(t, 4, v)
}
