package graphql

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/apiname"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// model is the API that a catalog gives: which objects, fields and reverse
// lists appear, under which GraphQL names. Both the SDL and the resolvers
// are generated from it, so they cannot disagree.
type model struct {
	objects []*objectModel
	boards  map[string]*pipelineModel // by Query field name
	// aggregates by Query field name
	aggregates map[string]*aggregateModel
	byType     map[string]*objectModel // by GraphQL type name
	byName     map[string]*objectModel // by object name
	// omitted says what was left out of the API and why (logged when a
	// schema is built).
	omitted []string
}

type objectModel struct {
	obj      *schema.Object
	name     string // object API name: "deal"
	typeName string // "Deal"
	single   string // root field for one record: "deal"
	list     string // root list field: "deals"
	fields   []*fieldModel
	byField  map[string]*fieldModel
	reverses []*reverseModel
	// pipelines are the object's pipeline fields that have a board query
	// and a history list.
	pipelines []*pipelineModel
	// audit is the record type's field with the record's audit trail,
	// "" when a field of the object has the name.
	audit string
	// duplicates is the record type's field with the records it may
	// duplicate, "" when the object has no duplicate rules or a field has
	// the name.
	duplicates string
	// aggregate is the object's aggregate query; nil when its names clash.
	aggregate *aggregateModel
	// bulk are the object's bulk writes; nil when their names clash.
	bulk *bulkModel
	// mass are the object's mass actions; nil when their names clash.
	mass *massModel
}

// pipelineModel is what a pipeline field adds to the API: the stage
// history list on the record type and the board (kanban) query.
type pipelineModel struct {
	obj        *objectModel
	field      *fieldModel
	history    string // field of the record type: "stageHistory"
	board      string // Query field: "dealsByStage"
	columnType string // "DealStageColumn"
	// funnel and forecast are the Query fields of the pipeline's analytics:
	// "dealsFunnel", "dealsForecast" ("dealsStageFunnel" … when the object
	// has several pipelines); "" when the name is taken, and no forecast
	// when no stage has a probability.
	funnel, forecast string
}

func (o *objectModel) connectionType() string { return o.typeName + "Connection" }
func (o *objectModel) edgeType() string       { return o.typeName + "Edge" }
func (o *objectModel) filterType() string     { return o.typeName + "Filter" }
func (o *objectModel) orderByType() string    { return o.typeName + "OrderBy" }
func (o *objectModel) inputType() string      { return o.typeName + "Input" }
func (o *objectModel) patchType() string      { return o.typeName + "Patch" }
func (o *objectModel) createField() string    { return "create" + o.typeName }
func (o *objectModel) updateField() string    { return "update" + o.typeName }
func (o *objectModel) deleteField() string    { return "delete" + o.typeName }
func (o *objectModel) transferField() string  { return "transfer" + o.typeName }

// writable reports whether the object has fields a client may set; without
// any, its input types would be empty, which GraphQL does not allow.
func (o *objectModel) writable() bool {
	for _, f := range o.fields {
		if !f.f.ReadOnly() {
			return true
		}
	}
	return false
}

type fieldModel struct {
	f      *schema.Field
	name   string
	kind   schema.Kind
	target *objectModel // lookups and multilookups
	// enum is the GraphQL enum of a picklist or multipicklist whose
	// options are all valid enum value names; nil keeps the field a
	// String (or [String!]).
	enum *enumModel
	// refBatch is the key of the batch that loads a lookup's targets for
	// a group ("ref:" + name), made once rather than for each record.
	refBatch string
}

// enumModel is a picklist's options as a GraphQL enum, with the input
// that compares a field of it in filters.
type enumModel struct {
	name       string // "DealStage"
	values     []string
	valueSet   map[string]bool
	comparison string // "DealStageComparison" or, for multipicklists, "DealTagsListComparison"
}

func (f *fieldModel) filterable() bool { return schema.Types[f.f.Type].Filterable }
func (f *fieldModel) sortable() bool   { return schema.Types[f.f.Type].Sortable && !f.f.Sensitive }

// reverseModel is the list, on a lookup's target, of the records that refer
// to it.
type reverseModel struct {
	name   string
	source *objectModel
	field  *fieldModel // the lookup or multilookup on source
}

var (
	nameRE      = regexp.MustCompile(`^[A-Za-z][_0-9A-Za-z]*$`)
	enumValueRE = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)
)

// enumValues returns the options of a picklist when every one of them can
// be a GraphQL enum value: a name that does not start with "__" and is not
// true, false or null. Otherwise (or with no options) it returns nil and
// the field stays a string.
func enumValues(f *schema.Field) []string {
	if (f.Type != schema.TypePicklist && f.Type != schema.TypeMultiPicklist) || len(f.Options) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, o := range f.Options {
		if !enumValueRE.MatchString(o) || strings.HasPrefix(o, "__") || o == "true" || o == "false" || o == "null" || seen[o] {
			return nil
		}
		seen[o] = true
	}
	return f.Options
}

// buildModel decides the API of a catalog. It never fails: what cannot be
// exposed is left out and listed in omitted.
func buildModel(cat *engine.Catalog) *model {
	b := &modelBuilder{
		m:     &model{byType: map[string]*objectModel{}, byName: map[string]*objectModel{}, boards: map[string]*pipelineModel{}, aggregates: map[string]*aggregateModel{}},
		taken: staticNames(),
	}
	var objects []*schema.Object
	if cat != nil {
		objects = append(objects, cat.Objects...)
	}
	sort.SliceStable(objects, func(i, j int) bool { return objects[i].Name < objects[j].Name })
	for _, obj := range objects {
		b.addObject(obj)
	}
	// Fields, now that every exposed object is known.
	for _, om := range b.m.objects {
		b.addFields(om)
	}
	for _, om := range b.m.objects {
		b.addEnums(om)
	}
	incoming := map[*objectModel][]*reverseModel{}
	for _, om := range b.m.objects {
		for _, fm := range om.fields {
			if fm.target != nil {
				incoming[fm.target] = append(incoming[fm.target], &reverseModel{source: om, field: fm})
			}
		}
	}
	for _, target := range b.m.objects {
		b.addReverses(target, incoming[target])
	}
	for _, om := range b.m.objects {
		b.addPipelines(om)
	}
	for _, om := range b.m.objects {
		b.addAggregates(om)
	}
	for _, om := range b.m.objects {
		b.addBulk(om)
	}
	for _, om := range b.m.objects {
		b.addMass(om)
	}
	return b.m
}

// modelBuilder is the state of one buildModel run: the model so far and
// the generated names it has claimed ("type:Deal", "query:deals").
type modelBuilder struct {
	m     *model
	taken map[string]bool
}

func (b *modelBuilder) omit(format string, args ...any) {
	b.m.omitted = append(b.m.omitted, fmt.Sprintf(format, args...))
}

// staticNames returns the names of the fixed schema (sdl_static.go and
// the other parts parseStatic joins) as claimed names: its types,
// Query, Mutation and Subscription, and its root fields. An object's
// generated name never takes one (the engine refuses such an object, see
// package apiname; one stored before is left out here).
func staticNames() map[string]bool {
	taken := map[string]bool{"type:Query": true, "type:Mutation": true, "type:Subscription": true}
	for _, d := range staticParts.defs {
		taken["type:"+d.Name] = true
	}
	for _, f := range staticParts.query {
		taken["query:"+f.Name] = true
	}
	for _, f := range staticParts.mutation {
		taken["mutation:"+f.Name] = true
	}
	return taken
}

// addObject exposes an object when its name is valid and none of the names
// generated for it is taken.
func (b *modelBuilder) addObject(obj *schema.Object) {
	if obj == nil {
		return
	}
	if !nameRE.MatchString(obj.Name) {
		b.omit("object %q: not a valid GraphQL name", obj.Name)
		return
	}
	om := &objectModel{obj: obj, name: obj.Name, typeName: apiname.UpperFirst(obj.Name), single: obj.Name, list: apiname.List(obj.Name)}
	claims := []string{
		"type:" + om.typeName, "type:" + om.connectionType(), "type:" + om.edgeType(),
		"type:" + om.filterType(), "type:" + om.orderByType(), "type:" + om.inputType(), "type:" + om.patchType(),
		"query:" + om.single, "query:" + om.list,
		"mutation:" + om.createField(), "mutation:" + om.updateField(), "mutation:" + om.deleteField(), "mutation:" + om.transferField(),
	}
	if !b.claim(fmt.Sprintf("object %q", obj.Name), claims) {
		return
	}
	b.m.objects = append(b.m.objects, om)
	b.m.byType[om.typeName] = om
	b.m.byName[om.name] = om
}

// claim takes every name of claims for what (say `object "deal"`) and
// reports true, or, when one is taken or repeated in claims, takes none,
// notes what is left out and why, and reports false.
func (b *modelBuilder) claim(what string, claims []string) bool {
	seen := map[string]bool{}
	for _, c := range claims {
		if b.taken[c] || seen[c] {
			b.omit("%s: generated name %s is already taken", what, c)
			return false
		}
		seen[c] = true
	}
	for _, c := range claims {
		b.taken[c] = true
	}
	return true
}

// addFields exposes the visible fields of an object that have a known
// type, a usable name and, for lookups, a target in the API.
func (b *modelBuilder) addFields(om *objectModel) {
	om.byField = map[string]*fieldModel{}
	for _, f := range om.obj.Fields {
		if f == nil || f.Hidden {
			continue
		}
		if fm := b.fieldModel(om, f); fm != nil {
			om.fields = append(om.fields, fm)
			om.byField[fm.name] = fm
		}
	}
}

// fieldModel returns the API of a field of om, or nil (and the reason in
// omitted) when it cannot be exposed.
func (b *modelBuilder) fieldModel(om *objectModel, f *schema.Field) *fieldModel {
	if _, ok := schema.Types[f.Type]; !ok {
		b.omit("field %s.%s: unknown type %q", om.name, f.Name, f.Type)
		return nil
	}
	if !nameRE.MatchString(f.Name) || store.IsSystemField(f.Name) || om.byField[f.Name] != nil {
		b.omit("field %s.%s: name not usable", om.name, f.Name)
		return nil
	}
	fm := &fieldModel{f: f, name: f.Name, kind: f.Kind(), refBatch: "ref:" + f.Name}
	if fm.kind == schema.KindLookup || fm.kind == schema.KindLookupList {
		fm.target = b.m.byName[f.Target]
		if fm.target == nil {
			b.omit("field %s.%s: target %q is not in the API", om.name, f.Name, f.Target)
			return nil
		}
	}
	return fm
}

// addEnums makes the picklists whose options are all valid enum value
// names enums (DealStage), with their own comparison input; a name clash
// keeps the field a string.
func (b *modelBuilder) addEnums(om *objectModel) {
	for _, fm := range om.fields {
		values := enumValues(fm.f)
		if values == nil {
			continue
		}
		em := &enumModel{name: om.typeName + apiname.UpperFirst(fm.name), values: values, valueSet: map[string]bool{}}
		em.comparison = em.name + "Comparison"
		if fm.kind == schema.KindStringList {
			em.comparison = em.name + "ListComparison"
		}
		if b.taken["type:"+em.name] || b.taken["type:"+em.comparison] {
			b.omit("enum of %s.%s: type name %s or %s is taken; the field stays a String", om.name, fm.name, em.name, em.comparison)
			continue
		}
		b.taken["type:"+em.name], b.taken["type:"+em.comparison] = true, true
		for _, v := range values {
			em.valueSet[v] = true
		}
		fm.enum = em
	}
}

// memberNames returns the names already used on the record type of om:
// system fields, fields and reverse lists.
func memberNames(om *objectModel) map[string]bool {
	used := map[string]bool{}
	for _, n := range store.SystemFields {
		used[n] = true
	}
	for _, fm := range om.fields {
		used[fm.name] = true
	}
	for _, r := range om.reverses {
		used[r.name] = true
	}
	return used
}

// addReverses names the reverse lists on target of the lookups in revs
// that point at it and adds those that got a free name.
func (b *modelBuilder) addReverses(target *objectModel, revs []*reverseModel) {
	used := memberNames(target)
	// Explicit names first, so that a default never takes a name an
	// administrator chose.
	for _, r := range revs {
		if n := r.field.f.Reverse; n != "" && nameRE.MatchString(n) && !used[n] {
			r.name = n
			used[n] = true
		}
	}
	perSource := map[*objectModel]int{}
	for _, r := range revs {
		if r.field.f.Reverse == "" {
			perSource[r.source]++
		}
	}
	for _, r := range revs {
		if r.name != "" {
			continue
		}
		r.name = firstFree(used, defaultReverseNames(r, perSource[r.source] == 1))
		if r.name == "" {
			b.omit("reverse list of %s.%s on %s: no free name", r.source.name, r.field.name, target.name)
		}
	}
	for _, r := range revs {
		if r.name != "" {
			target.reverses = append(target.reverses, r)
		}
	}
}

// defaultReverseNames lists the names a reverse list without an explicit
// name may take, best first: the source's list name ("deals") when it is
// the only such lookup from its source, then "dealsByAccount".
func defaultReverseNames(r *reverseModel, onlyFromSource bool) []string {
	candidates := []string{r.source.list + "By" + apiname.UpperFirst(r.field.name)}
	if r.field.f.Reverse == "" && onlyFromSource {
		candidates = append([]string{r.source.list}, candidates...)
	}
	return candidates
}

// firstFree returns the first candidate not in used, and marks it used; ""
// if there is none.
func firstFree(used map[string]bool, candidates []string) string {
	for _, c := range candidates {
		if !used[c] {
			used[c] = true
			return c
		}
	}
	return ""
}

// weighted reports whether a stage of p has a probability: only such a
// pipeline has a forecast.
func weighted(p *schema.Pipeline) bool {
	for _, st := range p.Stages {
		if st.Probability != nil {
			return true
		}
	}
	return false
}

// claimQuery returns name, now taken as a Query field of pipeline pm, or
// "" (and the omission noted) when it was taken already.
func (b *modelBuilder) claimQuery(pm *pipelineModel, name string) string {
	if b.taken["query:"+name] {
		b.omit("pipeline %s.%s: generated name %s is taken", pm.obj.name, pm.field.name, name)
		return ""
	}
	b.taken["query:"+name] = true
	return name
}

// addPipelines gives each pipeline field of om a history list on the
// record type and a board query, and names the audit trail field.
func (b *modelBuilder) addPipelines(om *objectModel) {
	used := memberNames(om)
	several := 0
	for _, fm := range om.fields {
		if fm.f.Pipeline != nil && fm.f.Type == schema.TypePicklist {
			several++
		}
	}
	for _, fm := range om.fields {
		if fm.f.Pipeline == nil || fm.f.Type != schema.TypePicklist {
			continue
		}
		pm := &pipelineModel{obj: om, field: fm, history: fm.name + "History",
			board: om.list + "By" + apiname.UpperFirst(fm.name), columnType: om.typeName + apiname.UpperFirst(fm.name) + "Column"}
		switch {
		case used[pm.history]:
			b.omit("pipeline %s.%s: field name %s is taken", om.name, fm.name, pm.history)
			continue
		case b.taken["query:"+pm.board] || b.taken["type:"+pm.columnType]:
			b.omit("pipeline %s.%s: generated name %s or %s is taken", om.name, fm.name, pm.board, pm.columnType)
			continue
		}
		used[pm.history] = true
		b.taken["query:"+pm.board], b.taken["type:"+pm.columnType] = true, true
		prefix := om.list
		if several > 1 {
			prefix += apiname.UpperFirst(fm.name)
		}
		pm.funnel = b.claimQuery(pm, prefix+"Funnel")
		if weighted(fm.f.Pipeline) {
			pm.forecast = b.claimQuery(pm, prefix+"Forecast")
		}
		om.pipelines = append(om.pipelines, pm)
		b.m.boards[pm.board] = pm
	}
	if !used["auditTrail"] {
		om.audit = "auditTrail"
	}
	if len(om.obj.Duplicates) > 0 && !used["possibleDuplicates"] {
		om.duplicates = "possibleDuplicates"
	}
}
