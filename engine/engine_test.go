package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates"
)

// newEngine returns an engine over a fresh embedded store with the tenant
// "acme", and an admin context in it.
func newEngine(t testing.TB) (*engine.Engine, context.Context, store.Store) {
	t.Helper()
	tn := testkit.New(t, "acme", testkit.Named("Acme"))
	return tn.Engine, tn.Admin, tn.Store
}

// withStarter saves the starter template's objects.
func withStarter(t testing.TB, eng *engine.Engine, ctx context.Context) {
	t.Helper()
	tpl, err := templates.Get("starter")
	require.NoError(t, err)
	for _, def := range tpl.Definitions {
		_, err := eng.SaveObject(ctx, def, engine.SaveOptions{})
		require.NoError(t, err)
	}
}

// def builds a definition from a map, for tests that vary one.
func def(t testing.TB, m map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func fieldErrors(t testing.TB, err error) map[string]string {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	out := map[string]string{}
	for _, f := range ve.Fields {
		out[f.Field] = f.Code
	}
	return out
}
