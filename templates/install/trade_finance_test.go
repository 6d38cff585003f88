package install_test

import (
	"context"
	"os"
	"strings"
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
)

// financeClient is a client with a C3 assessment valid until expires.
func financeClient(t *testing.T, eng *engine.Engine, ctx context.Context, mobile, expires string) store.Record {
	t.Helper()
	c, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "王磊", "mobile": mobile, "riskTolerance": "C3",
		"riskAssessedOn": "2030-01-10", "riskAssessmentExpires": expires})
	require.NoError(t, err)
	return c
}

func financeProduct(t *testing.T, eng *engine.Engine, ctx context.Context, code, risk string, qualified bool) string {
	t.Helper()
	p, err := eng.CreateRecord(ctx, "product", map[string]any{"code": code, "name": "产品" + code, "type": "wealthManagement", "riskLevel": risk,
		"qualifiedInvestorsOnly": qualified})
	require.NoError(t, err)
	return p.ID
}

// TestFinance_SubscriptionIsSuitableAndRecorded: an opportunity reaches
// 已认购 only with the recorded sale's number, a product within the
// client's tolerance (and a qualified investor for a qualified-investors
// product), and an assessment valid on the day of subscription.
func TestFinance_SubscriptionIsSuitableAndRecorded(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	client := financeClient(t, eng, ctx, "13700002222", "2031-01-09")
	r3 := financeProduct(t, eng, ctx, "T-R3", "R3", false)
	r4 := financeProduct(t, eng, ctx, "T-R4", "R4", false)
	qi := financeProduct(t, eng, ctx, "T-QI", "R2", true)

	opp := func(product string) string {
		o, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"client": client.ID, "product": product, "expectedAmount": 200000.0,
			"stage": "recommended"})
		require.NoError(t, err)
		for _, step := range []map[string]any{{"stage": "riskDisclosed", "riskDisclosedAt": "2030-06-01T02:00:00Z"}, {"stage": "recorded", "recordingNumber": "SL20300601000001"}} {
			_, err = eng.UpdateRecord(ctx, "opportunity", o.ID, step, nil)
			require.NoError(t, err)
		}
		return o.ID
	}
	subscribe := func(id, on string) error {
		_, err := eng.UpdateRecord(ctx, "opportunity", id, map[string]any{"stage": "subscribed", "subscribedAmount": 200000.0, "subscribedOn": on}, nil)
		return err
	}

	err := subscribe(opp(r4), "2030-06-02")
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.Contains(t, errFields(err), "product")
	assertRefused(t, err, "产品风险等级 R4 高于客户风险承受能力 C3，不得认购", "The product's risk R4 is above the client's tolerance C3: no subscription")

	err = subscribe(opp(qi), "2030-06-02")
	require.Error(t, err)
	assertRefused(t, err, "该产品仅面向合格投资者", "Qualified investors only")

	ok := opp(r3)
	err = subscribe(ok, "2031-01-10")
	require.Error(t, err, "the assessment ran out the day before")
	assert.Contains(t, errFields(err), "client")
	assertRefused(t, err, "客户的风险测评已于 2031-01-09 过期，须重新测评后才能认购", "The client's risk assessment expired on 2031-01-09: reassess before the subscription")
	require.NoError(t, subscribe(ok, "2031-01-09"), "valid on its last day")

	// Straight to 已认购 without the recording: refused, naming the field.
	_, err = eng.CreateRecord(ctx, "opportunity", map[string]any{"client": client.ID, "product": r3, "stage": "subscribed",
		"subscribedAmount": 100000.0, "subscribedOn": "2030-06-02"})
	require.Error(t, err)
	assert.Contains(t, errFields(err), "recordingNumber")
	assertRefused(t, err, "认购前须完成双录（录音录像）并填写双录编号", "The sale must be recorded (audio and video) before subscription")

	// A client without an assessment cannot subscribe at all.
	bare, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "新客户", "mobile": "13700003333"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "opportunity", map[string]any{"client": bare.ID, "product": r3, "stage": "subscribed", "recordingNumber": "SL1",
		"subscribedAmount": 100000.0, "subscribedOn": "2030-06-02"})
	require.Error(t, err)
	assertRefused(t, err, "客户没有有效的风险测评，不得认购", "The client has no valid risk assessment: no subscription")
}

// TestFinance_HoldingNeedsAValidAssessment: a purchase (holding) is
// refused when the client's assessment had expired on the purchase date
// or there is none; a later change of a holding's market value is not a
// sale and is not checked again.
func TestFinance_HoldingNeedsAValidAssessment(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	client := financeClient(t, eng, ctx, "13700004444", "2031-01-09")
	r2 := financeProduct(t, eng, ctx, "H-R2", "R2", false)
	_, err := eng.CreateRecord(ctx, "holding", map[string]any{"client": client.ID, "product": r2, "principal": 50000.0, "purchasedOn": "2031-02-01"})
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assertRefused(t, err, "客户的风险测评已于 2031-01-09 过期，须重新测评后才能销售", "The client's risk assessment expired on 2031-01-09: reassess before selling")
	h, err := eng.CreateRecord(ctx, "holding", map[string]any{"client": client.ID, "product": r2, "principal": 50000.0, "purchasedOn": "2030-12-01"})
	require.NoError(t, err)

	// The client's tolerance drops; valuing the old holding still works.
	_, err = eng.UpdateRecord(ctx, "client", client.ID, map[string]any{"riskTolerance": "C1"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "holding", h.ID, map[string]any{"marketValue": 51000.0}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "holding", h.ID, map[string]any{"principal": 80000.0}, nil)
	require.Error(t, err, "topping it up is a sale")
	assertRefused(t, err, "产品风险等级 R2 高于客户风险承受能力 C1，不得销售", "The product's risk R2 is above the client's tolerance C1: no sale")
}

// TestFinance_NewAssessmentRenewsTheClient: the latest assessment sets the
// client's tolerance and validity (an older one changes nothing), which
// lets a sale through that the expired one refused.
func TestFinance_NewAssessmentRenewsTheClient(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	client := financeClient(t, eng, ctx, "13700005555", "2031-01-09")
	r4 := financeProduct(t, eng, ctx, "N-R4", "R4", false)
	holding := map[string]any{"client": client.ID, "product": r4, "principal": 50000.0, "purchasedOn": "2031-03-01"}
	_, err := eng.CreateRecord(ctx, "holding", holding)
	require.Error(t, err)

	_, err = eng.CreateRecord(ctx, "riskAssessment", map[string]any{"client": client.ID, "assessedOn": "2031-02-20", "result": "C4", "score": 70.0})
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "client", client.ID)
	require.NoError(t, err)
	assert.Equal(t, "C4", got.Data["riskTolerance"])
	assert.Equal(t, "2031-02-20", got.Data["riskAssessedOn"])
	assert.Equal(t, "2032-02-20", got.Data["riskAssessmentExpires"], "valid for a year unless it says otherwise")
	_, err = eng.CreateRecord(ctx, "holding", holding)
	require.NoError(t, err)

	_, err = eng.CreateRecord(ctx, "riskAssessment", map[string]any{"client": client.ID, "assessedOn": "2029-05-01", "result": "C1", "validUntil": "2030-05-01"})
	require.NoError(t, err)
	got, err = eng.GetRecord(ctx, "client", client.ID)
	require.NoError(t, err)
	assert.Equal(t, "C4", got.Data["riskTolerance"], "an older assessment is history")

	_, err = eng.CreateRecord(ctx, "riskAssessment", map[string]any{"client": client.ID, "assessedOn": "2031-05-01", "result": "C2", "validUntil": "2031-04-01"})
	require.Error(t, err)
	assert.Contains(t, errFields(err), "validUntil")
}

// TestFinance_AssessmentRenewalReminders: thirty days before a client's
// assessment expires the advisor is told, at the start of the tenant's
// working day, and again the day after it expired; the sample data has
// clients whose reminders are due.
func TestFinance_AssessmentRenewalReminders(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	notes, err := eng.Notifications(ctx, "admin", 100)
	require.NoError(t, err)
	renewals := 0
	for _, n := range notes {
		if strings.Contains(n.Message.Zh, "风险测评") {
			renewals++
		}
	}
	assert.Positive(t, renewals, "sample clients with an assessment about to expire")

	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2031, 3, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx = tn.Engine, tn.Admin
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "li", DisplayName: "理财经理小李", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("finance")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "client", map[string]any{"name": "陈晨", "mobile": "13700006666", "advisor": "理财经理小李",
		"riskTolerance": "C3", "riskAssessedOn": "2030-04-30", "riskAssessmentExpires": "2031-04-30"})
	require.NoError(t, err)

	run := func(at time.Time) int {
		clk.Set(at)
		stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
		return stats.Timers
	}
	assert.Zero(t, run(time.Date(2031, 3, 31, 8, 59, 0, 0, cst)))
	assert.Equal(t, 1, run(time.Date(2031, 3, 31, 9, 0, 0, 0, cst)))
	notes, err = eng.Notifications(ctx, "li", 5)
	require.NoError(t, err)
	require.Len(t, notes, 1, "the client's advisor")
	assert.Contains(t, notes[0].Message.Zh, "将于 2031-04-30 到期")
	assert.Equal(t, 1, run(time.Date(2031, 5, 1, 9, 0, 0, 0, cst)))
	notes, err = eng.Notifications(ctx, "li", 5)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	assert.Contains(t, notes[0].Message.Zh+notes[1].Message.Zh, "不能办理新的认购")
}

// TestFinance_UpgradeFrom130: a bank on 1.3.0 with a client, a holding and
// a recorded opportunity upgrades; the subscription is then checked.
func TestFinance_UpgradeFrom130(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/finance-1.3.0"))
	require.NoError(t, err)
	require.Equal(t, "1.3.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	client := financeClient(t, eng, ctx, "13700007777", "2030-01-09")
	r3 := financeProduct(t, eng, ctx, "U-R3", "R3", false)
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": client.ID, "product": r3, "principal": 50000.0, "purchasedOn": "2030-06-01"})
	require.NoError(t, err, "1.3.0 did not check the assessment's date")
	o, err := eng.CreateRecord(ctx, "opportunity", map[string]any{"client": client.ID, "product": r3, "stage": "recorded", "recordingNumber": "SL1"})
	require.NoError(t, err)

	tpl, err := install.Template("finance")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	_, err = eng.UpdateRecord(ctx, "opportunity", o.ID, map[string]any{"stage": "subscribed", "subscribedAmount": 50000.0, "subscribedOn": "2030-06-01"}, nil)
	assertRefused(t, err, "风险测评已于 2030-01-09 过期", "risk assessment expired on 2030-01-09")
	_, err = eng.CreateRecord(ctx, "riskAssessment", map[string]any{"client": client.ID, "assessedOn": "2030-05-20", "result": "C3"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "opportunity", o.ID, map[string]any{"stage": "subscribed", "subscribedAmount": 50000.0, "subscribedOn": "2030-06-01"}, nil)
	require.NoError(t, err)
}

// TestFinance_RiskToleranceComesFromTheAssessment: an advisor cannot type
// a client's risk tolerance (nor its dates), neither on a new client nor on
// one they look after; the assessment they record sets it. Compliance
// cannot type it either but corrects a mis-keyed assessment, which the
// client follows; once a client has an assessment even an administrator's
// hand edit is refused, and an older assessment changes nothing.
func TestFinance_RiskToleranceComesFromTheAssessment(t *testing.T) {
	t.Parallel()
	eng, admin := installed(t, "finance")
	as := people(t, eng, admin, map[string][2]string{"li": {"advisor", ""}, "cc": {"compliance", ""}})
	li, cc := as["li"], as["cc"]
	client := func() map[string]any {
		t.Helper()
		page, err := eng.ListRecords(admin, "client", engine.ListQuery{First: 1, Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13700008888"}})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		return page.Records[0].Data
	}
	risk := func() []any {
		c := client()
		return []any{c["riskTolerance"], c["riskAssessedOn"], c["riskAssessmentExpires"]}
	}

	_, err := eng.CreateRecord(li, "client", map[string]any{"name": "吴倩", "mobile": "13700008888", "riskTolerance": "C5"})
	require.Error(t, err, "an advisor does not type a new client's tolerance")
	assert.Contains(t, errFields(err), "riskTolerance")
	n, err := eng.CountRecords(admin, "client", &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13700008888"})
	require.NoError(t, err)
	assert.Zero(t, n, "nothing written")
	c, err := eng.CreateRecord(li, "client", map[string]any{"name": "吴倩", "mobile": "13700008888", "advisor": "li"})
	require.NoError(t, err)
	for _, patch := range []map[string]any{{"riskTolerance": "C5"}, {"riskAssessmentExpires": "2099-12-31"}, {"riskAssessedOn": "2030-06-01"}} {
		_, err = eng.UpdateRecord(li, "client", c.ID, patch, nil)
		require.Error(t, err, "%v", patch)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	}
	assert.Equal(t, []any{nil, nil, nil}, risk())
	access, err := eng.Access(li, "client")
	require.NoError(t, err)
	assert.Subset(t, access.ReadOnly, []string{"riskTolerance", "riskAssessedOn", "riskAssessmentExpires"}, "the forms show them read-only")

	a, err := eng.CreateRecord(li, "riskAssessment", map[string]any{"client": c.ID, "assessedOn": "2030-06-01", "result": "C4", "score": 68.0, "channel": "advisorPad"})
	require.NoError(t, err, "the advisor records the questionnaire")
	assert.Equal(t, []any{"C4", "2030-06-01", "2031-06-01"}, risk())

	_, err = eng.UpdateRecord(cc, "client", c.ID, map[string]any{"riskTolerance": "C3"}, nil)
	require.Error(t, err, "compliance does not type it either")
	assert.Equal(t, "C4", risk()[0])
	_, err = eng.UpdateRecord(cc, "riskAssessment", a.ID, map[string]any{"result": "C3", "validUntil": "2031-05-31"}, nil)
	require.NoError(t, err, "compliance corrects the mis-keyed questionnaire")
	assert.Equal(t, []any{"C3", "2030-06-01", "2031-05-31"}, risk())
	_, err = eng.UpdateRecord(li, "riskAssessment", a.ID, map[string]any{"result": "C5"}, nil)
	require.Error(t, err, "an advisor does not change a recorded assessment")

	_, err = eng.UpdateRecord(admin, "client", c.ID, map[string]any{"riskTolerance": "C5"}, nil)
	assertRefused(t, err, "以客户最新的风险测评（2030-06-01 测评为 C3）为准，不能手工修改", "come from the client's latest risk assessment (C3 on 2030-06-01)")
	_, err = eng.UpdateRecord(admin, "client", c.ID, map[string]any{"riskTolerance": "C3", "branch": "南京分行"}, nil)
	require.NoError(t, err, "the value it already has is no change")
	_, err = eng.CreateRecord(li, "riskAssessment", map[string]any{"client": c.ID, "assessedOn": "2029-06-01", "result": "C5", "validUntil": "2030-06-01"})
	require.NoError(t, err)
	assert.Equal(t, []any{"C3", "2030-06-01", "2031-05-31"}, risk(), "an older assessment is history")
	_, err = eng.CreateRecord(li, "riskAssessment", map[string]any{"client": c.ID, "assessedOn": "2031-05-20", "result": "C2"})
	require.NoError(t, err)
	assert.Equal(t, []any{"C2", "2031-05-20", "2032-05-20"}, risk(), "a renewal moves it, down as well as up")

	// A role of the tenant's own that may change clients but not read
	// assessments edits other fields, not the risk ones.
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "branchDesk", Label: schema.Label{Zh: "网点柜员", En: "Branch desk"},
		Objects: map[string]engine.ObjectAccess{"client": {Read: true, Update: true}}}))
	desk := people(t, eng, admin, map[string][2]string{"boss": {"branchDesk", ""}})["boss"]
	_, err = eng.UpdateRecord(desk, "client", c.ID, map[string]any{"branch": "无锡分行"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(desk, "client", c.ID, map[string]any{"riskTolerance": "C5"}, nil)
	assertRefused(t, err, "以客户的风险测评为准，不能手工修改", "come from the client's risk assessments")
	assert.Equal(t, []any{"C2", "2031-05-20", "2032-05-20"}, risk())
}

// TestFinance_UpgradeFrom140: a bank on 1.4.0 whose clients' tolerance was
// typed by hand upgrades; a client without an assessment keeps what it had
// (and still sells within it), advisors can no longer type it, and the
// first assessment after the upgrade takes over.
func TestFinance_UpgradeFrom140(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/finance-1.4.0"))
	require.NoError(t, err)
	require.Equal(t, "1.4.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	as := people(t, eng, ctx, map[string][2]string{"li": {"advisor", ""}})
	c, err := eng.CreateRecord(as["li"], "client", map[string]any{"name": "郑伟", "mobile": "13700009999", "riskTolerance": "C4",
		"riskAssessedOn": "2030-01-10", "riskAssessmentExpires": "2031-01-09"})
	require.NoError(t, err, "1.4.0 let advisors type it")
	r4 := financeProduct(t, eng, ctx, "UP-R4", "R4", false)

	upgradeTo(t, eng, ctx, "finance", "1.5.0")
	got, err := eng.GetRecord(ctx, "client", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "C4", got.Data["riskTolerance"], "kept until the next assessment")
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": c.ID, "product": r4, "principal": 50000.0, "purchasedOn": "2030-06-01"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(as["li"], "client", c.ID, map[string]any{"riskTolerance": "C5"}, nil)
	require.Error(t, err, "the upgraded advisor role has it read-only")
	_, err = eng.UpdateRecord(as["li"], "client", c.ID, map[string]any{"branch": "苏州分行"}, nil)
	require.NoError(t, err, "other edits are as before")
	_, err = eng.CreateRecord(as["li"], "riskAssessment", map[string]any{"client": c.ID, "assessedOn": "2031-01-05", "result": "C3"})
	require.NoError(t, err)
	got, err = eng.GetRecord(ctx, "client", c.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{"C3", "2031-01-05", "2032-01-05"}, []any{got.Data["riskTolerance"], got.Data["riskAssessedOn"], got.Data["riskAssessmentExpires"]})
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": c.ID, "product": r4, "principal": 50000.0, "purchasedOn": "2031-01-06"})
	assertRefused(t, err, "产品风险等级 R4 高于客户风险承受能力 C3，不得销售", "The product's risk R4 is above the client's tolerance C3: no sale")
}

// TestFinance_SampleClientsFollowTheirAssessments: every sample client's
// tolerance and dates are those of their latest assessment, so saving a
// sample client changes none of them.
func TestFinance_SampleClientsFollowTheirAssessments(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	clients := all(t, eng, ctx, "client")
	require.NotEmpty(t, clients)
	latest := map[string]map[string]any{}
	for _, a := range all(t, eng, ctx, "riskAssessment") {
		c, _ := a.Data["client"].(string)
		if cur, ok := latest[c]; !ok || a.Data["assessedOn"].(string) > cur["assessedOn"].(string) {
			latest[c] = a.Data
		}
	}
	checked := 0
	for _, c := range clients {
		a, ok := latest[c.ID]
		if !ok {
			continue
		}
		checked++
		assert.Equal(t, a["result"], c.Data["riskTolerance"], c.ID)
		assert.Equal(t, a["assessedOn"], c.Data["riskAssessedOn"], c.ID)
	}
	assert.Positive(t, checked, "sample clients with assessments")
	c := clients[0]
	saved, err := eng.UpdateRecord(ctx, "client", c.ID, map[string]any{"branch": "测试网点"}, nil)
	require.NoError(t, err)
	assert.Equal(t, c.Data["riskTolerance"], saved.Data["riskTolerance"])
	assert.Equal(t, c.Data["riskAssessmentExpires"], saved.Data["riskAssessmentExpires"])
}

// TestFinance_KYCDocumentExpiry: thirty days before a client's identity
// document expires the advisor is reminded; the day after, KYC lapses
// (证件过期), the advisor is told, and no new sale is made until
// compliance verifies the renewed document. The sample data has clients
// whose documents expire within the month.
func TestFinance_KYCDocumentExpiry(t *testing.T) {
	t.Parallel()
	sampled, sctx := installed(t, "finance")
	soon, err := sampled.CountRecords(sctx, "client", &store.Filter{And: []store.Filter{
		{Field: "idValidUntil", Op: store.OpGte, Value: refDate.Format("2006-01-02")}, // the sample data's today
		{Field: "idValidUntil", Op: store.OpLte, Value: refDate.AddDate(0, 0, 30).Format("2006-01-02")}}})
	require.NoError(t, err)
	assert.Positive(t, soon, "sample clients whose document expires within 30 days")

	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2031, 3, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("finance")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	as := people(t, eng, ctx, map[string][2]string{"li": {"advisor", ""}, "cc": {"compliance", ""}})
	c, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "冯涛", "mobile": "13700001212", "advisor": "li", "kycStatus": "verified",
		"idValidUntil": "2031-04-30", "riskTolerance": "C3", "riskAssessedOn": "2031-01-10", "riskAssessmentExpires": "2032-01-09"})
	require.NoError(t, err)
	r2 := financeProduct(t, eng, ctx, "K-R2", "R2", false)
	run := func(at time.Time) {
		clk.Set(at)
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	notes := func() string {
		ns, err := eng.Notifications(ctx, "li", 10)
		require.NoError(t, err)
		var out []string
		for _, n := range ns {
			out = append(out, n.Message.Zh)
		}
		return strings.Join(out, "\n")
	}
	run(time.Date(2031, 3, 31, 8, 59, 0, 0, cst))
	assert.NotContains(t, notes(), "身份证件")
	run(time.Date(2031, 3, 31, 9, 0, 0, 0, cst))
	assert.Contains(t, notes(), "身份证件将于 2031-04-30 到期")
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": c.ID, "product": r2, "principal": 10000.0, "purchasedOn": "2031-04-30"})
	require.NoError(t, err, "valid through its last day")

	run(time.Date(2031, 5, 1, 9, 0, 0, 0, cst))
	got, err := eng.GetRecord(ctx, "client", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "expired", got.Data["kycStatus"])
	assert.Contains(t, notes(), "更新证件并经合规核验前不能办理新的销售")
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": c.ID, "product": r2, "principal": 10000.0, "purchasedOn": "2031-05-01"})
	assertRefused(t, err, "客户身份证件已过期，须更新证件并重新核验后才能销售", "The client's identity document has expired: renew and verify it before selling")

	_, err = eng.UpdateRecord(as["li"], "client", c.ID, map[string]any{"idValidUntil": "2041-04-30"}, nil)
	require.NoError(t, err, "the advisor records the renewed document")
	_, err = eng.UpdateRecord(as["li"], "client", c.ID, map[string]any{"kycStatus": "verified"}, nil)
	require.Error(t, err, "but does not verify it")
	_, err = eng.UpdateRecord(as["cc"], "client", c.ID, map[string]any{"kycStatus": "verified"}, nil)
	require.NoError(t, err, "compliance does")
	_, err = eng.CreateRecord(ctx, "holding", map[string]any{"client": c.ID, "product": r2, "principal": 10000.0, "purchasedOn": "2031-05-02"})
	require.NoError(t, err)
}

// TestFinance_OpportunitiesAreNamedByClientAndProduct: an opportunity's
// title is its client and product, kept on every save; the sample
// opportunities have theirs.
func TestFinance_OpportunitiesAreNamedByClientAndProduct(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "finance")
	names := map[string]string{}
	for _, object := range []string{"client", "product"} {
		for _, r := range all(t, eng, ctx, object) {
			names[r.ID], _ = r.Data["name"].(string)
		}
	}
	opps := all(t, eng, ctx, "opportunity")
	require.NotEmpty(t, opps)
	for _, o := range opps {
		want := names[o.Data["client"].(string)]
		if p, ok := o.Data["product"].(string); ok {
			want += " · " + names[p]
		}
		assert.Equal(t, want, o.Data["title"], o.ID)
	}
	var o store.Record
	for _, x := range opps {
		if x.Data["stage"] != "subscribed" { // a subscription checks the new client's assessment
			o = x
			break
		}
	}
	require.NotEmpty(t, o.ID, "a sample opportunity not subscribed yet")
	c, err := eng.CreateRecord(ctx, "client", map[string]any{"name": "周敏", "mobile": "13700001234"})
	require.NoError(t, err)
	saved, err := eng.UpdateRecord(ctx, "opportunity", o.ID, map[string]any{"client": c.ID, "title": "随便写的"}, nil)
	require.NoError(t, err)
	want := "周敏"
	if p, ok := o.Data["product"].(string); ok {
		want += " · " + names[p]
	}
	assert.Equal(t, want, saved.Data["title"], "the script's title wins over a typed one")
}
