package graphql

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/apiname"
)

// Bulk writes: per object, createDeals, updateDeals, upsertDeals and
// deleteDeals take up to engine.MaxBulkWrites writes and answer one
// DealWriteResult per write, in input order (engine.Engine.WriteRecords).
// Their list arguments may hold engine.MaxBulkWrites elements, more than
// the maxInputList of every other input list: a list argument of a
// Mutation field that answers write results (see argListLimit).

// bulkSDL holds the static types of bulk writes.
const bulkSDL = `"What became of one write of a bulk mutation."
enum WriteOutcome {
  created
  updated
  deleted
  failed
  "The write of an atomic call was undone, or never run, because another write of the call failed."
  notApplied
}

"Why one write of a bulk mutation failed: the code and message a single mutation's error would carry (in the request's language), with the fields of a VALIDATION_FAILED."
type WriteError {
  code: String!
  message: String!
  fields: [FieldError!]
}

"One field's problem."
type FieldError {
  field: String!
  code: String!
  message: String!
}

`

// bulkModel is what bulk writes add for one object.
type bulkModel struct {
	create, update, upsert, delete string // Mutation fields: createDeals …
	updateType, upsertType         string // DealUpdate, DealUpsert
	resultType                     string // DealWriteResult
	// keyType is the enum of the unique fields upserts may match on
	// (DealUniqueField); "" when the object has none in the API.
	keyType string
	keys    []string
}

// addBulk names the bulk writes of om, after every other name of the API
// is claimed, so that they never take a name that was there before them:
// an object whose bulk names are taken gets none.
func (b *modelBuilder) addBulk(om *objectModel) {
	plural := apiname.UpperFirst(om.list)
	bm := &bulkModel{create: "create" + plural, update: "update" + plural, upsert: "upsert" + plural, delete: "delete" + plural,
		updateType: om.typeName + "Update", upsertType: om.typeName + "Upsert", resultType: om.typeName + "WriteResult"}
	for _, fm := range om.fields {
		if fm.f.Unique {
			bm.keys = append(bm.keys, fm.name)
		}
	}
	if len(bm.keys) > 0 {
		bm.keyType = om.typeName + "UniqueField"
	}
	claims := []string{"mutation:" + bm.delete, "type:" + bm.resultType}
	if om.writable() {
		claims = append(claims, "mutation:"+bm.create, "mutation:"+bm.update, "mutation:"+bm.upsert,
			"type:"+bm.updateType, "type:"+bm.upsertType)
		if bm.keyType != "" {
			claims = append(claims, "type:"+bm.keyType)
		}
	}
	if !b.claim(fmt.Sprintf("bulk writes of %q", om.name), claims) {
		return
	}
	om.bulk = bm
}

// bulkFields are the Mutation fields of om's bulk writes.
func (o *objectModel) bulkFields() ast.FieldList {
	bm := o.bulk
	if bm == nil {
		return nil
	}
	result := "[" + bm.resultType + "!]!"
	atomic := &ast.ArgumentDefinition{Name: "atomic", Type: typeRef("Boolean"), DefaultValue: &ast.Value{Kind: ast.BooleanValue, Raw: "false"}}
	limit := " At most " + strconv.Itoa(engine.MaxBulkWrites) + " writes, answered in input order; atomic: all in one transaction that the first failure undoes (the others are notApplied), else each lands or not on its own."
	var out ast.FieldList
	if o.writable() {
		upsertArgs := ast.ArgumentDefinitionList{bulkList("inputs", bm.upsertType), atomic}
		matches := "by its id"
		if bm.keyType != "" {
			matches = "by the value of the unique field that by names, or else by its id"
			upsertArgs = append(ast.ArgumentDefinitionList{argDef("by", bm.keyType)}, upsertArgs...)
		}
		out = append(out,
			fieldDef(bm.create, result, "Creates many "+o.name+" records, each as "+o.createField()+" would."+limit, bulkList("inputs", o.inputType()), atomic),
			fieldDef(bm.update, result, "Changes many "+o.name+" records, each as "+o.updateField()+" would."+limit, bulkList("updates", bm.updateType), atomic),
			fieldDef(bm.upsert, result, "Updates the "+o.name+" record each input matches, "+matches+", as "+o.updateField()+" would, or creates one when none matches (an id that names no record fails NOT_FOUND)."+limit, upsertArgs...),
		)
	}
	out = append(out, fieldDef(bm.delete, result, "Deletes many "+o.name+" records, each as "+o.deleteField()+" would."+limit, bulkList("ids", "ID"), atomic))
	return out
}

// bulkList is the list argument of a bulk write: up to MaxBulkWrites
// elements of type elem (argListLimit).
func bulkList(name, elem string) *ast.ArgumentDefinition {
	return argDef(name, "["+elem+"!]!")
}

// bulkDefs are the types of om's bulk writes.
func (o *objectModel) bulkDefs() ast.DefinitionList {
	bm := o.bulk
	if bm == nil {
		return nil
	}
	defs := ast.DefinitionList{&ast.Definition{Kind: ast.Object, Name: bm.resultType, Description: "What became of one write of a bulk mutation of " + o.name + " records.",
		Fields: ast.FieldList{
			fieldDef("index", "Int!", "The write's place in the input list, from 0."),
			fieldDef("outcome", "WriteOutcome!", ""),
			fieldDef("id", "ID", "The record written, or the one the write named."),
			fieldDef("record", o.typeName, "The record as committed; null for deletes, failures and writes not applied."),
			fieldDef("error", "WriteError", "Why the write failed; null otherwise."),
		}}}
	if !o.writable() {
		return defs
	}
	defs = append(defs,
		&ast.Definition{Kind: ast.InputObject, Name: bm.updateType, Description: "One change of a bulk update.", Fields: ast.FieldList{
			fieldDef("id", "ID!", ""),
			fieldDef("version", "Int", "When given, it must be the stored version (else CONFLICT)."),
			fieldDef("input", o.patchType()+"!", "The fields to change (null clears one)."),
		}},
		&ast.Definition{Kind: ast.InputObject, Name: bm.upsertType, Description: "One input of a bulk upsert.", Fields: ast.FieldList{
			fieldDef("id", "ID", "The record to update when the upsert has no by; left out, the input creates one."),
			fieldDef("input", o.inputType()+"!", "The record's fields; an update changes those given (null clears one)."),
		}},
	)
	if bm.keyType != "" {
		e := &ast.Definition{Kind: ast.Enum, Name: bm.keyType, Description: "The unique fields of " + o.name + "."}
		for _, k := range bm.keys {
			e.EnumValues = append(e.EnumValues, &ast.EnumValueDefinition{Name: k})
		}
		defs = append(defs, e)
	}
	return defs
}

// argListLimit is how many elements a value of the argument whose type
// is t (the very type, as gqlparser's walker hands it to the argument's
// value) may hold: MaxBulkWrites for the list argument of a bulk write,
// maxInputList otherwise.
func argListLimit(s *ast.Schema, t *ast.Type) int {
	if s == nil || s.Mutation == nil || t == nil || t.Elem == nil {
		return maxInputList
	}
	for _, f := range s.Mutation.Fields {
		for _, a := range f.Arguments {
			if a.Type == t {
				if answersWrites(s, f) || isMassIDs(f, a) {
					return engine.MaxBulkWrites
				}
				return maxInputList
			}
		}
	}
	return maxInputList
}

// answersWrites reports whether a Mutation field is a bulk write: it
// answers a list of write results (a type with an outcome).
func answersWrites(s *ast.Schema, f *ast.FieldDefinition) bool {
	if f.Type.Elem == nil {
		return false
	}
	res := s.Types[f.Type.Elem.Name()]
	if res == nil {
		return false
	}
	outcome := res.Fields.ForName("outcome")
	return outcome != nil && outcome.Type.Name() == "WriteOutcome"
}

// variableListLimits returns, for the variables of op that are used only
// as the list arguments of bulk writes, how many elements they may hold.
// The document must have been validated (which tells each value its
// type).
func variableListLimits(s *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition) map[string]int {
	if op.Operation != ast.Mutation {
		return nil
	}
	limits := map[string]int{}
	plain := map[string]bool{}
	var value func(v *ast.Value, root bool)
	value = func(v *ast.Value, root bool) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			n := maxInputList
			if root {
				n = argListLimit(s, v.ExpectedType)
			}
			if n <= maxInputList {
				plain[v.Raw] = true
			} else if old, ok := limits[v.Raw]; !ok || n < old {
				limits[v.Raw] = n
			}
			return
		}
		for _, c := range v.Children {
			value(c.Value, false)
		}
	}
	seen := map[string]bool{}
	var walk func(sels ast.SelectionSet, root bool)
	directives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			for _, a := range d.Arguments {
				value(a.Value, false)
			}
		}
	}
	walk = func(sels ast.SelectionSet, root bool) {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				directives(sel.Directives)
				for _, a := range sel.Arguments {
					value(a.Value, root)
				}
				walk(sel.SelectionSet, false)
			case *ast.InlineFragment:
				directives(sel.Directives)
				walk(sel.SelectionSet, root)
			case *ast.FragmentSpread:
				directives(sel.Directives)
				if seen[sel.Name] {
					continue
				}
				seen[sel.Name] = true
				if frag := doc.Fragments.ForName(sel.Name); frag != nil {
					walk(frag.SelectionSet, root && frag.TypeCondition == "Mutation")
				}
			}
		}
	}
	walk(op.SelectionSet, true)
	for name := range plain {
		delete(limits, name)
	}
	return limits
}

// bulkResolvers adds the resolvers of every object's bulk writes.
func (s *execSchema) bulkResolvers(mutation map[string]resolver, rs map[string]map[string]resolver) {
	for _, o := range s.model.objects {
		bm := o.bulk
		if bm == nil {
			continue
		}
		rs[bm.resultType] = writeResultResolvers()
		if o.writable() {
			mutation[bm.create] = s.bulkResolver(o, "inputs", func(item any) (engine.BulkWrite, error) {
				data, err := recordData(o, item.(map[string]any), false)
				return engine.BulkWrite{Action: engine.BulkCreate, Data: data}, err
			})
			mutation[bm.update] = s.bulkResolver(o, "updates", func(item any) (engine.BulkWrite, error) {
				m := item.(map[string]any)
				in, _ := m["input"].(map[string]any)
				data, err := recordData(o, in, true)
				wr := engine.BulkWrite{Action: engine.BulkUpdate, ID: m["id"].(string), Data: data}
				if v, ok := m["version"].(int64); ok {
					wr.Version = &v
				}
				return wr, err
			})
			mutation[bm.upsert] = s.bulkResolver(o, "inputs", func(item any) (engine.BulkWrite, error) {
				m := item.(map[string]any)
				in, _ := m["input"].(map[string]any)
				data, err := recordData(o, in, true)
				id, _ := m["id"].(string)
				return engine.BulkWrite{Action: engine.BulkUpsert, ID: id, Data: data}, err
			})
		}
		mutation[bm.delete] = s.bulkResolver(o, "ids", func(item any) (engine.BulkWrite, error) {
			return engine.BulkWrite{Action: engine.BulkDelete, ID: item.(string)}, nil
		})
	}
}

// bulkResolver resolves a bulk write whose list argument is arg; write
// turns one element of it into an engine write.
func (s *execSchema) bulkResolver(o *objectModel, arg string, write func(item any) (engine.BulkWrite, error)) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		items, _ := fc.args[arg].([]any)
		writes := make([]engine.BulkWrite, len(items))
		for i, item := range items {
			wr, err := write(item)
			if err != nil {
				return nil, badRequestf("%s[%d]: %v", arg, i, err)
			}
			writes[i] = wr
		}
		opts := engine.BulkOptions{}
		opts.Atomic, _ = fc.args["atomic"].(bool)
		opts.By, _ = fc.args["by"].(string)
		results, err := s.srv.records.WriteRecords(ctx, o.name, writes, opts)
		if err != nil {
			return nil, err
		}
		grp := &group{} // the records of the answer load their relations together
		out := make([]any, len(results))
		for i, r := range results {
			v := &writeResultValue{index: i, res: r}
			if r.Record.ID != "" {
				v.record = grp.add(o, r.Record)
			}
			if r.Err != nil {
				v.err = fc.req.srv.classify(r.Err, fc.req.lang, fc.req.requestID)
			}
			out[i] = v
		}
		return out, nil
	}
}

// writeResultValue is one element of a bulk write's answer.
type writeResultValue struct {
	index  int
	res    engine.BulkResult
	record *recordValue // nil without a record
	err    *Error       // nil unless the write failed
}

// writeResultResolvers serve XWriteResult, WriteError and FieldError.
func writeResultResolvers() map[string]resolver {
	v := func(p any) *writeResultValue { return p.(*writeResultValue) }
	return map[string]resolver{
		"index":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(v(p).index), nil },
		"outcome": func(_ context.Context, p any, _ *fieldCall) (any, error) { return v(p).res.Outcome, nil },
		"id":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(v(p).res.ID), nil },
		"record": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if rv := v(p).record; rv != nil {
				return rv, nil
			}
			return nil, nil
		},
		"error": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if e := v(p).err; e != nil {
				return e, nil
			}
			return nil, nil
		},
	}
}

// writeErrorResolvers serve WriteError and FieldError.
func writeErrorResolvers() (writeError, fieldError map[string]resolver) {
	writeError = map[string]resolver{
		"code":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*Error).Code, nil },
		"message": func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*Error).Message, nil },
		"fields": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			fields, ok := p.(*Error).Ext["fields"].([]map[string]any)
			if !ok {
				return nil, nil
			}
			out := make([]any, len(fields))
			for i, f := range fields {
				out[i] = f
			}
			return out, nil
		},
	}
	part := func(name string) resolver {
		return func(_ context.Context, p any, _ *fieldCall) (any, error) {
			s, _ := p.(map[string]any)[name].(string)
			return s, nil
		}
	}
	fieldError = map[string]resolver{"field": part("field"), "code": part("code"), "message": part("message")}
	return writeError, fieldError
}
