package engine

import (
	"context"
	"time"

	"github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/scripting"
)

// UsageFigure is one measure of what a tenant uses, over a window: "hour"
// (the last 60 minutes), "day" (the last 24 clock hours) or "now".
type UsageFigure struct {
	Name        string
	Window      string
	Value       float64
	Unit        string
	Description string
	// DescriptionZh is Description in Chinese.
	DescriptionZh string
	// Limit names the budget of [Engine.Limits] this figure is measured
	// against, "" when none.
	Limit string
}

// noteScriptRun counts a run of the engine's sandbox.
func (e *Engine) noteScriptRun(tenant string, d time.Duration, err error) {
	ms := float64(d) / float64(time.Millisecond)
	e.usage.Add(tenant, usage.ScriptRuns, 1)
	e.usage.Add(tenant, usage.ScriptMillis, ms)
	e.usage.Add(tenant, usage.ScriptLongest, ms)
	if err != nil {
		e.usage.Add(tenant, usage.ScriptFailures, 1)
		if scripting.StoppedByLimit(err) {
			e.usage.Add(tenant, usage.ScriptLimitStops, 1)
		}
	}
}

// Usage reports what the caller's tenant uses: script runs, their time and
// failures, API requests and those refused by the rate limit over the last
// hour and day (counted since the process started), and now the runs in
// flight, deliveries waiting, background jobs and stored bytes.
// Administrators only.
func (e *Engine) Usage(ctx context.Context) ([]UsageFigure, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a := sc.actor
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "limit.adminOnlyRead")
	}
	totals := e.usage.Totals(a.TenantID)
	var out []UsageFigure
	for _, c := range []struct {
		counter                          usage.Counter
		unit, description, descriptionZh string
		limit                            string
	}{
		{usage.ScriptRuns, "runs", "script runs (validation, hooks, automations' scripts, scheduled and test runs)", "脚本运行次数（校验、钩子、自动化脚本、定时和测试运行）", ""},
		{usage.ScriptFailures, "runs", "script runs that ended in an error", "以错误结束的脚本运行", ""},
		{usage.ScriptLimitStops, "runs", "script runs stopped by a budget (time, calls, memory, call stack)", "被限额（时间、调用次数、内存、调用栈）中止的脚本运行", ""},
		{usage.ScriptMillis, "ms", "time spent running scripts", "脚本运行耗时合计", ""},
		{usage.ScriptLongest, "ms", "the longest script run", "最长的一次脚本运行", "script.wallTime"},
		{usage.APIRequests, "requests", "authenticated API requests (the web app's included)", "已认证的接口请求（含网页应用的请求）", ""},
		{usage.APIRateLimited, "requests", "requests refused by the per-key rate limit", "被单密钥频率限制拒绝的请求", "api.ratePerKey"},
		{usage.AggregateRows, "records", "records read by aggregations (reports, dashboards, the aggregate queries)", "统计（报表、仪表盘、聚合查询）读取的记录数", "aggregate.rowsPerMinute"},
		{usage.AggregateRefused, "aggregations", "aggregations refused for reading too many records", "因读取记录过多而被拒绝的统计", "aggregate.rows"},
		{usage.ChannelSent, "messages", "notifications sent by e-mail and group robots (WeCom, DingTalk, Feishu), test messages included", "通过邮件和群机器人（企业微信、钉钉、飞书）发出的通知，含测试消息", ""},
		{usage.ChannelFailures, "attempts", "attempts to send a notification on a channel that failed (retried later or given up)", "通知渠道发送失败的次数（稍后重试或已放弃）", ""},
		{usage.AggregateCached, "aggregations", "aggregations answered from an earlier answer, kept because their records had not changed (they read nothing)", "因记录未变而直接沿用先前结果的统计（不读取记录）", ""},
	} {
		out = append(out,
			UsageFigure{Name: string(c.counter), Window: "hour", Value: totals.Hour[c.counter], Unit: c.unit, Description: c.description, DescriptionZh: c.descriptionZh, Limit: c.limit},
			UsageFigure{Name: string(c.counter), Window: "day", Value: totals.Day[c.counter], Unit: c.unit, Description: c.description, DescriptionZh: c.descriptionZh, Limit: c.limit})
	}
	r, err := e.scriptRunner()
	if err != nil {
		return nil, err
	}
	out = append(out, UsageFigure{Name: "script.inFlight", Window: "now", Value: float64(r.InFlight(a.TenantID)), Unit: "runs", Description: "script runs of this tenant running now", DescriptionZh: "本租户正在运行的脚本", Limit: "script.concurrent"})
	ops, err := e.tenantOps(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	out = append(out,
		UsageFigure{Name: "outbox.pending", Window: "now", Value: float64(ops.OutboxPending), Unit: "deliveries", Description: "webhook and notification deliveries waiting", DescriptionZh: "等待投递的 Webhook 和通知"},
		UsageFigure{Name: "jobs.running", Window: "now", Value: float64(ops.JobsRunning), Unit: "jobs", Description: "background jobs pending or running", DescriptionZh: "排队或运行中的后台任务"})
	if ops.StoreBytes >= 0 {
		out = append(out, UsageFigure{Name: "store.bytes", Window: "now", Value: float64(ops.StoreBytes), Unit: "bytes", Description: "space the tenant's data takes", DescriptionZh: "租户数据占用的空间"})
	}
	return out, nil
}
