package graphql

import (
	"context"
	"errors"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// SigningOn is what sign-in with WeCom, DingTalk and Feishu needs
// (engine/signon.go): the providers' settings, and the identities linked
// to users.
type SigningOn interface {
	SignOnProviders(ctx context.Context) ([]engine.SignOnProvider, error)
	SaveSignOnProvider(ctx context.Context, provider string, in engine.SignOnInput) (engine.SignOnProvider, error)
	UserSignOns(ctx context.Context, username string) ([]engine.SignOnLink, error)
	SetUserSignOn(ctx context.Context, username, provider, externalID string) ([]engine.SignOnLink, error)
	MySignOns(ctx context.Context) ([]engine.SignOnLink, error)
	UnlinkMySignOn(ctx context.Context, provider string) ([]engine.SignOnLink, error)
}

var _ SigningOn = (*engine.Engine)(nil)

var errNoSignOn = errors.New("graphql: this server has no sign-in providers")

func linkList(list []engine.SignOnLink, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := make([]any, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out, nil
}

// signOnResolvers serve the providers' settings and the links.
func (s *execSchema) signOnResolvers(query, mutation map[string]resolver) {
	eng := s.srv.signOn
	guard := func(r resolver) resolver {
		return func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			if eng == nil {
				return nil, errNoSignOn
			}
			return r(ctx, p, fc)
		}
	}
	query["signOnProviders"] = guard(func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		list, err := eng.SignOnProviders(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out, nil
	})
	query["userSignOns"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		username, _ := fc.args["username"].(string)
		return linkList(eng.UserSignOns(ctx, username))
	})
	query["mySignOns"] = guard(func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		return linkList(eng.MySignOns(ctx))
	})
	mutation["saveSignOnProvider"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		in, _ := fc.args["input"].(map[string]any)
		str := func(k string) *string {
			if v, ok := in[k].(string); ok {
				return &v
			}
			return nil
		}
		si := engine.SignOnInput{ClientID: str("clientId"), AgentID: str("agentId"), Secret: str("secret"), AppURL: str("appUrl")}
		if v, ok := in["enabled"].(bool); ok {
			si.Enabled = &v
		}
		provider, _ := fc.args["provider"].(string)
		p, err := eng.SaveSignOnProvider(ctx, provider, si)
		if err != nil {
			return nil, err
		}
		return &p, nil
	})
	mutation["setUserSignOn"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		username, _ := fc.args["username"].(string)
		provider, _ := fc.args["provider"].(string)
		id, _ := fc.args["externalId"].(string)
		return linkList(eng.SetUserSignOn(ctx, username, provider, id))
	})
	mutation["unlinkMySignOn"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		provider, _ := fc.args["provider"].(string)
		return linkList(eng.UnlinkMySignOn(ctx, provider))
	})
}

func signOnTypeResolvers() (provider, link map[string]resolver) {
	p := func(v any) *engine.SignOnProvider { return v.(*engine.SignOnProvider) }
	opt := func(f func(*engine.SignOnProvider) string) resolver {
		return func(_ context.Context, v any, _ *fieldCall) (any, error) { return optString(f(p(v))), nil }
	}
	provider = map[string]resolver{
		"provider":    func(_ context.Context, v any, _ *fieldCall) (any, error) { return p(v).Provider, nil },
		"configured":  func(_ context.Context, v any, _ *fieldCall) (any, error) { return p(v).Configured, nil },
		"enabled":     func(_ context.Context, v any, _ *fieldCall) (any, error) { return p(v).Enabled, nil },
		"clientId":    opt(func(p *engine.SignOnProvider) string { return p.ClientID }),
		"agentId":     opt(func(p *engine.SignOnProvider) string { return p.AgentID }),
		"secretSet":   func(_ context.Context, v any, _ *fieldCall) (any, error) { return p(v).SecretSet, nil },
		"appUrl":      opt(func(p *engine.SignOnProvider) string { return p.AppURL }),
		"callbackUrl": opt(func(p *engine.SignOnProvider) string { return p.CallbackURL }),
		"updatedAt": func(_ context.Context, v any, _ *fieldCall) (any, error) {
			if p(v).UpdatedAt == "" {
				return nil, nil
			}
			return outDateTime(p(v).UpdatedAt), nil
		},
		"updatedBy": opt(func(p *engine.SignOnProvider) string { return p.UpdatedBy }),
	}
	l := func(v any) *engine.SignOnLink { return v.(*engine.SignOnLink) }
	link = map[string]resolver{
		"provider":   func(_ context.Context, v any, _ *fieldCall) (any, error) { return l(v).Provider, nil },
		"externalId": func(_ context.Context, v any, _ *fieldCall) (any, error) { return l(v).ExternalID, nil },
		"user":       func(_ context.Context, v any, _ *fieldCall) (any, error) { return l(v).User, nil },
		"linkedAt": func(_ context.Context, v any, _ *fieldCall) (any, error) {
			return outDateTime(l(v).LinkedAt.UTC().Format(schema.DateTimeLayout)), nil
		},
	}
	return provider, link
}

// signOnSDL holds the sign-in providers' types.
const signOnSDL = `
"A sign-in provider of the tenant (WeCom 企业微信, DingTalk 钉钉, Feishu 飞书). The secret is never returned, only secretSet."
type SignOnProvider {
  "wecom, dingtalk or feishu"
  provider: String!
  "Whether its settings were ever saved."
  configured: Boolean!
  "Whether the sign-in page offers it."
  enabled: Boolean!
  "WeCom: the corp id (CorpID); DingTalk: the client id (AppKey); Feishu: the app id."
  clientId: String
  "WeCom: the application's AgentId."
  agentId: String
  "Whether the secret (WeCom: the application's Secret; DingTalk: client secret; Feishu: app secret) is set."
  secretSet: Boolean!
  "The web app's address (https://crm.example.com); the browser comes back to it."
  appUrl: String
  "The redirect address to register at the provider: appUrl/auth/sso/PROVIDER/callback."
  callbackUrl: String
  updatedAt: DateTime
  updatedBy: String
}

"Changes to a sign-in provider: fields left out (or null) keep their value; an empty secret clears it."
input SignOnProviderInput {
  enabled: Boolean
  clientId: String
  agentId: String
  secret: String
  appUrl: String
}

"A provider identity linked to a user: WeCom's userid, DingTalk's unionId or Feishu's open_id."
type SignOnLink {
  provider: String!
  externalId: String!
  user: String!
  linkedAt: DateTime!
}
`

const signOnSDLQuery = `  "The sign-in providers wecom, dingtalk and feishu in that order, secrets masked (administrators only)."
  signOnProviders: [SignOnProvider!]!
  "The provider identities linked to a user (administrators only)."
  userSignOns(username: String!): [SignOnLink!]!
  "The provider identities linked to the signed-in user."
  mySignOns: [SignOnLink!]!
`

const signOnSDLMutation = `  "Changes a sign-in provider's settings (wecom, dingtalk or feishu); switching it on needs its ids, secret and appUrl; audited without the secret (administrators only)."
  saveSignOnProvider(provider: String!, input: SignOnProviderInput!): SignOnProvider
  "Links a user's identity at a provider, replacing the one linked before; an empty or null externalId unlinks. An identity linked to another user is refused (administrators only)."
  setUserSignOn(username: String!, provider: String!, externalId: String): [SignOnLink!]!
  "Unlinks the signed-in user's identity at a provider."
  unlinkMySignOn(provider: String!): [SignOnLink!]!
`
