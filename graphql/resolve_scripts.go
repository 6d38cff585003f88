package graphql

import (
	"context"
	"encoding/json"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/scripting"
)

func (s *execSchema) scriptResolvers(query, mutation map[string]resolver) {
	ops, admin := s.srv.ops, s.srv.admin
	query["limits"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		limits, err := ops.Limits(ctx)
		if err != nil {
			return nil, err
		}
		srv := s.srv
		limits = append(limits,
			engine.Limit{Name: "query.depth", Value: float64(srv.maxDepth), Unit: "levels", Description: "nesting of fields in one query", DescriptionZh: "单个查询中字段的嵌套层数"},
			engine.Limit{Name: "query.length", Value: float64(srv.maxQueryLength), Unit: "bytes", Description: "length of a query's text", DescriptionZh: "查询文本的长度"},
			engine.Limit{Name: "query.rootFields", Value: maxRootFields, Unit: "fields", Description: "root fields of one operation", DescriptionZh: "单个操作的根字段数"},
			engine.Limit{Name: "query.aliases", Value: maxAliases, Unit: "fields", Description: "aliased fields of one operation", DescriptionZh: "单个操作中使用别名的字段数"},
			engine.Limit{Name: "query.records", Value: maxNodes, Unit: "records", Description: "records one query may fetch, by the product of page sizes", DescriptionZh: "单个查询可获取的记录数（各层分页大小之积）"},
		)
		limits = append(limits, srv.extraLimits...)
		out := make([]any, len(limits))
		for i := range limits {
			out[i] = &limits[i]
		}
		return out, nil
	}
	query["usage"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		figures, err := ops.Usage(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(figures))
		for i := range figures {
			out[i] = &figures[i]
		}
		return out, nil
	}
	query["jobs"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		first, _ := fc.args["first"].(int64)
		jobs, err := ops.Jobs(ctx, int(first))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(jobs))
		for i := range jobs {
			out[i] = &jobs[i]
		}
		return out, nil
	}
	query["personalData"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		pd, err := admin.PersonalDataOf(ctx, fc.args["object"].(string), fc.args["id"].(string))
		if err != nil {
			return nil, err
		}
		refs := make([]any, len(pd.References))
		for i, r := range pd.References {
			refs[i] = map[string]any{"object": r.Object, "field": r.Field, "id": r.RecordID}
		}
		hist := make([]any, len(pd.History))
		for i, h := range pd.History {
			hist[i] = map[string]any{"field": h.Field, "from": h.From, "to": h.To, "at": formatTime(h.At), "by": h.By}
		}
		audit := make([]any, len(pd.Audit))
		for i, a := range pd.Audit {
			audit[i] = map[string]any{"at": formatTime(a.At), "actor": a.Actor, "door": a.Door, "action": a.Action, "changes": a.Changes}
		}
		r := pd.Record
		return rawJSON(map[string]any{
			"object": pd.Object,
			"record": map[string]any{"id": r.ID, "version": r.Version, "createdAt": formatTime(r.CreatedAt), "updatedAt": formatTime(r.UpdatedAt),
				"createdBy": r.CreatedBy, "updatedBy": r.UpdatedBy, "ownerId": r.OwnerID, "data": r.Data},
			"references": refs, "stageHistory": hist, "auditTrail": audit,
		})
	}
	query["roles"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		roles, err := admin.Roles(ctx)
		if err != nil {
			return nil, err
		}
		return rawJSON(roles)
	}
	mutation["saveRole"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		var role engine.Role
		if err := strictJSON(fc.args["definition"], &role); err != nil {
			return nil, badRequestf("the role is {name, label: {zh, en}, objects: {object: {read, create, update, delete, fields: {field: \"hidden\" | \"readOnly\" | \"masked\"}}}}: %v", err)
		}
		if err := admin.SaveRole(ctx, role); err != nil {
			return nil, err
		}
		return rawJSON(role)
	}
	mutation["deleteRole"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if err := admin.DeleteRole(ctx, fc.args["name"].(string)); err != nil {
			return nil, err
		}
		return true, nil
	}
	mutation["erasePersonalData"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if err := admin.ErasePersonalData(ctx, fc.args["object"].(string), fc.args["id"].(string)); err != nil {
			return nil, err
		}
		return true, nil
	}
	mutation["testScript"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		record, err := jsonObject(fc.args["record"], "record")
		if err != nil {
			return nil, err
		}
		old, err := jsonObject(fc.args["old"], "old")
		if err != nil {
			return nil, err
		}
		return ops.TestScript(ctx, fc.args["object"].(string), fc.args["kind"].(string), fc.args["source"].(string), record, old)
	}
	mutation["testExpression"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		record, err := jsonObject(fc.args["record"], "record")
		if err != nil {
			return nil, err
		}
		resultType, _ := fc.args["resultType"].(string)
		return ops.TestExpression(ctx, fc.args["object"].(string), fc.args["expression"].(string), resultType, record)
	}
}

func expressionTestResolvers() map[string]resolver {
	x := func(p any) *engine.ExpressionTest { return p.(*engine.ExpressionTest) }
	return map[string]resolver{
		"value":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rawJSON(x(p).Value) },
		"truthy": func(_ context.Context, p any, _ *fieldCall) (any, error) { return x(p).Truthy, nil },
		"error":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(x(p).Error), nil },
	}
}

// jsonObject decodes a JSON argument that must be an object (or absent).
func jsonObject(v any, name string) (map[string]any, error) {
	raw, ok := v.(json.RawMessage)
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, badRequestf("%s must be a JSON object", name)
	}
	return m, nil
}

func rawJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

func scriptTypeResolvers() (limit, job, result, fieldErr, log map[string]resolver) {
	l := func(p any) *engine.Limit { return p.(*engine.Limit) }
	limit = map[string]resolver{
		"name":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return l(p).Name, nil },
		"value": func(_ context.Context, p any, _ *fieldCall) (any, error) { return l(p).Value, nil },
		"unit":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return l(p).Unit, nil },
		"description": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return inLanguage(fc, l(p).Description, l(p).DescriptionZh), nil
		},
	}
	j := func(p any) *engine.Job { return p.(*engine.Job) }
	job = map[string]resolver{
		"id":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return j(p).ID, nil },
		"kind":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return j(p).Kind, nil },
		"object": func(_ context.Context, p any, _ *fieldCall) (any, error) { return j(p).Object, nil },
		"fields": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(j(p).Fields))
			for i, f := range j(p).Fields {
				out[i] = f
			}
			return out, nil
		},
		"status":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return j(p).Status, nil },
		"total":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(j(p).Total), nil },
		"done":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(j(p).Done), nil },
		"changed":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(j(p).Changed), nil },
		"missing":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(j(p).Missing), nil },
		"error":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(j(p).Error), nil },
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(j(p).CreatedAt), nil },
		"finishedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if f := j(p).FinishedAt; f != "" {
				return outDateTime(f), nil
			}
			return nil, nil
		},
	}
	r := func(p any) *engine.ScriptTest { return p.(*engine.ScriptTest) }
	result = map[string]resolver{
		"error": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(r(p).Error), nil },
		"errors": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(r(p).Result.Errors))
			for i := range r(p).Result.Errors {
				out[i] = &r(p).Result.Errors[i]
			}
			return out, nil
		},
		"changes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if r(p).Result.Changes == nil {
				return nil, nil
			}
			return rawJSON(r(p).Result.Changes)
		},
		"logs": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(r(p).Result.Logs))
			for i := range r(p).Result.Logs {
				out[i] = &r(p).Result.Logs[i]
			}
			return out, nil
		},
		"logsTruncated": func(_ context.Context, p any, _ *fieldCall) (any, error) { return r(p).Result.LogsTruncated, nil },
		"enqueued": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if r(p).Result.Enqueued == nil {
				return json.RawMessage("[]"), nil
			}
			return rawJSON(r(p).Result.Enqueued)
		},
		"writes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if r(p).Writes == nil {
				return json.RawMessage("[]"), nil
			}
			return rawJSON(r(p).Writes)
		},
		"stats": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			st := r(p).Result.Stats
			return rawJSON(map[string]any{"durationMs": float64(st.Duration.Microseconds()) / 1000, "hostCalls": st.HostCalls,
				"queries": st.Queries, "reads": st.Reads, "writes": st.Writes, "enqueued": st.Enqueued})
		},
	}
	fieldErr = map[string]resolver{
		"field": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fieldErrOf(p).Field, nil },
		"message": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return inLanguage(fc, fieldErrOf(p).Message, fieldErrOf(p).MessageZh), nil
		},
	}
	log = map[string]resolver{
		"level":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return logOf(p).Level, nil },
		"message": func(_ context.Context, p any, _ *fieldCall) (any, error) { return logOf(p).Message, nil },
	}
	return limit, job, result, fieldErr, log
}

func fieldErrOf(p any) *scripting.FieldError { return p.(*scripting.FieldError) }
func logOf(p any) *scripting.LogEntry        { return p.(*scripting.LogEntry) }

func usageFigureResolvers() map[string]resolver {
	u := func(p any) *engine.UsageFigure { return p.(*engine.UsageFigure) }
	return map[string]resolver{
		"name":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Name, nil },
		"window": func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Window, nil },
		"value":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Value, nil },
		"unit":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Unit, nil },
		"description": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return inLanguage(fc, u(p).Description, u(p).DescriptionZh), nil
		},
		"limit": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(u(p).Limit), nil },
	}
}

// inLanguage picks the request's language of a text given in English and
// Chinese (English when there is no Chinese).
func inLanguage(fc *fieldCall, en, zh string) string {
	if fc.req.lang == "en" || zh == "" {
		return en
	}
	return zh
}
