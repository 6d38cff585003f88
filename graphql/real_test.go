package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/testkit"
)

// realServer is a GraphQL server over the real engine and an embedded
// store whose tenant is tenantA (its administrator is [admin]).
func realServer(t testing.TB, opts ...testkit.Option) (*graphql.Server, *testkit.Tenant) {
	t.Helper()
	opts = append([]testkit.Option{testkit.Named("A"), testkit.AsActor(admin.ID)}, opts...)
	tn := testkit.New(t, tenantA, opts...)
	srv, err := graphql.New(graphql.Config{Engine: tn.Engine, Logger: discardLogger()})
	require.NoError(t, err)
	return srv, tn
}
