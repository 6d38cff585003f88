package graphql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// A lookup's { id } is answered from the stored id when the caller sees
// every record of the target, and reads the target otherwise: what a
// relation shows (the record, or null when it is hidden or gone) is the
// same whichever fields are asked for.
func TestLookup_IDAloneShowsWhatTheRecordWould(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	eng, ctx := tn.Engine, tn.Admin
	for _, def := range []string{
		`{"$id": "account", "type": "object", "x-crm-sharing": "private", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "deal", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`,
	} {
		_, err := eng.SaveObject(ctx, []byte(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"*": {Read: true, Create: true, Update: true, Delete: true}}}))
	for _, u := range []string{"rep1", "rep2"} {
		_, err := eng.CreateUser(ctx, tenantA, engine.NewUser{Username: u, Role: "sales", Password: "a long enough password"})
		require.NoError(t, err)
	}
	as := func(u string) context.Context {
		return engine.WithActor(context.Background(), engine.Actor{TenantID: tenantA, ID: "user:" + u, Role: "sales"})
	}
	mine, err := eng.CreateRecord(as("rep1"), "account", map[string]any{"name": "rep1's"})
	require.NoError(t, err)
	theirs, err := eng.CreateRecord(as("rep2"), "account", map[string]any{"name": "rep2's"})
	require.NoError(t, err)
	deal := func(account string) string {
		rec, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "d", "account": account})
		require.NoError(t, err)
		return rec.ID
	}
	toMine, toTheirs := deal(mine.ID), deal(theirs.ID)

	account := func(c context.Context, dealID, sel string) any {
		t.Helper()
		r := srv.Exec(c, `query($id: ID!) { deal(id: $id) { account { `+sel+` } } }`, "", map[string]any{"id": dealID})
		require.Empty(t, r.Errors)
		var out struct{ Deal struct{ Account any } }
		require.NoError(t, json.Unmarshal(r.Data, &out))
		return out.Deal.Account
	}
	// The administrator sees every account: { id } comes from the deal.
	assert.Equal(t, map[string]any{"id": theirs.ID}, account(ctx, toTheirs, "id"))
	assert.Equal(t, map[string]any{"id": theirs.ID, "__typename": "Account"}, account(ctx, toTheirs, "id __typename"))
	assert.Equal(t, map[string]any{"id": theirs.ID, "name": "rep2's"}, account(ctx, toTheirs, "id name"))

	// rep1 sees its own account and not rep2's: null, with or without name.
	assert.Equal(t, map[string]any{"id": mine.ID}, account(as("rep1"), toMine, "id"))
	assert.Nil(t, account(as("rep1"), toTheirs, "id"))
	assert.Nil(t, account(as("rep1"), toTheirs, "id name"))

	// An account deleted is gone from the deal too.
	require.NoError(t, eng.DeleteRecord(ctx, "account", theirs.ID))
	assert.Nil(t, account(ctx, toTheirs, "id"))
}
