package mongostore

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func testObject() *schema.Object {
	return &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "name", Type: schema.TypeText},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "tags", Type: schema.TypeMultiPicklist},
		{Name: "extra", Type: schema.TypeJSON},
	}}
}

// asJSON renders a filter as canonical extended JSON for comparison.
func asJSON(t *testing.T, d bson.D) string {
	t.Helper()
	b, err := bson.MarshalExtJSON(d, false, false)
	require.NoError(t, err)
	return string(b)
}

func TestCompileFilter_Literals(t *testing.T) {
	t.Parallel()
	obj := testObject()
	scenarios := []struct {
		name   string
		filter store.Filter
		want   string
	}{
		{name: "operator text is a value", filter: store.Leaf("name", store.OpEq, "$ne"), want: `{"d.name":"$ne"}`},
		{name: "operator document text is a value", filter: store.Leaf("name", store.OpNe, `{"$gt":""}`), want: `{"d.name":{"$ne":"{\"$gt\":\"\"}"}}`},
		{name: "in list of operator names", filter: store.Leaf("name", store.OpIn, []any{"$where", "$where"}), want: `{"d.name":{"$in":["$where"]}}`},
		{name: "contains escapes the pattern", filter: store.Leaf("name", store.OpContains, "a.$"), want: `{"d.name":{"$regex":{"$regularExpression":{"pattern":"[aA]\\.\\$","options":""}}}}`},
		{name: "not is nor", filter: store.Filter{Not: &store.Filter{Field: "amount", Op: store.OpGt, Value: 1}}, want: `{"$nor":[{"d.amount":{"$gt":1}}]}`},
		{name: "not not", filter: store.Filter{Not: &store.Filter{Not: &store.Filter{Field: "amount", Op: store.OpEq, Value: 1.5}}}, want: `{"d.amount":1.5}`},
		{name: "empty in", filter: store.Leaf("name", store.OpIn, []any{}), want: `{"_id":{"$in":[]}}`},
		{name: "empty hasAll", filter: store.Leaf("tags", store.OpHasAll, []any{}), want: `{}`},
		{name: "json isNull keeps arrays out", filter: store.Leaf("extra", store.OpIsNull, true), want: `{"$and":[{"d.extra":null},{"$nor":[{"d.extra":{"$type":"array"}}]}]}`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			c, err := compileFilter(obj, &sc.filter)
			require.NoError(t, err)
			assert.JSONEq(t, sc.want, asJSON(t, c.render()))
		})
	}

	refused := []struct {
		name  string
		value any
	}{
		{name: "operator map", value: map[string]any{"$ne": nil}},
		{name: "where map", value: map[string]any{"$where": "sleep(100)"}},
		{name: "bson document", value: bson.D{{Key: "$gt", Value: ""}}},
		{name: "bson regex", value: bson.Regex{Pattern: ".*"}},
		{name: "raw bson", value: bson.Raw{}},
		{name: "nil", value: nil},
	}
	for _, sc := range refused {
		t.Run("refused "+sc.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range []store.Filter{
				store.Leaf("name", store.OpEq, sc.value),
				store.Leaf("name", store.OpIn, []any{"x", sc.value}),
				store.Leaf("amount", store.OpGt, sc.value),
				store.Leaf("tags", store.OpHasAll, []any{sc.value}),
			} {
				_, err := compileFilter(obj, &f)
				require.ErrorIs(t, err, store.ErrInvalidQuery)
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, text string
		match      []string
		miss       []string
	}{
		{name: "ASCII letters in either case", text: "DeAl", match: []string{"deal", "DEAL", "a Deal!"}, miss: []string{"dea"}},
		{name: "non-ASCII exactly", text: "straße", match: []string{"Straße"}, miss: []string{"STRASSE", "strasse"}},
		{name: "metacharacters literally", text: `a.b*(c)[d]{1}|^$\+?`, match: []string{`xa.b*(c)[d]{1}|^$\+?y`}, miss: []string{"aXb"}},
		{name: "percent and underscore", text: "0%_", match: []string{"100%_"}, miss: []string{"100x"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			// FerretDB matches with Go's regexp; MongoDB's PCRE reads these
			// escapes the same way.
			re := regexp.MustCompile(asciiFoldPattern(sc.text))
			for _, m := range sc.match {
				assert.True(t, re.MatchString(m), "%q matches %q", sc.text, m)
			}
			for _, m := range sc.miss {
				assert.False(t, re.MatchString(m), "%q does not match %q", sc.text, m)
			}
		})
	}
	assert.True(t, regexp.MustCompile("^"+literalPattern("a-b c")).MatchString("a-b cd"))
	assert.False(t, regexp.MustCompile("^"+literalPattern("a.")).MatchString("ab"))
}

func TestEscapeKey(t *testing.T) {
	t.Parallel()
	keys := []string{"plain", "", "$where", "a.b", "~", "~d", "~~", "a\x00b", "$", ".", "~e", "x~", "Straße.$"}
	seen := map[string]string{}
	for _, k := range keys {
		e := escapeKey(k)
		assert.NotContains(t, e, ".", "key %q", k)
		assert.NotContains(t, e, "$", "key %q", k)
		assert.NotContains(t, e, "\x00", "key %q", k)
		assert.NotEmpty(t, e)
		assert.Equal(t, k, unescapeKey(e), "round trip of %q", k)
		if prev, ok := seen[e]; ok {
			t.Errorf("keys %q and %q both escape to %q", prev, k, e)
		}
		seen[e] = k
	}
	assert.Equal(t, "plain", escapeKey("plain"), "ordinary keys are stored as they are")
}

func TestEncodeData_RoundTrip(t *testing.T) {
	t.Parallel()
	data := map[string]any{
		"name":  "x",
		"gone":  nil,
		"n":     3.5,
		"i":     int64(7),
		"list":  []any{1.0, "a", nil, true, map[string]any{"$k": nil}},
		"deep":  map[string]any{"a.b": map[string]any{"": "e"}},
		"strs":  []string{"a", "b"},
		"empty": map[string]any{},
	}
	doc, nulls, err := encodeData(data)
	require.NoError(t, err)
	assert.Equal(t, []string{"gone"}, nulls, "top-level nulls are left out of the document")
	raw, err := bson.Marshal(doc)
	require.NoError(t, err)
	back, err := decodeData(raw, nulls)
	require.NoError(t, err)
	want := map[string]any{
		"name":  "x",
		"gone":  nil,
		"n":     3.5,
		"i":     7.0,
		"list":  []any{1.0, "a", nil, true, map[string]any{"$k": nil}},
		"deep":  map[string]any{"a.b": map[string]any{"": "e"}},
		"strs":  []any{"a", "b"},
		"empty": map[string]any{},
	}
	assert.Equal(t, want, back)

	_, _, err = encodeData(map[string]any{"ch": make(chan int)})
	require.Error(t, err)
}
