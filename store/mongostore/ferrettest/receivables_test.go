package ferrettest_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/templates/install"
)

// TestReceivables_OnMongo: the b2b-sales template's payment plans and
// receipts on MongoDB, through FerretDB: a receipt moves its plan's and
// its contract's totals and the plan's status; an overpayment is refused
// and changes nothing.
func TestReceivables_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler),
		EncryptionKey: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:admin", Admin: true})
	_, err = eng.CreateUser(actx, "acme", engine.NewUser{Username: "admin", DisplayName: "管理员", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("b2b-sales")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(actx, tpl, template.InstallOptions{})
	require.NoError(t, err)

	account, err := eng.CreateRecord(actx, "account", map[string]any{"name": "苏州精研机械有限公司"})
	require.NoError(t, err)
	contract, err := eng.CreateRecord(actx, "contract", map[string]any{"name": "年度合同", "account": account.ID, "amount": 100000.0, "owner": "admin"})
	require.NoError(t, err)
	plan, err := eng.CreateRecord(actx, "paymentPlan", map[string]any{"contract": contract.ID, "plannedDate": "2099-03-10", "plannedAmount": 30000.1})
	require.NoError(t, err)
	_, err = eng.CreateRecord(actx, "paymentPlan", map[string]any{"contract": contract.ID, "plannedDate": "2099-06-10", "plannedAmount": 70000.0})
	require.Error(t, err, "more than the contract")
	_, err = eng.CreateRecord(actx, "payment", map[string]any{"plan": plan.ID, "paidOn": "2099-03-01", "amount": 10000.05, "method": "bankTransfer"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(actx, "payment", map[string]any{"plan": plan.ID, "paidOn": "2099-03-02", "amount": 20000.06, "method": "bankTransfer"})
	require.Error(t, err, "more than the plan's outstanding 20000.05")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))

	p, err := eng.GetRecord(actx, "paymentPlan", plan.ID)
	require.NoError(t, err)
	assert.Equal(t, 10000.05, p.Data["receivedAmount"])
	assert.Equal(t, 20000.05, p.Data["outstandingAmount"])
	assert.Equal(t, "partial", p.Data["status"])
	c, err := eng.GetRecord(actx, "contract", contract.ID)
	require.NoError(t, err)
	assert.Equal(t, 10000.05, c.Data["receivedTotal"])
	assert.Equal(t, 89999.95, c.Data["outstandingAmount"])
	assert.Equal(t, 30000.1, c.Data["plannedTotal"])

	_, err = eng.CreateRecord(actx, "payment", map[string]any{"plan": plan.ID, "paidOn": "2099-03-02", "amount": 20000.05, "method": "acceptanceBill"})
	require.NoError(t, err)
	p, err = eng.GetRecord(actx, "paymentPlan", plan.ID)
	require.NoError(t, err)
	assert.Equal(t, "paid", p.Data["status"])
}

// TestReceivables_TerminatedOnMongo: on MongoDB too, terminating a
// contract cancels its unpaid plans in the same write (the contract's
// afterSave script updates them, and each plan's script reads the
// terminated contract in that transaction): nothing outstanding, the rest
// written off, nothing overdue.
func TestReceivables_TerminatedOnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler),
		EncryptionKey: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	for _, name := range []string{"b2b-sales", "chemical"} {
		tpl, err := install.Template(name)
		require.NoError(t, err)
		_, err = eng.CreateTenant(ctx, name, name)
		require.NoError(t, err)
		tctx := engine.WithActor(ctx, engine.Actor{TenantID: name, ID: "user:admin", Admin: true})
		_, err = eng.CreateUser(tctx, name, engine.NewUser{Username: "admin", DisplayName: "管理员", Password: "correct horse battery"})
		require.NoError(t, err)
		_, err = eng.InstallTemplate(tctx, tpl, template.InstallOptions{})
		require.NoError(t, err)
		customer, object, title := "account", "account", "name"
		if name == "chemical" {
			customer, object, title = "customer", "customer", "title"
		}
		cust, err := eng.CreateRecord(tctx, object, map[string]any{"name": "温州瓯江电气有限公司"})
		require.NoError(t, err)
		contract, err := eng.CreateRecord(tctx, "contract", map[string]any{title: "年度合同", customer: cust.ID, "amount": 100000.0})
		require.NoError(t, err)
		plan, err := eng.CreateRecord(tctx, "paymentPlan", map[string]any{"contract": contract.ID, "plannedDate": "2099-03-10", "plannedAmount": 30000.0})
		require.NoError(t, err)
		_, err = eng.CreateRecord(tctx, "payment", map[string]any{"plan": plan.ID, "paidOn": "2099-03-01", "amount": 10000.0, "method": "bankTransfer"})
		require.NoError(t, err)
		_, err = eng.UpdateRecord(tctx, "contract", contract.ID, map[string]any{"status": "terminated", "terminationReason": "客户停产"}, nil)
		require.NoError(t, err, name)
		p, err := eng.GetRecord(tctx, "paymentPlan", plan.ID)
		require.NoError(t, err)
		assert.Equal(t, "cancelled", p.Data["status"], name)
		assert.Equal(t, true, p.Data["contractEnded"], name)
		assert.Equal(t, 0.0, p.Data["outstandingAmount"], name)
		assert.Equal(t, 20000.0, p.Data["writtenOffAmount"], name)
	}
}
