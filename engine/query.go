package engine

import (
	"errors"
	"sort"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ListQuery asks for one page of an object's records.
type ListQuery struct {
	Filter *store.Filter
	Sort   []store.Sort
	// First is the page size, 1 to MaxPageSize; zero means DefaultPageSize.
	First int
	// After is the opaque cursor of the record to continue after (a
	// previous result's EndCursor or one of its Cursors).
	After string
	// WithTotal asks for Total, which costs a count of every match.
	WithTotal bool
	// View names a saved view to start from (the actor's own, else a
	// shared one): its filter is and-ed with Filter, its order used when
	// Sort is empty.
	View string
	// Fields, when not nil, names the data fields the caller reads of the
	// records: the others may be left out of Records (reading fewer costs
	// less). nil reads every field. Unknown names are a bad request.
	Fields []string
	// NoCursors: the caller reads no record's cursor but EndCursor's, so
	// Cursors is left empty (a page of 50 made 50).
	NoCursors bool
}

// ListResult is one page.
type ListResult struct {
	Records []store.Record
	// Cursors[i] is the cursor of Records[i]; empty with NoCursors.
	Cursors     []string
	HasNextPage bool
	// EndCursor is the cursor of the last record, "" for an empty page.
	EndCursor string
	// Total counts every record matching the filter (only with WithTotal).
	Total int64
}

// Catalog is a tenant's metadata at one revision: every live object,
// parsed. It is immutable and shared; callers must not change it.
type Catalog struct {
	TenantID string
	Revision int64
	// Audience is the role this catalog is the view of; "" for the whole
	// (administrators), "*" for a principal with neither.
	Audience string
	// Objects ordered by name.
	Objects []*schema.Object

	byName map[string]*schema.Object
}

// Object returns the object with that name, or nil.
func (c *Catalog) Object(name string) *schema.Object { return c.byName[name] }

// SaveOptions are the explicit migrations an administrator may attach to a
// definition change that would otherwise be refused because stored data
// does not fit the new definition.
type SaveOptions struct {
	// ExpectedVersion, when non-zero, makes the save fail with a conflict
	// unless the object's current version is this one.
	ExpectedVersion int64 `json:"expectedVersion,omitempty"`
	// Fill sets a value on every record where a field is empty (for a field
	// that becomes required).
	Fill map[string]any `json:"fill,omitempty"`
	// Remap replaces stored values of picklist fields (for removed
	// options), text fields and user fields (a text field turned into a
	// user field, and back): field → old value → new value ("" clears
	// the value).
	Remap map[string]map[string]string `json:"remap,omitempty"`
	// Clear removes a field's stored values from every record (for a
	// removed field, a changed type or target, or values outside a narrowed
	// range).
	Clear []string `json:"clear,omitempty"`
}

// ObjectInfo is one version of an object definition with its provenance.
type ObjectInfo struct {
	Object  *schema.Object
	Version int64
	SavedAt string // schema.DateTimeLayout
	SavedBy string
}

// NewCatalog builds a catalog from parsed objects (sorted by name here).
func NewCatalog(tenantID string, revision int64, objects []*schema.Object) *Catalog {
	objs := append([]*schema.Object(nil), objects...)
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
	c := &Catalog{TenantID: tenantID, Revision: revision, Objects: objs, byName: make(map[string]*schema.Object, len(objs))}
	for _, o := range objs {
		c.byName[o.Name] = o
	}
	return c
}

// checkFilterSize refuses a filter past the bounds of [store.CheckFilter]
// with a BAD_REQUEST that names the limit, in both languages.
func checkFilterSize(f *store.Filter) error {
	err := store.CheckFilter(f)
	var le *store.FilterLimitError
	if !errors.As(err, &le) {
		return err
	}
	var on any = ""
	if le.Field != "" {
		on = message.New("query.filterOnField", le.Field)
	}
	var what message.Message
	switch le.Limit {
	case store.LimitFilterNodes:
		what = message.New("query.filterTooManyConditions", le.Max)
	case store.LimitFilterDepth:
		what = message.New("query.filterTooDeep", le.Max)
	case store.LimitFilterList:
		what = message.New("query.filterListTooLong", on, le.Max)
	case store.LimitFilterValues:
		what = message.New("query.filterTooManyValues", le.Max)
	default:
		what = message.New("query.filterValueTooLong", on, le.Max)
	}
	return errorOf(ErrBadRequest, err, "query.filterLimit", what, le.Limit)
}
