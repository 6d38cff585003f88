package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// Funnel of the fake counts calls; the figures are the engine's, tested
// over the real stack.
func (f *fakeEngine) Funnel(ctx context.Context, object, field string, q engine.FunnelQuery) (*engine.Funnel, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin(ctx, "Funnel"); err != nil {
		return nil, err
	}
	return &engine.Funnel{Field: field}, nil
}

// Forecast of the fake counts calls and records the query.
func (f *fakeEngine) Forecast(ctx context.Context, object, field string, q engine.ForecastQuery) (*engine.Forecast, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin(ctx, "Forecast"); err != nil {
		return nil, err
	}
	f.forecastQueries = append(f.forecastQueries, q)
	return &engine.Forecast{Field: field}, nil
}

// analyticsStack is pipelineStack under a fake clock, with its deals
// moved along: a created 03-02 09:00 UTC and won 27 hours later with
// amount 800, b lost after 2 hours, c still new.
func analyticsStack(t *testing.T) (*testkit.Tenant, func(query string) map[string]any) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv, tn := realServer(t, testkit.WithClock(clk), testkit.WithObjects(
		`{"$id": "deal", "type": "object", "properties": {
		  "title": {"type": "string", "x-crm-type": "text"},
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
		  "stage": {"type": "string", "enum": ["new", "proposal", "won", "lost"], "default": "new", "x-crm-type": "picklist",
		    "x-crm-options": [{"value": "new", "label": {"zh": "新建", "en": "New"}}, {"value": "won", "label": {"zh": "赢单", "en": "Won"}}],
		    "x-crm-pipeline": {"stages": [
		      {"value": "new", "category": "open", "probability": 10},
		      {"value": "proposal", "category": "open", "probability": 70},
		      {"value": "won", "category": "won", "probability": 100, "next": []},
		      {"value": "lost", "category": "lost", "probability": 0}]}}},
		  "required": ["title"]}`))
	ctx := tn.Admin
	create := func(title string) string {
		rec, err := tn.Engine.CreateRecord(ctx, "deal", map[string]any{"title": title})
		require.NoError(t, err)
		return rec.ID
	}
	move := func(id string, patch map[string]any) {
		_, err := tn.Engine.UpdateRecord(ctx, "deal", id, patch, nil)
		require.NoError(t, err)
	}
	a, b := create("a"), create("b")
	create("c")
	clk.Advance(2 * time.Hour)
	move(b, map[string]any{"stage": "lost"})
	move(a, map[string]any{"stage": "proposal", "amount": 800.0, "closeDate": "2026-03-20"})
	clk.Advance(25 * time.Hour)
	move(a, map[string]any{"stage": "won"})
	clk.Advance(24 * time.Hour)

	app := newTestApp(t, srv)
	return tn, func(query string) map[string]any {
		t.Helper()
		body, err := json.Marshal(map[string]any{"query": query})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test-Actor", "admin")
		resp, err := app.Test(req, -1)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
}

func TestAnalytics_Funnel(t *testing.T) {
	t.Parallel()
	_, post := analyticsStack(t)
	got := post(`{ dealsFunnel(from: "2026-03-01", to: "2026-03-31") {
		field amountField records won lost winRate openCount averageWonAmount averageDaysToClose velocity
		stages { stage { value label { zh } } step reached current conversionFromPrevious conversionFromFirst averageHours averageDays } } }`)
	require.Nil(t, got["errors"])
	f := path(got, "data", "dealsFunnel")
	assert.Equal(t, map[string]any{
		"field": "stage", "amountField": "amount", "records": 3.0, "won": 1.0, "lost": 1.0, "winRate": 0.5,
		"openCount": 1.0, "averageWonAmount": 800.0, "averageDaysToClose": 1.125, "velocity": 355.56,
	}, without(f, "stages"), "velocity: 1 × 800 × 0.5 / 1.125")
	assert.Equal(t, []any{
		// a 2h, b 2h, c 51h so far
		map[string]any{"stage": map[string]any{"value": "new", "label": map[string]any{"zh": "新建"}}, "step": true, "reached": 3.0, "current": 1.0,
			"conversionFromPrevious": nil, "conversionFromFirst": 1.0, "averageHours": 18.33, "averageDays": 0.7639},
		map[string]any{"stage": map[string]any{"value": "proposal", "label": map[string]any{"zh": nil}}, "step": true, "reached": 1.0, "current": 0.0,
			"conversionFromPrevious": 0.3333, "conversionFromFirst": 0.3333, "averageHours": 25.0, "averageDays": 1.0417},
		map[string]any{"stage": map[string]any{"value": "won", "label": map[string]any{"zh": "赢单"}}, "step": true, "reached": 1.0, "current": 1.0,
			"conversionFromPrevious": 1.0, "conversionFromFirst": 0.3333, "averageHours": nil, "averageDays": nil},
		map[string]any{"stage": map[string]any{"value": "lost", "label": map[string]any{"zh": nil}}, "step": false, "reached": 1.0, "current": 1.0,
			"conversionFromPrevious": nil, "conversionFromFirst": 0.3333, "averageHours": nil, "averageDays": nil},
	}, path(f, "stages"))

	got = post(`{ dealsFunnel(to: "2026-02-28", filter: {title: {eq: "a"}}) { records winRate } }`)
	assert.Equal(t, map[string]any{"records": 0.0, "winRate": nil}, path(got, "data", "dealsFunnel"))

	got = post(`{ dealsFunnel(from: "March") { records } }`)
	assert.Equal(t, "BAD_REQUEST", path(got, "errors", 0, "extensions", "code"))
	assert.Contains(t, path(got, "errors", 0, "message"), "YYYY-MM-DD")
}

// without returns the object v without the key.
func without(v any, key string) map[string]any {
	out := map[string]any{}
	for k, x := range v.(map[string]any) {
		if k != key {
			out[k] = x
		}
	}
	return out
}

func TestAnalytics_Forecast(t *testing.T) {
	t.Parallel()
	_, post := analyticsStack(t)
	got := post(`{ dealsForecast(groupBy: [MONTH]) {
		field amountField closeDateField scanned
		rows { month { value label from to } owner { value } weighted bestCase committed won openCount wonCount }
		total { month { value } weighted bestCase committed won openCount wonCount } } }`)
	require.Nil(t, got["errors"])
	assert.Equal(t, map[string]any{
		"field": "stage", "amountField": "amount", "closeDateField": "closeDate", "scanned": 2.0,
		"rows": []any{
			map[string]any{"month": map[string]any{"value": "2026-03-01", "label": "2026年3月", "from": "2026-03-01", "to": "2026-04-01"}, "owner": nil,
				"weighted": 0.0, "bestCase": 0.0, "committed": 0.0, "won": 800.0, "openCount": 0.0, "wonCount": 1.0},
			map[string]any{"month": map[string]any{"value": nil, "label": "（空）", "from": nil, "to": nil}, "owner": nil,
				"weighted": 0.0, "bestCase": 0.0, "committed": 0.0, "won": 0.0, "openCount": 1.0, "wonCount": 0.0},
		},
		"total": map[string]any{"month": nil, "weighted": 0.0, "bestCase": 0.0, "committed": 0.0, "won": 800.0, "openCount": 1.0, "wonCount": 1.0},
	}, path(got, "data", "dealsForecast"), "b is lost: left out")
}

// TestAnalytics_ForecastArguments: groupBy picks the rows' keys, both
// when it is left out; the period and filter reach the engine.
func TestAnalytics_ForecastArguments(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	deal := dealObject()
	deal.Field("stage").Pipeline.Stages[0].Probability = ptr(10)
	f.setObjects(tenantA, accountObject(), deal)
	mustRun(t, srv, user, `{ dealsForecast { field } }`, nil)
	mustRun(t, srv, user, `{ dealsForecast(groupBy: [OWNER], from: "2026-01-01", to: "2026-06-30", view: "mine") { field } }`, nil)
	mustRun(t, srv, user, `{ dealsForecast(groupBy: []) { field } }`, nil)
	require.Len(t, f.forecastQueries, 3)
	assert.Equal(t, engine.ForecastQuery{ByMonth: true, ByOwner: true}, f.forecastQueries[0])
	assert.Equal(t, engine.ForecastQuery{View: "mine", From: "2026-01-01", To: "2026-06-30", ByOwner: true}, f.forecastQueries[1])
	assert.Equal(t, engine.ForecastQuery{}, f.forecastQueries[2])
}

// CampaignEffect of the fake counts calls.
func (f *fakeEngine) CampaignEffect(ctx context.Context, object, id string) (*engine.CampaignEffect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin(ctx, "CampaignEffect"); err != nil {
		return nil, err
	}
	return &engine.CampaignEffect{}, nil
}

func TestAnalytics_CampaignEffect(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t, testkit.WithObjects(
		`{"$id": "campaign", "type": "object", "properties": {
		  "name": {"type": "string", "x-crm-type": "text"}, "cost": {"type": "number", "x-crm-type": "currency"}},
		  "x-crm-campaign": {"cost": "cost",
		    "members": {"object": "member", "via": "campaign", "responded": {"field": "status", "values": ["came"]}},
		    "opportunities": {"object": "deal", "via": "campaign"}}}`,
		`{"$id": "member", "type": "object", "properties": {
		  "campaign": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "campaign"},
		  "status": {"type": "string", "enum": ["invited", "came"], "x-crm-type": "picklist"}}}`,
		`{"$id": "deal", "type": "object", "properties": {
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "campaign": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "campaign"},
		  "stage": {"type": "string", "enum": ["open", "won", "lost"], "default": "open", "x-crm-type": "picklist",
		    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}, {"value": "lost", "category": "lost"}]}}}}`))
	ctx := tn.Admin
	c, err := tn.Engine.CreateRecord(ctx, "campaign", map[string]any{"name": "展会", "cost": 400.0})
	require.NoError(t, err)
	for _, m := range []map[string]any{{"status": "came"}, {"status": "invited"}, {"status": "came"}} {
		m["campaign"] = c.ID
		_, err := tn.Engine.CreateRecord(ctx, "member", m)
		require.NoError(t, err)
	}
	for _, d := range []map[string]any{{"amount": 250.0}, {"amount": 1000.0, "stage": "won"}, {"amount": 9.0, "stage": "lost"}} {
		d["campaign"] = c.ID
		_, err := tn.Engine.CreateRecord(ctx, "deal", d)
		require.NoError(t, err)
	}
	app := newTestApp(t, srv)
	query := `{"query": "query($id: ID!) { campaignEffect(object: \"campaign\", id: $id) { members responses responseRate convertedLeads influencedOpportunities influencedPipeline wonOpportunities wonRevenue cost roi } }", "variables": {"id": "` + c.ID + `"}}`
	runHTTP(t, app, httpScenario{
		name: "campaign effect", method: http.MethodPost, url: "/graphql", body: query,
		headers: map[string]string{"X-Test-Actor": "admin"}, expectedStatus: http.StatusOK,
		expectedJSON: `{"data": {"campaignEffect": {"members": 3, "responses": 2, "responseRate": 0.6667, "convertedLeads": null,
			"influencedOpportunities": 1, "influencedPipeline": 250, "wonOpportunities": 1, "wonRevenue": 1000, "cost": 400, "roi": 1.5}}}`,
	})
	runHTTP(t, app, httpScenario{
		name: "not a campaign", method: http.MethodPost, url: "/graphql",
		body:    `{"query": "{ campaignEffect(object: \"deal\", id: \"x\") { members } }"}`,
		headers: map[string]string{"X-Test-Actor": "admin"}, expectedStatus: http.StatusOK,
		expectedBody: []string{`"code":"BAD_REQUEST"`, "deal不是市场活动对象"},
	})
}
