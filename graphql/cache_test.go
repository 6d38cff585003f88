package graphql_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
)

func TestCache_ReusedAndRebuiltOnNewRevision(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	for i := 0; i < 5; i++ {
		mustRun(t, srv, user, `{ deals { nodes { id } } }`, nil)
	}
	assert.Equal(t, 1, srv.SchemaBuilds(), "one build per tenant and revision")

	f.setObjects(tenantA, accountObject(), dealObject(), ticketObject(), &schema.Object{Name: "lead", Fields: []*schema.Field{{Name: "company", Type: schema.TypeText}}})
	mustRun(t, srv, user, `{ leads { nodes { company } } }`, nil)
	mustRun(t, srv, user, `{ leads { nodes { company } } }`, nil)
	assert.Equal(t, 2, srv.SchemaBuilds())
}

func TestCache_ConcurrentRequestsBuildOnce(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := run(t, srv, user, `{ deals { nodes { id } } }`, nil)
			assert.Empty(t, r.Errors)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.SchemaBuilds())
}

// TestCache_TenantsNeverSeeEachOther checks G8: a tenant's schema, and its
// introspection, name none of another tenant's objects.
func TestCache_TenantsNeverSeeEachOther(t *testing.T) {
	t.Parallel()
	f := newFakeEngine()
	f.setObjects("tenant-a", dealObject(), accountObject())
	f.setObjects("tenant-b", &schema.Object{Name: "secretProject", Fields: []*schema.Field{{Name: "codename", Type: schema.TypeText}}})
	srv, err := graphql.New(graphql.Config{Engine: f})
	require.NoError(t, err)

	adminA := engine.Actor{TenantID: "tenant-a", ID: "key:a", Admin: true}
	adminB := engine.Actor{TenantID: "tenant-b", ID: "key:b", Admin: true}
	introspect := `{ __schema { types { name fields { name } } } }`
	for i := 0; i < 2; i++ { // interleaved, from the cache the second time
		a := mustRun(t, srv, adminA, introspect, nil)
		b := mustRun(t, srv, adminB, introspect, nil)
		textA, _ := json.Marshal(a)
		textB, _ := json.Marshal(b)
		assert.Contains(t, string(textA), `"Deal"`)
		assert.NotContains(t, strings.ToLower(string(textA)), "secretproject")
		assert.NotContains(t, strings.ToLower(string(textA)), "codename")
		assert.Contains(t, string(textB), `"SecretProject"`)
		assert.NotContains(t, string(textB), `"Deal"`)
		assert.NotContains(t, string(textB), `"Account"`)
	}
	r := run(t, srv, adminA, `{ secretProjects { nodes { codename } } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.messages(), `Cannot query field "secretProjects"`)
}

// wrongTenantEngine returns another tenant's catalog: the server refuses it.
type wrongTenantEngine struct{ *fakeEngine }

func (w wrongTenantEngine) Catalog(ctx context.Context) (*engine.Catalog, error) {
	return engine.NewCatalog("someone-else", 1, []*schema.Object{dealObject()}), nil
}

func TestCache_CatalogOfAnotherTenantIsRefused(t *testing.T) {
	t.Parallel()
	srv, err := graphql.New(graphql.Config{Engine: wrongTenantEngine{newFakeEngine()}, Logger: discardLogger()})
	require.NoError(t, err)
	r := run(t, srv, user, `{ deals { nodes { id } } }`, nil)
	assert.Equal(t, []string{"INTERNAL"}, r.codes())
	assert.Nil(t, r.Data)
}

func TestCache_ValidDocumentsReusedPerRevision(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	const q = `query($n: Int) { deals(first: $n) { nodes { id } } }`
	const titles = `{ deals { nodes { id title } } }`
	for i := 0; i < 3; i++ {
		mustRun(t, srv, user, q, map[string]any{"n": 2})
		mustRun(t, srv, user, titles, nil)
	}
	assert.Equal(t, 2, srv.CachedDocuments(), "one document however often its text comes")

	// A document that fails (syntax, validation, variables) is never kept,
	// and keeps failing the same way.
	for i := 0; i < 2; i++ {
		assert.NotEmpty(t, run(t, srv, user, `{ deals { nodes { nope } } }`, nil).Errors)
		assert.NotEmpty(t, run(t, srv, user, `{ deals {`, nil).Errors)
		r := run(t, srv, user, q, map[string]any{"n": "two"})
		assert.NotEmpty(t, r.Errors, "the cached document still checks its variables")
	}
	assert.Equal(t, 2, srv.CachedDocuments())

	// A new revision validates the text again against its schema: a field
	// that is gone is refused, one that came is accepted.
	f.setObjects(tenantA, accountObject(), &schema.Object{Name: "deal", Fields: []*schema.Field{{Name: "subject", Type: schema.TypeText}}})
	r := run(t, srv, user, titles, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Message, "title")
	mustRun(t, srv, user, `{ deals { nodes { id subject } } }`, nil)
	mustRun(t, srv, user, q, map[string]any{"n": 2})
	assert.Equal(t, 2, srv.CachedDocuments(), "the old revision's documents went with its schema; the new one has its own")
}

func TestCache_KeptDocumentsFollowTheirVariables(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t)
	const q = `query($x: Boolean!) { deals(first: 1) { pageInfo { hasNextPage } totalCount @include(if: $x) } }`
	for i := 0; i < 2; i++ {
		with := mustRun(t, srv, user, q, map[string]any{"x": true})
		without := mustRun(t, srv, user, q, map[string]any{"x": false})
		assert.Contains(t, with["deals"], "totalCount")
		assert.NotContains(t, without["deals"], "totalCount")
		assert.Contains(t, without["deals"], "pageInfo")
	}
	assert.Equal(t, 1, srv.CachedDocuments())
}

func TestCache_DocumentsGoWithTheirSchema(t *testing.T) {
	t.Parallel()
	f := newFakeEngine()
	f.setObjects("tenant-a", dealObject(), accountObject())
	f.setObjects("tenant-b", dealObject(), accountObject())
	srv, err := graphql.New(graphql.Config{Engine: f, MaxSchemas: 1})
	require.NoError(t, err)
	adminA := engine.Actor{TenantID: "tenant-a", ID: "key:a", Admin: true}
	adminB := engine.Actor{TenantID: "tenant-b", ID: "key:b", Admin: true}
	mustRun(t, srv, adminA, `{ deals { nodes { id } } }`, nil)
	mustRun(t, srv, adminA, `{ accounts { nodes { id } } }`, nil)
	assert.Equal(t, 2, srv.CachedDocuments())
	mustRun(t, srv, adminB, `{ deals { nodes { id } } }`, nil) // tenant-a's schema is dropped beyond MaxSchemas
	assert.Equal(t, 1, srv.CachedDocuments())
}
