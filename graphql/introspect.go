package graphql

import (
	"context"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Introspection (spec section 4, October 2021, with __Type.isOneOf) is
// served from the validated schema the request runs against: every
// caller introspects the schema of its own audience, so a key with a role
// sees exactly the reduced API it can use.

// introType is a __Type: a named type, or a list or non-null wrapper.
type introType struct {
	s   *ast.Schema
	def *ast.Definition // named types
	typ *ast.Type       // wrappers: the wrapped type with its modifiers
}

// introTypeOf returns the __Type of a type reference.
func introTypeOf(s *ast.Schema, t *ast.Type) *introType {
	if t.NonNull || t.Elem != nil {
		return &introType{s: s, typ: t}
	}
	def := s.Types[t.NamedType]
	if def == nil {
		return nil
	}
	return &introType{s: s, def: def}
}

func (t *introType) kind() string {
	switch {
	case t.typ != nil && t.typ.NonNull:
		return "NON_NULL"
	case t.typ != nil:
		return "LIST"
	}
	return string(t.def.Kind)
}

func (t *introType) ofType() *introType {
	switch {
	case t.typ == nil:
		return nil
	case t.typ.NonNull:
		inner := *t.typ
		inner.NonNull = false
		return introTypeOf(t.s, &inner)
	}
	return introTypeOf(t.s, t.typ.Elem)
}

// introInput is an __InputValue: an argument or an input field.
type introInput struct {
	s          *ast.Schema
	name, desc string
	typ        *ast.Type
	def        *ast.Value
	dirs       ast.DirectiveList
}

// deprecation returns whether dirs deprecate their element, and why.
func deprecation(dirs ast.DirectiveList) (bool, any) {
	d := dirs.ForName("deprecated")
	if d == nil {
		return false, nil
	}
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil && a.Value.Kind != ast.NullValue {
		return true, a.Value.Raw
	}
	return true, "No longer supported"
}

func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func includeDeprecated(fc *fieldCall) bool {
	b, _ := fc.args["includeDeprecated"].(bool)
	return b
}

func arguments(s *ast.Schema, args ast.ArgumentDefinitionList, withDeprecated bool) []any {
	out := make([]any, 0, len(args))
	for _, a := range args {
		if dep, _ := deprecation(a.Directives); dep && !withDeprecated {
			continue
		}
		out = append(out, &introInput{s: s, name: a.Name, desc: a.Description, typ: a.Type, def: a.DefaultValue, dirs: a.Directives})
	}
	return out
}

// introspectionRootResolvers serve Query.__schema and Query.__type.
func introspectionRootResolvers(s *ast.Schema) map[string]resolver {
	return map[string]resolver{
		"__schema": func(context.Context, any, *fieldCall) (any, error) { return s, nil },
		"__type": func(_ context.Context, _ any, fc *fieldCall) (any, error) {
			name, _ := fc.args["name"].(string)
			if def := s.Types[name]; def != nil {
				return &introType{s: s, def: def}, nil
			}
			return nil, nil
		},
	}
}

// introspectionResolvers serve the introspection types.
func introspectionResolvers(s *ast.Schema) map[string]map[string]resolver {
	typ := func(p any) *introType { return p.(*introType) }
	named := func(p any) *ast.Definition { return p.(*introType).def }
	inv := func(p any) *introInput { return p.(*introInput) }
	fld := func(p any) *ast.FieldDefinition { return p.(*ast.FieldDefinition) }
	env := func(p any) *ast.EnumValueDefinition { return p.(*ast.EnumValueDefinition) }
	dir := func(p any) *ast.DirectiveDefinition { return p.(*ast.DirectiveDefinition) }
	typeList := func(defs []*ast.Definition) []any {
		out := make([]any, len(defs))
		for i, d := range defs {
			out[i] = &introType{s: s, def: d}
		}
		return out
	}
	return map[string]map[string]resolver{
		"__Schema": {
			"description": func(context.Context, any, *fieldCall) (any, error) { return optional(s.Description), nil },
			"types": func(context.Context, any, *fieldCall) (any, error) {
				names := make([]string, 0, len(s.Types))
				for n := range s.Types {
					names = append(names, n)
				}
				sort.Strings(names)
				defs := make([]*ast.Definition, len(names))
				for i, n := range names {
					defs[i] = s.Types[n]
				}
				return typeList(defs), nil
			},
			"queryType": func(context.Context, any, *fieldCall) (any, error) { return &introType{s: s, def: s.Query}, nil },
			"mutationType": func(context.Context, any, *fieldCall) (any, error) {
				if s.Mutation == nil {
					return nil, nil
				}
				return &introType{s: s, def: s.Mutation}, nil
			},
			"subscriptionType": func(context.Context, any, *fieldCall) (any, error) { return nil, nil },
			"directives": func(context.Context, any, *fieldCall) (any, error) {
				names := make([]string, 0, len(s.Directives))
				for n := range s.Directives {
					names = append(names, n)
				}
				sort.Strings(names)
				out := make([]any, len(names))
				for i, n := range names {
					out[i] = s.Directives[n]
				}
				return out, nil
			},
		},
		"__Type": {
			"kind": func(_ context.Context, p any, _ *fieldCall) (any, error) { return typ(p).kind(), nil },
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if d := named(p); d != nil {
					return d.Name, nil
				}
				return nil, nil
			},
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if d := named(p); d != nil {
					return optional(d.Description), nil
				}
				return nil, nil
			},
			"specifiedByURL": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				d := named(p)
				if d == nil || d.Kind != ast.Scalar {
					return nil, nil
				}
				if sb := d.Directives.ForName("specifiedBy"); sb != nil {
					if a := sb.Arguments.ForName("url"); a != nil {
						return a.Value.Raw, nil
					}
				}
				return nil, nil
			},
			"fields": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				d := named(p)
				if d == nil || (d.Kind != ast.Object && d.Kind != ast.Interface) {
					return nil, nil
				}
				out := make([]any, 0, len(d.Fields))
				for _, f := range d.Fields {
					if strings.HasPrefix(f.Name, "__") {
						continue // __schema and __type are not fields of Query
					}
					if dep, _ := deprecation(f.Directives); dep && !includeDeprecated(fc) {
						continue
					}
					out = append(out, f)
				}
				return out, nil
			},
			"interfaces": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				d := named(p)
				if d == nil || (d.Kind != ast.Object && d.Kind != ast.Interface) {
					return nil, nil
				}
				out := make([]any, 0, len(d.Interfaces))
				for _, n := range d.Interfaces {
					if i := s.Types[n]; i != nil {
						out = append(out, &introType{s: s, def: i})
					}
				}
				return out, nil
			},
			"possibleTypes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				d := named(p)
				if d == nil || !d.IsAbstractType() {
					return nil, nil
				}
				return typeList(s.GetPossibleTypes(d)), nil
			},
			"enumValues": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				d := named(p)
				if d == nil || d.Kind != ast.Enum {
					return nil, nil
				}
				out := make([]any, 0, len(d.EnumValues))
				for _, v := range d.EnumValues {
					if dep, _ := deprecation(v.Directives); dep && !includeDeprecated(fc) {
						continue
					}
					out = append(out, v)
				}
				return out, nil
			},
			"inputFields": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				d := named(p)
				if d == nil || d.Kind != ast.InputObject {
					return nil, nil
				}
				out := make([]any, 0, len(d.Fields))
				for _, f := range d.Fields {
					if dep, _ := deprecation(f.Directives); dep && !includeDeprecated(fc) {
						continue
					}
					out = append(out, &introInput{s: s, name: f.Name, desc: f.Description, typ: f.Type, def: f.DefaultValue, dirs: f.Directives})
				}
				return out, nil
			},
			"ofType": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if t := typ(p).ofType(); t != nil {
					return t, nil
				}
				return nil, nil
			},
			"isOneOf": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				d := named(p)
				if d == nil || d.Kind != ast.InputObject {
					return nil, nil
				}
				return d.Directives.ForName("oneOf") != nil, nil
			},
		},
		"__Field": {
			"name":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return fld(p).Name, nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optional(fld(p).Description), nil },
			"args": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				return arguments(s, fld(p).Arguments, includeDeprecated(fc)), nil
			},
			"type": func(_ context.Context, p any, _ *fieldCall) (any, error) { return introTypeOf(s, fld(p).Type), nil },
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				dep, _ := deprecation(fld(p).Directives)
				return dep, nil
			},
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				_, why := deprecation(fld(p).Directives)
				return why, nil
			},
		},
		"__InputValue": {
			"name":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return inv(p).name, nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optional(inv(p).desc), nil },
			"type":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return introTypeOf(s, inv(p).typ), nil },
			"defaultValue": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if d := inv(p).def; d != nil {
					return d.String(), nil
				}
				return nil, nil
			},
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				dep, _ := deprecation(inv(p).dirs)
				return dep, nil
			},
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				_, why := deprecation(inv(p).dirs)
				return why, nil
			},
		},
		"__EnumValue": {
			"name":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return env(p).Name, nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optional(env(p).Description), nil },
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				dep, _ := deprecation(env(p).Directives)
				return dep, nil
			},
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				_, why := deprecation(env(p).Directives)
				return why, nil
			},
		},
		"__Directive": {
			"name":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return dir(p).Name, nil },
			"description":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return optional(dir(p).Description), nil },
			"isRepeatable": func(_ context.Context, p any, _ *fieldCall) (any, error) { return dir(p).IsRepeatable, nil },
			"locations": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				locs := dir(p).Locations
				out := make([]any, len(locs))
				for i, l := range locs {
					out[i] = string(l)
				}
				return out, nil
			},
			"args": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				return arguments(s, dir(p).Arguments, includeDeprecated(fc)), nil
			},
		},
	}
}
