package graphql

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// A tenant's schema is built as a gqlparser schema document straight from
// the model (no SDL text is generated and parsed again on the way: that
// took most of a rebuild), then checked and indexed by gqlparser's schema
// validator. The SDL text is printed from the same document, so the text,
// the validated schema, introspection and the resolvers cannot disagree.

// SDL returns the GraphQL schema that the catalog's objects give, as text.
// It is a pure function of the catalog: the same catalog gives the same
// text. Objects and fields that cannot be exposed (a lookup whose target is
// missing, a name that collides with a generated one) are left out.
func SDL(cat *engine.Catalog) string {
	return printSDL(buildModel(cat).document(schemaDescription(cat)))
}

// schemaDescription is the __Schema.description of a catalog's schema.
func schemaDescription(cat *engine.Catalog) string {
	if cat == nil {
		return "The CRM API."
	}
	d := fmt.Sprintf("The CRM API of tenant %s at metadata revision %d", cat.TenantID, cat.Revision)
	if cat.Audience != "" {
		d += ", as role " + cat.Audience + " sees it"
	}
	return d + "."
}

// staticDoc holds the parsed parts every schema shares (see sdl_static.go).
type staticDoc struct {
	defs       ast.DefinitionList          // the prelude's types and the static types
	directives ast.DirectiveDefinitionList // the prelude's, without @defer
	query      ast.FieldList
	mutation   ast.FieldList
}

var staticParts = parseStatic()

func parseStatic() *staticDoc {
	src := staticSDL + userSDL + apiKeySDL + objectDeletionSDL + navigationSDL + accessSDL + analyticsSDL + reportSDL + bulkSDL + duplicateSDL + massSDL + recycleSDL + activitySDL + approvalSDL + channelSDL + fileSDL + inboxSDL + settingsSDL + poolSDL + signOnSDL + moneySDL +
		"type Query {\n" + staticQuerySDL + viewSDLQuery + analyticsSDLQuery + reportSDLQuery + importSDLQuery + duplicateSDLQuery + massSDLQuery + recycleSDLQuery + activitySDLQuery + approvalSDLQuery + channelSDLQuery + fileSDLQuery + inboxSDLQuery + settingsSDLQuery + poolSDLQuery + signOnSDLQuery + moneySDLQuery + "}\n" +
		"type Mutation {\n" + staticMutationSDL + reportSDLMutation + importSDLMutation + duplicateSDLMutation + recycleSDLMutation + activitySDLMutation + approvalSDLMutation + channelSDLMutation + fileSDLMutation + inboxSDLMutation + settingsSDLMutation + poolSDLMutation + signOnSDLMutation + moneySDLMutation + "}\n"
	doc, err := parser.ParseSchemas(validator.Prelude, &ast.Source{Name: "static.graphql", Input: src})
	if err != nil {
		panic(fmt.Sprintf("graphql: static schema parts: %v", err))
	}
	sd := &staticDoc{}
	for _, d := range doc.Definitions {
		switch d.Name {
		case "Query":
			sd.query = d.Fields
		case "Mutation":
			sd.mutation = d.Fields
		default:
			sd.defs = append(sd.defs, d)
		}
	}
	for _, d := range doc.Directives {
		// Incremental delivery is not served: a schema must not offer it.
		if d.Name != "defer" {
			sd.directives = append(sd.directives, d)
		}
	}
	return sd
}

// document builds the schema document of the model.
func (m *model) document(description string) *ast.SchemaDocument {
	query := &ast.Definition{Kind: ast.Object, Name: "Query"}
	mutation := &ast.Definition{Kind: ast.Object, Name: "Mutation"}
	var defs ast.DefinitionList
	for _, o := range m.objects {
		query.Fields = append(query.Fields,
			fieldDef(o.single, o.typeName, "One "+o.name+" record by id, or null when there is none.", argDef("id", "ID!")),
			fieldDef(o.list, o.connectionType()+"!", "A page of "+o.name+" records. view names a saved view to start from (see views): its filter is and-ed with filter, its order used when orderBy is empty.",
				append(ast.ArgumentDefinitionList{argDef("view", "String")}, listArgs(o)...)...),
		)
		for _, p := range o.pipelines {
			query.Fields = append(query.Fields, fieldDef(p.board, "["+p.columnType+"!]!",
				"The "+o.name+" records by "+p.field.name+", one column per stage in pipeline order (a kanban board). Page a column with "+o.list+" and a filter on "+p.field.name+".",
				argDef("view", "String"), argDef("filter", o.filterType()), argDef("orderBy", "["+o.orderByType()+"!]"), argDef("first", "Int")))
			if p.funnel != "" {
				query.Fields = append(query.Fields, fieldDef(p.funnel, "PipelineFunnel!",
					"The funnel of the "+o.name+" records created in the period (days in the tenant's zone, both included; open when left out) along "+p.field.name+": per stage how many reached it and are in it now, conversions, time in stage; the win rate and sales velocity of the period (docs/analytics.md).",
					argDef("from", "Date"), argDef("to", "Date"), argDef("filter", o.filterType()), argDef("view", "String")))
			}
			if p.forecast != "" {
				query.Fields = append(query.Fields, fieldDef(p.forecast, "PipelineForecast!",
					"The weighted forecast of the "+o.name+" records whose close date falls in the period, by close month and/or owner (groupBy; both when left out): amount × stage probability over open records, best case, committed and won (docs/analytics.md).",
					argDef("from", "Date"), argDef("to", "Date"), argDef("filter", o.filterType()), argDef("view", "String"), argDef("groupBy", "[ForecastGroup!]")))
			}
		}
		if a := o.aggregate; a != nil {
			query.Fields = append(query.Fields, fieldDef(a.field, a.resultType()+"!",
				"Groups of "+o.name+" records that filter and view match and the caller may see, with measures per group: those selected on the groups (count, sum(field:) …) and those having and orderBy name. At most first groups (default 100, at most 1000).",
				argDef("view", "String"), argDef("filter", o.filterType()), argDef("groupBy", "["+a.groupByType()+"!]"),
				argDef("having", "["+a.havingType()+"!]"), argDef("orderBy", "["+a.groupOrderType()+"!]"), argDef("first", "Int")))
		}
		if o.writable() {
			mutation.Fields = append(mutation.Fields,
				fieldDef(o.createField(), o.typeName, "Creates one "+o.name+" record; the answer is the record as committed.", argDef("input", o.inputType()+"!")),
				fieldDef(o.updateField(), o.typeName, "Changes the fields present in input (null clears one); version, when given, must be the stored one. The answer is the record as committed.",
					argDef("id", "ID!"), argDef("input", o.patchType()+"!"), argDef("version", "Int")))
		} else {
			mutation.Fields = append(mutation.Fields, fieldDef(o.createField(), o.typeName, "Creates one "+o.name+" record; the answer is the record as committed."))
		}
		mutation.Fields = append(mutation.Fields,
			fieldDef(o.deleteField(), "Boolean", "Deletes one "+o.name+" record; true when done.", argDef("id", "ID!")),
			fieldDef(o.transferField(), o.typeName, "Hands the record to another active user (user:NAME or NAME); only its owner, the people above the owner and administrators may.",
				argDef("id", "ID!"), argDef("owner", "String!")))
		mutation.Fields = append(mutation.Fields, o.bulkFields()...)
		mutation.Fields = append(mutation.Fields, o.massFields()...)
		defs = append(defs, m.objectDefs(o)...)
		defs = append(defs, o.bulkDefs()...)
	}
	query.Fields = append(query.Fields, staticParts.query...)
	mutation.Fields = append(mutation.Fields, staticParts.mutation...)

	all := make(ast.DefinitionList, 0, 2+len(defs)+len(staticParts.defs))
	all = append(all, query, mutation)
	all = append(all, defs...)
	all = append(all, staticParts.defs...)
	return &ast.SchemaDocument{
		Schema: ast.SchemaDefinitionList{{
			Description: description,
			OperationTypes: ast.OperationTypeDefinitionList{
				{Operation: ast.Query, Type: "Query"},
				{Operation: ast.Mutation, Type: "Mutation"},
			},
		}},
		Directives:  staticParts.directives,
		Definitions: all,
	}
}

// listArgs are the arguments of root and reverse lists.
func listArgs(o *objectModel) ast.ArgumentDefinitionList {
	return ast.ArgumentDefinitionList{
		argDef("filter", o.filterType()), argDef("orderBy", "["+o.orderByType()+"!]"),
		argDef("first", "Int"), argDef("after", "String"),
	}
}

// objectDefs returns the types one object adds: the record type, its
// board columns, connection and edge, filter, order and inputs, and the
// enums of its picklists.
func (m *model) objectDefs(o *objectModel) ast.DefinitionList {
	var defs ast.DefinitionList
	rec := &ast.Definition{Kind: ast.Object, Name: o.typeName, Description: labelText(o.obj.Label, o.obj.Description)}
	rec.Fields = ast.FieldList{
		fieldDef("id", "ID!", ""), fieldDef("version", "Int!", ""), fieldDef("createdAt", "DateTime!", ""),
		fieldDef("updatedAt", "DateTime!", ""), fieldDef("createdBy", "String!", ""), fieldDef("updatedBy", "String!", ""),
		fieldDef("ownerId", "String!", "The user who owns the record (user:NAME); record-level sharing follows it."),
	}
	for _, f := range o.fields {
		rec.Fields = append(rec.Fields, fieldDef(f.name, outputType(f), outputDescription(f)))
	}
	for _, r := range o.reverses {
		rec.Fields = append(rec.Fields, fieldDef(r.name, r.source.connectionType()+"!",
			"The "+r.source.name+" records whose "+r.field.name+" refers to this one.", listArgs(r.source)...))
	}
	for _, p := range o.pipelines {
		rec.Fields = append(rec.Fields, fieldDef(p.history, "[StageChange!]!", "The moves of "+p.field.name+" along its pipeline, oldest first."))
	}
	if o.audit != "" {
		rec.Fields = append(rec.Fields, fieldDef(o.audit, "AuditPage!",
			"This record's history, newest first: who changed what, when and through which door (administrators only).",
			argDef("first", "Int"), argDef("after", "String")))
	}
	if o.duplicates != "" {
		rec.Fields = append(rec.Fields, fieldDef(o.duplicates, "[DuplicateMatch!]!",
			"The records this one may duplicate under the object's duplicate rules, best first: select it in a create or update to see the warnings the write let through."))
	}
	defs = append(defs, rec)

	for _, p := range o.pipelines {
		defs = append(defs, &ast.Definition{Kind: ast.Object, Name: p.columnType,
			Description: "One stage of the " + p.field.name + " board of " + o.name + " records.",
			Fields: ast.FieldList{
				fieldDef("stage", "StageDefinition!", ""),
				fieldDef("totalCount", "Int!", "Counts every record in the stage that matches the filter."),
				fieldDef("sum", "Float", "Sums a number field (number, integer, currency, percent) over every record in the stage that matches the filter and view and that the caller may see, not only the nodes loaded; null when none has a value.",
					argDef("field", "String!")),
				fieldDef("nodes", "["+o.typeName+"!]!", ""),
				fieldDef("pageInfo", "PageInfo!", ""),
			}})
	}
	defs = append(defs,
		&ast.Definition{Kind: ast.Object, Name: o.connectionType(), Fields: ast.FieldList{
			fieldDef("nodes", "["+o.typeName+"!]!", ""),
			fieldDef("edges", "["+o.edgeType()+"!]!", ""),
			fieldDef("pageInfo", "PageInfo!", ""),
			fieldDef("totalCount", "Int!", "Counts every match of the filter; computed only when selected."),
			fieldDef("sum", "Float", "Sums a number field (number, integer, currency, percent) over every match of the filter and view that the caller may see, not only this page; null when none has a value; computed only when selected.",
				argDef("field", "String!")),
		}},
		&ast.Definition{Kind: ast.Object, Name: o.edgeType(), Fields: ast.FieldList{
			fieldDef("cursor", "String!", ""),
			fieldDef("node", o.typeName+"!", ""),
		}},
	)

	filter := &ast.Definition{Kind: ast.InputObject, Name: o.filterType(),
		Description: "Conditions on " + o.name + " records. Conditions of one filter object are all required (and).",
		Fields: ast.FieldList{
			fieldDef("and", "["+o.filterType()+"!]", ""), fieldDef("or", "["+o.filterType()+"!]", ""), fieldDef("not", o.filterType(), ""),
			fieldDef("id", "IDComparison", ""), fieldDef("version", "IntComparison", ""),
			fieldDef("createdAt", "DateTimeComparison", ""), fieldDef("updatedAt", "DateTimeComparison", ""),
			fieldDef("createdBy", "StringComparison", ""), fieldDef("updatedBy", "StringComparison", ""),
			fieldDef("ownerId", "StringComparison", ""),
		}}
	for _, f := range o.fields {
		if f.filterable() {
			filter.Fields = append(filter.Fields, fieldDef(f.name, comparisonType(f), ""))
		}
	}
	order := &ast.Definition{Kind: ast.InputObject, Name: o.orderByType(), Description: "One sort key: set exactly one field.",
		Fields: ast.FieldList{
			fieldDef("id", "SortDirection", ""), fieldDef("version", "SortDirection", ""), fieldDef("createdAt", "SortDirection", ""),
			fieldDef("updatedAt", "SortDirection", ""), fieldDef("ownerId", "SortDirection", ""),
		}}
	for _, f := range o.fields {
		if f.sortable() {
			order.Fields = append(order.Fields, fieldDef(f.name, "SortDirection", ""))
		}
	}
	defs = append(defs, filter, order)
	if o.aggregate != nil {
		defs = append(defs, o.aggregate.defs()...)
	}

	if o.writable() {
		for _, name := range []string{o.inputType(), o.patchType()} {
			in := &ast.Definition{Kind: ast.InputObject, Name: name}
			for _, f := range o.fields {
				if !f.f.ReadOnly() {
					in.Fields = append(in.Fields, fieldDef(f.name, inputType(f), inputDescription(f)))
				}
			}
			defs = append(defs, in)
		}
	}

	for _, f := range o.fields {
		if f.enum == nil {
			continue
		}
		e := &ast.Definition{Kind: ast.Enum, Name: f.enum.name, Description: "The options of " + o.name + "." + f.name + "."}
		for _, v := range f.enum.values {
			e.EnumValues = append(e.EnumValues, &ast.EnumValueDefinition{Name: v, Description: optionLabel(f.f, v)})
		}
		cmp := &ast.Definition{Kind: ast.InputObject, Name: f.enum.comparison,
			Description: "Operators given together must all hold. A null operand means no condition."}
		if f.kind == schema.KindStringList {
			cmp.Fields = ast.FieldList{
				fieldDef("includes", f.enum.name, "The list has this element."),
				fieldDef("includesAny", "["+f.enum.name+"!]", "The list has at least one of these."),
				fieldDef("includesAll", "["+f.enum.name+"!]", "The list has all of these."),
				fieldDef("excludes", "["+f.enum.name+"!]", "The list has none of these."),
				fieldDef("isEmpty", "Boolean", "true: the list is missing or empty."),
			}
		} else {
			cmp.Fields = ast.FieldList{
				fieldDef("eq", f.enum.name, ""), fieldDef("ne", f.enum.name, ""),
				fieldDef("in", "["+f.enum.name+"!]", ""), fieldDef("nin", "["+f.enum.name+"!]", ""),
				fieldDef("isNull", "Boolean", ""),
			}
		}
		defs = append(defs, e, cmp)
	}
	return defs
}

// outputDescription is the description of a field of a record type: its
// labels and description, and what a user field's value is.
func outputDescription(f *fieldModel) string {
	text := labelText(f.f.Label, f.f.Description)
	if f.f.Type != schema.TypeUser {
		return text
	}
	if text != "" {
		text += ". "
	}
	return text + "A user (user:NAME, the form of ownerId)."
}

// inputDescription is the description of a field of a create or update
// input: what a user field takes.
func inputDescription(f *fieldModel) string {
	if f.f.Type != schema.TypeUser {
		return ""
	}
	return "A user: user:NAME, the user name, or the display name of exactly one active user; stored as user:NAME."
}

// optionLabel is the description of a picklist option: its labels, when
// the field has them.
func optionLabel(f *schema.Field, value string) string {
	if l, ok := f.OptionLabels[value]; ok {
		return labelText(l, "")
	}
	return ""
}

func fieldDef(name, typ, desc string, args ...*ast.ArgumentDefinition) *ast.FieldDefinition {
	return &ast.FieldDefinition{Name: name, Type: typeRef(typ), Description: cleanDescription(desc), Arguments: args}
}

func argDef(name, typ string) *ast.ArgumentDefinition {
	return &ast.ArgumentDefinition{Name: name, Type: typeRef(typ)}
}

// typeRef reads a type reference: Name, Name!, [T], [T]!.
func typeRef(s string) *ast.Type {
	t := &ast.Type{}
	if strings.HasSuffix(s, "!") {
		t.NonNull = true
		s = s[:len(s)-1]
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		t.Elem = typeRef(s[1 : len(s)-1])
	} else {
		t.NamedType = s
	}
	return t
}

func outputType(f *fieldModel) string {
	if isFile(f) {
		return fileOutputType(f)
	}
	if f.enum != nil {
		if f.kind == schema.KindStringList {
			return "[" + f.enum.name + "!]"
		}
		return f.enum.name
	}
	switch f.kind {
	case schema.KindNumber:
		return "Float"
	case schema.KindInteger:
		return "Int"
	case schema.KindBoolean:
		return "Boolean"
	case schema.KindDate:
		return "Date"
	case schema.KindDateTime:
		return "DateTime"
	case schema.KindLookup:
		return f.target.typeName
	case schema.KindStringList:
		return "[String!]"
	case schema.KindLookupList:
		return "[" + f.target.typeName + "!]!"
	case schema.KindAddress:
		return "Address"
	case schema.KindJSON:
		return "JSON"
	}
	return "String"
}

func inputType(f *fieldModel) string {
	if isFile(f) {
		return fileInputType(f)
	}
	switch f.kind {
	case schema.KindLookup:
		return "ID"
	case schema.KindLookupList:
		return "[ID!]"
	case schema.KindAddress:
		return "AddressInput"
	}
	return outputType(f)
}

func comparisonType(f *fieldModel) string {
	if f.enum != nil {
		return f.enum.comparison
	}
	switch f.kind {
	case schema.KindNumber:
		return "FloatComparison"
	case schema.KindInteger:
		return "IntComparison"
	case schema.KindBoolean:
		return "BooleanComparison"
	case schema.KindDate:
		return "DateComparison"
	case schema.KindDateTime:
		return "DateTimeComparison"
	case schema.KindLookup:
		return "IDComparison"
	case schema.KindStringList:
		return "StringListComparison"
	case schema.KindLookupList:
		return "IDListComparison"
	case schema.KindAddress:
		return "AddressFilter"
	case schema.KindJSON:
		return "JSONComparison"
	}
	return "StringComparison"
}

// labelText is the description of a type or field: its labels and
// description.
func labelText(l schema.Label, desc string) string {
	var parts []string
	for _, s := range []string{l.Zh, l.En} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	text := strings.Join(parts, " / ")
	if desc != "" {
		if text != "" {
			text += ": "
		}
		text += desc
	}
	return text
}

// cleanDescription replaces the control characters a GraphQL document
// may not hold (all but tab, line feed and carriage return) with spaces.
func cleanDescription(s string) string {
	if strings.IndexFunc(s, isBadControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isBadControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

// printSDL prints a schema document as SDL text, leaving out what the
// GraphQL prelude defines.
func printSDL(doc *ast.SchemaDocument) string {
	var b strings.Builder
	for _, s := range doc.Schema {
		writeDesc(&b, "", s.Description)
		b.WriteString("schema {\n")
		for _, op := range s.OperationTypes {
			b.WriteString("  " + string(op.Operation) + ": " + op.Type + "\n")
		}
		b.WriteString("}\n\n")
	}
	for _, d := range doc.Directives {
		if builtIn(d.Position) {
			continue
		}
		writeDesc(&b, "", d.Description)
		b.WriteString("directive @" + d.Name)
		writeArgs(&b, d.Arguments)
		if d.IsRepeatable {
			b.WriteString(" repeatable")
		}
		locs := make([]string, len(d.Locations))
		for i, l := range d.Locations {
			locs[i] = string(l)
		}
		b.WriteString(" on " + strings.Join(locs, " | ") + "\n\n")
	}
	for _, d := range doc.Definitions {
		if d.BuiltIn || builtIn(d.Position) {
			continue
		}
		writeDesc(&b, "", d.Description)
		switch d.Kind {
		case ast.Scalar:
			b.WriteString("scalar " + d.Name)
			writeDirectives(&b, d.Directives)
			b.WriteString("\n\n")
			continue
		case ast.Enum:
			b.WriteString("enum " + d.Name)
			writeDirectives(&b, d.Directives)
			b.WriteString(" {\n")
			for _, v := range d.EnumValues {
				writeDesc(&b, "  ", v.Description)
				b.WriteString("  " + v.Name)
				writeDirectives(&b, v.Directives)
				b.WriteString("\n")
			}
			b.WriteString("}\n\n")
			continue
		case ast.InputObject:
			b.WriteString("input " + d.Name)
		default:
			b.WriteString("type " + d.Name)
		}
		writeDirectives(&b, d.Directives)
		b.WriteString(" {\n")
		for _, f := range d.Fields {
			writeDesc(&b, "  ", f.Description)
			b.WriteString("  " + f.Name)
			writeArgs(&b, f.Arguments)
			b.WriteString(": " + f.Type.String())
			if f.DefaultValue != nil {
				b.WriteString(" = " + f.DefaultValue.String())
			}
			writeDirectives(&b, f.Directives)
			b.WriteString("\n")
		}
		b.WriteString("}\n\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func builtIn(p *ast.Position) bool { return p != nil && p.Src != nil && p.Src.BuiltIn }

func writeArgs(b *strings.Builder, args ast.ArgumentDefinitionList) {
	if len(args) == 0 {
		return
	}
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Description != "" {
			writeQuoted(b, a.Description)
			b.WriteByte(' ')
		}
		b.WriteString(a.Name + ": " + a.Type.String())
		if a.DefaultValue != nil {
			b.WriteString(" = " + a.DefaultValue.String())
		}
		writeDirectives(b, a.Directives)
	}
	b.WriteByte(')')
}

func writeDirectives(b *strings.Builder, dirs ast.DirectiveList) {
	for _, d := range dirs {
		b.WriteString(" @" + d.Name)
		if len(d.Arguments) > 0 {
			b.WriteByte('(')
			for i, a := range d.Arguments {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(a.Name + ": " + a.Value.String())
			}
			b.WriteByte(')')
		}
	}
}

// writeDesc writes a description line; nothing for "".
func writeDesc(b *strings.Builder, indent, text string) {
	if text == "" {
		return
	}
	b.WriteString(indent)
	writeQuoted(b, text)
	b.WriteByte('\n')
}

// writeQuoted writes text as a GraphQL string, escaped.
func writeQuoted(b *strings.Builder, text string) {
	b.WriteByte('"')
	for _, r := range text {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isBadControl(r):
			b.WriteString(" ")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
