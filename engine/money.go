package engine

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Money in several currencies (docs/money.md). A tenant keeps dated
// exchange rates to its own currency; on an object with
// x-crm-multiCurrency each record names its currency, and the engine
// keeps every amount's converted twin (amountConverted) in the tenant's
// currency at the rate in effect on the record's date, so that reports,
// funnels and forecasts add one currency. A write whose amount needs a
// rate that does not exist is refused; a recomputation (after a rate
// changes or the tenant's currency does) leaves such amounts without a
// converted value and counts them.

// exchangeRateObject holds the tenant's exchange rates.
const exchangeRateObject = "crmExchangeRate"

// JobRecomputeConverted recomputes the converted amounts of a
// multi-currency object after its rates or the tenant's currency changed.
const JobRecomputeConverted = "recomputeConverted"

// MaxExchangeRates bounds the rates [Engine.ExchangeRates] lists.
const MaxExchangeRates = 1000

// ExchangeRate is one dated rate: Rate units of the tenant's currency buy
// one unit of Currency from ValidFrom until the next rate of Currency.
type ExchangeRate struct {
	ID       string
	Currency string
	// Rate is a decimal string, at most 10 decimals ("7.1234").
	Rate string
	// ValidFrom is a date (YYYY-MM-DD) in the tenant's calendar.
	ValidFrom string
}

// ExchangeRateInput sets the rate of Currency from ValidFrom.
type ExchangeRateInput struct {
	Currency  string
	Rate      string
	ValidFrom string
}

// ratePattern is the shape of a rate: up to 12 digits, and up to 10
// decimals.
var ratePattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,10})?$`)

// parseRate reads a rate text: a positive decimal of ratePattern. It
// returns the rate and its canonical text (no leading zeros, no trailing
// zeros after the point).
func parseRate(text string) (*big.Rat, string, bool) {
	if !ratePattern.MatchString(text) {
		return nil, "", false
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok || r.Sign() <= 0 {
		return nil, "", false
	}
	whole, frac, _ := strings.Cut(text, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		return r, whole + "." + frac, true
	}
	return r, whole, true
}

func rateOf(r store.Record) ExchangeRate {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	return ExchangeRate{ID: r.ID, Currency: s("currency"), Rate: s("rate"), ValidFrom: s("validFrom")}
}

// ExchangeRates lists the tenant's exchange rates, of currency only when
// it is not empty, by currency and newest first; at most
// [MaxExchangeRates]. Any signed-in caller may read them.
func (e *Engine) ExchangeRates(ctx context.Context, currency string) ([]ExchangeRate, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	rates := sc.snap.platform[exchangeRateObject]
	if rates == nil {
		return []ExchangeRate{}, nil
	}
	q := store.Query{Sort: []store.Sort{{Field: "currency"}, {Field: "validFrom", Desc: true}}, Limit: MaxExchangeRates}
	if currency = strings.ToUpper(strings.TrimSpace(currency)); currency != "" {
		f := store.Leaf("currency", store.OpEq, currency)
		q.Filter = &f
	}
	page, err := sc.ts.Find(ctx, rates, q)
	if err != nil {
		return nil, fmt.Errorf("read exchange rates: %w", err)
	}
	out := make([]ExchangeRate, len(page.Records))
	for i, r := range page.Records {
		out[i] = rateOf(r)
	}
	return out, nil
}

// SetExchangeRate sets the rate of a currency from a date, replacing the
// rate of the same currency and date. Administrators only. The converted
// amounts of every multi-currency object are recomputed in a background
// job (see [Engine.Jobs]).
func (e *Engine) SetExchangeRate(ctx context.Context, in ExchangeRateInput) (ExchangeRate, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return ExchangeRate{}, err
	}
	if !sc.actor.Admin {
		return ExchangeRate{}, errorOf(ErrForbidden, nil, "money.adminOnly")
	}
	code := strings.ToUpper(strings.TrimSpace(in.Currency))
	if _, ok := schema.Currency(code); !ok {
		return ExchangeRate{}, errorOf(ErrBadRequest, nil, "money.unknownCurrency", clipText(in.Currency, 20))
	}
	tenant := sc.snap.clock().settings.Currency
	if code == tenant {
		return ExchangeRate{}, errorOf(ErrBadRequest, nil, "money.rateOfTenantCurrency", code)
	}
	_, rate, ok := parseRate(strings.TrimSpace(in.Rate))
	if !ok {
		return ExchangeRate{}, errorOf(ErrBadRequest, nil, "money.badRate", clipText(in.Rate, 40))
	}
	day := strings.TrimSpace(in.ValidFrom)
	if t, err := time.Parse(schema.DateLayout, day); err != nil || t.Format(schema.DateLayout) != day {
		return ExchangeRate{}, errorOf(ErrBadRequest, nil, "money.badDate", clipText(in.ValidFrom, 40))
	}
	rates, err := e.platformObject(ctx, sc.ts, sc.snap, exchangeRateObject)
	if err != nil {
		return ExchangeRate{}, err
	}
	jobs, err := e.platformObject(ctx, sc.ts, sc.snap, jobObject)
	if err != nil {
		return ExchangeRate{}, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return ExchangeRate{}, err
	}
	now := e.stamp()
	var out ExchangeRate
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		same := store.Filter{And: []store.Filter{store.Leaf("currency", store.OpEq, code), store.Leaf("validFrom", store.OpEq, day)}}
		page, err := tx.Find(ctx, rates, store.Query{Filter: &same, Sort: []store.Sort{{Field: "id"}}, Limit: 1})
		if err != nil {
			return err
		}
		data := map[string]any{"currency": code, "rate": rate, "validFrom": day}
		changes := map[string]any{"exchangeRate": map[string]any{"new": code + " " + rate + " " + day}}
		var rec store.Record
		if len(page.Records) > 0 {
			cur := page.Records[0]
			if cur.Data["rate"] == rate {
				out = rateOf(cur)
				return nil
			}
			rec = cur
			rec.Data, rec.Version, rec.UpdatedAt, rec.UpdatedBy = data, cur.Version+1, now, sc.actor.ID
			changes["exchangeRate"] = map[string]any{"old": code + " " + fmt.Sprint(cur.Data["rate"]) + " " + day, "new": code + " " + rate + " " + day}
			if err := tx.Update(ctx, rates, rec, cur.Version); err != nil {
				return err
			}
		} else {
			rec = store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: data}
			if err := tx.Insert(ctx, rates, rec); err != nil {
				return err
			}
		}
		out = rateOf(rec)
		if err := w.auditAs(ctx, tx, AuditMetadata, exchangeRateObject, rec.ID, 0, changes); err != nil {
			return err
		}
		return e.enqueueConvertJobs(ctx, tx, sc.snap, jobs, sc.actor)
	})
	if err != nil {
		return ExchangeRate{}, fmt.Errorf("set the exchange rate of %s from %s: %w", code, day, err)
	}
	return out, nil
}

// DeleteExchangeRate deletes a rate; false when there is none with that
// id. Administrators only. The converted amounts it gave are recomputed
// in a background job.
func (e *Engine) DeleteExchangeRate(ctx context.Context, id string) (bool, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return false, err
	}
	if !sc.actor.Admin {
		return false, errorOf(ErrForbidden, nil, "money.adminOnly")
	}
	rates := sc.snap.platform[exchangeRateObject]
	if rates == nil {
		return false, nil
	}
	jobs, err := e.platformObject(ctx, sc.ts, sc.snap, jobObject)
	if err != nil {
		return false, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return false, err
	}
	deleted := false
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, rates, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.Delete(ctx, rates, id); err != nil {
			return err
		}
		deleted = true
		r := rateOf(cur)
		if err := w.auditAs(ctx, tx, AuditMetadata, exchangeRateObject, id, 0,
			map[string]any{"exchangeRate": map[string]any{"old": r.Currency + " " + r.Rate + " " + r.ValidFrom}}); err != nil {
			return err
		}
		return e.enqueueConvertJobs(ctx, tx, sc.snap, jobs, sc.actor)
	})
	if err != nil {
		return false, fmt.Errorf("delete exchange rate %q: %w", id, err)
	}
	return deleted, nil
}

// enqueueConvertJobs starts recomputing the converted amounts of every
// multi-currency object, in tx, unless a job doing so has not started
// yet (it will read the rates as they are when it runs).
func (e *Engine) enqueueConvertJobs(ctx context.Context, tx store.Tx, snap *snapshot, jobs *schema.Object, a Actor) error {
	for _, obj := range snap.catalog.Objects {
		if obj.MultiCurrency == nil {
			continue
		}
		pending := store.Filter{And: []store.Filter{store.Leaf("kind", store.OpEq, JobRecomputeConverted),
			store.Leaf("object", store.OpEq, obj.Name), store.Leaf("status", store.OpEq, JobPending)}}
		page, err := tx.Find(ctx, jobs, store.Query{Filter: &pending, Sort: []store.Sort{{Field: "id"}}, Limit: 1})
		if err != nil {
			return fmt.Errorf("read the pending jobs: %w", err)
		}
		if len(page.Records) > 0 {
			continue
		}
		if err := e.enqueueJob(ctx, tx, jobs, a, JobRecomputeConverted, obj.Name, convertedNames(obj)); err != nil {
			return err
		}
	}
	return nil
}

// rateBook reads a tenant's rates for one write or one batch, keeping
// those it read.
type rateBook struct {
	r     store.Reader
	rates *schema.Object // nil: the tenant has no rates
	seen  map[[2]string]*big.Rat
}

func newRateBook(r store.Reader, snap *snapshot) *rateBook {
	return &rateBook{r: r, rates: snap.platform[exchangeRateObject], seen: map[[2]string]*big.Rat{}}
}

// on returns the rate of currency in effect on day (the latest from that
// day or before), or nil.
func (b *rateBook) on(ctx context.Context, currency, day string) (*big.Rat, error) {
	key := [2]string{currency, day}
	if r, ok := b.seen[key]; ok {
		return r, nil
	}
	if b.rates == nil {
		return nil, nil
	}
	f := store.Filter{And: []store.Filter{store.Leaf("currency", store.OpEq, currency), store.Leaf("validFrom", store.OpLte, day)}}
	page, err := b.r.Find(ctx, b.rates, store.Query{Filter: &f, Sort: []store.Sort{{Field: "validFrom", Desc: true}}, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("read the exchange rate of %s on %s: %w", currency, day, err)
	}
	var rate *big.Rat
	if len(page.Records) > 0 {
		text, _ := page.Records[0].Data["rate"].(string)
		rate, _, _ = parseRate(text)
	}
	b.seen[key] = rate
	return rate, nil
}

// recordDay is the date a multi-currency record's rates are taken on: its
// date field's value (a date-time's day in the tenant's zone), else the
// day it was created (now, for a new record), in the tenant's zone.
func recordDay(obj *schema.Object, data map[string]any, created time.Time, zone *time.Location) string {
	if f := obj.Field(obj.MultiCurrency.DateField); f != nil {
		if s, ok := data[f.Name].(string); ok {
			if f.Kind() == schema.KindDate {
				if _, err := time.Parse(schema.DateLayout, s); err == nil {
					return s
				}
			} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t.In(zone).Format(schema.DateLayout)
			}
		}
	}
	return created.In(zone).Format(schema.DateLayout)
}

// convert returns amount × rate rounded half away from zero to minor
// decimals, computed on exact decimals.
func convert(amount float64, rate *big.Rat, minor int) (float64, bool) {
	a, ok := new(big.Rat).SetString(strconv.FormatFloat(amount, 'f', -1, 64))
	if !ok {
		return 0, false
	}
	p := a.Mul(a, rate)
	p.Mul(p, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(minor)), nil)))
	num := new(big.Int).Abs(p.Num())
	q, r := new(big.Int).QuoRem(num, p.Denom(), new(big.Int))
	if r.Lsh(r, 1).Cmp(p.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	text := q.String()
	if minor > 0 {
		if len(text) <= minor {
			text = strings.Repeat("0", minor-len(text)+1) + text
		}
		text = text[:len(text)-minor] + "." + text[len(text)-minor:]
	}
	if p.Sign() < 0 {
		text = "-" + text
	}
	f, err := strconv.ParseFloat(text, 64)
	return f, err == nil
}

// convertAmounts sets the converted amounts of a record of a
// multi-currency object in data, with rates read through book. created
// is when the record was created (now for a new one). A missing rate is
// a problem naming the amount, the currency and the day; with lenient
// (a recomputation) the converted amount is removed instead and counted
// in missing.
func (w *writer) convertAmounts(ctx context.Context, book *rateBook, obj *schema.Object, data map[string]any, created time.Time, tenant string, lenient bool) (problems []schema.FieldError, missing int, err error) {
	if obj.MultiCurrency == nil {
		return nil, 0, nil
	}
	target, ok := schema.Currency(tenant)
	if !ok {
		return nil, 0, nil
	}
	var day string
	for _, f := range obj.Fields {
		if f.ConvertedFrom == "" {
			continue
		}
		src := obj.Field(f.ConvertedFrom)
		amount, ok := numberOf(data[f.ConvertedFrom])
		if !ok || src == nil {
			delete(data, f.Name)
			continue
		}
		code := obj.FieldCurrency(src, data, tenant)
		if code == tenant {
			data[f.Name] = target.RoundMoney(amount)
			continue
		}
		if day == "" {
			day = recordDay(obj, data, created, w.clock().zone)
		}
		rate, err := book.on(ctx, code, day)
		if err != nil {
			return nil, 0, err
		}
		if rate == nil {
			delete(data, f.Name)
			if lenient {
				missing++
			} else {
				problems = append(problems, fieldError(src.Name, "rate", "money.noRate", code, day, tenant))
			}
			continue
		}
		v, ok := convert(amount, rate, target.MinorUnits)
		if !ok {
			delete(data, f.Name)
			continue
		}
		data[f.Name] = v
	}
	return problems, missing, nil
}

// money checks the amounts of a write (see [schema.MoneyProblems]) and,
// when they are right, computes the converted ones with the rates as tx
// sees them (nil: as committed). oldData is the record's data before the
// write (nil for a new record), created when the record was created.
func (w *writer) money(ctx context.Context, tx store.Tx, obj *schema.Object, oldData map[string]any, created time.Time, data map[string]any) ([]schema.FieldError, error) {
	tenant := w.clock().settings.Currency
	problems := schema.MoneyProblems(obj, oldData, data, tenant)
	if len(problems) > 0 || obj.MultiCurrency == nil {
		return problems, nil
	}
	var r store.Reader = w.ts
	if tx != nil {
		r = tx
	}
	problems, _, err := w.convertAmounts(ctx, newRateBook(r, w.snap), obj, data, created, tenant, false)
	return problems, err
}

// convertedNames lists the converted fields of obj.
func convertedNames(obj *schema.Object) []string {
	var out []string
	for _, f := range obj.Fields {
		if f.ConvertedFrom != "" {
			out = append(out, f.Name)
		}
	}
	return out
}

// conversionChanged reports whether a definition change converts amounts
// the stored records do not have converted that way: converted fields
// that are new, or another code or date field.
func conversionChanged(prev, obj *schema.Object) bool {
	if obj.MultiCurrency == nil {
		return false
	}
	if prev.MultiCurrency == nil || *prev.MultiCurrency != *obj.MultiCurrency {
		return true
	}
	return !slices.Equal(convertedNames(prev), convertedNames(obj))
}
