package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// accessSDL describes what the caller may do with an object, so that
// screens offer only what will be allowed.
const accessSDL = `
"What the caller may do with an object's records."
type ObjectAccess {
  read: Boolean!
  create: Boolean!
  update: Boolean!
  delete: Boolean!
  "Fields the caller reads but may not change."
  readOnlyFields: [String!]!
  "Fields the caller sees masked (138****5678)."
  maskedFields: [String!]!
}
`

// accessResolvers adds ObjectDefinition.access and recordCount, and returns the resolvers
// of ObjectAccess.
func (s *execSchema) accessResolvers(objectDef map[string]resolver) map[string]resolver {
	eng := s.srv.meta
	objectDef["access"] = func(ctx context.Context, p any, _ *fieldCall) (any, error) {
		acc, err := eng.Access(ctx, p.(*objectDefValue).obj.Name)
		if err != nil {
			return nil, err
		}
		return &acc, nil
	}
	records := s.srv.records
	objectDef["recordCount"] = func(ctx context.Context, p any, _ *fieldCall) (any, error) {
		n, err := records.CountRecords(ctx, p.(*objectDefValue).obj.Name, nil)
		if err != nil {
			return nil, err
		}
		return clampInt32(n), nil
	}
	ca := func(p any) *engine.CallerAccess { return p.(*engine.CallerAccess) }
	strs := func(l []string) []any {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	return map[string]resolver{
		"read":           func(_ context.Context, p any, _ *fieldCall) (any, error) { return ca(p).Read, nil },
		"create":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return ca(p).Create, nil },
		"update":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return ca(p).Update, nil },
		"delete":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return ca(p).Delete, nil },
		"readOnlyFields": func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(ca(p).ReadOnly), nil },
		"maskedFields":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(ca(p).Masked), nil },
	}
}
