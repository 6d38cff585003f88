package graphql

import (
	"strings"

	"github.com/graph-gophers/graphql-go/ast"

	"github.com/crmkit/crm/engine"
)

// Limits checked on the query before it runs, besides graphql-go's depth
// and length limits: depth does nothing against width (10,000 aliases ran
// 10,000 resolvers under MaxDepth(10), see DESIGN.md).
const (
	maxRootFields = 50     // fields of the operation's root (G5)
	maxAliases    = 200    // aliased fields in the operation (G5)
	maxNodes      = 50_000 // estimated records: Σ over lists of ∏ first (G6)
	// maxSelections bounds the selections of the operation with fragments
	// expanded, so that a chain of fragments that doubles at each level is
	// refused at once (G4).
	maxSelections = 5_000
	// overlapValidationLimit caps graphql-go's pairwise check of fields
	// with the same response key.
	overlapValidationLimit = 20_000
)

type costWalker struct {
	r             *request
	expanded      int
	rootFields    int
	aliases       int
	nodes         int64
	introspection bool
	dataRoots     int             // root fields other than __schema, __type and __typename
	active        map[string]bool // fragments being expanded (cycles are validation errors)
}

// checkLimits refuses, before validation and execution, an operation that
// is too wide or would fetch too many records, and introspection by a
// session whose password is temporary. Every other authenticated caller
// may introspect: its schema is its own, generated from what its role may
// see, so introspection shows nothing a role may not read (G8); anonymous
// requests never get here. It reports whether the operation only
// introspects.
func (r *request) checkLimits() (introspectionOnly bool, err error) {
	w := &costWalker{r: r, active: map[string]bool{}}
	root := "Query"
	if r.op.kind == "mutation" {
		root = "Mutation"
	}
	if err := w.walk(root, r.op.sels, 1, true); err != nil {
		return false, err
	}
	if w.introspection && r.actor.MustChangePassword {
		return false, passwordChangeRequired(r.lang)
	}
	return w.introspection && w.dataRoots == 0, nil
}

func (w *costWalker) walk(typeName string, sels []selection, mult int64, root bool) error {
	for _, sel := range sels {
		w.expanded++
		if w.expanded > maxSelections {
			return tooComplexf("the query expands to more than %d selections", maxSelections)
		}
		switch sel := sel.(type) {
		case *fieldSel:
			if root {
				if !strings.HasPrefix(sel.name, "__") {
					w.dataRoots++
				}
				w.rootFields++
				if w.rootFields > maxRootFields {
					return tooComplexf("an operation may select at most %d root fields", maxRootFields)
				}
			}
			if sel.alias != "" {
				w.aliases++
				if w.aliases > maxAliases {
					return tooComplexf("an operation may alias at most %d fields", maxAliases)
				}
			}
			child := ""
			var def *ast.FieldDefinition
			switch {
			case sel.name == "__schema":
				w.introspection, child = true, "__Schema"
			case sel.name == "__type":
				w.introspection, child = true, "__Type"
			default:
				if obj, ok := w.r.s.ast.Types[typeName].(*ast.ObjectTypeDefinition); ok {
					def = obj.Fields.Get(sel.name)
				}
				if def == nil {
					continue // unknown fields are reported by validation
				}
				child = namedTypeName(def.Type)
			}
			childMult := mult
			switch {
			case def != nil && def.Arguments.Get("first") != nil:
				n, err := w.first(sel)
				if err != nil {
					return err
				}
				if b := w.r.s.model.boards[sel.name]; b != nil && typeName == "Query" {
					n *= int64(len(b.field.f.Pipeline.Stages)) // a page per stage
				}
				childMult = mult * n
			case def != nil && w.r.s.model.byType[typeName] != nil && isList(def.Type):
				// A multilookup: its size is not bounded by first.
				childMult = mult * engine.DefaultPageSize
			}
			if def != nil && def.Arguments.Get("filter") != nil {
				// Each value of a filter costs what a record does, on
				// every page the filter runs for (a nested list runs it
				// once per parent).
				if n := w.filterCost(sel) * mult; n > 0 {
					w.nodes += n
					if w.nodes > maxNodes {
						return tooComplexf("the query's filters and pages cost about %d, more than %d: use fewer filter values or nest fewer lists", w.nodes, maxNodes)
					}
				}
			}
			if childMult != mult {
				w.nodes += childMult
				if w.nodes > maxNodes || childMult > maxNodes {
					return tooComplexf("the query could fetch about %d records, more than %d: ask for smaller pages (first) or nest fewer lists", w.nodes, maxNodes)
				}
			}
			if err := w.walk(child, sel.sels, childMult, false); err != nil {
				return err
			}
		case *inlineFragment:
			on := sel.on
			if on == "" {
				on = typeName
			}
			if err := w.walk(on, sel.sels, mult, root); err != nil {
				return err
			}
		case *fragmentSpread:
			frag := w.r.doc.frags[sel.name]
			if frag == nil || w.active[sel.name] {
				continue
			}
			w.active[sel.name] = true
			err := w.walk(frag.on, frag.sels, mult, root)
			delete(w.active, sel.name)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// first returns the page size a list field asks for, refusing sizes out of
// range (G6).
func (w *costWalker) first(sel *fieldSel) (int64, error) {
	for _, a := range sel.args {
		if a.name != "first" {
			continue
		}
		v, ok := w.r.literal(a.val)
		if !ok || v == nil {
			break
		}
		n, ok := toInt64(v)
		if !ok {
			break // a wrong type is reported by validation
		}
		if n < 1 || n > engine.MaxPageSize {
			return 0, badRequestf("first must be between 1 and %d, got %d", engine.MaxPageSize, n)
		}
		return n, nil
	}
	return engine.DefaultPageSize, nil
}

// filterCost counts the objects and values of a field's filter argument,
// stopping past maxNodes.
func (w *costWalker) filterCost(sel *fieldSel) int64 {
	for _, a := range sel.args {
		if a.name != "filter" {
			continue
		}
		v, ok := w.r.literal(a.val)
		if !ok {
			return 0
		}
		var n int64
		var count func(v any)
		count = func(v any) {
			if n > maxNodes {
				return
			}
			n++
			switch x := v.(type) {
			case map[string]any:
				for _, e := range x {
					count(e)
				}
			case litObject:
				for _, f := range x {
					count(f.val)
				}
			case []any:
				for _, e := range x {
					count(e)
				}
			}
		}
		count(v)
		return n
	}
	return 0
}

func isList(t ast.Type) bool {
	if nn, ok := t.(*ast.NonNull); ok {
		t = nn.OfType
	}
	_, ok := t.(*ast.List)
	return ok
}
