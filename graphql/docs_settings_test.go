package graphql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocs_SettingsExamples runs the API examples of docs/settings.md, in
// order, against the whole server, and compares each response with the
// one the page shows (as TestDocs_GraphQLExamples does for graphql.md).
func TestDocs_SettingsExamples(t *testing.T) {
	t.Parallel()
	examples, _ := docExamples(t, "../docs/settings.md")
	require.Len(t, examples, 3, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	m := &docMatcher{seen: map[string]string{}}
	for _, ex := range examples {
		req := map[string]any{"query": m.substitute(ex.query)}
		if ex.variables != "" {
			req["variables"] = json.RawMessage(m.substitute(ex.variables))
		}
		b, err := json.Marshal(req)
		require.NoError(t, err)
		r := s.do(t, http.MethodPost, s.url, string(b), map[string]string{"Content-Type": "application/json", "Accept-Language": "en"})
		where := fmt.Sprintf("docs/settings.md line %d", ex.line)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", where, r.body)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(ex.response), &want), "%s: the shown response is not JSON", where)
		require.NoError(t, json.Unmarshal(r.body, &got), "%s: %s", where, r.body)
		if err := m.match(want, got, "$"); err != nil {
			t.Fatalf("%s: %v\nthe server answered:\n%s", where, err, r.body)
		}
	}
}
