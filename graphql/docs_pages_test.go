package graphql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// runDocExamples sends the API examples of a docs page (page names it in
// failures: "docs/pool.md"), in order, to the whole server with headers,
// and compares each response with the one the page shows (as
// TestDocs_GraphQLExamples does for graphql.md): ids the server makes are
// matched by the names the page gives them.
func runDocExamples(t *testing.T, s *httpStack, page string, examples []*docExample, headers map[string]string) {
	t.Helper()
	m := &docMatcher{seen: map[string]string{}}
	for _, ex := range examples {
		req := map[string]any{"query": m.substitute(ex.query)}
		if ex.variables != "" {
			req["variables"] = json.RawMessage(m.substitute(ex.variables))
		}
		b, err := json.Marshal(req)
		require.NoError(t, err)
		r := s.do(t, http.MethodPost, s.url, string(b), headers)
		where := fmt.Sprintf("%s line %d", page, ex.line)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", where, r.body)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(ex.response), &want), "%s: the shown response is not JSON", where)
		require.NoError(t, json.Unmarshal(r.body, &got), "%s: %s", where, r.body)
		if err := m.match(want, got, "$"); err != nil {
			t.Fatalf("%s: %v\nthe server answered:\n%s", where, err, r.body)
		}
	}
}
