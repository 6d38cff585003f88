package schema

import (
	"strconv"
)

// Duplicate rules (x-crm-duplicates): an object names the fields on which
// two of its records are the same customer, member or patient. The
// engine keeps each record's match keys (package engine/dedupe makes
// them), refuses or flags a write whose keys another record has, lists
// the groups of records sharing keys and merges them.

const duplicatesKeyword = "x-crm-duplicates"

// Actions of a [DuplicateRule].
const (
	// DuplicateBlock refuses a write that matches another record.
	DuplicateBlock = "block"
	// DuplicateWarn lets the write through and names the matches.
	DuplicateWarn = "warn"
)

// Methods of a [DuplicateMatch].
const (
	// MatchExact compares the values as stored.
	MatchExact = "exact"
	// MatchNormalized compares the values after the match's normalizer.
	MatchNormalized = "normalized"
	// MatchFuzzy compares normalized values by similarity, at least the
	// rule's threshold.
	MatchFuzzy = "fuzzy"
)

// Normalizers of a [DuplicateMatch] (see package engine/dedupe).
const (
	// NormalizeText folds width and case and drops spaces and punctuation.
	NormalizeText = "text"
	// NormalizeCompany is NormalizeText without legal-form suffixes
	// (有限公司, Co., Ltd. …), brackets and a leading region.
	NormalizeCompany = "company"
	// NormalizePerson is NormalizeText without the dots and spaces
	// between given and family names.
	NormalizePerson = "person"
	// NormalizeMobile keeps the 11 digits of a mainland mobile number.
	NormalizeMobile = "mobile"
	// NormalizeEmail trims and lower-cases an address.
	NormalizeEmail = "email"
	// NormalizeUSCC upper-cases a unified social credit code without
	// spaces.
	NormalizeUSCC = "uscc"
)

// DefaultFuzzyThreshold is the similarity a fuzzy match needs when its
// rule names none.
const DefaultFuzzyThreshold = 0.85

// Bounds of x-crm-duplicates (the meta-schema holds the same numbers).
const (
	MaxDuplicateRules  = 10
	MaxDuplicateFields = 3
)

// DuplicateRule is one rule of x-crm-duplicates, with its defaults filled.
type DuplicateRule struct {
	Name  string
	Label Label
	// Action is DuplicateBlock or DuplicateWarn.
	Action string
	// Match lists the fields that must all match; a fuzzy rule has one.
	Match []DuplicateMatch
	// Threshold is the similarity (0.5–1) of a fuzzy rule; 0 otherwise.
	Threshold float64
	// Active is false for a rule kept but switched off.
	Active bool
}

// Fuzzy reports whether the rule matches by similarity.
func (r *DuplicateRule) Fuzzy() bool {
	return len(r.Match) == 1 && r.Match[0].Method == MatchFuzzy
}

// DuplicateMatch is one field of a [DuplicateRule].
type DuplicateMatch struct {
	Field string
	// Method is one of the Match* constants; MatchNormalized by default.
	Method string
	// Normalizer is one of the Normalize* constants; by default the one
	// the field's type or format calls for (email, mobile, uscc) or text.
	Normalizer string
}

// defaultNormalizer is the normalizer a field of type t and format
// format gets when its match names none.
func defaultNormalizer(t Type, format string) string {
	switch {
	case t == TypeEmail:
		return NormalizeEmail
	case t == TypePhone || format == FormatCNMobile:
		return NormalizeMobile
	case format == FormatCNUSCC:
		return NormalizeUSCC
	}
	return NormalizeText
}

// buildDuplicates reads a checked x-crm-duplicates.
func buildDuplicates(v any, props map[string]any) []DuplicateRule {
	var out []DuplicateRule
	for _, r := range list(v) {
		m, _ := r.(map[string]any)
		rule := DuplicateRule{Name: str(m["name"]), Label: label(m["label"]), Action: str(m["action"]), Active: m["active"] != false}
		for _, x := range list(m["match"]) {
			mm, _ := x.(map[string]any)
			dm := DuplicateMatch{Field: str(mm["field"]), Method: str(mm["method"]), Normalizer: str(mm["normalizer"])}
			if dm.Method == "" {
				dm.Method = MatchNormalized
			}
			if dm.Normalizer == "" {
				pm, _ := props[dm.Field].(map[string]any)
				dm.Normalizer = defaultNormalizer(Type(str(pm["x-crm-type"])), str(pm["format"]))
			}
			rule.Match = append(rule.Match, dm)
		}
		if rule.Fuzzy() {
			rule.Threshold = DefaultFuzzyThreshold
			if n, ok := number(m["threshold"]); ok {
				rule.Threshold = n
			}
		}
		out = append(out, rule)
	}
	return out
}

// duplicateFieldTypes are the types a duplicate rule may match on.
// A lookup matches exactly, beside another field ("the same name at the
// same account").
var duplicateFieldTypes = map[Type]bool{TypeText: true, TypeTextarea: true, TypeEmail: true, TypePhone: true, TypeURL: true, TypeLookup: true}

// duplicates checks what the meta-schema cannot say of x-crm-duplicates:
// rule names are distinct, matched fields exist, are text-like and appear
// once per rule, a fuzzy match stands alone in its rule and compares
// names (not identifiers), a threshold belongs to a fuzzy rule, a
// normalizer fits its field, and sensitive fields are matched exactly or
// normalized, never by similarity.
func (c *ruleChecker) duplicates(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	names := map[string]bool{}
	for i, r := range list(doc[duplicatesKeyword]) {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		path := pointer(duplicatesKeyword, strconv.Itoa(i))
		name := str(m["name"])
		if names[name] {
			c.add(path+"/name", "%q names another rule too: each duplicate rule needs a name of its own", name)
		}
		names[name] = true
		matches := list(m["match"])
		fuzzy := false
		seen := map[string]bool{}
		for j, x := range matches {
			mm, ok := x.(map[string]any)
			if !ok {
				continue
			}
			c.duplicateMatch(pointer(duplicatesKeyword, strconv.Itoa(i), "match", strconv.Itoa(j)), mm, props, fieldType, seen)
			if str(mm["method"]) == MatchFuzzy {
				fuzzy = true
			}
		}
		if fuzzy && len(matches) > 1 {
			c.add(path+"/match", "has a fuzzy match and %d fields: a fuzzy rule compares one field by similarity, so give it a rule of its own", len(matches))
		}
		if _, has := m["threshold"]; has && !fuzzy {
			c.add(path+"/threshold", "belongs to a fuzzy match: rule %q matches exactly", name)
		}
	}
}

func (c *ruleChecker) duplicateMatch(path string, mm, props map[string]any, fieldType func(string) (Type, bool), seen map[string]bool) {
	field := str(mm["field"])
	if seen[field] {
		c.add(path+"/field", "names %q twice in one rule", field)
		return
	}
	seen[field] = true
	pm, exists := props[field].(map[string]any)
	t, known := fieldType(field)
	if !exists || !known {
		c.add(path+"/field", "names %q, which is not a property of this object", field)
		return
	}
	if !duplicateFieldTypes[t] {
		c.add(path+"/field", "names %q, %s field: duplicate rules match text, email, phone, url and lookup fields", field, article(t))
		return
	}
	method, normalizer := str(mm["method"]), str(mm["normalizer"])
	if t == TypeLookup && method != MatchExact {
		c.add(path+"/method", "must be \"exact\" on %q, a lookup: record ids match or not", field)
		return
	}
	if normalizer == "" {
		normalizer = defaultNormalizer(t, str(pm["format"]))
	}
	if method == MatchFuzzy {
		if pm["x-crm-sensitive"] == true {
			c.add(path+"/method", "is fuzzy on %q, a sensitive field: its values are encrypted, so it can only be matched exactly or normalized", field)
		}
		if normalizer != NormalizeText && normalizer != NormalizeCompany && normalizer != NormalizePerson {
			c.add(path+"/method", "is fuzzy with the %s normalizer: identifiers match or not, so a fuzzy match takes the text, company or person normalizer", normalizer)
		}
	}
	if method == MatchExact && str(mm["normalizer"]) != "" {
		c.add(path+"/normalizer", "is set on an exact match, which compares values as stored: use method \"normalized\"")
	}
	switch {
	case normalizer == NormalizeEmail && t != TypeEmail && t != TypeText:
		c.add(path+"/normalizer", "is email on %q, %s field: it normalizes email or text fields", field, article(t))
	case normalizer == NormalizeMobile && t != TypePhone && t != TypeText:
		c.add(path+"/normalizer", "is mobile on %q, %s field: it normalizes phone or text fields", field, article(t))
	case normalizer == NormalizeUSCC && t != TypeText:
		c.add(path+"/normalizer", "is uscc on %q, %s field: it normalizes text fields", field, article(t))
	}
}
