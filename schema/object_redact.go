package schema

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Keywords that only administrators see: they hold code, addresses and
// names of fields a role may not see (scripts, automations with their
// webhook URLs, validation rules, notes, the orders customer value is
// computed from, the campaign keyword naming other objects' fields,
// approval processes whose conditions and approvers name fields, roles
// and users).
var adminOnlyKeywords = map[string]bool{
	"$comment":            true,
	"x-crm-scripts":       true,
	"x-crm-automations":   true,
	"x-crm-validations":   true,
	"x-crm-customerValue": true,
	"x-crm-campaign":      true,
	"x-crm-approvals":     true,
}

// Keywords of a property that only administrators see: a formula's
// expression and a roll-up's configuration (they name other objects'
// fields and may name hidden ones).
var adminOnlyPropertyKeywords = map[string]bool{
	"$comment":      true,
	"x-crm-formula": true,
	"x-crm-rollup":  true,
}

// Redacted returns the object as a principal that is not an
// administrator may see it: without the named fields (a role's hidden
// fields), without scripts, automations, validation rules and campaign
// settings, and with a
// Definition document to match — the properties of the hidden fields
// removed, and their names from "required", "x-crm-indexes" (an index
// naming one is left out), the required fields of pipeline stages and
// the amount and close date a pipeline names;
// "$comment", "x-crm-scripts", "x-crm-automations", "x-crm-validations",
// "x-crm-customerValue", "x-crm-campaign", formula expressions and
// roll-up configurations removed. Property order
// is kept. The copy has no compiled schema: it describes, it does not
// validate.
func (o *Object) Redacted(hidden map[string]bool) *Object {
	out := &Object{Name: o.Name, Title: o.Title, Label: o.Label, Description: o.Description, Sharing: o.Sharing,
		Version: o.Version, byName: map[string]*Field{}}
	for _, idx := range o.Indexes {
		if !slices.ContainsFunc(idx, func(n string) bool { return hidden[n] }) {
			out.Indexes = append(out.Indexes, idx)
		}
	}
	for _, r := range o.Duplicates {
		if !slices.ContainsFunc(r.Match, func(m DuplicateMatch) bool { return hidden[m.Field] }) {
			out.Duplicates = append(out.Duplicates, r)
		}
	}
	for _, f := range o.Fields {
		if hidden[f.Name] {
			continue
		}
		c := f
		if f.Formula != "" || f.Rollup != nil || f.Pipeline != nil {
			cp := *f
			cp.Formula, cp.Rollup = "", nil
			if f.Pipeline != nil {
				cp.Pipeline = f.Pipeline.without(hidden)
			}
			cp.Schema = redactProperty(f.Schema, hidden)
			c = &cp
		} else if bytes.Contains(f.Schema, []byte(`"$comment"`)) {
			cp := *f
			cp.Schema = redactProperty(f.Schema, hidden)
			c = &cp
		}
		out.Fields = append(out.Fields, c)
		out.byName[c.Name] = c
	}
	out.Definition = redactDefinition(o.Definition, hidden)
	return out
}

// without returns a copy of p whose stages require none of the hidden
// fields.
func (p *Pipeline) without(hidden map[string]bool) *Pipeline {
	cp := &Pipeline{Label: p.Label, Stages: make([]Stage, len(p.Stages))}
	if !hidden[p.Amount] {
		cp.Amount = p.Amount
	}
	if !hidden[p.CloseDate] {
		cp.CloseDate = p.CloseDate
	}
	for i, st := range p.Stages {
		st.Required = slices.DeleteFunc(slices.Clone(st.Required), func(n string) bool { return hidden[n] })
		cp.Stages[i] = st
	}
	return cp
}

// redactDefinition rewrites a definition document as Redacted describes.
// A document that does not decode (never the case for a saved one) comes
// out as null.
func redactDefinition(def json.RawMessage, hidden map[string]bool) json.RawMessage {
	top, err := objectMembers(def)
	if err != nil {
		return json.RawMessage("null")
	}
	var kept []member
	for _, m := range top {
		switch {
		case adminOnlyKeywords[m.name]:
			continue
		case m.name == "properties":
			props, err := objectMembers(m.value)
			if err != nil {
				continue
			}
			var keep []member
			for _, p := range props {
				if !hidden[p.name] {
					keep = append(keep, member{name: p.name, value: redactProperty(p.value, hidden)})
				}
			}
			m.value = writeMembers(keep)
		case m.name == "required":
			var names []string
			if json.Unmarshal(m.value, &names) != nil {
				continue
			}
			m.value, _ = json.Marshal(slices.DeleteFunc(names, func(n string) bool { return hidden[n] }))
		case m.name == "x-crm-indexes":
			var idxs [][]string
			if json.Unmarshal(m.value, &idxs) != nil {
				continue
			}
			idxs = slices.DeleteFunc(idxs, func(idx []string) bool { return slices.ContainsFunc(idx, func(n string) bool { return hidden[n] }) })
			if len(idxs) == 0 {
				continue
			}
			m.value, _ = json.Marshal(idxs)
		case m.name == duplicatesKeyword:
			v, ok := redactDuplicates(m.value, hidden)
			if !ok {
				continue
			}
			m.value = v
		}
		kept = append(kept, m)
	}
	return writeMembers(kept)
}

// redactProperty removes what only administrators see from one
// property's schema: a formula's expression, a roll-up's configuration,
// notes, and hidden fields from its pipeline stages' required fields.
func redactProperty(raw json.RawMessage, hidden map[string]bool) json.RawMessage {
	members, err := objectMembers(raw)
	if err != nil {
		return raw
	}
	changed := false
	var kept []member
	for _, m := range members {
		if adminOnlyPropertyKeywords[m.name] {
			changed = true
			continue
		}
		if m.name == "x-crm-pipeline" {
			if v, ok := redactPipeline(m.value, hidden); ok {
				m.value, changed = v, true
			}
		}
		kept = append(kept, m)
	}
	if !changed {
		return raw
	}
	return writeMembers(kept)
}

// redactPipeline removes hidden fields from the stages' required lists
// and the amount and close date it names; ok is false when nothing
// changed.
func redactPipeline(raw json.RawMessage, hidden map[string]bool) (json.RawMessage, bool) {
	members, err := objectMembers(raw)
	if err != nil {
		return nil, false
	}
	changed := false
	members = slices.DeleteFunc(members, func(m member) bool {
		var name string
		if (m.name == "amount" || m.name == "closeDate") && json.Unmarshal(m.value, &name) == nil && hidden[name] {
			changed = true
			return true
		}
		return false
	})
	for i, m := range members {
		if m.name != "stages" {
			continue
		}
		var stages []json.RawMessage
		if json.Unmarshal(m.value, &stages) != nil {
			return nil, false
		}
		for j, st := range stages {
			sm, err := objectMembers(st)
			if err != nil {
				return nil, false
			}
			for k, f := range sm {
				var names []string
				if f.name != "required" || json.Unmarshal(f.value, &names) != nil {
					continue
				}
				if left := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return hidden[n] }); len(left) != len(names) {
					sm[k].value, _ = json.Marshal(left)
					changed = true
				}
			}
			stages[j] = writeMembers(sm)
		}
		members[i].value, _ = json.Marshal(stages)
	}
	if !changed {
		return nil, false
	}
	return writeMembers(members), true
}

// writeMembers writes a JSON object with the members in order.
func writeMembers(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// redactDuplicates leaves out the duplicate rules that match on a hidden
// field; ok is false when none is left.
func redactDuplicates(raw json.RawMessage, hidden map[string]bool) (json.RawMessage, bool) {
	var rules []json.RawMessage
	if json.Unmarshal(raw, &rules) != nil {
		return nil, false
	}
	kept := rules[:0]
	for _, r := range rules {
		var rule struct {
			Match []struct {
				Field string `json:"field"`
			} `json:"match"`
		}
		if json.Unmarshal(r, &rule) != nil {
			continue
		}
		if !slices.ContainsFunc(rule.Match, func(m struct {
			Field string `json:"field"`
		}) bool {
			return hidden[m.Field]
		}) {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil, false
	}
	out, err := json.Marshal(kept)
	return out, err == nil
}
