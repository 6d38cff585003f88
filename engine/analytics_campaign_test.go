package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestEngine_CampaignEffect: the b2b-sales campaign's effect from its
// members, their leads and the opportunities naming it.
func TestEngine_CampaignEffect(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.AsActor("user:li"), testkit.WithEncryption(), testkit.WithTemplate("b2b-sales"))
	eng, ctx := tn.Engine, tn.Admin
	create := func(object string, data map[string]any) string {
		t.Helper()
		rec, err := eng.CreateRecord(ctx, object, data)
		require.NoError(t, err, object)
		return rec.ID
	}
	campaign := create("campaign", map[string]any{"name": "2026 华东展会", "type": "exhibition", "actualCost": 1000.0})
	other := create("campaign", map[string]any{"name": "秋季研讨会", "type": "seminar"})
	account := create("account", map[string]any{"name": "远景能源"})
	contact := create("contact", map[string]any{"name": "王工", "account": account})
	converted := create("lead", map[string]any{"name": "王工", "status": "converted",
		"convertedAccount": account, "convertedContact": contact, "convertedAt": "2026-03-02T08:00:00Z"})
	open := create("lead", map[string]any{"name": "李明"})
	for _, m := range []map[string]any{
		{"lead": converted, "status": "attended"},
		{"lead": converted, "status": "registered"},
		{"lead": open, "status": "sent"},
		{"contact": contact, "status": "responded"},
	} {
		m["campaign"] = campaign
		create("campaignMember", m)
	}
	create("campaignMember", map[string]any{"campaign": other, "lead": open, "status": "attended"})
	for _, o := range []map[string]any{
		{"name": "一期", "amount": 5000.0},
		{"name": "二期", "stage": "won", "amount": 3000.0, "account": account, "closeDate": "2026-04-01"},
		{"name": "三期", "stage": "lost", "amount": 7000.0, "lossReason": "price"},
	} {
		o["campaign"] = campaign
		create("opportunity", o)
	}
	create("opportunity", map[string]any{"name": "别的活动", "amount": 100.0, "campaign": other})

	got, err := eng.CampaignEffect(ctx, "campaign", campaign)
	require.NoError(t, err)
	i := func(n int64) *int64 { return &n }
	assert.Equal(t, &engine.CampaignEffect{
		Members: i(4), Responses: i(3), ResponseRate: f64(0.75),
		ConvertedLeads:          i(1), // two leads, one converted
		InfluencedOpportunities: i(1), InfluencedPipeline: f64(5000),
		WonOpportunities: i(1), WonRevenue: f64(3000),
		Cost: f64(1000), ROI: f64(2), // (3000 − 1000) / 1000
	}, got)

	quiet, err := eng.CampaignEffect(ctx, "campaign", other)
	require.NoError(t, err)
	assert.Nil(t, quiet.Cost, "no cost entered")
	assert.Nil(t, quiet.ROI)
	assert.Equal(t, f64(100), quiet.InfluencedPipeline)

	scenarios := []struct {
		name   string
		object string
		id     string
		code   engine.Code
		words  string
	}{
		{"not a campaign object", "account", account, engine.CodeBadRequest, "account is not a campaign object"},
		{"no such campaign", "campaign", "nope", engine.CodeNotFound, "nope"},
	}
	for _, s := range scenarios {
		_, err := eng.CampaignEffect(ctx, s.object, s.id)
		assert.Equal(t, s.code, engine.CodeOf(err), s.name)
		assert.ErrorContains(t, err, s.words, s.name)
	}
}

// TestEngine_CampaignEffectRespectsRoles: records the caller may not see
// are not counted, and a field its role may not read is refused by name.
func TestEngine_CampaignEffectRespectsRoles(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithObjects(
		`{"$id": "campaign", "type": "object", "properties": {
		  "name": {"type": "string", "x-crm-type": "text"}, "cost": {"type": "number", "x-crm-type": "currency"}},
		  "x-crm-campaign": {"cost": "cost", "opportunities": {"object": "deal", "via": "campaign"}}}`,
		`{"$id": "deal", "type": "object", "x-crm-sharing": "private", "properties": {
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "campaign": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "campaign"},
		  "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
		    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`))
	eng, admin := tn.Engine, tn.Admin
	as := salesTeam(t, eng, admin)
	c, err := eng.CreateRecord(admin, "campaign", map[string]any{"name": "展会", "cost": 100.0})
	require.NoError(t, err)
	for who, amount := range map[string]float64{"rep1": 300, "rep3": 900} {
		_, err := eng.CreateRecord(as[who], "deal", map[string]any{"campaign": c.ID, "stage": "won", "amount": amount})
		require.NoError(t, err)
	}
	all, err := eng.CampaignEffect(admin, "campaign", c.ID)
	require.NoError(t, err)
	assert.Equal(t, f64(1200), all.WonRevenue)
	own, err := eng.CampaignEffect(as["rep1"], "campaign", c.ID)
	require.NoError(t, err)
	assert.Equal(t, f64(300), own.WonRevenue, "rep3's private deal is not counted")
	assert.Equal(t, f64(2), own.ROI)

	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"campaign": {Read: true}, "deal": {Read: true, Fields: map[string]string{"amount": engine.FieldHidden}}}}))
	_, err = eng.CampaignEffect(as["rep1"], "campaign", c.ID)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, "deal.amount")
}

// TestEngine_CampaignEffectRetail: a retail campaign's members are the
// coupons it issued and a redeemed coupon is a response; it has no cost,
// leads or opportunities to add up.
func TestEngine_CampaignEffectRetail(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "shop", testkit.WithEncryption(), testkit.WithTemplate("retail"))
	eng, ctx := tn.Engine, tn.Admin
	c, err := eng.CreateRecord(ctx, "campaign", map[string]any{"name": "双十一", "type": "festival", "budget": 5000.0})
	require.NoError(t, err)
	for i, status := range []string{"redeemed", "expired", "redeemed", "voided"} {
		data := map[string]any{"code": "C" + string(rune('0'+i)), "type": "cash", "campaign": c.ID, "status": status, "redeemedAt": "2026-11-11T10:00:00Z"}
		_, err := eng.CreateRecord(ctx, "coupon", data)
		require.NoError(t, err)
	}
	got, err := eng.CampaignEffect(ctx, "campaign", c.ID)
	require.NoError(t, err)
	i := func(n int64) *int64 { return &n }
	assert.Equal(t, &engine.CampaignEffect{Members: i(4), Responses: i(2), ResponseRate: f64(0.5)}, got)
}
