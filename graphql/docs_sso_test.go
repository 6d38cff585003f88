package graphql_test

import (
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
	runDocExamples(t, s, "docs/sso.md", examples, headers)
}
