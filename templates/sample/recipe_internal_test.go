package sample

import (
	"context"
	"testing"
	"time"

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

// A step may say who owns its records and when the owner claimed them
// from the pool; owner and claimed read the record's fields.
func TestRecipe_OwnerAndClaimed(t *testing.T) {
	t.Parallel()
	rc, err := parseRecipe([]byte(`{"steps": [{"object": "lead", "count": 3, "created": "$now",
	  "fields": {"rep": {"at": [["李雷", "韩梅梅", "王芳"], "$i"]}},
	  "owner": {"cond": [{"eq": ["$i", 0]}, "pool", "$rep"]},
	  "claimed": {"if": [{"eq": ["$i", 2]}, {"addMinutes": ["$now", 5]}]}}]}`))
	require.NoError(t, err)
	var got []Record
	err = rc.generate(context.Background(), "t", Options{Records: 10}, func(r Record) error { got = append(got, r); return nil })
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, PoolOwner, got[0].Owner)
	assert.Equal(t, "韩梅梅", got[1].Owner)
	assert.True(t, got[1].ClaimedAt.IsZero())
	assert.Equal(t, "王芳", got[2].Owner)
	assert.Equal(t, got[2].CreatedAt.Add(5*time.Minute), got[2].ClaimedAt)

	_, err = parseRecipe([]byte(`{"steps": [{"name": "team", "owner": "pool"}]}`))
	require.ErrorContains(t, err, "owner and claimed need an object")
	rc, err = parseRecipe([]byte(`{"steps": [{"object": "lead", "created": "$now", "owner": "pool", "claimed": "$now"}]}`))
	require.NoError(t, err)
	err = rc.generate(context.Background(), "t", Options{Records: 10}, func(Record) error { return nil })
	require.ErrorContains(t, err, "lead.claimed: a claimed record needs an owner who claimed it")
}
