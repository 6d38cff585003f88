package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// Channeling is what the administrators' notification channels need
// (engine/channels.go): their settings and a test message.
type Channeling interface {
	NotificationChannels(ctx context.Context) ([]engine.NotificationChannel, error)
	SaveNotificationChannel(ctx context.Context, name string, in engine.ChannelInput) (engine.NotificationChannel, error)
	TestNotificationChannel(ctx context.Context, name string, to engine.ChannelTest) error
}

// channelResolvers serve the channels' query and mutations.
func (s *execSchema) channelResolvers(query, mutation map[string]resolver) {
	eng := s.srv.channels
	query["notificationChannels"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		list, err := eng.NotificationChannels(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out, nil
	}
	mutation["saveNotificationChannel"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		in, _ := fc.args["input"].(map[string]any)
		str := func(k string) *string {
			if v, ok := in[k].(string); ok {
				return &v
			}
			return nil
		}
		ci := engine.ChannelInput{Language: str("language"), AppURL: str("appUrl"), Format: str("format"), URL: str("url"),
			Secret: str("secret"), SMTPHost: str("smtpHost"), SMTPTLS: str("smtpTls"), SMTPUser: str("smtpUser"),
			SMTPPassword: str("smtpPassword"), From: str("from"), FromName: str("fromName")}
		if v, ok := in["enabled"].(bool); ok {
			ci.Enabled = &v
		}
		if v, ok := in["smtpPort"].(int64); ok {
			if v < 0 || v > 65535 {
				return nil, badRequestf("smtpPort must be between 0 and 65535")
			}
			p := int(v)
			ci.SMTPPort = &p
		}
		if items, ok := in["kinds"].([]any); ok {
			kinds := make([]string, 0, len(items))
			for _, it := range items {
				k, _ := it.(string)
				kinds = append(kinds, k)
			}
			ci.Kinds = &kinds
		}
		name, _ := fc.args["channel"].(string)
		c, err := eng.SaveNotificationChannel(ctx, name, ci)
		if err != nil {
			return nil, err
		}
		return &c, nil
	}
	mutation["testNotificationChannel"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		name, _ := fc.args["channel"].(string)
		to := engine.ChannelTest{}
		to.Email, _ = fc.args["email"].(string)
		to.Mobile, _ = fc.args["mobile"].(string)
		if err := eng.TestNotificationChannel(ctx, name, to); err != nil {
			return nil, err
		}
		return true, nil
	}
}

func channelTypeResolvers() map[string]resolver {
	c := func(p any) *engine.NotificationChannel { return p.(*engine.NotificationChannel) }
	opt := func(f func(*engine.NotificationChannel) string) resolver {
		return func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(f(c(p))), nil }
	}
	return map[string]resolver{
		"channel":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).Channel, nil },
		"configured": func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).Configured, nil },
		"enabled":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).Enabled, nil },
		"kinds": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(c(p).Kinds))
			for i, k := range c(p).Kinds {
				out[i] = k
			}
			return out, nil
		},
		"language":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).Language, nil },
		"format":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).Format, nil },
		"appUrl":      opt(func(c *engine.NotificationChannel) string { return c.AppURL }),
		"url":         opt(func(c *engine.NotificationChannel) string { return c.URLMasked }),
		"secretSet":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).SecretSet, nil },
		"smtpHost":    opt(func(c *engine.NotificationChannel) string { return c.SMTPHost }),
		"smtpPort":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(c(p).SMTPPort), nil },
		"smtpTls":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).SMTPTLS, nil },
		"smtpUser":    opt(func(c *engine.NotificationChannel) string { return c.SMTPUser }),
		"passwordSet": func(_ context.Context, p any, _ *fieldCall) (any, error) { return c(p).PasswordSet, nil },
		"from":        opt(func(c *engine.NotificationChannel) string { return c.From }),
		"fromName":    opt(func(c *engine.NotificationChannel) string { return c.FromName }),
		"updatedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if c(p).UpdatedAt == "" {
				return nil, nil
			}
			return outDateTime(c(p).UpdatedAt), nil
		},
		"updatedBy": opt(func(c *engine.NotificationChannel) string { return c.UpdatedBy }),
	}
}

// channelSDL holds the channels' types.
const channelSDL = `
"A notification channel of the tenant: e-mail over SMTP, or a WeCom, DingTalk or Feishu group robot. Secrets are never returned: the robot's address comes masked, the signing secret and SMTP password as secretSet and passwordSet."
type NotificationChannel {
  "email, wecom, dingtalk or feishu"
  channel: String!
  "Whether its settings were ever saved."
  configured: Boolean!
  enabled: Boolean!
  "The kinds of notification sent on it (automation, approval, mention, task, assignment, system); empty: every kind."
  kinds: [String!]!
  "zh, en or both (Chinese first)."
  language: String!
  "The web app's address put before links to records (https://crm.example.com); null: messages carry no link."
  appUrl: String
  "Robots: text (mentions the person by mobile where the service can) or markdown."
  format: String!
  "Robots: the webhook address with its key or token masked."
  url: String
  "Robots: whether a signing secret is set (DingTalk 加签, Feishu 签名校验)."
  secretSet: Boolean!
  smtpHost: String
  "0: the default of smtpTls (465 for tls, 587 for starttls, 25 for none)."
  smtpPort: Int!
  "starttls, tls (implicit) or none."
  smtpTls: String!
  smtpUser: String
  passwordSet: Boolean!
  "The sender's address."
  from: String
  "The sender's display name."
  fromName: String
  updatedAt: DateTime
  updatedBy: String
}

"Changes to a notification channel: fields left out (or null) keep their value; for url, secret and smtpPassword an empty string clears it."
input NotificationChannelInput {
  enabled: Boolean
  kinds: [String!]
  language: String
  appUrl: String
  format: String
  url: String
  secret: String
  smtpHost: String
  smtpPort: Int
  smtpTls: String
  smtpUser: String
  smtpPassword: String
  from: String
  fromName: String
}
`

const channelSDLQuery = `  "The tenant's notification channels, e-mail, wecom, dingtalk and feishu in that order, secrets masked (administrators only)."
  notificationChannels: [NotificationChannel!]!
`

const channelSDLMutation = `  "Changes a notification channel's settings (email, wecom, dingtalk or feishu); a setting that cannot work is refused whole; audited without secrets (administrators only)."
  saveNotificationChannel(channel: String!, input: NotificationChannelInput!): NotificationChannel
  "Sends a test message through a channel's saved settings now, switched on or not: e-mail to email, robots mentioning mobile when given; true when the service accepted it, else an error with the service's answer (administrators only)."
  testNotificationChannel(channel: String!, email: String, mobile: String): Boolean
`
