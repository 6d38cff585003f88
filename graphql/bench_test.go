package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/templates"
)

// These benchmarks run the whole stack below HTTP: the GraphQL server,
// the engine and the embedded store with its production settings
// (synchronous=FULL). The figures in docs/performance.md come from them.

// benchDeals is the size of the list fixture; -short makes it small so
// that CI can run every benchmark once quickly.
func benchDeals() int {
	if testing.Short() {
		return 2_000
	}
	return 100_000
}

// benchStack is a server over a real engine and store with the starter
// template saved, and an admin context of tenant "acme".
func benchStack(b *testing.B) (*graphql.Server, *engine.Engine, context.Context, store.Store) {
	b.Helper()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: b.TempDir()})
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, st.Close()) })
	tn := testkit.New(b, "acme", testkit.Named("Acme"), testkit.AsActor("user:bench"), testkit.WithConfig(func(c *engine.Config) { c.Store = st }))
	srv, err := graphql.New(graphql.Config{Engine: tn.Engine, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	return srv, tn.Engine, tn.Admin, st
}

func withStarterObjects(b *testing.B, eng *engine.Engine, ctx context.Context) {
	b.Helper()
	tpl, err := templates.Get("starter")
	require.NoError(b, err)
	for _, def := range tpl.Definitions {
		_, err := eng.SaveObject(ctx, def, engine.SaveOptions{})
		require.NoError(b, err)
	}
}

var benchStages = []string{"new", "qualified", "proposal", "won", "lost"}

// seedDeals writes n deals and n/10 accounts straight through the store in
// one transaction: the fixture, not the thing measured.
func seedDeals(b *testing.B, eng *engine.Engine, ctx context.Context, st store.Store, n int) []string {
	b.Helper()
	cat, err := eng.Catalog(ctx)
	require.NoError(b, err)
	ts, err := st.Tenant(ctx, "acme")
	require.NoError(b, err)
	deal, account := cat.Object("deal"), cat.Object("account")
	r := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, 0, n)
	now := time.Now().UTC()
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		accounts := make([]string, 0, n/10+1)
		for i := 0; i <= n/10; i++ {
			id := fmt.Sprintf("acc%07d", i)
			accounts = append(accounts, id)
			if err := tx.Insert(ctx, account, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now,
				Data: map[string]any{"name": fmt.Sprintf("客户 %d", i)}}); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("deal%07d", i)
			ids = append(ids, id)
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
			if err := tx.Insert(ctx, deal, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{
				"number": fmt.Sprintf("DEAL-%05d", i), "title": fmt.Sprintf("商机 %d", i), "amount": float64(r.IntN(1_000_000)),
				"stage": benchStages[r.IntN(len(benchStages))], "closeDate": day.Format(schema.DateLayout),
				"account": accounts[r.IntN(len(accounts))], "email": fmt.Sprintf("buyer%d@example.com", i),
			}}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(b, err)
	return ids
}

func mustExec(b *testing.B, srv *graphql.Server, ctx context.Context, query string, vars map[string]any) json.RawMessage {
	resp := srv.Exec(ctx, query, "", vars)
	if len(resp.Errors) > 0 {
		b.Fatalf("%s: %v", query, resp.Errors)
	}
	return resp.Data
}

func BenchmarkGraphQL_GetByID(b *testing.B) {
	srv, eng, ctx, st := benchStack(b)
	withStarterObjects(b, eng, ctx)
	ids := seedDeals(b, eng, ctx, st, benchDeals())
	const q = `query($id: ID!) { deal(id: $id) { id number title amount stage closeDate account { id name } } }`
	mustExec(b, srv, ctx, q, map[string]any{"id": ids[0]}) // builds the schema
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		mustExec(b, srv, ctx, q, map[string]any{"id": ids[i%len(ids)]})
	}
}

func BenchmarkGraphQL_List50FilteredSorted(b *testing.B) {
	srv, eng, ctx, st := benchStack(b)
	withStarterObjects(b, eng, ctx)
	seedDeals(b, eng, ctx, st, benchDeals())
	const q = `{ deals(filter: {stage: {eq: qualified}, amount: {gt: 500000}}, orderBy: [{closeDate: DESC}], first: 50) {
		nodes { id number title amount stage closeDate account { id name } }
		pageInfo { hasNextPage endCursor } } }`
	b.ResetTimer()
	cpu := testkit.CPUNow()
	for b.Loop() {
		data := mustExec(b, srv, ctx, q, nil)
		var out struct {
			Deals struct{ Nodes []json.RawMessage }
		}
		if err := json.Unmarshal(data, &out); err != nil || len(out.Deals.Nodes) != 50 {
			b.Fatalf("got %d nodes (%v)", len(out.Deals.Nodes), err)
		}
	}
	testkit.ReportCPU(b, cpu)
}

func BenchmarkGraphQL_Create(b *testing.B) {
	srv, eng, ctx, _ := benchStack(b)
	withStarterObjects(b, eng, ctx)
	const q = `mutation($in: DealInput!) { createDeal(input: $in) { id number version } }`
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		mustExec(b, srv, ctx, q, map[string]any{"in": map[string]any{
			"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0, "stage": "qualified", "email": "buyer@example.com", "closeDate": "2026-12-31",
		}})
	}
}

// BenchmarkGraphQL_SchemaRebuild measures what a metadata change costs the
// first request after it: a tenant with 50 objects × 40 fields (each with
// a lookup to the next), one object changed, then a query that makes the
// engine re-read its catalog and the server generate, parse and cache the
// new GraphQL schema.
func BenchmarkGraphQL_SchemaRebuild(b *testing.B) {
	srv, eng, ctx, _ := benchStack(b)
	for o := 0; o < 50; o++ {
		_, err := eng.SaveObject(ctx, wideObject(b, o, 0), engine.SaveOptions{})
		require.NoError(b, err)
	}
	const q = `{ obj0s(first: 1) { nodes { id field0 } } }`
	mustExec(b, srv, ctx, q, nil)
	builds := srv.SchemaBuilds()
	b.ResetTimer()
	for i := 1; b.Loop(); i++ {
		b.StopTimer()
		_, err := eng.SaveObject(ctx, wideObject(b, i%50, i), engine.SaveOptions{})
		require.NoError(b, err)
		b.StartTimer()
		mustExec(b, srv, ctx, q, nil)
	}
	b.StopTimer()
	if got := srv.SchemaBuilds() - builds; got != b.N {
		b.Fatalf("%d schema builds for %d metadata changes", got, b.N)
	}
}

// wideObject is object number o with 40 fields of mixed types; rev
// changes a label so that each save is a new version.
func wideObject(b *testing.B, o, rev int) json.RawMessage {
	kinds := []map[string]any{
		{"type": "string", "x-crm-type": "text", "maxLength": 200},
		{"type": "number", "x-crm-type": "currency", "minimum": 0},
		{"type": "string", "x-crm-type": "picklist", "enum": []string{"a", "b", "c"}},
		{"type": "string", "format": "date", "x-crm-type": "date"},
		{"type": "boolean", "x-crm-type": "boolean"},
		{"type": "string", "format": "email", "x-crm-type": "email"},
		{"type": "integer", "x-crm-type": "integer"},
		{"type": "string", "x-crm-type": "lookup", "x-crm-target": fmt.Sprintf("obj%d", (o+1)%50)},
	}
	props := map[string]any{}
	for f := 0; f < 40; f++ {
		p := map[string]any{"x-crm-label": map[string]any{"zh": fmt.Sprintf("字段%d-%d", f, rev), "en": fmt.Sprintf("Field %d", f)}}
		for k, v := range kinds[f%len(kinds)] {
			p[k] = v
		}
		props[fmt.Sprintf("field%d", f)] = p
	}
	text, err := json.Marshal(map[string]any{"$id": fmt.Sprintf("obj%d", o), "type": "object", "properties": props})
	require.NoError(b, err)
	return text
}

// BenchmarkGraphQL_ReverseList reads two of the fields of records listed
// under others: 20 accounts with 10 of their deals each (the starter
// template's deal has no pipeline, so no board here).
func BenchmarkGraphQL_ReverseList(b *testing.B) {
	srv, eng, ctx, st := benchStack(b)
	withStarterObjects(b, eng, ctx)
	seedDeals(b, eng, ctx, st, benchDeals())
	for _, s := range []struct{ name, query string }{
		{"reverse", `{ accounts(first: 20) { nodes { name deals(first: 10, orderBy: [{amount: DESC}]) { nodes { title amount } } } } }`},
	} {
		b.Run(s.name, func(b *testing.B) {
			mustExec(b, srv, ctx, s.query, nil)
			cpu := testkit.CPUNow()
			for b.Loop() {
				mustExec(b, srv, ctx, s.query, nil)
			}
			testkit.ReportCPU(b, cpu)
		})
	}
}
