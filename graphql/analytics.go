package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// Analytics is what the built-in analytics need: the funnel and forecast
// of a pipeline, and the effect of a campaign.
type Analytics interface {
	// Funnel returns the funnel of a pipeline field over a period.
	Funnel(ctx context.Context, object, field string, q engine.FunnelQuery) (*engine.Funnel, error)
	// Forecast returns the weighted forecast of a pipeline field.
	Forecast(ctx context.Context, object, field string, q engine.ForecastQuery) (*engine.Forecast, error)
	// CampaignEffect returns what one campaign record brought.
	CampaignEffect(ctx context.Context, object, id string) (*engine.CampaignEffect, error)
}

// analyticsSDLQuery holds the root fields of the analytics that are not
// generated per object.
const analyticsSDLQuery = `  "What one campaign brought (an object whose definition has x-crm-campaign, such as b2b-sales campaign): members, responses, converted leads, open and won opportunities and ROI, counting only records the caller sees (docs/analytics.md)."
  campaignEffect(object: String!, id: ID!): CampaignEffect!
`

// analyticsSDL holds the types of the built-in analytics
// (docs/analytics.md says what each figure means).
const analyticsSDL = `
"The funnel of a pipeline over a period: its population is the records created in the period that the caller sees and the filter and view match."
type PipelineFunnel {
  "The pipeline field."
  field: String!
  "The field the money figures add up: the one the pipeline names (x-crm-pipeline amount), else the object's first currency field; null when there is none."
  amountField: String
  "Records created in the period."
  records: Int!
  "The stages in pipeline order."
  stages: [FunnelStage!]!
  "Records that entered a won stage in the period and are still in it, whenever created."
  won: Int!
  "Records that entered a lost stage in the period and are still in it, whenever created."
  lost: Int!
  "won / (won + lost); null when nothing closed (or the pipeline has no won and lost stages)."
  winRate: Float
  "Records in an open stage now, whenever created."
  openCount: Int!
  "The mean amount of the records won in the period that have one."
  averageWonAmount: Float
  "The mean days from creation to entering the won stage of the records won in the period."
  averageDaysToClose: Float
  "openCount × averageWonAmount × winRate / averageDaysToClose: the amount expected to be won per day; null when a part is missing."
  velocity: Float
}

"One stage of a funnel."
type FunnelStage {
  stage: StageDefinition!
  "true for the stages on the funnel's path (open, won, and the first closed stage of an open/closed pipeline); false for exits (lost stages, later closed ones)."
  step: Boolean!
  "Records of the period that entered this stage or, for a step, a later step."
  reached: Int!
  "Records of the period in this stage now."
  current: Int!
  "reached / the previous step's reached; null for the first step, exits and an empty previous step."
  conversionFromPrevious: Float
  "reached / the first step's reached."
  conversionFromFirst: Float
  "The mean time a visit to the stage lasted, from entering to leaving (until now for records still in it), in hours; open stages only; null when none was visited."
  averageHours: Float
  "The same in days."
  averageDays: Float
}

"What one campaign brought. A figure is null when the object's x-crm-campaign does not say where it comes from, or (rates, ROI) when its denominator is zero or missing."
type CampaignEffect {
  "Member records naming the campaign."
  members: Int
  "Members whose response field holds a response value."
  responses: Int
  "responses / members."
  responseRate: Float
  "Distinct leads of the members that are converted now."
  convertedLeads: Int
  "Open opportunities naming the campaign."
  influencedOpportunities: Int
  "Σ amount of the open opportunities naming the campaign."
  influencedPipeline: Float
  "Won opportunities naming the campaign."
  wonOpportunities: Int
  "Σ amount of the won opportunities naming the campaign."
  wonRevenue: Float
  "The campaign's cost field."
  cost: Float
  "(wonRevenue − cost) / cost."
  roi: Float
}

"How a forecast is cut into rows."
enum ForecastGroup {
  "By close month (in the tenant's zone)."
  MONTH
  "By the records' owner."
  OWNER
}

"The weighted forecast of a pipeline: open and won records whose close date falls in the period, that the caller sees and the filter and view match."
type PipelineForecast {
  "The pipeline field."
  field: String!
  "The field the figures add up: the one the pipeline names (x-crm-pipeline amount), else the object's first currency field."
  amountField: String!
  "The date field cut into months: the one the pipeline names (x-crm-pipeline closeDate), else the first date field named close… or expected…."
  closeDateField: String!
  "Ordered by month (records without a close date last), then owner; one row when groupBy is empty."
  rows: [ForecastRow!]!
  "The rows added up."
  total: ForecastRow!
  "Records the aggregation read."
  scanned: Int!
}

"The forecast of one close month and/or owner."
type ForecastRow {
  "The close month (value its first day, label 2026-12, from and to its days) when grouped by month; its value is null for records without a close date."
  month: GroupKey
  "The records' owner (value user:NAME, label their name) when grouped by owner."
  owner: GroupKey
  "Σ amount × stage probability over the open records."
  weighted: Float!
  "Σ amount over the open records."
  bestCase: Float!
  "Σ amount over the open records in a stage of probability 70 or more."
  committed: Float!
  "Σ amount over the records in a won stage."
  won: Float!
  openCount: Int!
  wonCount: Int!
}
`

// funnelResolver serves Query.<list>Funnel.
func (s *execSchema) funnelResolver(p *pipelineModel) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		lq, err := listQuery(p.obj, fc.args)
		if err != nil {
			return nil, err
		}
		q := engine.FunnelQuery{View: lq.View, Filter: lq.Filter}
		q.From, _ = fc.args["from"].(string)
		q.To, _ = fc.args["to"].(string)
		f, err := s.srv.analytics.Funnel(ctx, p.obj.name, p.field.name, q)
		if err != nil {
			return nil, err
		}
		return &funnelValue{Funnel: f, field: p.field}, nil
	}
}

// forecastResolver serves Query.<list>Forecast.
func (s *execSchema) forecastResolver(p *pipelineModel) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		lq, err := listQuery(p.obj, fc.args)
		if err != nil {
			return nil, err
		}
		q := engine.ForecastQuery{View: lq.View, Filter: lq.Filter, ByMonth: true, ByOwner: true}
		q.From, _ = fc.args["from"].(string)
		q.To, _ = fc.args["to"].(string)
		if groups, ok := fc.args["groupBy"].([]any); ok {
			q.ByMonth, q.ByOwner = false, false
			for _, g := range groups {
				switch g {
				case "MONTH":
					q.ByMonth = true
				case "OWNER":
					q.ByOwner = true
				}
			}
		}
		return s.srv.analytics.Forecast(ctx, p.obj.name, p.field.name, q)
	}
}

func forecastResolvers() (forecast, row map[string]resolver) {
	fv := func(p any) *engine.Forecast { return p.(*engine.Forecast) }
	forecast = map[string]resolver{
		"field":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).Field, nil },
		"amountField":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).AmountField, nil },
		"closeDateField": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).CloseDateField, nil },
		"rows": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			rows := fv(p).Rows
			out := make([]any, len(rows))
			for i := range rows {
				out[i] = &rows[i]
			}
			return out, nil
		},
		"total":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return &fv(p).Total, nil },
		"scanned": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).Scanned), nil },
	}
	rv := func(p any) *engine.ForecastRow { return p.(*engine.ForecastRow) }
	key := func(k *engine.GroupKey) any {
		if k == nil {
			return nil
		}
		return k
	}
	row = map[string]resolver{
		"month":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return key(rv(p).Month), nil },
		"owner":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return key(rv(p).Owner), nil },
		"weighted":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Weighted, nil },
		"bestCase":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).BestCase, nil },
		"committed": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Committed, nil },
		"won":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Won, nil },
		"openCount": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(rv(p).OpenCount), nil },
		"wonCount":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(rv(p).WonCount), nil },
	}
	return forecast, row
}

// campaignResolvers serve Query.campaignEffect and CampaignEffect.
func (s *execSchema) campaignResolvers(query map[string]resolver) (effect map[string]resolver) {
	query["campaignEffect"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		object, _ := fc.args["object"].(string)
		id, _ := fc.args["id"].(string)
		return s.srv.analytics.CampaignEffect(ctx, object, id)
	}
	ce := func(p any) *engine.CampaignEffect { return p.(*engine.CampaignEffect) }
	count := func(n *int64) any {
		if n == nil {
			return nil
		}
		return clampInt32(*n)
	}
	return map[string]resolver{
		"members":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return count(ce(p).Members), nil },
		"responses":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return count(ce(p).Responses), nil },
		"responseRate":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(ce(p).ResponseRate), nil },
		"convertedLeads": func(_ context.Context, p any, _ *fieldCall) (any, error) { return count(ce(p).ConvertedLeads), nil },
		"influencedOpportunities": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return count(ce(p).InfluencedOpportunities), nil
		},
		"influencedPipeline": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optFloat(ce(p).InfluencedPipeline), nil
		},
		"wonOpportunities": func(_ context.Context, p any, _ *fieldCall) (any, error) { return count(ce(p).WonOpportunities), nil },
		"wonRevenue":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(ce(p).WonRevenue), nil },
		"cost":             func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(ce(p).Cost), nil },
		"roi":              func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(ce(p).ROI), nil },
	}
}

// funnelValue is a funnel with its pipeline field, for the stages' labels.
type funnelValue struct {
	*engine.Funnel
	field *fieldModel
}

// funnelStageValue is one stage of a funnel.
type funnelStageValue struct {
	engine.FunnelStage
	def stageDefValue
}

func funnelResolvers() (funnel, stage map[string]resolver) {
	fv := func(p any) *funnelValue { return p.(*funnelValue) }
	funnel = map[string]resolver{
		"field":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).Field, nil },
		"amountField": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(fv(p).AmountField), nil },
		"records":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).Records), nil },
		"stages": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			f := fv(p)
			out := make([]any, len(f.Stages))
			for i, st := range f.Stages {
				out[i] = &funnelStageValue{FunnelStage: st, def: stageDefValue{field: f.field.f, stage: st.Stage}}
			}
			return out, nil
		},
		"won":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).Won), nil },
		"lost":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).Lost), nil },
		"winRate":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(fv(p).WinRate), nil },
		"openCount": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).OpenCount), nil },
		"averageWonAmount": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optFloat(fv(p).AverageWonAmount), nil
		},
		"averageDaysToClose": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optFloat(fv(p).AverageDaysToClose), nil
		},
		"velocity": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(fv(p).Velocity), nil },
	}
	sv := func(p any) *funnelStageValue { return p.(*funnelStageValue) }
	stage = map[string]resolver{
		"stage":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).def, nil },
		"step":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Step, nil },
		"reached": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(sv(p).Reached), nil },
		"current": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(sv(p).Current), nil },
		"conversionFromPrevious": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optFloat(sv(p).FromPrevious), nil
		},
		"conversionFromFirst": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(sv(p).FromFirst), nil },
		"averageHours":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(sv(p).AverageHours), nil },
		"averageDays":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return optFloat(sv(p).AverageDays), nil },
	}
	return funnel, stage
}

// optFloat is a figure that may be missing: nil (null) or its value.
func optFloat(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
