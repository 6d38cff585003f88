package engine

import (
	"context"
	"sort"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// committedProbability is the stage probability (percent) from which an
// open record's amount counts as committed.
const committedProbability = 70

// ForecastQuery asks for the weighted forecast of one pipeline field.
type ForecastQuery struct {
	// View names a saved view to start from: its filter is and-ed with
	// Filter.
	View   string
	Filter *store.Filter
	// From and To bound the close dates counted: days "YYYY-MM-DD", both
	// included; empty leaves that side open (and then records without a
	// close date count too, in a row of their own).
	From, To string
	// ByMonth and ByOwner cut the forecast into rows by close month and by
	// the records' owner; with neither there is one row.
	ByMonth, ByOwner bool
}

// Forecast is the answer to a [ForecastQuery].
type Forecast struct {
	Field          string // the pipeline field
	AmountField    string // the field the figures add up
	CloseDateField string // the date field cut into months
	// Rows are ordered by month (records without a close date last), then
	// owner.
	Rows  []ForecastRow
	Total ForecastRow // the rows added up (its keys are nil)
	// Scanned is the number of records the aggregation read.
	Scanned int64
}

// ForecastRow is the forecast of one close month and/or owner.
type ForecastRow struct {
	// Month is the close month (Value its first day, Label "2026-12", From
	// and To its days) when the forecast is by month; Value nil for records
	// without a close date. Owner is the records' owner (Value "user:…",
	// Label their name) when it is by owner.
	Month, Owner *GroupKey
	// Weighted is Σ amount × stage probability over the open records;
	// BestCase is Σ amount over them; Committed is Σ amount over those in
	// a stage of probability 70 % or more; Won is Σ amount over the records
	// in a won stage.
	Weighted, BestCase, Committed, Won float64
	OpenCount, WonCount                int64
}

// Forecast returns the weighted forecast of object's pipeline field over
// the records the caller sees that q's view and filter match and whose
// close date falls in the period, by close month and/or owner. It is one
// aggregation (group by stage, month and owner; sum of the amount and
// count) weighed by the stages' probabilities. An object without an
// amount or close date field, or whose role may not read them, gets a
// BAD_REQUEST naming what is missing; so does a forecast of more than
// 1,000 stage, month and owner groups.
func (e *Engine) Forecast(ctx context.Context, object, field string, q ForecastQuery) (*Forecast, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	pf, err := e.pipelineFigures(ctx, sc, field, q.View, q.Filter)
	if err != nil {
		return nil, err
	}
	if pf.amount == nil {
		return nil, errorOf(ErrBadRequest, nil, "analytics.noAmount", object, labelZh(sc.obj))
	}
	closeDate := closeDateField(sc.obj, pf.field.Pipeline)
	if closeDate == nil {
		return nil, errorOf(ErrBadRequest, nil, "analytics.noCloseDate", object, labelZh(sc.obj))
	}
	if err := readable(sc.obj, sc.rules, closeDate.Name); err != nil {
		return nil, err
	}
	per, err := periodOf(q.From, q.To, sc.snap.zone())
	if err != nil {
		return nil, err
	}
	var counted []any
	for _, st := range pf.field.Pipeline.Stages {
		if st.Category == schema.StageOpen || st.Category == schema.StageWon {
			counted = append(counted, st.Value)
		}
	}
	conds := append([]*store.Filter{q.Filter, ptr(store.Leaf(field, store.OpIn, counted))}, ptrs(per.dayFilter(closeDate.Name))...)
	aq := AggregateQuery{
		View: q.View, Filter: allOf(conds...),
		GroupBy:  []store.GroupBy{{Field: field}},
		Measures: []store.Measure{{Op: store.MeasureSum, Field: pf.amount.Name}, {Op: store.MeasureCount}},
		First:    MaxGroups,
	}
	if q.ByMonth {
		aq.GroupBy = append(aq.GroupBy, store.GroupBy{Field: closeDate.Name, Bucket: store.BucketMonth})
	}
	if q.ByOwner {
		aq.GroupBy = append(aq.GroupBy, store.GroupBy{Field: "ownerId"})
	}
	res, err := e.Aggregate(ctx, object, aq)
	if err != nil {
		return nil, err
	}
	if res.HasMore {
		return nil, errorOf(ErrBadRequest, nil, "analytics.tooManyGroups", object, MaxGroups)
	}
	out := &Forecast{Field: field, AmountField: pf.amount.Name, CloseDateField: closeDate.Name, Scanned: res.Scanned}
	out.Rows = weigh(pf.field.Pipeline, res.Groups, q.ByMonth, q.ByOwner)
	for _, r := range out.Rows {
		out.Total.add(r)
	}
	out.Total.round()
	return out, nil
}

// weigh turns groups by stage (and month, owner) into forecast rows by
// month and owner.
func weigh(p *schema.Pipeline, groups []AggregateGroup, byMonth, byOwner bool) []ForecastRow {
	rows := map[[2]any]*ForecastRow{}
	var order []*ForecastRow
	for _, g := range groups {
		var key [2]any
		row := ForecastRow{}
		pos := 1
		if byMonth {
			k := g.Keys[pos]
			key[0], row.Month = k.Value, &k
			pos++
		}
		if byOwner {
			k := g.Keys[pos]
			key[1], row.Owner = k.Value, &k
		}
		r := rows[key]
		if r == nil {
			r = &row
			rows[key] = r
			order = append(order, r)
		}
		value, _ := g.Keys[0].Value.(string)
		st := p.Stage(value)
		sum, _ := g.Values[0].(float64)
		count, _ := g.Values[1].(int64)
		if st == nil {
			continue
		}
		if st.Category == schema.StageWon {
			r.Won += sum
			r.WonCount += count
			continue
		}
		r.OpenCount += count
		r.BestCase += sum
		if st.Probability != nil {
			r.Weighted += sum * *st.Probability / 100
			if *st.Probability >= committedProbability {
				r.Committed += sum
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if c := compareKeys(a.Month, b.Month); c != 0 {
			return c < 0
		}
		return compareKeys(a.Owner, b.Owner) < 0
	})
	out := make([]ForecastRow, len(order))
	for i, r := range order {
		r.round()
		out[i] = *r
	}
	return out
}

// compareKeys orders two keys of a forecast row by value, without a value
// last.
func compareKeys(a, b *GroupKey) int {
	if a == nil || b == nil {
		return 0
	}
	x, xok := a.Value.(string)
	y, yok := b.Value.(string)
	switch {
	case xok && yok:
		return strings.Compare(x, y)
	case xok:
		return -1
	case yok:
		return 1
	}
	return 0
}

func (r *ForecastRow) add(o ForecastRow) {
	r.Weighted += o.Weighted
	r.BestCase += o.BestCase
	r.Committed += o.Committed
	r.Won += o.Won
	r.OpenCount += o.OpenCount
	r.WonCount += o.WonCount
}

func (r *ForecastRow) round() {
	for _, v := range []*float64{&r.Weighted, &r.BestCase, &r.Committed, &r.Won} {
		*v = *rounded(*v, 2)
	}
}

// dayFilter returns the conditions that keep a date field within the
// period.
func (p period) dayFilter(field string) []store.Filter {
	var out []store.Filter
	if p.from != "" {
		out = append(out, store.Leaf(field, store.OpGte, p.from))
	}
	if p.to != "" {
		out = append(out, store.Leaf(field, store.OpLte, p.to))
	}
	return out
}

// closeDateField is the date field a pipeline's forecast cuts into months:
// the one the pipeline names, else the object's first date field whose
// name starts with "close" or "expected"; nil when there is none.
func closeDateField(obj *schema.Object, p *schema.Pipeline) *schema.Field {
	if p.CloseDate != "" {
		return obj.Field(p.CloseDate)
	}
	for _, f := range obj.Fields {
		name := strings.ToLower(f.Name)
		if f.Type == schema.TypeDate && (strings.HasPrefix(name, "close") || strings.HasPrefix(name, "expected")) {
			return f
		}
	}
	return nil
}
