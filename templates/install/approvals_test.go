package install_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// people creates users (name → role, manager) in the tenant t1 and
// returns a context acting as each.
func people(t *testing.T, eng *engine.Engine, ctx context.Context, users map[string][2]string) map[string]context.Context {
	t.Helper()
	out := map[string]context.Context{}
	for _, name := range []string{"boss", "mgr", "li", "cc", "sm", "fin"} {
		u, ok := users[name]
		if !ok {
			continue
		}
		_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: name, Password: "a long enough password", Role: u[0], Manager: u[1]})
		require.NoError(t, err, name)
		out[name] = engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + name, Role: u[0]})
	}
	return out
}

func sampleRecords(t *testing.T, eng *engine.Engine, ctx context.Context, object string, f store.Filter) []store.Record {
	t.Helper()
	res, err := eng.ListRecords(ctx, object, engine.ListQuery{Filter: &f, First: 100})
	require.NoError(t, err)
	return res.Records
}

// TestB2BSales_DiscountApproval: the sample quotes carry discounts up to
// 25 %; one over 20 % goes to the submitter's manager and then a sales
// manager before it may be approved, one of at most 10 % is approved at
// once; the approved stage is refused without the approval.
func TestB2BSales_DiscountApproval(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "b2b-sales")
	as := people(t, eng, ctx, map[string][2]string{"mgr": {"salesRep", ""}, "li": {"salesRep", "mgr"}, "sm": {"salesManager", ""}})

	reopenable := store.Leaf("status", store.OpIn, []any{"sent", "rejected", "expired"})
	big := sampleRecords(t, eng, ctx, "quote", store.Filter{And: []store.Filter{store.Leaf("discount", store.OpGt, 20.0), reopenable}})
	require.NotEmpty(t, big, "the sample data has quotes over 20 %")
	small := sampleRecords(t, eng, ctx, "quote", store.Filter{And: []store.Filter{store.Leaf("discount", store.OpLte, 10.0), reopenable}})
	require.NotEmpty(t, small)

	toReview := func(id string) {
		t.Helper()
		_, err := eng.UpdateRecord(as["li"], "quote", id, map[string]any{"status": "draft"}, nil)
		require.NoError(t, err)
		_, err = eng.UpdateRecord(as["li"], "quote", id, map[string]any{"status": "inReview"}, nil)
		require.NoError(t, err)
	}
	q := big[0]
	toReview(q.ID)
	_, err := eng.UpdateRecord(as["li"], "quote", q.ID, map[string]any{"status": "approved"}, nil)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "approved only through the approval")
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "status", ve.Fields[0].Field)
	assert.Equal(t, "进入“已审批”阶段需要通过审批“报价折扣审批”：请提交审批", ve.Fields[0].MessageZh)

	req, err := eng.SubmitForApproval(as["li"], "quote", q.ID, "discount", "客户要求 25% 折扣")
	require.NoError(t, err)
	assert.Equal(t, []string{"user:mgr"}, req.Pending())
	req, err = eng.ApproveRequest(as["mgr"], req.ID, "")
	require.NoError(t, err)
	assert.Equal(t, "salesManager", req.StepName)
	assert.Equal(t, []string{"user:sm"}, req.Pending())
	req, err = eng.ApproveRequest(as["sm"], req.ID, "同意")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	got, err := eng.GetRecord(ctx, "quote", q.ID)
	require.NoError(t, err)
	assert.Equal(t, "approved", got.Data["status"])

	s := small[0]
	toReview(s.ID)
	req, err = eng.SubmitForApproval(as["li"], "quote", s.ID, "discount", "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status, "both steps skipped")
	got, err = eng.GetRecord(ctx, "quote", s.ID)
	require.NoError(t, err)
	assert.Equal(t, "approved", got.Data["status"])

	_, err = eng.SubmitForApproval(as["li"], "quote", big[len(big)-1].ID, "discount", "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "a quote not in review does not meet the entry criteria")
}

// TestChemical_CreditApproval: a contract over its customer's credit limit
// is marked so on save and needs credit control's approval to be signed;
// the approver fills the signing dates first, which they may while it is
// locked. Sample contracts over their limit are marked too.
func TestChemical_CreditApproval(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "chemical")
	as := people(t, eng, ctx, map[string][2]string{"li": {"salesEngineer", ""}, "cc": {"creditControl", ""}})
	over := sampleRecords(t, eng, ctx, "contract", store.Filter{Field: "overCreditLimit", Op: store.OpEq, Value: true})
	assert.NotEmpty(t, over, "some sample contracts exceed their customer's credit limit")

	customers := sampleRecords(t, eng, ctx, "customer", store.Filter{Field: "creditLimit", Op: store.OpGt, Value: 0.0})
	require.NotEmpty(t, customers)
	cust := customers[0]
	limit := cust.Data["creditLimit"].(float64)
	contract, err := eng.CreateRecord(as["li"], "contract", map[string]any{"title": "年度框架合同", "customer": cust.ID, "amount": limit + 1000,
		"quantityTons": 100.0, "paymentTerms": "net30", "status": "review"})
	require.NoError(t, err)
	assert.Equal(t, true, contract.Data["overCreditLimit"])

	req, err := eng.SubmitForApproval(as["li"], "contract", contract.ID, "credit", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"user:cc"}, req.Pending())
	_, err = eng.ApproveRequest(as["cc"], req.ID, "")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "signing needs its dates")
	_, err = eng.UpdateRecord(as["li"], "contract", contract.ID, map[string]any{"signedOn": "2025-07-01"}, nil)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "locked for the submitter")
	_, err = eng.UpdateRecord(as["cc"], "contract", contract.ID, map[string]any{"signedOn": "2025-07-01", "startDate": "2025-07-01", "endDate": "2026-06-30"}, nil)
	require.NoError(t, err, "the approver fills the editable dates")
	req, err = eng.ApproveRequest(as["cc"], req.ID, "额度内分批发货")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	got, err := eng.GetRecord(ctx, "contract", contract.ID)
	require.NoError(t, err)
	assert.Equal(t, "signed", got.Data["status"])

	// The signed contract uses the customer's credit (1.7.0): one within
	// the credit still available is signed at once.
	roomy := sampleRecords(t, eng, ctx, "customer", store.Filter{Field: "availableCredit", Op: store.OpGt, Value: 1000.0})
	require.NotEmpty(t, roomy)
	within, err := eng.CreateRecord(as["li"], "contract", map[string]any{"title": "现货合同", "customer": roomy[0].ID, "amount": math.Floor(roomy[0].Data["availableCredit"].(float64) / 2),
		"quantityTons": 10.0, "paymentTerms": "prepaid", "status": "review", "signedOn": "2025-07-01", "startDate": "2025-07-01", "endDate": "2025-12-31"})
	require.NoError(t, err)
	assert.Equal(t, false, within.Data["overCreditLimit"])
	req, err = eng.SubmitForApproval(as["li"], "contract", within.ID, "credit", "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status, "within the limit: signed at once")
}

// TestRetail_RefundApproval: a refund of a sample order is approved by a
// store manager and, over CNY 2,000 paid, by finance; then the order is
// refunded.
func TestRetail_RefundApproval(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "retail")
	as := people(t, eng, ctx, map[string][2]string{"sm": {"storeManager", ""}, "fin": {"finance", ""}})
	for _, big := range []bool{false, true} {
		op := store.OpLte
		if big {
			op = store.OpGt
		}
		orders := sampleRecords(t, eng, ctx, "order", store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, "completed"), store.Leaf("paidAmount", op, 2000.0)}})
		require.NotEmpty(t, orders, "sample orders over and under CNY 2,000")
		o := orders[0]
		_, err := eng.SubmitForApproval(as["sm"], "order", o.ID, "refund", "")
		assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "a refund needs its reason")
		_, err = eng.UpdateRecord(as["sm"], "order", o.ID, map[string]any{"refundReason": "quality"}, nil)
		require.NoError(t, err)
		_, err = eng.SubmitForApproval(as["sm"], "order", o.ID, "refund", "顾客反馈质量问题")
		assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "the only store manager does not approve their own request")
		assert.Contains(t, engine.PublicMessage(err, "zh"), "没有在职的审批人")
		// An administrator submits for the store manager to decide.
		req, err := eng.SubmitForApproval(ctx, "order", o.ID, "refund", "顾客反馈质量问题")
		require.NoError(t, err)
		req, err = eng.ApproveRequest(as["sm"], req.ID, "")
		require.NoError(t, err)
		if big {
			assert.Equal(t, "finance", req.StepName)
			req, err = eng.ApproveRequest(as["fin"], req.ID, "")
			require.NoError(t, err)
		}
		assert.Equal(t, engine.ApprovalApproved, req.Status)
		got, err := eng.GetRecord(ctx, "order", o.ID)
		require.NoError(t, err)
		assert.Equal(t, "refunded", got.Data["status"])
	}
}
