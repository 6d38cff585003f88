package graphql

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/crmkit/crm/engine"
)

// viewResolvers serve saved list views and form layouts: views and layout
// for everyone who may read the object; saveView and deleteView for
// personal views (shared ones for administrators); saveLayout and
// deleteLayout for administrators. A list field's view argument names the
// view to start from.
func (s *execSchema) viewResolvers(query, mutation map[string]resolver) {
	eng := s.srv.meta
	query["views"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		views, err := eng.Views(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return rawJSON(views)
	}
	query["layout"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		l, err := eng.Layout(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return rawJSON(l)
	}
	mutation["saveView"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		var v engine.View
		if err := strictJSON(fc.args["definition"], &v); err != nil {
			return nil, badRequestf("the view is {object, name, label: {zh, en}, filter: {field, op, value | and | or | not}, sort: [{field, desc}], columns: [field]}: %v", err)
		}
		shared, _ := fc.args["shared"].(bool)
		saved, err := eng.SaveView(ctx, v, shared)
		if err != nil {
			return nil, err
		}
		return rawJSON(saved)
	}
	mutation["deleteView"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		shared, _ := fc.args["shared"].(bool)
		if err := eng.DeleteView(ctx, fc.args["object"].(string), fc.args["name"].(string), shared); err != nil {
			return nil, err
		}
		return true, nil
	}
	mutation["saveLayout"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		var l engine.Layout
		if err := strictJSON(fc.args["definition"], &l); err != nil {
			return nil, badRequestf("the layout is {object, sections: [{label: {zh, en}, columns, fields: [field]}], related: [\"object.field\"]}: %v", err)
		}
		saved, err := eng.SaveLayout(ctx, l)
		if err != nil {
			return nil, err
		}
		return rawJSON(saved)
	}
	mutation["deleteLayout"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if err := eng.DeleteLayout(ctx, fc.args["object"].(string)); err != nil {
			return nil, err
		}
		return true, nil
	}
}

// strictJSON decodes a JSON argument, refusing members v does not have.
func strictJSON(arg any, v any) error {
	raw, _ := arg.(json.RawMessage)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

const viewSDLQuery = `  "The saved list views of an object the caller has: shared ones first, then their own ([{object, name, label, filter, sort, columns, owner}]); pass a name as a list's view argument."
  views(object: String!): JSON!
  "The record page of an object as the caller gets it: {object, sections: [{label, columns, fields}], related, readOnly, default}; fields the caller may not see are left out."
  layout(object: String!): JSON!
`

const viewSDLMutation = `  "Saves a list view {object, name, label, filter, sort, columns}: the caller's own, or with shared: true one for everyone who may read the object (administrators only)."
  saveView(definition: JSON!, shared: Boolean): JSON
  "Deletes one of the caller's views, or with shared: true a shared one (administrators only)."
  deleteView(object: String!, name: String!, shared: Boolean): Boolean
  "Saves the record page of an object {object, sections: [{label: {zh, en}, columns: 1-4, fields}], related: [\"object.field\"]} (administrators only)."
  saveLayout(definition: JSON!): JSON
  "Deletes an object's saved layout; it gets the default again (administrators only)."
  deleteLayout(object: String!): Boolean
`
