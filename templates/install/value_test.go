package install_test

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// memberTotals is what a retail member's orders and points ledger say.
type memberTotals struct {
	spent          float64
	purchases      int
	lifetimePoints int
	adjustments    int
	last           string
}

func (m memberTotals) tier() string {
	switch {
	case m.spent >= 50000:
		return "diamond"
	case m.spent >= 20000:
		return "platinum"
	case m.spent >= 8000:
		return "gold"
	case m.spent >= 2000:
		return "silver"
	}
	return "regular"
}

// everyRecord reads every record of object, a page at a time.
func everyRecord(t *testing.T, eng *engine.Engine, ctx context.Context, object string, fn func(store.Record)) {
	t.Helper()
	q := engine.ListQuery{First: 100}
	for {
		page, err := eng.ListRecords(ctx, object, q)
		require.NoError(t, err)
		for _, r := range page.Records {
			fn(r)
		}
		if !page.HasNextPage {
			return
		}
		q.After = page.EndCursor
	}
}

// totalsFromOrders adds up the retail sample's orders and ledger per
// member, as the template's rules say: completed orders count, a point
// per yuan paid, the ledger's other entries adjust the balance.
func totalsFromOrders(t *testing.T, eng *engine.Engine, ctx context.Context) map[string]*memberTotals {
	t.Helper()
	shanghai := time.FixedZone("CST", 8*3600)
	totals := map[string]*memberTotals{}
	of := func(id string) *memberTotals {
		if totals[id] == nil {
			totals[id] = &memberTotals{}
		}
		return totals[id]
	}
	everyRecord(t, eng, ctx, "order", func(o store.Record) {
		member, _ := o.Data["member"].(string)
		if member == "" || o.Data["status"] != "completed" {
			return
		}
		m := of(member)
		paid, _ := o.Data["paidAmount"].(float64)
		m.spent += paid
		m.purchases++
		m.lifetimePoints += int(math.Floor(paid))
		at, err := time.Parse(time.RFC3339, o.Data["orderedAt"].(string))
		require.NoError(t, err)
		if d := at.In(shanghai).Format(time.DateOnly); d > m.last {
			m.last = d
		}
	})
	everyRecord(t, eng, ctx, "pointsEntry", func(p store.Record) {
		if p.Data["type"] == "earn" {
			return
		}
		n, _ := p.Data["points"].(float64)
		of(p.Data["member"].(string)).adjustments += int(n)
	})
	return totals
}

func TestRetail_MemberValuesFollowOrders(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(refDate.Add(12 * time.Hour))
	tn := testkit.New(t, "shop", testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "shop", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("retail")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample("retail", sample.Options{Records: 800, Seed: 11, Now: refDate})})
	require.NoError(t, err)

	check := func(t *testing.T) { assertMembersFollowOrders(t, eng, ctx) }
	t.Run("after the sample install", check)

	// The job finds nothing to change in values the install computed.
	recompute := func() engine.Job {
		clk.Advance(time.Minute) // jobs list newest first
		job, err := eng.RecomputeCustomerValue(ctx, "member")
		require.NoError(t, err)
		for range 20 {
			_, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
			require.NoError(t, err)
		}
		jobs, err := eng.Jobs(ctx, 5)
		require.NoError(t, err)
		require.Equal(t, job.ID, jobs[0].ID)
		assert.Equal(t, engine.JobDone, jobs[0].Status)
		return jobs[0]
	}
	assert.Zero(t, recompute().Changed)

	// A member's big order completes: totals, points and tier move at once;
	// refunding it moves them back.
	member, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "测试", "mobile": "13800138000"})
	require.NoError(t, err)
	order, err := eng.CreateRecord(ctx, "order", map[string]any{"member": member.ID, "channel": "store",
		"orderedAt": refDate.Format(time.RFC3339), "paidAmount": 8888.8, "paymentMethod": "alipay", "status": "paid"})
	require.NoError(t, err)
	m, err := eng.GetRecord(ctx, "member", member.ID)
	require.NoError(t, err)
	assert.Equal(t, "regular", m.Data["tier"], "a paid order is not yet completed")
	_, err = eng.UpdateRecord(ctx, "order", order.ID, map[string]any{"status": "completed"}, nil)
	require.NoError(t, err)
	m, err = eng.GetRecord(ctx, "member", member.ID)
	require.NoError(t, err)
	assert.Equal(t, 8888.8, m.Data["totalSpent"])
	assert.EqualValues(t, 1, m.Data["purchaseCount"])
	assert.EqualValues(t, 8888, m.Data["points"])
	assert.Equal(t, "gold", m.Data["tier"])
	_, err = eng.UpdateRecord(ctx, "order", order.ID, map[string]any{"status": "refunded", "refundReason": "quality"}, nil)
	require.NoError(t, err)
	m, err = eng.GetRecord(ctx, "member", member.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 0, m.Data["totalSpent"])
	assert.EqualValues(t, 0, m.Data["points"])
	assert.Equal(t, "regular", m.Data["tier"], "tiers go down too")
	assert.EqualValues(t, 1, recompute().Changed, "the new member is valued: a prospect")
	t.Run("after an order and its refund", check)
}

// assertMembersFollowOrders checks every member's totals, points, tier,
// last purchase and average against its orders and points ledger, and
// that customer value was computed.
func assertMembersFollowOrders(t *testing.T, eng *engine.Engine, ctx context.Context) {
	t.Helper()
	totals := totalsFromOrders(t, eng, ctx)
	members, tiers, buyers := 0, map[string]int{}, 0
	everyRecord(t, eng, ctx, "member", func(m store.Record) {
		members++
		want := totals[m.ID]
		if want == nil {
			want = &memberTotals{}
		}
		tiers[m.Data["tier"].(string)]++
		assert.InDelta(t, want.spent, m.Data["totalSpent"], 1e-6, "member %s total spent", m.ID)
		assert.EqualValues(t, want.purchases, m.Data["purchaseCount"], "member %s purchases", m.ID)
		assert.EqualValues(t, want.lifetimePoints, m.Data["lifetimePoints"], "member %s lifetime points", m.ID)
		assert.EqualValues(t, max(0, want.lifetimePoints+want.adjustments), m.Data["points"], "member %s points", m.ID)
		assert.Equal(t, want.tier(), m.Data["tier"], "member %s tier", m.ID)
		if want.purchases == 0 {
			assert.Nil(t, m.Data["lastPurchaseDate"], "member %s", m.ID)
			assert.Equal(t, "prospect", m.Data["lifecycle"], "member %s", m.ID)
			assert.Nil(t, m.Data["averageOrderValue"], "member %s", m.ID)
			return
		}
		buyers++
		assert.Equal(t, want.last, m.Data["lastPurchaseDate"], "member %s last purchase", m.ID)
		assert.InDelta(t, math.Round(want.spent/float64(want.purchases)*100)/100, m.Data["averageOrderValue"], 1e-6, "member %s average", m.ID)
		assert.NotEmpty(t, m.Data["lifecycle"], "member %s", m.ID)
		assert.NotEmpty(t, m.Data["rfmSegment"], "member %s", m.ID)
		assert.NotEmpty(t, m.Data["grade"], "member %s", m.ID)
		assert.NotEmpty(t, m.Data["churnRisk"], "member %s", m.ID)
	})
	require.Positive(t, members)
	require.Positive(t, buyers)
	assert.Greater(t, len(tiers), 1, "members in more than one tier: %v", tiers)

}

// An upgrade from retail 1.1.0, whose totals, points and tier were data,
// computes them from the orders (roll-ups at once, formulas and customer
// value by their jobs).
func TestRetail_UpgradeComputesMemberValues(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(refDate.Add(12 * time.Hour))
	tn := testkit.New(t, "shop", testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	old, err := install.FromFS(os.DirFS("testdata/retail-1.1.0"))
	require.NoError(t, err)
	require.Equal(t, "1.1.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{Sample: install.Sample("retail", sample.Options{Records: 500, Seed: 5, Now: refDate})})
	require.NoError(t, err)
	// In 1.1.0 they were data anyone could set.
	page, err := eng.ListRecords(ctx, "member", engine.ListQuery{First: 100})
	require.NoError(t, err)
	for _, m := range page.Records {
		_, err := eng.UpdateRecord(ctx, "member", m.ID, map[string]any{"tier": "diamond", "points": 99999.0, "lifetimePoints": 99999.0,
			"averageOrderValue": 1.0}, nil)
		require.NoError(t, err)
	}
	tpl, err := install.Template("retail")
	require.NoError(t, err)
	// 1.5.0 makes the shop's people user fields; the sample names of
	// 1.1.0 name no user of the tenant, so the upgrade needs force.
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{Force: true})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	require.Len(t, res.Users, 3)
	for _, c := range res.Users {
		assert.True(t, c.Cleared)
		assert.NotEmpty(t, c.Unmatched, "%s.%s", c.Object, c.Field)
	}
	for range 30 {
		_, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	jobs, err := eng.Jobs(ctx, 10)
	require.NoError(t, err)
	kinds := map[string]string{}
	for _, j := range jobs {
		kinds[j.Kind+" "+j.Object] = j.Status
	}
	assert.Equal(t, map[string]string{"recomputeFormulas order": "done", "recomputeFormulas member": "done", "customerValue member": "done",
		"duplicateKeys member": "done", "recomputeFormulas pointsEntry": "done", "scheduleTimers member": "done", "scheduleTimers coupon": "done"}, kinds,
		"1.3.0 adds the member's duplicate rule: its records are keyed; time rules new since (the repurchase reminder at the working day's start, "+
			"1.6.0's points and coupon expiry) reach them; 1.6.0 keys the points ledger")
	assertMembersFollowOrders(t, eng, ctx)
}
