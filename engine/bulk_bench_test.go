package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// BenchmarkEngine_WriteRecords loads deals of the starter template through
// bulk creates of MaxBulkWrites each, on the embedded store with its
// production settings (synchronous=FULL), and reports records/s. Each
// deal has an account (a lookup checked on every write), an autonumber,
// a default and an audit entry. Besides records/s it reports the CPU time
// a record costs the process (cpu-µs/record), which hardly depends on what
// else the machine runs. -benchtime 200x loads 100,000 deals:
//
//	go test ./engine -run '^$' -bench WriteRecords -benchtime 200x
func BenchmarkEngine_WriteRecords(b *testing.B) {
	for _, atomic := range []bool{false, true} {
		b.Run(fmt.Sprintf("atomic=%v", atomic), func(b *testing.B) {
			tn := testkit.New(b, "acme", testkit.WithStore(func(t testing.TB) store.Store {
				s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, s.Close()) })
				return s
			}))
			eng, ctx := tn.Engine, tn.Admin
			withStarter(b, eng, ctx)
			accounts := make([]string, 100)
			for i := range accounts {
				rec, err := eng.CreateRecord(ctx, "account", map[string]any{"name": fmt.Sprintf("客户 %d", i)})
				require.NoError(b, err)
				accounts[i] = rec.ID
			}
			writes := make([]engine.BulkWrite, engine.MaxBulkWrites)
			n := 0
			cpu0, measured := testkit.ProcessCPU()
			b.ResetTimer()
			for b.Loop() {
				for i := range writes {
					writes[i] = engine.BulkWrite{Action: engine.BulkCreate, Data: map[string]any{
						"title": fmt.Sprintf("商机 %d", n), "amount": float64(n % 1_000_000), "stage": benchStages[n%len(benchStages)],
						"closeDate": "2026-12-31", "account": accounts[n%len(accounts)], "email": fmt.Sprintf("buyer%d@example.com", n),
						"notes": "跟进中",
					}}
					n++
				}
				res, err := eng.WriteRecords(ctx, "deal", writes, engine.BulkOptions{Atomic: atomic})
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
		})
	}
}

// BenchmarkEngine_ImportRecords imports starter deals from table rows (as
// package spreadsheet reads them) through ImportRecords, 5,000 rows an
// iteration (ten batches), each with its account found by name, a stage
// by its label, a date in Chinese and an amount with ¥ and separators;
// embedded store, synchronous=FULL. -benchtime 20x imports 100,000:
//
//	go test ./engine -run '^$' -bench ImportRecords -benchtime 20x
func BenchmarkEngine_ImportRecords(b *testing.B) {
	tn := testkit.New(b, "acme", testkit.WithStore(func(t testing.TB) store.Store {
		s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	}))
	eng, ctx := tn.Engine, tn.Admin
	withStarter(b, eng, ctx)
	for i := range 100 {
		_, err := eng.CreateRecord(ctx, "account", map[string]any{"name": fmt.Sprintf("客户 %d", i)})
		require.NoError(b, err)
	}
	header := []string{"商机名称", "金额", "阶段", "预计成交日期", "客户", "联系邮箱", "备注"}
	cat, err := eng.Catalog(ctx)
	require.NoError(b, err)
	spec := engine.ImportSpec{Columns: importvalue.MatchColumns(cat.Object("deal"), header), Mode: engine.BulkCreate}
	labels := []string{"新建", "已确认需求", "方案报价", "赢单", "输单"}
	const perOp = 5000
	n := 0
	cpu0, measured := testkit.ProcessCPU()
	b.ResetTimer()
	for b.Loop() {
		rows := make([]engine.ImportRow, perOp)
		for i := range rows {
			rows[i] = engine.ImportRow{Line: i + 2, Cells: []string{fmt.Sprintf("商机 %d", n), fmt.Sprintf("¥%d,%03d.50", n%1000, n%997),
				labels[n%len(labels)], fmt.Sprintf("2026年%d月%d日", n%12+1, n%28+1), fmt.Sprintf("客户 %d", n%100),
				fmt.Sprintf("buyer%d@example.com", n), "跟进中"}}
			n++
		}
		rep, err := eng.ImportRecords(ctx, "deal", engine.ImportTable{Header: header, Rows: rows}, spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Created != perOp {
			b.Fatalf("created %d of %d: %+v", rep.Created, perOp, rep.Rejected[0])
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	if cpu1, ok := testkit.ProcessCPU(); measured && ok {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(n), "cpu-µs/row")
	}
}

// BenchmarkEngine_StoreFloor is what loading starter deals costs the
// embedded store alone (synchronous=FULL), without the engine: the rows a
// bulk create writes — each deal and its audit entry, 500 a transaction —
// built in advance and inserted one statement each (as the engine inserts
// records), as multi-row inserts, or the deals alone. Audit entries are
// as creates write them (no values: the trail stores changes; time and
// actor in createdAt and createdBy only); with
// "with-values" they hold every value, as they did before. It bounds what
// any engine change can reach on one writer connection:
//
//	go test ./engine -run '^$' -bench StoreFloor -benchtime 200x
func BenchmarkEngine_StoreFloor(b *testing.B) {
	for _, mode := range []string{"one-by-one", "one-by-one-with-values", "multi-row", "multi-row-no-audit"} {
		b.Run(mode, func(b *testing.B) {
			tn := testkit.New(b, "acme", testkit.WithStore(func(t testing.TB) store.Store {
				s, err := sqlitestore.New(sqlitestore.Config{Dir: t.TempDir()})
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, s.Close()) })
				return s
			}))
			eng, ctx := tn.Engine, tn.Admin
			withStarter(b, eng, ctx)
			_, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "x"}) // the audit trail's object exists from the first write
			require.NoError(b, err)
			cat, err := eng.Catalog(ctx)
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
					recs[i] = store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:a", UpdatedBy: "user:a", OwnerID: "user:a", Data: map[string]any{
						"title": fmt.Sprintf("商机 %d", n), "amount": float64(n % 1_000_000), "stage": "new", "number": fmt.Sprintf("D-%06d", n),
						"closeDate": "2026-12-31", "account": "acc", "email": fmt.Sprintf("buyer%d@example.com", n), "notes": "跟进中"}}
					entries[i] = store.Record{ID: "a" + id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "user:a", Data: map[string]any{
						"door": "api", "action": "create", "object": "deal", "record": id, "recordVersion": 1.0}}
					if mode == "one-by-one-with-values" {
						changes := map[string]any{}
						for k, v := range recs[i].Data {
							changes[k] = map[string]any{"old": nil, "new": v}
						}
						entries[i].Data["changes"] = changes
					}
					n++
				}
				err := ts.WithTx(context.Background(), func(tx store.Tx) error {
					if mode == "one-by-one" || mode == "one-by-one-with-values" {
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
