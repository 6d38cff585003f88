package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// columnValue is one stage of a board.
type columnValue struct {
	stage stageDefValue
	conn  *connValue
}

// stageDefValue is one stage of a pipeline with its field, for labels.
type stageDefValue struct {
	field *schema.Field
	stage schema.Stage
}

// boardResolver serves Query.<list>By<Field>: one engine call for every
// column; the records of all columns form one group, so their relations
// load in one batch per relation.
func (s *execSchema) boardResolver(p *pipelineModel) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		q, err := listQuery(p.obj, fc.args)
		if err != nil {
			return nil, err
		}
		q.Fields = p.obj.boardFields(fc, p.columnType)
		q.NoCursors = !p.obj.listReadsCursors(fc, p.columnType)
		cols, err := s.srv.records.Board(ctx, p.obj.name, p.field.name, q)
		if err != nil {
			return nil, err
		}
		grp := &group{}
		out := make([]any, len(cols))
		for i, c := range cols {
			conn := newConn(p.obj, c.ListResult, grp)
			scope := limitedTo(q, store.Leaf(p.field.name, store.OpEq, c.Stage.Value))
			conn.scope = &scope
			out[i] = &columnValue{stage: stageDefValue{field: p.field.f, stage: c.Stage}, conn: conn}
		}
		return out, nil
	}
}

func (s *execSchema) columnResolvers() map[string]resolver {
	col := func(p any) *columnValue { return p.(*columnValue) }
	return map[string]resolver{
		"sum":   s.sumResolver(func(p any) *connValue { return col(p).conn }),
		"stage": func(_ context.Context, p any, _ *fieldCall) (any, error) { return col(p).stage, nil },
		"totalCount": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(col(p).conn.res.Total), nil
		},
		"nodes": func(_ context.Context, p any, _ *fieldCall) (any, error) { return col(p).conn.nodes, nil },
		"pageInfo": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return pageInfoOf(col(p).conn.res, false), nil
		},
	}
}

// historyResolver serves <Type>.<field>History, loaded once per group.
func (s *execSchema) historyResolver(p *pipelineModel) resolver {
	return func(ctx context.Context, parent any, _ *fieldCall) (any, error) {
		rv := parent.(*recordValue)
		b := rv.grp.batch("history:" + p.field.name)
		b.once.Do(func() {
			seen := map[string]bool{}
			var ids []string
			for _, r := range rv.grp.snapshot() {
				if !seen[r.rec.ID] {
					seen[r.rec.ID] = true
					ids = append(ids, r.rec.ID)
				}
			}
			b.history, b.err = s.srv.records.StageHistory(ctx, p.obj.name, p.field.name, ids)
		})
		if b.err != nil {
			return nil, b.err
		}
		changes := b.history[rv.rec.ID]
		out := make([]any, len(changes))
		for i := range changes {
			out[i] = &changes[i]
		}
		return out, nil
	}
}

func stageChangeResolvers() map[string]resolver {
	sc := func(p any) *engine.StageChange { return p.(*engine.StageChange) }
	return map[string]resolver{
		"id":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return sc(p).ID, nil },
		"from": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(sc(p).From), nil },
		"to":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(sc(p).To), nil },
		"at":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return formatTime(sc(p).At), nil },
		"by":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return sc(p).By, nil },
		"secondsInPrevious": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			c := sc(p)
			if c.From == "" {
				return nil, nil
			}
			return c.InPrevious.Seconds(), nil
		},
	}
}

// pipelineDefResolvers serve PipelineDefinition (from a *schema.Field with
// a pipeline) and StageDefinition.
func pipelineDefResolvers() (pipeline, stage map[string]resolver) {
	fd := func(p any) *schema.Field { return p.(*schema.Field) }
	pipeline = map[string]resolver{
		"label": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Pipeline.Label, nil },
		"stages": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			f := fd(p)
			out := make([]any, len(f.Pipeline.Stages))
			for i, st := range f.Pipeline.Stages {
				out[i] = stageDefValue{field: f, stage: st}
			}
			return out, nil
		},
	}
	sd := func(p any) stageDefValue { return p.(stageDefValue) }
	strings := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	stage = map[string]resolver{
		"value": func(_ context.Context, p any, _ *fieldCall) (any, error) { return sd(p).stage.Value, nil },
		"label": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return sd(p).field.OptionLabels[sd(p).stage.Value], nil
		},
		"category": func(_ context.Context, p any, _ *fieldCall) (any, error) { return sd(p).stage.Category, nil },
		"color": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optString(sd(p).field.OptionColors[sd(p).stage.Value]), nil
		},
		"probability": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if pr := sd(p).stage.Probability; pr != nil {
				return *pr, nil
			}
			return nil, nil
		},
		"required": func(_ context.Context, p any, _ *fieldCall) (any, error) { return strings(sd(p).stage.Required), nil },
		"next": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if n := sd(p).stage.Next; n != nil {
				return strings(n), nil
			}
			return nil, nil
		},
	}
	return pipeline, stage
}
