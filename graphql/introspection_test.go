package graphql_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
)

// fullIntrospection is graphql-js 16's getIntrospectionQuery with every
// option on (descriptions, specifiedByURL, isRepeatable, the schema's
// description, deprecated input values, isOneOf).
const fullIntrospection = `
query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// TestIntrospection_MatchesTheSchema rebuilds the schema from what
// introspection says and compares it, printed, with the SDL the catalog
// gives: for the test objects and for every industry template.
func TestIntrospection_MatchesTheSchema(t *testing.T) {
	t.Parallel()
	catalogs := map[string][]*schema.Object{"test objects": {accountObject(), dealObject(), ticketObject()}}
	list, err := templates.List()
	require.NoError(t, err)
	for _, m := range list {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		var objs []*schema.Object
		for _, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err)
			objs = append(objs, obj)
		}
		catalogs["template "+m.Name] = objs
	}
	for name, objs := range catalogs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeEngine()
			f.setObjects(tenantA, objs...)
			srv, err := graphql.New(graphql.Config{Engine: f, Logger: discardLogger()})
			require.NoError(t, err)
			data := mustRun(t, srv, user, fullIntrospection, nil)

			sdl := graphql.SDL(engine.NewCatalog(tenantA, 1, objs))
			want, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
			require.NoError(t, err)
			got := schemaFromIntrospection(t, data["__schema"].(map[string]any))
			assert.Equal(t, want.Description, got.Description)
			require.Greater(t, len(formatSchema(want)), 10_000, "the comparison covers the generated types")
			assert.Equal(t, formatSchema(want), formatSchema(got))

			var directives []string
			for _, d := range asList(path(data, "__schema", "directives")) {
				directives = append(directives, d.(map[string]any)["name"].(string))
			}
			assert.Equal(t, []string{"deprecated", "include", "oneOf", "skip", "specifiedBy"}, directives)
		})
	}
}

func formatSchema(s *ast.Schema) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(s)
	return b.String()
}

// schemaFromIntrospection builds a schema from an introspection result,
// marking as built in the types and directives the GraphQL prelude has.
func schemaFromIntrospection(t *testing.T, sch map[string]any) *ast.Schema {
	t.Helper()
	prelude, err := parser.ParseSchema(validator.Prelude)
	require.NoError(t, err)
	builtIn := map[string]bool{}
	for _, d := range prelude.Definitions {
		builtIn[d.Name] = true
	}
	str := func(v any) string { s, _ := v.(string); return s }
	var typeRef func(v any) *ast.Type
	typeRef = func(v any) *ast.Type {
		m := v.(map[string]any)
		switch m["kind"] {
		case "NON_NULL":
			inner := typeRef(m["ofType"])
			inner.NonNull = true
			return inner
		case "LIST":
			return &ast.Type{Elem: typeRef(m["ofType"])}
		}
		return &ast.Type{NamedType: str(m["name"])}
	}
	defaultValue := func(v any) *ast.Value {
		if v == nil {
			return nil
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: "{ f(a: " + str(v) + ") }"})
		require.NoError(t, err, "defaultValue %v", v)
		return doc.Operations[0].SelectionSet[0].(*ast.Field).Arguments[0].Value
	}
	deprecated := func(m map[string]any) ast.DirectiveList {
		if m["isDeprecated"] != true {
			return nil
		}
		return ast.DirectiveList{{Name: "deprecated", Arguments: ast.ArgumentList{{Name: "reason", Value: &ast.Value{Kind: ast.StringValue, Raw: str(m["deprecationReason"])}}}}}
	}
	args := func(v any) ast.ArgumentDefinitionList {
		var out ast.ArgumentDefinitionList
		for _, a := range asList(v) {
			am := a.(map[string]any)
			out = append(out, &ast.ArgumentDefinition{Name: str(am["name"]), Description: str(am["description"]), Type: typeRef(am["type"]),
				DefaultValue: defaultValue(am["defaultValue"]), Directives: deprecated(am)})
		}
		return out
	}
	s := &ast.Schema{Types: map[string]*ast.Definition{}, Directives: map[string]*ast.DirectiveDefinition{}, Description: str(sch["description"])}
	for _, tv := range asList(sch["types"]) {
		tm := tv.(map[string]any)
		def := &ast.Definition{Kind: ast.DefinitionKind(str(tm["kind"])), Name: str(tm["name"]), Description: str(tm["description"]), BuiltIn: builtIn[str(tm["name"])]}
		for _, fv := range asList(tm["fields"]) {
			fm := fv.(map[string]any)
			def.Fields = append(def.Fields, &ast.FieldDefinition{Name: str(fm["name"]), Description: str(fm["description"]), Type: typeRef(fm["type"]),
				Arguments: args(fm["args"]), Directives: deprecated(fm)})
		}
		for _, iv := range args(tm["inputFields"]) {
			def.Fields = append(def.Fields, &ast.FieldDefinition{Name: iv.Name, Description: iv.Description, Type: iv.Type, DefaultValue: iv.DefaultValue, Directives: iv.Directives})
		}
		for _, ev := range asList(tm["enumValues"]) {
			em := ev.(map[string]any)
			def.EnumValues = append(def.EnumValues, &ast.EnumValueDefinition{Name: str(em["name"]), Description: str(em["description"]), Directives: deprecated(em)})
		}
		if u := str(tm["specifiedByURL"]); u != "" {
			def.Directives = append(def.Directives, &ast.Directive{Name: "specifiedBy", Arguments: ast.ArgumentList{{Name: "url", Value: &ast.Value{Kind: ast.StringValue, Raw: u}}}})
		}
		if tm["isOneOf"] == true {
			def.Directives = append(def.Directives, &ast.Directive{Name: "oneOf"})
		}
		s.Types[def.Name] = def
	}
	for _, dv := range asList(sch["directives"]) {
		dm := dv.(map[string]any)
		d := &ast.DirectiveDefinition{Name: str(dm["name"]), Description: str(dm["description"]), Arguments: args(dm["args"]), IsRepeatable: dm["isRepeatable"] == true,
			Position: &ast.Position{Src: &ast.Source{BuiltIn: builtIn[str(dm["name"])] || prelude.Directives.ForName(str(dm["name"])) != nil}}}
		for _, l := range asList(dm["locations"]) {
			d.Locations = append(d.Locations, ast.DirectiveLocation(str(l)))
		}
		s.Directives[d.Name] = d
	}
	s.Query = s.Types[str(path(sch, "queryType", "name"))]
	if name := str(path(sch, "mutationType", "name")); name != "" {
		s.Mutation = s.Types[name]
	}
	return s
}
