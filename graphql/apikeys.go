package graphql

import (
	"context"
	"time"

	"github.com/crmkit/crm/store"
)

// apiKeyResolvers serve API key management for administrators: apiKeys,
// createApiKey (the secret in the answer, once) and revokeApiKey.
func (s *execSchema) apiKeyResolvers(query, mutation map[string]resolver) {
	eng := s.srv.directory
	query["apiKeys"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		keys, err := eng.APIKeys(ctx, fc.req.actor.TenantID)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(keys))
		for i := range keys {
			out[i] = &keys[i]
		}
		return out, nil
	}
	mutation["createApiKey"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		name, _ := fc.args["name"].(string)
		role, _ := fc.args["role"].(string)
		var expires time.Time
		if v, ok := fc.args["expiresAt"].(string); ok {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, badRequestf("expiresAt: %q is not an RFC 3339 date-time", v)
			}
			expires = t
		}
		secret, k, err := eng.CreateRoleAPIKey(ctx, fc.req.actor.TenantID, name, role, expires)
		if err != nil {
			return nil, err
		}
		return map[string]any{"secret": secret, "key": &k}, nil
	}
	mutation["revokeApiKey"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		k, err := eng.RevokeAPIKey(ctx, fc.req.actor.TenantID, fc.args["id"].(string))
		if err != nil {
			return nil, err
		}
		return &k, nil
	}
}

// apiKeyTypeResolvers serve ApiKey and NewApiKey.
func apiKeyTypeResolvers() (key, created map[string]resolver) {
	k := func(p any) *store.APIKey { return p.(*store.APIKey) }
	optTime := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return outDateTime(t)
	}
	key = map[string]resolver{
		"id":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return k(p).ID, nil },
		"name":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return k(p).Name, nil },
		"prefix":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return k(p).Prefix, nil },
		"role":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(k(p).Role), nil },
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(k(p).CreatedAt), nil },
		"expiresAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optTime(k(p).ExpiresAt), nil },
		"revokedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optTime(k(p).RevokedAt), nil },
	}
	m := func(p any, name string) any { return p.(map[string]any)[name] }
	created = map[string]resolver{
		"secret": func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p, "secret"), nil },
		"key":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p, "key"), nil },
	}
	return key, created
}

const apiKeySDL = `
"A key for integrations: sent as Authorization: Bearer <secret>; only a hash of the secret is stored."
type ApiKey {
  id: ID!
  name: String!
  "The first characters of the secret, to recognise the key in a list."
  prefix: String!
  "The role the key acts with; null: it acts as an administrator."
  role: String
  createdAt: DateTime!
  "When the key stops working; null: never."
  expiresAt: DateTime
  "When the key was revoked; null: it was not. A request with a revoked or expired key is UNAUTHENTICATED."
  revokedAt: DateTime
}

"A key just created: its secret is shown this once and cannot be read again."
type NewApiKey {
  key: ApiKey!
  secret: String!
}
`
