package graphql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/internal/testkit"
)

// BenchmarkCoerceBulkVariables decodes and coerces the variables of a
// createDeals request of 500 inputs of 15 fields each (bench/'s peer
// deal), as a POST body arrives: the body's members, the variables'
// members, then the value. It reports the CPU of the work between the
// HTTP body and the resolver, per input:
//
//	go test ./graphql -run '^$' -bench CoerceBulkVariables -benchmem
func BenchmarkCoerceBulkVariables(b *testing.B) {
	s, err := gqlparser.LoadSchema(&ast.Source{Input: `
scalar Date
enum Stage { lead qualified proposal won lost }
input DealInput { title: String! stage: Stage amount: Float closeDate: Date account: ID rep: String
  probability: Int source: String priority: String kind: String email: String phone: String
  nextStep: String description: String forecast: Boolean }
type Query { x: Int }
type Mutation { createDeals(inputs: [DealInput!]!): Int }`})
	require.NoError(b, err)
	doc, gerr := gqlparser.LoadQueryWithRules(s, `mutation($in: [DealInput!]!) { createDeals(inputs: $in) }`, nil)
	require.Nil(b, gerr)
	op := doc.Operations[0]
	inputs := make([]map[string]any, 500)
	for i := range inputs {
		inputs[i] = map[string]any{
			"title": fmt.Sprintf("商机 %d \"引号\"", i), "stage": "proposal", "amount": 12345.5 + float64(i), "closeDate": "2026-12-31",
			"account": fmt.Sprintf("01JACCOUNT%06d", i), "rep": "王伟", "probability": i % 100, "source": "web", "priority": "high",
			"kind": "new", "email": fmt.Sprintf("buyer%d@example.com", i), "phone": "+86 138 0000 0000", "nextStep": "call back",
			"description": "跟进中，需要报价", "forecast": i%2 == 0,
		}
	}
	body, err := json.Marshal(map[string]any{"query": "mutation($in: [DealInput!]!) { createDeals(inputs: $in) }", "variables": map[string]any{"in": inputs}})
	require.NoError(b, err)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0, measured := testkit.ProcessCPU()
	for b.Loop() {
		require.True(b, json.Valid(body))
		req, ok := splitObject(bytes.Clone(body))
		require.True(b, ok)
		in, ok := parseParams(req)
		require.True(b, ok)
		vars, qerrs := coerceVariables(s, op, in.variables, map[string]int{"in": 500})
		require.Empty(b, qerrs)
		require.Len(b, vars["in"], 500)
	}
	if cpu1, ok := testkit.ProcessCPU(); measured && ok {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/1e3/float64(b.N*500), "cpu-µs/input")
	}
}
