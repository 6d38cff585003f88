package engine

import (
	"context"
	"errors"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// ScriptTest is the outcome of running a script that is not saved yet.
type ScriptTest struct {
	Result *scripting.Result
	// Writes are the creates and updates the script would have made.
	Writes []scripting.DryWrite
	// Error is the failure of the run (an exception, a limit), "" if none.
	Error string
}

// TestScript runs a script of the given kind against a sample record
// without writing anything: reads see the tenant's data, writes and
// actions are only reported. Administrators only.
func (e *Engine) TestScript(ctx context.Context, object, kind, source string, record, old map[string]any) (*ScriptTest, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "script.adminOnlyTest")
	}
	r, err := e.scriptRunner()
	if err != nil {
		return nil, err
	}
	w := &writer{e: e, ts: ts, snap: snap, actor: a}
	dry := scripting.NewDryRun(publicHost{&scriptHost{w: w, script: object + ".test"}})
	s := scripting.Script{Tenant: a.TenantID, ID: object + ".test", Name: object + ".test", Version: obj.Version,
		Kind: scripting.Kind(kind), Source: source}
	call := scripting.Call{Script: s, Object: object, Record: record, Old: old, Host: dry, User: w.scriptUser(), Today: w.clock().today(w.e.stamp()), TimeZone: w.clock().settings.TimeZone}
	if kind == string(scripting.KindStageChange) {
		from, _ := old[fieldOfPipeline(obj)].(string)
		to, _ := record[fieldOfPipeline(obj)].(string)
		call.Stage = &scripting.StageChange{From: from, To: to}
	}
	res, err := r.Run(ctx, call)
	out := &ScriptTest{Result: res, Writes: dry.Writes()}
	if out.Result == nil {
		out.Result = &scripting.Result{}
	}
	if err != nil {
		var se *scripting.ScriptError
		if !errors.As(err, &se) && !errors.Is(err, scripting.ErrCompile) {
			var le *scripting.LimitError
			if !errors.As(err, &le) {
				return nil, err
			}
		}
		out.Error = trimmed{err}.Error()
	}
	return out, nil
}

func fieldOfPipeline(obj *schema.Object) string {
	for _, f := range obj.Fields {
		if f.Pipeline != nil {
			return f.Name
		}
	}
	return ""
}

// Limit is one budget in force for the tenant.
type Limit struct {
	Name        string
	Value       float64
	Unit        string
	Description string
	// DescriptionZh is Description in Chinese ("" when there is none).
	DescriptionZh string
}

// Limits lists every budget that applies to the tenant, with its current
// value: scripts, automations and queries. Administrators only.
func (e *Engine) Limits(ctx context.Context) ([]Limit, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a := sc.actor
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "limit.adminOnlyRead")
	}
	r, err := e.scriptRunner()
	if err != nil {
		return nil, err
	}
	l := r.LimitsFor(a.TenantID)
	return []Limit{
		{"script.wallTime", float64(l.WallTime.Milliseconds()), "ms", "time one script, rule or formula may run", "单个脚本、规则或公式的运行时长"},
		{"script.callStack", float64(l.MaxCallStack), "frames", "depth of nested function calls in a script", "脚本中函数嵌套调用的深度"},
		{"script.hostCalls", float64(l.MaxHostCalls), "calls", "crm.* calls per script run", "每次运行可调用 crm.* 的次数"},
		{"script.queries", float64(l.MaxQueries), "queries", "crm.find and crm.get calls per run", "每次运行可调用 crm.find 和 crm.get 的次数"},
		{"script.reads", float64(l.MaxReads), "records", "records read per run", "每次运行可读取的记录数"},
		{"script.writes", float64(l.MaxWrites), "records", "crm.create and crm.update calls per run", "每次运行可调用 crm.create 和 crm.update 的次数"},
		{"script.enqueued", float64(l.MaxEnqueued), "actions", "crm.enqueue calls per run", "每次运行可调用 crm.enqueue 的次数"},
		{"script.log", float64(l.MaxLogBytes), "bytes", "log output kept per run", "每次运行保留的日志输出"},
		{"script.string", float64(l.MaxStringLength), "characters", "longest string a built-in may build", "内置函数可生成的最长字符串"},
		{"script.array", float64(l.MaxArrayLength), "elements", "longest array a built-in may walk", "内置函数可遍历的最长数组"},
		{"script.alloc", float64(l.MaxAllocBytes), "bytes", "bytes built-ins may produce per run", "每次运行内置函数可生成的字节数"},
		{"script.source", float64(l.MaxSourceBytes), "bytes", "size of a script or expression", "脚本或表达式的大小"},
		{"script.concurrent", float64(l.MaxConcurrent), "runs", "runs of this tenant at once", "本租户同时运行的脚本数"},
		{"automation.depth", float64(e.maxDepth), "levels", "writes caused by automations, scripts and roll-ups nested in one write", "一次写入中由自动化、脚本和汇总引发的嵌套写入层数"},
		{"query.pageSize", MaxPageSize, "records", "largest page a list returns (first)", "列表单页返回的最多记录数（first）"},
		{"bulk.writes", MaxBulkWrites, "writes", "writes one bulk call may carry (createDeals, updateDeals …)", "单次批量调用可包含的写入数（createDeals、updateDeals 等）"},
		{"aggregate.groups", MaxGroups, "groups", "groups one aggregation returns (first)", "单次统计返回的最多分组数（first）"},
		{"aggregate.rows", float64(e.aggregateRows), "records", "records one aggregation may read", "单次统计可读取的记录数"},
		{"aggregate.rowsPerMinute", float64(e.aggregatePerMinute), "records/minute", "records this tenant's aggregations may read per minute", "本租户的统计每分钟可读取的记录数"},
		{"unique.guesses", float64(e.guesses.perHour), "values/hour", "new values a role may give one unique field it cannot see whole (masked, or on a private object), per principal and field", "角色对看不到完整值的唯一字段（掩码或私有对象）每小时可尝试的新值数，按用户和字段计"},
		{store.LimitFilterNodes, store.MaxFilterNodes, "conditions", "conditions and and/or/not of one filter", "单个筛选的条件及 and/or/not 数量"},
		{store.LimitFilterDepth, store.MaxFilterDepth, "levels", "nesting of and/or/not in one filter", "单个筛选中 and/or/not 的嵌套层数"},
		{store.LimitFilterList, store.MaxFilterList, "values", "values of one in, nin or hasAll", "单个 in、nin 或 hasAll 的取值个数"},
		{store.LimitFilterValues, store.MaxFilterValues, "values", "values of one filter, lists included", "单个筛选的取值总数（含列表）"},
		{store.LimitFilterString, store.MaxFilterString, "characters", "length of one filter value", "单个筛选值的长度"},
	}, nil
}

// Scheduled scripts run from the worker: a platform record per script
// holds its next run, computed from its schedule.
const scheduleObject = "crmSchedule"

// runScheduled runs a tenant's scheduled scripts that are due; a script
// seen for the first time (or with a new schedule) is only scheduled.
func (e *Engine) runScheduled(ctx context.Context, tenantID string) (int, error) {
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	type job struct {
		obj *schema.Object
		s   schema.Script
	}
	var jobs []job
	for _, o := range snap.catalog.Objects {
		for _, s := range o.Scripts {
			if s.Active && s.Kind == string(scripting.KindScheduled) {
				jobs = append(jobs, job{o, s})
			}
		}
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	schedules, err := e.platformObject(ctx, ts, snap, scheduleObject)
	if err != nil {
		return 0, err
	}
	ctx = WithDoor(ctx, "script")
	w, err := e.newWriter(ctx, ts, snap, automationActor(tenantID))
	if err != nil {
		return 0, err
	}
	ran := 0
	now := e.stamp()
	zone := snap.zone()
	for _, j := range jobs {
		sched, err := schema.ParseSchedule(j.s.Schedule)
		if err != nil {
			continue // refused when saved; an old definition may hold one
		}
		id := j.obj.Name + "." + j.s.Name
		state, err := ts.Get(ctx, schedules, id)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && (state.Data["schedule"] != j.s.Schedule || state.Data["zone"] != zone.String()):
			// New, changed, or the tenant's time zone changed.
			next := sched.Next(now, zone).Format(schema.DateTimeLayout)
			err := ts.WithTx(ctx, func(tx store.Tx) error {
				rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
					Data: map[string]any{"object": j.obj.Name, "script": j.s.Name, "schedule": j.s.Schedule, "zone": zone.String(), "nextRunAt": next}}
				cur, err := tx.Get(ctx, schedules, id)
				if errors.Is(err, store.ErrNotFound) {
					return tx.Insert(ctx, schedules, rec)
				} else if err != nil {
					return err
				}
				rec.Version, rec.CreatedAt = cur.Version+1, cur.CreatedAt
				return tx.Update(ctx, schedules, rec, cur.Version)
			})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return ran, err
			}
			continue
		case err != nil:
			return ran, err
		}
		due, _ := state.Data["nextRunAt"].(string)
		if due > now.Format(schema.DateTimeLayout) {
			continue
		}
		// Claim the run under the schedule's lease (several servers on
		// one database: one of them runs it) and by moving nextRunAt on;
		// another worker that read the same state loses the version race.
		if mine, err := e.lease(ctx, "schedule|"+tenantID+"|"+id, e.longLease()); err != nil {
			return ran, err
		} else if !mine {
			continue
		}
		claimed := state
		claimed.Data = cloneMap(state.Data)
		claimed.Data["nextRunAt"] = sched.Next(now, zone).Format(schema.DateTimeLayout)
		claimed.Data["lastRunAt"] = now.Format(schema.DateTimeLayout)
		claimed.Version, claimed.UpdatedAt = state.Version+1, now
		var runErr error
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Update(ctx, schedules, claimed, state.Version); err != nil {
				return err
			}
			_, runErr = w.runScriptOn(ctx, tx, j.obj, j.s, nil, store.Record{}, nil)
			return runErr
		})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if runErr != nil {
			e.log.WarnContext(ctx, "scheduled script failed", "tenant", tenantID, "script", id, "err", runErr)
			claimed.Data["lastError"] = truncate(runErr.Error(), 2000)
			_ = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, schedules, claimed, state.Version) })
			continue
		}
		if err != nil {
			return ran, err
		}
		ran++
	}
	return ran, nil
}

// ExpressionTest is the outcome of evaluating an expression (a validation
// rule's condition or a formula) that is not saved yet.
type ExpressionTest struct {
	// Value is the result, converted as a formula of the result type
	// would store it (nil: no value).
	Value any
	// Truthy says whether a validation rule with this condition would
	// refuse the record.
	Truthy bool
	// Error is the failure (syntax with line and column, a limit, a
	// result the type cannot hold), "" if none.
	Error string
}

// TestExpression evaluates an expression against a sample record of
// object, as a validation rule's condition and as a formula whose JSON
// Schema type is resultType (number, integer, boolean or string; ""
// means string), without saving anything. Administrators only.
func (e *Engine) TestExpression(ctx context.Context, object, expression, resultType string, record map[string]any) (*ExpressionTest, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	if !sc.actor.Admin {
		return nil, errorOf(ErrForbidden, nil, "script.adminOnlyTest")
	}
	kinds := map[string]schema.Kind{"number": schema.KindNumber, "integer": schema.KindInteger, "boolean": schema.KindBoolean, "string": schema.KindString, "": schema.KindString}
	kind, ok := kinds[resultType]
	if !ok {
		return nil, errorOf(ErrBadRequest, nil, "script.badResultType", resultType)
	}
	r, err := e.scriptRunner()
	if err != nil {
		return nil, err
	}
	out := &ExpressionTest{}
	v, err := r.EvalExpression(ctx, expression, recordMap(nil, record))
	if err != nil {
		var se *scripting.ScriptError
		var le *scripting.LimitError
		if !errors.As(err, &se) && !errors.Is(err, scripting.ErrCompile) && !errors.As(err, &le) {
			return nil, err
		}
		out.Error = trimmed{err}.Error()
		return out, nil
	}
	out.Truthy = truthy(v)
	if out.Value, err = formulaValueOf(kind, v); err != nil {
		out.Error = err.Error()
	}
	return out, nil
}
