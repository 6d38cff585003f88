package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The usage query counts the tenant's script runs and their failures, its
// requests and those the rate limit refused.
func TestE2E_Usage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, "--rate-per-key", "1")
	other := createKey(t, dir, "default") // its own bucket, for reading the figures
	def := `{"$id": "ticket", "type": "object", "properties": {"subject": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [{"name": "check", "kind": "validate", "source": "if (!ctx.record.subject) ctx.addError('subject', 'needed')"}]}`
	require.Empty(t, s.gql(t, s.Key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)}).Errors)
	require.Empty(t, s.gql(t, s.Key, `mutation { createTicket(input: {subject: "printer"}) { id } }`, nil).Errors)
	limited := false
	for range 50 {
		if s.gql(t, s.Key, `{ __typename }`, nil).Status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	require.True(t, limited, "a burst of requests meets the rate limit")

	r := s.gql(t, other, `mutation { testScript(object: "ticket", kind: "validate", source: "while (true) {}") { error } }`, nil)
	require.Empty(t, r.Errors)
	require.NotNil(t, path(r.Data, "testScript", "error"), "the budget stopped the run")
	var figures []any
	for range 50 { // the key's bucket refills in a second
		r = s.gql(t, other, `{ usage { name window value unit description limit } }`, nil)
		if r.Status != http.StatusTooManyRequests {
			break
		}
	}
	require.Empty(t, r.Errors)
	figures = path(r.Data, "usage").([]any)
	got := map[string]float64{}
	limits := map[string]any{}
	for _, f := range figures {
		m := f.(map[string]any)
		got[m["name"].(string)+"/"+m["window"].(string)] = m["value"].(float64)
		limits[m["name"].(string)] = m["limit"]
		assert.NotEmpty(t, m["description"])
	}
	assert.GreaterOrEqual(t, got["script.runs/hour"], 2.0, "the record's validation and the test run")
	assert.GreaterOrEqual(t, got["script.failures/hour"], 1.0)
	assert.GreaterOrEqual(t, got["script.limitStops/hour"], 1.0)
	assert.Positive(t, got["script.time/hour"])
	assert.GreaterOrEqual(t, got["api.requests/hour"], 4.0)
	assert.GreaterOrEqual(t, got["api.rateLimited/hour"], 1.0)
	assert.Equal(t, got["api.requests/hour"], got["api.requests/day"])
	assert.Contains(t, got, "script.inFlight/now")
	assert.Contains(t, got, "outbox.pending/now")
	assert.Positive(t, got["store.bytes/now"])
	assert.Equal(t, "script.wallTime", limits["script.longest"])
	assert.Equal(t, "api.ratePerKey", limits["api.rateLimited"])
	assert.Nil(t, limits["script.runs"])
}
