package graphql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocs_SignOnExamples runs the API examples of docs/sso.md, in order,
// against the whole server, and compares each response with the one the
// page shows.
func TestDocs_SignOnExamples(t *testing.T) {
	t.Parallel()
	examples, _ := docExamples(t, "../docs/sso.md")
	require.Len(t, examples, 2, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	headers := map[string]string{"Content-Type": "application/json", "Accept-Language": "en"}
	r := s.do(t, http.MethodPost, s.url, `{"query":"mutation { createUser(input: {username: \"li.lei\", password: \"correct horse battery\"}) { username } }"}`, headers)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.NotContains(t, string(r.body), `"errors"`, "%s", r.body)
	m := &docMatcher{seen: map[string]string{}}
	for _, ex := range examples {
		b, err := json.Marshal(map[string]any{"query": m.substitute(ex.query)})
		require.NoError(t, err)
		r := s.do(t, http.MethodPost, s.url, string(b), headers)
		where := fmt.Sprintf("docs/sso.md line %d", ex.line)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", where, r.body)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(ex.response), &want), "%s: the shown response is not JSON", where)
		require.NoError(t, json.Unmarshal(r.body, &got), "%s: %s", where, r.body)
		if err := m.match(want, got, "$"); err != nil {
			t.Fatalf("%s: %v\nthe server answered:\n%s", where, err, r.body)
		}
	}
}
