package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

func ticket(props map[string]any, required ...string) map[string]any {
	if required == nil {
		required = []string{}
	}
	return map[string]any{"$id": "ticket", "type": "object", "properties": props, "required": required}
}

var (
	subject  = map[string]any{"type": "string", "x-crm-type": "text"}
	priority = map[string]any{"type": "string", "x-crm-type": "picklist", "enum": []string{"low", "high", "urgent"}}
	code     = map[string]any{"type": "string", "x-crm-type": "text"}
)

func TestEngine_SaveObjectVersions(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	v1, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), v1.Version)
	assert.Equal(t, "user:test", v1.SavedBy)

	same, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), same.Version, "an identical definition is not a new version")

	v2, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject, "priority": priority})), engine.SaveOptions{ExpectedVersion: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(2), v2.Version)

	_, err = eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{ExpectedVersion: 1})
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "stale expected version")

	hist, err := eng.ObjectHistory(ctx, "ticket")
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Nil(t, hist[0].Object.Field("priority"))
	assert.NotNil(t, hist[1].Object.Field("priority"))

	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), cat.Object("ticket").Version)

	_, err = eng.SaveObject(ctx, []byte(`{"$id":"Bad Name","type":"object","properties":{}}`), engine.SaveOptions{})
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)

	notAdmin := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:x"})
	_, err = eng.SaveObject(notAdmin, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
}

func TestEngine_SaveObjectEvolution(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		next    map[string]any
		opts    engine.SaveOptions
		refused string // substring of the problem; "" when accepted
		check   func(t *testing.T, data []map[string]any)
	}{
		{name: "removing a picklist value in use is refused",
			next:    ticket(map[string]any{"subject": subject, "priority": withEnum(priority, "low", "high"), "code": code}),
			refused: "priority"},
		{name: "remapping the removed value migrates the records",
			next: ticket(map[string]any{"subject": subject, "priority": withEnum(priority, "low", "high"), "code": code}),
			opts: engine.SaveOptions{Remap: map[string]map[string]string{"priority": {"urgent": "high"}}},
			check: func(t *testing.T, data []map[string]any) {
				for _, d := range data {
					assert.NotEqual(t, "urgent", d["priority"])
				}
			}},
		{name: "making a field required that is empty somewhere is refused",
			next:    ticket(map[string]any{"subject": subject, "priority": priority, "code": code}, "code"),
			refused: "code"},
		{name: "fill makes it required",
			next: ticket(map[string]any{"subject": subject, "priority": priority, "code": code}, "code"),
			opts: engine.SaveOptions{Fill: map[string]any{"code": "N/A"}},
			check: func(t *testing.T, data []map[string]any) {
				for _, d := range data {
					assert.NotEmpty(t, d["code"])
				}
			}},
		{name: "removing a field with data is refused",
			next:    ticket(map[string]any{"subject": subject, "priority": priority}),
			refused: "code"},
		{name: "clear removes the field",
			next: ticket(map[string]any{"subject": subject, "priority": priority}),
			opts: engine.SaveOptions{Clear: []string{"code"}},
			check: func(t *testing.T, data []map[string]any) {
				for _, d := range data {
					assert.NotContains(t, d, "code")
				}
			}},
		{name: "narrowing a type is refused",
			next:    ticket(map[string]any{"subject": map[string]any{"type": "string", "x-crm-type": "text", "maxLength": 3}, "priority": priority, "code": code}),
			refused: "subject"},
		{name: "a unique field over duplicates is refused",
			next:    ticket(map[string]any{"subject": subject, "priority": priority, "code": map[string]any{"type": "string", "x-crm-type": "text", "x-crm-unique": true}}),
			refused: "duplicate"},
		{name: "adding a field is always fine",
			next: ticket(map[string]any{"subject": subject, "priority": priority, "code": code, "extra": code})},
		{name: "migration options must name fields",
			next:    ticket(map[string]any{"subject": subject, "priority": priority, "code": code}),
			opts:    engine.SaveOptions{Fill: map[string]any{"nope": 1}},
			refused: "nope"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject, "priority": priority, "code": code})), engine.SaveOptions{})
			require.NoError(t, err)
			for _, in := range []map[string]any{
				{"subject": "printer on fire", "priority": "urgent", "code": "X1"},
				{"subject": "password reset", "priority": "low", "code": "X1"},
				{"subject": "no code here"},
			} {
				_, err := eng.CreateRecord(ctx, "ticket", in)
				require.NoError(t, err)
			}
			info, err := eng.SaveObject(ctx, def(t, s.next), s.opts)
			page, lerr := eng.ListRecords(ctx, "ticket", engine.ListQuery{})
			require.NoError(t, lerr)
			var data []map[string]any
			for _, r := range page.Records {
				data = append(data, r.Data)
			}
			if s.refused != "" {
				require.Error(t, err)
				assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
				assert.Contains(t, err.Error(), s.refused)
				cat, cerr := eng.Catalog(ctx)
				require.NoError(t, cerr)
				assert.Equal(t, int64(1), cat.Object("ticket").Version, "nothing saved")
				assert.Len(t, data, 3)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(2), info.Version)
			if s.check != nil {
				s.check(t, data)
			}
		})
	}
}

// The refusal of a change that stored records would not fit counts them
// per field and reason, with one of them, so that a designer can offer
// the fitting migration.
func TestEngine_SaveObjectMigrationReport(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject, "priority": priority, "code": code})), engine.SaveOptions{})
	require.NoError(t, err)
	var urgent []string
	for _, in := range []map[string]any{
		{"subject": "printer on fire", "priority": "urgent", "code": "X1"},
		{"subject": "server on fire", "priority": "urgent"},
		{"subject": "password reset", "priority": "low"},
	} {
		r, err := eng.CreateRecord(ctx, "ticket", in)
		require.NoError(t, err)
		if in["priority"] == "urgent" {
			urgent = append(urgent, r.ID)
		}
	}
	_, err = eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject, "priority": withEnum(priority, "low", "high"), "code": code}, "code")), engine.SaveOptions{})
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	byField := map[string]*schema.Migration{}
	for _, p := range de.Problems {
		require.NotNil(t, p.Migration, p.Path)
		byField[p.Migration.Field] = p.Migration
	}
	require.Len(t, byField, 2)
	assert.Equal(t, "enum", byField["priority"].Code)
	assert.Equal(t, 2, byField["priority"].Records)
	assert.Contains(t, urgent, byField["priority"].Example)
	assert.NotEmpty(t, byField["priority"].Reason)
	assert.NotEmpty(t, byField["priority"].ReasonZh)
	assert.Equal(t, "required", byField["code"].Code)
	assert.Equal(t, 2, byField["code"].Records)
}

func withEnum(base map[string]any, values ...string) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	out["enum"] = values
	return out
}

func TestEngine_CatalogSeesChangesFromAnotherEngine(t *testing.T) {
	t.Parallel()
	eng, ctx, st := newEngine(t)
	second, err := engine.New(engine.Config{Store: st}) // another process on the same data
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Empty(t, cat.Objects)
	_, err = second.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject})), engine.SaveOptions{})
	require.NoError(t, err)
	cat, err = eng.Catalog(ctx)
	require.NoError(t, err)
	require.NotNil(t, cat.Object("ticket"))
}

func TestEngine_APIKeys(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	secret, key, err := eng.CreateAPIKey(ctx, "acme", "ci")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, "crm_"))
	assert.NotContains(t, key.Hash, secret)

	a, err := eng.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, "acme", a.TenantID)
	assert.Equal(t, "key:"+key.ID, a.ID)

	for _, bad := range []string{"", "crm_nope", secret + "x", strings.Repeat("a", 5000)} {
		_, err := eng.Authenticate(ctx, bad)
		assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	}
	_, err = eng.RevokeAPIKey(ctx, "acme", key.ID)
	require.NoError(t, err)
	_, err = eng.Authenticate(ctx, secret)
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "no use after revoke")

	_, _, err = eng.CreateAPIKey(context.Background(), "ghost", "")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "the operator's CLI learns the tenant is missing")
	_, _, err = eng.CreateAPIKey(ctx, "ghost", "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "an administrator of another tenant learns nothing")
	_, err = eng.CreateTenant(ctx, "acme", "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	_, err = eng.CreateTenant(ctx, "../etc", "")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

// Remap options are checked like the rest of a definition: a target that
// is not an option of the new definition is refused, and re-saving an
// identical definition with options makes no new version (issue 13,
// item 18).
func TestEngine_SaveObjectRemapChecked(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, def(t, ticket(map[string]any{"subject": subject, "priority": priority})), engine.SaveOptions{})
	require.NoError(t, err)
	urgent, err := eng.CreateRecord(ctx, "ticket", map[string]any{"subject": "fire", "priority": "urgent"})
	require.NoError(t, err)
	narrowed := def(t, ticket(map[string]any{"subject": subject, "priority": withEnum(priority, "low", "high")}))

	_, err = eng.SaveObject(ctx, narrowed, engine.SaveOptions{Remap: map[string]map[string]string{"priority": {"urgent": "critical"}}})
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Problems, 1)
	assert.Equal(t, "options/remap/priority/urgent", de.Problems[0].Path)
	assert.Contains(t, de.Problems[0].Message, `"critical" is not an option of priority`)
	got, err := eng.GetRecord(ctx, "ticket", urgent.ID)
	require.NoError(t, err)
	assert.Equal(t, "urgent", got.Data["priority"], "nothing migrated")

	v2, err := eng.SaveObject(ctx, narrowed, engine.SaveOptions{Remap: map[string]map[string]string{"priority": {"urgent": "high"}}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), v2.Version)
	for range 3 {
		again, err := eng.SaveObject(ctx, narrowed, engine.SaveOptions{Remap: map[string]map[string]string{"priority": {"urgent": "high"}}})
		require.NoError(t, err)
		assert.Equal(t, int64(2), again.Version, "an identical definition is not a new version, options or not")
	}
	// Options on an identical definition still migrate what they name.
	same, err := eng.SaveObject(ctx, narrowed, engine.SaveOptions{Remap: map[string]map[string]string{"priority": {"high": "low"}}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), same.Version)
	got, err = eng.GetRecord(ctx, "ticket", urgent.ID)
	require.NoError(t, err)
	assert.Equal(t, "low", got.Data["priority"])
	hist, err := eng.ObjectHistory(ctx, "ticket")
	require.NoError(t, err)
	assert.Len(t, hist, 2)
}
