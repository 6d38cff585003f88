package schema

// Campaign is the x-crm-campaign of an object whose records are marketing
// campaigns: where the figures of a campaign's effect come from. Every
// part is optional; a figure whose part is missing is not computed. Names
// of other objects and their fields are checked when the effect is
// computed (a definition is checked alone).
type Campaign struct {
	// Cost names the campaign's number field holding what it cost.
	Cost string
	// Members are the records targeted by a campaign.
	Members *CampaignMembers
	// Opportunities are the sales records a campaign brought in.
	Opportunities *CampaignLink
}

// CampaignMembers says where a campaign's members are: the records of
// Object whose lookup Via names the campaign.
type CampaignMembers struct {
	Object string
	Via    string
	// Responded, when set, is the member field and the values of it that
	// count as a response.
	Responded *FieldValues
	// Lead, when set, is the member's lookup to a lead (Via) and the lead's
	// field and values that count as converted.
	Lead *LeadConversion
}

// FieldValues is a field and the values of it that count.
type FieldValues struct {
	Field  string
	Values []string
}

// LeadConversion is how a member's lead counts as converted: the member's
// lookup Via to the lead, whose Field holds one of Values.
type LeadConversion struct {
	Via    string
	Field  string
	Values []string
}

// CampaignLink names the records of Object whose lookup Via names the
// campaign; Object has a pipeline with open and won stages.
type CampaignLink struct {
	Object string
	Via    string
}

func buildCampaign(v any) *Campaign {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	c := &Campaign{Cost: str(m["cost"])}
	if mm, ok := m["members"].(map[string]any); ok {
		c.Members = &CampaignMembers{Object: str(mm["object"]), Via: str(mm["via"])}
		if r, ok := mm["responded"].(map[string]any); ok {
			c.Members.Responded = &FieldValues{Field: str(r["field"]), Values: strings1(r["values"])}
		}
		if l, ok := mm["lead"].(map[string]any); ok {
			c.Members.Lead = &LeadConversion{Via: str(l["via"]), Field: str(l["field"]), Values: strings1(l["values"])}
		}
	}
	if om, ok := m["opportunities"].(map[string]any); ok {
		c.Opportunities = &CampaignLink{Object: str(om["object"]), Via: str(om["via"])}
	}
	return c
}

// campaign checks the x-crm-campaign of a definition: the cost is a
// number field of the object (the rest names other objects).
func (c *ruleChecker) campaign(doc map[string]any, fieldType func(string) (Type, bool)) {
	m, ok := doc["x-crm-campaign"].(map[string]any)
	if !ok {
		return // absent, or reported by the meta-schema
	}
	name, ok := m["cost"].(string)
	if !ok {
		return
	}
	switch t, _ := fieldType(name); t {
	case "":
		c.add("/x-crm-campaign/cost", "names %q, which is not a property", name)
	case TypeCurrency, TypeNumber, TypeInteger:
	default:
		c.add("/x-crm-campaign/cost", "names %q, %s field: the cost is a currency, number or integer field", name, article(t))
	}
}
