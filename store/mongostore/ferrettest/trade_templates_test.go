package ferrettest_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// tradeTenant is a tenant on MongoDB (through FerretDB) with the named
// templates installed, without sample data.
func tradeTenant(t *testing.T, names ...string) (*engine.Engine, context.Context) {
	t.Helper()
	ctx := context.Background()
	// The templates' scripts make many calls, each a round trip to
	// FerretDB: they get a wall time that only a hang reaches, so that a
	// busy machine does not stop them (the sandbox's limits have tests of
	// their own).
	runner, err := scripting.New(scripting.Config{Limits: scripting.Limits{WallTime: time.Minute}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Close() })
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler),
		EncryptionKey: bytes.Repeat([]byte{7}, 32), Scripts: runner})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	admin := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:admin", Admin: true})
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	for _, name := range names {
		tpl, err := install.Template(name)
		require.NoError(t, err)
		_, err = eng.InstallTemplate(admin, tpl, template.InstallOptions{})
		require.NoError(t, err, name)
	}
	return eng, admin
}

// race runs n writes at once and counts the ones that succeed.
func race(n int, write func() error) (ok int, errs []error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := write()
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return ok, errs
}

// TestTradeTemplates_DoubleBookingOnMongo: bookings of one doctor's slot
// at the same moment leave one visit in it on MongoDB too (the unique
// slot, not the script's read, decides).
func TestTradeTemplates_DoubleBookingOnMongo(t *testing.T) {
	t.Parallel()
	eng, ctx := tradeTenant(t, "healthcare")
	doc, err := eng.CreateRecord(ctx, "doctor", map[string]any{"staffNumber": "D0001", "name": "周医生", "department": "orthopedics"})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "赵敏", "gender": "female"})
	require.NoError(t, err)
	ok, errs := race(6, func() error {
		_, err := eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "orthopedics", "type": "outpatient",
			"scheduledAt": "2031-05-05T02:30:00Z"})
		return err
	})
	assert.Equal(t, 1, ok, "%v", errs)
	for _, err := range errs {
		assert.Contains(t, []engine.Code{engine.CodeValidation, engine.CodeConflict}, engine.CodeOf(err), "%v", err)
	}
}

// TestTradeTemplates_PointsRaceOnMongo: concurrent redemptions of one
// member's points never take more than the balance on MongoDB.
func TestTradeTemplates_PointsRaceOnMongo(t *testing.T) {
	t.Parallel()
	eng, ctx := tradeTenant(t, "retail")
	m, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "林女士", "mobile": "13900001111"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"member": m.ID, "channel": "store", "orderedAt": "2031-03-01T02:00:00Z",
		"goodsAmount": 1000.0, "paidAmount": 1000.0, "paymentMethod": "wechatPay", "status": "completed"})
	require.NoError(t, err)
	ok, _ := race(6, func() error {
		_, err := eng.CreateRecord(ctx, "pointsEntry", map[string]any{"member": m.ID, "type": "redeem", "points": -300.0, "occurredAt": "2031-03-02T02:00:00Z"})
		return err
	})
	assert.Positive(t, ok)
	assert.LessOrEqual(t, ok, 3)
	got, err := eng.GetRecord(ctx, "member", m.ID)
	require.NoError(t, err)
	assert.Equal(t, 1000.0-300*float64(ok), got.Data["points"])
}

// TestTradeTemplates_SubscriptionOnMongo: the finance template's
// suitability and recorded-sale checks read the client and product
// through the store port on MongoDB.
func TestTradeTemplates_SubscriptionOnMongo(t *testing.T) {
	t.Parallel()
	eng, ctx := tradeTenant(t, "finance")
	c, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "王磊", "mobile": "13700002222", "riskTolerance": "C2",
		"riskAssessedOn": "2030-01-10", "riskAssessmentExpires": "2031-01-09"})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "product", map[string]any{"code": "R4", "name": "成长一号", "type": "privateFund", "riskLevel": "R4"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "opportunity", map[string]any{"client": c.ID, "product": p.ID, "stage": "subscribed",
		"subscribedAmount": 100000.0, "subscribedOn": "2030-06-02"})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	var zh, en []string
	for _, f := range ve.Fields {
		zh, en = append(zh, f.MessageZh), append(en, f.Message)
	}
	assert.Contains(t, strings.Join(zh, "；"), "双录")
	assert.Contains(t, strings.Join(zh, "；"), "高于客户风险承受能力")
	assert.Contains(t, strings.Join(en, "; "), "The sale must be recorded")
	assert.Contains(t, strings.Join(en, "; "), "is above the client's tolerance")
}

// TestTradeTemplates_RefundGivesBackOnMongo: the retail template's refund
// of a completed order gives back its coupon and books one order reversal
// (points used back, points earned taken back) on MongoDB too.
func TestTradeTemplates_RefundGivesBackOnMongo(t *testing.T) {
	t.Parallel()
	eng, ctx := tradeTenant(t, "retail")
	m, err := eng.CreateRecord(ctx, "member", map[string]any{"name": "林女士", "mobile": "13900002222"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"member": m.ID, "channel": "store", "orderedAt": "2031-03-01T02:00:00Z",
		"goodsAmount": 500.0, "paidAmount": 500.0, "paymentMethod": "wechatPay", "status": "completed"})
	require.NoError(t, err)
	c, err := eng.CreateRecord(ctx, "coupon", map[string]any{"code": "CP-M", "member": m.ID, "type": "cash", "faceValue": 20.0, "validUntil": "2099-12-31"})
	require.NoError(t, err)
	o, err := eng.CreateRecord(ctx, "order", map[string]any{"member": m.ID, "channel": "store", "orderedAt": "2031-03-02T02:00:00Z", "coupon": c.ID,
		"goodsAmount": 320.0, "discountAmount": 20.0, "paidAmount": 300.0, "paymentMethod": "wechatPay", "pointsUsed": 100.0, "status": "completed"})
	require.NoError(t, err)
	points := func() any {
		got, err := eng.GetRecord(ctx, "member", m.ID)
		require.NoError(t, err)
		return got.Data["points"]
	}
	require.Equal(t, 700.0, points())
	_, err = eng.UpdateRecord(ctx, "order", o.ID, map[string]any{"status": "refunded", "refundReason": "quality"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 500.0, points())
	got, err := eng.GetRecord(ctx, "coupon", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "issued", got.Data["status"])
	n, err := eng.CountRecords(ctx, "pointsEntry", &store.Filter{And: []store.Filter{{Field: "order", Op: store.OpEq, Value: o.ID}, {Field: "type", Op: store.OpEq, Value: "reversal"}}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

// TestTradeTemplates_PoolSampleOnMongo: the education template's sample
// data fills its admissions pool and the day's claims on MongoDB too, and
// a claim past the day's ten is refused there.
func TestTradeTemplates_PoolSampleOnMongo(t *testing.T) {
	eng, admin := tradeTenant(t)
	tpl, err := install.Template("education")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(admin, tpl, template.InstallOptions{Sample: install.Sample("education", sample.Options{Records: 150, Seed: 3})})
	require.NoError(t, err)
	pooled, err := eng.ListRecords(admin, "student", engine.ListQuery{First: 100, Filter: &store.Filter{Field: "ownerId", Op: store.OpEq, Value: engine.PoolOwner}})
	require.NoError(t, err)
	require.Greater(t, len(pooled.Records), 2)
	info, err := eng.Pool(admin, "student")
	require.NoError(t, err)
	require.Equal(t, 9, info.ClaimedToday, "the only user claimed nine of the sample's records today")
	res, err := eng.ClaimRecords(admin, "student", []string{pooled.Records[0].ID, pooled.Records[1].ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[1].Err), "the eleventh claim of the day")
}
