package install_test

import (
	"context"
	"encoding/json"
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

// Receivables (回款): contracts with payment plans and payments received
// in b2b-sales and chemical. Each template names the contract's customer
// and person responsible its own way.
type receivablesTemplate struct {
	name, customer, owner, customerObject string
}

var receivablesTemplates = []receivablesTemplate{
	{name: "b2b-sales", customer: "account", owner: "owner", customerObject: "account"},
	{name: "chemical", customer: "customer", owner: "salesRep", customerObject: "customer"},
}

var cst = time.FixedZone("CST", 8*3600)

// receivablesTenant is a tenant on a clock the test moves, with the
// administrator and a sales rep, and the template installed (without
// sample data).
func receivablesTenant(t *testing.T, name string, now time.Time) (*engine.Engine, context.Context, *testkit.Clock, *testkit.Tenant) {
	t.Helper()
	clk := testkit.NewClock(now)
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "rep1", DisplayName: "销售小李", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template(name)
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	return eng, ctx, clk, tn
}

// newContract makes a customer and a contract of amount for rep1.
func newContract(t *testing.T, eng *engine.Engine, ctx context.Context, rt receivablesTemplate, customerName string, amount float64) (customerID, contractID string) {
	t.Helper()
	cust, err := eng.CreateRecord(ctx, rt.customerObject, map[string]any{"name": customerName})
	require.NoError(t, err)
	data := map[string]any{rt.customer: cust.ID, "amount": amount, rt.owner: "rep1"}
	if rt.name == "b2b-sales" {
		data["name"] = customerName + " 年度合同"
	} else {
		data["title"] = customerName + " 年度合同"
	}
	c, err := eng.CreateRecord(ctx, "contract", data)
	require.NoError(t, err)
	return cust.ID, c.ID
}

func record(t *testing.T, eng *engine.Engine, ctx context.Context, object, id string) map[string]any {
	t.Helper()
	r, err := eng.GetRecord(ctx, object, id)
	require.NoError(t, err)
	return r.Data
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// A receipt moves its plan's received and outstanding amounts and status,
// and the contract's totals; a receipt above what is outstanding, on the
// plan or on the contract, is refused and changes nothing; plans cannot
// add up to more than the contract, nor the contract drop below them.
func TestReceivables_ReceiptsUpdatePlanAndContract(t *testing.T) {
	t.Parallel()
	for _, rt := range receivablesTemplates {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _, _ := receivablesTenant(t, rt.name, time.Date(2026, 2, 20, 10, 0, 0, 0, cst))
			custID, contractID := newContract(t, eng, ctx, rt, "苏州精研机械有限公司", 100000)

			p1, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-10", "plannedAmount": 30000.0})
			require.NoError(t, err)
			assert.Equal(t, 1.0, p1.Data["instalment"], "numbered in turn")
			assert.Equal(t, custID, p1.Data[rt.customer], "the contract's customer")
			assert.Equal(t, "user:rep1", p1.Data[rt.owner], "the contract's person responsible")
			assert.Equal(t, "unpaid", p1.Data["status"])
			assert.Equal(t, 30000.0, p1.Data["outstandingAmount"])
			p2, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-06-10", "plannedAmount": 70000.0})
			require.NoError(t, err)
			assert.Equal(t, 2.0, p2.Data["instalment"])

			_, err = eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-09-10", "plannedAmount": 0.01})
			require.Error(t, err, "the plans already cover the contract")
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
			assertRefused(t, err, "各期计划回款合计 100000.01 元超出合同金额 100000.00 元", "The instalments add up to 100000.01, more than the contract amount of 100000.00")
			_, err = eng.UpdateRecord(ctx, "contract", contractID, map[string]any{"amount": 90000.0}, nil)
			require.Error(t, err, "the contract cannot go below its plans")
			assert.Contains(t, errFields(err), "amount")
			_, err = eng.UpdateRecord(ctx, "paymentPlan", p2.ID, map[string]any{"plannedAmount": 70000.5}, nil)
			require.Error(t, err, "a plan grown past the contract")
			assertRefused(t, err, "各期计划回款合计 100000.50 元超出合同金额 100000.00 元", "add up to 100000.50, more than the contract amount of 100000.00")

			pay1, err := eng.CreateRecord(ctx, "payment", map[string]any{"contract": contractID, "plan": p1.ID, "paidOn": "2026-03-05", "amount": 10000.0, "method": "bankTransfer"})
			require.NoError(t, err)
			assert.Equal(t, custID, pay1.Data[rt.customer])
			plan := record(t, eng, ctx, "paymentPlan", p1.ID)
			assert.Equal(t, 10000.0, plan["receivedAmount"])
			assert.Equal(t, 20000.0, plan["outstandingAmount"])
			assert.Equal(t, "partial", plan["status"])
			contract := record(t, eng, ctx, "contract", contractID)
			assert.Equal(t, 10000.0, contract["receivedTotal"])
			assert.Equal(t, 90000.0, contract["outstandingAmount"])
			assert.Equal(t, 100000.0, contract["plannedTotal"])
			assert.Equal(t, 0.0, contract["unplannedAmount"])
			assert.Equal(t, 10.0, contract["collectionRate"])

			// Overpaying the plan is refused, and nothing changes.
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": p1.ID, "paidOn": "2026-03-06", "amount": 20000.01, "method": "bankTransfer"})
			require.Error(t, err)
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
			assertRefused(t, err, "回款金额 20000.01 元超出第 1 期未回款金额 20000.00 元", "The receipt of 20000.01 is more than the 20000.00 outstanding on instalment 1")
			// Overpaying the contract, without a plan, is refused too.
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"contract": contractID, "paidOn": "2026-03-06", "amount": 90000.01, "method": "cash"})
			require.Error(t, err)
			assertRefused(t, err, "回款金额 90000.01 元超出合同未回款金额 90000.00 元", "The receipt of 90000.01 is more than the 90000.00 outstanding on the contract")
			_, err = eng.UpdateRecord(ctx, "payment", pay1.ID, map[string]any{"amount": 30000.01}, nil)
			require.Error(t, err, "an edited receipt is held to the same limit")
			assertRefused(t, err, "超出第 1 期未回款金额 30000.00 元", "more than the 30000.00 outstanding on instalment 1")
			n, err := eng.CountRecords(ctx, "payment", nil)
			require.NoError(t, err)
			assert.EqualValues(t, 1, n, "nothing was recorded")
			assert.Equal(t, 10000.0, record(t, eng, ctx, "contract", contractID)["receivedTotal"])

			// The plan names its contract: a receipt given only the plan
			// belongs to the plan's contract.
			pay2, err := eng.CreateRecord(ctx, "payment", map[string]any{"plan": p1.ID, "paidOn": "2026-03-08", "amount": 20000.0, "method": "acceptanceBill"})
			require.NoError(t, err)
			assert.Equal(t, contractID, pay2.Data["contract"])
			plan = record(t, eng, ctx, "paymentPlan", p1.ID)
			assert.Equal(t, "paid", plan["status"])
			assert.Equal(t, 0.0, plan["outstandingAmount"])
			_, err = eng.UpdateRecord(ctx, "paymentPlan", p1.ID, map[string]any{"plannedAmount": 25000.0}, nil)
			require.Error(t, err, "a plan cannot go below what it received")
			assertRefused(t, err, "计划金额不能低于已回款金额 30000.00 元", "The planned amount cannot be below the 30000.00 received")

			// Correcting a receipt moves the plan back.
			_, err = eng.UpdateRecord(ctx, "payment", pay2.ID, map[string]any{"amount": 15000.0}, nil)
			require.NoError(t, err)
			plan = record(t, eng, ctx, "paymentPlan", p1.ID)
			assert.Equal(t, "partial", plan["status"])
			assert.Equal(t, 5000.0, plan["outstandingAmount"])
			require.NoError(t, eng.DeleteRecord(ctx, "payment", pay2.ID))
			require.NoError(t, eng.DeleteRecord(ctx, "payment", pay1.ID))
			plan = record(t, eng, ctx, "paymentPlan", p1.ID)
			assert.Equal(t, "unpaid", plan["status"])
			assert.Equal(t, 30000.0, plan["outstandingAmount"])
			assert.Equal(t, 0.0, num(record(t, eng, ctx, "contract", contractID)["receivedTotal"]))

			// A plan of another contract cannot take this contract's receipt.
			_, other := newContract(t, eng, ctx, rt, "宁波海曙贸易有限公司", 5000)
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"contract": other, "plan": p1.ID, "paidOn": "2026-03-08", "amount": 100.0, "method": "cash"})
			require.Error(t, err)
			assert.Contains(t, errFields(err), "plan")
			assertRefused(t, err, "该回款计划不属于所选合同", "The plan belongs to another contract")
			// A plan that received money stays with its contract.
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": p1.ID, "paidOn": "2026-03-09", "amount": 100.0, "method": "cash"})
			require.NoError(t, err)
			_, err = eng.UpdateRecord(ctx, "paymentPlan", p1.ID, map[string]any{"contract": other}, nil)
			assertRefused(t, err, "已有回款的计划不能改挂到其他合同", "A plan with receipts cannot move to another contract")
			// A contract without an amount takes neither plans nor receipts.
			unpriced := map[string]any{rt.customer: custID}
			if rt.name == "b2b-sales" {
				unpriced["name"] = "待定金额合同"
			} else {
				unpriced["title"] = "待定金额合同"
			}
			noAmount, err := eng.CreateRecord(ctx, "contract", unpriced)
			require.NoError(t, err)
			_, err = eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": noAmount.ID, "plannedDate": "2026-09-10", "plannedAmount": 10.0})
			assertRefused(t, err, "合同尚未填写金额，不能制定回款计划", "The contract has no amount yet: plan its payments once it has one")
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"contract": noAmount.ID, "paidOn": "2026-03-08", "amount": 10.0, "method": "cash"})
			assertRefused(t, err, "合同尚未填写金额，不能登记回款", "The contract has no amount yet: receipts need one")
			// A receipt must be more than zero.
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"contract": contractID, "paidOn": "2026-03-08", "amount": 0.0, "method": "cash"})
			require.Error(t, err)
			assert.Contains(t, errFields(err), "amount")

			// The contract's person responsible changes: its plans follow.
			_, err = eng.UpdateRecord(ctx, "contract", contractID, map[string]any{rt.owner: "admin"}, nil)
			require.NoError(t, err)
			assert.Equal(t, "user:admin", record(t, eng, ctx, "paymentPlan", p2.ID)[rt.owner])
		})
	}
}

// The reminder three days before the planned date, and the overdue mark
// and notice the morning after it, reach the contract's person
// responsible at the start of the working day (09:00 Shanghai); a plan
// paid in time gets neither. "Due this month" turns on at the start of
// the planned date's month and off at the start of the next.
func TestReceivables_OverdueTimerMarksAndNotifies(t *testing.T) {
	t.Parallel()
	for _, rt := range receivablesTemplates {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, clk, tn := receivablesTenant(t, rt.name, time.Date(2026, 2, 20, 10, 0, 0, 0, cst))
			_, contractID := newContract(t, eng, ctx, rt, "常州恒力精密机械有限公司", 100000)
			late, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-10", "plannedAmount": 30000.0})
			require.NoError(t, err)
			paid, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-10", "plannedAmount": 20000.0})
			require.NoError(t, err)
			assert.Equal(t, false, late.Data["dueThisMonth"])
			assert.Equal(t, "2026-03-01", late.Data["monthStartsOn"])
			assert.Equal(t, "2026-04-01", late.Data["monthEndsOn"])

			run := func(at time.Time) int {
				t.Helper()
				clk.Set(at)
				stats, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
				require.NoError(t, err)
				return stats.Timers
			}
			notices := func() []engine.Notification {
				t.Helper()
				notes, err := eng.Notifications(ctx, "rep1", 20)
				require.NoError(t, err)
				return notes
			}

			run(time.Date(2026, 3, 1, 9, 0, 0, 0, cst))
			assert.Equal(t, true, record(t, eng, ctx, "paymentPlan", late.ID)["dueThisMonth"], "the planned date's month started")
			due, err := eng.ListRecords(ctx, "paymentPlan", engine.ListQuery{View: "dueThisMonth", WithTotal: true})
			require.NoError(t, err)
			assert.EqualValues(t, 2, due.Total, "本月待回款")

			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": paid.ID, "paidOn": "2026-03-02", "amount": 20000.0, "method": "bankTransfer"})
			require.NoError(t, err)
			due, err = eng.ListRecords(ctx, "paymentPlan", engine.ListQuery{View: "dueThisMonth", WithTotal: true})
			require.NoError(t, err)
			assert.EqualValues(t, 1, due.Total, "a paid plan leaves 本月待回款")

			assert.Zero(t, run(time.Date(2026, 3, 7, 8, 59, 0, 0, cst)), "not before the working day starts")
			run(time.Date(2026, 3, 7, 9, 0, 0, 0, cst))
			notes := notices()
			require.Len(t, notes, 1, "three days before: only the unpaid plan")
			assert.Equal(t, late.ID, notes[0].RecordID)
			assert.Contains(t, notes[0].Message.Zh, "将于 2026-03-10 到期")

			run(time.Date(2026, 3, 10, 18, 0, 0, 0, cst))
			assert.Equal(t, "unpaid", record(t, eng, ctx, "paymentPlan", late.ID)["status"], "due today is not overdue yet")
			assert.Zero(t, run(time.Date(2026, 3, 11, 8, 59, 0, 0, cst)))
			run(time.Date(2026, 3, 11, 9, 0, 0, 0, cst))
			plan := record(t, eng, ctx, "paymentPlan", late.ID)
			assert.Equal(t, "overdue", plan["status"])
			assert.Equal(t, true, plan["pastDue"])
			assert.Equal(t, "paid", record(t, eng, ctx, "paymentPlan", paid.ID)["status"])
			notes = notices()
			require.Len(t, notes, 2, "the overdue notice, for the unpaid plan only")
			assert.Equal(t, late.ID, notes[0].RecordID)
			assert.Contains(t, notes[0].Message.Zh, "回款逾期")
			assert.Equal(t, 30000.0, record(t, eng, ctx, "contract", contractID)["overdueAmount"])
			overdue, err := eng.ListRecords(ctx, "paymentPlan", engine.ListQuery{View: "overdue", WithTotal: true})
			require.NoError(t, err)
			assert.EqualValues(t, 1, overdue.Total, "逾期回款")

			// Partly paid stays overdue; paid in full it is paid.
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": late.ID, "paidOn": "2026-03-12", "amount": 10000.0, "method": "bankTransfer"})
			require.NoError(t, err)
			assert.Equal(t, "overdue", record(t, eng, ctx, "paymentPlan", late.ID)["status"])
			assert.Equal(t, 20000.0, record(t, eng, ctx, "contract", contractID)["overdueAmount"])
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": late.ID, "paidOn": "2026-03-13", "amount": 20000.0, "method": "bankTransfer"})
			require.NoError(t, err)
			assert.Equal(t, "paid", record(t, eng, ctx, "paymentPlan", late.ID)["status"])
			assert.Equal(t, 0.0, num(record(t, eng, ctx, "contract", contractID)["overdueAmount"]))

			// Moved to a later date, an overdue plan is due again.
			again, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-01", "plannedAmount": 1000.0})
			require.NoError(t, err)
			assert.Equal(t, "overdue", again.Data["status"], "planned in the past and unpaid")
			again, err = eng.UpdateRecord(ctx, "paymentPlan", again.ID, map[string]any{"plannedDate": "2026-05-20"}, nil)
			require.NoError(t, err)
			assert.Equal(t, "unpaid", again.Data["status"])

			run(time.Date(2026, 4, 1, 9, 0, 0, 0, cst))
			assert.Equal(t, false, record(t, eng, ctx, "paymentPlan", paid.ID)["dueThisMonth"], "March is over")

			// A plan written after its date is overdue at once; its notice
			// goes out on the worker's next pass, once.
			before := len(notices())
			past, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-20", "plannedAmount": 500.0})
			require.NoError(t, err)
			assert.Equal(t, "overdue", past.Data["status"])
			run(time.Date(2026, 4, 1, 10, 0, 0, 0, cst))
			run(time.Date(2026, 4, 2, 10, 0, 0, 0, cst))
			notes = notices()
			require.Len(t, notes, before+1)
			assert.Equal(t, past.ID, notes[0].RecordID)
			assert.Contains(t, notes[0].Message.Zh, "回款逾期")
		})
	}
}

// The receivables report adds planned, received and outstanding amounts
// per customer and month; the overdue report per customer.
func TestReceivables_ReportSums(t *testing.T) {
	t.Parallel()
	for _, rt := range receivablesTemplates {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _, _ := receivablesTenant(t, rt.name, time.Date(2026, 4, 15, 10, 0, 0, 0, cst))
			custA, contractA := newContract(t, eng, ctx, rt, "杭州云帆科技有限公司", 500000)
			custB, contractB := newContract(t, eng, ctx, rt, "无锡新材料股份有限公司", 80000)
			plan := func(contract, date string, amount float64) string {
				p, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contract, "plannedDate": date, "plannedAmount": amount})
				require.NoError(t, err)
				return p.ID
			}
			pay := func(planID string, amount float64) {
				_, err := eng.CreateRecord(ctx, "payment", map[string]any{"plan": planID, "paidOn": "2026-04-01", "amount": amount, "method": "bankTransfer"})
				require.NoError(t, err)
			}
			a1 := plan(contractA, "2026-03-05", 150000.10)
			a2 := plan(contractA, "2026-03-25", 100000.20)
			plan(contractA, "2026-05-10", 249999.70)
			b1 := plan(contractB, "2026-03-15", 80000)
			pay(a1, 150000.10)
			pay(a2, 40000.05)
			pay(b1, 0.3)

			res, err := eng.RunReport(ctx, "receivablesByCustomerMonth", nil)
			require.NoError(t, err)
			type sums struct{ planned, received, outstanding float64 }
			got := map[[2]string]sums{}
			for _, row := range res.Rows {
				cust, _ := row.Keys[0].Value.(string)
				month, _ := row.Keys[1].Value.(string)
				got[[2]string{cust, month[:7]}] = sums{num(row.Values[0]), num(row.Values[1]), num(row.Values[2])}
			}
			near := func(want, have sums, what string) {
				assert.InDelta(t, want.planned, have.planned, 1e-6, what)
				assert.InDelta(t, want.received, have.received, 1e-6, what)
				assert.InDelta(t, want.outstanding, have.outstanding, 1e-6, what)
			}
			require.Len(t, got, 3)
			near(sums{250000.30, 190000.15, 60000.15}, got[[2]string{custA, "2026-03"}], "A in March")
			near(sums{249999.70, 0, 249999.70}, got[[2]string{custA, "2026-05"}], "A in May")
			near(sums{80000, 0.3, 79999.7}, got[[2]string{custB, "2026-03"}], "B in March")

			res, err = eng.RunReport(ctx, "overduePlans", nil)
			require.NoError(t, err)
			overdue := map[string]float64{}
			for _, row := range res.Rows {
				cust, _ := row.Keys[0].Value.(string)
				overdue[cust] = num(row.Values[0])
			}
			assert.InDelta(t, 60000.15, overdue[custA], 1e-6)
			assert.InDelta(t, 79999.7, overdue[custB], 1e-6)
			res, err = eng.RunReport(ctx, "overdueTotal", nil)
			require.NoError(t, err)
			require.Len(t, res.Rows, 1)
			assert.InDelta(t, 139999.85, num(res.Rows[0].Values[0]), 1e-6)
		})
	}
}

// The sample data has contracts with plans paid in full, partly paid,
// overdue and due in the coming days; every plan's received amount and
// status agree with its receipts and date, every contract's totals with
// its plans and receipts.
func TestReceivables_SampleData(t *testing.T) {
	t.Parallel()
	for _, rt := range receivablesTemplates {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			clk := testkit.NewClock(refDate.Add(10 * time.Hour))
			tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
			eng, ctx := tn.Engine, tn.Admin
			_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
			require.NoError(t, err)
			tpl, err := install.Template(rt.name)
			require.NoError(t, err)
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(rt.name, sample.Options{Records: 1500, Seed: 3, Now: refDate})})
			require.NoError(t, err)
			today := refDate.In(cst).Format("2006-01-02")
			week := refDate.In(cst).AddDate(0, 0, 7).Format("2006-01-02")

			received := map[string]float64{}
			contractReceived := map[string]float64{}
			for _, p := range all(t, eng, ctx, "payment") {
				if id, _ := p.Data["plan"].(string); id != "" {
					received[id] += num(p.Data["amount"])
				}
				contractReceived[p.Data["contract"].(string)] += num(p.Data["amount"])
			}
			terminated := map[string]bool{}
			for _, c := range all(t, eng, ctx, "contract") {
				terminated[c.ID] = c.Data["status"] == "terminated"
			}
			statuses := map[string]int{}
			planned := map[string]float64{}
			dueThisWeek := 0
			for _, p := range all(t, eng, ctx, "paymentPlan") {
				d := p.Data
				amount, got := num(d["plannedAmount"]), received[p.ID]
				ended := terminated[d["contract"].(string)]
				assert.InDelta(t, got, num(d["receivedAmount"]), 1e-6, "plan %s received", p.ID)
				open := amount - got
				if ended {
					assert.InDelta(t, open, num(d["writtenOffAmount"]), 1e-6, "a terminated contract's plan writes off what it did not receive")
					open = 0
				}
				assert.InDelta(t, open, num(d["outstandingAmount"]), 1e-6)
				assert.Equal(t, ended, d["contractEnded"] == true)
				date := d["plannedDate"].(string)
				want := "unpaid"
				switch {
				case got >= amount:
					want = "paid"
				case ended:
					want = "cancelled"
				case date < today:
					want = "overdue"
				case got > 0:
					want = "partial"
				}
				assert.Equal(t, want, d["status"], "plan %s: %v planned on %s, %v received", p.ID, amount, date, got)
				statuses[want]++
				planned[d["contract"].(string)] += amount
				if (want == "unpaid" || want == "partial") && date >= today && date <= week {
					dueThisWeek++
				}
			}
			t.Logf("%s plans: %v, %d due within a week", rt.name, statuses, dueThisWeek)
			for _, s := range []string{"paid", "partial", "overdue", "unpaid", "cancelled"} {
				assert.Positive(t, statuses[s], "sample plans %s", s)
			}
			assert.Positive(t, dueThisWeek, "sample plans due within the week")
			for _, c := range all(t, eng, ctx, "contract") {
				if planned[c.ID] == 0 {
					continue
				}
				assert.InDelta(t, planned[c.ID], num(c.Data["plannedTotal"]), 1e-6)
				assert.InDelta(t, contractReceived[c.ID], num(c.Data["receivedTotal"]), 1e-6)
				assert.LessOrEqual(t, planned[c.ID], num(c.Data["amount"])+1e-6, "plans within the contract")
			}
			overdue, err := eng.ListRecords(ctx, "paymentPlan", engine.ListQuery{View: "overdue", WithTotal: true})
			require.NoError(t, err)
			assert.EqualValues(t, statuses["overdue"], overdue.Total)
		})
	}
}

func all(t *testing.T, eng *engine.Engine, ctx context.Context, object string) []store.Record {
	t.Helper()
	var out []store.Record
	q := engine.ListQuery{First: 100}
	for {
		page, err := eng.ListRecords(ctx, object, q)
		require.NoError(t, err)
		out = append(out, page.Records...)
		if !page.HasNextPage {
			return out
		}
		q.After = page.EndCursor
	}
}

// Upgrading from the version before receivables, installed with its
// sample data, adds the contract, plan and receipt objects (b2b-sales) or
// the plans, receipts and the contract's totals (chemical) and keeps
// every record; the new behaviour works on the upgraded tenant.
func TestReceivables_UpgradeFromPreviousVersion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rt  receivablesTemplate
		old string
	}{{receivablesTemplates[0], "b2b-sales-1.5.0"}, {receivablesTemplates[1], "chemical-1.6.0"},
		{receivablesTemplates[0], "b2b-sales-1.6.0"}, {receivablesTemplates[1], "chemical-1.8.0"}} {
		t.Run(c.old, func(t *testing.T) {
			t.Parallel()
			clk := testkit.NewClock(refDate.Add(10 * time.Hour))
			tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
			eng, ctx := tn.Engine, tn.Admin
			_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
			require.NoError(t, err)
			_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "rep1", DisplayName: "销售小李", Password: "correct horse battery"})
			require.NoError(t, err)
			old, err := install.FromFS(os.DirFS("testdata/" + c.old))
			require.NoError(t, err)
			_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{Sample: oldSample(old, install.Sample(c.rt.name, sample.Options{Records: 400, Seed: 4, Now: refDate}))})
			require.NoError(t, err)
			before := map[string]int64{}
			for _, name := range []string{"contract", "order", "customer", "account", "delivery", "opportunity"} {
				if !hasObject(old, name) {
					continue
				}
				n, err := eng.CountRecords(ctx, name, nil)
				require.NoError(t, err)
				before[name] = n
			}
			require.Positive(t, before["contract"]+before["order"])

			tpl, err := install.Template(c.rt.name)
			require.NoError(t, err)
			plan, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{DryRun: true})
			require.NoError(t, err)
			assert.Empty(t, plan.Conflicts)
			res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
			require.NoError(t, err)
			assert.Empty(t, res.Conflicts)
			for name, n := range before {
				got, err := eng.CountRecords(ctx, name, nil)
				require.NoError(t, err)
				assert.Equal(t, n, got, "%s records kept", name)
			}

			// The upgraded tenant plans and collects.
			_, contractID := newContract(t, eng, ctx, c.rt, "上海浦江化工有限公司", 10000)
			p, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2025-07-31", "plannedAmount": 10000.0})
			require.NoError(t, err)
			_, err = eng.CreateRecord(ctx, "payment", map[string]any{"plan": p.ID, "paidOn": "2025-07-01", "amount": 4000.0, "method": "bankTransfer"})
			require.NoError(t, err)
			assert.Equal(t, "partial", record(t, eng, ctx, "paymentPlan", p.ID)["status"])
			assert.Equal(t, 6000.0, record(t, eng, ctx, "contract", contractID)["outstandingAmount"])
			reports, err := eng.Reports(ctx, "paymentPlan")
			require.NoError(t, err)
			assert.Len(t, reports, 3, "the receivables reports arrived")

			// Terminating the contract cancels its plan (1.7.0 / 1.9.0).
			_, err = eng.UpdateRecord(ctx, "contract", contractID, map[string]any{"status": "terminated", "terminationReason": "客户停产"}, nil)
			require.NoError(t, err)
			got := record(t, eng, ctx, "paymentPlan", p.ID)
			assert.Equal(t, "cancelled", got["status"])
			assert.Equal(t, 6000.0, got["writtenOffAmount"])
		})
	}
}

// oldSample is today's sample data cut to what an older version of the
// template has: records of its objects, with the fields it has.
func oldSample(old *template.Template, sd *template.SampleData) *template.SampleData {
	fields := map[string]map[string]bool{}
	for _, def := range old.Objects {
		var doc struct {
			ID         string                     `json:"$id"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if json.Unmarshal(def, &doc) == nil {
			fields[doc.ID] = map[string]bool{}
			for k := range doc.Properties {
				fields[doc.ID][k] = true
			}
		}
	}
	generate := sd.Generate
	sd.Generate = func(ctx context.Context, emit func(template.SampleRecord) error) error {
		return generate(ctx, func(r template.SampleRecord) error {
			have, ok := fields[r.Object]
			if !ok {
				return nil
			}
			r.Owner, r.ClaimedAt = "", time.Time{} // no pool before b2b-sales 1.7.0
			for k := range r.Data {
				if !have[k] {
					delete(r.Data, k)
				}
			}
			return emit(r)
		})
	}
	return sd
}

func hasObject(tpl *template.Template, name string) bool {
	for _, def := range tpl.Objects {
		var doc struct {
			ID string `json:"$id"`
		}
		if json.Unmarshal(def, &doc) == nil && doc.ID == name {
			return true
		}
	}
	return false
}

// A terminated contract's payment plans are no longer due: those not
// paid in full are cancelled (合同终止), leave 本月待回款, and neither the
// reminder three days before nor the overdue mark and notice the morning
// after go out for them, while a running contract's plans still remind.
// What they did not receive is written off: the receivables report
// counts it as written off, not outstanding, and the overdue reports
// leave it out. A plan added to a terminated contract is cancelled at
// once; a late receipt against a cancelled plan still counts.
func TestReceivables_TerminatedContractStopsReminding(t *testing.T) {
	t.Parallel()
	for _, rt := range receivablesTemplates {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, clk, tn := receivablesTenant(t, rt.name, time.Date(2026, 2, 20, 10, 0, 0, 0, cst))
			custID, contractID := newContract(t, eng, ctx, rt, "温州瓯江电气有限公司", 100000)
			_, runningID := newContract(t, eng, ctx, rt, "台州椒江阀门有限公司", 10000)
			plan := func(contract, date string, amount float64) string {
				t.Helper()
				p, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contract, "plannedDate": date, "plannedAmount": amount})
				require.NoError(t, err)
				return p.ID
			}
			pay := func(planID, on string, amount float64) {
				t.Helper()
				_, err := eng.CreateRecord(ctx, "payment", map[string]any{"plan": planID, "paidOn": on, "amount": amount, "method": "bankTransfer"})
				require.NoError(t, err)
			}
			run := func(at time.Time) {
				t.Helper()
				clk.Set(at)
				_, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
				require.NoError(t, err)
			}
			notified := func() map[string][]string {
				t.Helper()
				notes, err := eng.Notifications(ctx, "rep1", 50)
				require.NoError(t, err)
				out := map[string][]string{}
				for _, n := range notes {
					out[n.RecordID] = append(out[n.RecordID], n.Message.Zh)
				}
				return out
			}
			partly := plan(contractID, "2026-03-10", 30000)
			paid := plan(contractID, "2026-03-10", 20000)
			later := plan(contractID, "2026-06-10", 49900)
			running := plan(runningID, "2026-03-10", 10000)
			pay(partly, "2026-02-25", 10000)
			pay(paid, "2026-02-26", 20000)
			run(time.Date(2026, 3, 1, 9, 0, 0, 0, cst))
			assert.Equal(t, true, record(t, eng, ctx, "paymentPlan", partly)["dueThisMonth"])

			_, err := eng.UpdateRecord(ctx, "contract", contractID, map[string]any{"status": "terminated", "terminationReason": "客户停产，双方协商解除"}, nil)
			require.NoError(t, err)
			p := record(t, eng, ctx, "paymentPlan", partly)
			assert.Equal(t, "cancelled", p["status"])
			assert.Equal(t, true, p["contractEnded"])
			assert.Equal(t, false, p["dueThisMonth"], "no longer due this month")
			assert.Equal(t, 0.0, p["outstandingAmount"])
			assert.Equal(t, 20000.0, p["writtenOffAmount"])
			assert.Equal(t, "paid", record(t, eng, ctx, "paymentPlan", paid)["status"], "a plan paid in full stays paid")
			assert.Equal(t, 0.0, num(record(t, eng, ctx, "paymentPlan", paid)["writtenOffAmount"]))
			assert.Equal(t, "cancelled", record(t, eng, ctx, "paymentPlan", later)["status"])
			contract := record(t, eng, ctx, "contract", contractID)
			assert.Equal(t, 0.0, num(contract["outstandingAmount"]), "nothing more is expected of a terminated contract")
			assert.Equal(t, 30000.0, contract["receivedTotal"])
			due, err := eng.ListRecords(ctx, "paymentPlan", engine.ListQuery{View: "dueThisMonth", WithTotal: true})
			require.NoError(t, err)
			require.EqualValues(t, 1, due.Total, "only the running contract's plan is due this month")
			assert.Equal(t, running, due.Records[0].ID)

			// A plan added afterwards is born cancelled.
			extra, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-03-12", "plannedAmount": 100.0})
			require.NoError(t, err)
			assert.Equal(t, "cancelled", extra.Data["status"])
			assert.Equal(t, false, extra.Data["dueThisMonth"])

			// Three days before, the morning after, and the same for June:
			// only the running contract's plan reminds and goes overdue.
			run(time.Date(2026, 3, 7, 9, 0, 0, 0, cst))
			run(time.Date(2026, 3, 11, 9, 0, 0, 0, cst))
			run(time.Date(2026, 6, 7, 9, 0, 0, 0, cst))
			run(time.Date(2026, 6, 11, 9, 0, 0, 0, cst))
			got := notified()
			require.Len(t, got[running], 2, "the running contract's plan: due in three days, then overdue")
			assert.Contains(t, got[running][0], "回款逾期")
			assert.Empty(t, got[partly], "a cancelled plan reminds nobody")
			assert.Empty(t, got[later])
			assert.Empty(t, got[extra.ID])
			assert.Len(t, got, 1)
			p = record(t, eng, ctx, "paymentPlan", partly)
			assert.Equal(t, "cancelled", p["status"], "never overdue")
			assert.NotEqual(t, true, p["pastDue"])
			assert.Equal(t, "overdue", record(t, eng, ctx, "paymentPlan", running)["status"])

			// A late settlement against a cancelled plan still counts.
			pay(partly, "2026-06-12", 5000)
			p = record(t, eng, ctx, "paymentPlan", partly)
			assert.Equal(t, "cancelled", p["status"])
			assert.Equal(t, 15000.0, p["writtenOffAmount"])

			res, err := eng.RunReport(ctx, "receivablesByCustomerMonth", nil)
			require.NoError(t, err)
			type sums struct{ planned, received, outstanding, writtenOff float64 }
			rows := map[string]sums{}
			for _, row := range res.Rows {
				if c, _ := row.Keys[0].Value.(string); c != custID {
					continue
				}
				month, _ := row.Keys[1].Value.(string)
				rows[month[:7]] = sums{num(row.Values[0]), num(row.Values[1]), num(row.Values[2]), num(row.Values[3])}
			}
			assert.Equal(t, map[string]sums{"2026-03": {50100, 35000, 0, 15100}, "2026-06": {49900, 0, 0, 49900}}, rows)
			res, err = eng.RunReport(ctx, "overdueTotal", nil)
			require.NoError(t, err)
			require.Len(t, res.Rows, 1)
			assert.InDelta(t, 10000, num(res.Rows[0].Values[0]), 1e-6, "only the running contract's plan is overdue")
		})
	}
}

// Upgrading with contracts already terminated: their plans were not
// marked then, and still are unpaid after the upgrade; the morning's
// scheduled script (06:00 in the tenant's zone) marks them, after which
// they are cancelled and remind nobody.
func TestReceivables_UpgradeCancelsPlansOfTerminatedContracts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rt  receivablesTemplate
		old string
	}{{receivablesTemplates[0], "b2b-sales-1.6.0"}, {receivablesTemplates[1], "chemical-1.8.0"}} {
		t.Run(c.old, func(t *testing.T) {
			t.Parallel()
			clk := testkit.NewClock(time.Date(2026, 2, 20, 10, 0, 0, 0, cst))
			tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
			eng, ctx := tn.Engine, tn.Admin
			_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
			require.NoError(t, err)
			_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "rep1", DisplayName: "销售小李", Password: "correct horse battery"})
			require.NoError(t, err)
			old, err := install.FromFS(os.DirFS("testdata/" + c.old))
			require.NoError(t, err)
			_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
			require.NoError(t, err)
			_, contractID := newContract(t, eng, ctx, c.rt, "绍兴柯桥纺织有限公司", 50000)
			plan, err := eng.CreateRecord(ctx, "paymentPlan", map[string]any{"contract": contractID, "plannedDate": "2026-04-10", "plannedAmount": 50000.0})
			require.NoError(t, err)
			_, err = eng.UpdateRecord(ctx, "contract", contractID, map[string]any{"status": "terminated", "terminationReason": "客户停产"}, nil)
			require.NoError(t, err)

			tpl, err := install.Template(c.rt.name)
			require.NoError(t, err)
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
			require.NoError(t, err)
			assert.Equal(t, "unpaid", record(t, eng, ctx, "paymentPlan", plan.ID)["status"], "not marked by the upgrade itself")

			run := func(at time.Time) {
				t.Helper()
				clk.Set(at)
				_, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
				require.NoError(t, err)
			}
			run(time.Date(2026, 2, 20, 10, 5, 0, 0, cst)) // the worker's pass after the upgrade: the schedule starts
			assert.Equal(t, "unpaid", record(t, eng, ctx, "paymentPlan", plan.ID)["status"])
			run(time.Date(2026, 2, 21, 6, 1, 0, 0, cst))
			got := record(t, eng, ctx, "paymentPlan", plan.ID)
			assert.Equal(t, "cancelled", got["status"], "marked by the morning's script")
			assert.Equal(t, true, got["contractEnded"])
			assert.Equal(t, 50000.0, got["writtenOffAmount"])
			run(time.Date(2026, 4, 7, 9, 0, 0, 0, cst))
			run(time.Date(2026, 4, 11, 9, 0, 0, 0, cst))
			notes, err := eng.Notifications(ctx, "rep1", 10)
			require.NoError(t, err)
			assert.Empty(t, notes, "no reminder for the cancelled plan")
		})
	}
}
