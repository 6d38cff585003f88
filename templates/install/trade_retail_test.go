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
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
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
	assertRefused(t, err, "积分余额不足：可用 700 分，本次 701 分", "Not enough points: 700 available, 701 asked")
	_, err = entry("redeem", 50)
	assertRefused(t, err, "须为负数", "Redeemed and expired points are negative")
	_, err = entry("adjust", -800)
	assertRefused(t, err, "积分余额不足", "Not enough points") // a manual adjustment cannot go below zero either
	_, err = entry("bonus", -5)
	assertRefused(t, err, "须为正数", "Earned and granted points are positive")
	_, err = entry("reversal", 5)
	assertRefused(t, err, "订单冲回须关联订单", "An order reversal names its order")
	_, err = eng.UpdateRecord(ctx, "pointsEntry", first.ID, map[string]any{"points": -3.0}, nil)
	assertRefused(t, err, "不能修改", "cannot be changed once booked")
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
	assertRefused(t, err, "积分余额不足：可用 300 分，本次 600 分", "Not enough points: 300 available, 600 asked") // the ledger's refusal, through the order's script
	after, err := eng.CountRecords(ctx, "order", nil)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the refused order is not there")
	_, err = eng.UpdateRecord(ctx, "order", o.ID, map[string]any{"pointsUsed": 10.0}, nil)
	assertRefused(t, err, "积分抵扣在下单时确定", "Points used are fixed when the order is placed")
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"channel": "store", "orderedAt": "2031-03-02T03:00:00Z", "pointsUsed": 10.0})
	assertRefused(t, err, "只有会员订单", "Only orders of members can use points")

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
	assertRefused(t, err, "优惠券已于 2031-03-10 过期，不能核销", "The coupon expired on 2031-03-10 and cannot be redeemed")
	order := func(member, c string) error {
		_, err := eng.CreateRecord(ctx, "order", map[string]any{"member": member, "channel": "store", "orderedAt": "2031-03-11T01:00:00Z",
			"goodsAmount": 200.0, "discountAmount": 20.0, "coupon": c})
		return err
	}
	err = order(m, stale)
	require.Error(t, err)
	assert.Contains(t, errFields(err), "coupon")
	assertRefused(t, err, "优惠券已于 2031-03-10 过期，不能使用", "The coupon expired on 2031-03-10")

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
	assertRefused(t, err, "优惠券已过期，不能使用", "The coupon is expired and cannot be used")

	err = order(other, kept)
	require.Error(t, err)
	assertRefused(t, err, "属于其他会员", "The coupon belongs to another member")
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
	assertRefused(t, err, "积分余额不足", "Not enough points")
	// The coupon past its date before the upgrade gets no timer (the job
	// schedules moments still ahead), but no order can use it.
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-03T02:00:00Z", "coupon": oldCoupon.ID})
	require.Error(t, err)
	assertRefused(t, err, "优惠券已于 2020-01-01 过期", "The coupon expired on 2020-01-01")
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

// ledgerOf lists the points entries booked for an order, in booking order.
func ledgerOf(t *testing.T, eng *engine.Engine, ctx context.Context, order string) []store.Record {
	t.Helper()
	page, err := eng.ListRecords(ctx, "pointsEntry", engine.ListQuery{First: 20, Filter: &store.Filter{Field: "order", Op: store.OpEq, Value: order},
		Sort: []store.Sort{{Field: "seq"}}})
	require.NoError(t, err)
	return page.Records
}

// TestRetail_CancelledOrderGivesBack: cancelling an order gives its coupon
// back (usable again while within its validity, expired past it) and
// credits the points it redeemed with an order reversal in the ledger; a
// refund of a completed order also takes back the points it earned, as far
// as the balance goes: what the member has already spent is written off,
// never a negative balance. What the engine records on the way cannot be
// set by hand.
func TestRetail_CancelledOrderGivesBack(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	eng, ctx, clk := retailShop(t, time.Date(2031, 3, 2, 10, 0, 0, 0, cst))
	m := memberWithPoints(t, eng, ctx, "13900008888", 1000)
	coupon := func(code, until string) string {
		c, err := eng.CreateRecord(ctx, "coupon", map[string]any{"code": code, "member": m, "type": "cash", "faceValue": 20.0, "validUntil": until})
		require.NoError(t, err)
		return c.ID
	}
	get := func(object, id string) map[string]any {
		r, err := eng.GetRecord(ctx, object, id)
		require.NoError(t, err)
		return r.Data
	}
	order := func(c string, points float64) string {
		o, err := eng.CreateRecord(ctx, "order", map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-02T02:00:00Z",
			"goodsAmount": 300.0, "discountAmount": 20.0, "coupon": c, "pointsUsed": points})
		require.NoError(t, err)
		return o.ID
	}

	kept := coupon("CP-BACK", "2031-04-30")
	o := order(kept, 300)
	assert.Equal(t, "redeemed", get("coupon", kept)["status"])
	assert.Equal(t, 700.0, pointsOf(t, eng, ctx, m))
	_, err := eng.UpdateRecord(ctx, "coupon", kept, map[string]any{"status": "issued"}, nil)
	assertRefused(t, err, "使用，取消或退款该订单后才会退回", "it comes back when that order is cancelled or refunded")

	_, err = eng.UpdateRecord(ctx, "order", o, map[string]any{"status": "cancelled"}, nil)
	require.NoError(t, err)
	c := get("coupon", kept)
	assert.Equal(t, "issued", c["status"], "usable again within its validity")
	assert.Nil(t, c["redeemedAt"])
	got := get("order", o)
	assert.Nil(t, got["coupon"], "the order lets go of the coupon")
	assert.Equal(t, kept, got["returnedCoupon"])
	assert.Nil(t, got["pointsTakenBack"], "a cancelled order had earned nothing")
	assert.Equal(t, 1000.0, pointsOf(t, eng, ctx, m))
	entries := ledgerOf(t, eng, ctx, o)
	require.Len(t, entries, 2)
	assert.Equal(t, []any{"redeem", -300.0, 700.0}, []any{entries[0].Data["type"], entries[0].Data["points"], entries[0].Data["balance"]})
	assert.Equal(t, []any{"reversal", 300.0, 1000.0}, []any{entries[1].Data["type"], entries[1].Data["points"], entries[1].Data["balance"]})
	again := order(kept, 0)
	assert.Equal(t, "redeemed", get("coupon", kept)["status"], "another order uses it")
	_, err = eng.UpdateRecord(ctx, "order", again, map[string]any{"returnedCoupon": kept}, nil)
	assertRefused(t, err, "退回的优惠券在订单取消或退款时自动记录", "The returned coupon is recorded when the order is cancelled or refunded")

	// Past its validity when the order is cancelled, the coupon expires.
	short := coupon("CP-SHORT", "2031-03-05")
	late := order(short, 0)
	clk.Set(time.Date(2031, 3, 6, 8, 0, 0, 0, cst))
	_, err = eng.UpdateRecord(ctx, "order", late, map[string]any{"status": "cancelled"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "expired", get("coupon", short)["status"])
	_, err = eng.UpdateRecord(ctx, "order", late, map[string]any{"coupon": kept}, nil)
	assertRefused(t, err, "已取消或已退款的订单不能使用优惠券", "A cancelled or refunded order cannot use a coupon")

	// A refunded completed order gives back what it used and takes back
	// what it earned.
	n, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "周先生", "mobile": "13900009999"})
	require.NoError(t, err)
	buy := func(paid, points float64) string {
		o, err := eng.CreateRecord(ctx, "order", map[string]any{"member": n.ID, "channel": "store", "orderedAt": "2031-03-06T02:00:00Z",
			"goodsAmount": paid, "paidAmount": paid, "pointsUsed": points, "paymentMethod": "wechatPay", "status": "completed"})
		require.NoError(t, err)
		return o.ID
	}
	refund := func(id string) {
		_, err := eng.UpdateRecord(ctx, "order", id, map[string]any{"status": "refunded", "refundReason": "quality"}, nil)
		require.NoError(t, err)
	}
	first := buy(500, 0)
	second := buy(800, 200)
	require.Equal(t, 1100.0, pointsOf(t, eng, ctx, n.ID), "500 + 800 earned, 200 used")
	refund(second)
	assert.Equal(t, 500.0, pointsOf(t, eng, ctx, n.ID), "the 200 used come back, the 800 earned go")
	assert.Equal(t, 800.0, get("order", second)["pointsTakenBack"])
	assert.Equal(t, 800.0, get("order", second)["pointsEarned"], "the order still says what it had earned")
	entries = ledgerOf(t, eng, ctx, second)
	require.Len(t, entries, 2, "the redemption, and one reversal for what comes back and what goes")
	assert.Equal(t, []any{"reversal", -600.0, 500.0}, []any{entries[1].Data["type"], entries[1].Data["points"], entries[1].Data["balance"]})
	assert.Contains(t, entries[1].Data["note"], "返还抵扣积分 200 分；扣回获得积分 800 分")
	member := get("member", n.ID)
	assert.Equal(t, 500.0, member["lifetimePoints"], "completed orders only")
	assert.Equal(t, 800.0, member["refundedOrderPoints"])

	// Points already spent are written off, not owed.
	_, err = eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": n.ID, "type": "redeem", "points": -400.0, "occurredAt": "2031-03-06T03:00:00Z"})
	require.NoError(t, err)
	refund(first)
	assert.Zero(t, pointsOf(t, eng, ctx, n.ID))
	assert.Equal(t, 100.0, get("order", first)["pointsTakenBack"], "the 100 left of 500")
	entries = ledgerOf(t, eng, ctx, first)
	require.Len(t, entries, 1)
	assert.Equal(t, -100.0, entries[0].Data["points"])
	assert.Contains(t, entries[0].Data["note"], "扣回获得积分 100 分（应扣 500 分，其余 400 分已被使用，不再追回）")
	buy(60, 0)
	assert.Equal(t, 60.0, pointsOf(t, eng, ctx, n.ID), "no hidden debt eats the next earnings")
	_, err = eng.UpdateRecord(ctx, "order", first, map[string]any{"pointsTakenBack": 500.0}, nil)
	assertRefused(t, err, "扣回积分在已完成订单退款时自动记录", "Points taken back are recorded when a completed order is refunded")
	_, err = eng.UpdateRecord(ctx, "order", first, map[string]any{"pointsTakenBack": nil}, nil)
	assertRefused(t, err, "扣回积分在已完成订单退款时自动记录", "Points taken back are recorded when a completed order is refunded")
}

// TestRetail_SampleRefundGivesBack: refunding one of the sample data's
// completed orders that used a coupon (one past its validity) gives the
// coupon back as expired and takes back the points it earned without the
// member's balance going below zero.
func TestRetail_SampleRefundGivesBack(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "retail")
	orders := sampleRecords(t, eng, ctx, "order", store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, "completed"),
		store.Leaf("coupon", store.OpIsNull, false), store.Leaf("member", store.OpIsNull, false)}})
	require.NotEmpty(t, orders, "sample orders that used a coupon")
	o := orders[0]
	couponID := o.Data["coupon"].(string)
	member := o.Data["member"].(string)
	before := pointsOf(t, eng, ctx, member)
	earned := o.Data["pointsEarned"].(float64)
	require.Positive(t, earned)
	_, err := eng.UpdateRecord(ctx, "order", o.ID, map[string]any{"status": "refunded", "refundReason": "size"}, nil)
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "order", o.ID)
	require.NoError(t, err)
	assert.Equal(t, couponID, got.Data["returnedCoupon"])
	c, err := eng.GetRecord(ctx, "coupon", couponID)
	require.NoError(t, err)
	assert.Equal(t, "expired", c.Data["status"], "the sample's used coupons are past their dates")
	taken := got.Data["pointsTakenBack"].(float64)
	assert.Equal(t, min(earned, before), taken)
	assert.Equal(t, before-taken, pointsOf(t, eng, ctx, member))
}

// TestRetail_UpgradeFrom160: a shop on 1.6.0 with a refund made before
// the upgrade upgrades without a member's balance moving (the refunded
// order's points were simply dropped then, and are not counted again); an
// order placed before the upgrade and refunded after it gives back its
// coupon and takes back its points through the ledger.
func TestRetail_UpgradeFrom160(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/retail-1.6.0"))
	require.NoError(t, err)
	require.Equal(t, "1.6.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	m := memberWithPoints(t, eng, ctx, "13900001234", 900)
	gone, err := eng.CreateRecord(ctx, "order", map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-01T03:00:00Z",
		"goodsAmount": 400.0, "paidAmount": 400.0, "paymentMethod": "alipay", "status": "completed"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "order", gone.ID, map[string]any{"status": "refunded", "refundReason": "size"}, nil)
	require.NoError(t, err)
	c, err := eng.CreateRecord(ctx, "coupon", map[string]any{"code": "CP-UP", "member": m, "type": "cash", "faceValue": 20.0, "validUntil": "2099-12-31"})
	require.NoError(t, err)
	kept, err := eng.CreateRecord(ctx, "order", map[string]any{"member": m, "channel": "store", "orderedAt": "2031-03-02T03:00:00Z",
		"goodsAmount": 300.0, "discountAmount": 20.0, "paidAmount": 280.0, "paymentMethod": "alipay", "coupon": c.ID, "pointsUsed": 100.0, "status": "completed"})
	require.NoError(t, err)
	require.Equal(t, 1080.0, pointsOf(t, eng, ctx, m), "900 + 280 earned, 100 used")

	upgradeTo(t, eng, ctx, "retail", "1.7.0")
	assert.Equal(t, 1080.0, pointsOf(t, eng, ctx, m), "the upgrade moves no balance")
	got, err := eng.GetRecord(ctx, "order", gone.ID)
	require.NoError(t, err)
	assert.Zero(t, got.Data["pointsEarned"], "the order refunded before the upgrade stays as it was")

	_, err = eng.UpdateRecord(ctx, "order", kept.ID, map[string]any{"status": "refunded", "refundReason": "quality"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 900.0, pointsOf(t, eng, ctx, m), "100 used come back, 280 earned go")
	back, err := eng.GetRecord(ctx, "coupon", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "issued", back.Data["status"])
	entries := ledgerOf(t, eng, ctx, kept.ID)
	require.NotEmpty(t, entries)
	last := entries[len(entries)-1]
	assert.Equal(t, []any{"reversal", -180.0}, []any{last.Data["type"], last.Data["points"]})
}

// TestRetail_SampleCouponsAboutToExpire: the sample data has coupons still
// 未使用 whose last valid day is within the next two weeks, for the
// shopping guides to follow up before the expiry rule takes them.
func TestRetail_SampleCouponsAboutToExpire(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "retail")
	today := refDate.Format("2006-01-02") // the sample data's today
	n, err := eng.CountRecords(ctx, "coupon", &store.Filter{And: []store.Filter{{Field: "status", Op: store.OpEq, Value: "issued"},
		{Field: "validUntil", Op: store.OpGte, Value: today}, {Field: "validUntil", Op: store.OpLte, Value: refDate.AddDate(0, 0, 14).Format("2006-01-02")}}})
	require.NoError(t, err)
	assert.Positive(t, n)
}
