package engine

import (
	"context"

	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// SumRecords adds up a numeric field (number, integer, currency, percent,
// or a formula or roll-up with a numeric result) over every record of
// object that q's filter and view match and the caller may see — not a
// page: q's order and page are ignored. ok is false when no such record
// has a value. A field that is unknown, hidden from the caller's role,
// masked, sensitive or not numeric is a BAD_REQUEST error naming it. On
// a multi-currency object an amount in the records' currencies is added
// converted into the tenant's (docs/money.md). The
// store must implement [store.Summer] (both adapters do).
func (e *Engine) SumRecords(ctx context.Context, object, field string, q ListQuery) (sum float64, ok bool, err error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return 0, false, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	if q, err = e.applyView(ctx, ts, snap, a, obj, q); err != nil {
		return 0, false, err
	}
	if err := rules.check(q.Filter, nil); err != nil {
		return 0, false, err
	}
	f := obj.Field(field)
	switch {
	case f == nil || f.Hidden || rules.Hides(field):
		return 0, false, errorOf(ErrBadRequest, nil, "sum.noSuchField", object, field, object)
	case f.Kind() != schema.KindNumber && f.Kind() != schema.KindInteger:
		return 0, false, errorOf(ErrBadRequest, nil, "sum.notNumber", object, field)
	case f.Sensitive || rules.Masked[field]:
		return 0, false, errorOf(ErrBadRequest, nil, "sum.protected", object, field)
	}
	summer, can := ts.(store.Summer)
	if !can {
		return 0, false, seal.ErrCannotSum
	}
	filter, err := normalizeFilter(obj, rules.Scope(q.Filter))
	if err != nil {
		return 0, false, err
	}
	if obj.Converts(f) {
		// Amounts in their records' currencies add up in the tenant's.
		field = schema.ConvertedField(field)
	}
	sum, ok, err = summer.Sum(ctx, obj, filter, field)
	if err != nil {
		return 0, false, queryFailed(obj, err)
	}
	if f.SumScale() > 0 {
		return sum, ok, nil // exact: amounts add up as integers of minor units
	}
	return roundSum(sum), ok, nil
}
