package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates"
)

// benchDeals is the size of the list fixture; -short makes it small so
// that CI can run every benchmark once quickly.
func benchDeals() int {
	if testing.Short() {
		return 2_000
	}
	return 100_000
}

var benchStages = []string{"new", "qualified", "proposal", "won", "lost"}

// seedDeals writes n deals (and n/10 accounts) straight through the store
// in one transaction: the fixture, not the thing measured. The deals'
// owners take turns from owners, when given.
func seedDeals(b *testing.B, eng *engine.Engine, ctx context.Context, st store.Store, n int, owners ...string) []string {
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
				Data: map[string]any{"name": fmt.Sprintf("客户 %d", i), "grade": "normal"}}); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("deal%07d", i)
			ids = append(ids, id)
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
			owner := ""
			if len(owners) > 0 {
				owner = owners[i%len(owners)]
			}
			if err := tx.Insert(ctx, deal, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, OwnerID: owner, Data: map[string]any{
				"number": fmt.Sprintf("DEAL-%05d", i), "title": fmt.Sprintf("商机 %d", i), "amount": float64(r.IntN(1_000_000)),
				"probability": float64(r.IntN(100)), "stage": benchStages[r.IntN(len(benchStages))],
				"closeDate": day.Format(schema.DateLayout), "account": accounts[r.IntN(len(accounts))],
				"email": fmt.Sprintf("buyer%d@example.com", i), "notes": "跟进中",
			}}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(b, err)
	return ids
}

func BenchmarkEngine_GetRecord(b *testing.B) {
	eng, ctx, st := newEngine(b)
	withStarter(b, eng, ctx)
	ids := seedDeals(b, eng, ctx, st, benchDeals())
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := eng.GetRecord(ctx, "deal", ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEngine_ListFilteredSorted(b *testing.B) {
	eng, ctx, st := newEngine(b)
	withStarter(b, eng, ctx)
	seedDeals(b, eng, ctx, st, benchDeals())
	listFilteredSorted(b, eng, ctx)
}

// listFilteredSorted measures listing 50 qualified deals over 500,000
// by close date, newest first, as the actor of ctx.
func listFilteredSorted(b *testing.B, eng *engine.Engine, ctx context.Context) {
	q := engine.ListQuery{
		Filter: &store.Filter{And: []store.Filter{
			store.Leaf("stage", store.OpEq, "qualified"),
			store.Leaf("amount", store.OpGt, 500_000.0),
		}},
		Sort:  []store.Sort{{Field: "closeDate", Desc: true}},
		First: 50,
	}
	b.ResetTimer()
	cpu := testkit.CPUNow()
	for b.Loop() {
		page, err := eng.ListRecords(ctx, "deal", q)
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Records) != 50 {
			b.Fatalf("got %d records", len(page.Records))
		}
	}
	testkit.ReportCPU(b, cpu)
}

// BenchmarkEngine_ListPrivate is ListFilteredSorted for a sales manager
// on a private deal object: 20 owners, the manager sees the records of
// itself and its 9 reports (half of them).
func BenchmarkEngine_ListPrivate(b *testing.B) {
	eng, ctx, st := newEngine(b)
	withStarter(b, eng, ctx)
	tpl, err := templates.Get("starter")
	require.NoError(b, err)
	for _, d := range tpl.Definitions {
		var m map[string]any
		require.NoError(b, json.Unmarshal(d, &m))
		if m["$id"] == "deal" {
			m["x-crm-sharing"] = "private"
			_, err := eng.SaveObject(ctx, def(b, m), engine.SaveOptions{})
			require.NoError(b, err)
		}
	}
	require.NoError(b, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true}}}))
	var owners []string
	for i := range 20 {
		u := engine.NewUser{Username: fmt.Sprintf("u%02d", i), Password: "a long enough password", Role: "sales"}
		if i > 0 && i < 10 {
			u.Manager = "u00"
		}
		_, err := eng.CreateUser(ctx, "acme", u)
		require.NoError(b, err)
		owners = append(owners, "user:"+u.Username)
	}
	seedDeals(b, eng, ctx, st, benchDeals(), owners...)
	manager := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:u00", Role: "sales"})
	listFilteredSorted(b, eng, manager)
}

func BenchmarkEngine_CreateRecord(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	withStarter(b, eng, ctx)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{
			"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0, "stage": "qualified", "email": "buyer@example.com",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngine_CatalogRebuild measures what a metadata change costs the
// next request: a tenant with 50 objects × 40 fields, one object changed,
// the catalog re-read, re-parsed and re-compiled where needed.
func BenchmarkEngine_CatalogRebuild(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	for o := 0; o < 50; o++ {
		_, err := eng.SaveObject(ctx, wideObject(b, o, 0), engine.SaveOptions{})
		require.NoError(b, err)
	}
	_, err := eng.Catalog(ctx)
	require.NoError(b, err)
	b.ResetTimer()
	for i := 1; b.Loop(); i++ {
		b.StopTimer()
		_, err := eng.SaveObject(ctx, wideObject(b, i%50, i), engine.SaveOptions{})
		require.NoError(b, err)
		b.StartTimer()
		if _, err := eng.Catalog(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// wideObject is object number o with 40 fields of mixed types; rev changes
// a label so that each save is a new version.
func wideObject(b *testing.B, o, rev int) []byte {
	props := map[string]any{}
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
	for f := 0; f < 40; f++ {
		p := map[string]any{"x-crm-label": map[string]any{"zh": fmt.Sprintf("字段%d-%d", f, rev), "en": fmt.Sprintf("Field %d", f)}}
		for k, v := range kinds[f%len(kinds)] {
			p[k] = v
		}
		props[fmt.Sprintf("field%d", f)] = p
	}
	return def(b, map[string]any{"$id": fmt.Sprintf("obj%d", o), "type": "object", "properties": props})
}

// BenchmarkEngine_CreateWithValidateScript is BenchmarkEngine_CreateRecord
// with a trivial validate script on the object: the difference is the
// cost of a script run on a write (target: under 50 µs).
func BenchmarkEngine_CreateWithValidateScript(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	_, err := eng.SaveObject(ctx, def(b, map[string]any{"$id": "deal", "type": "object", "properties": map[string]any{
		"title":  map[string]any{"type": "string", "x-crm-type": "text"},
		"amount": map[string]any{"type": "number", "x-crm-type": "currency"},
	}, "x-crm-scripts": []any{map[string]any{"name": "check", "kind": "validate", "source": "if (ctx.record.amount < 0) ctx.addError('amount', '不能为负')"}}}), engine.SaveOptions{})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngine_CreatePlain is the same object without the script.
func BenchmarkEngine_CreatePlain(b *testing.B) {
	eng, ctx, _ := newEngine(b)
	_, err := eng.SaveObject(ctx, def(b, map[string]any{"$id": "deal", "type": "object", "properties": map[string]any{
		"title":  map[string]any{"type": "string", "x-crm-type": "text"},
		"amount": map[string]any{"type": "number", "x-crm-type": "currency"},
	}}), engine.SaveOptions{})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": fmt.Sprintf("商机 %d", i), "amount": 1000.0}); err != nil {
			b.Fatal(err)
		}
	}
}
