package schema

import (
	"encoding/json"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Label is a human name in the two languages the product ships.
type Label struct {
	Zh string `json:"zh,omitempty"`
	En string `json:"en,omitempty"`
}

// Organisation-wide defaults of record access (x-crm-sharing).
const (
	// SharingReadWrite: everyone whose role may read or change the object
	// reads or changes every record.
	SharingReadWrite = "readWrite"
	// SharingReadOnly: everyone reads every record; only the owner, the
	// owner's managers and administrators change it.
	SharingReadOnly = "readOnly"
	// SharingPrivate: the owner and the owner's managers read and change a
	// record, members of the owner's team read it, no one else sees it.
	SharingPrivate = "private"
)

// Object is a parsed object definition.
type Object struct {
	// Name is the API name, the document's $id: ^[a-z][a-zA-Z0-9]{0,39}$.
	Name        string
	Title       string
	Label       Label
	Description string
	// Fields in the order of the document's "properties".
	Fields []*Field
	// Sharing is the organisation-wide default of x-crm-sharing: who
	// besides the owner, the owner's managers and team may see and change a
	// record. One of the Sharing* constants; SharingReadWrite when absent.
	Sharing string
	// Activity marks an object whose records are activities (calls,
	// visits, follow-ups) on the timeline of the records their lookups
	// name (x-crm-activity).
	Activity bool
	// Indexes are the composite indexes of x-crm-indexes, each a list of
	// field names (sortable fields only).
	Indexes [][]string
	// NoSystemIndexes leaves out the indexes on createdAt, updatedAt and
	// ownerId that stores give every object's records otherwise. It is no
	// part of the definition language: the engine sets it on the platform
	// objects that are never listed, sorted or shared by those fields
	// (the audit trail), so that each of their writes updates three
	// indexes fewer.
	NoSystemIndexes bool
	// Automations are the object's rules (x-crm-automations), in order.
	Automations []Automation
	// Scripts are the object's scripts (x-crm-scripts), in order.
	Scripts []Script
	// Validations are the object's declarative validation rules
	// (x-crm-validations), in order.
	Validations []ValidationRule
	// CustomerValue says how the engine computes customer value into the
	// object's fields (x-crm-customerValue); nil for other objects.
	CustomerValue *CustomerValue
	// Campaign says where the figures of a campaign's effect come from
	// (x-crm-campaign); nil for objects that are not campaigns.
	Campaign *Campaign
	// Duplicates are the object's duplicate rules (x-crm-duplicates), in
	// order.
	Duplicates []DuplicateRule
	// Approvals are the object's approval processes (x-crm-approvals), in
	// order.
	Approvals []ApprovalProcess
	// Pool is the object's customer pool (x-crm-pool); nil for objects
	// without one.
	Pool *Pool
	// MultiCurrency lets each record name its currency
	// (x-crm-multiCurrency); nil for objects in one currency.
	MultiCurrency *MultiCurrency
	// Definition is the document as submitted.
	Definition json.RawMessage
	// Version is the stored version; zero for a definition not yet saved.
	Version int64

	// byName indexes Fields; filled by ParseObject, nil for an Object built
	// in code (Field then searches Fields).
	byName map[string]*Field
	// compiled is the record schema ParseObject compiled, which
	// NewValidator reuses; nil for an Object built in code.
	compiled *jsonschema.Schema
}

// Field returns the field with that name, or nil. It never writes to o, so
// an Object may be shared between goroutines.
func (o *Object) Field(name string) *Field {
	if o.byName != nil {
		return o.byName[name]
	}
	for _, f := range o.Fields {
		if f != nil && f.Name == name {
			return f
		}
	}
	return nil
}

// Field is one property of an object.
type Field struct {
	Name        string
	Type        Type // x-crm-type
	Label       Label
	Description string
	Required    bool
	// Options are the allowed values of a picklist (enum) or multipicklist
	// (items.enum), in order.
	Options []string
	// OptionLabels optionally names options in both languages
	// (x-crm-options: [{"value": ..., "label": {...}}]).
	OptionLabels map[string]Label
	// OptionColors optionally gives options a colour for tags and board
	// columns (x-crm-options: [{"value": ..., "color": ...}]): one of
	// [OptionColorNames] or "#rrggbb".
	OptionColors map[string]string
	// Target is the object a lookup or multilookup points at (x-crm-target).
	Target string
	// Reverse optionally names the list of referring records on the target
	// (x-crm-reverse); empty means the generated default.
	Reverse string
	Unique  bool // x-crm-unique
	Indexed bool // x-crm-indexed
	// Sensitive marks personal data (x-crm-sensitive): the engine encrypts
	// its values at rest and keeps them out of the audit trail.
	Sensitive bool
	// Searchable lets equality filters find a sensitive field's values
	// (x-crm-searchable): a keyed hash is stored beside the ciphertext, in
	// the hidden field SearchField(Name). Unique sensitive fields are
	// searchable.
	Searchable bool
	// Hidden marks a field the engine keeps for itself (the hash of a
	// searchable sensitive field): never in records' API, never set by
	// clients, left out of validation.
	Hidden bool
	// Pattern of an autonumber (x-crm-format), e.g. "CASE-{0000}".
	AutoNumber string
	MaxLength  int // 0: none
	// Minimum and Maximum of numeric fields, when set.
	Minimum *float64
	Maximum *float64
	// Format is the JSON Schema "format" of the field's values ("email",
	// "date", "cn-mobile" ...), "" if none.
	Format string
	// Pattern is the RE2 regular expression string values must match
	// ("pattern"), "" if none.
	Pattern string
	// Default value from the schema's "default", nil if none. Numbers are
	// float64, as in records.
	Default any
	// Rollup defines a roll-up summary field (x-crm-rollup); nil for other
	// fields.
	Rollup *Rollup
	// Formula is the expression of a formula field (x-crm-formula), ""
	// for other fields.
	Formula string
	// resultKind is the kind of a formula's values, from its JSON type.
	resultKind Kind
	// Pipeline makes a picklist's options the stages of a pipeline
	// (x-crm-pipeline); nil for other fields.
	Pipeline *Pipeline
	// Schema is the field's property schema as submitted.
	Schema json.RawMessage
	// File says what a file field accepts; nil for other fields.
	File *FileSpec
	// Currency is the ISO 4217 code of a currency field's own currency
	// (x-crm-currency); "" when its amounts are in the record's or the
	// tenant's currency (see [Object.FieldCurrency]).
	Currency string
	// ConvertedFrom names the currency field whose amount this field holds
	// in the tenant's currency: a field the engine keeps on a
	// multi-currency object (see [ConvertedField]); "" for other fields.
	ConvertedFrom string
}

// SearchField is the hidden field holding the keyed hash of the sensitive
// field name. Field names cannot contain "_", so it never clashes.
func SearchField(name string) string { return "_h_" + name }

// Kind returns the value shape of the field's type.
func (f *Field) Kind() Kind {
	if f.Type == TypeFormula && f.resultKind != 0 {
		return f.resultKind
	}
	if f.Type == TypeFile && f.File != nil && f.File.Multiple {
		return KindStringList
	}
	return Types[f.Type].Kind
}

// ReadOnly reports whether clients may not set the field: the engine
// fills autonumbers, roll-ups, formulas and converted amounts.
func (f *Field) ReadOnly() bool {
	return f.Type == TypeAutoNumber || f.Type == TypeRollup || f.Type == TypeFormula || f.ConvertedFrom != ""
}

// Script is one of an object's scripts (x-crm-scripts). Kind is one of
// validate, beforeSave, afterSave, onStageChange, scheduled; Schedule is
// the cron expression of a scheduled script.
type Script struct {
	Name     string
	Label    Label
	Kind     string
	Source   string
	Active   bool
	Schedule string
}

// ValidationRule is a declarative check (x-crm-validations): when
// Condition, an expression over the record's fields, is true, the record
// is refused with Message on Field ("" for the record as a whole).
type ValidationRule struct {
	Name      string
	Condition string
	Field     string
	Message   Label
	Active    bool
}

// Roll-up functions.
const (
	RollupCount = "count"
	RollupSum   = "sum"
	RollupMin   = "min"
	RollupMax   = "max"
)

// Rollup is a roll-up summary over the records of Object whose lookup or
// multilookup Via refers to the record: Function of Field (count needs no
// field) over those that match Condition.
type Rollup struct {
	Object    string
	Via       string
	Function  string
	Field     string
	Condition json.RawMessage // query-model filter; nil: all
}

// WithoutFields returns a copy of o without the named fields, for a view
// of the object that leaves some out (a role's hidden fields). The copy
// shares the remaining fields and has no compiled schema.
func (o *Object) WithoutFields(hidden map[string]bool) *Object {
	out := &Object{Name: o.Name, Title: o.Title, Label: o.Label, Description: o.Description, Indexes: o.Indexes,
		Definition: o.Definition, Version: o.Version, Automations: o.Automations, Scripts: o.Scripts, Validations: o.Validations, CustomerValue: o.CustomerValue,
		MultiCurrency: o.MultiCurrency, byName: map[string]*Field{}}
	for _, f := range o.Fields {
		if !hidden[f.Name] {
			out.Fields = append(out.Fields, f)
			out.byName[f.Name] = f
		}
	}
	return out
}

// OptionColorNames are the named colours an option may have: Ant Design's
// preset tag colours, which the web app draws in its own palette.
var OptionColorNames = []string{"blue", "green", "red", "orange", "gold", "purple", "cyan", "magenta", "geekblue", "volcano", "lime", "default"}
