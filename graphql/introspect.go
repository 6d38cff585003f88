package graphql

import (
	"context"

	"github.com/graph-gophers/graphql-go/introspection"
)

// Introspection: graphql-go's introspection package describes the parsed
// schema; these resolvers serve its values to the executor.

func includeDeprecated(fc *fieldCall) *struct{ IncludeDeprecated bool } {
	b, _ := fc.args["includeDeprecated"].(bool)
	return &struct{ IncludeDeprecated bool }{b}
}

func derefString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func typeList(l *[]*introspection.Type) any {
	if l == nil {
		return nil
	}
	out := make([]any, len(*l))
	for i, t := range *l {
		out[i] = t
	}
	return out
}

func inputValueList(l []*introspection.InputValue) []any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

func introspectionResolvers() map[string]map[string]resolver {
	type r = resolver
	sch := func(p any) *introspection.Schema { return p.(*introspection.Schema) }
	typ := func(p any) *introspection.Type { return p.(*introspection.Type) }
	fld := func(p any) *introspection.Field { return p.(*introspection.Field) }
	inv := func(p any) *introspection.InputValue { return p.(*introspection.InputValue) }
	env := func(p any) *introspection.EnumValue { return p.(*introspection.EnumValue) }
	dir := func(p any) *introspection.Directive { return p.(*introspection.Directive) }
	return map[string]map[string]resolver{
		"__Schema": {
			"types": r(func(_ context.Context, p any, _ *fieldCall) (any, error) {
				types := sch(p).Types()
				return typeList(&types), nil
			}),
			"queryType":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return sch(p).QueryType(), nil },
			"mutationType":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return sch(p).MutationType(), nil },
			"subscriptionType": func(_ context.Context, p any, _ *fieldCall) (any, error) { return sch(p).SubscriptionType(), nil },
			"directives": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				ds := sch(p).Directives()
				out := make([]any, len(ds))
				for i, d := range ds {
					out[i] = d
				}
				return out, nil
			},
			"description": func(context.Context, any, *fieldCall) (any, error) { return nil, nil },
		},
		"__Type": {
			"kind": func(_ context.Context, p any, _ *fieldCall) (any, error) { return typ(p).Kind(), nil },
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) { return derefString(typ(p).Name()), nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(typ(p).Description()), nil
			},
			"fields": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				fs := typ(p).Fields(includeDeprecated(fc))
				if fs == nil {
					return nil, nil
				}
				out := make([]any, len(*fs))
				for i, f := range *fs {
					out[i] = f
				}
				return out, nil
			},
			"interfaces": func(_ context.Context, p any, _ *fieldCall) (any, error) { return typeList(typ(p).Interfaces()), nil },
			"possibleTypes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return typeList(typ(p).PossibleTypes()), nil
			},
			"enumValues": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				vs := typ(p).EnumValues(includeDeprecated(fc))
				if vs == nil {
					return nil, nil
				}
				out := make([]any, len(*vs))
				for i, v := range *vs {
					out[i] = v
				}
				return out, nil
			},
			"inputFields": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				vs := typ(p).InputFields(includeDeprecated(fc))
				if vs == nil {
					return nil, nil
				}
				return inputValueList(*vs), nil
			},
			"ofType": func(_ context.Context, p any, _ *fieldCall) (any, error) { return typ(p).OfType(), nil },
			"specifiedByURL": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(typ(p).SpecifiedByURL()), nil
			},
		},
		"__Field": {
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fld(p).Name(), nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(fld(p).Description()), nil
			},
			"args": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				return inputValueList(fld(p).Args(includeDeprecated(fc))), nil
			},
			"type":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return fld(p).Type(), nil },
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fld(p).IsDeprecated(), nil },
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(fld(p).DeprecationReason()), nil
			},
		},
		"__InputValue": {
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) { return inv(p).Name(), nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(inv(p).Description()), nil
			},
			"type": func(_ context.Context, p any, _ *fieldCall) (any, error) { return inv(p).Type(), nil },
			"defaultValue": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(inv(p).DefaultValue()), nil
			},
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) { return inv(p).IsDeprecated(), nil },
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(inv(p).DeprecationReason()), nil
			},
		},
		"__EnumValue": {
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) { return env(p).Name(), nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(env(p).Description()), nil
			},
			"isDeprecated": func(_ context.Context, p any, _ *fieldCall) (any, error) { return env(p).IsDeprecated(), nil },
			"deprecationReason": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(env(p).DeprecationReason()), nil
			},
		},
		"__Directive": {
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) { return dir(p).Name(), nil },
			"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				return derefString(dir(p).Description()), nil
			},
			"locations": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				locs := dir(p).Locations()
				out := make([]any, len(locs))
				for i, l := range locs {
					out[i] = l
				}
				return out, nil
			},
			"args": func(_ context.Context, p any, fc *fieldCall) (any, error) {
				return inputValueList(dir(p).Args(includeDeprecated(fc))), nil
			},
			"isRepeatable": func(context.Context, any, *fieldCall) (any, error) { return false, nil },
		},
	}
}
