package graphql_test

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/templates"
)

// FuzzSchemaExec runs arbitrary operations and variables against a
// tenant's generated schema over the real engine and store (G14). Whatever
// the input, the server answers: no panic escapes, nothing is reported as
// an internal error (which would be a bug of ours, not of the input), and
// the response encodes as JSON. The seeds run in every `go test`.
func FuzzSchemaExec(f *testing.F) {
	log := slog.New(slog.DiscardHandler)
	tn := testkit.New(f, "acme", testkit.Named("Acme"), testkit.AsActor("user:fuzz"))
	eng, ctx := tn.Engine, tn.Admin
	tpl, err := templates.Get("starter")
	require.NoError(f, err)
	for _, def := range tpl.Definitions {
		_, err := eng.SaveObject(ctx, def, engine.SaveOptions{})
		require.NoError(f, err)
	}
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华东客户"})
	require.NoError(f, err)
	_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "首单", "amount": 100.0, "account": acc.ID})
	require.NoError(f, err)
	srv, err := graphql.New(graphql.Config{Engine: eng, Logger: log})
	require.NoError(f, err)

	seeds := []struct{ query, vars string }{
		{`{ deals { nodes { id title account { name deals { totalCount } } } pageInfo { hasNextPage endCursor } totalCount } }`, ``},
		{`query($f: DealFilter) { deals(filter: $f, orderBy: [{amount: DESC}, {title: ASC}], first: 5) { edges { cursor node { id } } } }`,
			`{"f": {"or": [{"amount": {"gt": 10}}, {"not": {"stage": {"in": ["won", "lost"]}}}], "title": {"contains": "首"}}}`},
		{`query($a: String) { deals(after: $a) { nodes { id } } }`, `{"a": "not-a-cursor"}`},
		{`mutation($in: DealInput!) { createDeal(input: $in) { id number } }`, `{"in": {"title": "x", "amount": -1, "email": "bad"}}`},
		{`mutation { updateDeal(id: "missing", input: {title: null}, version: 3) { id } }`, ``},
		{`mutation($d: JSON!) { saveObject(definition: $d) { name version } }`, `{"d": {"$id": "x", "type": "object", "properties": {"a": {"type": "string", "x-crm-type": "text"}}}}`},
		{`{ __schema { types { name fields { name } } } }`, ``},
		{`fragment F on Deal { id ...F } { deals { nodes { ...F } } }`, ``},
		{`fragment F on Dealn{ id ...F ragmdeals {  ...F }  }`, `x`},
		{`{ a: deal(id: "1") { id } a: account(id: "1") { id } }`, ``},
		{`query($id: ID!) { account(id: $id) { deals(filter: {amount: {gte: 1e308}}) { nodes { id } } } }`, `{"id": ["x"]}`},
		{`{ objects { name fields { name type options target } } objectHistory(name: "deal") { version definition } }`, ``},
		{`query($n: Int! = 2, $s: DealStage) { deals(first: $n, filter: {stage: {in: [$s, won]}}) { pageInfo { startCursor hasPreviousPage } } }`, `{"s": "lost"}`},
		{`mutation($v: Int) { a: createDeal(input: {title: """块 """ 引号"""}) { id } b: updateDeal(id: "x", input: {title: "\/"}, version: $v) { id } }`, `{"v": "abc"}`},
		{`query A($id: ID!) { deal(id: $id) { id } } query B { me { id } } { __schema { description directives { isRepeatable } types { isOneOf } } }`, ``},
		{`{ deals(first: {n: 1}, filter: {title: {eq: {a: 1}}}) { nodes { ...on Deal { closeDate @include(if: $b) } } } }`, `{"b": "yes"}`},
	}
	for _, s := range seeds {
		f.Add(s.query, s.vars)
	}
	f.Fuzz(func(t *testing.T, query, vars string) {
		var variables map[string]any
		if vars != "" {
			if json.Unmarshal([]byte(vars), &variables) != nil {
				variables = nil
			}
		}
		resp := srv.Exec(ctx, query, "", variables)
		for _, e := range resp.Errors {
			if e.Extensions["code"] == string(engine.CodeInternal) {
				t.Fatalf("internal error for %q (%s): %s", query, vars, e.Message)
			}
		}
		_, err := json.Marshal(resp)
		require.NoError(t, err)
	})
}
