package sample

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A mistake in a recipe is an error that says where it is, when the
// recipe is read or, for a name out of scope, when it runs, never
// silently bad data.
func TestParseRecipe_Strict(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, recipe, want string
	}{
		{"unknown step member", `{"steps": [{"object": "a", "created": "$now", "feilds": {}}]}`, `unknown field "feilds"`},
		{"unknown operation", `{"steps": [{"object": "a", "created": "$now", "fields": {"x": {"pik": "$l"}}}]}`, `unknown operation "pik"`},
		{"two operations", `{"steps": [{"object": "a", "created": "$now", "fields": {"x": {"int": [1, 2], "chance": 0.5}}}]}`, "want one operation"},
		{"arguments", `{"steps": [{"object": "a", "created": "$now", "fields": {"x": {"int": [1]}}}]}`, "int: 1 arguments, want 2 to 2"},
		{"records of no step", `{"steps": [{"object": "a", "created": "$now", "fields": {"x": {"rec": "acount"}}}]}`, "rec of acount: no such step"},
		{"no created", `{"steps": [{"object": "a", "fields": {"x": 1}}]}`, "step a: no created"},
		{"reserved name", `{"steps": [{"object": "a", "created": "$now", "let": {"key": 1}}]}`, "key is a reserved name"},
		{"vocabulary hidden", `{"vocab": {"names": ["x"]}, "steps": [{"object": "a", "created": "$now", "fields": {"names": "$names"}}]}`,
			"names hides the vocabulary's names"},
		{"how many twice", `{"steps": [{"object": "a", "created": "$now", "rest": true, "count": 2}]}`, "exclude each other"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseRecipe([]byte(s.recipe))
			require.Error(t, err)
			assert.Contains(t, err.Error(), s.want)
		})
	}
}

func TestRecipe_NameOutOfScope(t *testing.T) {
	t.Parallel()
	rc, err := parseRecipe([]byte(`{"vocab": {"trades": ["a"]}, "steps": [{"object": "a", "created": "$now", "fields": {"x": {"pick": "$trade"}}}]}`))
	require.NoError(t, err)
	err = rc.generate(context.Background(), "t", Options{Records: 10}, func(Record) error { return nil })
	require.EqualError(t, err, "sample: recipe t: a.x: $trade: no trade in scope")
}
