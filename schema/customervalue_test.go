package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// customerJSON is a customer object with every field customer value
// writes.
const customerJSON = `{"$id":"customer","type":"object","properties":{
  "name":{"type":"string","x-crm-type":"text"},
  "r":{"type":"integer","x-crm-type":"integer"},
  "f":{"type":"integer","x-crm-type":"integer"},
  "m":{"type":"integer","x-crm-type":"integer"},
  "segment":{"type":"string","x-crm-type":"picklist","enum":["importantValue","importantDevelop","importantKeep","importantRetain","generalValue","generalDevelop","generalKeep","generalRetain"]},
  "grade":{"type":"string","x-crm-type":"picklist","enum":["strategic","important","general"]},
  "ltv":{"type":"number","x-crm-type":"currency"},
  "stage":{"type":"string","x-crm-type":"picklist","enum":["prospect","acquisition","growth","maturity","churn"]},
  "risk":{"type":"string","x-crm-type":"picklist","enum":["low","medium","high"]},
  "last":{"type":"string","format":"date","x-crm-type":"date"},
  "orders":{"type":"integer","x-crm-type":"integer"},
  "total":{"type":"number","x-crm-type":"rollup","x-crm-rollup":{"object":"order","via":"customer","function":"sum","field":"amount"}}
 },
 "x-crm-customerValue":{
  "orders":{"object":"order","customer":"customer","amount":"amount","date":"placedAt","completed":{"field":"status","op":"eq","value":"done"}},
  "fields":{"recencyScore":"r","frequencyScore":"f","monetaryScore":"m","segment":"segment","grade":"grade","lifetimeValue":"ltv",
   "lifecycle":"stage","churnRisk":"risk","lastPurchase":"last","purchaseCount":"orders"}}}`

func customerDoc(t testing.TB) doc {
	t.Helper()
	var d doc
	require.NoError(t, json.Unmarshal([]byte(customerJSON), &d))
	return d
}

func TestParseObject_CustomerValue(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(customerJSON))
	require.NoError(t, err)
	cv := obj.CustomerValue
	require.NotNil(t, cv)
	assert.Equal(t, "order", cv.OrderObject)
	assert.Equal(t, "customer", cv.OrderCustomer)
	assert.Equal(t, "amount", cv.OrderAmount)
	assert.Equal(t, "placedAt", cv.OrderDate)
	assert.JSONEq(t, `{"field":"status","op":"eq","value":"done"}`, string(cv.Completed))
	assert.Equal(t, 365, cv.WindowDays)
	assert.Equal(t, "@daily", cv.Schedule)
	assert.Equal(t, schema.GradePareto, cv.GradeMethod)
	assert.InDelta(t, 0.8, cv.Strategic, 1e-9)
	assert.InDelta(t, 0.95, cv.Important, 1e-9)
	assert.Equal(t, 90, cv.AcquisitionDays)
	assert.InDelta(t, 3.0, cv.ChurnGapFactor, 1e-9)
	assert.Equal(t, 365, cv.ChurnDays)
	assert.Equal(t, "segment", cv.Fields["segment"])
	assert.Equal(t, "last", cv.Fields["lastPurchase"])
	assert.Len(t, cv.Fields, 10)

	d := customerDoc(t)
	d["x-crm-customerValue"].(doc)["grade"] = doc{"method": "thresholds", "strategic": 50000, "important": 10000}
	d["x-crm-customerValue"].(doc)["windowDays"] = 180
	d["x-crm-customerValue"].(doc)["lifecycle"] = doc{"acquisitionDays": 30, "churnGapFactor": 2.5, "churnDays": 200}
	obj, err = schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	cv = obj.CustomerValue
	assert.Equal(t, schema.GradeThresholds, cv.GradeMethod)
	assert.InDelta(t, 50000, cv.Strategic, 1e-9)
	assert.InDelta(t, 10000, cv.Important, 1e-9)
	assert.Equal(t, 180, cv.WindowDays)
	assert.Equal(t, 30, cv.AcquisitionDays)
	assert.InDelta(t, 2.5, cv.ChurnGapFactor, 1e-9)
	assert.Equal(t, 200, cv.ChurnDays)

	d = customerDoc(t)
	prop(d, "grade")["enum"] = []any{"strategic", "important", "normal"}
	d["x-crm-customerValue"].(doc)["values"] = doc{"general": "normal"}
	obj, err = schema.ParseObject(encode(t, d))
	require.NoError(t, err, "a picklist that names 普通 otherwise")
	assert.Equal(t, "normal", obj.CustomerValue.Value("general"))
	assert.Equal(t, "strategic", obj.CustomerValue.Value("strategic"))

	redacted := obj.Redacted(nil)
	assert.NotContains(t, string(redacted.Definition), "x-crm-customerValue", "the orders it reads are for administrators")
}

func TestParseObject_CustomerValueProblems(t *testing.T) {
	t.Parallel()
	cv := func(d doc) doc { return d["x-crm-customerValue"].(doc) }
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"unknown field", func(d doc) { cv(d)["fields"].(doc)["grade"] = "tier" },
			"/x-crm-customerValue/fields/grade", `names "tier", which is not a property of this object`},
		{"segment on a text field", func(d doc) { prop(d, "name")["x-crm-type"] = "text"; cv(d)["fields"].(doc)["segment"] = "name" },
			"/x-crm-customerValue/fields/segment", `segment must be written to a picklist with the values`},
		{"grade picklist missing a value", func(d doc) {
			prop(d, "grade")["enum"] = []any{"strategic", "general"}
		}, "/x-crm-customerValue/fields/grade", `whose options lack "important"`},
		{"score on a date field", func(d doc) {
			cv(d)["fields"].(doc)["recencyScore"] = "last"
			delete(cv(d)["fields"].(doc), "lastPurchase")
		},
			"/x-crm-customerValue/fields/recencyScore", `recencyScore is a number`},
		{"roll-up field", func(d doc) { cv(d)["fields"].(doc)["lifetimeValue"] = "total" },
			"/x-crm-customerValue/fields/lifetimeValue", `a rollup field: the engine computes it otherwise`},
		{"one field twice", func(d doc) { cv(d)["fields"].(doc)["purchaseCount"] = "f" },
			"/x-crm-customerValue/fields/purchaseCount", `names "f", which "frequencyScore" already writes`},
		{"unknown output", func(d doc) { cv(d)["fields"].(doc)["tier"] = "grade" },
			"/x-crm-customerValue/fields/tier", `keyword "tier" is not supported here`},
		{"no orders", func(d doc) { delete(cv(d), "orders") },
			"/x-crm-customerValue/orders", "is required"},
		{"bad schedule", func(d doc) { cv(d)["schedule"] = "daily" },
			"/x-crm-customerValue/schedule", "is not a schedule"},
		{"short window", func(d doc) { cv(d)["windowDays"] = 3 },
			"/x-crm-customerValue/windowDays", "7"},
		{"thresholds without amounts", func(d doc) { cv(d)["grade"] = doc{"method": "thresholds"} },
			"/x-crm-customerValue/grade", "thresholds grading needs"},
		{"thresholds out of order", func(d doc) { cv(d)["grade"] = doc{"method": "thresholds", "strategic": 100, "important": 500} },
			"/x-crm-customerValue/grade/important", "more than strategic"},
		{"share above one", func(d doc) { cv(d)["grade"] = doc{"method": "pareto", "strategic": 80} },
			"/x-crm-customerValue/grade/strategic", "shares of revenue"},
		{"shares out of order", func(d doc) { cv(d)["grade"] = doc{"method": "pareto", "strategic": 0.9, "important": 0.5} },
			"/x-crm-customerValue/grade/important", "less than strategic"},
		{"unknown grade method", func(d doc) { cv(d)["grade"] = doc{"method": "abc"} },
			"/x-crm-customerValue/grade/method", `must be "thresholds"`},
		{"renamed value missing", func(d doc) { cv(d)["values"] = doc{"general": "normal"} },
			"/x-crm-customerValue/fields/grade", `whose options lack "normal"`},
		{"renaming an unknown value", func(d doc) { cv(d)["values"] = doc{"vip": "a"} },
			"/x-crm-customerValue/values/vip", `"vip" is not a value customer value writes`},
		{"bad completed filter", func(d doc) { cv(d)["orders"].(doc)["completed"] = doc{"field": "status", "op": "like"} },
			"/x-crm-customerValue/orders/completed/op", "is not a filter operator"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := customerDoc(t)
			s.change(d)
			_, err := schema.ParseObject(encode(t, d))
			require.Error(t, err)
			found := false
			for _, p := range problemsOf(t, err) {
				if p.Path == s.path {
					assert.Contains(t, p.Message, s.msg)
					found = true
				}
			}
			assert.True(t, found, "a problem at %s in %v", s.path, problemsOf(t, err))
		})
	}
}
