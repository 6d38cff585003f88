package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestWorker_DueIndex runs the worker over three tenants through a cache
// of one open database: once their work is done a pass opens none of
// them; a time automation due later makes its tenant due then, and the
// pass that finds it opens that tenant only and fires it.
func TestWorker_DueIndex(t *testing.T) {
	t.Parallel()
	var st *sqlitestore.Store
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.AsActor("user:li"), testkit.WithClock(clk),
		testkit.WithOtherTenants("beta", "gamma"), testkit.WithObjects(taskDef, leadDef),
		testkit.WithStore(func(t testing.TB) store.Store {
			var err error
			st, err = sqlitestore.New(sqlitestore.Config{Dir: t.TempDir(), Synchronous: "NORMAL", ReadConns: 1, CacheKiB: 1024, OpenTenants: 1})
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			return st
		}))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "Acme deal", "owner": "li", "closeDate": "2026-05-08"})
	require.NoError(t, err)

	due := func() []string {
		t.Helper()
		entries, err := st.DueTenants(t.Context(), clk.Now(), 100)
		require.NoError(t, err)
		var ids []string
		for _, e := range entries {
			ids = append(ids, e.Tenant)
		}
		return ids
	}
	assert.Equal(t, []string{"acme"}, due(), "a tenant written to is due; the others have no entry yet")
	// The first pass gives the tenants without an entry one (a data
	// directory from before the index) and visits them;  a visit that wrote (scheduling, sweeping)
	// leaves its tenant due for one more pass, which finds nothing.
	for range 3 {
		_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	assert.Empty(t, due(), "nothing is due once the work is done")
	clk.Set(clk.Now().Add(11 * time.Minute))
	assert.Empty(t, due(), "an idle tenant waits for the hourly housekeeping: the file sweep schedules no visit of its own")

	// Another tenant's read takes the only open database: acme's is
	// closed, and the next pass opens nothing.
	_, err = eng.ListRecords(tn.As(engine.Actor{TenantID: "beta", ID: "user:admin", Admin: true}), "crmUser", engine.ListQuery{})
	_ = err // the object may be missing: opening the tenant is what counts
	opens := st.CacheStats().Opens
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, worker.Stats{}, stats)
	assert.Equal(t, opens, st.CacheStats().Opens, "a pass with nothing due opens no tenant")

	// Tenants are visited for housekeeping at least hourly; the
	// reminder, due a day before the close date, does not fire before.
	clk.Set(time.Date(2026, 5, 6, 23, 0, 0, 0, time.UTC))
	assert.ElementsMatch(t, []string{"acme", "beta", "gamma"}, due())
	for range 2 { // the visit sweeps (a write): one more pass finds nothing
		stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
		assert.Zero(t, stats.Timers)
	}
	assert.Empty(t, due())
	clk.Set(time.Date(2026, 5, 7, 8, 0, 0, 0, time.UTC))
	assert.Contains(t, due(), "acme")
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers, "the reminder fired")
	lead, err := eng.ListRecords(ctx, "lead", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, lead.Records, 1)
	assert.Equal(t, true, lead.Records[0].Data["reminded"])
}

// TestWorker_DueIndexOtherProcess: a second engine on the same data
// directory that runs no worker (crm serve --worker=false, crm import)
// leaves the due index alone for records that queue nothing, and the
// time automation it queues is found and fired by the worker of the
// first process.
func TestWorker_DueIndexOtherProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var st *sqlitestore.Store
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.AsActor("user:li"), testkit.WithClock(clk),
		testkit.WithObjects(taskDef, leadDef),
		testkit.WithStore(func(t testing.TB) store.Store {
			var err error
			st, err = sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL", ReadConns: 1, CacheKiB: 1024})
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			return st
		}))
	eng, ctx := tn.Engine, tn.Admin
	due := func() []string {
		t.Helper()
		entries, err := st.DueTenants(t.Context(), clk.Now(), 100)
		require.NoError(t, err)
		var ids []string
		for _, e := range entries {
			ids = append(ids, e.Tenant)
		}
		return ids
	}
	for range 3 {
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	require.Empty(t, due(), "nothing is due once the work is done")

	other, err := sqlitestore.New(sqlitestore.Config{Dir: dir, Synchronous: "NORMAL", ReadConns: 1, CacheKiB: 1024})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	eng2, err := engine.New(engine.Config{Store: other, Now: clk.Now, ExportDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng2.Close() })
	ctx2 := engine.WithActor(t.Context(), engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})

	for i := range 3 {
		_, err := eng2.CreateRecord(ctx2, "task", map[string]any{"subject": fmt.Sprint("call ", i)})
		require.NoError(t, err)
	}
	assert.Empty(t, due(), "records that queue nothing leave the due index alone")

	_, err = eng2.CreateRecord(ctx2, "lead", map[string]any{"name": "Acme deal", "owner": "li", "closeDate": "2026-05-08"})
	require.NoError(t, err)
	assert.Equal(t, []string{"acme"}, due(), "the reminder's timer makes the tenant due")
	for range 2 {
		stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
		assert.Zero(t, stats.Timers, "not due yet")
	}
	assert.Empty(t, due(), "raised to the reminder's time")
	clk.Set(time.Date(2026, 5, 7, 8, 0, 0, 0, time.UTC))
	assert.Equal(t, []string{"acme"}, due())
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers, "the reminder the other process queued fired")
	lead, err := eng.ListRecords(ctx, "lead", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, lead.Records, 1)
	assert.Equal(t, true, lead.Records[0].Data["reminded"])
}
