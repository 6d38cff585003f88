package engine

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Pipeline analytics: the stage funnel of a period with conversion, time
// in stage, win rate and sales velocity (this file), and the weighted
// forecast (analytics_forecast.go). Every figure is computed over the
// records the caller sees, under its role's field rules; docs/analytics.md
// gives the formulas.

// FunnelQuery asks for the funnel of one pipeline field.
type FunnelQuery struct {
	// View names a saved view to start from: its filter is and-ed with
	// Filter.
	View   string
	Filter *store.Filter
	// From and To bound the period: days "YYYY-MM-DD" in the tenant's
	// zone, both included; empty leaves that side open.
	From, To string
}

// Funnel is the answer to a [FunnelQuery].
type Funnel struct {
	Field string // the pipeline field
	// AmountField is the field the money figures add up (see
	// [Engine.Funnel]); "" when the object has none.
	AmountField string
	// Records counts the records created in the period: the funnel's
	// population.
	Records int64
	Stages  []FunnelStage
	// Won and Lost count the records that entered a won or lost stage in
	// the period and are still in it, whenever they were created.
	Won, Lost int64
	// WinRate is Won / (Won + Lost); nil when nothing closed or the
	// pipeline has no won and lost stages.
	WinRate *float64
	// OpenCount counts the records in an open stage now, whenever created.
	OpenCount int64
	// AverageWonAmount is the mean amount of the records won in the
	// period that have one.
	AverageWonAmount *float64
	// AverageDaysToClose is the mean time from creation to entering the
	// won stage of the records won in the period, in days.
	AverageDaysToClose *float64
	// Velocity is OpenCount × AverageWonAmount × WinRate /
	// AverageDaysToClose: the amount the pipeline is expected to win per
	// day; nil when a part is missing or the days are zero.
	Velocity *float64
}

// FunnelStage is one stage of a [Funnel].
type FunnelStage struct {
	Stage schema.Stage
	Label schema.Label
	// Step is true for the stages on the funnel's path (open, won, and in
	// an open/closed pipeline its first closed stage) and false for exits
	// (lost stages and later closed ones).
	Step bool
	// Reached counts the records of the period that entered this stage or,
	// for a step, a later step.
	Reached int64
	// Current counts the records of the period that are in the stage now.
	Current int64
	// FromPrevious is Reached over the previous step's Reached (steps
	// after the first); FromFirst is Reached over the first step's.
	FromPrevious, FromFirst *float64
	// AverageHours and AverageDays are the mean time a visit to the
	// stage lasted, from entering to leaving (until now for records still
	// in it); open stages only, nil when none was visited.
	AverageHours, AverageDays *float64
}

// Funnel returns the funnel of object's pipeline field over the records
// the caller sees that q's view and filter match: per stage in pipeline
// order, how many records created in the period reached it, how many are
// in it now, the conversions and the average time in it; and over the
// period, the win rate and the sales velocity. The amount is the first
// currency field of the object (or the one the pipeline names). A field
// that is not a pipeline field is a BAD_REQUEST; an amount field the
// caller's role may not read is a BAD_REQUEST naming it; a period with
// more than 50,000 records asks for a narrower one.
func (e *Engine) Funnel(ctx context.Context, object, field string, q FunnelQuery) (*Funnel, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	pf, err := e.pipelineFigures(ctx, sc, field, q.View, q.Filter)
	if err != nil {
		return nil, err
	}
	per, err := periodOf(q.From, q.To, sc.snap.zone())
	if err != nil {
		return nil, err
	}
	out := &Funnel{Field: field}
	if pf.amount != nil {
		out.AmountField = pf.amount.Name
	}
	cohort, err := e.readAll(ctx, sc.actor.TenantID, sc.ts, sc.obj, allOf(append([]*store.Filter{pf.filter}, ptrs(per.instantFilter("createdAt"))...)...))
	if err != nil {
		return nil, err
	}
	out.Records = int64(len(cohort))
	hist, err := pf.history(ctx, sc.ts, ids(cohort))
	if err != nil {
		return nil, err
	}
	out.Stages = pf.stages(cohort, hist, e.now())
	if err := e.closedInPeriod(ctx, sc, pf, per, out); err != nil {
		return nil, err
	}
	return out, nil
}

// pipelineFigures is what the figures of one pipeline field share.
type pipelineFigures struct {
	obj    *schema.Object
	field  *schema.Field
	amount *schema.Field // nil when the object has none
	filter *store.Filter // the view's and the caller's filter, scoped to what the caller sees
	hist   *schema.Object
}

// pipelineFigures checks the pipeline field, the view and filter and the
// amount field against the caller's rules.
func (e *Engine) pipelineFigures(ctx context.Context, sc objectScope, field, view string, filter *store.Filter) (*pipelineFigures, error) {
	obj, rules := sc.obj, sc.rules
	f := obj.Field(field)
	if f == nil || f.Pipeline == nil || rules.Hides(field) {
		return nil, errorOf(ErrBadRequest, nil, "pipeline.notPipelineField", obj.Name, field)
	}
	lq, err := e.applyView(ctx, sc.ts, sc.snap, sc.actor, obj, ListQuery{View: view, Filter: filter})
	if err != nil {
		return nil, err
	}
	if err := rules.check(lq.Filter, nil); err != nil {
		return nil, err
	}
	pf := &pipelineFigures{obj: obj, field: f, amount: amountField(obj, f.Pipeline), filter: rules.Scope(lq.Filter),
		hist: sc.snap.platform[stageChangeObject]}
	if pf.amount != nil {
		if err := readable(obj, rules, pf.amount.Name); err != nil {
			return nil, err
		}
	}
	return pf, nil
}

// readable refuses a field the caller's role hides or masks, naming it.
func readable(obj *schema.Object, rules *readRules, field string) error {
	if rules.Hides(field) || rules.Masked[field] {
		return errorOf(ErrBadRequest, nil, "analytics.fieldNotReadable", obj.Name, field)
	}
	return nil
}

// amountField is the field a pipeline's money figures add up: the one the
// pipeline names, else the object's first currency field; nil when there
// is none.
//
// On a multi-currency object the figures add the amounts converted into
// the tenant's currency: the field's converted twin.
func amountField(obj *schema.Object, p *schema.Pipeline) *schema.Field {
	var f *schema.Field
	if p.Amount != "" {
		f = obj.Field(p.Amount)
	} else {
		for _, c := range obj.Fields {
			if c.Type == schema.TypeCurrency {
				f = c
				break
			}
		}
	}
	if f != nil && obj.Converts(f) {
		return obj.Field(schema.ConvertedField(f.Name))
	}
	return f
}

// history reads the stage changes of the records ids, oldest first per
// record.
func (pf *pipelineFigures) history(ctx context.Context, ts store.Reader, ids []string) (map[string][]StageChange, error) {
	out := map[string][]StageChange{}
	if pf.hist == nil {
		return out, nil
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		list := make([]any, len(batch))
		for i, id := range batch {
			list[i] = id
		}
		if err := readStageChanges(ctx, ts, pf.hist, pf.obj.Name, pf.field.Name, list, 0, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stages computes the per-stage figures of the records created in the
// period from their current stages and their history.
func (pf *pipelineFigures) stages(cohort []store.Record, hist map[string][]StageChange, now time.Time) []FunnelStage {
	p := pf.field.Pipeline
	steps := funnelSteps(p)
	index := map[string]int{}
	for i, st := range p.Stages {
		index[st.Value] = i
	}
	out := make([]FunnelStage, len(p.Stages))
	for i, st := range p.Stages {
		out[i] = FunnelStage{Stage: st, Label: pf.field.OptionLabels[st.Value], Step: steps[i]}
	}
	spent := make([]time.Duration, len(p.Stages))
	visits := make([]int64, len(p.Stages))
	for _, rec := range cohort {
		cur, _ := rec.Data[pf.field.Name].(string)
		entered := map[int]bool{}
		if i, ok := index[cur]; ok {
			entered[i] = true
			out[i].Current++
		}
		changes := hist[rec.ID]
		for k, c := range changes {
			i, ok := index[c.To]
			if !ok {
				continue
			}
			entered[i] = true
			if p.Stages[i].Category != schema.StageOpen {
				continue
			}
			switch {
			case k+1 < len(changes):
				spent[i] += changes[k+1].At.Sub(c.At)
				visits[i]++
			case c.To == cur:
				spent[i] += max(0, now.Sub(c.At))
				visits[i]++
			}
		}
		furthest := -1
		for i := range entered {
			if steps[i] && i > furthest {
				furthest = i
			}
		}
		for i := range p.Stages {
			if entered[i] || (steps[i] && i < furthest) {
				out[i].Reached++
			}
		}
	}
	first, prev := -1, -1
	for i := range out {
		if visits[i] > 0 {
			mean := spent[i].Hours() / float64(visits[i])
			out[i].AverageHours, out[i].AverageDays = rounded(mean, 2), rounded(mean/24, 4)
		}
		if first < 0 && steps[i] {
			first = i
		}
		if first >= 0 {
			out[i].FromFirst = ratio(float64(out[i].Reached), float64(out[first].Reached))
		}
		if !steps[i] {
			continue
		}
		if prev >= 0 {
			out[i].FromPrevious = ratio(float64(out[i].Reached), float64(out[prev].Reached))
		}
		prev = i
	}
	return out
}

// funnelSteps tells which stages of p are on the funnel's path: open and
// won stages, and in an open/closed pipeline its first closed stage (the
// outcome: a lead converted, a visit completed); lost stages and later
// closed ones are exits.
func funnelSteps(p *schema.Pipeline) []bool {
	steps := make([]bool, len(p.Stages))
	outcome := false
	for i, st := range p.Stages {
		switch st.Category {
		case schema.StageOpen, schema.StageWon:
			steps[i] = true
		case schema.StageClosed:
			steps[i] = !outcome
			outcome = true
		}
	}
	return steps
}

// closedInPeriod fills the win rate and velocity of out: the records that
// entered a won or lost stage in the period and are still there (read
// among those in such a stage now and changed since the period began), and
// the records open now.
func (e *Engine) closedInPeriod(ctx context.Context, sc objectScope, pf *pipelineFigures, per period, out *Funnel) error {
	var closing, open []any
	for _, st := range pf.field.Pipeline.Stages {
		switch st.Category {
		case schema.StageWon, schema.StageLost:
			closing = append(closing, st.Value)
		case schema.StageOpen:
			open = append(open, st.Value)
		}
	}
	if len(open) > 0 {
		f, err := normalizeFilter(pf.obj, allOf(pf.filter, ptr(store.Leaf(pf.field.Name, store.OpIn, open))))
		if err != nil {
			return err
		}
		if out.OpenCount, err = sc.ts.Count(ctx, pf.obj, f); err != nil {
			return queryFailed(pf.obj, err)
		}
	}
	if len(closing) == 0 {
		return nil
	}
	// A record closed in the period was last changed at or after the
	// period's start.
	conds := []*store.Filter{pf.filter, ptr(store.Leaf(pf.field.Name, store.OpIn, closing))}
	if !per.start.IsZero() {
		conds = append(conds, ptr(store.Leaf("updatedAt", store.OpGte, per.start.UTC().Format(schema.DateTimeLayout))))
	}
	closed, err := e.readAll(ctx, sc.actor.TenantID, sc.ts, pf.obj, allOf(conds...))
	if err != nil {
		return err
	}
	hist, err := pf.history(ctx, sc.ts, ids(closed))
	if err != nil {
		return err
	}
	var wonAmount, wonDays float64
	var withAmount int64
	for _, rec := range closed {
		changes := hist[rec.ID]
		cur, _ := rec.Data[pf.field.Name].(string)
		if len(changes) == 0 || changes[len(changes)-1].To != cur || !per.contains(changes[len(changes)-1].At) {
			continue
		}
		at := changes[len(changes)-1].At
		if pf.field.Pipeline.Stage(cur).Category == schema.StageLost {
			out.Lost++
			continue
		}
		out.Won++
		wonDays += at.Sub(rec.CreatedAt).Hours() / 24
		if pf.amount != nil {
			if v, ok := numberOf(rec.Data[pf.amount.Name]); ok {
				wonAmount += v
				withAmount++
			}
		}
	}
	out.WinRate = ratio(float64(out.Won), float64(out.Won+out.Lost))
	if withAmount > 0 {
		out.AverageWonAmount = rounded(wonAmount/float64(withAmount), 2)
	}
	if out.Won > 0 {
		out.AverageDaysToClose = rounded(wonDays/float64(out.Won), 4)
	}
	if out.AverageWonAmount != nil && out.WinRate != nil && out.AverageDaysToClose != nil && *out.AverageDaysToClose > 0 {
		winRate := float64(out.Won) / float64(out.Won+out.Lost)
		out.Velocity = rounded(float64(out.OpenCount)*(wonAmount/float64(withAmount))*winRate/(wonDays/float64(out.Won)), 2)
	}
	return nil
}

// readStageChanges reads the stage changes of field of the records ids
// into out, oldest first per record; when limit > 0 it stops after the
// page that reaches limit changes.
func readStageChanges(ctx context.Context, ts store.Reader, hist *schema.Object, object, field string, ids []any, limit int, out map[string][]StageChange) error {
	q := store.Query{
		Filter: &store.Filter{And: []store.Filter{
			store.Leaf("record", store.OpIn, ids), store.Leaf("field", store.OpEq, field), store.Leaf("object", store.OpEq, object)}},
		Sort:  []store.Sort{{Field: "record"}, {Field: "at"}},
		Limit: 500,
	}
	n := 0
	for {
		page, err := ts.Find(ctx, hist, q)
		if err != nil {
			return fmt.Errorf("read stage history of %s: %w", object, err)
		}
		for _, r := range page.Records {
			c := stageChangeOf(r)
			out[c.RecordID] = append(out[c.RecordID], c)
		}
		n += len(page.Records)
		if !page.HasMore || (limit > 0 && n >= limit) || len(page.Records) == 0 {
			return nil
		}
		last := page.Records[len(page.Records)-1]
		q.After = &store.Position{Values: []any{last.Data["record"], last.Data["at"]}, ID: last.ID}
	}
}

// ids returns the ids of recs, sorted.
func ids(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

func ptr(f store.Filter) *store.Filter { return &f }

func ptrs(fs []store.Filter) []*store.Filter {
	out := make([]*store.Filter, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}
