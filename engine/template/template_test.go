package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/template"
)

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		a, b string
		want int
	}{
		{name: "equal", a: "1.2.3", b: "1.2.3", want: 0},
		{name: "minor by number, not text", a: "1.10.0", b: "1.9.0", want: 1},
		{name: "a prerelease comes before its release", a: "2.0.0-rc.1", b: "2.0.0", want: -1},
		{name: "build metadata is ignored", a: "1.0.0+abc", b: "1.0.0", want: 0},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, template.CompareVersions(s.a, s.b))
		})
	}
	assert.False(t, template.ValidVersion("1.02.0"), "leading zero")
	assert.False(t, template.ValidVersion("1.0"), "two parts")
	assert.True(t, template.Satisfies("1.4.0", "1.2.0"))
	assert.False(t, template.Satisfies("2.0.0", "1.2.0"), "another major version")
}

func TestMerge(t *testing.T) {
	t.Parallel()
	theirs := []byte(`{"a": 1, "b": 2}`)

	m, err := template.Merge("x", nil, nil, theirs, template.ConflictFail)
	require.NoError(t, err)
	assert.Equal(t, "create", m.Action)
	assert.Equal(t, theirs, m.Doc, "theirs as given")
	assert.False(t, m.Recreated)

	m, err = template.Merge("x", []byte(`{"a": 1}`), nil, theirs, template.ConflictFail)
	require.NoError(t, err)
	assert.True(t, m.Recreated, "there was a base, the tenant has none")

	m, err = template.Merge("x", nil, []byte(`{"a": 1, "c": 3}`), theirs, template.ConflictFail)
	require.NoError(t, err)
	assert.Equal(t, "update", m.Action)
	assert.True(t, m.Adopted)
	assert.JSONEq(t, `{"a": 1, "b": 2, "c": 3}`, string(m.Doc))

	m, err = template.Merge("x", theirs, []byte(`{"b": 2, "a": 1.0}`), theirs, template.ConflictFail)
	require.NoError(t, err)
	assert.Equal(t, "unchanged", m.Action)
	assert.Nil(t, m.Doc)

	_, err = template.Merge("x", nil, []byte(`{`), theirs, template.ConflictFail)
	require.Error(t, err)

	changes, err := template.Diff([]byte(`{"a": 1}`), nil)
	require.NoError(t, err)
	assert.Equal(t, []template.Change{{Path: "", Op: "remove", From: []byte(`{"a":1}`)}}, changes)
}
