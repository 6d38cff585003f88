package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// navigationSDL is the web app's menu.
const navigationSDL = `
"A group of the navigation: a label and the objects it lists, in order."
type NavGroup {
  label: Label!
  "Object names, as objects and object take them."
  objects: [String!]!
}
`

// navigationResolvers adds Query.navigation and returns the resolvers of
// NavGroup.
func (s *execSchema) navigationResolvers(query map[string]resolver) map[string]resolver {
	eng := s.srv.meta
	query["navigation"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		groups, err := eng.Navigation(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(groups))
		for i := range groups {
			out[i] = &groups[i]
		}
		return out, nil
	}
	g := func(p any) *engine.NavGroup { return p.(*engine.NavGroup) }
	return map[string]resolver{
		"label": func(_ context.Context, p any, _ *fieldCall) (any, error) { return g(p).Label, nil },
		"objects": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(g(p).Objects))
			for i, o := range g(p).Objects {
				out[i] = o
			}
			return out, nil
		},
	}
}
