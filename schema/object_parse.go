package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Limits on object definitions (RELIABILITY.md V4). They are checked before
// anything else looks at a definition, in time linear in its size.
const (
	// MaxDefinitionSize is the largest definition accepted, in bytes.
	MaxDefinitionSize = 1 << 20
	// MaxDefinitionDepth is the deepest nesting of JSON objects and arrays
	// accepted; the definition itself is at depth 1.
	MaxDefinitionDepth = 32
	// MaxFields is the most properties an object may declare.
	MaxFields = 500
	// MaxDefinitionValues bounds the JSON values (members and array items)
	// of a definition, counted by the commas that separate them. Real
	// definitions have a few thousand.
	MaxDefinitionValues = 50_000
)

// maxProblems is how many problems a DefinitionError lists; a definition
// with more is refused with a note saying how many were left out.
const maxProblems = 1000

// SystemFields are the names every record has besides its data; object
// definitions may not declare them. (store.SystemFields lists the same
// names in the order the API shows them.)
var SystemFields = []string{"id", "version", "createdAt", "updatedAt", "createdBy", "updatedBy", "ownerId"}

// ParseObject checks a submitted definition against the CRM meta-schema and
// the CRM's own rules and parses it. It returns a *[DefinitionError] naming
// every problem with its JSON-pointer path, or the parsed *[Object] with
// every member filled. The definition may not refer to other documents
// ($ref and its kin are refused) and must stay within [MaxDefinitionSize],
// [MaxDefinitionDepth], [MaxDefinitionValues] and [MaxFields]; those limits
// are checked first, in one pass over the bytes. The package comment lists
// the checks in order.
func ParseObject(definition []byte) (*Object, error) {
	if len(definition) > MaxDefinitionSize {
		return nil, refuse("", Problem{Path: "", Message: fmt.Sprintf(
			"definition is %d bytes long; at most %d (1 MiB) are allowed", len(definition), MaxDefinitionSize)})
	}
	if p := precheck(definition); p != nil {
		return nil, refuse("", *p)
	}
	v, err := decodeJSON(definition)
	if err != nil {
		return nil, refuse("", Problem{Path: "", Message: "definition is not valid JSON: " + err.Error()})
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, refuse("", Problem{Path: "", Message: "definition must be a JSON object"})
	}
	name, _ := doc["$id"].(string)

	// Cheap checks that bound the work of the rest.
	problems, fatal := scan(doc)
	if props, ok := doc["properties"].(map[string]any); ok && len(props) > MaxFields {
		problems = append(problems, Problem{Path: "/properties", Message: fmt.Sprintf(
			"declares %d fields; at most %d are allowed", len(props), MaxFields)})
		fatal = true
	}
	if fatal {
		return nil, refuse(name, problems...)
	}

	order, dups := propertyOrder(definition)
	problems = append(problems, dups...)
	problems = append(problems, checkRules(doc)...)
	problems = mergeProblems(problems, metaProblems(doc))
	if len(problems) > 0 {
		return nil, refuse(name, problems...)
	}

	obj := buildObject(doc, order, definition)
	compiled, err := compileObject(obj)
	if err != nil {
		return nil, refuse(name, Problem{Path: "", Message: "definition does not compile: " + err.Error()})
	}
	obj.compiled = compiled
	if problems := checkDefaults(obj); len(problems) > 0 {
		return nil, refuse(name, problems...)
	}
	return obj, nil
}

func refuse(name string, problems ...Problem) *DefinitionError {
	sortProblems(problems)
	if n := len(problems) - maxProblems; n > 0 {
		problems = append(problems[:maxProblems:maxProblems], Problem{Path: "",
			Message: fmt.Sprintf("%d more problems are not listed", n)})
	}
	return &DefinitionError{Object: name, Problems: problems}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Path != ps[j].Path {
			return ps[i].Path < ps[j].Path
		}
		return ps[i].Message < ps[j].Message
	})
}

// mergeProblems adds the meta-schema's problems to ours, leaving out those
// at a path we already explain: ours are worded for the CRM.
func mergeProblems(ours, meta []Problem) []Problem {
	seen := make(map[string]bool, len(ours))
	for _, p := range ours {
		seen[p.Path] = true
	}
	metaSeen := make(map[Problem]bool, len(meta))
	for _, p := range meta {
		if seen[p.Path] || metaSeen[p] {
			continue
		}
		metaSeen[p] = true
		ours = append(ours, p)
	}
	return ours
}

// precheck reads the bytes of a definition once, without decoding it, and
// refuses nesting deeper than MaxDefinitionDepth, more than
// MaxDefinitionValues values and a "properties" member with more than
// MaxFields members. It is safe and fast on any input; the
// definition may still be malformed JSON afterwards.
func precheck(b []byte) *Problem {
	var (
		depth            int
		inString, escape bool
		rootObject       bool // the document is an object
		keyNext          bool // at depth 1, the next string is a member name
		keyStart         int  // offset of the member name being read
		inKey            bool
		lastKey          string // the member name at depth 1 last read
		inProperties     bool   // inside the object value of "properties"
		members          int    // members of that object seen so far
		commas           int
	)
	for i, c := range b {
		if inString {
			switch {
			case escape:
				escape = false
			case c == '\\':
				escape = true
			case c == '"':
				inString = false
				if inKey {
					lastKey, inKey = string(b[keyStart:i]), false
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			if depth == 1 && rootObject && keyNext {
				inKey, keyStart, keyNext = true, i+1, false
			}
			if depth == 2 && inProperties && members == 0 {
				members = 1
			}
		case '{', '[':
			depth++
			if depth > MaxDefinitionDepth {
				return &Problem{Path: "", Message: fmt.Sprintf(
					"definition nests objects and arrays deeper than %d levels", MaxDefinitionDepth)}
			}
			switch {
			case depth == 1:
				rootObject, keyNext = c == '{', c == '{'
			case depth == 2 && c == '{' && lastKey == "properties":
				inProperties, members = true, 0
			}
		case '}', ']':
			if depth == 2 && inProperties {
				inProperties = false
			}
			depth--
		case ',':
			commas++
			if commas >= MaxDefinitionValues {
				return &Problem{Path: "", Message: fmt.Sprintf(
					"definition has more than %d values (members and array items)", MaxDefinitionValues)}
			}
			switch {
			case depth == 1:
				keyNext = true
			case depth == 2 && inProperties:
				members++
				if members > MaxFields {
					return &Problem{Path: "/properties", Message: fmt.Sprintf(
						"declares more than %d fields; at most %d are allowed", MaxFields, MaxFields)}
				}
			}
		}
	}
	return nil
}

// scan walks the whole document once. It reports references anywhere
// (V1: a definition must be self-contained) and numbers a float64 cannot
// hold; the latter are fatal, as the meta-schema check would spend time on
// them.
func scan(doc any) (problems []Problem, fatal bool) {
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				p := child(path, k)
				if refKeywords[k] {
					problems = append(problems, Problem{Path: p, Message: k +
						" is not allowed: a definition must be self-contained and may not refer to other documents"})
				}
				walk(v[k], p)
			}
		case []any:
			for i, e := range v {
				walk(e, child(path, strconv.Itoa(i)))
			}
		case json.Number:
			if _, ok := finite(v); !ok {
				problems = append(problems, Problem{Path: path, Message: "number is out of range"})
				fatal = true
			}
		}
	}
	walk(doc, "")
	return problems, fatal
}

// finite converts a JSON number to a float64, refusing literals that are
// very long or beyond the float64 range.
func finite(n json.Number) (float64, bool) {
	s := string(n)
	if len(s) > 64 {
		return 0, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > 400 || exp < -400 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// member is one name/value pair of a JSON object, value as written.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers returns the members of the JSON object b in document order.
func objectMembers(b []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("object member name is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, member{name: name, value: raw})
	}
	return out, nil
}

// propertyOrder returns the members of the definition's "properties" in
// document order, and a problem for each name declared twice.
func propertyOrder(definition []byte) ([]member, []Problem) {
	top, err := objectMembers(definition)
	if err != nil {
		return nil, nil
	}
	var raw json.RawMessage
	for _, m := range top {
		if m.name == "properties" {
			raw = m.value // the last one, as encoding/json does
		}
	}
	if raw == nil {
		return nil, nil
	}
	props, err := objectMembers(raw)
	if err != nil {
		return nil, nil
	}
	var problems []Problem
	seen := make(map[string]bool, len(props))
	order := make([]member, 0, len(props))
	for _, m := range props {
		if seen[m.name] {
			problems = append(problems, Problem{Path: pointer("properties", m.name), Message: "is declared more than once"})
			continue
		}
		seen[m.name] = true
		order = append(order, m)
	}
	return order, problems
}

// buildObject fills an Object from a definition that passed every check.
func buildObject(doc map[string]any, order []member, definition []byte) *Object {
	obj := &Object{
		Name:        str(doc["$id"]),
		Title:       str(doc["title"]),
		Label:       label(doc["x-crm-label"]),
		Description: str(doc["description"]),
		Sharing:     SharingReadWrite,
		Definition:  append(json.RawMessage(nil), definition...),
	}
	obj.Activity, _ = doc["x-crm-activity"].(bool)
	if s := str(doc["x-crm-sharing"]); s != "" {
		obj.Sharing = s
	}
	required := map[string]bool{}
	for _, r := range list(doc["required"]) {
		required[str(r)] = true
	}
	props, _ := doc["properties"].(map[string]any)
	for _, m := range order {
		pm, _ := props[m.name].(map[string]any)
		obj.Fields = append(obj.Fields, buildField(m.name, pm, m.value, required[m.name]))
	}
	for _, idx := range list(doc["x-crm-indexes"]) {
		var names []string
		for _, n := range list(idx) {
			names = append(names, str(n))
		}
		obj.Indexes = append(obj.Indexes, names)
	}
	obj.Automations = buildAutomations(doc["x-crm-automations"])
	obj.CustomerValue = buildCustomerValue(doc[customerValueKeyword])
	obj.Campaign = buildCampaign(doc["x-crm-campaign"])
	obj.Duplicates = buildDuplicates(doc[duplicatesKeyword], props)
	obj.Approvals = buildApprovals(doc[approvalsKeyword])
	obj.Pool = buildPool(doc[poolKeyword])
	obj.MultiCurrency = buildMultiCurrency(doc[multiCurrencyKeyword])
	for _, v := range list(doc["x-crm-scripts"]) {
		m, _ := v.(map[string]any)
		obj.Scripts = append(obj.Scripts, Script{Name: str(m["name"]), Label: label(m["label"]), Kind: str(m["kind"]),
			Source: str(m["source"]), Active: m["active"] != false, Schedule: str(m["schedule"])})
	}
	for _, v := range list(doc["x-crm-validations"]) {
		m, _ := v.(map[string]any)
		obj.Validations = append(obj.Validations, ValidationRule{Name: str(m["name"]), Condition: str(m["condition"]),
			Field: str(m["field"]), Message: label(m["message"]), Active: m["active"] != false})
	}
	obj.Fields = append(obj.Fields, convertedFields(obj)...)
	for _, f := range slices.Clone(obj.Fields) {
		if f.Searchable {
			// The keyed hash carries the field's uniqueness and index.
			obj.Fields = append(obj.Fields, &Field{Name: SearchField(f.Name), Type: TypeText, Hidden: true, Unique: f.Unique, Indexed: !f.Unique})
		}
	}
	obj.byName = make(map[string]*Field, len(obj.Fields))
	for _, f := range obj.Fields {
		obj.byName[f.Name] = f
	}
	return obj
}

func buildField(name string, pm map[string]any, raw json.RawMessage, required bool) *Field {
	f := &Field{
		Name:        name,
		Type:        Type(str(pm["x-crm-type"])),
		Label:       label(pm["x-crm-label"]),
		Description: str(pm["description"]),
		Required:    required,
		Target:      str(pm["x-crm-target"]),
		Reverse:     str(pm["x-crm-reverse"]),
		Unique:      pm["x-crm-unique"] == true,
		Indexed:     pm["x-crm-indexed"] == true,
		Sensitive:   pm["x-crm-sensitive"] == true,
		Searchable:  pm["x-crm-sensitive"] == true && (pm["x-crm-searchable"] == true || pm["x-crm-unique"] == true),
		AutoNumber:  str(pm["x-crm-format"]),
		Format:      str(pm["format"]),
		Pattern:     str(pm["pattern"]),
		Currency:    str(pm[currencyKeyword]),
		Schema:      append(json.RawMessage(nil), raw...),
	}
	enum := pm["enum"]
	if f.Type == TypeMultiPicklist {
		items, _ := pm["items"].(map[string]any)
		enum = items["enum"]
	}
	for _, o := range list(enum) {
		f.Options = append(f.Options, str(o))
	}
	for _, o := range list(pm["x-crm-options"]) {
		om, _ := o.(map[string]any)
		if f.OptionLabels == nil {
			f.OptionLabels = map[string]Label{}
		}
		f.OptionLabels[str(om["value"])] = label(om["label"])
		if c := str(om["color"]); c != "" {
			if f.OptionColors == nil {
				f.OptionColors = map[string]string{}
			}
			f.OptionColors[str(om["value"])] = c
		}
	}
	if n, ok := pm["maxLength"].(json.Number); ok {
		if v, ok := finite(n); ok {
			f.MaxLength = int(v)
		}
	}
	f.Pipeline = buildPipeline(pm["x-crm-pipeline"])
	if fm, ok := pm["x-crm-formula"].(map[string]any); ok {
		f.Formula = str(fm["expression"])
		switch str(pm["type"]) {
		case "number":
			f.resultKind = KindNumber
		case "integer":
			f.resultKind = KindInteger
		case "boolean":
			f.resultKind = KindBoolean
		default:
			switch f.Format {
			case "date":
				f.resultKind = KindDate
			case "date-time":
				f.resultKind = KindDateTime
			default:
				f.resultKind = KindString
			}
		}
	}
	if f.Type == TypeFile {
		f.File = &FileSpec{Multiple: str(pm["type"]) == "array"}
		fm, _ := pm["x-crm-file"].(map[string]any)
		if n, ok := fm["maxSize"].(json.Number); ok {
			if v, ok := finite(n); ok {
				f.File.MaxSize = int64(v)
			}
		}
		for _, a := range list(fm["accept"]) {
			f.File.Accept = append(f.File.Accept, strings.ToLower(str(a)))
		}
	}
	if rm, ok := pm["x-crm-rollup"].(map[string]any); ok {
		f.Rollup = &Rollup{Object: str(rm["object"]), Via: str(rm["via"]), Function: str(rm["function"]), Field: str(rm["field"])}
		if c, ok := rm["condition"]; ok && c != nil {
			f.Rollup.Condition, _ = json.Marshal(c)
		}
	}
	f.Minimum = numberPtr(pm["minimum"])
	f.Maximum = numberPtr(pm["maximum"])
	if d, ok := pm["default"]; ok && d != nil {
		f.Default = plainNumbers(d)
	}
	return f
}

// checkDefaults validates each field's default against the field.
func checkDefaults(obj *Object) []Problem {
	v := &Validator{obj: obj, schema: obj.compiled}
	var problems []Problem
	for _, f := range obj.Fields {
		if f.Default == nil || f.Type == TypeUser && f.Default == CurrentUser {
			continue // the user who creates the record (see CurrentUser)
		}
		err := v.Validate(map[string]any{f.Name: f.Default})
		var ve *ValidationError
		if !errors.As(err, &ve) {
			continue
		}
		for _, fe := range ve.Fields {
			if fe.Code == CodeRequired {
				continue
			}
			msg := fe.Message
			if part, ok := strings.CutPrefix(fe.Field, f.Name+"."); ok {
				msg = part + " " + msg
			} else if fe.Field != f.Name {
				continue
			}
			problems = append(problems, Problem{
				Path:    pointer("properties", f.Name, "default"),
				Message: "does not fit the field: " + msg,
			})
		}
	}
	return problems
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func label(v any) Label {
	m, _ := v.(map[string]any)
	return Label{Zh: str(m["zh"]), En: str(m["en"])}
}

func numberPtr(v any) *float64 {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	f, ok := finite(n)
	if !ok {
		return nil
	}
	return &f
}

// plainNumbers returns v with every json.Number turned into a float64, the
// way records hold numbers.
func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := finite(v)
		return f
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = plainNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plainNumbers(e)
		}
		return out
	}
	return v
}
