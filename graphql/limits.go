package graphql

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
)

// Limits checked on the document besides its length: depth does nothing
// against width (10,000 aliases ran 10,000 resolvers under MaxDepth(10),
// see DESIGN.md). Width and depth are checked before validation, so that
// validation itself cannot be made to work hard; page sizes and the
// number of records a query may fetch once the variables are known.
const (
	maxRootFields = 50     // fields of an operation's root (G5)
	maxAliases    = 200    // aliased fields in an operation (G5)
	maxNodes      = 50_000 // estimated records: Σ over lists of ∏ first (G6)
	// maxSelections bounds the selections of the document with fragments
	// expanded, so that a chain of fragments that doubles at each level is
	// refused at once (G4).
	maxSelections = 5_000
	// maxOverlapPairs bounds the pairs of fields with one response name
	// that validation compares (OverlappingFieldsCanBeMerged is quadratic
	// in them: 700 repetitions of one field took 0.3 s of CPU).
	maxOverlapPairs = 20_000
)

// shapeWalker counts what checkShape bounds.
type shapeWalker struct {
	doc        *ast.QueryDocument
	expanded   int
	rootFields int
	aliases    int
	depth      int             // the deepest field seen
	dataRoots  int             // root fields other than __schema, __type and __typename
	active     map[string]bool // fragments being expanded (cycles are validation errors)
}

// checkShape refuses, before validation, a document that is too wide or
// too deep: at most maxSelections selections with fragments expanded
// (over all its operations), and per operation at most maxRootFields
// root fields, maxAliases aliases and maxDepth levels of fields
// (introspectionDepth for an operation that only introspects).
func checkShape(doc *ast.QueryDocument, maxDepth int) error {
	w := &shapeWalker{doc: doc, active: map[string]bool{}}
	for _, op := range doc.Operations {
		w.rootFields, w.aliases, w.depth, w.dataRoots = 0, 0, 0, 0
		if err := w.walk(op.SelectionSet, 1, true); err != nil {
			return err
		}
		limit := maxDepth
		if w.dataRoots == 0 {
			limit = max(maxDepth, introspectionDepth)
		}
		if w.depth > limit {
			return badRequestf("the query nests %d levels deep, which exceeds max depth %d", w.depth, limit)
		}
	}
	// Fragments are validated on their own as well.
	for _, f := range doc.Fragments {
		if err := w.walk(f.SelectionSet, 1, false); err != nil {
			return err
		}
	}
	// A fragment that spreads itself below one of its fields is a
	// validation error (NoFragmentCycles); the pair count below would
	// follow it for ever, so such a document goes straight to validation,
	// which names the cycle.
	if hasFragmentCycle(doc) {
		return nil
	}
	pairs := 0
	for _, op := range doc.Operations {
		pairs += w.overlapPairs([]ast.SelectionSet{op.SelectionSet}, map[string]bool{})
	}
	for _, f := range doc.Fragments {
		pairs += w.overlapPairs([]ast.SelectionSet{f.SelectionSet}, map[string]bool{})
	}
	if pairs > maxOverlapPairs {
		return tooComplexf("the query repeats fields of one name %d times over (pairs to compare), more than %d", pairs, maxOverlapPairs)
	}
	return nil
}

// overlapPairs counts the pairs of fields with the same response name
// that meet in the selection sets (fragments expanded), and in the merged
// sub-selections of each name, as validation compares them. The walk
// visits each expanded selection once per level, which checkShape has
// already bounded.
func (w *shapeWalker) overlapPairs(sets []ast.SelectionSet, active map[string]bool) int {
	byKey := map[string][]ast.SelectionSet{}
	count := map[string]int{}
	var keys []string
	var collect func(ast.SelectionSet)
	collect = func(sels ast.SelectionSet) {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				if count[sel.Alias] == 0 {
					keys = append(keys, sel.Alias)
				}
				count[sel.Alias]++
				if len(sel.SelectionSet) > 0 {
					byKey[sel.Alias] = append(byKey[sel.Alias], sel.SelectionSet)
				}
			case *ast.InlineFragment:
				collect(sel.SelectionSet)
			case *ast.FragmentSpread:
				frag := w.doc.Fragments.ForName(sel.Name)
				if frag == nil || active[sel.Name] {
					continue
				}
				active[sel.Name] = true
				collect(frag.SelectionSet)
				delete(active, sel.Name)
			}
		}
	}
	for _, s := range sets {
		collect(s)
	}
	pairs := 0
	for _, k := range keys {
		n := count[k]
		pairs += n * (n - 1) / 2
		if pairs > maxOverlapPairs {
			return pairs
		}
		if len(byKey[k]) > 0 {
			pairs += w.overlapPairs(byKey[k], active)
		}
	}
	return pairs
}

// hasFragmentCycle reports whether a fragment of doc reaches itself
// through spreads at any depth of its selections.
func hasFragmentCycle(doc *ast.QueryDocument) bool {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var reaches func(name string) bool
	var spreads func(sels ast.SelectionSet) bool
	reaches = func(name string) bool {
		switch state[name] {
		case visiting:
			return true
		case done:
			return false
		}
		frag := doc.Fragments.ForName(name)
		if frag == nil {
			state[name] = done
			return false
		}
		state[name] = visiting
		if spreads(frag.SelectionSet) {
			return true
		}
		state[name] = done
		return false
	}
	spreads = func(sels ast.SelectionSet) bool {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				if spreads(sel.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if spreads(sel.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if reaches(sel.Name) {
					return true
				}
			}
		}
		return false
	}
	for _, f := range doc.Fragments {
		if reaches(f.Name) {
			return true
		}
	}
	return false
}

func (w *shapeWalker) walk(sels ast.SelectionSet, depth int, root bool) error {
	for _, sel := range sels {
		w.expanded++
		if w.expanded > maxSelections {
			return tooComplexf("the query expands to more than %d selections", maxSelections)
		}
		switch sel := sel.(type) {
		case *ast.Field:
			if root {
				if !strings.HasPrefix(sel.Name, "__") {
					w.dataRoots++
				}
				w.rootFields++
				if w.rootFields > maxRootFields {
					return tooComplexf("an operation may select at most %d root fields", maxRootFields)
				}
			}
			if sel.Alias != sel.Name {
				w.aliases++
				if w.aliases > maxAliases {
					return tooComplexf("an operation may alias at most %d fields", maxAliases)
				}
			}
			w.depth = max(w.depth, depth)
			if err := w.walk(sel.SelectionSet, depth+1, false); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.walk(sel.SelectionSet, depth, root); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			frag := w.doc.Fragments.ForName(sel.Name)
			if frag == nil || w.active[sel.Name] {
				continue
			}
			w.active[sel.Name] = true
			err := w.walk(frag.SelectionSet, depth, root)
			delete(w.active, sel.Name)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// costWalker estimates the records an operation may fetch.
type costWalker struct {
	r      *request
	nodes  int64
	active map[string]bool
}

// checkCost refuses, once the variables are known, page sizes out of
// range and an operation that could fetch more than maxNodes records
// (G6).
func (r *request) checkCost() error {
	w := &costWalker{r: r, active: map[string]bool{}}
	return w.walk(r.rootType(), r.op.SelectionSet, 1)
}

func (w *costWalker) walk(typeName string, sels ast.SelectionSet, mult int64) error {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *ast.Field:
			def := w.r.fieldDefinition(typeName, sel.Name)
			if def == nil {
				continue // __typename; introspection costs no records
			}
			childMult := mult
			switch {
			case typeName == "Query" && w.r.s.model.aggregates[sel.Name] != nil:
				// Groups are not records: first bounds them (up to
				// engine.MaxGroups) and each costs what a record does.
				n, err := w.groups(sel)
				if err != nil {
					return err
				}
				childMult = mult * n
			case def.Arguments.ForName("first") != nil:
				n, err := w.first(sel)
				if err != nil {
					return err
				}
				if b := w.r.s.model.boards[sel.Name]; b != nil && typeName == "Query" {
					n *= int64(len(b.field.f.Pipeline.Stages)) // a page per stage
				}
				childMult = mult * n
			case w.r.s.model.byType[typeName] != nil && def.Type.Elem != nil:
				// A multilookup: its size is not bounded by first.
				childMult = mult * engine.DefaultPageSize
			}
			if def.Arguments.ForName("filter") != nil {
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
			if err := w.walk(def.Type.Name(), sel.SelectionSet, childMult); err != nil {
				return err
			}
		case *ast.InlineFragment:
			on := sel.TypeCondition
			if on == "" {
				on = typeName
			}
			if err := w.walk(on, sel.SelectionSet, mult); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			frag := w.r.doc.Fragments.ForName(sel.Name)
			if frag == nil || w.active[sel.Name] {
				continue
			}
			w.active[sel.Name] = true
			err := w.walk(frag.TypeCondition, frag.SelectionSet, mult)
			delete(w.active, sel.Name)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// first returns the page size a list field asks for, refusing sizes out of
// range (G6).
func (w *costWalker) first(sel *ast.Field) (int64, error) {
	a := sel.Arguments.ForName("first")
	if a == nil {
		return engine.DefaultPageSize, nil
	}
	v, err := coerceLiteral(w.r.s.ast, a.Value, &ast.Type{NamedType: "Int"}, w.r.vars)
	if err != nil {
		return 0, badRequestf("first: %v", err)
	}
	n, ok := v.(int64)
	if !ok {
		return engine.DefaultPageSize, nil // null or a variable not given
	}
	if n < 1 || n > engine.MaxPageSize {
		return 0, badRequestf("first must be between 1 and %d, got %d", engine.MaxPageSize, n)
	}
	return n, nil
}

// groups returns the groups an aggregate query asks for.
func (w *costWalker) groups(sel *ast.Field) (int64, error) {
	a := sel.Arguments.ForName("first")
	if a == nil {
		return engine.DefaultGroups, nil
	}
	v, err := coerceLiteral(w.r.s.ast, a.Value, &ast.Type{NamedType: "Int"}, w.r.vars)
	if err != nil {
		return 0, badRequestf("first: %v", err)
	}
	n, ok := v.(int64)
	if !ok {
		return engine.DefaultGroups, nil
	}
	if n < 1 || n > engine.MaxGroups {
		return 0, badRequestf("first must be between 1 and %d, got %d", engine.MaxGroups, n)
	}
	return n, nil
}

// filterCost counts the objects and values of a field's filter argument
// (a literal, or a variable's value), stopping past maxNodes.
func (w *costWalker) filterCost(sel *ast.Field) int64 {
	a := sel.Arguments.ForName("filter")
	if a == nil || a.Value == nil {
		return 0
	}
	var n int64
	var goValue func(v any)
	goValue = func(v any) {
		if n > maxNodes {
			return
		}
		n++
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				goValue(e)
			}
		case []any:
			for _, e := range x {
				goValue(e)
			}
		}
	}
	var literal func(v *ast.Value)
	literal = func(v *ast.Value) {
		if v == nil || n > maxNodes {
			return
		}
		if v.Kind == ast.Variable {
			goValue(w.r.vars[v.Raw])
			return
		}
		n++
		for _, c := range v.Children {
			literal(c.Value)
		}
	}
	literal(a.Value)
	return n
}
