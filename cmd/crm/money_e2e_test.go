package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_ExchangeRates: money in several currencies over HTTP, on the
// store the server runs on. An order in dollars is converted at the rate
// of its day; a new rate for that day makes the server's worker recompute
// it in the background; reports add converted amounts.
func TestServe_ExchangeRates(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": map[string]any{
		"$id": "order", "type": "object",
		"x-crm-multiCurrency": map[string]any{"codeField": "currency", "dateField": "orderDate"},
		"properties": map[string]any{
			"title":     map[string]any{"type": "string", "x-crm-type": "text"},
			"currency":  map[string]any{"type": "string", "x-crm-type": "text"},
			"orderDate": map[string]any{"type": "string", "format": "date", "x-crm-type": "date"},
			"amount":    map[string]any{"type": "number", "x-crm-type": "currency"},
		},
	}})
	s.ok(t, `mutation { setExchangeRate(input: {currency: "USD", rate: "7", validFrom: "2026-01-01"}) { id } }`, nil)
	usd := s.ok(t, `mutation { createOrder(input: {title: "pumps", currency: "USD", orderDate: "2026-03-02", amount: 100.1}) { id amountConverted } }`, nil)
	assert.Equal(t, 700.7, path(usd, "createOrder", "amountConverted"))
	id := path(usd, "createOrder", "id").(string)
	s.ok(t, `mutation { createOrder(input: {title: "valves", amount: 0.3}) { id } }`, nil)

	s.ok(t, `mutation { setExchangeRate(input: {currency: "USD", rate: "7.25", validFrom: "2026-01-01"}) { rate } }`, nil)
	// The worker recomputes in the background; a job started by the first
	// rate may still be at work when the second comes, which then starts
	// one of its own.
	var jobs []any
	require.Eventually(t, func() bool {
		jobs = path(s.ok(t, `{ jobs { kind object status total done missing } }`, nil), "jobs").([]any)
		for _, j := range jobs {
			if path(j, "status") == "pending" || path(j, "status") == "running" {
				return false
			}
		}
		return true
	}, 2*time.Minute, 50*time.Millisecond, "the jobs finish (the bound is for a loaded CI machine)")
	require.NotEmpty(t, jobs)
	for _, j := range jobs {
		assert.Equal(t, "recomputeConverted", path(j, "kind"))
		assert.Equal(t, "done", path(j, "status"))
		assert.Equal(t, 0.0, path(j, "missing"))
	}
	assert.Equal(t, map[string]any{"kind": "recomputeConverted", "object": "order", "status": "done", "total": 2.0, "done": 2.0, "missing": 0.0}, jobs[0])
	got := s.ok(t, `query($id: ID!) { order(id: $id) { amountConverted } }`, map[string]any{"id": id})
	assert.Equal(t, 725.73, path(got, "order", "amountConverted"), "100.1 × 7.25 = 725.725 → 725.73")

	data := s.ok(t, `{ ordersAggregate { groups { count sum(field: amount) } } }`, nil)
	assert.Equal(t, []any{map[string]any{"count": 2.0, "sum": 726.03}}, path(data, "ordersAggregate", "groups"), "converted amounts add up, exactly")

	data = s.ok(t, `{ orders(filter: {amountConverted: {gt: 1}}, orderBy: [{amountConverted: DESC}]) { nodes { title amountConverted } } }`, nil)
	assert.Equal(t, []any{map[string]any{"title": "pumps", "amountConverted": 725.73}}, path(data, "orders", "nodes"), "converted amounts filter and sort")

	r := s.gql(t, s.Key, `mutation { createOrder(input: {title: "x", currency: "EUR", orderDate: "2026-03-02", amount: 1}) { id } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0].Extensions["fields"], map[string]any{"field": "amount", "code": "rate",
		"message": "there is no exchange rate of EUR on 2026-03-02 to convert the amount into CNY: an administrator sets one first"})
}
