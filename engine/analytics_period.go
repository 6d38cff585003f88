package engine

import (
	"context"
	"math"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Shared parts of the built-in analytics (pipeline funnel and forecast,
// campaign effect): the period a figure covers, reading every record a
// figure needs under the caller's rules, and rounding.

// maxAnalyzedRecords bounds the records one analytics figure reads into
// memory (a funnel's records created in the period, the deals closed in
// it); past it the caller is asked to narrow the period or the filter.
const maxAnalyzedRecords = 50_000

// dayLayout is how a day is written: "2026-12-05".
const dayLayout = "2006-01-02"

// period is a span of days in the tenant's zone, both ends included;
// zero instants leave a side open.
type period struct {
	from, to       string    // the days as given; "" when open
	start, through time.Time // start of from; end of to (start of the day after)
}

// periodOf parses from and to ("YYYY-MM-DD", either may be empty) as days
// in zone. A malformed day or a from after to is a BAD_REQUEST naming it.
func periodOf(from, to string, zone *time.Location) (period, error) {
	p := period{from: from, to: to}
	if from != "" {
		d, err := time.ParseInLocation(dayLayout, from, zone)
		if err != nil {
			return period{}, errorOf(ErrBadRequest, err, "analytics.badDay", "from", from)
		}
		p.start = d
	}
	if to != "" {
		d, err := time.ParseInLocation(dayLayout, to, zone)
		if err != nil {
			return period{}, errorOf(ErrBadRequest, err, "analytics.badDay", "to", to)
		}
		p.through = d.AddDate(0, 0, 1)
	}
	if from != "" && to != "" && p.through.Sub(p.start) <= 0 {
		return period{}, errorOf(ErrBadRequest, nil, "analytics.badPeriod", from, to)
	}
	return p, nil
}

// contains reports whether t falls in the period.
func (p period) contains(t time.Time) bool {
	return (p.start.IsZero() || !t.Before(p.start)) && (p.through.IsZero() || t.Before(p.through))
}

// instantFilter returns the conditions that keep a date-time field within
// the period (nil when the period is open on both sides).
func (p period) instantFilter(field string) []store.Filter {
	var out []store.Filter
	if !p.start.IsZero() {
		out = append(out, store.Leaf(field, store.OpGte, p.start.UTC().Format(schema.DateTimeLayout)))
	}
	if !p.through.IsZero() {
		out = append(out, store.Leaf(field, store.OpLt, p.through.UTC().Format(schema.DateTimeLayout)))
	}
	return out
}

// allOf ands conditions, leaving out nil ones; nil when none is left.
func allOf(conds ...*store.Filter) *store.Filter {
	var and []store.Filter
	for _, c := range conds {
		if c != nil {
			and = append(and, *c)
		}
	}
	switch len(and) {
	case 0:
		return nil
	case 1:
		return &and[0]
	}
	return &store.Filter{And: and}
}

// readAll reads every record of obj that filter (already scoped to what
// the caller sees) matches. It counts them first: more than
// maxAnalyzedRecords is a BAD_REQUEST asking for a narrower query, and
// the count is charged to the tenant's aggregation budget (refused with
// RATE_LIMITED when spent), as an aggregation reading them would be.
func (e *Engine) readAll(ctx context.Context, tenant string, r store.Reader, obj *schema.Object, filter *store.Filter) ([]store.Record, error) {
	filter, err := normalizeFilter(obj, filter)
	if err != nil {
		return nil, err
	}
	n, err := r.Count(ctx, obj, filter)
	if err != nil {
		return nil, queryFailed(obj, err)
	}
	if n > maxAnalyzedRecords {
		return nil, errorOf(ErrBadRequest, nil, "analytics.tooMany", obj.Name, maxAnalyzedRecords, labelZh(obj))
	}
	if err := e.chargeAggregate(ctx, tenant, obj, n); err != nil {
		return nil, err
	}
	q := store.Query{Filter: filter, Limit: 1000}
	out := make([]store.Record, 0, n)
	for {
		page, err := r.Find(ctx, obj, q)
		if err != nil {
			return nil, queryFailed(obj, err)
		}
		out = append(out, page.Records...)
		if !page.HasMore || len(page.Records) == 0 || len(out) > maxAnalyzedRecords {
			return out, nil
		}
		q.After = &store.Position{ID: page.Records[len(page.Records)-1].ID}
	}
}

// ratio is n/d rounded to four places, nil when d is zero.
func ratio(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	return rounded(n/d, 4)
}

// rounded is x rounded to places decimals.
func rounded(x float64, places int) *float64 {
	p := math.Pow10(places)
	v := math.Round(x*p) / p
	return &v
}

// numberOf is a record value as a number, false when it is none.
func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}
