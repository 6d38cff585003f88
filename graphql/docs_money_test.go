package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocs_MoneyExamples runs the API examples of docs/money.md, in
// order, against the whole server, and compares each response with the
// one the page shows.
func TestDocs_MoneyExamples(t *testing.T) {
	t.Parallel()
	examples, _ := docExamples(t, "../docs/money.md")
	require.Len(t, examples, 7, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	headers := map[string]string{"Content-Type": "application/json", "Accept-Language": "en"}
	runDocExamples(t, s, "docs/money.md", examples, headers)
}
