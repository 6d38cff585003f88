package graphql

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDocument(t *testing.T) {
	t.Parallel()
	doc, err := parseDocument(`
		# a comment
		query Deals($f: DealFilter = {title: {eq: "x"}}, $n: [Int!]!) @dir {
			list: deals(filter: $f, first: 10, after: "c\u00e9\n", orderBy: [{amount: DESC}]) @include(if: true) {
				nodes { id ...F ... on Deal { title } ... @skip(if: false) { amount } }
			}
		}
		fragment F on Deal { closeDate }
		mutation { createDeal(input: {title: """
			Block
			  string
		""", amount: -1.5e3, stage: null, done: false}) { id } }`)
	require.NoError(t, err)
	require.Len(t, doc.ops, 2)
	op := doc.ops[0]
	assert.Equal(t, "query", op.kind)
	assert.Equal(t, "Deals", op.name)
	require.Len(t, op.vars, 2)
	assert.Equal(t, "DealFilter", op.vars[0].typ.name)
	assert.Equal(t, valObject, op.vars[0].def.kind)
	assert.True(t, op.vars[1].typ.nonNull)
	assert.Equal(t, "Int", op.vars[1].typ.namedType())
	assert.True(t, op.vars[1].typ.elem.nonNull)

	f := op.sels[0].(*fieldSel)
	assert.Equal(t, "list", f.alias)
	assert.Equal(t, "deals", f.name)
	assert.Equal(t, "list", f.responseKey())
	assert.Equal(t, pos{line: 4, col: 4}, f.pos)
	require.Len(t, f.args, 4)
	assert.Equal(t, valVariable, f.args[0].val.kind)
	assert.Equal(t, "10", f.args[1].val.text)
	assert.Equal(t, "cé\n", f.args[2].val.text)
	assert.Equal(t, valEnum, f.args[3].val.list[0].fields[0].val.kind)
	nodes := f.sels[0].(*fieldSel)
	require.Len(t, nodes.sels, 4)
	assert.Equal(t, "F", nodes.sels[1].(*fragmentSpread).name)
	assert.Equal(t, "Deal", nodes.sels[2].(*inlineFragment).on)
	assert.Equal(t, "", nodes.sels[3].(*inlineFragment).on)
	assert.Equal(t, "Deal", doc.frags["F"].on)

	m := doc.ops[1]
	assert.Equal(t, "mutation", m.kind)
	input := m.sels[0].(*fieldSel).args[0].val
	assert.Equal(t, "Block\n  string", input.fields[0].val.text)
	assert.Equal(t, valFloat, input.fields[1].val.kind)
	assert.Equal(t, "-1.5e3", input.fields[1].val.text)
	assert.Equal(t, valNull, input.fields[2].val.kind)
	assert.Equal(t, valBool, input.fields[3].val.kind)
}

func TestParseDocument_Errors(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ name, src, want string }{
		{"empty", "", "no operation"},
		{"unclosed", "{ a { b }", "expected"},
		{"empty selection", "{ }", "expected a selection"},
		{"bad number", "{ a(x: 01) }", "leading zero"},
		{"number then name", "{ a(x: 1x) }", "invalid number"},
		{"unterminated string", `{ a(x: "abc) }`, "unterminated string"},
		{"bad escape", `{ a(x: "\q") }`, "invalid escape"},
		{"lone surrogate", `{ a(x: "\uD800") }`, "invalid unicode escape"},
		{"variable in a constant", "query($a: Int = $b) { a }", "unexpected"},
		{"type definition", "type Foo { a: Int }", "unexpected"},
		{"duplicate fragment", "{ a } fragment F on Q { a } fragment F on Q { b }", "only one fragment"},
		{"fragment named on", "{ a } fragment on on Q { a }", "may not be named"},
		{"stray dot", "{ a. }", "unexpected"},
		{"too deep", strings.Repeat("{ a ", 300) + strings.Repeat("}", 300), "nests too deeply"},
		{"deep list", "{ a(x: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + ") }", "nests too deeply"},
		{"control character", "{ a(x: \"\x01\") }", "control character"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseDocument(s.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), s.want)
		})
	}
}

func TestParseDocument_UnicodeEscapes(t *testing.T) {
	t.Parallel()
	doc, err := parseDocument(`{ a(x: "\uD83D\uDE00 \u{1F600} \u4E2D") }`)
	require.NoError(t, err)
	assert.Equal(t, "😀 😀 中", doc.ops[0].sels[0].(*fieldSel).args[0].val.text)
}
