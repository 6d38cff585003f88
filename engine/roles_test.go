package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

func TestRoles_ObjectAndFieldPermissions(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.SaveObject(ctx, def(t, map[string]any{"$id": "deal", "type": "object", "properties": map[string]any{
		"title":  map[string]any{"type": "string", "x-crm-type": "text"},
		"amount": map[string]any{"type": "number", "x-crm-type": "currency"},
		"margin": map[string]any{"type": "number", "x-crm-type": "percent"},
	}}), engine.SaveOptions{Clear: []string{}})
	require.NoError(t, err)
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "大单", "amount": 100.0, "margin": 35.0})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal":    {Read: true, Create: true, Update: true, Fields: map[string]string{"margin": engine.FieldHidden, "amount": engine.FieldReadOnly}},
		"account": {Read: true},
	}}))
	sales := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})

	got, err := eng.GetRecord(sales, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"title": "大单", "amount": 100.0}, got.Data, "the hidden field is not there")
	page, err := eng.ListRecords(sales, "deal", engine.ListQuery{})
	require.NoError(t, err)
	assert.NotContains(t, page.Records[0].Data, "margin")
	for _, q := range []engine.ListQuery{
		{Filter: &store.Filter{Field: "margin", Op: store.OpGt, Value: 30.0}},
		{Filter: &store.Filter{Not: &store.Filter{Field: "margin", Op: store.OpIsNull, Value: true}}},
		{Sort: []store.Sort{{Field: "margin", Desc: true}}},
	} {
		_, err := eng.ListRecords(sales, "deal", q)
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "no leak through filters or order: %+v", q)
	}
	_, err = eng.CountRecords(sales, "deal", &store.Filter{Field: "margin", Op: store.OpEq, Value: 35.0})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "nor through counts")

	_, err = eng.CreateRecord(sales, "deal", map[string]any{"title": "x", "amount": 5.0, "margin": 1.0})
	assert.Equal(t, map[string]string{"amount": "forbidden", "margin": "forbidden"}, fieldErrors(t, err))
	created, err := eng.CreateRecord(sales, "deal", map[string]any{"title": "x"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(sales, "deal", created.ID, map[string]any{"amount": 9.0}, nil)
	assert.Equal(t, map[string]string{"amount": "forbidden"}, fieldErrors(t, err))
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteRecord(sales, "deal", created.ID)))
	_, err = eng.ListRecords(sales, "contact", engine.ListQuery{})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "an object the role does not list")
	_, err = eng.CreateRecord(sales, "account", map[string]any{"name": "x"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	cat, err := eng.Catalog(sales)
	require.NoError(t, err)
	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Name)
	}
	assert.Equal(t, []string{"account", "deal"}, names)
	assert.Nil(t, cat.Object("deal").Field("margin"), "the role's API has no hidden field")
	assert.NotContains(t, string(cat.Object("deal").Definition), "margin", "nor its definition")
	assert.Equal(t, "sales", cat.Audience)
	full, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Contains(t, string(full.Object("deal").Definition), "margin", "administrators get the whole definition")

	// A change of the role applies from the next request.
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true, Delete: true}}}))
	require.NoError(t, eng.DeleteRecord(sales, "deal", created.ID))
	got, err = eng.GetRecord(sales, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, 35.0, got.Data["margin"])

	unknown := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:x", Role: "ghost"})
	_, err = eng.GetRecord(unknown, "deal", deal.ID)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "an unknown role may do nothing")

	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Action: engine.AuditPermission})
	require.NoError(t, err)
	assert.Len(t, entries, 2, "role changes are audited")

	err = eng.SaveRole(ctx, engine.Role{Name: "admin"})
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	err = eng.SaveRole(ctx, engine.Role{Name: "x", Objects: map[string]engine.ObjectAccess{"deal": {Fields: map[string]string{"nope": "hidden"}}}})
	assert.ErrorContains(t, err, `deal has no field "nope"`)
	_, err = eng.Roles(sales)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
}

func TestRoles_Delete(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"deal": {Read: true}}}))
	_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "wang", Password: "a long enough password", Role: "sales"})
	require.NoError(t, err)

	err = eng.DeleteRole(ctx, "sales")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, `role "sales" is given to wang; give them another role first`)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteRole(ctx, "nope")))
	sales := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteRole(sales, "sales")))

	off := false
	_, err = eng.UpdateUser(ctx, "acme", "wang", engine.UserChange{Active: &off})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRole(ctx, "sales"))
	roles, err := eng.Roles(ctx)
	require.NoError(t, err)
	assert.Empty(t, roles)
	_, err = eng.ListRecords(sales, "deal", engine.ListQuery{})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a deleted role may do nothing")
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Action: engine.AuditPermission, Object: "crmRole"})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	assert.Nil(t, entries[0].Changes["role"].New, "the deletion is audited")
}

// TestEngine_Access: what a caller may do with an object, as screens ask
// for it: operations, read-only and masked fields; hidden fields are not
// named and objects out of reach are unknown.
func TestEngine_Access(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.SaveObject(ctx, def(t, map[string]any{"$id": "deal", "type": "object", "properties": map[string]any{
		"title":  map[string]any{"type": "string", "x-crm-type": "text"},
		"phone":  map[string]any{"type": "string", "x-crm-type": "phone"},
		"amount": map[string]any{"type": "number", "x-crm-type": "currency"},
		"margin": map[string]any{"type": "number", "x-crm-type": "percent"},
	}}), engine.SaveOptions{Clear: []string{}})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"deal": {Read: true, Update: true, Fields: map[string]string{"margin": engine.FieldHidden, "amount": engine.FieldReadOnly, "phone": engine.FieldMasked}},
	}}))
	sales := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})

	got, err := eng.Access(sales, "deal")
	require.NoError(t, err)
	assert.Equal(t, engine.CallerAccess{Read: true, Update: true, ReadOnly: []string{"amount"}, Masked: []string{"phone"}}, got)
	_, err = eng.Access(sales, "account")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "an object the role may not read is unknown")
	got, err = eng.Access(ctx, "deal")
	require.NoError(t, err)
	assert.Equal(t, engine.CallerAccess{Read: true, Create: true, Update: true, Delete: true}, got, "administrators may do everything")
}
