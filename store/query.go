package store

// Op is a comparison operator of a [Filter] leaf.
type Op string

// Operators. Their meaning on a scalar field:
//
//   - OpEq, OpNe: equal / not equal (OpNe also matches records where the
//     field is missing, as "is not X" reads to a business user).
//   - OpIn, OpNin: value is a []any; the field equals one / none of them
//     (OpNin also matches missing).
//   - OpGt, OpGte, OpLt, OpLte: ordered comparison (numbers numerically,
//     strings, dates and datetimes lexicographically, which the engine's
//     normalised formats make chronological). Missing never matches.
//   - OpContains: substring, case-insensitive for ASCII letters.
//   - OpStartsWith: prefix, case-sensitive.
//   - OpIsNull: value is a bool; true matches missing or null, false the rest.
//
// On an array field (multipicklist, multilookup):
//
//   - OpEq: the array has the element; OpNe: it does not.
//   - OpIn (any of) and OpHasAll (all of): value is a []any of elements.
//   - OpNin: the array has none of them.
//   - OpIsNull: true matches missing, null or empty arrays.
const (
	OpEq         Op = "eq"
	OpNe         Op = "ne"
	OpIn         Op = "in"
	OpNin        Op = "nin"
	OpGt         Op = "gt"
	OpGte        Op = "gte"
	OpLt         Op = "lt"
	OpLte        Op = "lte"
	OpContains   Op = "contains"
	OpStartsWith Op = "startsWith"
	OpIsNull     Op = "isNull"
	OpHasAll     Op = "hasAll"
)

// Filter is a tree of conditions. A node is either a combinator (exactly one
// of And, Or, Not set) or a leaf (Field and Op set). A nil *Filter or an
// empty And matches every record.
type Filter struct {
	And []Filter `json:"and,omitempty"`
	Or  []Filter `json:"or,omitempty"`
	Not *Filter  `json:"not,omitempty"`

	// Field is a field name of the object, a dotted path into an address
	// field ("shipTo.city"), or a system field: "id", "version",
	// "createdAt", "updatedAt", "createdBy", "updatedBy".
	Field string `json:"field,omitempty"`
	Op    Op     `json:"op,omitempty"`
	// Value is a JSON-like scalar (string, float64, int64, bool), a []any
	// for OpIn/OpNin/OpHasAll, or a bool for OpIsNull.
	Value any `json:"value,omitempty"`
}

// IsLeaf reports whether f is a single comparison.
func (f *Filter) IsLeaf() bool { return f.Field != "" }

// Leaf builds a single comparison.
func Leaf(field string, op Op, value any) Filter {
	return Filter{Field: field, Op: op, Value: value}
}

// Sort orders a query by one field. Missing and null values sort before
// every other value (first when ascending, last when descending), on every
// adapter.
type Sort struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// Query selects a page of records of one object.
//
// Pages are keyset-based: the order is Sort followed by "id" as a
// tie-breaker, in the direction of the last sort key (ascending when
// there is none; see [TieDesc]), so it is total and stable, and After
// names the position
// (the sort values and id of the last record of the previous page) rather
// than an offset. Inserts and deletes between pages therefore neither
// repeat nor skip records that were already before or after the position.
type Query struct {
	Filter *Filter
	Sort   []Sort
	// Limit is the page size; zero means no limit.
	Limit int
	// After, when set, returns only records strictly after this position.
	After *Position
	// Fields, when not nil, names the fields of the object's data the
	// caller reads: the adapter may leave every other field out of the
	// records' Data (it may also keep them). System fields (id, version,
	// times, authors, owner) are always there. nil reads every field.
	// Unknown names are a [*QueryError].
	Fields []string
}

// TieDesc tells whether records of equal sort values follow each other
// by id descending in the order sorts: when its last key is descending.
// An index on the sort fields and the id then gives the whole order
// walked one way, so that an adapter need not sort the ties itself
// (docs/decisions.md, "Paging").
func TieDesc(sorts []Sort) bool {
	return len(sorts) > 0 && sorts[len(sorts)-1].Desc
}

// Position is a point in a query's order: the values of the query's sort
// fields (in order, nil for missing) and the record id.
type Position struct {
	Values []any  `json:"v"`
	ID     string `json:"id"`
}

// Page is the result of [TenantStore.Find]. HasMore reports whether another
// record follows the last one returned (adapters read Limit+1 rows).
type Page struct {
	Records []Record
	HasMore bool
}
