package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

const campaignDefinition = `{
  "$id": "campaign", "type": "object",
  "properties": {
    "name":       {"type": "string", "x-crm-type": "text"},
    "actualCost": {"type": "number", "x-crm-type": "currency"}
  },
  "x-crm-campaign": {
    "cost": "actualCost",
    "members": {"object": "campaignMember", "via": "campaign",
      "responded": {"field": "status", "values": ["responded", "attended"]},
      "lead": {"via": "lead", "field": "status", "values": ["converted"]}},
    "opportunities": {"object": "opportunity", "via": "campaign"}
  }
}`

func TestParseObject_Campaign(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(campaignDefinition))
	require.NoError(t, err)
	assert.Equal(t, &schema.Campaign{
		Cost: "actualCost",
		Members: &schema.CampaignMembers{Object: "campaignMember", Via: "campaign",
			Responded: &schema.FieldValues{Field: "status", Values: []string{"responded", "attended"}},
			Lead:      &schema.LeadConversion{Via: "lead", Field: "status", Values: []string{"converted"}}},
		Opportunities: &schema.CampaignLink{Object: "opportunity", Via: "campaign"},
	}, obj.Campaign)
	assert.Nil(t, obj.Redacted(nil).Campaign, "a role does not see it")
	assert.NotContains(t, string(obj.Redacted(nil).Definition), "x-crm-campaign")

	plain, err := schema.ParseObject([]byte(`{"$id": "account", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`))
	require.NoError(t, err)
	assert.Nil(t, plain.Campaign)
}

func TestParseObject_CampaignRefused(t *testing.T) {
	t.Parallel()
	campaign := func(d doc) doc { return d["x-crm-campaign"].(doc) }
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"cost not a property", func(d doc) { campaign(d)["cost"] = "spend" }, "/x-crm-campaign/cost", `"spend", which is not a property`},
		{"cost not a number", func(d doc) { campaign(d)["cost"] = "name" }, "/x-crm-campaign/cost", "the cost is a currency, number or integer field"},
		{"members without their lookup", func(d doc) { delete(campaign(d)["members"].(doc), "via") }, "/x-crm-campaign/members/via", "is required"},
		{"no response values", func(d doc) {
			campaign(d)["members"].(doc)["responded"] = doc{"field": "status", "values": []any{}}
		}, "/x-crm-campaign/members/responded/values", ""},
		{"unknown key", func(d doc) { campaign(d)["roi"] = 2 }, "/x-crm-campaign/roi", ""},
		{"bad object name", func(d doc) { campaign(d)["opportunities"] = doc{"object": "Deals!", "via": "campaign"} }, "/x-crm-campaign/opportunities/object", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			require.NoError(t, json.Unmarshal([]byte(campaignDefinition), &d))
			s.change(d)
			_, err := schema.ParseObject(encode(t, d))
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}
