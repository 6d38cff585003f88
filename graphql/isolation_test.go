package graphql_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestIsolation_CrossTenantIDs tries, through every GraphQL door, to read
// or change tenant B's records with B's real ids while signed in to tenant
// A, which has the same objects (T1, T3). Every attempt must look exactly
// like an id that does not exist.
func TestIsolation_CrossTenantIDs(t *testing.T) {
	t.Parallel()
	eng, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: discardLogger()})
	require.NoError(t, err)
	srv, err := graphql.New(graphql.Config{Engine: eng, Logger: discardLogger()})
	require.NoError(t, err)
	a := engine.Actor{TenantID: "tenant-a", ID: "key:a", Admin: true}
	b := engine.Actor{TenantID: "tenant-b", ID: "key:b", Admin: true}
	defs := []string{
		`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`,
		`{"$id": "deal", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		  "contacts": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "account"}}}`,
	}
	for _, actor := range []engine.Actor{a, b} {
		_, err := eng.CreateTenant(context.Background(), actor.TenantID, "")
		require.NoError(t, err)
		for _, d := range defs {
			mustRun(t, srv, actor, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(d)})
		}
	}
	accA := path(mustRun(t, srv, a, `mutation { createAccount(input: {name: "A 的客户"}) { id } }`, nil), "createAccount", "id").(string)
	mustRun(t, srv, a, `mutation($acc: ID) { createDeal(input: {title: "A 的商机", account: $acc}) { id } }`, map[string]any{"acc": accA})

	const n = 250 // records in B; 12 doors each: 3,000 attempts
	var bDeals, bAccounts []string
	for i := range n {
		acc := path(mustRun(t, srv, b, `mutation($n: String) { createAccount(input: {name: $n}) { id } }`, map[string]any{"n": fmt.Sprintf("B 客户 %d", i)}), "createAccount", "id").(string)
		deal := path(mustRun(t, srv, b, `mutation($acc: ID!) { createDeal(input: {title: "B 机密", account: $acc, contacts: [$acc]}) { id } }`, map[string]any{"acc": acc}), "createDeal", "id").(string)
		bAccounts, bDeals = append(bAccounts, acc), append(bDeals, deal)
	}
	bCursor := path(mustRun(t, srv, b, `{ deals(first: 1) { pageInfo { endCursor } } }`, nil), "deals", "pageInfo", "endCursor").(string)

	attempts, leaks := 0, 0
	leak := func(what string, ok bool) {
		attempts++
		if !ok {
			leaks++
			t.Errorf("leak: %s", what)
		}
	}
	notFound := func(r result) bool { return len(r.Errors) == 1 && r.codes()[0] == "NOT_FOUND" }
	for i := range n {
		d, acc := bDeals[i], bAccounts[i]
		vars := map[string]any{"d": d, "acc": acc}
		leak("deal(id)", path(mustRun(t, srv, a, `query($d: ID!) { deal(id: $d) { id } }`, vars), "deal") == nil)
		leak("account(id)", path(mustRun(t, srv, a, `query($acc: ID!) { account(id: $acc) { id } }`, vars), "account") == nil)
		leak("filter by id", len(path(mustRun(t, srv, a, `query($d: ID) { deals(filter: {id: {eq: $d}}) { totalCount nodes { id } } }`, vars), "deals", "nodes").([]any)) == 0)
		leak("filter by lookup", path(mustRun(t, srv, a, `query($acc: ID) { deals(filter: {account: {eq: $acc}}) { totalCount } }`, vars), "deals", "totalCount") == 0.0)
		leak("filter by multilookup", path(mustRun(t, srv, a, `query($acc: ID) { deals(filter: {contacts: {includes: $acc}}) { totalCount } }`, vars), "deals", "totalCount") == 0.0)
		leak("update", notFound(run(t, srv, a, `mutation($d: ID!) { updateDeal(id: $d, input: {title: "改"}) { id } }`, vars)))
		leak("delete", notFound(run(t, srv, a, `mutation($d: ID!) { deleteDeal(id: $d) }`, vars)))
		r := run(t, srv, a, `mutation($acc: ID) { createDeal(input: {title: "x", account: $acc}) { id } }`, vars)
		leak("lookup to B", len(r.Errors) == 1 && r.codes()[0] == "VALIDATION_FAILED")
		r = run(t, srv, a, `mutation($acc: ID!) { createDeal(input: {title: "x", contacts: [$acc]}) { id } }`, vars)
		leak("multilookup to B", len(r.Errors) == 1 && r.codes()[0] == "VALIDATION_FAILED")
		r = run(t, srv, a, `mutation($d: ID!) { updateDeal(id: $d, input: {title: "x"}, version: 1) { id } }`, vars)
		leak("stale version does not reveal existence", notFound(r))
		leak("audit of B's record", len(path(mustRun(t, srv, a, `query($d: ID) { auditTrail(recordId: $d) { entries { id } } }`, vars), "auditTrail", "entries").([]any)) == 0)
		leak("reverse list of B's record", func() bool {
			data := mustRun(t, srv, a, `query($acc: ID!) { account(id: $acc) { dealsByAccount { nodes { id } } } }`, vars)
			return path(data, "account") == nil
		}())
	}
	// A cursor of B's, and one forged from B's ids, never reveal B's data.
	for _, cursor := range []string{bCursor, forge(bDeals[0])} {
		r := run(t, srv, a, `query($c: String) { deals(after: $c) { nodes { title } } }`, map[string]any{"c": cursor})
		for _, node := range asList(path(r.Data, "deals", "nodes")) {
			leak("cursor", path(node, "title") != "B 机密")
		}
		attempts++
	}
	// A's own lists never contain B's records.
	data := mustRun(t, srv, a, `{ deals(first: 100) { totalCount nodes { title account { name } } } accounts(first: 100) { totalCount } }`, nil)
	leak("count of deals", path(data, "deals", "totalCount") == 1.0)
	leak("count of accounts", path(data, "accounts", "totalCount") == 1.0)
	assert.GreaterOrEqual(t, attempts, 3000)
	assert.Zero(t, leaks, "%d of %d attempts leaked", leaks, attempts)
}

// forge makes a cursor in the engine's format naming one of B's ids.
func forge(id string) string {
	b, _ := json.Marshal(map[string]any{"o": "", "v": []any{}, "id": id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
