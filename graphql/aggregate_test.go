package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func TestAggregate_QueryTranslation(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	mustRun(t, srv, admin, `mutation { a: createDeal(input: {title: "a", amount: 10, stage: new}) { id }
	  b: createDeal(input: {title: "b", amount: 5.5, stage: new}) { id }
	  c: createDeal(input: {title: "c", stage: won}) { id } }`, nil)

	data := mustRun(t, srv, user, `query($f: DealMeasureField!, $min: Float) {
	  dealsAggregate(groupBy: [{field: stage}, {field: createdAt, bucket: MONTH}],
	    having: [{measure: {function: COUNT}, gte: $min}],
	    orderBy: [{measure: {function: SUM, field: amount}, direction: DESC}, {key: 0}], first: 1000) {
	    groups { keys { field bucket value } n: count total: sum(field: $f) ...more }
	    hasMore scanned
	  } }
	fragment more on DealGroup { avg(field: amount) top: max(field: amount) sum(field: amount) }`,
		map[string]any{"f": "amount", "min": 1})

	require.Len(t, f.aggQueries, 1)
	q := f.aggQueries[0]
	assert.Equal(t, 1000, q.First)
	assert.Equal(t, []store.GroupBy{{Field: "stage"}, {Field: "createdAt", Bucket: store.BucketMonth}}, q.GroupBy)
	assert.Equal(t, []store.Measure{
		{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"},
		{Op: store.MeasureAvg, Field: "amount"}, {Op: store.MeasureMax, Field: "amount"},
	}, q.Measures, "each measure once, whether named by having, orderBy, a field, an alias or a fragment")
	assert.Equal(t, []store.Having{{Measure: 0, Op: store.OpGte, Value: 1}}, q.Having)
	assert.Equal(t, []store.GroupOrder{{Measure: true, Index: 1, Desc: true}, {Index: 0}}, q.Order)

	groups := path(data, "dealsAggregate", "groups").([]any)
	require.Len(t, groups, 2, "new and won")
	byStage := map[any]any{}
	for _, g := range groups {
		byStage[path(g, "keys", 0, "value")] = g
	}
	assert.Equal(t, float64(2), path(byStage["new"], "n"))
	assert.Equal(t, 15.5, path(byStage["new"], "total"))
	assert.Equal(t, 15.5, path(byStage["new"], "sum"))
	assert.Equal(t, 7.75, path(byStage["new"], "avg"))
	assert.Equal(t, float64(10), path(byStage["new"], "top"))
	assert.Nil(t, path(byStage["won"], "total"), "no value is null, not 0")
	assert.Equal(t, "MONTH", path(byStage["won"], "keys", 1, "bucket"))
	assert.Nil(t, path(byStage["won"], "keys", 0, "bucket"))
	assert.Equal(t, false, path(data, "dealsAggregate", "hasMore"))
	assert.Equal(t, float64(3), path(data, "dealsAggregate", "scanned"))
}

func TestAggregate_Refusals(t *testing.T) {
	t.Parallel()
	srv, f := newTestServer(t)
	scenarios := []struct {
		name  string
		query string
		code  string
	}{
		{"first above the bound", `{ dealsAggregate(first: 1001) { groups { count } } }`, "BAD_REQUEST"},
		{"first below one", `{ dealsAggregate(first: 0) { groups { count } } }`, "BAD_REQUEST"},
		{"order by both a key and a measure", `{ dealsAggregate(groupBy: [{field: stage}], orderBy: [{key: 0, measure: {function: COUNT}}]) { groups { count } } }`, "BAD_REQUEST"},
		{"order by a key past groupBy", `{ dealsAggregate(groupBy: [{field: stage}], orderBy: [{key: 1}]) { groups { count } } }`, "BAD_REQUEST"},
		{"count with a field", `{ dealsAggregate(having: [{measure: {function: COUNT, field: amount}, gt: 1}]) { groups { count } } }`, "BAD_REQUEST"},
		{"sum without a field", `{ dealsAggregate(orderBy: [{measure: {function: SUM}}]) { groups { count } } }`, "BAD_REQUEST"},
		{"having without a comparison", `{ dealsAggregate(having: [{measure: {function: COUNT}}]) { groups { count } } }`, "BAD_REQUEST"},
		{"a group field that is not one", `{ dealsAggregate(groupBy: [{field: amount}]) { groups { count } } }`, "BAD_REQUEST"},
		{"a bucket that is not one", `{ dealsAggregate(groupBy: [{field: createdAt, bucket: DECADE}]) { groups { count } } }`, "BAD_REQUEST"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := run(t, srv, user, s.query, nil)
			require.NotEmpty(t, r.Errors, "refused")
			assert.Equal(t, s.code, r.codes()[0], r.Errors[0].Message)
		})
	}
	assert.Empty(t, f.aggQueries, "nothing reached the engine")
}

func TestAggregate_RealEngine(t *testing.T) {
	t.Parallel()
	srv := pipelineStack(t)
	acc := mustRun(t, srv, admin, `mutation { createAccount(input: {name: "远景能源"}) { id } }`, nil)
	accID := path(acc, "createAccount", "id").(string)
	mustRun(t, srv, admin, `mutation($a: ID) {
	  x: createDeal(input: {title: "风机", amount: 100.1, account: $a}) { id }
	  y: createDeal(input: {title: "叶片", amount: 200.2, account: $a}) { id }
	  z: createDeal(input: {title: "塔筒"}) { id } }`, map[string]any{"a": accID})

	data := mustRun(t, srv, user, `{ dealsAggregate(groupBy: [{field: account}], orderBy: [{measure: {function: SUM, field: amount}, direction: DESC}]) {
	  groups { keys { field value label } count sum(field: amount) avg(field: amount) } hasMore scanned } }`, nil)
	assert.Equal(t, map[string]any{"dealsAggregate": map[string]any{
		"groups": []any{
			map[string]any{"keys": []any{map[string]any{"field": "account", "value": accID, "label": "远景能源"}}, "count": 2.0, "sum": 300.3, "avg": 150.15},
			map[string]any{"keys": []any{map[string]any{"field": "account", "value": nil, "label": "（空）"}}, "count": 1.0, "sum": nil, "avg": nil},
		},
		"hasMore": false, "scanned": 3.0,
	}}, data, "the biggest sum first; a group without amounts sums to null")

	data = mustRun(t, srv, user, `{ dealsAggregate(groupBy: [{field: stage}, {field: createdAt, bucket: YEAR}]) { groups { keys { value label bucket from to } count } } }`, nil)
	keys := path(data, "dealsAggregate", "groups", 0, "keys").([]any)
	assert.Equal(t, "new", path(keys, 0, "value"))
	assert.Equal(t, "新建", path(keys, 0, "label"))
	assert.Equal(t, "YEAR", path(keys, 1, "bucket"))
	assert.Regexp(t, `^\d{4}年$`, path(keys, 1, "label"))
	assert.Regexp(t, `^\d{4}-12-31T16:00:00Z$`, path(keys, 1, "from"), "a year in Asia/Shanghai starts at 16:00 UTC on 31 December")

	r := run(t, srv, user, `{ dealsAggregate(groupBy: [{field: title}]) { groups { sum(field: title) } } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
	assert.Contains(t, r.Errors[0].Message, "title")
}
