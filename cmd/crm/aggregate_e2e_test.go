package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_Aggregate: groups and measures over HTTP, computed by the
// store the server runs on (.ci/ferretdb-e2e runs it on MongoDB too):
// keys with bucket ranges and a lookup's title, nil for
// records without a value, sums that are null without values, having,
// order and a page.
func TestServe_Aggregate(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	installStarter(t, s)
	acct := s.ok(t, `mutation { createAccount(input: {name: "杭州西湖茶业"}) { id } }`, nil)
	acctID := path(acct, "createAccount", "id").(string)
	for i, d := range []map[string]any{
		{"stage": "new", "amount": 1000.0, "closeDate": "2026-11-30", "account": acctID},
		{"stage": "new", "amount": 2500.5, "closeDate": "2026-12-01"},
		{"stage": "new", "closeDate": "2026-12-31", "account": acctID},
		{"stage": "won", "amount": 4000.0, "closeDate": "2026-12-15", "account": acctID},
		{"stage": "lost"},
	} {
		d["title"] = fmt.Sprintf("商机 %d", i)
		s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": d})
	}

	data := s.ok(t, `{ dealsAggregate(groupBy: [{field: stage}, {field: closeDate, bucket: MONTH}],
	    orderBy: [{measure: {function: SUM, field: amount}, direction: DESC}], first: 3) {
	  groups { keys { value from to } count sum(field: amount) top: max(field: amount) accounts: countDistinct(field: account) }
	  hasMore scanned } }`, nil)
	assert.Equal(t, map[string]any{"hasMore": true, "scanned": 5.0, "groups": []any{
		map[string]any{"keys": []any{
			map[string]any{"value": "won", "from": nil, "to": nil},
			map[string]any{"value": "2026-12-01", "from": "2026-12-01", "to": "2027-01-01"}},
			"count": 1.0, "sum": 4000.0, "top": 4000.0, "accounts": 1.0},
		map[string]any{"keys": []any{
			map[string]any{"value": "new", "from": nil, "to": nil},
			map[string]any{"value": "2026-12-01", "from": "2026-12-01", "to": "2027-01-01"}},
			"count": 2.0, "sum": 2500.5, "top": 2500.5, "accounts": 1.0},
		map[string]any{"keys": []any{
			map[string]any{"value": "new", "from": nil, "to": nil},
			map[string]any{"value": "2026-11-01", "from": "2026-11-01", "to": "2026-12-01"}},
			"count": 1.0, "sum": 1000.0, "top": 1000.0, "accounts": 1.0},
	}}, data["dealsAggregate"], "sums first, largest first; lost has no amount, so its sum is null and comes last")

	data = s.ok(t, `{ dealsAggregate(groupBy: [{field: account}], having: [{measure: {function: COUNT}, gte: 3}]) {
	  groups { keys { value label } count avg(field: amount) } } }`, nil)
	assert.Equal(t, []any{map[string]any{"keys": []any{map[string]any{"value": acctID, "label": "杭州西湖茶业"}}, "count": 3.0, "avg": 2500.0}},
		path(data, "dealsAggregate", "groups"), "the two deals without an account are one group, which the having leaves out")

	data = s.ok(t, `{ dealsAggregate(filter: {stage: {eq: lost}}) { groups { count sum(field: amount) } } }`, nil)
	assert.Equal(t, []any{map[string]any{"count": 1.0, "sum": nil}}, path(data, "dealsAggregate", "groups"), "one group without keys; no amount, no sum")

	// Books from December: 30 November closes fiscal 2025, 1 December
	// opens 2026 (named by the year it starts in).
	s.ok(t, `mutation { setTenantSettings(input: {fiscalYearStart: 12}) { fiscalYearStart } }`, nil)
	data = s.ok(t, `{ dealsAggregate(groupBy: [{field: closeDate, bucket: FISCAL_QUARTER}]) {
	  groups { keys { bucket value label from to } count sum(field: amount) } } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"keys": []any{map[string]any{"bucket": "FISCAL_QUARTER", "value": nil, "label": "(empty)", "from": nil, "to": nil}}, "count": 1.0, "sum": nil},
		map[string]any{"keys": []any{map[string]any{"bucket": "FISCAL_QUARTER", "value": "2025-Q4", "label": "FY2025 Q4", "from": "2026-09-01", "to": "2026-12-01"}}, "count": 1.0, "sum": 1000.0},
		map[string]any{"keys": []any{map[string]any{"bucket": "FISCAL_QUARTER", "value": "2026-Q1", "label": "FY2026 Q1", "from": "2026-12-01", "to": "2027-03-01"}}, "count": 3.0, "sum": 6500.5},
	}, path(data, "dealsAggregate", "groups"), "fiscal quarters from December")
	bad := s.gql(t, s.Key, `{ dealsAggregate(groupBy: [{field: stage, bucket: FISCAL_YEAR}]) { groups { count } } }`, nil)
	require.NotEmpty(t, bad.Errors)
	assert.Contains(t, bad.Errors[0].Message, "only date and date-time fields are cut into buckets")
}
