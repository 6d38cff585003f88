package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
)

// valueCustomerDef is a customer object valued from its orders; GRADE is
// replaced by each scenario's grade.
const valueCustomerDef = `{"$id": "customer", "type": "object", "properties": {
  "name":   {"type": "string", "x-crm-type": "text"},
  "r":      {"type": "integer", "x-crm-type": "integer"},
  "f":      {"type": "integer", "x-crm-type": "integer"},
  "m":      {"type": "integer", "x-crm-type": "integer"},
  "segment": {"type": "string", "x-crm-type": "picklist", "enum": ["importantValue","importantDevelop","importantKeep","importantRetain","generalValue","generalDevelop","generalKeep","generalRetain"]},
  "grade":  {"type": "string", "x-crm-type": "picklist", "enum": ["strategic","important","general"]},
  "ltv":    {"type": "number", "x-crm-type": "currency"},
  "stage":  {"type": "string", "x-crm-type": "picklist", "enum": ["prospect","acquisition","growth","maturity","churn"]},
  "risk":   {"type": "string", "x-crm-type": "picklist", "enum": ["low","medium","high"]},
  "last":   {"type": "string", "format": "date", "x-crm-type": "date"},
  "orders": {"type": "integer", "x-crm-type": "integer"}},
 "x-crm-customerValue": {
  "orders": {"object": "purchase", "customer": "customer", "amount": "amount", "date": "placedAt",
             "completed": {"field": "status", "op": "eq", "value": "done"}},
  "windowDays": 360,
  "grade": GRADE,
  "lifecycle": {"churnDays": 300},
  "fields": {"recencyScore": "r", "frequencyScore": "f", "monetaryScore": "m", "segment": "segment", "grade": "grade",
   "lifetimeValue": "ltv", "lifecycle": "stage", "churnRisk": "risk", "lastPurchase": "last", "purchaseCount": "orders"}}}`

const valueOrderDef = `{"$id": "purchase", "type": "object", "properties": {
  "customer": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "customer"},
  "amount":   {"type": "number", "x-crm-type": "currency"},
  "placedAt": {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
  "status":   {"type": "string", "enum": ["done", "cancelled"], "x-crm-type": "picklist"}}}`

// valueAsOf is noon in Shanghai on 2026-06-30.
var valueAsOf = time.Date(2026, 6, 30, 4, 0, 0, 0, time.UTC)

// valueOrders are each customer's orders: days before valueAsOf (placed at
// 10:00 in Shanghai) and amount; a negative amount is a cancelled order of
// that amount.
var valueOrders = map[string][][2]float64{
	"A": {{1, -9999}, {5, 100}, {35, 100}, {65, 100}, {95, 100}, {125, 100}, {155, 100}, {185, 100}, {215, 100}, {245, 100}, {275, 100}, {305, 100}, {335, 100}},
	"B": {{10, 100}, {40, 100}, {70, 100}, {100, 100}, {200, 100}},
	"C": {{20, 50}, {-10, 10000}}, // and one dated ten days ahead: not yet a purchase
	"D": {{100, 300}, {130, 300}, {160, 300}, {190, 300}, {220, 300}},
	"E": {{50, 50}, {190, 50}, {200, 50}, {210, 50}, {220, 50}, {230, 50}},
	"F": {{400, 1000}},
	"G": {},
	"H": {{5, -80}},
}

// valueTenant makes the customers and orders of valueOrders and returns
// the customers' ids by name.
func valueTenant(t *testing.T, grade string) (*testkit.Tenant, *testkit.Clock, map[string]string) {
	t.Helper()
	clk := testkit.NewClock(valueAsOf)
	tn := testkit.New(t, "shop", testkit.WithClock(clk),
		testkit.WithObjects(strings.Replace(valueCustomerDef, "GRADE", grade, 1), valueOrderDef))
	ids := map[string]string{}
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
		c, err := tn.Engine.CreateRecord(tn.Admin, "customer", map[string]any{"name": name})
		require.NoError(t, err)
		ids[name] = c.ID
		for _, o := range valueOrders[name] {
			at := valueAsOf.Add(-time.Duration(o[0]) * 24 * time.Hour).Add(-2 * time.Hour)
			status, amount := "done", o[1]
			if amount < 0 {
				status, amount = "cancelled", -amount
			}
			_, err := tn.Engine.CreateRecord(tn.Admin, "purchase", map[string]any{"customer": c.ID, "amount": amount,
				"placedAt": at.Format(time.RFC3339), "status": status})
			require.NoError(t, err)
		}
	}
	_, err := tn.Engine.CreateRecord(tn.Admin, "purchase", map[string]any{"amount": 5000.0, "placedAt": valueAsOf.Add(-time.Hour).Format(time.RFC3339), "status": "done"})
	require.NoError(t, err, "an order of no customer counts for no one")
	return tn, clk, ids
}

// runJobs lets the worker work until no job is left unfinished.
func runJobs(t *testing.T, tn *testkit.Tenant) {
	t.Helper()
	for range 50 {
		_, err := worker.RunDue(tn.Background, tn.Engine.Queues(), worker.Config{})
		require.NoError(t, err)
		jobs, err := tn.Engine.Jobs(tn.Admin, 10)
		require.NoError(t, err)
		open := false
		for _, j := range jobs {
			open = open || j.Status == engine.JobPending || j.Status == engine.JobRunning
		}
		if !open {
			return
		}
	}
	t.Fatal("jobs still unfinished after 50 passes")
}

func valuesOf(t *testing.T, tn *testkit.Tenant, ids map[string]string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for name, id := range ids {
		r, err := tn.Engine.GetRecord(tn.Admin, "customer", id)
		require.NoError(t, err)
		v := map[string]any{}
		for _, k := range []string{"r", "f", "m", "segment", "grade", "ltv", "stage", "risk", "last", "orders"} {
			v[k] = r.Data[k]
		}
		out[name] = v
	}
	return out
}

func TestEngine_RecomputeCustomerValue(t *testing.T) {
	t.Parallel()
	day := func(age int) string { return valueAsOf.AddDate(0, 0, -age).Format(time.DateOnly) }
	want := map[string]map[string]any{
		"A": {"r": 5.0, "f": 5.0, "m": 4.0, "segment": "importantValue", "ltv": 1200.0, "stage": "maturity", "risk": "low", "last": day(5), "orders": 12.0},
		"B": {"r": 4.0, "f": 2.0, "m": 3.0, "segment": "importantDevelop", "ltv": 500.0, "stage": "growth", "risk": "low", "last": day(10), "orders": 5.0},
		"C": {"r": 3.0, "f": 1.0, "m": 1.0, "segment": "generalDevelop", "ltv": 50.0, "stage": "acquisition", "risk": "low", "last": day(20), "orders": 1.0},
		"D": {"r": 1.0, "f": 2.0, "m": 5.0, "segment": "importantRetain", "ltv": 1500.0, "stage": "churn", "risk": "high", "last": day(100), "orders": 5.0},
		"E": {"r": 2.0, "f": 4.0, "m": 2.0, "segment": "generalKeep", "ltv": 300.0, "stage": "maturity", "risk": "high", "last": day(50), "orders": 6.0},
		"F": {"r": 1.0, "f": 1.0, "m": 1.0, "segment": "generalRetain", "ltv": 1000.0, "stage": "churn", "risk": "high", "last": day(400), "orders": 1.0},
		"G": {"r": nil, "f": nil, "m": nil, "segment": nil, "ltv": 0.0, "stage": "prospect", "risk": nil, "last": nil, "orders": 0.0},
		"H": {"r": nil, "f": nil, "m": nil, "segment": nil, "ltv": 0.0, "stage": "prospect", "risk": nil, "last": nil, "orders": 0.0},
	}
	scenarios := []struct {
		name   string
		grade  string
		grades map[string]any
	}{
		{"thresholds", `{"method": "thresholds", "strategic": 1000, "important": 300}`,
			map[string]any{"A": "strategic", "B": "important", "C": "general", "D": "strategic", "E": "important", "F": "general", "G": nil, "H": nil}},
		// Window revenue 1500 D, 1200 A, 500 B, 300 E, 50 C of 3550: D, A
		// and B start below 80 %, E below 95 %.
		{"pareto", `{"method": "pareto"}`,
			map[string]any{"A": "strategic", "B": "strategic", "C": "general", "D": "strategic", "E": "important", "F": "general", "G": nil, "H": nil}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tn, _, ids := valueTenant(t, s.grade)
			job, err := tn.Engine.RecomputeCustomerValue(tn.Admin, "customer")
			require.NoError(t, err)
			assert.Equal(t, engine.JobCustomerValue, job.Kind)
			assert.Equal(t, engine.JobPending, job.Status)
			again, err := tn.Engine.RecomputeCustomerValue(tn.Admin, "customer")
			require.NoError(t, err)
			assert.Equal(t, job.ID, again.ID, "a run already waiting is not started twice")
			runJobs(t, tn)

			got := valuesOf(t, tn, ids)
			for name, w := range want {
				exp := map[string]any{}
				for k, v := range w {
					exp[k] = v
				}
				exp["grade"] = s.grades[name]
				assert.Equal(t, exp, got[name], "customer %s", name)
			}
			jobs, err := tn.Engine.Jobs(tn.Admin, 10)
			require.NoError(t, err)
			require.Len(t, jobs, 1)
			assert.Equal(t, engine.JobDone, jobs[0].Status)
			assert.Equal(t, int64(8), jobs[0].Total)
			assert.Equal(t, int64(8), jobs[0].Done)
			assert.Equal(t, int64(8), jobs[0].Changed)
		})
	}
}

func TestEngine_CustomerValueSchedule(t *testing.T) {
	t.Parallel()
	tn, clk, ids := valueTenant(t, `{"method": "thresholds", "strategic": 1000, "important": 300}`)
	ctx := tn.Admin

	// The first pass plans the next run (midnight UTC); nothing runs yet.
	runJobs(t, tn)
	jobs, err := tn.Engine.Jobs(ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, jobs)

	clk.Set(time.Date(2026, 7, 1, 0, 0, 30, 0, time.UTC))
	runJobs(t, tn)
	jobs, err = tn.Engine.Jobs(ctx, 10)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, engine.JobDone, jobs[0].Status)
	assert.Equal(t, int64(8), jobs[0].Changed)
	a, err := tn.Engine.GetRecord(ctx, "customer", ids["A"])
	require.NoError(t, err)
	assert.Equal(t, "maturity", a.Data["stage"])

	// The next day nothing changed: nothing is written.
	clk.Set(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	_, err = tn.Engine.RecomputeCustomerValue(ctx, "customer")
	require.NoError(t, err)
	runJobs(t, tn)
	jobs, err = tn.Engine.Jobs(ctx, 10)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	assert.Equal(t, int64(0), jobs[0].Changed)

	// A hundred days on, A has missed three of its 30-day gaps: churned,
	// and the audit trail shows the move, made by the system.
	clk.Set(valueAsOf.AddDate(0, 0, 100))
	_, err = tn.Engine.RecomputeCustomerValue(ctx, "customer")
	require.NoError(t, err)
	runJobs(t, tn)
	a, err = tn.Engine.GetRecord(ctx, "customer", ids["A"])
	require.NoError(t, err)
	assert.Equal(t, "churn", a.Data["stage"])
	assert.Equal(t, "high", a.Data["risk"])
	trail, _, err := tn.Engine.Audit(ctx, engine.AuditQuery{Object: "customer", RecordID: ids["A"], First: 1})
	require.NoError(t, err)
	require.Len(t, trail, 1)
	assert.Equal(t, "system", trail[0].Actor)
	assert.Equal(t, engine.FieldChange{Old: "maturity", New: "churn"}, trail[0].Changes["stage"])
}

func TestEngine_RecomputeCustomerValueRefused(t *testing.T) {
	t.Parallel()
	tn, _, _ := valueTenant(t, `{"method": "pareto"}`)
	scenarios := []struct {
		name   string
		ctx    context.Context
		object string
		kind   error
		text   string
	}{
		{"not an administrator", tn.As(engine.Actor{ID: "user:rep"}), "customer", engine.ErrForbidden, "only administrators"},
		{"no customer value", tn.Admin, "purchase", engine.ErrBadRequest, "has no customer value"},
		{"no such object", tn.Admin, "nothing", engine.ErrBadRequest, `unknown object "nothing"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := tn.Engine.RecomputeCustomerValue(s.ctx, s.object)
			require.ErrorIs(t, err, s.kind)
			assert.Contains(t, err.Error(), s.text)
		})
	}
	jobs, err := tn.Engine.Jobs(tn.Admin, 10)
	require.NoError(t, err)
	assert.Empty(t, jobs, "a refused request starts nothing")
}

func TestEngine_CustomerValueOrdersChecked(t *testing.T) {
	t.Parallel()
	bad := strings.Replace(strings.Replace(valueCustomerDef, "GRADE", `{"method": "pareto"}`, 1), `"amount": "amount"`, `"amount": "status"`, 1)
	tn := testkit.New(t, "shop", testkit.WithObjects(bad, valueOrderDef))
	_, err := tn.Engine.RecomputeCustomerValue(tn.Admin, "customer")
	require.ErrorIs(t, err, engine.ErrBadRequest)
	assert.Contains(t, err.Error(), "purchase.status must be a number field")
}

// Customers and orders over several pages of both (200 customers, 1,000
// orders a read): each customer is valued once, from all its orders.
func TestEngine_CustomerValuePages(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(valueAsOf)
	tn := testkit.New(t, "shop", testkit.WithClock(clk),
		testkit.WithObjects(strings.Replace(valueCustomerDef, "GRADE", `{"method": "pareto"}`, 1), valueOrderDef))
	const customers = 430
	want := map[string]int{}
	for i := range customers {
		c, err := tn.Engine.CreateRecord(tn.Admin, "customer", map[string]any{"name": "c"})
		require.NoError(t, err)
		n := 1 + i%7
		want[c.ID] = n
		for k := range n {
			at := valueAsOf.AddDate(0, 0, -10*(k+1))
			_, err := tn.Engine.CreateRecord(tn.Admin, "purchase", map[string]any{"customer": c.ID, "amount": 10.0,
				"placedAt": at.Format(time.RFC3339), "status": "done"})
			require.NoError(t, err)
		}
	}
	_, err := tn.Engine.RecomputeCustomerValue(tn.Admin, "customer")
	require.NoError(t, err)
	runJobs(t, tn)
	jobs, err := tn.Engine.Jobs(tn.Admin, 1)
	require.NoError(t, err)
	assert.Equal(t, engine.JobDone, jobs[0].Status)
	assert.Equal(t, int64(customers), jobs[0].Total)
	assert.Equal(t, int64(customers), jobs[0].Done)
	assert.Equal(t, int64(customers), jobs[0].Changed)

	// Seven order counts, 1 to 7, in equal parts: the cuts are 2, 3, 5, 6.
	fScore := map[int]float64{1: 1, 2: 1, 3: 2, 4: 3, 5: 3, 6: 4, 7: 5}
	q := engine.ListQuery{First: 100}
	seen := 0
	for {
		page, err := tn.Engine.ListRecords(tn.Admin, "customer", q)
		require.NoError(t, err)
		for _, r := range page.Records {
			n := want[r.ID]
			seen++
			assert.Equal(t, float64(n), r.Data["orders"], "customer %s", r.ID)
			assert.Equal(t, float64(10*n), r.Data["ltv"], "customer %s", r.ID)
			assert.Equal(t, fScore[n], r.Data["f"], "customer %s with %d orders", r.ID, n)
		}
		if !page.HasNextPage {
			break
		}
		q.After = page.EndCursor
	}
	assert.Equal(t, customers, seen)
}
