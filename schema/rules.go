package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The CRM's own rules on definitions: what the meta-schema cannot say, or
// cannot say clearly. They read the decoded document defensively, since it
// may have failed the meta-schema too; a member of the wrong JSON type is
// left to the meta-schema to report.

// extraFormats are the formats a field type without one of its own may
// declare.
var extraFormats = map[Type][]string{
	TypeText:    {FormatPhone, FormatCNMobile, FormatCNLandline, FormatCNResidentID, FormatCNUSCC, "uuid", "hostname", "ipv4", "ipv6"},
	TypePhone:   {FormatPhone, FormatCNMobile, FormatCNLandline},
	TypeFormula: {"date", "date-time"},
}

// keywordShape tells which fields a validation keyword applies to: the JSON
// type of their values, or a field type.
var keywordShape = map[string]string{
	"minLength": "string", "maxLength": "string", "pattern": "string",
	"minimum": "number", "maximum": "number", "exclusiveMinimum": "number",
	"exclusiveMaximum": "number", "multipleOf": "number",
	"items": "array", "minItems": "array", "maxItems": "array", "uniqueItems": "array",
	"properties": "object", "additionalProperties": "object", "required": "object",
	"enum":           string(TypePicklist),
	"x-crm-options":  "options",
	"x-crm-target":   "lookup",
	"x-crm-reverse":  "lookup",
	"x-crm-format":   string(TypeAutoNumber),
	"x-crm-pipeline": string(TypePicklist),
	"x-crm-rollup":   string(TypeRollup),
	"x-crm-formula":  string(TypeFormula),
	"x-crm-file":     string(TypeFile),
	currencyKeyword:  string(TypeCurrency),
}

func keywordApplies(shape string, t Type) bool {
	jt := Types[t].JSONType
	if t == TypeFile && (shape == "array" || shape == string(TypeFile)) {
		return true // "items", "minItems", "maxItems" of a multiple file field
	}
	if t == TypeUser {
		return false // its values are user ids: no lengths, patterns or options
	}
	switch shape {
	case "number":
		return jt == "number" || jt == "integer"
	case "string", "array", "object":
		return jt == shape
	case "options":
		return t == TypePicklist || t == TypeMultiPicklist
	case "lookup":
		return t == TypeLookup || t == TypeMultiLookup
	}
	return string(t) == shape
}

func appliesTo(shape string) string {
	switch shape {
	case "number":
		return "number fields"
	case "string":
		return "text-valued fields"
	case "array":
		return "multipicklist and multilookup fields"
	case "object":
		return "address fields"
	case "options":
		return "picklist and multipicklist fields"
	case "lookup":
		return "lookup and multilookup fields"
	}
	return shape + " fields"
}

// Bounds on the programs patterns compile to, so that compiling the
// patterns of one definition stays fast. Go's regexp expands counted
// repetitions: "(?:x{999}){20}"-like patterns of a few hundred characters
// compile to tens of thousands of instructions and take milliseconds each.
const (
	maxPatternCost = 5_000  // per pattern
	maxObjectCost  = 50_000 // per definition
)

type ruleChecker struct {
	doc         map[string]any // the definition being checked
	problems    []Problem
	patternCost int // estimated instructions of the patterns checked so far
}

func (c *ruleChecker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// checkRules applies the CRM's rules to a decoded definition.
func checkRules(doc map[string]any) []Problem {
	c := &ruleChecker{doc: doc}
	props, _ := doc["properties"].(map[string]any)
	fieldType := fieldTypeIn(props)
	c.properties(props)
	c.required(doc, props, fieldType)
	for _, name := range sortedKeys(props) {
		if pm, ok := props[name].(map[string]any); ok {
			if pl, ok := pm["x-crm-pipeline"].(map[string]any); ok {
				c.pipeline(pointer("properties", name, "x-crm-pipeline"), name, pm, pl, fieldType)
			}
		}
	}
	c.automations(doc, props, fieldType)
	c.campaign(doc, fieldType)
	c.scriptsAndRules(doc, props)
	c.customerValue(doc, props, fieldType)
	c.duplicates(doc, props, fieldType)
	c.approvals(doc, props, fieldType)
	c.pool(doc, props, fieldType)
	c.money(doc, props, fieldType)
	c.indexes(doc, props, fieldType)
	return c.problems
}

// fieldTypeIn returns a function that gives the declared type of a
// property and whether that type is known.
func fieldTypeIn(props map[string]any) func(name string) (Type, bool) {
	return func(name string) (Type, bool) {
		pm, _ := props[name].(map[string]any)
		t, ok := pm["x-crm-type"].(string)
		if !ok {
			return "", false
		}
		_, known := Types[Type(t)]
		return Type(t), known
	}
}

// properties checks each property: its name is not a system field's, and
// its schema.
func (c *ruleChecker) properties(props map[string]any) {
	for _, name := range sortedKeys(props) {
		path := pointer("properties", name)
		for _, sf := range SystemFields {
			if name == sf {
				c.add(path, "%q is a system field that every record has; choose another name", name)
			}
		}
		if pm, ok := props[name].(map[string]any); ok {
			c.property(path, pm)
		}
	}
}

// required checks that the required fields exist and are not filled by
// the engine.
func (c *ruleChecker) required(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	for i, r := range list(doc["required"]) {
		name, ok := r.(string)
		if !ok {
			continue
		}
		path := pointer("required", strconv.Itoa(i))
		if _, ok := props[name]; !ok {
			c.add(path, "names %q, which is not a property", name)
		} else if t, _ := fieldType(name); t == TypeAutoNumber || t == TypeRollup || t == TypeFormula {
			c.add(path, "names %q, %s field: the engine fills it, so it cannot be required", name, article(t))
		}
	}
}

// indexes checks that x-crm-indexes names properties that can be indexed,
// or the record's system fields but id (createdAt, createdBy…: every
// record has them; every index ends with id already).
func (c *ruleChecker) indexes(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	for i, idx := range list(doc["x-crm-indexes"]) {
		for j, n := range list(idx) {
			name, ok := n.(string)
			if !ok {
				continue
			}
			path := pointer("x-crm-indexes", strconv.Itoa(i), strconv.Itoa(j))
			if name != "id" && slices.Contains(SystemFields, name) {
				continue
			}
			if _, ok := props[name]; !ok {
				c.add(path, "names %q, which is not a property", name)
			} else if t, known := fieldType(name); known && !Types[t].Sortable {
				c.add(path, "names %q, %s field, which cannot be indexed: only sortable field types can", name, article(t))
			} else if pm, _ := props[name].(map[string]any); pm["x-crm-sensitive"] == true {
				c.add(path, "names %q, a sensitive field, whose values are encrypted and cannot be indexed", name)
			}
		}
	}
}

// property checks one property schema at path.
func (c *ruleChecker) property(path string, pm map[string]any) {
	c.patterns(path, pm)
	c.ranges(path, pm)
	tname, ok := pm["x-crm-type"].(string)
	if !ok {
		return // the meta-schema reports it
	}
	t := Type(tname)
	info, known := Types[t]
	if !known {
		c.add(child(path, "x-crm-type"), "unknown field type %q; use one of: %s", tname, typeNames())
		return
	}
	c.declaredType(path, pm, t, info)
	c.declaredFormat(path, pm, t, info)
	for _, kw := range sortedKeys(pm) {
		if shape, ok := keywordShape[kw]; ok && !keywordApplies(shape, t) {
			c.add(child(path, kw), "does not apply to %s field, only to %s", article(t), appliesTo(shape))
		}
	}
	c.typeKeywords(path, pm, t)
	c.sensitivity(path, pm, t)
	if t == TypeFormula {
		c.formula(path, pm)
	}
	if t == TypeLookup || t == TypeMultiLookup {
		if _, ok := pm["x-crm-target"]; !ok {
			c.add(child(path, "x-crm-target"), "is required: %s field names the object it points at", article(t))
		}
	}
	if t == TypePicklist || t == TypeMultiPicklist {
		c.options(path, pm, t)
	}
}

// declaredType checks that a field of type t declares the JSON type its
// values have.
func (c *ruleChecker) declaredType(path string, pm map[string]any, t Type, info TypeInfo) {
	if info.JSONType == "" {
		return
	}
	switch jt, ok := pm["type"]; {
	case !ok:
		c.add(child(path, "type"), "is required: %s field declares \"type\": %q", article(t), info.JSONType)
	case jt != info.JSONType:
		c.add(child(path, "type"), "must be %q for %s field", info.JSONType, article(t))
	}
}

// declaredFormat checks that a field declares the format of its type, or
// one of the formats its type allows.
func (c *ruleChecker) declaredFormat(path string, pm map[string]any, t Type, info TypeInfo) {
	format, hasFormat := pm["format"]
	switch {
	case info.Format != "" && !hasFormat:
		c.add(child(path, "format"), "is required: %s field declares \"format\": %q", article(t), info.Format)
	case info.Format != "" && format != info.Format:
		c.add(child(path, "format"), "must be %q for %s field", info.Format, article(t))
	case info.Format == "" && hasFormat:
		fs, _ := format.(string)
		allowed := extraFormats[t]
		if contains(allowed, fs) {
			return
		}
		if len(allowed) == 0 {
			c.add(child(path, "format"), "does not apply to %s field", article(t))
		} else {
			c.add(child(path, "format"), "must be one of %s for %s field", quoteAll(allowed), article(t))
		}
	}
}

// typeKeywords checks the keywords that fields of type t require.
func (c *ruleChecker) typeKeywords(path string, pm map[string]any, t Type) {
	switch t {
	case TypePicklist:
		if _, ok := pm["enum"]; !ok {
			c.add(child(path, "enum"), "is required: a picklist field lists its options in \"enum\"")
		}
	case TypeMultiPicklist:
		c.items(path, pm, true)
	case TypeMultiLookup:
		c.items(path, pm, false)
	case TypeAutoNumber:
		c.autoNumber(path, pm)
	case TypeAddress:
		c.address(path, pm)
	case TypeRollup:
		c.rollup(path, pm)
	case TypeFile:
		c.file(path, pm)
	}
}

// autoNumber checks the x-crm-format of an autonumber field.
func (c *ruleChecker) autoNumber(path string, pm map[string]any) {
	f, ok := pm["x-crm-format"]
	if !ok {
		c.add(child(path, "x-crm-format"), "is required: an autonumber field declares its pattern, such as \"CASE-{0000}\"")
		return
	}
	if fs, ok := f.(string); ok {
		if msg := autoNumberProblem(fs); msg != "" {
			c.add(child(path, "x-crm-format"), "%s", msg)
		}
	}
}

// sensitivity checks x-crm-searchable and x-crm-sensitive: only fields
// the engine need not read may be encrypted, and those are not indexed.
func (c *ruleChecker) sensitivity(path string, pm map[string]any, t Type) {
	if pm["x-crm-searchable"] == true && pm["x-crm-sensitive"] != true {
		c.add(child(path, "x-crm-searchable"), "applies to sensitive fields only (x-crm-sensitive), whose values are encrypted")
	}
	if pm["x-crm-sensitive"] != true {
		return
	}
	switch t {
	case TypeLookup, TypeMultiLookup, TypeAutoNumber, TypeRollup, TypeFormula, TypeUser:
		c.add(child(path, "x-crm-sensitive"), "cannot mark %s field: the engine must read its values", article(t))
	}
	if pm["x-crm-indexed"] == true {
		c.add(child(path, "x-crm-indexed"), "does not apply to a sensitive field, whose values are encrypted; use x-crm-searchable for equality search")
	}
}

// formula checks that a formula field gives its expression and declares
// the JSON type of its result.
func (c *ruleChecker) formula(path string, pm map[string]any) {
	if _, ok := pm["x-crm-formula"]; !ok {
		c.add(child(path, "x-crm-formula"), "is required: a formula field gives its expression, such as {\"expression\": \"amount * (1 - discount / 100)\"}")
	}
	switch jt, _ := pm["type"].(string); jt {
	case "number", "integer", "boolean", "string":
	default:
		c.add(child(path, "type"), "must be the type of the formula's result: \"number\", \"integer\", \"boolean\" or \"string\"")
	}
	if f, ok := pm["format"].(string); ok && pm["type"] != "string" {
		c.add(child(path, "format"), "%q applies to a formula whose type is \"string\"", f)
	}
}

// items checks the items of a multipicklist (withEnum) or multilookup.
func (c *ruleChecker) items(path string, pm map[string]any, withEnum bool) {
	want := `{"type": "string"}`
	if withEnum {
		want = `{"type": "string", "enum": [...]}`
	}
	raw, ok := pm["items"]
	if !ok {
		c.add(child(path, "items"), "is required: the field declares its items as %s", want)
		return
	}
	items, ok := raw.(map[string]any)
	if !ok {
		return
	}
	ipath := child(path, "items")
	switch it, ok := items["type"]; {
	case !ok:
		c.add(child(ipath, "type"), "is required: items are declared as %s", want)
	case it != "string":
		c.add(child(ipath, "type"), "must be \"string\"")
	}
	_, hasEnum := items["enum"]
	switch {
	case withEnum && !hasEnum:
		c.add(child(ipath, "enum"), "is required: a multipicklist field lists its options in \"items\": {\"enum\": [...]}")
	case !withEnum && hasEnum:
		c.add(child(ipath, "enum"), "does not apply to a multilookup field")
	}
	c.patterns(ipath, items)
	c.ranges(ipath, items)
}

// options checks x-crm-options against the options of a picklist.
func (c *ruleChecker) options(path string, pm map[string]any, t Type) {
	enum := pm["enum"]
	if t == TypeMultiPicklist {
		items, _ := pm["items"].(map[string]any)
		enum = items["enum"]
	}
	values := map[string]bool{}
	for _, e := range list(enum) {
		if s, ok := e.(string); ok {
			values[s] = true
		}
	}
	seen := map[string]bool{}
	for i, o := range list(pm["x-crm-options"]) {
		om, _ := o.(map[string]any)
		v, ok := om["value"].(string)
		if !ok {
			continue
		}
		vpath := pointer("x-crm-options", strconv.Itoa(i), "value")
		switch {
		case seen[v]:
			c.add(path+vpath, "%q is labelled more than once", v)
		case !values[v]:
			c.add(path+vpath, "%q is not one of the field's options (its \"enum\")", v)
		}
		seen[v] = true
	}
}

// pipeline checks the x-crm-pipeline of the picklist field name: its
// stages are the field's options, each once; the categories are open/won/
// lost or open/closed with at least one open stage; required fields and
// next stages name what exists.
func (c *ruleChecker) pipeline(path, name string, pm, pl map[string]any, fieldType func(string) (Type, bool)) {
	if t, _ := fieldType(name); t != TypePicklist {
		return // reported as a keyword that does not apply
	}
	stages, ok := pl["stages"].([]any)
	if !ok {
		return // reported by the meta-schema
	}
	values := c.stageValues(path, pm, stages)
	c.pipelineFields(path, pl, fieldType)
	for i, st := range stages {
		sm, _ := st.(map[string]any)
		spath := path + pointer("stages", strconv.Itoa(i))
		c.stageRequired(spath, name, sm, fieldType)
		c.stageNext(spath, sm, values)
	}
}

// pipelineFields checks the fields a pipeline names for its analytics: the
// amount a number field, the close date a date field.
func (c *ruleChecker) pipelineFields(path string, pl map[string]any, fieldType func(string) (Type, bool)) {
	if name, ok := pl["amount"].(string); ok {
		switch t, _ := fieldType(name); t {
		case "":
			c.add(path+"/amount", "names %q, which is not a property", name)
		case TypeCurrency, TypeNumber, TypeInteger:
		default:
			c.add(path+"/amount", "names %q, %s field: the amount is a currency, number or integer field", name, article(t))
		}
	}
	if name, ok := pl["closeDate"].(string); ok {
		switch t, _ := fieldType(name); t {
		case "":
			c.add(path+"/closeDate", "names %q, which is not a property", name)
		case TypeDate:
		default:
			c.add(path+"/closeDate", "names %q, %s field: the close date is a date field", name, article(t))
		}
	}
}

// stageValues checks that the stages are the field's options, each once,
// with categories open/won/lost or open/closed, and returns the stages'
// values.
func (c *ruleChecker) stageValues(path string, pm map[string]any, stages []any) map[string]bool {
	options := map[string]bool{}
	for _, e := range list(pm["enum"]) {
		if s, ok := e.(string); ok {
			options[s] = true
		}
	}
	values := map[string]bool{}
	categories := map[string]bool{}
	for i, st := range stages {
		sm, _ := st.(map[string]any)
		vpath := path + pointer("stages", strconv.Itoa(i)) + "/value"
		if v, ok := sm["value"].(string); ok {
			switch {
			case values[v]:
				c.add(vpath, "%q is a stage more than once", v)
			case !options[v]:
				c.add(vpath, "%q is not one of the field's options (its \"enum\")", v)
			}
			values[v] = true
		}
		if cat, ok := sm["category"].(string); ok {
			categories[cat] = true
		}
	}
	for _, e := range list(pm["enum"]) {
		if s, ok := e.(string); ok && !values[s] {
			c.add(path+"/stages", "has no stage for the option %q: every option of the field is a stage", s)
		}
	}
	c.stageCategories(path, len(stages), categories)
	return values
}

// stageCategories checks the categories the stages use: at least one
// open, and open/won/lost or open/closed.
func (c *ruleChecker) stageCategories(path string, nStages int, categories map[string]bool) {
	if nStages > 0 && !categories["open"] {
		c.add(path+"/stages", "has no open stage: at least one stage has the category \"open\"")
	}
	if categories["closed"] && (categories["won"] || categories["lost"]) {
		c.add(path+"/stages", "mixes \"closed\" with \"won\"/\"lost\": a pipeline uses open/won/lost or open/closed")
	}
}

// stageRequired checks the fields a stage at spath requires: properties
// other than the pipeline's own field that the engine does not fill.
func (c *ruleChecker) stageRequired(spath, name string, sm map[string]any, fieldType func(string) (Type, bool)) {
	for j, r := range list(sm["required"]) {
		f, ok := r.(string)
		if !ok {
			continue
		}
		rpath := spath + pointer("required", strconv.Itoa(j))
		switch t, _ := fieldType(f); {
		case f == name:
			c.add(rpath, "names the pipeline's own field")
		case t == "":
			c.add(rpath, "names %q, which is not a property", f)
		case t == TypeAutoNumber:
			c.add(rpath, "names %q, an autonumber field: the engine fills it", f)
		}
	}
}

// stageNext checks that the next stages of a stage are other stages of the
// pipeline.
func (c *ruleChecker) stageNext(spath string, sm map[string]any, values map[string]bool) {
	own, _ := sm["value"].(string)
	for j, n := range list(sm["next"]) {
		v, ok := n.(string)
		if !ok {
			continue
		}
		npath := spath + pointer("next", strconv.Itoa(j))
		switch {
		case !values[v]:
			c.add(npath, "%q is not a stage of this pipeline", v)
		case v == own:
			c.add(npath, "names the stage itself")
		}
	}
}

// rollup checks the x-crm-rollup of a roll-up field. The object it
// summarises is another definition, so its fields are checked by the
// engine when records are written, not here.
func (c *ruleChecker) rollup(path string, pm map[string]any) {
	rm, ok := pm["x-crm-rollup"].(map[string]any)
	if !ok {
		if _, has := pm["x-crm-rollup"]; !has {
			c.add(child(path, "x-crm-rollup"), "is required: a rollup field says what it summarises: {\"object\", \"via\", \"function\", \"field\"}")
		}
		return
	}
	fn, _ := rm["function"].(string)
	_, hasField := rm["field"]
	switch {
	case fn == RollupCount && hasField:
		c.add(child(path, "x-crm-rollup")+"/field", "does not apply to count, which counts records")
	case fn != "" && fn != RollupCount && !hasField:
		c.add(child(path, "x-crm-rollup"), "a %s roll-up needs \"field\", the number field it summarises", fn)
	}
	if cond, ok := rm["condition"].(map[string]any); ok {
		anyField := func(string) (Type, bool) { return TypeText, true }
		c.filter(child(path, "x-crm-rollup")+"/condition", cond, anyField, 0)
	}
}

// scriptsAndRules checks x-crm-scripts and x-crm-validations: unique names,
// a schedule exactly for scheduled scripts, rule fields that exist. The
// sources and expressions are compiled by the engine.
func (c *ruleChecker) scriptsAndRules(doc map[string]any, props map[string]any) {
	seen := map[string]bool{}
	for i, v := range list(doc["x-crm-scripts"]) {
		if m, ok := v.(map[string]any); ok {
			c.script(pointer("x-crm-scripts", strconv.Itoa(i)), m, seen)
		}
	}
	seen = map[string]bool{}
	for i, v := range list(doc["x-crm-validations"]) {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		path := pointer("x-crm-validations", strconv.Itoa(i))
		if name, ok := m["name"].(string); ok {
			if seen[name] {
				c.add(path+"/name", "%q names another validation rule of this object", name)
			}
			seen[name] = true
		}
		if f, ok := m["field"].(string); ok {
			if _, exists := props[f]; !exists {
				c.add(path+"/field", "names %q, which is not a property", f)
			}
		}
	}
}

// script checks one script at path: a name no script before it (seen)
// has, and a valid schedule exactly when it is a scheduled script.
func (c *ruleChecker) script(path string, m map[string]any, seen map[string]bool) {
	if name, ok := m["name"].(string); ok {
		if seen[name] {
			c.add(path+"/name", "%q names another script of this object", name)
		}
		seen[name] = true
	}
	_, hasSchedule := m["schedule"]
	switch kind, _ := m["kind"].(string); {
	case kind == "scheduled" && !hasSchedule:
		c.add(path, "a scheduled script needs \"schedule\", such as \"0 8 * * 1-5\" or \"@hourly\"")
	case kind != "scheduled" && kind != "" && hasSchedule:
		c.add(path+"/schedule", "applies only to scheduled scripts")
	case hasSchedule:
		if s, ok := m["schedule"].(string); ok {
			if _, err := ParseSchedule(s); err != nil {
				c.add(path+"/schedule", "%v", err)
			}
		}
	}
}

// address checks the parts an address field declares.
func (c *ruleChecker) address(path string, pm map[string]any) {
	parts, _ := pm["properties"].(map[string]any)
	for _, name := range sortedKeys(parts) {
		ppath := pointer("properties", name)
		if !contains(AddressParts, name) {
			c.add(path+ppath, "is not an address part; use: %s", strings.Join(AddressParts, ", "))
			continue
		}
		part, ok := parts[name].(map[string]any)
		if !ok {
			continue
		}
		switch pt, ok := part["type"]; {
		case !ok:
			c.add(path+ppath+"/type", "is required: address parts are declared as {\"type\": \"string\"}")
		case pt != "string":
			c.add(path+ppath+"/type", "must be \"string\": address parts are text")
		}
		c.patterns(path+ppath, part)
		c.ranges(path+ppath, part)
	}
	for i, r := range list(pm["required"]) {
		if name, ok := r.(string); ok && !contains(AddressParts, name) {
			c.add(child(path, "required", strconv.Itoa(i)), "names %q, which is not an address part", name)
		}
	}
}

// patterns refuses a pattern Go's RE2 engine cannot compile (V3), and ones
// that would compile to too large a program.
func (c *ruleChecker) patterns(path string, m map[string]any) {
	p, ok := m["pattern"].(string)
	if !ok {
		return
	}
	path = child(path, "pattern")
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		c.add(path, "is not a valid pattern: only RE2 syntax is supported "+
			"(no look-arounds or back-references): %v", err)
		return
	}
	cost := programCost(re)
	c.patternCost += cost
	switch {
	case cost > maxPatternCost:
		c.add(path, "is too complex: it would compile to about %d instructions; at most %d are allowed", cost, maxPatternCost)
	case c.patternCost > maxObjectCost:
		c.add(path, "is one pattern too many: the patterns of this object would compile to more than %d instructions", maxObjectCost)
	}
}

// programCost estimates the size of the program re compiles to, counted
// the way regexp/syntax expands repetitions. It saturates rather than
// overflows.
func programCost(re *syntax.Regexp) int {
	const ceiling = 1 << 30
	sum := func() int {
		n := 1
		for _, s := range re.Sub {
			n += programCost(s)
			if n > ceiling {
				return ceiling
			}
		}
		return n
	}
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) + 1
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		return 2*sum() + 1
	case syntax.OpRepeat:
		n := re.Max
		if n < 0 {
			n = re.Min + 1
		}
		inner := sum()
		if n > 0 && inner > ceiling/(n+1) {
			return ceiling
		}
		return (n+1)*inner + 1
	}
	return sum()
}

// ranges refuses a lower bound above the upper one.
func (c *ruleChecker) ranges(path string, m map[string]any) {
	pairs := [][2]string{{"minLength", "maxLength"}, {"minimum", "maximum"}, {"minItems", "maxItems"}}
	for _, p := range pairs {
		lo, ok1 := m[p[0]].(json.Number)
		hi, ok2 := m[p[1]].(json.Number)
		if !ok1 || !ok2 {
			continue
		}
		l, ok1 := finite(lo)
		h, ok2 := finite(hi)
		if ok1 && ok2 && l > h {
			c.add(child(path, p[1]), "must not be less than %s (%s)", p[0], lo)
		}
	}
}

// zeroRun is the counter of an autonumber pattern.
var zeroRun = regexp.MustCompile(`\{0+\}`)

// autoNumberProblem checks an x-crm-format and says what is wrong, or "".
func autoNumberProblem(f string) string {
	runs := zeroRun.FindAllStringIndex(f, -1)
	if len(runs) != 1 {
		return fmt.Sprintf("must contain exactly one counter, a run of zeros in braces such as \"CASE-{0000}\"; found %d", len(runs))
	}
	zeros := runs[0][1] - runs[0][0] - 2
	if zeros > 12 {
		return fmt.Sprintf("the counter has %d zeros; at most 12 are allowed", zeros)
	}
	rest := f[:runs[0][0]] + f[runs[0][1]:]
	if strings.ContainsAny(rest, "{}") {
		return "may contain no braces besides the counter, such as \"{0000}\""
	}
	return ""
}

func typeNames() string {
	names := make([]string, 0, len(Types))
	for t := range Types {
		names = append(names, string(t))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func contains(ss []string, s string) bool {
	for _, e := range ss {
		if e == s {
			return true
		}
	}
	return false
}

// article returns the type name with "a" or "an" before it.
func article(t Type) string {
	if t != "" && strings.ContainsRune("aeio", rune(t[0])) {
		return "an " + string(t)
	}
	return "a " + string(t)
}

// file checks a file field: one file ("type": "string") or a list of them
// ("type": "array" of strings, at most MaxFilesPerField).
func (c *ruleChecker) file(path string, pm map[string]any) {
	switch pm["type"] {
	case "string":
		return
	case "array":
	case nil:
		c.add(child(path, "type"), "is required: a file field declares \"type\": \"string\" (one file) or \"array\" (several)")
		return
	default:
		c.add(child(path, "type"), "must be \"string\" (one file) or \"array\" (several) for a file field")
		return
	}
	items, _ := pm["items"].(map[string]any)
	if items["type"] != "string" || len(items) != 1 {
		c.add(child(path, "items"), "must be {\"type\": \"string\"}: a file field lists attachment ids")
	}
	if n, ok := pm["maxItems"].(json.Number); ok {
		if v, err := n.Int64(); err == nil && v > MaxFilesPerField {
			c.add(child(path, "maxItems"), "must be at most %d: a file field holds at most %d files", MaxFilesPerField, MaxFilesPerField)
		}
	}
}
