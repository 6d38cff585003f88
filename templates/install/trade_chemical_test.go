package install_test

import (
	"context"
	"strings"
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

// chemicalFixture is a customer, a hazardous and a harmless product of
// an installed chemical template with sample data.
type chemicalFixture struct {
	eng                 *engine.Engine
	ctx                 context.Context
	customer            string
	hazardous, harmless string
}

func newChemicalFixture(t *testing.T, licenceExpiry string) chemicalFixture {
	t.Helper()
	eng, ctx := installed(t, "chemical")
	people(t, eng, ctx, map[string][2]string{"cc": {"creditControl", ""}})
	c, err := eng.CreateRecord(ctx, "customer", map[string]any{"name": "嘉兴某新材料有限公司", "creditLimit": 1000000.0, "status": "active",
		"hazmatLicence": "浙嘉安经（2024）字00123", "licenceExpiry": licenceExpiry, "salesRep": "admin"})
	require.NoError(t, err)
	hz, err := eng.CreateRecord(ctx, "product", map[string]any{"code": "T-EA", "name": "乙酸乙酯", "category": "solvents", "hazardClass": "class3",
		"unNumber": "UN1173", "msdsUrl": "https://msds.example.com.cn/T-EA"})
	require.NoError(t, err)
	ok, err := eng.CreateRecord(ctx, "product", map[string]any{"code": "T-PP", "name": "聚丙烯", "category": "polymers", "hazardClass": "none"})
	require.NoError(t, err)
	return chemicalFixture{eng: eng, ctx: ctx, customer: c.ID, hazardous: hz.ID, harmless: ok.ID}
}

// contract creates a contract in review and submits it for the credit
// approval, which signs it at once within the available credit.
func (f chemicalFixture) contract(t *testing.T, amount float64, product, signedOn string) (store.Record, *engine.ApprovalRequest, error) {
	t.Helper()
	k, err := f.eng.CreateRecord(f.ctx, "contract", map[string]any{"title": "测试合同", "customer": f.customer, "products": []any{product},
		"amount": amount, "quantityTons": 10.0, "paymentTerms": "net30", "status": "review", "signedOn": signedOn,
		"startDate": signedOn, "endDate": "2026-12-31"})
	require.NoError(t, err)
	req, err := f.eng.SubmitForApproval(f.ctx, "contract", k.ID, "credit", "")
	return k, req, err
}

// TestChemical_AvailableCredit: signed contracts in fulfilment use the
// customer's credit; a contract beyond what is left needs credit
// control's approval, one within it is signed at once.
func TestChemical_AvailableCredit(t *testing.T) {
	t.Parallel()
	f := newChemicalFixture(t, "2027-06-30")
	_, req, err := f.contract(t, 600000, f.harmless, "2026-02-01")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status, "within the limit: signed at once")
	c, err := f.eng.GetRecord(f.ctx, "customer", f.customer)
	require.NoError(t, err)
	assert.Equal(t, 600000.0, c.Data["openContractValue"])
	assert.Equal(t, 400000.0, c.Data["availableCredit"])

	big, req, err := f.contract(t, 500000, f.harmless, "2026-02-02")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalPending, req.Status, "beyond the available credit: credit control decides")
	got, err := f.eng.GetRecord(f.ctx, "contract", big.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["overCreditLimit"])

	small, req, err := f.contract(t, 300000, f.harmless, "2026-02-03")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	c, err = f.eng.GetRecord(f.ctx, "customer", f.customer)
	require.NoError(t, err)
	assert.Equal(t, 100000.0, c.Data["availableCredit"])
	// Editing a signed contract does not count its own amount twice.
	got, err = f.eng.UpdateRecord(f.ctx, "contract", small.ID, map[string]any{"quantityTons": 12.0}, nil)
	require.NoError(t, err)
	assert.Equal(t, false, got.Data["overCreditLimit"])
}

// TestChemical_LicenceBlocksDangerousGoods: a customer whose hazardous
// chemicals licence expired cannot get a contract signed or a delivery
// planned for a dangerous product; harmless products are not affected;
// a dangerous product without a safety data sheet is not delivered.
func TestChemical_LicenceBlocksDangerousGoods(t *testing.T) {
	t.Parallel()
	f := newChemicalFixture(t, "2026-01-31")
	_, _, err := f.contract(t, 1000, f.hazardous, "2026-02-10")
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.Equal(t, []string{"customer"}, errFields(err))
	assertRefused(t, err, "客户的危化品经营许可证已于 2026-01-31 到期，不能签订含危险品的合同", "The customer's hazardous chemicals licence expired on 2026-01-31: no contract for dangerous goods")
	_, req, err := f.contract(t, 1000, f.harmless, "2026-02-10")
	require.NoError(t, err, "no licence needed for harmless goods")
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	signed, req, err := f.contract(t, 1000, f.hazardous, "2026-01-20")
	require.NoError(t, err, "signed while the licence was valid")
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	_, err = f.eng.UpdateRecord(f.ctx, "contract", signed.ID, map[string]any{"status": "executing"}, nil)
	require.NoError(t, err, "an already signed contract moves on")

	deliver := func(product, planned string) (store.Record, error) {
		return f.eng.CreateRecord(f.ctx, "delivery", map[string]any{"contract": signed.ID, "product": product, "quantityTons": 5.0, "plannedDate": planned})
	}
	d, err := deliver(f.hazardous, "2026-01-25")
	require.NoError(t, err, "planned while the licence is valid")
	assert.Equal(t, f.customer, d.Data["customer"], "the contract's customer")
	assert.Equal(t, true, d.Data["dangerousGoods"], "from the product's hazard class")
	_, err = deliver(f.hazardous, "2026-02-05")
	assert.Equal(t, []string{"customer"}, errFields(err), "planned after the licence expired")
	assertRefused(t, err, "客户的危化品经营许可证已于 2026-01-31 到期，不能发运危险品", "licence expired on 2026-01-31: no dangerous goods ship to it")
	_, err = deliver(f.harmless, "2026-02-05")
	require.NoError(t, err)

	// Renewed licence; the product loses its SDS.
	_, err = f.eng.UpdateRecord(f.ctx, "customer", f.customer, map[string]any{"licenceExpiry": "2029-01-31"}, nil)
	require.NoError(t, err)
	_, err = f.eng.UpdateRecord(f.ctx, "product", f.hazardous, map[string]any{"msdsUrl": nil}, nil)
	require.NoError(t, err)
	_, err = deliver(f.hazardous, "2026-02-05")
	assert.Equal(t, []string{"product"}, errFields(err), "no safety data sheet")
	assertRefused(t, err, "危险品没有安全技术说明书（SDS），不能发货", "A dangerous product without a safety data sheet cannot be delivered")
	_, err = f.eng.UpdateRecord(f.ctx, "product", f.hazardous, map[string]any{"msdsUrl": "https://msds.example.com.cn/T-EA-2026"}, nil)
	require.NoError(t, err)
	_, err = deliver(f.hazardous, "2026-02-05")
	require.NoError(t, err)

	// Nothing ships to a blacklisted customer or against a draft.
	_, err = f.eng.UpdateRecord(f.ctx, "customer", f.customer, map[string]any{"status": "blacklisted"}, nil)
	require.NoError(t, err)
	_, err = deliver(f.harmless, "2026-02-06")
	assert.Equal(t, []string{"customer"}, errFields(err))
	assertRefused(t, err, "客户在黑名单中，不能发货", "The customer is blacklisted: nothing ships to it")
	draft, err := f.eng.CreateRecord(f.ctx, "contract", map[string]any{"title": "草稿", "customer": f.customer})
	require.NoError(t, err)
	_, err = f.eng.CreateRecord(f.ctx, "delivery", map[string]any{"contract": draft.ID, "product": f.harmless, "quantityTons": 1.0, "plannedDate": "2026-02-06"})
	assert.Contains(t, errFields(err), "contract")
	assertRefused(t, err, "合同尚未签订或已终止，不能发货", "The contract is not signed or has ended: nothing ships against it")
}

// TestChemical_NoLicenceBlocksDangerousGoods: a customer without a
// hazardous chemicals licence gets no contract for dangerous goods signed
// and no dangerous goods delivered; the refusal is in both languages.
func TestChemical_NoLicenceBlocksDangerousGoods(t *testing.T) {
	t.Parallel()
	f := newChemicalFixture(t, "2027-06-30")
	signed, req, err := f.contract(t, 1000, f.hazardous, "2026-02-10")
	require.NoError(t, err, "licensed")
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	_, err = f.eng.UpdateRecord(f.ctx, "customer", f.customer, map[string]any{"hazmatLicence": nil, "licenceExpiry": nil}, nil)
	require.NoError(t, err)
	_, _, err = f.contract(t, 1000, f.hazardous, "2026-02-11")
	assert.Equal(t, []string{"customer"}, errFields(err))
	assertRefused(t, err, "客户没有危化品经营许可证，不能签订含危险品的合同", "The customer has no hazardous chemicals licence: no contract for dangerous goods")
	_, err = f.eng.CreateRecord(f.ctx, "delivery", map[string]any{"contract": signed.ID, "product": f.hazardous, "quantityTons": 1.0, "plannedDate": "2026-02-12"})
	assert.Equal(t, []string{"customer"}, errFields(err))
	assertRefused(t, err, "客户没有危化品经营许可证，不能发运危险品", "The customer has no hazardous chemicals licence: no dangerous goods ship to it")
	_, err = f.eng.CreateRecord(f.ctx, "delivery", map[string]any{"contract": signed.ID, "product": f.harmless, "quantityTons": 1.0, "plannedDate": "2026-02-12"})
	require.NoError(t, err, "harmless goods need no licence")
}

// TestChemical_LicenceReminderAndSampleData: the sales rep hears of an
// expiring licence 30 days ahead, at the start of the working day; the
// sample data has licences about to expire, and its dangerous goods went
// to licensed customers.
func TestChemical_LicenceReminderAndSampleData(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "chemical")
	soon, err := eng.CountRecords(ctx, "customer", &store.Filter{And: []store.Filter{
		store.Leaf("licenceExpiry", store.OpGte, refDate.Format("2006-01-02")),
		store.Leaf("licenceExpiry", store.OpLte, refDate.AddDate(0, 0, 45).Format("2006-01-02"))}})
	require.NoError(t, err)
	assert.Positive(t, soon, "some sample licences expire within weeks")
	dangerous := sampleRecords(t, eng, ctx, "delivery", store.Leaf("dangerousGoods", store.OpEq, true))
	require.NotEmpty(t, dangerous)
	for _, d := range dangerous {
		c, err := eng.GetRecord(ctx, "customer", d.Data["customer"].(string))
		require.NoError(t, err)
		assert.NotEmpty(t, c.Data["hazmatLicence"])
		assert.GreaterOrEqual(t, c.Data["licenceExpiry"], d.Data["plannedDate"])
	}

	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t2", testkit.Named("t2"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx = tn.Engine, tn.Admin
	_, err = eng.CreateUser(ctx, "t2", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("chemical")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "customer", map[string]any{"name": "常州某树脂有限公司", "hazmatLicence": "苏常安经（2023）字00456",
		"licenceExpiry": "2026-04-30", "salesRep": "admin"})
	require.NoError(t, err)
	clk.Set(time.Date(2026, 3, 31, 8, 59, 0, 0, cst))
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, stats.Timers)
	clk.Set(time.Date(2026, 3, 31, 9, 0, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	notes, err := eng.Notifications(ctx, "admin", 10)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	assert.True(t, strings.Contains(notes[0].Message.Zh, "2026-04-30") && strings.Contains(notes[0].Message.Zh, "危化品经营许可证"), notes[0].Message.Zh)
}
