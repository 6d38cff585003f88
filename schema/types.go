package schema

import (
	"slices"
	"strings"
)

// Type is a CRM field type, the value of x-crm-type.
type Type string

// Field types.
const (
	TypeText          Type = "text"
	TypeTextarea      Type = "textarea"
	TypeRichText      Type = "richtext"
	TypeNumber        Type = "number"
	TypeInteger       Type = "integer"
	TypeCurrency      Type = "currency"
	TypePercent       Type = "percent"
	TypeBoolean       Type = "boolean"
	TypeDate          Type = "date"
	TypeDateTime      Type = "datetime"
	TypeEmail         Type = "email"
	TypePhone         Type = "phone"
	TypeURL           Type = "url"
	TypePicklist      Type = "picklist"
	TypeMultiPicklist Type = "multipicklist"
	TypeLookup        Type = "lookup"
	TypeMultiLookup   Type = "multilookup"
	TypeAutoNumber    Type = "autonumber"
	TypeAddress       Type = "address"
	TypeJSON          Type = "json"
	// TypeRollup is a roll-up summary: count, sum, min or max over the
	// records of another object that refer to this one (x-crm-rollup).
	TypeRollup Type = "rollup"
	// TypeFormula is computed on every write from an expression over the
	// record's fields (x-crm-formula) and stored, so it filters, sorts and
	// indexes like any field. Its JSON type is the result's.
	TypeFormula Type = "formula"
	// TypeFile holds attached files (engine/attachment.go): the id of one
	// attachment ("type": "string") or a list of them ("type": "array",
	// items strings, at most MaxFilesPerField), with the size and types
	// it accepts in x-crm-file.
	TypeFile Type = "file"
	// TypeUser names one user of the tenant, stored as "user:USERNAME"
	// (the form of a record's ownerId). Writes may give the user name,
	// "user:USERNAME" or the display name of exactly one active user; the
	// engine stores "user:USERNAME" (see [UserID]).
	TypeUser Type = "user"
)

// MaxFilesPerField bounds the files of one multiple file field.
const MaxFilesPerField = 20

// FileSpec is what a file field accepts (x-crm-file).
type FileSpec struct {
	// Multiple: the field holds a list of files.
	Multiple bool
	// MaxSize bounds each file in bytes; 0 leaves it to the tenant's
	// limit.
	MaxSize int64
	// Accept lists the file extensions (".pdf") and content types
	// ("image/*", "application/pdf") the field takes; empty takes any.
	Accept []string
}

// Kind is the shape a field's values take in storage and in the API.
type Kind int

// Kinds.
const (
	KindString     Kind = iota + 1 // a JSON string
	KindNumber                     // a JSON number (float64)
	KindInteger                    // a JSON number without fraction
	KindBoolean                    // true/false
	KindDate                       // "YYYY-MM-DD"
	KindDateTime                   // DateTimeLayout, UTC
	KindLookup                     // the id (string) of a record of Field.Target
	KindStringList                 // array of strings
	KindLookupList                 // array of ids of records of Field.Target
	KindAddress                    // object with AddressParts, each a string
	KindJSON                       // any JSON value
)

// DateTimeLayout is the normalised form of datetime values: UTC with six
// fraction digits, so that text order is time order.
const DateTimeLayout = "2006-01-02T15:04:05.000000Z"

// DateLayout is the form of date values.
const DateLayout = "2006-01-02"

// AddressParts are the string members of an address value, in display
// order (China first: 省/市/区), then the GB/T 2260 codes of its province,
// city and district (440000, 440300, 440305), which the engine checks
// against the division dataset and keeps in step with the names (see
// package schema/region).
var AddressParts = []string{"country", "province", "city", "district", "street", "postalCode", "provinceCode", "cityCode", "districtCode"}

// AddressCodeParts are the parts of an address that hold division codes,
// and AddressCodeOf maps each named region part to its code part.
var (
	AddressCodeParts = []string{"provinceCode", "cityCode", "districtCode"}
	AddressCodeOf    = map[string]string{"province": "provinceCode", "city": "cityCode", "district": "districtCode"}
)

// AddressPartLabels name the parts of an address.
var AddressPartLabels = map[string]Label{
	"country":      {Zh: "国家", En: "Country"},
	"province":     {Zh: "省份", En: "Province"},
	"city":         {Zh: "城市", En: "City"},
	"district":     {Zh: "区县", En: "District"},
	"street":       {Zh: "街道", En: "Street"},
	"postalCode":   {Zh: "邮编", En: "Postal code"},
	"provinceCode": {Zh: "省份代码", En: "Province code"},
	"cityCode":     {Zh: "城市代码", En: "City code"},
	"districtCode": {Zh: "区县代码", En: "District code"},
}

// RegionParts are the parts of an address that name a region (国家, 省,
// 市, 区, by name or by code): the ones records are grouped by. A street
// or a postal code names a handful of records each.
var RegionParts = []string{"country", "province", "city", "district", "provinceCode", "cityCode", "districtCode"}

// AddressPartName names a part of an address field where a dotted path
// ("shipTo.city") cannot stand, as in a GraphQL enum value:
// FIELD_PART ("shipTo_city"). Field names have no "_", so it is never a
// field's name.
func AddressPartName(field, part string) string { return field + "_" + part }

// AddressPartPath returns the dotted path ("shipTo.city") of the address
// part of obj that name, as [AddressPartName] gives it, names
// ("shipTo_city"); ok is false for any other name.
func AddressPartPath(obj *Object, name string) (path string, ok bool) {
	field, part, cut := strings.Cut(name, "_")
	if !cut || !slices.Contains(AddressParts, part) {
		return "", false
	}
	for _, f := range obj.Fields {
		if f != nil && f.Name == field && f.Kind() == KindAddress {
			return field + "." + part, true
		}
	}
	return "", false
}

// TypeInfo describes a field type.
type TypeInfo struct {
	Type Type
	Kind Kind
	// JSONType is the JSON Schema "type" the property must declare.
	JSONType string
	// Format is the JSON Schema "format" the property must declare, if any.
	Format string
	// Sortable fields may appear in orderBy and x-crm-indexes.
	Sortable bool
	// Filterable fields get a comparison in the generated filter.
	Filterable bool
	Label      Label
}

// Types is the registry of field types.
var Types = map[Type]TypeInfo{
	TypeText:          {Kind: KindString, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "单行文本", En: "Text"}},
	TypeTextarea:      {Kind: KindString, JSONType: "string", Filterable: true, Label: Label{Zh: "多行文本", En: "Text area"}},
	TypeRichText:      {Kind: KindString, JSONType: "string", Filterable: true, Label: Label{Zh: "富文本", En: "Rich text"}},
	TypeNumber:        {Kind: KindNumber, JSONType: "number", Sortable: true, Filterable: true, Label: Label{Zh: "数字", En: "Number"}},
	TypeInteger:       {Kind: KindInteger, JSONType: "integer", Sortable: true, Filterable: true, Label: Label{Zh: "整数", En: "Integer"}},
	TypeCurrency:      {Kind: KindNumber, JSONType: "number", Sortable: true, Filterable: true, Label: Label{Zh: "金额", En: "Currency"}},
	TypePercent:       {Kind: KindNumber, JSONType: "number", Sortable: true, Filterable: true, Label: Label{Zh: "百分比", En: "Percent"}},
	TypeBoolean:       {Kind: KindBoolean, JSONType: "boolean", Sortable: true, Filterable: true, Label: Label{Zh: "是/否", En: "Checkbox"}},
	TypeDate:          {Kind: KindDate, JSONType: "string", Format: "date", Sortable: true, Filterable: true, Label: Label{Zh: "日期", En: "Date"}},
	TypeDateTime:      {Kind: KindDateTime, JSONType: "string", Format: "date-time", Sortable: true, Filterable: true, Label: Label{Zh: "日期时间", En: "Date/time"}},
	TypeEmail:         {Kind: KindString, JSONType: "string", Format: "email", Sortable: true, Filterable: true, Label: Label{Zh: "邮箱", En: "Email"}},
	TypePhone:         {Kind: KindString, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "电话", En: "Phone"}},
	TypeURL:           {Kind: KindString, JSONType: "string", Format: "uri", Sortable: true, Filterable: true, Label: Label{Zh: "网址", En: "URL"}},
	TypePicklist:      {Kind: KindString, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "单选", En: "Picklist"}},
	TypeMultiPicklist: {Kind: KindStringList, JSONType: "array", Filterable: true, Label: Label{Zh: "多选", En: "Multi-select picklist"}},
	TypeLookup:        {Kind: KindLookup, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "关联", En: "Lookup"}},
	TypeMultiLookup:   {Kind: KindLookupList, JSONType: "array", Filterable: true, Label: Label{Zh: "多对多关联", En: "Multi-lookup"}},
	TypeAutoNumber:    {Kind: KindString, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "自动编号", En: "Auto number"}},
	TypeAddress:       {Kind: KindAddress, JSONType: "object", Filterable: true, Label: Label{Zh: "地址", En: "Address"}},
	TypeJSON:          {Kind: KindJSON, Filterable: true, Label: Label{Zh: "JSON", En: "JSON"}},
	TypeRollup:        {Kind: KindNumber, JSONType: "number", Sortable: true, Filterable: true, Label: Label{Zh: "汇总", En: "Roll-up summary"}},
	TypeFormula:       {Kind: KindString, Sortable: true, Filterable: true, Label: Label{Zh: "公式", En: "Formula"}},
	TypeFile:          {Kind: KindString, Label: Label{Zh: "文件", En: "File"}},
	TypeUser:          {Kind: KindString, JSONType: "string", Sortable: true, Filterable: true, Label: Label{Zh: "用户", En: "User"}},
}

func init() {
	for t, info := range Types {
		info.Type = t
		Types[t] = info
	}
}
