package install_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// installed is a tenant with a template and its sample data.
func installed(t *testing.T, name string) (*engine.Engine, context.Context) {
	t.Helper()
	eng, ctx := newTenant(t, "t1")
	tpl, err := install.Template(name)
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(name, sample.Options{Records: 300, Seed: 3, Now: refDate})})
	require.NoError(t, err)
	return eng, ctx
}

// TestB2BSales_LeadConversion: a qualified lead marked "convert now"
// becomes an account, a contact and an opportunity, linked from the lead.
func TestB2BSales_LeadConversion(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "b2b-sales")
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "陈静", "company": "苏州精研机械有限公司", "mobile": "13912345678",
		"rating": "hot", "industry": "manufacturing", "budget": 800000.0, "status": "qualified"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"convertNow": true}, nil)
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "lead", lead.ID)
	require.NoError(t, err)
	assert.Equal(t, "converted", got.Data["status"])
	assert.Nil(t, got.Data["convertNow"])
	account, err := eng.GetRecord(ctx, "account", got.Data["convertedAccount"].(string))
	require.NoError(t, err)
	assert.Equal(t, "苏州精研机械有限公司", account.Data["name"])
	contact, err := eng.GetRecord(ctx, "contact", got.Data["convertedContact"].(string))
	require.NoError(t, err)
	assert.Equal(t, account.ID, contact.Data["account"])
	opp, err := eng.GetRecord(ctx, "opportunity", got.Data["convertedOpportunity"].(string))
	require.NoError(t, err)
	assert.Equal(t, 800000.0, opp.Data["amount"])

	fresh, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "新线索"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "lead", fresh.ID, map[string]any{"convertNow": true}, nil)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "only a qualified lead converts")
}

// TestFinance_Suitability: a product above the client's risk tolerance is
// refused.
func TestFinance_Suitability(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	client, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "刘洋", "mobile": "13700001111", "riskTolerance": "C2", "riskAssessmentExpires": "2099-12-31"})
	require.NoError(t, err)
	risky, err := eng.CreateRecord(ctx, "product", map[string]any{"code": "PF-TEST-1", "name": "成长一号私募", "type": "privateFund", "riskLevel": "R4"})
	require.NoError(t, err)
	safe, err := eng.CreateRecord(ctx, "product", map[string]any{"code": "WM-TEST-1", "name": "稳健理财", "type": "wealthManagement", "riskLevel": "R2"})
	require.NoError(t, err)
	holding := map[string]any{"client": client.ID, "product": risky.ID, "principal": 100000.0, "purchasedOn": "2026-01-05"}
	_, err = eng.CreateRecord(ctx, "holding", holding)
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assertRefused(t, err, "高于客户风险承受能力", "is above the client's tolerance")
	holding["product"] = safe.ID
	_, err = eng.CreateRecord(ctx, "holding", holding)
	require.NoError(t, err)
}

// TestTourism_CareAndRules: completing a trip creates a care task; a
// deposit above the total is refused.
func TestTourism_CareAndRules(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "tourism")
	n, err := eng.CountRecords(ctx, "careTask", &store.Filter{Field: "kind", Op: store.OpEq, Value: "welcomeHome"})
	require.NoError(t, err)
	assert.Positive(t, n, "the sample data's completed trips got their care tasks")
	page, err := eng.ListRecords(ctx, "traveller", engine.ListQuery{First: 1})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "booking", map[string]any{"traveller": page.Records[0].ID, "totalAmount": 1000.0, "depositAmount": 5000.0})
	assert.ErrorContains(t, err, "invalid booking record")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
}

// TestHealthcareAndRetail_TimedReminders: the worker fires the templates'
// time-based reminders on the sample data, and they reach people: the
// follow-up's owner (healthcare), the member's shopping guide (retail),
// a user field the sample data gave one of the tenant's users, whose
// inbox has it.
func TestHealthcareAndRetail_TimedReminders(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"healthcare", "retail"} {
		eng, ctx := newTenant(t, "t1")
		guides := map[string]bool{"admin": true}
		if name == "retail" {
			for i := range 3 {
				u := fmt.Sprintf("guide%d", i+1)
				_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: u, DisplayName: fmt.Sprintf("导购%d", i+1), Password: "correct horse battery"})
				require.NoError(t, err)
				guides[u] = true
			}
		}
		tpl, err := install.Template(name)
		require.NoError(t, err)
		_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(name, sample.Options{Records: 300, Seed: 3, Now: refDate})})
		require.NoError(t, err)
		if name == "healthcare" { // the sample data belongs to the template: give the follow-ups an owner
			page, err := eng.ListRecords(ctx, "followUp", engine.ListQuery{First: 100, Filter: &store.Filter{Field: "status", Op: store.OpEq, Value: "scheduled"}})
			require.NoError(t, err)
			for _, f := range page.Records {
				_, err := eng.TransferRecord(ctx, "followUp", f.ID, "admin")
				require.NoError(t, err)
			}
		}
		stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err, name)
		assert.Positive(t, stats.Timers, "%s: reminders fired", name)
		notes, err := eng.Notifications(ctx, "", 5)
		require.NoError(t, err)
		require.NotEmpty(t, notes, name)
		for _, n := range notes {
			if name == "healthcare" {
				assert.Equal(t, "admin", n.Recipient, "the follow-up's owner")
			} else {
				assert.True(t, guides[n.Recipient], "the member's shopping guide, one of the tenant's users: %q", n.Recipient)
			}
		}
		if name == "retail" {
			as := engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + notes[0].Recipient})
			inbox, err := eng.MyNotifications(as, false, 10, "")
			require.NoError(t, err)
			assert.NotEmpty(t, inbox.Notices, "the guide finds it in their inbox")
		}
	}
}

// TestChemical_KeyAccountGrade: the grade follows annual consumption.
func TestChemical_KeyAccountGrade(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "chemical")
	c, err := eng.CreateRecord(ctx, "customer", map[string]any{"name": "宁波某涂料有限公司", "annualConsumptionTons": 2500.0})
	require.NoError(t, err)
	assert.Equal(t, "A", c.Data["grade"])
	c, err = eng.UpdateRecord(ctx, "customer", c.ID, map[string]any{"annualConsumptionTons": 300.0}, nil)
	require.NoError(t, err)
	assert.Equal(t, "C", c.Data["grade"])
	_, err = eng.CreateRecord(ctx, "priceAgreement", map[string]any{"product": firstID(t, eng, ctx, "product"), "validFrom": "2026-06-01", "validUntil": "2026-01-01"})
	assert.ErrorContains(t, err, "invalid priceAgreement record")
}

// TestEducation_Rules: enrolment and student rules refuse what a school
// would refuse.
func TestEducation_Rules(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "education")
	_, err := eng.CreateRecord(ctx, "enrolment", map[string]any{"student": firstID(t, eng, ctx, "student"), "course": firstID(t, eng, ctx, "course"),
		"lessonsPurchased": 0.0, "amount": 100.0, "listPrice": 50.0, "paidOn": "2026-03-01"})
	require.Error(t, err)
	assert.Subset(t, errFields(err), []string{"lessonsPurchased", "amount"})
}

func firstID(t *testing.T, eng *engine.Engine, ctx context.Context, object string) string {
	t.Helper()
	page, err := eng.ListRecords(ctx, object, engine.ListQuery{First: 1})
	require.NoError(t, err)
	require.NotEmpty(t, page.Records, object)
	return page.Records[0].ID
}

func errFields(err error) []string {
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestRetail_RepurchaseReminderAtTheStartOfTheWorkingDay: the reminder
// three days before a member's next purchase fires at 09:00 in the
// tenant's zone (Asia/Shanghai by default), 01:00 UTC, not before.
func TestRetail_RepurchaseReminderAtTheStartOfTheWorkingDay(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "guide", DisplayName: "导购小王", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("retail")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "member", map[string]any{"name": "李女士", "mobile": "13800138000",
		"marketingConsent": true, "shoppingGuide": "导购小王", "nextRepurchaseDate": "2026-03-10"})
	require.NoError(t, err)

	clk.Set(time.Date(2026, 3, 7, 8, 59, 0, 0, cst))
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "not before the working day starts")
	clk.Set(time.Date(2026, 3, 7, 9, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	notes, err := eng.Notifications(ctx, "guide", 5)
	require.NoError(t, err)
	require.Len(t, notes, 1, "the member's shopping guide is told")
	assert.Contains(t, notes[0].Message.Zh, "预计三天后复购")
}
