package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// StageChange is one move of a record along a pipeline.
type StageChange struct {
	ID       string
	Object   string
	RecordID string
	Field    string
	From     string // "" when the record entered its first stage
	To       string // "" when the stage was cleared
	At       time.Time
	By       string
	// InPrevious is how long the record had been in From; zero for the
	// first stage.
	InPrevious time.Duration
}

// StageColumn is one stage of a board (kanban): the stage and a page of
// the records in it, with their count.
type StageColumn struct {
	Stage schema.Stage
	Label schema.Label
	*ListResult
}

// stageMove is a change of a pipeline field made by one write.
type stageMove struct {
	field    *schema.Field
	from, to string
}

// stageMoves returns the pipeline fields whose value differs between old
// (nil for a new record) and data.
func stageMoves(obj *schema.Object, old, data map[string]any) []stageMove {
	var moves []stageMove
	for _, f := range obj.Fields {
		if f.Pipeline == nil {
			continue
		}
		to, _ := data[f.Name].(string)
		from, _ := old[f.Name].(string)
		if to != from {
			moves = append(moves, stageMove{field: f, from: from, to: to})
		}
	}
	return moves
}

// pipelineProblems checks the stage moves of a write: the move must be an
// allowed transition, and the fields the new stage requires must be
// filled. Fields the object itself requires are left to the validator.
func pipelineProblems(obj *schema.Object, moves []stageMove, data map[string]any) []schema.FieldError {
	var problems []schema.FieldError
	for _, m := range moves {
		p := m.field.Pipeline
		stage := p.Stage(m.to)
		if stage == nil {
			continue // not an option: the validator reports it
		}
		if !p.Allows(m.from, m.to) {
			problems = append(problems, transitionProblem(m.field, m.from, m.to))
			continue
		}
		for _, name := range stage.Required {
			f := obj.Field(name)
			if f == nil || f.Required || !isEmpty(data[name]) {
				continue
			}
			problems = append(problems, fieldError(name, "stageRequired", "field.stageRequired", m.to, optionZh(m.field, m.to)))
		}
	}
	return problems
}

func transitionProblem(f *schema.Field, from, to string) schema.FieldError {
	next := f.Pipeline.Stage(from).Next
	if len(next) == 0 {
		return fieldError(f.Name, "transition", "field.finalStage", from, to, optionZh(f, from), optionZh(f, to))
	}
	en := make([]string, len(next))
	zh := make([]string, len(next))
	for i, n := range next {
		en[i] = fmt.Sprintf("%q", n)
		zh[i] = "“" + optionZh(f, n) + "”"
	}
	return fieldError(f.Name, "transition", "field.badTransition", from, to, strings.Join(en, ", "), optionZh(f, from), optionZh(f, to), strings.Join(zh, "、"))
}

// optionZh is the Chinese label of a picklist option, or the option.
func optionZh(f *schema.Field, value string) string {
	if l, ok := f.OptionLabels[value]; ok && l.Zh != "" {
		return l.Zh
	}
	return value
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// recordStageMoves writes the stage history of a write, in its
// transaction. since is when the record entered its current stages when
// there is no earlier history (its creation).
func (e *Engine) recordStageMoves(ctx context.Context, tx store.Tx, hist *schema.Object, obj *schema.Object, rec store.Record, moves []stageMove, since time.Time) error {
	for _, m := range moves {
		data := map[string]any{
			"object": obj.Name, "record": rec.ID, "field": m.field.Name, "to": m.to,
			"at": rec.UpdatedAt.UTC().Format(schema.DateTimeLayout), "by": rec.UpdatedBy,
		}
		if m.from != "" {
			data["from"] = m.from
			entered := since
			last, err := tx.Find(ctx, hist, store.Query{
				Filter: &store.Filter{And: []store.Filter{
					store.Leaf("record", store.OpEq, rec.ID), store.Leaf("field", store.OpEq, m.field.Name)}},
				Sort:  []store.Sort{{Field: "at", Desc: true}},
				Limit: 1,
			})
			if err != nil {
				return fmt.Errorf("read stage history of %s %q: %w", obj.Name, rec.ID, err)
			}
			if len(last.Records) > 0 {
				if at, err := time.Parse(schema.DateTimeLayout, fmt.Sprint(last.Records[0].Data["at"])); err == nil {
					entered = at
				}
			}
			data["seconds"] = max(0, rec.UpdatedAt.Sub(entered).Seconds())
		}
		h := store.Record{ID: e.newID(), Version: 1, CreatedAt: rec.UpdatedAt, UpdatedAt: rec.UpdatedAt,
			CreatedBy: rec.UpdatedBy, UpdatedBy: rec.UpdatedBy, Data: data}
		if err := tx.Insert(ctx, hist, h); err != nil {
			return fmt.Errorf("write stage history of %s %q: %w", obj.Name, rec.ID, err)
		}
	}
	return nil
}

// deleteByRecord removes the records of a platform object that belong to
// a deleted record (their "record" field names it).
func deleteByRecord(ctx context.Context, tx store.Tx, platform *schema.Object, id string) error {
	f := store.Leaf("record", store.OpEq, id)
	for {
		page, err := tx.Find(ctx, platform, store.Query{Filter: &f, Limit: 500})
		if err != nil {
			return fmt.Errorf("read %s of %q: %w", platform.Name, id, err)
		}
		for _, r := range page.Records {
			if err := tx.Delete(ctx, platform, r.ID); err != nil {
				return fmt.Errorf("delete %s of %q: %w", platform.Name, id, err)
			}
		}
		if !page.HasMore {
			return nil
		}
	}
}

// maxStageHistory bounds the history StageHistory returns per call.
const maxStageHistory = 10_000

// StageHistory returns, for each of ids, the moves of its pipeline field
// field, oldest first. Records without history map to nothing.
func (e *Engine) StageHistory(ctx context.Context, object, field string, ids []string) (map[string][]StageChange, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	ts, snap, obj, rules := sc.ts, sc.snap, sc.obj, sc.rules
	if f := obj.Field(field); f == nil || f.Pipeline == nil || rules.Hides(field) {
		return nil, errorOf(ErrBadRequest, nil, "pipeline.notPipelineField", object, field)
	}
	out := map[string][]StageChange{}
	hist := snap.platform[stageChangeObject]
	if hist == nil || len(ids) == 0 {
		return out, nil
	}
	if rules.Owners != nil {
		// The history of a record the actor does not see is as absent as
		// the record.
		recs, err := ts.GetMany(ctx, obj, ids)
		if err != nil {
			return nil, fmt.Errorf("get %d %s records: %w", len(ids), object, err)
		}
		ids = ids[:0:0]
		for _, r := range rules.Show(recs) {
			ids = append(ids, r.ID)
		}
		if len(ids) == 0 {
			return out, nil
		}
	}
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	if err := readStageChanges(ctx, ts, hist, object, field, list, maxStageHistory, out); err != nil {
		return nil, err
	}
	return out, nil
}

func stageChangeOf(r store.Record) StageChange {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	c := StageChange{ID: r.ID, Object: s("object"), RecordID: s("record"), Field: s("field"), From: s("from"), To: s("to"), By: s("by")}
	c.At, _ = time.Parse(schema.DateTimeLayout, s("at"))
	if sec, ok := r.Data["seconds"].(float64); ok {
		c.InPrevious = time.Duration(sec * float64(time.Second))
	}
	return c
}

// Board returns the records of object grouped by the stages of its
// pipeline field (a kanban): for each stage in pipeline order, the first
// page of q's records in that stage and their count. q.After does not
// apply; page a column with ListRecords and a filter on the stage.
func (e *Engine) Board(ctx context.Context, object, field string, q ListQuery) ([]StageColumn, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	if q, err = e.applyView(ctx, ts, snap, a, obj, q); err != nil {
		return nil, err
	}
	if err := rules.check(q.Filter, q.Sort); err != nil {
		return nil, err
	}
	f := obj.Field(field)
	if f == nil || f.Pipeline == nil || rules.Hides(field) {
		return nil, errorOf(ErrBadRequest, nil, "pipeline.notPipelineField", object, field)
	}
	cols := make([]StageColumn, 0, len(f.Pipeline.Stages))
	for _, st := range f.Pipeline.Stages {
		cq := q
		cq.After = ""
		cq.WithTotal = true
		leaf := store.Leaf(field, store.OpEq, st.Value)
		if q.Filter != nil {
			cq.Filter = &store.Filter{And: []store.Filter{leaf, *q.Filter}}
		} else {
			cq.Filter = &leaf
		}
		cq.Filter = rules.Scope(cq.Filter)
		res, err := list(ctx, ts, obj, cq)
		if err != nil {
			return nil, err
		}
		res.Records = rules.Show(res.Records)
		cols = append(cols, StageColumn{Stage: st, Label: f.OptionLabels[st.Value], ListResult: res})
	}
	return cols, nil
}
