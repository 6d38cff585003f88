package access_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/access"
)

func TestCircleOf(t *testing.T) {
	t.Parallel()
	// boss ← lead ← (rep1, rep2 of team east); rep3 of team west.
	members := []access.Member{
		{Username: "boss"}, {Username: "lead", Manager: "boss"},
		{Username: "rep1", Manager: "lead", Team: "east"}, {Username: "rep2", Manager: "lead", Team: "east"},
		{Username: "rep3", Team: "west"},
	}
	set := func(ids ...string) map[string]bool {
		out := map[string]bool{}
		for _, id := range ids {
			out[id] = true
		}
		return out
	}
	scenarios := []struct {
		name       string
		actor      string
		edit, read map[string]bool
	}{
		{"top of the chain", "user:boss", set("user:boss", "user:lead", "user:rep1", "user:rep2"), set("user:boss", "user:lead", "user:rep1", "user:rep2")},
		{"member of a team", "user:rep1", set("user:rep1"), set("user:rep1", "user:rep2")},
		{"alone", "user:rep3", set("user:rep3"), set("user:rep3")},
		{"an API key", "key:abc", set("key:abc"), set("key:abc")},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c := access.CircleOf(s.actor, members)
			assert.Equal(t, s.edit, c.Edit)
			assert.Equal(t, s.read, c.Read)
		})
	}
}
