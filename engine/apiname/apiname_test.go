package apiname_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/apiname"
	"github.com/crmkit/crm/schema"
)

func TestPlural(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ name, want string }{
		{"deal", "deals"}, {"opportunity", "opportunities"}, {"address", "addresses"}, {"class", "classes"},
		{"box", "boxes"}, {"church", "churches"}, {"wish", "wishes"}, {"day", "days"}, {"key", "keys"},
		{"salesPerson", "salesPeople"}, {"person", "people"}, {"child", "children"}, {"status", "statuses"},
		{"workOrder", "workOrders"}, {"companyPolicy", "companyPolicies"}, {"news", "news"}, {"series", "series"},
		{"productData", "productData"}, {"x", "xes"}, {"y", "ys"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, apiname.Plural(s.name))
		})
	}
	assert.Equal(t, "newsList", apiname.List("news"))
	assert.Equal(t, "deals", apiname.List("deal"))
	assert.Equal(t, "Deal", apiname.UpperFirst("deal"))
}

func parse(t testing.TB, def string) *schema.Object {
	t.Helper()
	obj, err := schema.ParseObject([]byte(def))
	require.NoError(t, err)
	return obj
}

const dealDef = `{"$id": "deal", "type": "object", "properties": {
  "title": {"type": "string", "x-crm-type": "text"},
  "amount": {"type": "number", "x-crm-type": "currency"},
  "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist", "x-crm-options": [{"value": "a", "label": {"zh": "甲", "en": "A"}}, {"value": "b", "label": {"zh": "乙", "en": "B"}}]},
  "stage": {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist", "x-crm-options": [{"value": "new", "label": {"zh": "新", "en": "New"}}, {"value": "won", "label": {"zh": "赢", "en": "Won"}}],
    "x-crm-pipeline": {"stages": [{"value": "new", "category": "open", "probability": 10}, {"value": "won", "category": "won", "probability": 100}]}}}}`

func TestOf(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, n := range apiname.Of(parse(t, dealDef)) {
		assert.False(t, names[n.String()], "%s once", n)
		names[n.String()] = true
	}
	for _, want := range []string{
		"type Deal", "type DealConnection", "type DealEdge", "type DealFilter", "type DealOrderBy", "type DealInput", "type DealPatch",
		"Query.deal", "Query.deals", "Mutation.createDeal", "Mutation.updateDeal", "Mutation.deleteDeal", "Mutation.transferDeal",
		"type DealStage", "type DealStageComparison", "type DealTags", "type DealTagsListComparison",
		"Query.dealsByStage", "type DealStageColumn", "Query.dealsFunnel", "Query.dealsForecast",
		"Query.dealsAggregate", "type DealAggregate", "type DealGroup", "type DealGroupBy", "type DealGroupField",
		"type DealMeasureField", "type DealMeasure", "type DealHaving", "type DealGroupOrder",
		"Mutation.createDeals", "Mutation.updateDeals", "Mutation.upsertDeals", "Mutation.deleteDeals",
		"type DealUpdate", "type DealUpsert", "type DealWriteResult",
		"Mutation.massUpdateDeals", "Mutation.massTransferDeals", "Mutation.massDeleteDeals",
	} {
		assert.True(t, names[want], want)
	}
	assert.Len(t, names, 40, "nothing else: no DealUniqueField without a unique field")
}

func TestClashes(t *testing.T) {
	t.Parallel()
	object := func(name string) *schema.Object {
		return parse(t, `{"$id": "`+name+`", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"}}}`)
	}
	deal := parse(t, dealDef)
	scenarios := []struct {
		name   string
		obj    *schema.Object
		before *schema.Object
		others []*schema.Object
		want   []apiname.Clash
	}{
		{name: "a free name", obj: object("ticket"), others: []*schema.Object{deal}},
		{name: "a fixed root field", obj: object("report"), want: []apiname.Clash{
			{Name: apiname.Name{Kind: apiname.Type, Name: "Report"}},
			{Name: apiname.Name{Kind: apiname.Query, Name: "report"}},
			{Name: apiname.Name{Kind: apiname.Query, Name: "reports"}},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "deleteReport"}}}},
		{name: "a fixed list field", obj: object("dashboard"), want: []apiname.Clash{
			{Name: apiname.Name{Kind: apiname.Type, Name: "Dashboard"}},
			{Name: apiname.Name{Kind: apiname.Query, Name: "dashboard"}},
			{Name: apiname.Name{Kind: apiname.Query, Name: "dashboards"}},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "deleteDashboard"}}}},
		{name: "a fixed type", obj: object("pageInfo"), want: []apiname.Clash{{Name: apiname.Name{Kind: apiname.Type, Name: "PageInfo"}}}},
		{name: "a built-in scalar", obj: object("date"), want: []apiname.Clash{{Name: apiname.Name{Kind: apiname.Type, Name: "Date"}}}},
		{name: "the root type", obj: object("query"), want: []apiname.Clash{{Name: apiname.Name{Kind: apiname.Type, Name: "Query"}}}},
		{name: "a fixed mutation", obj: object("user"), want: []apiname.Clash{
			{Name: apiname.Name{Kind: apiname.Type, Name: "User"}},
			{Name: apiname.Name{Kind: apiname.Query, Name: "users"}},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "createUser"}},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "updateUser"}}}},
		{name: "another object's generated type", obj: object("dealStage"), others: []*schema.Object{deal}, want: []apiname.Clash{
			{Name: apiname.Name{Kind: apiname.Type, Name: "DealStage"}, With: "deal"}}},
		{name: "another object's list and bulk writes", obj: object("deals"), others: []*schema.Object{deal}, want: []apiname.Clash{
			{Name: apiname.Name{Kind: apiname.Query, Name: "deals"}, With: "deal"},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "createDeals"}, With: "deal"},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "updateDeals"}, With: "deal"},
			{Name: apiname.Name{Kind: apiname.Mutation, Name: "deleteDeals"}, With: "deal"}}},
		{name: "its own earlier version is not another object", obj: deal, others: []*schema.Object{deal}},
		{name: "a clash the object had before stays", obj: object("report"), before: object("report")},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, apiname.Clashes(s.obj, s.before, s.others))
		})
	}
}

func TestFixed(t *testing.T) {
	t.Parallel()
	fixed := apiname.Fixed()
	require.NotEmpty(t, fixed)
	assert.Contains(t, fixed, apiname.Name{Kind: apiname.Query, Name: "report"})
	assert.True(t, apiname.IsFixed(apiname.Name{Kind: apiname.Mutation, Name: "saveDashboard"}))
	assert.False(t, apiname.IsFixed(apiname.Name{Kind: apiname.Query, Name: "deals"}))
	assert.Equal(t, "Query.reports", apiname.Name{Kind: apiname.Query, Name: "reports"}.String())
	assert.Equal(t, "type Report", apiname.Name{Kind: apiname.Type, Name: "Report"}.String())
}
