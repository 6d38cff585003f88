package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
)

// Column is a queryable value of a record, resolved from the object
// definition by [ResolveColumn]: a system field, a data field or a part of
// an address field. Adapters render it as a table column, a JSON path or a
// document path; its Kind decides which operators and values apply.
type Column struct {
	Field  string      // the name the caller used ("amount", "shipTo.city", "id")
	System bool        // one of [SystemFields]; Base and Part are empty
	Base   string      // the data field ("shipTo"); it matches a safe name pattern
	Part   string      // the address part ("city"), or ""
	Kind   schema.Kind // the shape of the value
}

var (
	// objectNamePattern is the schema package's rule for object names,
	// checked again because adapters make names of tables and
	// collections from them.
	objectNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)
	// fieldNamePattern bounds the data field names that a column may
	// name: they go into SQL JSON paths and document paths, and need no
	// escaping.
	fieldNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

// CheckObjectName returns an error unless name is a valid object name,
// which an adapter may then put into a table or collection name as it is.
func CheckObjectName(name string) error {
	if !objectNamePattern.MatchString(name) {
		return fmt.Errorf("object name %q is not a valid name", name)
	}
	return nil
}

// systemKinds are the kinds of the system fields. Ids and user ids behave
// like lookups (compared, never searched as text).
var systemKinds = map[string]schema.Kind{
	"id":        schema.KindLookup,
	"version":   schema.KindInteger,
	"createdAt": schema.KindDateTime,
	"updatedAt": schema.KindDateTime,
	"createdBy": schema.KindLookup,
	"updatedBy": schema.KindLookup,
	"ownerId":   schema.KindLookup,
}

// ResolveColumn finds the column a query names: a system field, a field of
// obj or an address part ("shipTo.city"). It returns a [*QueryError] for
// an unknown field, a name that cannot be queried, a field of unknown type
// or a path into anything but an address part.
func ResolveColumn(obj *schema.Object, name string) (Column, error) {
	if k, ok := systemKinds[name]; ok {
		return Column{Field: name, System: true, Kind: k}, nil
	}
	base, part, dotted := strings.Cut(name, ".")
	f := fieldOf(obj, base)
	if f == nil {
		return Column{}, &QueryError{Field: name, Message: "unknown field of " + obj.Name}
	}
	if !fieldNamePattern.MatchString(base) {
		return Column{}, &QueryError{Field: name, Message: "field name cannot be queried"}
	}
	kind := f.Kind()
	if kind == 0 {
		return Column{}, &QueryError{Field: name, Message: fmt.Sprintf("unknown field type %q", f.Type)}
	}
	if dotted {
		if kind != schema.KindAddress || !slices.Contains(schema.AddressParts, part) {
			return Column{}, &QueryError{Field: name, Message: "no such part of field " + base}
		}
		return Column{Field: name, Base: base, Part: part, Kind: schema.KindString}, nil
	}
	return Column{Field: name, Base: base, Kind: kind}, nil
}

// fieldOf returns obj's field with that name. It reads obj.Fields without
// touching the object's lazily built lookup map, so that concurrent
// queries on one shared object do not race.
func fieldOf(obj *schema.Object, name string) *schema.Field {
	for _, f := range obj.Fields {
		if f != nil && f.Name == name {
			return f
		}
	}
	return nil
}

// IsList reports whether the column's values are arrays.
func (c Column) IsList() bool { return isListKind(c.Kind) }

// IsScalar reports whether the column's values can be ordered and indexed.
func (c Column) IsScalar() bool { return isScalarKind(c.Kind) }

// isListKind reports whether values of kind k are arrays.
func isListKind(k schema.Kind) bool {
	return k == schema.KindStringList || k == schema.KindLookupList
}

// isScalarKind reports whether values of kind k can be ordered and indexed.
func isScalarKind(k schema.Kind) bool {
	switch k {
	case schema.KindString, schema.KindNumber, schema.KindInteger, schema.KindBoolean,
		schema.KindDate, schema.KindDateTime, schema.KindLookup:
		return true
	}
	return false
}

// kindNames name kinds in error messages.
var kindNames = map[schema.Kind]string{
	schema.KindString:     "text",
	schema.KindNumber:     "number",
	schema.KindInteger:    "integer",
	schema.KindBoolean:    "boolean",
	schema.KindDate:       "date",
	schema.KindDateTime:   "date-time",
	schema.KindLookup:     "lookup",
	schema.KindStringList: "list",
	schema.KindLookupList: "lookup list",
	schema.KindAddress:    "address",
	schema.KindJSON:       "JSON",
}

// elementKind is the kind of one value compared with a column of kind k:
// the element kind for arrays.
func elementKind(k schema.Kind) schema.Kind {
	switch k {
	case schema.KindStringList:
		return schema.KindString
	case schema.KindLookupList:
		return schema.KindLookup
	}
	return k
}
