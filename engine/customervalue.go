package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Customer value (x-crm-customerValue): what a customer's completed
// orders say of them, computed by a job (customervalue_job.go) and
// written into the customer's own fields.
//
//   - RFM: recency (days since the last order in the window), frequency
//     (orders in the window) and monetary value (their amount), each
//     scored 1–5 by the quintiles of the tenant's customers with an order
//     in the window; customers whose orders are all older score 1, 1, 1.
//   - Segment: R, F and M each high (3 or more) or low make the eight
//     classic segments (重要价值 … 一般挽留).
//   - Grade 战略/重要/普通 from the window's monetary value, by thresholds
//     or by share of revenue (Pareto).
//   - Lifetime value: the amount of every completed order, ever.
//   - Lifecycle stage and churn risk from the customer's own rhythm.
//
// Days are calendar days in the tenant's zone.

// valueConfig is an object's customer value resolved against the catalog.
type valueConfig struct {
	obj       *schema.Object // the customers
	cv        *schema.CustomerValue
	orders    *schema.Object
	customer  *schema.Field // the orders' lookup to obj
	amount    *schema.Field
	date      *schema.Field
	completed *store.Filter  // nil: every order counts
	zone      *time.Location // the tenant's: where its days begin
}

// resolveCustomerValue checks obj's x-crm-customerValue against the other
// objects of cat: the parts another definition holds, which ParseObject
// cannot see. Errors are BAD_REQUEST naming what is wrong.
func resolveCustomerValue(snap *snapshot, obj *schema.Object) (*valueConfig, error) {
	cv := obj.CustomerValue
	if cv == nil {
		return nil, errorOf(ErrBadRequest, nil, "customerValue.notConfigured", obj.Name)
	}
	vc := &valueConfig{obj: obj, cv: cv, orders: snap.catalog.Object(cv.OrderObject), zone: snap.zone()}
	if vc.orders == nil {
		return nil, errorOf(ErrBadRequest, nil, "customerValue.unknownOrders", obj.Name, cv.OrderObject)
	}
	vc.customer = vc.orders.Field(cv.OrderCustomer)
	if vc.customer == nil || vc.customer.Type != schema.TypeLookup || vc.customer.Target != obj.Name {
		return nil, errorOf(ErrBadRequest, nil, "customerValue.notLookup", obj.Name, cv.OrderObject, cv.OrderCustomer)
	}
	vc.amount = vc.orders.Field(cv.OrderAmount)
	if vc.amount == nil || vc.amount.Kind() != schema.KindNumber && vc.amount.Kind() != schema.KindInteger {
		return nil, errorOf(ErrBadRequest, nil, "customerValue.notAmount", obj.Name, cv.OrderObject, cv.OrderAmount)
	}
	vc.date = vc.orders.Field(cv.OrderDate)
	if vc.date == nil || vc.date.Kind() != schema.KindDate && vc.date.Kind() != schema.KindDateTime {
		return nil, errorOf(ErrBadRequest, nil, "customerValue.notDate", obj.Name, cv.OrderObject, cv.OrderDate)
	}
	if len(cv.Completed) > 0 {
		var f store.Filter
		if err := json.Unmarshal(cv.Completed, &f); err != nil {
			return nil, errorOf(ErrBadRequest, err, "customerValue.badCompleted", obj.Name, err)
		}
		if err := checkValueFilter(vc.orders, &f); err != nil {
			return nil, errorOf(ErrBadRequest, err, "customerValue.badCompleted", obj.Name, err)
		}
		nf, err := normalizeFilter(vc.orders, &f)
		if err != nil {
			return nil, errorOf(ErrBadRequest, err, "customerValue.badCompleted", obj.Name, err)
		}
		vc.completed = nf
	}
	return vc, nil
}

// checkValueFilter checks that the fields a filter names exist.
func checkValueFilter(obj *schema.Object, f *store.Filter) error {
	if f.IsLeaf() {
		if obj.Field(f.Field) == nil && !slices.Contains(schema.SystemFields, f.Field) {
			return fmt.Errorf("%s has no field %q", obj.Name, f.Field)
		}
		return nil
	}
	for _, subs := range [][]store.Filter{f.And, f.Or} {
		for i := range subs {
			if err := checkValueFilter(obj, &subs[i]); err != nil {
				return err
			}
		}
	}
	if f.Not != nil {
		return checkValueFilter(obj, f.Not)
	}
	return nil
}

// day is a calendar day in the tenant's zone, counted from 1970-01-01.
type day int

func dayOf(t time.Time, zone *time.Location) day {
	y, m, d := t.In(zone).Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// start is the first instant of the day in zone.
func (d day) start(zone *time.Location) time.Time {
	y, m, dd := time.Unix(int64(d)*86400, 0).UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, zone).UTC()
}

func (d day) date() string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
}

// orderDay reads the day of an order's date value; ok is false without
// one.
func (vc *valueConfig) orderDay(v any) (day, bool) {
	s, _ := v.(string)
	if s == "" {
		return 0, false
	}
	if vc.date.Kind() == schema.KindDate {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return 0, false
		}
		return day(t.Unix() / 86400), true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return dayOf(t, vc.zone), true
}

// dateFrom is the filter value of an order date on or after d.
func (vc *valueConfig) dateFrom(d day) string {
	if vc.date.Kind() == schema.KindDate {
		return d.date()
	}
	return d.start(vc.zone).Format(schema.DateTimeLayout)
}

// orderFilter is the filter of the completed orders, with more.
func (vc *valueConfig) orderFilter(more ...store.Filter) *store.Filter {
	and := slices.Clone(more)
	if vc.completed != nil {
		and = append(and, *vc.completed)
	}
	return &store.Filter{And: and}
}

// valuePage is how many orders one read brings.
const valuePage = 1000

// eachOrder streams the orders f matches in the order of their customer
// (then id), a page at a time: fn sees each order once.
func (vc *valueConfig) eachOrder(ctx context.Context, r store.Reader, f *store.Filter, fn func(customer string, d day, amount float64)) error {
	q := store.Query{Filter: f, Sort: []store.Sort{{Field: vc.customer.Name}}, Limit: valuePage}
	for {
		page, err := r.Find(ctx, vc.orders, q)
		if err != nil {
			return fmt.Errorf("read %s orders for customer value of %s: %w", vc.orders.Name, vc.obj.Name, err)
		}
		for _, o := range page.Records {
			c, _ := o.Data[vc.customer.Name].(string)
			d, ok := vc.orderDay(o.Data[vc.date.Name])
			if c == "" || !ok {
				continue
			}
			amount, _ := o.Data[vc.amount.Name].(float64)
			fn(c, d, amount)
		}
		if !page.HasMore || len(page.Records) == 0 {
			return nil
		}
		last := page.Records[len(page.Records)-1]
		q.After = &store.Position{Values: []any{last.Data[vc.customer.Name]}, ID: last.ID}
	}
}

// valueScale is what one run scores every customer against: the
// quintile cuts of the customers with an order in the window and the
// grade's amounts. It is computed once per run and kept in the job.
type valueScale struct {
	AsOf day `json:"asOf"`
	// R, F and M hold the four cuts between the quintiles of days since
	// the last order, orders and amount, ascending; empty when no
	// customer has an order in the window.
	R []float64 `json:"r,omitempty"`
	F []float64 `json:"f,omitempty"`
	M []float64 `json:"m,omitempty"`
	// Strategic and Important are the least window amounts of a 战略 and
	// a 重要 customer; nil when no one is.
	Strategic *float64 `json:"strategic,omitempty"`
	Important *float64 `json:"important,omitempty"`
}

// windowStart is the first day of the window ending on asOf.
func (vc *valueConfig) windowStart(asOf day) day {
	return asOf - day(vc.cv.WindowDays) + 1
}

// measureScale reads the completed orders of the window once, in the
// order of their customer, and keeps three numbers per customer with an
// order in it (never the orders) to cut the quintiles and the grade.
func (vc *valueConfig) measureScale(ctx context.Context, r store.Reader, asOf day) (valueScale, error) {
	var recency, frequency, monetary []float64
	cur, last, count, sum := "", day(0), 0.0, 0.0
	flush := func() {
		if cur != "" {
			recency = append(recency, float64(asOf-last))
			frequency = append(frequency, count)
			monetary = append(monetary, roundSum(sum))
		}
	}
	from := store.Leaf(vc.date.Name, store.OpGte, vc.dateFrom(vc.windowStart(asOf)))
	someone := store.Leaf(vc.customer.Name, store.OpIsNull, false)
	err := vc.eachOrder(ctx, r, vc.orderFilter(from, someone), func(c string, d day, amount float64) {
		if d > asOf {
			return // dated in the future: not yet a purchase
		}
		if c != cur {
			flush()
			cur, last, count, sum = c, d, 0, 0
		}
		last = max(last, d)
		count++
		sum += amount
	})
	if err != nil {
		return valueScale{}, err
	}
	flush()
	sc := valueScale{AsOf: asOf, R: quintileCuts(recency), F: quintileCuts(frequency), M: quintileCuts(monetary)}
	sc.Strategic, sc.Important = vc.gradeCuts(monetary)
	return sc, nil
}

// quintileCuts returns the largest value of each of the first four
// fifths of values (sorted in place), or nil for no values.
func quintileCuts(values []float64) []float64 {
	if len(values) == 0 {
		return nil
	}
	sort.Float64s(values)
	n := len(values)
	cuts := make([]float64, 4)
	for k := 1; k <= 4; k++ {
		cuts[k-1] = values[(k*n+4)/5-1]
	}
	return cuts
}

// above counts the cuts v is above.
func above(v float64, cuts []float64) int {
	n := 0
	for _, c := range cuts {
		if v > c {
			n++
		}
	}
	return n
}

// gradeCuts returns the least window amounts of a 战略 and a 重要
// customer. Pareto: walking from the biggest customer down, those who
// start before the running total reaches the strategic share of revenue
// are 战略, then those before the important share 重要; ties with the last
// one in get the same grade.
func (vc *valueConfig) gradeCuts(monetary []float64) (strategic, important *float64) {
	cv := vc.cv
	if cv.GradeMethod == schema.GradeThresholds {
		s, i := cv.Strategic, cv.Important
		return &s, &i
	}
	desc := slices.Clone(monetary)
	sort.Sort(sort.Reverse(sort.Float64Slice(desc)))
	total := 0.0
	for _, v := range desc {
		total += v
	}
	if total <= 0 {
		return nil, nil
	}
	cum := 0.0
	for _, v := range desc {
		if v <= 0 {
			break
		}
		switch {
		case cum < cv.Strategic*total-1e-9:
			s := v
			strategic = &s
		case cum < cv.Important*total-1e-9:
			i := v
			important = &i
		}
		cum += v
	}
	if important == nil {
		important = strategic
	}
	return strategic, important
}

// customerFacts is what one customer's completed orders say.
type customerFacts struct {
	first, last day
	count       int
	total       float64
	// In the window: the last day, the orders and their amount.
	winLast  day
	winCount int
	winTotal float64
	// Orders in the recent half of the window and in the half before it.
	recent, previous int
}

// collectFacts reads the completed orders of the customers ids, up to
// asOf, and sums them up per customer.
func (vc *valueConfig) collectFacts(ctx context.Context, r store.Reader, ids []string, asOf day) (map[string]*customerFacts, error) {
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	facts := make(map[string]*customerFacts, len(ids))
	start := vc.windowStart(asOf)
	half := day(vc.cv.WindowDays / 2)
	err := vc.eachOrder(ctx, r, vc.orderFilter(store.Leaf(vc.customer.Name, store.OpIn, in)), func(c string, d day, amount float64) {
		if d > asOf {
			return
		}
		f := facts[c]
		if f == nil {
			f = &customerFacts{first: d, last: d}
			facts[c] = f
		}
		f.first, f.last = min(f.first, d), max(f.last, d)
		f.count++
		f.total += amount
		if d >= start {
			if f.winCount == 0 || d > f.winLast {
				f.winLast = d
			}
			f.winCount++
			f.winTotal += amount
		}
		switch age := asOf - d; {
		case age < half:
			f.recent++
		case age < 2*half:
			f.previous++
		}
	})
	return facts, err
}

// customerValues computes what x-crm-customerValue writes for a customer
// with facts f (nil: no completed order), keyed by output
// ([schema.CustomerValueOutputs]); nil values clear the field.
func (vc *valueConfig) customerValues(f *customerFacts, sc valueScale) map[string]any {
	out := map[string]any{"recencyScore": nil, "frequencyScore": nil, "monetaryScore": nil, "segment": nil, "grade": nil,
		"lifetimeValue": 0.0, "lifecycle": "prospect", "churnRisk": nil, "lastPurchase": nil, "purchaseCount": 0.0}
	if f == nil {
		return out
	}
	r, fr, m := 1, 1, 1
	if f.winCount > 0 {
		r = 5 - above(float64(sc.AsOf-f.winLast), sc.R)
		fr = 1 + above(float64(f.winCount), sc.F)
		m = 1 + above(roundSum(f.winTotal), sc.M)
	}
	out["recencyScore"], out["frequencyScore"], out["monetaryScore"] = float64(r), float64(fr), float64(m)
	out["segment"] = rfmSegment(r, fr, m)
	out["grade"] = "general"
	switch win := roundSum(f.winTotal); {
	case win <= 0:
	case sc.Strategic != nil && win >= *sc.Strategic:
		out["grade"] = "strategic"
	case sc.Important != nil && win >= *sc.Important:
		out["grade"] = "important"
	}
	out["lifetimeValue"] = roundSum(f.total)
	out["purchaseCount"] = float64(f.count)
	stage, risk := vc.lifecycle(f, sc.AsOf)
	out["lifecycle"], out["churnRisk"] = stage, risk
	if vc.lastPurchaseKind() == schema.KindDateTime {
		out["lastPurchase"] = f.last.start(vc.zone).Format(schema.DateTimeLayout)
	} else {
		out["lastPurchase"] = f.last.date()
	}
	return out
}

func (vc *valueConfig) lastPurchaseKind() schema.Kind {
	if f := vc.obj.Field(vc.cv.Fields["lastPurchase"]); f != nil {
		return f.Kind()
	}
	return schema.KindDate
}

// rfmSegment names the segment of R, F and M scores: each is high from 3.
func rfmSegment(r, f, m int) string {
	seg := "general"
	if m >= 3 {
		seg = "important"
	}
	switch {
	case r >= 3 && f >= 3:
		return seg + "Value"
	case r >= 3:
		return seg + "Develop"
	case f >= 3:
		return seg + "Keep"
	}
	return seg + "Retain"
}

// lifecycle places a customer with orders in a stage and judges their
// churn risk against their own rhythm:
//
//   - 终止 churn: no order for longer than ChurnGapFactor times their usual
//     gap between orders (two orders or more) or than ChurnDays;
//   - 开发 acquisition: a first order within AcquisitionDays, or only one;
//   - 成长 growth: more orders in the recent half of the window than in the
//     half before it;
//   - 成熟 maturity: otherwise.
//
// Churn risk adds up two signs: days since the last order against the
// expected gap (their usual gap, or ChurnDays / ChurnGapFactor with one
// order): at least twice it counts 2, at least once 1; and fewer orders
// in the recent half than in the one before counts 1. Two or more, or a
// churned customer, is high; one is medium; none is low.
func (vc *valueConfig) lifecycle(f *customerFacts, asOf day) (stage, risk string) {
	cv := vc.cv
	since := float64(asOf - f.last)
	gap := 0.0
	if f.count >= 2 {
		gap = float64(f.last-f.first) / float64(f.count-1)
	}
	switch {
	case since > float64(cv.ChurnDays) || gap > 0 && since > cv.ChurnGapFactor*gap:
		return "churn", "high"
	case int(asOf-f.first) <= cv.AcquisitionDays || f.count == 1:
		stage = "acquisition"
	case f.recent > f.previous:
		stage = "growth"
	default:
		stage = "maturity"
	}
	expected := gap
	if expected <= 0 {
		expected = float64(cv.ChurnDays) / cv.ChurnGapFactor
	}
	signs := 0
	switch overdue := since / expected; {
	case overdue >= 2:
		signs += 2
	case overdue >= 1:
		signs++
	}
	if f.previous > 0 && f.recent < f.previous {
		signs++
	}
	switch {
	case signs >= 2:
		risk = "high"
	case signs == 1:
		risk = "medium"
	default:
		risk = "low"
	}
	return stage, risk
}

// apply writes values into data, the customer's fields; it reports
// whether anything changed.
func (vc *valueConfig) apply(values map[string]any, data map[string]any) bool {
	changed := false
	for out, field := range vc.cv.Fields {
		v, ok := values[out]
		if !ok || vc.obj.Field(field) == nil {
			continue
		}
		switch x := v.(type) {
		case float64:
			if vc.obj.Field(field).Kind() == schema.KindInteger {
				v = math.Round(x)
			}
		case string:
			if out != "lastPurchase" {
				v = vc.cv.Value(x)
			}
		}
		old, had := data[field]
		switch {
		case v == nil && had:
			delete(data, field)
			changed = true
		case v != nil && (!had || old != v):
			data[field] = v
			changed = true
		}
	}
	return changed
}
