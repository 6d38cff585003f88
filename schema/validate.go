package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Codes of [FieldError] set by [Validator.Validate]. They are stable: the
// API and the admin UI key on them.
const (
	CodeRequired    = "required"
	CodeType        = "type"
	CodeUnknown     = "unknown"
	CodeEnum        = "enum"
	CodeFormat      = "format"
	CodePattern     = "pattern"
	CodeMinLength   = "minLength"
	CodeMaxLength   = "maxLength"
	CodeMinimum     = "minimum"
	CodeMaximum     = "maximum"
	CodeMultipleOf  = "multipleOf"
	CodeMinItems    = "minItems"
	CodeMaxItems    = "maxItems"
	CodeUniqueItems = "uniqueItems"
	// CodeUser: a user field's value names no active user of the tenant,
	// or, as a display name, several of them.
	CodeUser = "user"
)

// codeRank orders the codes of one field: the first failure reported is the
// most basic one.
var codeRank = map[string]int{
	CodeEncoding: -1, CodeCharacters: 0, CodeType: 1, CodeRequired: 2, CodeUnknown: 3, CodeEnum: 4, CodeFormat: 5, CodePattern: 6,
	CodeMinLength: 7, CodeMaxLength: 8, CodeMinimum: 9, CodeMaximum: 10, CodeMultipleOf: 11,
	CodeMinItems: 12, CodeMaxItems: 13, CodeUniqueItems: 14, CodeUser: 4,
}

// Validator checks record payloads of one object version. Safe for
// concurrent use.
type Validator struct {
	obj    *Object
	schema *jsonschema.Schema
}

// NewValidator compiles obj's JSON Schema with jsonschema/v5 (draft 2020-12,
// formats asserted, our custom formats known, every $ref to a file or URL
// refused). The compiled schema refuses properties obj does not declare and
// does not require autonumber fields, which the engine fills. For an Object
// from [ParseObject] it reuses the schema compiled there. Fields built in
// code without a Schema get one made from their members.
func NewValidator(obj *Object) (*Validator, error) {
	if obj == nil {
		return nil, errors.New("schema: new validator: nil object")
	}
	s := obj.compiled
	if s == nil {
		var err error
		if s, err = compileObject(obj); err != nil {
			return nil, err
		}
	}
	return &Validator{obj: obj, schema: s}, nil
}

// Object returns the object the validator checks records of.
func (v *Validator) Object() *Object { return v.obj }

// Validate checks a complete record's data (not a patch) and returns a
// *[ValidationError] naming every failing field, one [FieldError] each, in
// field order, or nil.
//
// Values are what encoding/json decodes into any; json.Number and Go
// integers are accepted as numbers. A null counts as a missing value, and
// so does a blank string, empty list or empty address given for a required
// field. Values of text, email, phone, url, picklist, lookup, date and
// datetime fields are checked with surrounding white space trimmed, as
// [Normalize] stores them.
func (v *Validator) Validate(data map[string]any) error {
	var errs []FieldError
	clean := make(map[string]any, len(data))
	for name, val := range data {
		f := v.obj.Field(name)
		cv, ok := canonical(val)
		if !ok {
			if f == nil {
				errs = append(errs, v.unknown(name))
			} else {
				errs = append(errs, typeError(f.Name, jsonTypeOf(f), -1))
			}
			continue
		}
		if cv == nil {
			continue
		}
		if f != nil {
			cv = trimValue(f, cv)
			if ps := textProblems(f, cv, false); len(ps) > 0 {
				errs = append(errs, ps...)
				continue
			}
			cv = CanonicalValue(f, cv)
			if p := userProblem(f, cv); p != nil {
				errs = append(errs, *p)
				continue
			}
			if f.Required && f.Type != TypeAutoNumber && blank(cv) {
				continue // reported as missing
			}
		}
		clean[name] = cv
	}
	if err := v.schema.Validate(clean); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			forLeaves(ve, func(leaf *jsonschema.ValidationError) {
				errs = append(errs, v.leafErrors(clean, leaf)...)
			})
		} else {
			errs = append(errs, NewFieldError("", CodeType, "value.uncheckable", err.Error()))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return v.obj.Invalid(v.arrange(errs))
}

// arrange keeps the most basic error of each field and sorts them: record
// errors first, then fields in the object's order, then unknown fields by
// name.
func (v *Validator) arrange(errs []FieldError) []FieldError {
	best := map[string]int{}
	var out []FieldError
	for _, e := range errs {
		i, ok := best[e.Field]
		if !ok {
			best[e.Field] = len(out)
			out = append(out, e)
			continue
		}
		if rank(e.Code) < rank(out[i].Code) {
			out[i] = e
		}
	}
	index := make(map[string]int, len(v.obj.Fields))
	for i, f := range v.obj.Fields {
		if f != nil {
			index[f.Name] = i
		}
	}
	key := func(field string) (int, int, string) {
		if field == "" {
			return -1, 0, ""
		}
		top, sub, nested := strings.Cut(field, ".")
		i, known := index[top]
		if !known {
			return len(index), 0, field
		}
		if !nested {
			return i, -1, ""
		}
		for j, p := range AddressParts {
			if p == sub {
				return i, j, ""
			}
		}
		return i, len(AddressParts), sub
	}
	sort.SliceStable(out, func(a, b int) bool {
		a1, a2, a3 := key(out[a].Field)
		b1, b2, b3 := key(out[b].Field)
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return a3 < b3
	})
	return out
}

func rank(code string) int {
	if r, ok := codeRank[code]; ok {
		return r
	}
	return len(codeRank) + 1
}

// leafErrors turns one failed keyword of the record schema into field
// errors. The keyword's compiled subschema supplies the limits quoted.
func (v *Validator) leafErrors(clean map[string]any, leaf *jsonschema.ValidationError) []FieldError {
	kl := splitPointer(leaf.KeywordLocation)
	at := splitPointer(leaf.InstanceLocation)
	if len(kl) == 0 {
		return []FieldError{notAccepted(fieldPath(at), CodeType, leaf.Message)}
	}
	keyword := kl[len(kl)-1]
	owner := subschema(v.schema, kl[:len(kl)-1])
	switch keyword {
	case "required":
		inst, _ := resolve(clean, at)
		m, _ := inst.(map[string]any)
		var out []FieldError
		if owner != nil {
			for _, r := range owner.Required {
				if _, ok := m[r]; !ok {
					out = append(out, NewFieldError(fieldPath(append(at[:len(at):len(at)], r)), CodeRequired, "value.required"))
				}
			}
		}
		return out
	case "additionalProperties":
		inst, _ := resolve(clean, at)
		m, _ := inst.(map[string]any)
		var out []FieldError
		for _, k := range sortedKeys(m) {
			if owner != nil {
				if _, ok := owner.Properties[k]; ok {
					continue
				}
			}
			if len(at) == 0 {
				out = append(out, v.unknown(k))
				continue
			}
			out = append(out, NewFieldError(fieldPath(append(at[:len(at):len(at)], k)), CodeUnknown, "value.notAddressPart"))
		}
		return out
	}

	field := fieldPath(at)
	item := -1
	if len(at) > 1 {
		if f := v.obj.Field(at[0]); f != nil && (f.Kind() == KindStringList || f.Kind() == KindLookupList) {
			item, _ = strconv.Atoi(at[1])
		}
	}
	if keyword == "type" {
		want := ""
		if owner != nil && len(owner.Types) > 0 {
			want = owner.Types[0]
		}
		return []FieldError{typeError(field, want, item)}
	}
	code, m, ok := describe(keyword, owner)
	if !ok {
		fe := notAccepted(field, keyword, leaf.Message)
		if item >= 0 {
			fe.Message = message.Text(message.En, "value.item", item+1, leaf.Message)
			fe.MessageZh = message.Text(message.Zh, "value.item", item+1, message.New("value.notAccepted"))
		}
		return []FieldError{fe}
	}
	return []FieldError{fieldErrorOf(field, code, ofItem(item, m))}
}

func (v *Validator) unknown(name string) FieldError {
	return NewFieldError(name, CodeUnknown, "value.notAField", v.obj.Name)
}

// fieldPath names the field at an instance location: "amount",
// "shipTo.city"; list items name their list ("tags").
func fieldPath(at []string) string {
	if len(at) > 1 {
		if _, err := strconv.Atoi(at[1]); err == nil {
			return at[0]
		}
		return at[0] + "." + at[1]
	}
	if len(at) == 1 {
		return at[0]
	}
	return ""
}

// subschema follows a keyword location (without the keyword) through the
// compiled record schema. Our record schemas use no references, so the
// location is a plain path of "properties/<name>" and "items" steps.
func subschema(s *jsonschema.Schema, toks []string) *jsonschema.Schema {
	for i := 0; i < len(toks) && s != nil; i++ {
		switch toks[i] {
		case "properties":
			if i+1 >= len(toks) {
				return nil
			}
			i++
			s = s.Properties[toks[i]]
		case "items":
			if s.Items2020 != nil {
				s = s.Items2020
			} else if it, ok := s.Items.(*jsonschema.Schema); ok {
				s = it
			} else {
				return nil
			}
		default:
			return nil
		}
	}
	return s
}

// jsonTypeOf returns the JSON type of f's values, "" for any.
func jsonTypeOf(f *Field) string {
	if f.Type == TypeFile {
		if f.Kind() == KindStringList {
			return "array"
		}
		return "string"
	}
	return Types[f.Type].JSONType
}

func typeError(field, want string, item int) FieldError {
	m := message.New("value.wrongType")
	switch want {
	case "string":
		m = message.New("value.mustBeString")
	case "number":
		m = message.New("value.mustBeNumber")
	case "integer":
		m = message.New("value.mustBeInteger")
	case "boolean":
		m = message.New("value.mustBeBoolean")
	case "array":
		m = message.New("value.mustBeList")
	case "object":
		m = message.New("value.mustBeObject")
	}
	return fieldErrorOf(field, CodeType, ofItem(item, m))
}

// ofItem words m as the problem of the list's item (0-based), or as is
// when item is negative.
func ofItem(item int, m message.Message) message.Message {
	if item < 0 {
		return m
	}
	return message.New("value.item", item+1, m)
}

// notAccepted is a problem our messages do not word: the validator's own
// message in English, and "不符合要求" in Chinese.
func notAccepted(field, code, validatorMessage string) FieldError {
	fe := NewFieldError(field, code, "value.notAccepted")
	fe.Message = validatorMessage
	return fe
}

// formatMessages word a value that does not match a format.
var formatMessages = map[string]message.Message{
	"email":            message.New("value.formatEmail"),
	"date":             message.New("value.formatDate"),
	"date-time":        message.New("value.formatDateTime"),
	"uri":              message.New("value.formatURL"),
	"uuid":             message.New("value.formatUUID"),
	"hostname":         message.New("value.formatHostname"),
	"ipv4":             message.New("value.formatIPv4"),
	"ipv6":             message.New("value.formatIPv6"),
	FormatPhone:        message.New("value.formatPhone"),
	FormatCNMobile:     message.New("value.formatCNMobile"),
	FormatCNLandline:   message.New("value.formatCNLandline"),
	FormatCNResidentID: message.New("value.formatCNResidentID"),
	FormatCNUSCC:       message.New("value.formatCNUSCC"),
}

// maxListed is how many allowed values an enum message quotes.
const maxListed = 20

// describe words a failed keyword (other than type, required and
// additionalProperties) using the limits of its subschema s: the problem's
// code and message, or false when s is nil or the keyword is one we do
// not word.
func describe(keyword string, s *jsonschema.Schema) (string, message.Message, bool) {
	if s == nil {
		return "", message.Message{}, false
	}
	switch keyword {
	case "enum":
		vals := make([]string, 0, len(s.Enum))
		for _, e := range s.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		more := ""
		if len(vals) > maxListed {
			vals, more = vals[:maxListed], " …"
		}
		return keyword, message.New("value.oneOf", strings.Join(vals, ", "), strings.Join(vals, "、"), more), true
	case "format":
		if m, ok := formatMessages[s.Format]; ok {
			return keyword, m, true
		}
		return keyword, message.New("value.formatOther", s.Format), true
	case "pattern":
		p := ""
		if s.Pattern != nil {
			p = s.Pattern.String()
		}
		return keyword, message.New("value.pattern", p), true
	case "minLength":
		if s.MinLength == 1 {
			return keyword, message.New("value.notEmpty"), true
		}
		return keyword, message.New("value.minLength", s.MinLength), true
	case "maxLength":
		return keyword, message.New("value.maxLength", s.MaxLength), true
	case "minimum":
		return keyword, message.New("value.minimum", ratText(s.Minimum)), true
	case "exclusiveMinimum":
		return CodeMinimum, message.New("value.exclusiveMinimum", ratText(s.ExclusiveMinimum)), true
	case "maximum":
		return keyword, message.New("value.maximum", ratText(s.Maximum)), true
	case "exclusiveMaximum":
		return CodeMaximum, message.New("value.exclusiveMaximum", ratText(s.ExclusiveMaximum)), true
	case "multipleOf":
		return keyword, message.New("value.multipleOf", ratText(s.MultipleOf)), true
	case "minItems":
		return keyword, message.New("value.minItems", items(s.MinItems), s.MinItems), true
	case "maxItems":
		return keyword, message.New("value.maxItems", items(s.MaxItems), s.MaxItems), true
	case "uniqueItems":
		return keyword, message.New("value.uniqueItems"), true
	}
	return "", message.Message{}, false
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

func ratText(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// canonical turns a record value into the JSON value the validator expects:
// numbers as float64, nulls in objects dropped. ok is false for values JSON
// cannot hold (other Go types, NaN, infinities).
func canonical(v any) (out any, ok bool) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case float32:
		return canonical(float64(v))
	case json.Number:
		return finite(v)
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			if l[i], ok = canonical(e); !ok {
				return nil, false
			}
		}
		return l, true
	case []string:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = e
		}
		return l, true
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			c, ok := canonical(e)
			if !ok {
				return nil, false
			}
			if c != nil {
				m[k] = c
			}
		}
		return m, true
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = e
		}
		return m, true
	}
	return nil, false
}

// trimmed field types have surrounding white space removed from values.
var trimmed = map[Type]bool{
	TypeText: true, TypeEmail: true, TypePhone: true, TypeURL: true, TypePicklist: true,
	TypeLookup: true, TypeDate: true, TypeDateTime: true, TypeUser: true,
	TypeMultiPicklist: true, TypeMultiLookup: true, TypeAddress: true,
}

// trimValue trims the strings of a canonical value of f. It returns a new
// list or map rather than changing v.
func trimValue(f *Field, v any) any {
	if !trimmed[f.Type] {
		return v
	}
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			if s, ok := e.(string); ok {
				e = strings.TrimSpace(s)
			}
			l[i] = e
		}
		return l
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			if s, ok := e.(string); ok {
				e = strings.TrimSpace(s)
			}
			m[k] = e
		}
		return m
	}
	return v
}

// blank reports an empty string, list or object.
func blank(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}
