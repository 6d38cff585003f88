package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocs_SettingsExamples runs the API examples of docs/settings.md, in
// order, against the whole server, and compares each response with the
// one the page shows (as TestDocs_GraphQLExamples does for graphql.md).
func TestDocs_SettingsExamples(t *testing.T) {
	t.Parallel()
	examples, _ := docExamples(t, "../docs/settings.md")
	require.Len(t, examples, 5, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	headers := map[string]string{"Content-Type": "application/json", "Accept-Language": "en"}
	runDocExamples(t, s, "docs/settings.md", examples, headers)
}
