package graphql

import (
	"context"
	"errors"

	"github.com/crmkit/crm/engine"
)

// TenantSettings is what the tenant's settings need: reading them (any
// signed-in caller) and changing them (administrators).
type TenantSettings interface {
	TenantSettings(ctx context.Context) (engine.TenantSettings, error)
	SetTenantSettings(ctx context.Context, ch engine.TenantSettingsChange) (engine.TenantSettings, error)
}

var _ TenantSettings = (*engine.Engine)(nil)

var errNoSettings = errors.New("graphql: this server has no tenant settings")

// settingsResolvers serve tenantSettings and setTenantSettings.
func (s *execSchema) settingsResolvers(query, mutation map[string]resolver) {
	eng := s.srv.settings
	query["tenantSettings"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoSettings
		}
		st, err := eng.TenantSettings(ctx)
		return &st, err
	}
	mutation["setTenantSettings"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoSettings
		}
		in, _ := fc.args["input"].(map[string]any)
		text := func(k string) *string {
			if v, ok := in[k].(string); ok {
				return &v
			}
			return nil
		}
		ch := engine.TenantSettingsChange{TimeZone: text("timeZone"), Locale: text("locale"), Currency: text("currency"), WorkdayStart: text("workdayStart")}
		if n, ok := in["fiscalYearStart"].(int64); ok {
			m := int(n)
			ch.FiscalYearStart = &m
		}
		if days, ok := in["workingDays"].([]any); ok {
			ch.WorkingDays = make([]int, 0, len(days))
			for _, d := range days {
				n, _ := d.(int64)
				ch.WorkingDays = append(ch.WorkingDays, int(n))
			}
		}
		st, err := eng.SetTenantSettings(ctx, ch)
		return &st, err
	}
}

// settingsTypeResolvers serve TenantSettings.
func settingsTypeResolvers() map[string]resolver {
	sv := func(p any) *engine.TenantSettings { return p.(*engine.TenantSettings) }
	return map[string]resolver{
		"timeZone":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).TimeZone, nil },
		"locale":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Locale, nil },
		"currency":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Currency, nil },
		"fiscalYearStart": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(sv(p).FiscalYearStart), nil },
		"workdayStart":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).WorkdayStart, nil },
		"workingDays": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(sv(p).WorkingDays))
			for i, d := range sv(p).WorkingDays {
				out[i] = int64(d)
			}
			return out, nil
		},
	}
}

// settingsSDL holds the tenant's settings.
const settingsSDL = `
"How the tenant counts time and money (docs/settings.md)."
type TenantSettings {
  "IANA time zone: what today is, when a date's reminder fires, the hour of a schedule, how dates group in reports."
  timeZone: String!
  "The tenant's language: zh-CN or en-US."
  locale: String!
  "ISO 4217 code of the tenant's money."
  currency: String!
  "The month (1-12) the fiscal year starts in."
  fiscalYearStart: Int!
  "The working week, ISO day numbers (1 Monday … 7 Sunday), ascending."
  workingDays: [Int!]!
  "When the working day starts (HH:MM): a reminder due on a date fires then."
  workdayStart: String!
}

"A change to the tenant's settings: fields left out keep their value."
input TenantSettingsInput {
  timeZone: String
  locale: String
  currency: String
  fiscalYearStart: Int
  workingDays: [Int!]
  workdayStart: String
}
`

const settingsSDLQuery = `  "The tenant's settings (any signed-in caller)."
  tenantSettings: TenantSettings!
`

const settingsSDLMutation = `  "Changes the tenant's settings (administrators); a new time zone or start of the working day moves the reminders not yet fired."
  setTenantSettings(input: TenantSettingsInput!): TenantSettings!
`
