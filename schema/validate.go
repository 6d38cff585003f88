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
)

// codeRank orders the codes of one field: the first failure reported is the
// most basic one.
var codeRank = map[string]int{
	CodeEncoding: -1, CodeCharacters: 0, CodeType: 1, CodeRequired: 2, CodeUnknown: 3, CodeEnum: 4, CodeFormat: 5, CodePattern: 6,
	CodeMinLength: 7, CodeMaxLength: 8, CodeMinimum: 9, CodeMaximum: 10, CodeMultipleOf: 11,
	CodeMinItems: 12, CodeMaxItems: 13, CodeUniqueItems: 14,
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
			errs = append(errs, FieldError{Field: "", Code: CodeType,
				Message:   "record cannot be checked: " + err.Error(),
				MessageZh: "记录无法校验：" + err.Error()})
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
		return []FieldError{{Field: fieldPath(at), Code: CodeType, Message: leaf.Message, MessageZh: "不符合要求"}}
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
					out = append(out, FieldError{Field: fieldPath(append(at[:len(at):len(at)], r)), Code: CodeRequired,
						Message: "is required", MessageZh: "必填"})
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
			out = append(out, FieldError{Field: fieldPath(append(at[:len(at):len(at)], k)), Code: CodeUnknown,
				Message: "is not an address part", MessageZh: "不是地址的组成部分"})
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
	fe := describe(keyword, owner, leaf.Message)
	fe.Field = field
	if item >= 0 {
		fe.Message = fmt.Sprintf("item %d %s", item+1, fe.Message)
		fe.MessageZh = fmt.Sprintf("第 %d 项%s", item+1, fe.MessageZh)
	}
	return []FieldError{fe}
}

func (v *Validator) unknown(name string) FieldError {
	return FieldError{Field: name, Code: CodeUnknown,
		Message:   "is not a field of " + v.obj.Name,
		MessageZh: "不是 " + v.obj.Name + " 的字段"}
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
func jsonTypeOf(f *Field) string { return Types[f.Type].JSONType }

func typeError(field, want string, item int) FieldError {
	en, zh := "has a value of the wrong type", "值的类型不正确"
	switch want {
	case "string":
		en, zh = "must be a string", "必须是文本"
	case "number":
		en, zh = "must be a number", "必须是数字"
	case "integer":
		en, zh = "must be a whole number", "必须是整数"
	case "boolean":
		en, zh = "must be true or false", "必须是“是”或“否”"
	case "array":
		en, zh = "must be a list", "必须是列表"
	case "object":
		en, zh = "must be an object", "必须是对象"
	}
	if item >= 0 {
		en = fmt.Sprintf("item %d %s", item+1, en)
		zh = fmt.Sprintf("第 %d 项%s", item+1, zh)
	}
	return FieldError{Field: field, Code: CodeType, Message: en, MessageZh: zh}
}

// formatMessages word a value that does not match a format.
var formatMessages = map[string][2]string{
	"email":            {"is not a valid email address", "不是有效的邮箱地址"},
	"date":             {"is not a valid date (YYYY-MM-DD)", "不是有效的日期（YYYY-MM-DD）"},
	"date-time":        {"is not a valid date and time (RFC 3339, e.g. 2024-05-01T08:30:00Z)", "不是有效的日期时间（RFC 3339，例如 2024-05-01T08:30:00Z）"},
	"uri":              {"is not a valid URL", "不是有效的网址"},
	"uuid":             {"is not a valid UUID", "不是有效的 UUID"},
	"hostname":         {"is not a valid host name", "不是有效的主机名"},
	"ipv4":             {"is not a valid IPv4 address", "不是有效的 IPv4 地址"},
	"ipv6":             {"is not a valid IPv6 address", "不是有效的 IPv6 地址"},
	FormatPhone:        {"is not a valid phone number", "不是有效的电话号码"},
	FormatCNMobile:     {"is not a valid mobile number", "不是有效的手机号码"},
	FormatCNLandline:   {"is not a valid landline number", "不是有效的固定电话号码"},
	FormatCNResidentID: {"is not a valid resident identity card number", "不是有效的居民身份证号码"},
	FormatCNUSCC:       {"is not a valid unified social credit code", "不是有效的统一社会信用代码"},
}

// maxListed is how many allowed values an enum message quotes.
const maxListed = 20

// describe words a failed keyword (other than type, required and
// additionalProperties) using the limits of its subschema s, which may be
// nil; fallback is the library's message.
func describe(keyword string, s *jsonschema.Schema, fallback string) FieldError {
	fe := FieldError{Code: keyword, Message: fallback, MessageZh: "不符合要求"}
	if s == nil {
		return fe
	}
	set := func(en, zh string) { fe.Message, fe.MessageZh = en, zh }
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
		set("must be one of: "+strings.Join(vals, ", ")+more, "必须是以下值之一："+strings.Join(vals, "、")+more)
	case "format":
		if m, ok := formatMessages[s.Format]; ok {
			set(m[0], m[1])
		} else {
			set("is not a valid "+s.Format, "不是有效的 "+s.Format)
		}
	case "pattern":
		p := ""
		if s.Pattern != nil {
			p = s.Pattern.String()
		}
		set("does not match the pattern "+p, "不符合格式要求（"+p+"）")
	case "minLength":
		if s.MinLength == 1 {
			set("must not be empty", "不能为空")
		} else {
			set(fmt.Sprintf("must be at least %d characters", s.MinLength), fmt.Sprintf("不能少于 %d 个字符", s.MinLength))
		}
	case "maxLength":
		set(fmt.Sprintf("must be at most %d characters", s.MaxLength), fmt.Sprintf("不能超过 %d 个字符", s.MaxLength))
	case "minimum":
		n := ratText(s.Minimum)
		set("must be at least "+n, "不能小于 "+n)
	case "exclusiveMinimum":
		fe.Code = CodeMinimum
		n := ratText(s.ExclusiveMinimum)
		set("must be greater than "+n, "必须大于 "+n)
	case "maximum":
		n := ratText(s.Maximum)
		set("must be at most "+n, "不能大于 "+n)
	case "exclusiveMaximum":
		fe.Code = CodeMaximum
		n := ratText(s.ExclusiveMaximum)
		set("must be less than "+n, "必须小于 "+n)
	case "multipleOf":
		n := ratText(s.MultipleOf)
		set("must be a multiple of "+n, "必须是 "+n+" 的倍数")
	case "minItems":
		set("must have at least "+items(s.MinItems), fmt.Sprintf("至少需要 %d 项", s.MinItems))
	case "maxItems":
		set("must have at most "+items(s.MaxItems), fmt.Sprintf("最多只能有 %d 项", s.MaxItems))
	case "uniqueItems":
		set("must not contain duplicates", "不能包含重复的值")
	}
	return fe
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
	TypeLookup: true, TypeDate: true, TypeDateTime: true,
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
