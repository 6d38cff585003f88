package install_test

import (
	"context"
	"os"
	"sync"
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
)

// retailShop is a tenant with retail installed (no sample data) on a
// clock at now, in Shanghai.
func retailShop(t *testing.T, now time.Time) (*engine.Engine, context.Context, *testkit.Clock) {
	t.Helper()
	clk := testkit.NewClock(now)
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("retail")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	return eng, ctx, clk
}

// memberWithPoints is a member whose completed order earned points.
func memberWithPoints(t *testing.T, eng *engine.Engine, ctx context.Context, mobile string, paid float64) string {
	t.Helper()
	m, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "林女士", "mobile": mobile})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"member": m.ID, "channel": "store", "orderedAt": "2031-03-01T02:00:00Z",
		"goodsAmount": paid, "paidAmount": paid, "paymentMethod": "wechatPay", "status": "completed"})
	require.NoError(t, err)
	return m.ID
}

func pointsOf(t *testing.T, eng *engine.Engine, ctx context.Context, member string) float64 {
	t.Helper()
	m, err := eng.GetRecord(ctx, "member", member)
	require.NoError(t, err)
	p, _ := m.Data["points"].(float64)
	return p
}

// TestRetail_PointsRedemption: points are redeemed through the ledger
// within the balance, in order, and an entry once booked stays as it is;
// an order that uses points redeems them (or is refused whole), and
// cancelling it gives them back.
func TestRetail_PointsRedemption(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := retailShop(t, time.Date(2031, 3, 2, 10, 0, 0, 0, time.UTC))
	m := memberWithPoints(t, eng, ctx, "13900001111", 1000.4)
	require.Equal(t, 1000.0, pointsOf(t, eng, ctx, m), "one point per yuan of a completed order")

	entry := func(kind string, points float64) (store.Record, error) {
		return eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m, "type": kind, "points": points, "occurredAt": "2031-03-02T02:00:00Z"})
	}
	first, err := entry("redeem", -300)
	require.NoError(t, err)
	assert.Equal(t, 1.0, first.Data["seq"])
	assert.Equal(t, 700.0, first.Data["balance"])
	assert.Equal(t, m+"#1", first.Data["ledgerKey"])
	assert.Equal(t, 700.0, pointsOf(t, eng, ctx, m))

	_, err = entry("redeem", -701)
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.Contains(t, errFields(err), "points")
	assert.ErrorContains(t, err, "积分余额不足：可用 700 分，本次 701 分")
	_, err = entry("redeem", 50)
	assert.ErrorContains(t, err, "须为负数")
	_, err = entry("adjust", -800)
	assert.ErrorContains(t, err, "积分余额不足", "a manual adjustment cannot go below zero either")
	_, err = entry("bonus", -5)
	assert.ErrorContains(t, err, "须为正数")
	_, err = eng.UpdateRecord(ctx, "pointsEntry", first.ID, map[string]any{"points": -3.0}, nil)
	require.Error(t, err)
	assert.ErrorContains(t, err, "不能修改")
	_, err = eng.UpdateRecord(ctx, "pointsEntry", first.ID, map[string]any{"note": "门店兑换"}, nil)
	require.NoError(t, err, "the note is not the booking")
	second, err := entry("bonus", 200)
	require.NoError(t, err)
	assert.Equal(t, 2.0, second.Data["seq"])
	assert.Equal(t, 900.0, pointsOf(t, eng, ctx, m))

	// An order paying with points redeems them; too many, and nothing is written.
	order := map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-02T03:00:00Z", "goodsAmount": 100.0, "pointsUsed": 600.0}
	o, err := eng.CreateRecord(ctx, "order", order)
	require.NoError(t, err)
	assert.Equal(t, 300.0, pointsOf(t, eng, ctx, m))
	before, err := eng.CountRecords(ctx, "order", nil)
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "order", order)
	require.Error(t, err)
	assert.ErrorContains(t, err, "积分余额不足")
	after, err := eng.CountRecords(ctx, "order", nil)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the refused order is not there")
	_, err = eng.UpdateRecord(ctx, "order", o.ID, map[string]any{"pointsUsed": 10.0}, nil)
	assert.ErrorContains(t, err, "积分抵扣在下单时确定")
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"channel": "store", "orderedAt": "2031-03-02T03:00:00Z", "pointsUsed": 10.0})
	assert.ErrorContains(t, err, "只有会员订单")

	_, err = eng.UpdateRecord(ctx, "order", o.ID, map[string]any{"status": "cancelled"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 900.0, pointsOf(t, eng, ctx, m), "cancelling gives the points back")
	page, err := eng.ListRecords(ctx, "pointsEntry", engine.ListQuery{First: 10, Filter: &store.Filter{Field: "order", Op: store.OpEq, Value: o.ID}})
	require.NoError(t, err)
	require.Len(t, page.Records, 2, "the redemption and its return")
}

// TestRetail_ConcurrentRedemptions: redemptions of one member's points at
// the same moment never take more than the balance — the ledger key makes
// all but one of a race fail, not pass.
func TestRetail_ConcurrentRedemptions(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := retailShop(t, time.Date(2031, 3, 2, 10, 0, 0, 0, time.UTC))
	m := memberWithPoints(t, eng, ctx, "13900002222", 1000)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m, "type": "redeem", "points": -300.0, "occurredAt": "2031-03-02T02:00:00Z"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	assert.Positive(t, ok)
	assert.LessOrEqual(t, ok, 3, "1000 points cover three redemptions of 300")
	assert.Equal(t, 1000.0-300*float64(ok), pointsOf(t, eng, ctx, m))
}

// TestRetail_PointsExpireAYearAfterTheLastPurchase: a member with points
// who has not bought for 365 days has them written off by the ledger at the
// start of the working day; the sample data's lapsed members too.
func TestRetail_PointsExpireAYearAfterTheLastPurchase(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	eng, ctx, clk := retailShop(t, time.Date(2031, 3, 2, 10, 0, 0, 0, cst))
	m := memberWithPoints(t, eng, ctx, "13900003333", 520)
	_, err := eng.UpdateRecord(ctx, "member", m, map[string]any{"lastPurchaseDate": "2031-03-01"}, nil)
	require.NoError(t, err)
	// 365 days on: 2032 is a leap year.
	clk.Set(time.Date(2032, 2, 29, 8, 59, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 520.0, pointsOf(t, eng, ctx, m), "not yet")
	clk.Set(time.Date(2032, 2, 29, 9, 0, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, pointsOf(t, eng, ctx, m))
	page, err := eng.ListRecords(ctx, "pointsEntry", engine.ListQuery{First: 5, Filter: &store.Filter{Field: "type", Op: store.OpEq, Value: "expire"}})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, -520.0, page.Records[0].Data["points"])
	assert.Contains(t, page.Records[0].Data["note"], "2031-03-01")

	sampled, ctx2 := installed(t, "retail")
	_, err = worker.RunDue(ctx2, sampled.Queues(), worker.Config{})
	require.NoError(t, err)
	n, err := sampled.CountRecords(ctx2, "pointsEntry", &store.Filter{Field: "type", Op: store.OpEq, Value: "expire"})
	require.NoError(t, err)
	assert.Positive(t, n, "sample members who stopped buying lose their points")
}

// TestRetail_CouponLifecycle: an issued coupon becomes 已过期 the day after
// its last valid day, at the start of the working day; an expired or used
// coupon cannot be redeemed or used by an order, nor one past its date,
// nor another member's; an order using a valid coupon redeems it, and no
// second order can use it.
func TestRetail_CouponLifecycle(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	eng, ctx, clk := retailShop(t, time.Date(2031, 3, 1, 10, 0, 0, 0, cst))
	m := memberWithPoints(t, eng, ctx, "13900004444", 100)
	other := memberWithPoints(t, eng, ctx, "13900005555", 100)
	coupon := func(code, until string) string {
		c, err := eng.CreateRecord(ctx, "coupon", map[string]any{"code": code, "member": m, "type": "cash", "faceValue": 20.0, "validUntil": until})
		require.NoError(t, err)
		return c.ID
	}
	status := func(id string) string {
		c, err := eng.GetRecord(ctx, "coupon", id)
		require.NoError(t, err)
		return c.Data["status"].(string)
	}
	lapsing := coupon("CP-LAPSE", "2031-03-10")
	kept := coupon("CP-KEEP", "2031-04-30")
	stale := coupon("CP-STALE", "2031-03-10")

	clk.Set(time.Date(2031, 3, 11, 8, 59, 0, 0, cst))
	_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, "issued", status(lapsing), "valid through its last day")
	// Past its date but not yet marked: still refused.
	_, err = eng.UpdateRecord(ctx, "coupon", stale, map[string]any{"status": "redeemed", "redeemedAt": "2031-03-11T00:59:00Z"}, nil)
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.ErrorContains(t, err, "优惠券已于 2031-03-10 过期，不能核销")
	order := func(member, c string) error {
		_, err := eng.CreateRecord(ctx, "order", map[string]any{"member": member, "channel": "store", "orderedAt": "2031-03-11T01:00:00Z",
			"goodsAmount": 200.0, "discountAmount": 20.0, "coupon": c})
		return err
	}
	err = order(m, stale)
	require.Error(t, err)
	assert.Contains(t, errFields(err), "coupon")
	assert.ErrorContains(t, err, "过期")

	clk.Set(time.Date(2031, 3, 11, 9, 0, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, "expired", status(lapsing))
	assert.Equal(t, "expired", status(stale))
	assert.Equal(t, "issued", status(kept))
	_, err = eng.UpdateRecord(ctx, "coupon", lapsing, map[string]any{"status": "redeemed", "redeemedAt": "2031-03-11T01:00:00Z"}, nil)
	require.Error(t, err, "an expired coupon is not redeemed")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	err = order(m, lapsing)
	require.Error(t, err)
	assert.ErrorContains(t, err, "已过期")

	err = order(other, kept)
	require.Error(t, err)
	assert.ErrorContains(t, err, "属于其他会员")
	require.NoError(t, order(m, kept))
	c, err := eng.GetRecord(ctx, "coupon", kept)
	require.NoError(t, err)
	assert.Equal(t, "redeemed", c.Data["status"], "the order redeemed it")
	assert.NotEmpty(t, c.Data["redeemedAt"])
	err = order(m, kept)
	require.Error(t, err, "a used coupon is not used again")
	assert.Contains(t, []engine.Code{engine.CodeValidation, engine.CodeConflict}, engine.CodeOf(err))

	// The sample data's lapsed coupons expire on the worker's first run.
	sampled, ctx2 := installed(t, "retail")
	lapsed := &store.Filter{And: []store.Filter{{Field: "status", Op: store.OpEq, Value: "issued"}, {Field: "validUntil", Op: store.OpLt, Value: time.Now().Format("2006-01-02")}}}
	n, err := sampled.CountRecords(ctx2, "coupon", lapsed)
	require.NoError(t, err)
	require.Positive(t, n, "sample coupons past their date")
	_, err = worker.RunDue(ctx2, sampled.Queues(), worker.Config{})
	require.NoError(t, err)
	n, err = sampled.CountRecords(ctx2, "coupon", lapsed)
	require.NoError(t, err)
	assert.Zero(t, n)
}

// TestRetail_TierUpAndDown: a member's tier follows what they spent: a
// completed order lifts a member near a threshold over it, its refund
// takes them back; the sample data has members just below a threshold.
func TestRetail_TierUpAndDown(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "retail")
	near := 0
	for _, th := range []float64{2000, 8000, 20000, 50000} {
		n, err := eng.CountRecords(ctx, "member", &store.Filter{And: []store.Filter{
			{Field: "totalSpent", Op: store.OpGte, Value: th * 0.85}, {Field: "totalSpent", Op: store.OpLt, Value: th}}})
		require.NoError(t, err)
		near += int(n)
	}
	assert.Positive(t, near, "sample members within 15% of the next tier")

	m, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "何先生", "mobile": "13900006666"})
	require.NoError(t, err)
	buy := func(paid float64) string {
		o, err := eng.CreateRecord(ctx, "order", map[string]any{"member": m.ID, "channel": "store", "orderedAt": "2031-03-01T02:00:00Z",
			"goodsAmount": paid, "paidAmount": paid, "paymentMethod": "alipay", "status": "completed"})
		require.NoError(t, err)
		return o.ID
	}
	tier := func() string {
		got, err := eng.GetRecord(ctx, "member", m.ID)
		require.NoError(t, err)
		return got.Data["tier"].(string)
	}
	buy(1900)
	assert.Equal(t, "regular", tier())
	big := buy(6500)
	assert.Equal(t, "gold", tier(), "8,400 spent")
	_, err = eng.UpdateRecord(ctx, "order", big, map[string]any{"status": "refunded", "refundReason": "quality"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "regular", tier(), "the refund takes the tier back down")
}

// TestRetail_UpgradeFrom150: a shop on 1.5.0 with a member, an order and
// ledger entries upgrades; the ledger goes on from there, numbered, and
// checked against the balance.
func TestRetail_UpgradeFrom150(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/retail-1.5.0"))
	require.NoError(t, err)
	require.Equal(t, "1.5.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	m := memberWithPoints(t, eng, ctx, "13900007777", 800)
	_, err = eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m, "type": "redeem", "points": -100.0, "occurredAt": "2031-03-02T02:00:00Z"})
	require.NoError(t, err)
	oldCoupon, err := eng.CreateRecord(ctx, "coupon", map[string]any{"code": "CP-OLD", "member": m, "type": "cash", "validUntil": "2020-01-01"})
	require.NoError(t, err)

	tpl, err := install.Template("retail")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	for range 5 {
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	require.Equal(t, 700.0, pointsOf(t, eng, ctx, m))
	e, err := eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m, "type": "redeem", "points": -200.0, "occurredAt": "2031-03-03T02:00:00Z"})
	require.NoError(t, err)
	assert.Equal(t, 1.0, e.Data["seq"], "numbering starts with the first entry after the upgrade")
	_, err = eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m, "type": "redeem", "points": -501.0, "occurredAt": "2031-03-03T02:00:00Z"})
	assert.ErrorContains(t, err, "积分余额不足")
	// The coupon past its date before the upgrade gets no timer (the job
	// schedules moments still ahead), but no order can use it.
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-03T02:00:00Z", "coupon": oldCoupon.ID})
	require.Error(t, err)
	assert.ErrorContains(t, err, "优惠券已于 2020-01-01 过期")
	jobs, err := eng.Jobs(ctx, 20)
	require.NoError(t, err)
	kinds := map[string]string{}
	for _, j := range jobs {
		kinds[j.Kind+" "+j.Object] = j.Status
	}
	assert.Equal(t, "done", kinds["scheduleTimers coupon"])
	assert.Equal(t, "done", kinds["scheduleTimers member"])
	assert.Equal(t, "done", kinds["recomputeFormulas pointsEntry"])
}
