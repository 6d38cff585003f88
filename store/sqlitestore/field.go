package sqlitestore

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

var (
	// objectNamePattern is the schema package's rule for object names; it is
	// checked again here because names become table names.
	objectNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)
	// fieldNamePattern bounds the field names that may appear in a JSON
	// path written into SQL text.
	fieldNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

func checkObjectName(name string) error {
	if !objectNamePattern.MatchString(name) {
		return fmt.Errorf("object name %q is not a valid name", name)
	}
	return nil
}

// tableName is the table of an object's records; name must have passed
// checkObjectName.
func tableName(name string) string { return "r_" + name }

// quotedTable is tableName quoted for SQL text.
func quotedTable(name string) string { return quoteIdent(tableName(name)) }

// column is a queryable value of a record: a system column or a JSON path
// into data.
type column struct {
	field string      // the name the caller used
	expr  string      // SQL expression yielding the value (NULL if missing)
	path  string      // JSON path into data; "" for system columns
	kind  schema.Kind // shape of the value
}

// systemColumns map the record's system fields to table columns. Ids and
// user ids behave like lookups (compared, never searched as text).
var systemColumns = map[string]column{
	"id":        {field: "id", expr: "id", kind: schema.KindLookup},
	"version":   {field: "version", expr: "version", kind: schema.KindInteger},
	"createdAt": {field: "createdAt", expr: "created_at", kind: schema.KindDateTime},
	"updatedAt": {field: "updatedAt", expr: "updated_at", kind: schema.KindDateTime},
	"createdBy": {field: "createdBy", expr: "created_by", kind: schema.KindLookup},
	"updatedBy": {field: "updatedBy", expr: "updated_by", kind: schema.KindLookup},
	"ownerId":   {field: "ownerId", expr: "owner_id", kind: schema.KindLookup},
}

// dataExpr is the one expression text used for a JSON path, in indexes and
// in queries alike, so that SQLite matches them.
func dataExpr(path string) string { return "data ->> " + quoteString(path) }

// fieldOf returns obj's field with that name. It reads obj.Fields without
// touching the object's lazily built lookup map, so concurrent queries on
// one shared object do not race.
func fieldOf(obj *schema.Object, name string) *schema.Field {
	for _, f := range obj.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// resolve finds the column a query names: a system field, a field of obj
// or an address part ("shipTo.city").
func resolve(obj *schema.Object, name string) (column, error) {
	if c, ok := systemColumns[name]; ok {
		return c, nil
	}
	base, part, dotted := strings.Cut(name, ".")
	f := fieldOf(obj, base)
	if f == nil {
		return column{}, &store.QueryError{Field: name, Message: "unknown field of " + obj.Name}
	}
	if !fieldNamePattern.MatchString(base) {
		return column{}, &store.QueryError{Field: name, Message: "field name cannot be queried"}
	}
	kind := f.Kind()
	if kind == 0 {
		return column{}, &store.QueryError{Field: name, Message: fmt.Sprintf("unknown field type %q", f.Type)}
	}
	if dotted {
		if kind != schema.KindAddress || !slices.Contains(schema.AddressParts, part) {
			return column{}, &store.QueryError{Field: name, Message: "no such part of field " + base}
		}
		path := "$." + base + "." + part
		return column{field: name, expr: dataExpr(path), path: path, kind: schema.KindString}, nil
	}
	path := "$." + base
	return column{field: name, expr: dataExpr(path), path: path, kind: kind}, nil
}

// isList reports whether values of kind are arrays.
func isList(k schema.Kind) bool {
	return k == schema.KindStringList || k == schema.KindLookupList
}

// isScalar reports whether values of kind can be ordered and indexed.
func isScalar(k schema.Kind) bool {
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

// opsByKind lists the operators each kind supports.
var opsByKind = map[schema.Kind][]store.Op{
	schema.KindString: {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte,
		store.OpLt, store.OpLte, store.OpContains, store.OpStartsWith, store.OpIsNull},
	schema.KindNumber:     {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull},
	schema.KindInteger:    {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull},
	schema.KindBoolean:    {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpIsNull},
	schema.KindDate:       {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull},
	schema.KindDateTime:   {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull},
	schema.KindLookup:     {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIsNull},
	schema.KindStringList: {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpHasAll, store.OpIsNull},
	schema.KindLookupList: {store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpHasAll, store.OpIsNull},
	schema.KindAddress:    {store.OpIsNull},
	schema.KindJSON:       {store.OpIsNull},
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

// sqlValue converts a filter or cursor value to the argument bound for a
// column of kind k (an element kind for arrays). The bool result is false
// when v does not fit the kind.
func sqlValue(k schema.Kind, v any) (any, bool) {
	switch k {
	case schema.KindNumber, schema.KindInteger:
		return number(v)
	case schema.KindBoolean:
		b, ok := v.(bool)
		return b, ok
	case schema.KindDateTime:
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(store.TimeLayout), true
		}
	}
	s, ok := v.(string)
	return s, ok
}

func number(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return x, true
	case float32:
		return number(float64(x))
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
		return float64(x), true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
		return float64(x), true
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		if f, err := x.Float64(); err == nil {
			return number(f)
		}
	}
	return nil, false
}

// listValues returns the elements of a list-valued filter value.
func listValues(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case nil:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}
