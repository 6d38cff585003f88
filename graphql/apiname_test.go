package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/apiname"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
)

// apiNames returns the types and root fields of the schema printed for
// objs.
func apiNames(t testing.TB, objs []*schema.Object) map[apiname.Name]bool {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: graphql.SDL(engine.NewCatalog(tenantA, 1, objs))})
	require.NoError(t, err)
	out := map[apiname.Name]bool{}
	for name := range s.Types {
		out[apiname.Name{Kind: apiname.Type, Name: name}] = true
	}
	for _, f := range s.Query.Fields {
		out[apiname.Name{Kind: apiname.Query, Name: f.Name}] = true
	}
	for _, f := range s.Mutation.Fields {
		out[apiname.Name{Kind: apiname.Mutation, Name: f.Name}] = true
	}
	return out
}

// The names package apiname says are the API's own are the fixed
// schema's, no more, no fewer: what the engine keeps objects from taking
// is what the schema has.
func TestAPINames_FixedAreTheFixedSchema(t *testing.T) {
	t.Parallel()
	got := apiNames(t, nil)
	got[apiname.Name{Kind: apiname.Type, Name: "Subscription"}] = true // reserved, though nothing is served on it
	want := map[apiname.Name]bool{}
	for _, n := range apiname.Fixed() {
		want[n] = true
	}
	for n := range got {
		assert.True(t, want[n], "%s is in the fixed schema but not in apiname's list", n)
	}
	for n := range want {
		assert.True(t, got[n], "%s is in apiname's list but not in the fixed schema", n)
	}
}

// Every name the schema makes for objects is one apiname.Of gives them,
// for the test objects and every template: so the engine's check of an
// object's names sees all of them.
func TestAPINames_OfCoversTheGeneratedSchema(t *testing.T) {
	t.Parallel()
	catalogs := map[string][]*schema.Object{"test objects": {accountObject(), dealObject(), ticketObject()}}
	list, err := templates.List()
	require.NoError(t, err)
	for _, m := range list {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		var objs []*schema.Object
		for _, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err)
			objs = append(objs, obj)
		}
		catalogs["template "+m.Name] = objs
	}
	for name, objs := range catalogs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			predicted := map[apiname.Name]bool{}
			for _, o := range objs {
				for _, n := range apiname.Of(o) {
					predicted[n] = true
				}
			}
			generated := 0
			for n := range apiNames(t, objs) {
				if apiname.IsFixed(n) {
					continue
				}
				generated++
				assert.True(t, predicted[n], "%s is generated but apiname.Of does not name it", n)
			}
			assert.Greater(t, generated, 10*len(objs), "the objects' names were generated")
		})
	}
}
