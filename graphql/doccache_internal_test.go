package graphql

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestDocCache_BoundedByCountAndText(t *testing.T) {
	t.Parallel()
	s1, s2 := &execSchema{}, &execSchema{}
	c := newDocCache(3, 100)
	docs := make([]*preparedDoc, 5)
	for i := range docs {
		docs[i] = prepareDoc(&ast.QueryDocument{})
	}
	c.put(s1, "a", docs[0])
	c.put(s1, "b", docs[1])
	c.put(s2, "a", docs[2])
	assert.Same(t, docs[0], c.get(s1, "a"), "the same text under another schema is another entry")
	assert.Same(t, docs[2], c.get(s2, "a"))
	c.put(s1, "c", docs[3]) // drops the least recently used: s1 "b"
	assert.Nil(t, c.get(s1, "b"))
	assert.Equal(t, 3, c.len())

	long := strings.Repeat("x", 60)
	c.put(s1, long, docs[4]) // 60 bytes + the others' 3: over nothing yet
	c.put(s2, long, docs[4]) // 120 bytes of text: the oldest go until it fits
	assert.Equal(t, 1, c.len())
	assert.Same(t, docs[4], c.get(s2, long))
	assert.LessOrEqual(t, c.bytes, 100)

	c.put(s1, strings.Repeat("y", 101), docs[0]) // longer than the whole budget: not kept
	assert.Nil(t, c.get(s1, strings.Repeat("y", 101)))
	assert.Equal(t, 1, c.len())
}

func TestDocCache_ConditionsFound(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]bool{
		`{ deals { nodes { id } } }`:                                                                       false,
		`query($x: Boolean!) { deals { nodes { id @include(if: $x) } } }`:                                  true,
		`query($x: Boolean!) { deals { ... on DealConnection @skip(if: $x) { totalCount } } }`:             true,
		`query($x: Boolean!) { deals { ...F @skip(if: $x) } } fragment F on DealConnection { totalCount }`: true,
		`{ deals { ...F } } fragment F on DealConnection { nodes { id @skip(if: true) } }`:                 true,
		`{ deals { ...F } } fragment F on DealConnection { nodes { id } }`:                                 false,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		require.NoError(t, err)
		assert.Equal(t, want, prepareDoc(doc).conditional, q)
	}
}
