package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
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
}
