package engine

import (
	"context"
	"errors"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// CampaignEffect is what one campaign brought: its members and their
// responses, the leads among them converted, the opportunities it brought
// in and what they won, against its cost. A figure is nil when the
// object's x-crm-campaign does not say where it comes from (or, for the
// rates, when its denominator is zero or missing).
type CampaignEffect struct {
	// Members counts the member records naming the campaign; Responses
	// those whose response field holds a response value; ResponseRate is
	// Responses / Members.
	Members, Responses *int64
	ResponseRate       *float64
	// ConvertedLeads counts the distinct leads of the members that are
	// converted now.
	ConvertedLeads *int64
	// InfluencedOpportunities and InfluencedPipeline are the count and
	// Σ amount of the open opportunities naming the campaign.
	InfluencedOpportunities *int64
	InfluencedPipeline      *float64
	// WonOpportunities and WonRevenue are the count and Σ amount of the
	// won ones.
	WonOpportunities *int64
	WonRevenue       *float64
	// Cost is the campaign's cost field; ROI is (WonRevenue − Cost) / Cost.
	Cost *float64
	ROI  *float64
}

// CampaignEffect returns the effect of the campaign record id of object,
// an object whose definition has an x-crm-campaign (BAD_REQUEST
// otherwise), counting only the records the caller sees. A field the
// caller's role may not read is a BAD_REQUEST naming it; an object the
// role may not read is refused as reading it would be; settings naming
// what does not exist are a BAD_REQUEST saying which.
func (e *Engine) CampaignEffect(ctx context.Context, object, id string) (*CampaignEffect, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	cfg := sc.obj.Campaign
	if cfg == nil {
		return nil, errorOf(ErrBadRequest, nil, "analytics.notCampaign", object, labelZh(sc.obj))
	}
	rec, err := sc.ts.Get(ctx, sc.obj, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !sc.rules.Sees(&rec)) {
		return nil, notFound(sc.obj, id, err)
	}
	if err != nil {
		return nil, queryFailed(sc.obj, err)
	}
	out := &CampaignEffect{}
	if cfg.Cost != "" {
		if err := readable(sc.obj, sc.rules, cfg.Cost); err != nil {
			return nil, err
		}
		if v, ok := numberOf(rec.Data[cfg.Cost]); ok {
			out.Cost = &v
		}
	}
	if cfg.Members != nil {
		if err := e.campaignMembers(ctx, object, id, cfg.Members, out); err != nil {
			return nil, err
		}
	}
	if cfg.Opportunities != nil {
		if err := e.campaignOpportunities(ctx, object, id, cfg.Opportunities, out); err != nil {
			return nil, err
		}
	}
	if out.Cost != nil && out.WonRevenue != nil {
		out.ROI = ratio(*out.WonRevenue-*out.Cost, *out.Cost)
	}
	return out, nil
}

// campaignMembers counts the members of campaign id, their responses and
// their converted leads.
func (e *Engine) campaignMembers(ctx context.Context, object, id string, m *schema.CampaignMembers, out *CampaignEffect) error {
	ms, err := e.readScope(ctx, m.Object)
	if err != nil {
		return err
	}
	if err := campaignLookup(object, ms, m.Via); err != nil {
		return err
	}
	members, err := e.readAll(ctx, ms.actor.TenantID, ms.ts, ms.obj, ms.rules.Scope(ptr(store.Leaf(m.Via, store.OpEq, id))))
	if err != nil {
		return err
	}
	n := int64(len(members))
	out.Members = &n
	if r := m.Responded; r != nil {
		if ms.obj.Field(r.Field) == nil {
			return errorOf(ErrBadRequest, nil, "analytics.badCampaign", object, m.Object, r.Field)
		}
		if err := readable(ms.obj, ms.rules, r.Field); err != nil {
			return err
		}
		var responses int64
		for _, rec := range members {
			if v, ok := rec.Data[r.Field].(string); ok && slices.Contains(r.Values, v) {
				responses++
			}
		}
		out.Responses = &responses
		out.ResponseRate = ratio(float64(responses), float64(n))
	}
	if m.Lead != nil {
		converted, err := e.convertedLeads(ctx, object, ms, members, m.Lead)
		if err != nil {
			return err
		}
		out.ConvertedLeads = &converted
	}
	return nil
}

// convertedLeads counts the distinct leads of members that the caller sees
// and that are converted now.
func (e *Engine) convertedLeads(ctx context.Context, object string, ms objectScope, members []store.Record, l *schema.LeadConversion) (int64, error) {
	if err := campaignLookup(object, ms, l.Via); err != nil {
		return 0, err
	}
	ls, err := e.readScope(ctx, ms.obj.Field(l.Via).Target)
	if err != nil {
		return 0, err
	}
	if ls.obj.Field(l.Field) == nil {
		return 0, errorOf(ErrBadRequest, nil, "analytics.badCampaign", object, ls.obj.Name, l.Field)
	}
	if err := readable(ls.obj, ls.rules, l.Field); err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	var leads []any
	for _, rec := range members {
		if v, ok := rec.Data[l.Via].(string); ok && !seen[v] {
			seen[v] = true
			leads = append(leads, v)
		}
	}
	var converted int64
	for start := 0; start < len(leads); start += 500 {
		batch := leads[start:min(start+500, len(leads))]
		recs, err := e.readAll(ctx, ls.actor.TenantID, ls.ts, ls.obj, allOf(ls.rules.Scope(nil), ptr(store.Leaf("id", store.OpIn, batch))))
		if err != nil {
			return 0, err
		}
		for _, rec := range recs {
			if v, ok := rec.Data[l.Field].(string); ok && slices.Contains(l.Values, v) {
				converted++
			}
		}
	}
	return converted, nil
}

// campaignOpportunities adds up the open and won opportunities naming
// campaign id: one aggregation by their pipeline field.
func (e *Engine) campaignOpportunities(ctx context.Context, object, id string, o *schema.CampaignLink, out *CampaignEffect) error {
	opp, err := e.readScope(ctx, o.Object)
	if err != nil {
		return err
	}
	if err := campaignLookup(object, opp, o.Via); err != nil {
		return err
	}
	var stage *schema.Field
	for _, f := range opp.obj.Fields {
		if f.Pipeline != nil {
			stage = f
			break
		}
	}
	if stage == nil {
		return errorOf(ErrBadRequest, nil, "analytics.badCampaign", object, o.Object, "x-crm-pipeline")
	}
	amount := amountField(opp.obj, stage.Pipeline)
	if amount == nil {
		return errorOf(ErrBadRequest, nil, "analytics.badCampaign", object, o.Object, "amount")
	}
	for _, f := range []string{stage.Name, amount.Name} {
		if err := readable(opp.obj, opp.rules, f); err != nil {
			return err
		}
	}
	res, err := e.Aggregate(ctx, o.Object, AggregateQuery{
		Filter:   ptr(store.Leaf(o.Via, store.OpEq, id)),
		GroupBy:  []store.GroupBy{{Field: stage.Name}},
		Measures: []store.Measure{{Op: store.MeasureSum, Field: amount.Name}, {Op: store.MeasureCount}},
		First:    MaxGroups,
	})
	if err != nil {
		return err
	}
	var openN, wonN int64
	var openSum, wonSum float64
	for _, g := range res.Groups {
		value, _ := g.Keys[0].Value.(string)
		st := stage.Pipeline.Stage(value)
		sum, _ := g.Values[0].(float64)
		count, _ := g.Values[1].(int64)
		switch {
		case st == nil:
		case st.Category == schema.StageOpen:
			openN, openSum = openN+count, openSum+sum
		case st.Category == schema.StageWon:
			wonN, wonSum = wonN+count, wonSum+sum
		}
	}
	out.InfluencedOpportunities, out.InfluencedPipeline = &openN, rounded(openSum, 2)
	out.WonOpportunities, out.WonRevenue = &wonN, rounded(wonSum, 2)
	return nil
}

// campaignLookup checks that field of the object in sc is a lookup the
// caller may read.
func campaignLookup(campaign string, sc objectScope, field string) error {
	f := sc.obj.Field(field)
	if f == nil || f.Type != schema.TypeLookup {
		return errorOf(ErrBadRequest, nil, "analytics.badCampaign", campaign, sc.obj.Name, field)
	}
	return readable(sc.obj, sc.rules, field)
}
