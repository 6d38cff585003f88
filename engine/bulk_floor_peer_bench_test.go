package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// The peer workload's objects (bench/server_crm.go): a deal of fifteen
// fields with the two composite indexes [stage, amount] and
// [stage, closeDate], and the account it names.
const (
	peerAccountDefinition = `{"$id": "account", "title": "Account", "type": "object",
 "properties": {
  "name": {"type": "string", "maxLength": 200, "x-crm-type": "text"},
  "industry": {"type": "string", "enum": ["manufacturing", "retail", "finance"], "x-crm-type": "picklist"},
  "city": {"type": "string", "maxLength": 50, "x-crm-type": "text"}},
 "required": ["name"]}`
	peerDealDefinition = `{"$id": "deal", "title": "Deal", "type": "object",
 "properties": {
  "title": {"type": "string", "maxLength": 200, "x-crm-type": "text"},
  "stage": {"type": "string", "enum": ["prospecting", "qualification", "proposal", "negotiation", "won", "lost"], "x-crm-type": "picklist"},
  "amount": {"type": "number", "minimum": 0, "x-crm-type": "currency"},
  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
  "rep": {"type": "string", "maxLength": 50, "x-crm-type": "text"},
  "probability": {"type": "number", "minimum": 0, "maximum": 100, "x-crm-type": "percent"},
  "source": {"type": "string", "enum": ["web", "referral", "event", "partner", "coldCall"], "x-crm-type": "picklist"},
  "priority": {"type": "string", "enum": ["low", "medium", "high"], "x-crm-type": "picklist"},
  "kind": {"type": "string", "enum": ["newBusiness", "renewal", "upsell"], "x-crm-type": "picklist"},
  "email": {"type": "string", "format": "email", "x-crm-type": "email"},
  "phone": {"type": "string", "maxLength": 30, "x-crm-type": "phone"},
  "nextStep": {"type": "string", "maxLength": 200, "x-crm-type": "text"},
  "description": {"type": "string", "maxLength": 2000, "x-crm-type": "textarea"},
  "forecast": {"type": "boolean", "x-crm-type": "boolean"}},
 "required": ["title", "stage"],
 "x-crm-indexes": [["stage", "amount"], ["stage", "closeDate"]]}`
)

var peerStages = []string{"prospecting", "qualification", "proposal", "negotiation", "won", "lost"}

// peerDealData is deal n of the peer workload's shape (bench/workload.go).
func peerDealData(n int, account string) map[string]any {
	return map[string]any{
		"title": fmt.Sprintf("商机 %06d", n), "stage": peerStages[n%len(peerStages)], "amount": float64(n*7919%100_000_000) / 100,
		"closeDate": fmt.Sprintf("2026-%02d-%02d", n%12+1, n%28+1), "account": account, "rep": fmt.Sprintf("rep%02d", n%20),
		"probability": float64(10 * (n % 11)), "source": "web", "priority": "medium", "kind": "renewal",
		"email": fmt.Sprintf("buyer%06d@example.com", n), "phone": fmt.Sprintf("138%08d", n*7717%100_000_000),
		"nextStep": "电话跟进", "description": "客户关注交付周期和售后服务，需要安排技术交流。", "forecast": n%2 == 0,
	}
}

// newPeerTenant is an engine on the embedded store (synchronous=FULL)
// with the peer workload's account and deal, and accounts accounts.
func newPeerTenant(b *testing.B, accounts int) (*testkit.Tenant, []string) {
	tn := testkit.New(b, "acme", testkit.WithStore(func(t testing.TB) store.Store {
		s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	}))
	for _, d := range []string{peerAccountDefinition, peerDealDefinition} {
		_, err := tn.Engine.SaveObject(tn.Admin, json.RawMessage(d), engine.SaveOptions{})
		require.NoError(b, err)
	}
	ids := make([]string, accounts)
	for i := range ids {
		rec, err := tn.Engine.CreateRecord(tn.Admin, "account", map[string]any{"name": fmt.Sprintf("客户 %d", i)})
		require.NoError(b, err)
		ids[i] = rec.ID
	}
	return tn, ids
}

// BenchmarkEngine_StoreFloorPeer is BenchmarkEngine_StoreFloor for the
// peer workload's deal (fifteen fields, the deal table's seven indexes):
// what the embedded store alone costs a bulk-created peer deal and its
// audit entry, built in advance and inserted 500 a transaction, the deals
// one statement each as the engine inserts them ("one-by-one"), as
// multi-row inserts ("multi-row"), or the deals alone
// ("multi-row-no-audit"). The writer connection cannot do a peer deal
// for less:
//
//	go test ./engine -run '^$' -bench StoreFloorPeer -benchtime 40x
func BenchmarkEngine_StoreFloorPeer(b *testing.B) {
	for _, mode := range []string{"one-by-one", "multi-row", "multi-row-no-audit"} {
		b.Run(mode, func(b *testing.B) {
			tn, accounts := newPeerTenant(b, 100)
			cat, err := tn.Engine.Catalog(tn.Admin)
			require.NoError(b, err)
			deal := cat.Object("deal")
			ts, err := tn.Store.Tenant(context.Background(), "acme")
			require.NoError(b, err)
			doc, err := ts.Object(context.Background(), "crmAudit")
			require.NoError(b, err)
			audit, err := schema.ParseObject(doc.Definition)
			require.NoError(b, err)
			n := 0
			cpu0, measured := testkit.ProcessCPU()
			b.ResetTimer()
			for b.Loop() {
				recs := make([]store.Record, 500)
				entries := make([]store.Record, 500)
				now := time.Now().UTC()
				for i := range recs {
					id := fmt.Sprintf("d%09d", n)
					recs[i] = store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:a", UpdatedBy: "user:a",
						OwnerID: "user:a", Data: peerDealData(n, accounts[n%len(accounts)])}
					entries[i] = store.Record{ID: "a" + id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:a", Data: map[string]any{
						"door": "api", "action": "create", "object": "deal", "record": id, "recordVersion": 1.0}}
					n++
				}
				err := ts.WithTx(context.Background(), func(tx store.Tx) error {
					if mode == "one-by-one" {
						for _, r := range recs {
							if err := tx.Insert(context.Background(), deal, r); err != nil {
								return err
							}
						}
					} else if err := store.InsertMany(context.Background(), tx, deal, recs); err != nil {
						return err
					}
					if mode == "multi-row-no-audit" {
						return nil
					}
					return store.InsertMany(context.Background(), tx, audit, entries)
				})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			if cpu1, ok := testkit.ProcessCPU(); measured && ok {
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(n), "cpu-µs/record")
			}
		})
	}
}

// BenchmarkEngine_WriteRecordsPeer loads peer deals through bulk creates
// of MaxBulkWrites each (not atomic, as createDeals calls it), each deal
// naming one of 100 accounts; cpu-µs/record is the process's CPU a deal:
//
//	go test ./engine -run '^$' -bench WriteRecordsPeer -benchtime 40x
func BenchmarkEngine_WriteRecordsPeer(b *testing.B) {
	tn, accounts := newPeerTenant(b, 100)
	writes := make([]engine.BulkWrite, engine.MaxBulkWrites)
	n := 0
	cpu0, measured := testkit.ProcessCPU()
	b.ResetTimer()
	for b.Loop() {
		for i := range writes {
			writes[i] = engine.BulkWrite{Action: engine.BulkCreate, Data: peerDealData(n, accounts[n%len(accounts)])}
			n++
		}
		res, err := tn.Engine.WriteRecords(tn.Admin, "deal", writes, engine.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != engine.OutcomeCreated {
				b.Fatalf("%s: %v", r.Outcome, r.Err)
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	if cpu1, ok := testkit.ProcessCPU(); measured && ok {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(n), "cpu-µs/record")
	}
}
