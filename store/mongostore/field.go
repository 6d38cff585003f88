package mongostore

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
	// objectNamePattern is the schema package's rule for object names,
	// checked again because names become collection names.
	objectNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)
	// fieldNamePattern bounds the field names that may appear in a
	// document path. Such names never need key escaping (see escapeKey),
	// so the stored key is the field name.
	fieldNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

func checkObjectName(name string) error {
	if !objectNamePattern.MatchString(name) {
		return fmt.Errorf("object name %q is not a valid name", name)
	}
	return nil
}

// collectionName is the collection of an object's records; name must have
// passed checkObjectName.
func collectionName(object string) string { return "r_" + object }

// Record documents: the system fields under short keys, the data under d.
const (
	keyID        = "_id"
	keyVersion   = "v"
	keyCreatedAt = "ca"
	keyUpdatedAt = "ua"
	keyCreatedBy = "cb"
	keyUpdatedBy = "ub"
	keyOwnerID   = "o"
	keyData      = "d"
	// keyNulls lists the top-level data fields whose value is null. They
	// are left out of d: every query treats null and missing alike, and a
	// unique index then ignores them on every server (see indexSpecs).
	keyNulls = "n"
)

// column is a queryable value of a record document.
type column struct {
	field string      // the name the caller used
	path  string      // dotted document path
	kind  schema.Kind // shape of the value
}

// systemColumns map the system fields to document keys. Ids and user ids
// behave like lookups (compared, never searched as text).
var systemColumns = map[string]column{
	"id":        {field: "id", path: keyID, kind: schema.KindLookup},
	"version":   {field: "version", path: keyVersion, kind: schema.KindInteger},
	"createdAt": {field: "createdAt", path: keyCreatedAt, kind: schema.KindDateTime},
	"updatedAt": {field: "updatedAt", path: keyUpdatedAt, kind: schema.KindDateTime},
	"createdBy": {field: "createdBy", path: keyCreatedBy, kind: schema.KindLookup},
	"updatedBy": {field: "updatedBy", path: keyUpdatedBy, kind: schema.KindLookup},
	"ownerId":   {field: "ownerId", path: keyOwnerID, kind: schema.KindLookup},
}

// fieldOf returns obj's field with that name, reading obj.Fields only so
// that concurrent queries on one shared object do not race.
func fieldOf(obj *schema.Object, name string) *schema.Field {
	for _, f := range obj.Fields {
		if f != nil && f.Name == name {
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
		return column{field: name, path: keyData + "." + base + "." + part, kind: schema.KindString}, nil
	}
	return column{field: name, path: keyData + "." + base, kind: kind}, nil
}

// isList reports whether values of kind k are arrays.
func isList(k schema.Kind) bool {
	return k == schema.KindStringList || k == schema.KindLookupList
}

// isScalar reports whether values of kind k can be ordered.
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

// allowedOps lists the operators of each kind, as the port defines them.
var allowedOps = func() map[schema.Kind][]store.Op {
	equality := []store.Op{store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpIsNull}
	ordered := append(slices.Clone(equality), store.OpGt, store.OpGte, store.OpLt, store.OpLte)
	lists := append(slices.Clone(equality), store.OpHasAll)
	return map[schema.Kind][]store.Op{
		schema.KindString:     append(slices.Clone(ordered), store.OpContains, store.OpStartsWith),
		schema.KindNumber:     ordered,
		schema.KindInteger:    ordered,
		schema.KindBoolean:    equality,
		schema.KindDate:       ordered,
		schema.KindDateTime:   ordered,
		schema.KindLookup:     ordered,
		schema.KindStringList: lists,
		schema.KindLookupList: lists,
		schema.KindAddress:    {store.OpIsNull},
		schema.KindJSON:       {store.OpIsNull},
	}
}()

var knownOps = []store.Op{
	store.OpEq, store.OpNe, store.OpIn, store.OpNin, store.OpGt, store.OpGte, store.OpLt, store.OpLte,
	store.OpContains, store.OpStartsWith, store.OpIsNull, store.OpHasAll,
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

// queryValue converts a filter or cursor value for a column of kind k (an
// element kind for arrays) into the one Go type that reaches the driver
// for that kind: string, float64, int64 or bool. Anything else, maps and
// slices included, is refused (false), so a client value can never turn
// into a query operator (V6).
func queryValue(k schema.Kind, v any) (any, bool) {
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

// number accepts Go's numeric types and json.Number; NaN and infinities
// are not values.
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
		return unsigned(uint64(x))
	case uint64:
		return unsigned(x)
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

func unsigned(x uint64) (any, bool) {
	if x <= math.MaxInt64 {
		return int64(x), true
	}
	return float64(x), true
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
