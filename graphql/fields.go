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
	r := fc.req
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
	for _, c := range r.collectOnce(o.connectionType(), fc.fields) {
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
	for _, c := range fc.req.collectOnce(o.connectionType(), fc.fields) {
		switch c.fields[0].Name {
		case "nodes", "totalCount", "sum", "__typename":
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
