// Package scripting is the goja sandbox that runs tenants' scripts and
// expressions: programs compiled once per script version (source maps
// disabled) and cached, a fresh runtime per run, per-run budgets (wall time,
// call stack, host calls, queries, records read and written, enqueued
// actions, log size, allocations by bulk built-ins), a per-tenant
// concurrency cap, a process memory watchdog, and the host API as the only
// way out.
//
// The engine builds one [Runner] with [New], implements [Host] for each
// call (tenant-scoped, with the caller's permissions) and calls
// [Runner.Run] with a [Call]; it gets a [Result] with field errors, changes
// (beforeSave), logs and enqueued actions. Formulas, validation rules and
// roll-up conditions use [Runner.EvalExpression] or a compiled
// [Expression]. A dry run passes a [DryRun] as the Host. Failures are
// [*ScriptError] values naming the script, line and column, wrapping
// [ErrException], [ErrCompile] or a [*LimitError] that names the limit and
// its value.
//
// Scripts see:
//
//	ctx.kind, ctx.object, ctx.record, ctx.old, ctx.stage {from, to}, ctx.params,
//	ctx.user {id, name, role, team, manager, isAdmin}
//	ctx.today ("2026-12-04", the tenant's date), ctx.timeZone ("Asia/Shanghai")
//	ctx.addError([field,] message)        validate, beforeSave; message a string or {zh, en}
//	ctx.set(field, value)                 beforeSave (or assign ctx.record.x)
//	crm.find(object, filter, {limit, sort}), crm.get(object, id)
//	crm.create(object, data), crm.update(object, id, patch)
//	crm.enqueue(type, payload)
//	log(...), console.log/info/warn/error/debug  (captured, never stdout)
//
// Nothing else: no require, process, fetch, timers, eval or Function
// constructor. Design, limits, how each of RELIABILITY.md's S1–S13 is met
// and the figures measured on a 2-core machine are in docs/scripting.md.
package scripting
