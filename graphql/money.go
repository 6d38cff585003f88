package graphql

import (
	"context"
	"errors"

	"github.com/crmkit/crm/engine"
)

// ExchangeRates is what money in several currencies needs: the tenant's
// dated exchange rates, read by anyone signed in and kept by
// administrators (docs/money.md).
type ExchangeRates interface {
	ExchangeRates(ctx context.Context, currency string) ([]engine.ExchangeRate, error)
	SetExchangeRate(ctx context.Context, in engine.ExchangeRateInput) (engine.ExchangeRate, error)
	DeleteExchangeRate(ctx context.Context, id string) (bool, error)
}

var _ ExchangeRates = (*engine.Engine)(nil)

var errNoRates = errors.New("graphql: this server has no exchange rates")

// moneyResolvers serve exchangeRates, setExchangeRate and
// deleteExchangeRate.
func (s *execSchema) moneyResolvers(query, mutation map[string]resolver) {
	eng := s.srv.rates
	query["exchangeRates"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoRates
		}
		currency, _ := fc.args["currency"].(string)
		rates, err := eng.ExchangeRates(ctx, currency)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(rates))
		for i := range rates {
			out[i] = &rates[i]
		}
		return out, nil
	}
	mutation["setExchangeRate"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoRates
		}
		in, _ := fc.args["input"].(map[string]any)
		text := func(k string) string { v, _ := in[k].(string); return v }
		r, err := eng.SetExchangeRate(ctx, engine.ExchangeRateInput{Currency: text("currency"), Rate: text("rate"), ValidFrom: text("validFrom")})
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	mutation["deleteExchangeRate"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoRates
		}
		id, _ := fc.args["id"].(string)
		return eng.DeleteExchangeRate(ctx, id)
	}
}

// rateTypeResolvers serve ExchangeRate.
func rateTypeResolvers() map[string]resolver {
	rv := func(p any) *engine.ExchangeRate { return p.(*engine.ExchangeRate) }
	return map[string]resolver{
		"id":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).ID, nil },
		"currency":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Currency, nil },
		"rate":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Rate, nil },
		"validFrom": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).ValidFrom, nil },
	}
}

// moneySDL holds exchange rates.
const moneySDL = `
"A dated exchange rate (docs/money.md): rate units of the tenant's currency buy one unit of currency from validFrom until the next rate of currency."
type ExchangeRate {
  id: ID!
  "ISO 4217 code."
  currency: String!
  "A decimal string, at most 10 decimals."
  rate: String!
  "The first day (YYYY-MM-DD) the rate applies."
  validFrom: String!
}

"The rate of a currency from a date; the same currency and date replaces the rate."
input ExchangeRateInput {
  currency: String!
  rate: String!
  validFrom: String!
}
`

const moneySDLQuery = `  "The tenant's exchange rates (any signed-in caller), of one currency when given, by currency and newest first; at most 1000."
  exchangeRates(currency: String): [ExchangeRate!]!
`

const moneySDLMutation = `  "Sets an exchange rate (administrators); the converted amounts of multi-currency objects are recomputed in a background job."
  setExchangeRate(input: ExchangeRateInput!): ExchangeRate!
  "Deletes an exchange rate (administrators); false when there is none. Converted amounts are recomputed in a background job."
  deleteExchangeRate(id: ID!): Boolean!
`
