package graphql

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/apiname"
)

// Mass actions: per object, massUpdateDeals (set fields), massTransferDeals
// (hand to another owner) and massDeleteDeals change the records a
// selection chooses: ids (up to engine.MaxBulkWrites), or a saved view
// and/or the object's typed filter, or every record the caller sees with
// all: true (which must be asked for). Each record is changed as one
// mutation would change it, with the caller's rights record by record
// (engine.Engine.StartMassChange). Up to engine.MassSyncLimit records are
// changed in the request and the answer carries the report; more start a
// job, which the answer carries, and massActionResult gives its report
// once it has ended.

// Mass is what mass actions need; *engine.Engine implements it.
type Mass interface {
	StartMassChange(ctx context.Context, object string, sel engine.MassSelection, act engine.MassAction) (*engine.MassOutcome, error)
	MassChangeResult(ctx context.Context, jobID string) (*engine.MassOutcome, error)
}

// Failures a report lists by default and at most.
const (
	defaultMassFailures = 100
	maxMassFailures     = 1000
)

// massSDL holds the static types of mass actions.
var massSDL = `"What a mass action did, or the job doing it."
type MassResult {
  "The job changing the records when the selection had more than ` + strconv.Itoa(engine.MassSyncLimit) + ` of them; null when they were changed in the request. Follow it with massActionResult."
  job: Job
  "update, transfer or delete."
  kind: String!
  object: String!
  "What was done; null while the job runs and once its report is no longer kept (24 hours after it ended, or after a restart)."
  report: MassReport
}

"The counts of a mass action and the records it could not change."
type MassReport {
  "The records the selection chose."
  selected: Int!
  changed: Int!
  failed: Int!
  "Why the job stopped before the end, when it did: the records counted as changed were."
  error: String
  "The records not changed and why, the first ones (at most 1000 are kept)."
  failures(first: Int = ` + strconv.Itoa(defaultMassFailures) + `): [MassFailure!]!
}

"A record a mass action did not change."
type MassFailure {
  id: ID!
  "The code and message the single mutation's error would carry."
  error: WriteError!
}

`

const massSDLQuery = `  "A mass action job the caller started (administrators: any), with its report once it has ended."
  massActionResult(job: ID!): MassResult!
`

// massModel is what mass actions add for one object.
type massModel struct {
	update, transfer, delete string // Mutation fields: massUpdateDeals …
}

// addMass names the mass actions of om, after every other name is
// claimed; an object whose mass names are taken gets none.
func (b *modelBuilder) addMass(om *objectModel) {
	plural := apiname.UpperFirst(om.list)
	mm := &massModel{update: "massUpdate" + plural, transfer: "massTransfer" + plural, delete: "massDelete" + plural}
	claims := []string{"mutation:" + mm.transfer, "mutation:" + mm.delete}
	if om.writable() {
		claims = append(claims, "mutation:"+mm.update)
	}
	if !b.claim(fmt.Sprintf("mass actions of %q", om.name), claims) {
		return
	}
	om.mass = mm
}

// massFields are the Mutation fields of om's mass actions.
func (o *objectModel) massFields() ast.FieldList {
	mm := o.mass
	if mm == nil {
		return nil
	}
	sel := func(more ...*ast.ArgumentDefinition) ast.ArgumentDefinitionList {
		return append(ast.ArgumentDefinitionList{
			argDef("ids", "[ID!]"), argDef("view", "String"), argDef("filter", o.filterType()), argDef("all", "Boolean"),
		}, more...)
	}
	how := " The records: ids (at most " + strconv.Itoa(engine.MaxBulkWrites) + "), or those view and filter select, or with all: true every record the caller sees; ids do not go with the others. At most " +
		strconv.Itoa(engine.MaxMassRecords) + " records; each is changed with the caller's rights, and one that cannot be is reported in failures while the others are changed. Up to " +
		strconv.Itoa(engine.MassSyncLimit) + " records are changed in the request; more start a job (see massActionResult)."
	var out ast.FieldList
	if o.writable() {
		out = append(out, fieldDef(mm.update, "MassResult!", "Sets the fields of set (null clears one) on many "+o.name+" records, each as "+o.updateField()+" would."+how,
			sel(argDef("set", o.patchType()+"!"))...))
	}
	out = append(out,
		fieldDef(mm.transfer, "MassResult!", "Hands many "+o.name+" records to another active user (user:NAME or NAME), each as "+o.transferField()+" would."+how,
			sel(argDef("owner", "String!"))...),
		fieldDef(mm.delete, "MassResult!", "Deletes many "+o.name+" records, each as "+o.deleteField()+" would."+how, sel()...),
	)
	return out
}

// isMassIDs reports whether argument a of Mutation field f is the ids of
// a mass action (which may hold engine.MaxBulkWrites ids).
func isMassIDs(f *ast.FieldDefinition, a *ast.ArgumentDefinition) bool {
	return a.Name == "ids" && f.Type.Name() == "MassResult"
}

// massValue is a MassResult.
type massValue struct{ out *engine.MassOutcome }

// massResolvers serve the mass actions, massActionResult and their types.
func (s *execSchema) massResolvers(query, mutation map[string]resolver, rs map[string]map[string]resolver) {
	eng := s.srv.mass
	for _, o := range s.model.objects {
		mm := o.mass
		if mm == nil {
			continue
		}
		if o.writable() {
			mutation[mm.update] = s.massResolver(o, func(fc *fieldCall) (engine.MassAction, error) {
				in, _ := fc.args["set"].(map[string]any)
				data, err := recordData(o, in, true)
				if err != nil {
					return engine.MassAction{}, badRequestf("set: %v", err)
				}
				return engine.MassAction{Kind: engine.MassUpdate, Set: data}, nil
			})
		}
		mutation[mm.transfer] = s.massResolver(o, func(fc *fieldCall) (engine.MassAction, error) {
			owner, _ := fc.args["owner"].(string)
			return engine.MassAction{Kind: engine.MassTransfer, Owner: owner}, nil
		})
		mutation[mm.delete] = s.massResolver(o, func(*fieldCall) (engine.MassAction, error) {
			return engine.MassAction{Kind: engine.MassDelete}, nil
		})
	}
	query["massActionResult"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		out, err := eng.MassChangeResult(ctx, fc.args["job"].(string))
		if err != nil {
			return nil, err
		}
		return &massValue{out: out}, nil
	}
	v := func(p any) *engine.MassOutcome { return p.(*massValue).out }
	rs["MassResult"] = map[string]resolver{
		"job": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if j := v(p).Job; j != nil {
				return j, nil
			}
			return nil, nil
		},
		"kind":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return v(p).Kind, nil },
		"object": func(_ context.Context, p any, _ *fieldCall) (any, error) { return v(p).Object, nil },
		"report": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if v(p).Report == nil {
				return nil, nil
			}
			return p, nil
		},
	}
	rs["MassReport"] = map[string]resolver{
		"selected": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(v(p).Report.Selected), nil },
		"changed":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(v(p).Report.Changed), nil },
		"failed":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(v(p).Report.Failed), nil },
		"error": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			if err := v(p).Err; err != nil {
				return engine.PublicMessage(err, fc.req.lang), nil
			}
			return nil, nil
		},
		"failures": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			first := defaultMassFailures
			if n, ok := fc.args["first"].(int64); ok {
				if n < 0 || n > maxMassFailures {
					return nil, badRequestf("first must be between 0 and %d, got %d", maxMassFailures, n)
				}
				first = int(n)
			}
			fails := v(p).Report.Failures
			out := make([]any, 0, min(first, len(fails)))
			for _, f := range fails[:min(first, len(fails))] {
				out = append(out, map[string]any{"id": f.ID, "error": fc.req.srv.classify(f.Err, fc.req.lang, fc.req.requestID)})
			}
			return out, nil
		},
	}
	rs["MassFailure"] = map[string]resolver{
		"id":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(map[string]any)["id"], nil },
		"error": func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(map[string]any)["error"], nil },
	}
}

// massResolver resolves a mass action of o; action reads the change from
// the arguments.
func (s *execSchema) massResolver(o *objectModel, action func(fc *fieldCall) (engine.MassAction, error)) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		sel := engine.MassSelection{}
		if ids, ok := fc.args["ids"].([]any); ok {
			sel.IDs = make([]string, len(ids))
			for i, id := range ids {
				sel.IDs[i] = id.(string)
			}
			if len(sel.IDs) > engine.MaxBulkWrites {
				return nil, badRequestf("ids: at most %d, got %d: choose more records with a view or a filter", engine.MaxBulkWrites, len(sel.IDs))
			}
		}
		sel.View, _ = fc.args["view"].(string)
		sel.All, _ = fc.args["all"].(bool)
		if m, ok := fc.args["filter"].(map[string]any); ok {
			f, nonEmpty, err := filterNode(o, m, "filter")
			if err != nil {
				return nil, err
			}
			if nonEmpty {
				sel.Filter = &f
			}
		}
		act, err := action(fc)
		if err != nil {
			return nil, err
		}
		out, err := s.srv.mass.StartMassChange(ctx, o.name, sel, act)
		if err != nil {
			return nil, err
		}
		return &massValue{out: out}, nil
	}
}
