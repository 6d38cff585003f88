package graphql

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/store"
)

// Reads of the fields a selection needs (issue 20): a page and the
// records its lookups point at are read with only the data fields the
// query selects on them ([engine.ListQuery.Fields]), not whole. A field
// of a record type reads its own stored value and nothing else (see
// fieldResolver and the file fields), and the record type's other fields
// (system fields, reverse lists, the audit trail, duplicates, stage
// history) need only the record's id; a selection naming anything else
// reads every field, as before.

// dataFields returns the data fields of o that the record selection sub
// reads, in the order they first appear: nil (every field) when it
// selects something this file does not know.
func (o *objectModel) dataFields(sub []*collected) []string {
	out := []string{}
	for _, c := range sub {
		name := c.fields[0].Name
		if fm := o.byField[name]; fm != nil {
			if !containsString(out, name) {
				out = append(out, name)
			}
			continue
		}
		if !o.readsNoData(name) {
			return nil
		}
	}
	return out
}

// readsNoData tells whether the record type's field name reads nothing
// of the record's data but its id.
func (o *objectModel) readsNoData(name string) bool {
	if name == "__typename" || store.IsSystemField(name) {
		return true
	}
	if name == o.audit && o.audit != "" || name == o.duplicates && o.duplicates != "" {
		return true
	}
	for _, rev := range o.reverses {
		if rev.name == name {
			return true
		}
	}
	for _, p := range o.pipelines {
		if p.history == name {
			return true
		}
	}
	return false
}

// pageFields returns the data fields of o that the connection field fc
// (a list of o's records) reads of its nodes: the union of its nodes'
// and edges' node selections; nil (every field) when it selects
// something this file does not know.
func (o *objectModel) pageFields(fc *fieldCall) []string {
	return o.listFields(fc.req, o.connectionType(), fc.fields)
}

// boardFields is pageFields for a board (a list of columns of o's
// records, typed columnType) whose field fc is.
func (o *objectModel) boardFields(fc *fieldCall, columnType string) []string {
	return o.listFields(fc.req, columnType, fc.fields)
}

// listFields returns the data fields of o that fields (a connection of
// o's records or a board's columns, of type listType) read of the
// records: the union of its nodes' and edges' node selections; nil
// (every field) when it selects something this file does not know.
func (o *objectModel) listFields(r *request, listType string, fields []*ast.Field) []string {
	out := []string{}
	add := func(sub []*collected) bool {
		fields := o.dataFields(sub)
		if fields == nil {
			return false
		}
		for _, f := range fields {
			if !containsString(out, f) {
				out = append(out, f)
			}
		}
		return true
	}
	for _, c := range r.collectOnce(listType, fields) {
		switch c.fields[0].Name {
		case "nodes":
			if !add(r.collectOnce(o.typeName, c.fields)) {
				return nil
			}
		case "edges":
			for _, e := range r.collectOnce(o.edgeType(), c.fields) {
				switch e.fields[0].Name {
				case "node":
					if !add(r.collectOnce(o.typeName, e.fields)) {
						return nil
					}
				case "cursor", "__typename":
				default:
					return nil
				}
			}
		case "pageInfo", "totalCount", "sum", "__typename":
		case "stage":
			if listType == o.connectionType() {
				return nil
			}
		default:
			return nil
		}
	}
	return out
}

// readsCursors tells whether the connection field fc (a list of o's
// records) reads its records' cursors other than the last one's:
// through edges or pageInfo's startCursor, or anything this file does
// not know.
func (o *objectModel) readsCursors(fc *fieldCall) bool {
	return o.listReadsCursors(fc, o.connectionType())
}

// listReadsCursors is readsCursors for fc's list of type listType (a
// connection, or a board's columns, whose stage reads no cursor).
func (o *objectModel) listReadsCursors(fc *fieldCall, listType string) bool {
	for _, c := range fc.req.collectOnce(listType, fc.fields) {
		switch c.fields[0].Name {
		case "nodes", "totalCount", "sum", "__typename":
		case "stage":
			if listType == o.connectionType() {
				return true
			}
		case "pageInfo":
			for _, p := range fc.req.collectOnce("PageInfo", c.fields) {
				switch p.fields[0].Name {
				case "hasNextPage", "hasPreviousPage", "endCursor", "__typename":
				default:
					return true
				}
			}
		default:
			return true
		}
	}
	return false
}

// targetFields returns the data fields of the lookup fm's target that
// the request reads through fm on records of the type parent: the union
// over every occurrence of the field in the document (under any alias,
// in any fragment), so that the records a group's lookups point at are
// read once however many selections they have; nil for every field.
// Kept for the request.
func (r *request) targetFields(parent string, fm *fieldModel) []string {
	key := lookupKey{parent: parent, field: fm.name}
	r.setsMu.Lock()
	fields, ok := r.lookups[key]
	r.setsMu.Unlock()
	if ok {
		return fields
	}
	fields = []string{}
	var walk func(sels ast.SelectionSet) bool
	walk = func(sels ast.SelectionSet) bool {
		for _, sel := range sels {
			switch x := sel.(type) {
			case *ast.Field:
				if x.Name == fm.name && (x.ObjectDefinition == nil || x.ObjectDefinition.Name == parent) {
					sub := fm.target.dataFields(r.collectOnce(fm.target.typeName, []*ast.Field{x}))
					if sub == nil {
						return false
					}
					for _, f := range sub {
						if !containsString(fields, f) {
							fields = append(fields, f)
						}
					}
				}
				if !walk(x.SelectionSet) {
					return false
				}
			case *ast.InlineFragment:
				if !walk(x.SelectionSet) {
					return false
				}
			}
		}
		return true
	}
	all := true
	for _, op := range r.doc.Operations {
		if all = walk(op.SelectionSet); !all {
			break
		}
	}
	for _, fr := range r.doc.Fragments {
		if !all {
			break
		}
		all = walk(fr.SelectionSet)
	}
	if !all {
		fields = nil
	}
	r.setsMu.Lock()
	defer r.setsMu.Unlock()
	if r.lookups == nil {
		r.lookups = map[lookupKey][]string{}
	}
	r.lookups[key] = fields
	return fields
}

// occurrences returns every selection of the field name on records of
// the type parent in the document (under any alias, in any fragment).
func (r *request) occurrences(parent, name string) []*ast.Field {
	var out []*ast.Field
	var walk func(sels ast.SelectionSet)
	walk = func(sels ast.SelectionSet) {
		for _, sel := range sels {
			switch x := sel.(type) {
			case *ast.Field:
				if x.Name == name && (x.ObjectDefinition == nil || x.ObjectDefinition.Name == parent) {
					out = append(out, x)
				}
				walk(x.SelectionSet)
			case *ast.InlineFragment:
				walk(x.SelectionSet)
			}
		}
	}
	for _, op := range r.doc.Operations {
		walk(op.SelectionSet)
	}
	for _, fr := range r.doc.Fragments {
		walk(fr.SelectionSet)
	}
	return out
}

// reverseRead is what the reverse list rev on records of the type parent
// reads of its records, over every occurrence of it in the document, so
// that the lists of a group with the same arguments are still one read
// however many selections they have: the data fields (nil: every field)
// and whether any occurrence reads cursors besides the last. Kept for the
// request.
func (r *request) reverseRead(parent string, rev *reverseModel) reverseReads {
	key := lookupKey{parent: parent, field: rev.name}
	r.setsMu.Lock()
	got, ok := r.reverses[key]
	r.setsMu.Unlock()
	if ok {
		return got
	}
	o := rev.source
	got = reverseReads{fields: []string{}}
	for _, f := range r.occurrences(parent, rev.name) {
		sel := []*ast.Field{f}
		if got.fields != nil {
			fields := o.listFields(r, o.connectionType(), sel)
			if fields == nil {
				got.fields = nil
			}
			for _, name := range fields {
				if !containsString(got.fields, name) {
					got.fields = append(got.fields, name)
				}
			}
		}
		if !got.cursors {
			got.cursors = o.listReadsCursors(&fieldCall{req: r, fields: sel}, o.connectionType())
		}
	}
	r.setsMu.Lock()
	defer r.setsMu.Unlock()
	if r.reverses == nil {
		r.reverses = map[lookupKey]reverseReads{}
	}
	r.reverses[key] = got
	return got
}

// reverseReads is what a reverse list reads (reverseRead).
type reverseReads struct {
	fields  []string
	cursors bool
}

// lookupKey names a lookup field on a record type (targetFields).
type lookupKey struct{ parent, field string }

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
