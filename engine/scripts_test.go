package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

const scriptedDeal = `{"$id": "deal", "type": "object", "properties": {
  "title":    {"type": "string", "maxLength": 20, "x-crm-type": "text"},
  "amount":   {"type": "number", "minimum": 0, "x-crm-type": "currency"},
  "discount": {"type": "number", "x-crm-type": "percent"},
  "net":      {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount * (1 - (discount || 0) / 100)"}},
  "phone":    {"type": "string", "x-crm-type": "phone"},
  "score":    {"type": "integer", "x-crm-type": "integer"},
  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
  "stage":    {"type": "string", "enum": ["open", "won", "lost"], "default": "open", "x-crm-type": "picklist",
    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}, {"value": "lost", "category": "lost"}]}}},
  "required": ["title"],
  "x-crm-validations": [
    {"name": "wonNeedsDate", "condition": "stage === \"won\" && !closeDate", "field": "closeDate",
     "message": {"zh": "赢单需要填写成交日期", "en": "A won deal needs a close date"}}],
  "x-crm-scripts": [
    {"name": "discountCap", "kind": "validate", "source": "if (ctx.record.discount > 30) ctx.addError('discount', '折扣超过 30% 需要审批')"},
    {"name": "normalize", "kind": "beforeSave", "source": "if (ctx.record.phone) ctx.set('phone', ctx.record.phone.replace(/[^0-9+]/g, '')); ctx.set('score', (ctx.record.amount || 0) > 1000 ? 90 : 10); ctx.set('net', 1)"},
    {"name": "followUp", "kind": "onStageChange", "source": "if (ctx.stage.to === 'won') { crm.create('task', {subject: '交付 ' + ctx.record.title, deal: ctx.record.id}); crm.enqueue('webhook', {url: 'https://erp.example.com/won', deal: ctx.record.id}) }"},
    {"name": "audit", "kind": "afterSave", "source": "log('saved ' + ctx.record.id)"}
  ]}`

const scriptedTask = `{"$id": "task", "type": "object", "properties": {
  "subject": {"type": "string", "x-crm-type": "text"},
  "deal":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "deal"}},
  "required": ["subject"]}`

// scriptEngine runs scripts with a short wall time, so that tests of a
// script that never ends finish quickly.
func scriptEngine(t *testing.T, defs ...string) (*engine.Engine, context.Context) {
	t.Helper()
	return scriptEngineWithin(t, 200*time.Millisecond, defs...)
}

// scriptEngineWithin runs scripts within wall; tests that only need
// scripts to finish give them room on a busy machine.
func scriptEngineWithin(t *testing.T, wall time.Duration, defs ...string) (*engine.Engine, context.Context) {
	t.Helper()
	runner, err := scripting.New(scripting.Config{Limits: scripting.Limits{WallTime: wall}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Close() })
	tn := testkit.New(t, "acme", testkit.Named("acme"), testkit.AsActor("user:li"), testkit.WithOtherTenants("other"),
		testkit.WithConfig(func(c *engine.Config) { c.Scripts = runner }), testkit.WithObjects(defs...))
	return tn.Engine, tn.Admin
}

func TestScripts_ValidateBeforeSaveAndRules(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngineWithin(t, 10*time.Second, scriptedTask, scriptedDeal)

	_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "一个非常非常非常非常非常非常长的标题啊啊啊", "discount": 40.0, "amount": -1.0, "stage": "won"})
	assert.Equal(t, map[string]string{"title": "maxLength", "amount": "minimum", "discount": "script", "closeDate": "rule"}, fieldErrors(t, err),
		"schema, script and rule problems in one response")
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range ve.Fields {
		switch f.Field {
		case "discount":
			assert.Equal(t, "折扣超过 30% 需要审批", f.MessageZh)
		case "closeDate":
			assert.Equal(t, "赢单需要填写成交日期", f.MessageZh)
			assert.Equal(t, "A won deal needs a close date", f.Message)
		}
	}

	rec, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "华为", "amount": 2000.0, "discount": 10.0, "phone": "138-0013 8000"})
	require.NoError(t, err)
	assert.Equal(t, "13800138000", rec.Data["phone"], "beforeSave normalised it")
	assert.Equal(t, 90.0, rec.Data["score"], "beforeSave derived it")
	assert.Equal(t, 1800.0, rec.Data["net"], "the formula, not the script's attempt to set it")

	_, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"discount": 50.0}, nil)
	assert.Equal(t, map[string]string{"discount": "script"}, fieldErrors(t, err), "validate runs on updates")
	rec, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"amount": 100.0}, nil)
	require.NoError(t, err)
	assert.Equal(t, 90.0, rec.Data["net"], "formulas follow every write")
	page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: &store.Filter{Field: "net", Op: store.OpGt, Value: 50.0}})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1, "formula values are stored and filter like any field")
}

// A script's problem may come in both languages, and a beforeSave
// script's problem refuses the write as a validate script's does.
func TestScripts_ProblemsInBothLanguages(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngineWithin(t, 10*time.Second, `{"$id": "order", "type": "object", "properties": {
  "title":    {"type": "string", "x-crm-type": "text"},
  "discount": {"type": "number", "x-crm-type": "percent"},
  "coupon":   {"type": "string", "x-crm-type": "text"}},
  "x-crm-scripts": [
    {"name": "cap", "kind": "validate", "source": "if (ctx.record.discount > 30) ctx.addError('discount', {zh: '折扣超过 ' + 30 + '%', en: 'Discount over 30%'})"},
    {"name": "zhOnly", "kind": "validate", "source": "if (ctx.record.title === 'x') ctx.addError('title', {zh: '标题太短'})"},
    {"name": "coupon", "kind": "beforeSave", "source": "if (ctx.record.coupon === 'USED') ctx.addError('coupon', {zh: '优惠券已使用', en: 'The coupon was used'})"}]}`)

	_, err := eng.CreateRecord(ctx, "order", map[string]any{"title": "x", "discount": 40.0, "coupon": "USED"})
	assert.Equal(t, map[string]string{"discount": "script", "title": "script", "coupon": "script"}, fieldErrors(t, err))
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	got := map[string][2]string{}
	for _, f := range ve.Fields {
		got[f.Field] = [2]string{f.MessageZh, f.Message}
	}
	assert.Equal(t, map[string][2]string{
		"discount": {"折扣超过 30%", "Discount over 30%"},
		"title":    {"标题太短", "标题太短"},
		"coupon":   {"优惠券已使用", "The coupon was used"},
	}, got)
	page, err := eng.ListRecords(ctx, "order", engine.ListQuery{})
	require.NoError(t, err)
	assert.Empty(t, page.Records, "nothing written")

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"title": "ok", "discount": 5.0, "coupon": "NEW"})
	require.NoError(t, err)
}

func TestScripts_AfterTheWrite(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t, scriptedTask, scriptedDeal)
	rec, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "比亚迪"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"stage": "won", "closeDate": "2026-12-01"}, nil)
	require.NoError(t, err)
	tasks, err := eng.ListRecords(ctx, "task", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, tasks.Records, 1)
	assert.Equal(t, map[string]any{"subject": "交付 比亚迪", "deal": rec.ID}, tasks.Records[0].Data)
	out, err := eng.Outbox(ctx, "", 10)
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, "https://erp.example.com/won", out[0].URL)
	assert.Equal(t, rec.ID, out[0].Payload["deal"])
	audit, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "task"})
	require.NoError(t, err)
	assert.Equal(t, "script", audit[0].Door)
}

// TestScripts_AnswerIsTheCommittedRecord checks that a write answers with
// the record as its transaction committed it, after its own afterSave
// script changed it again (a new version).
func TestScripts_AnswerIsTheCommittedRecord(t *testing.T) {
	t.Parallel()
	const lead = `{"$id": "lead", "type": "object", "properties": {
  "name":       {"type": "string", "x-crm-type": "text"},
  "status":     {"type": "string", "enum": ["new", "qualified", "converted"], "default": "new", "x-crm-type": "picklist"},
  "convertNow": {"type": "boolean", "x-crm-type": "boolean"}},
  "x-crm-scripts": [
    {"name": "convert", "kind": "afterSave", "source": "if (ctx.record.convertNow) crm.update('lead', ctx.record.id, {status: 'converted', convertNow: null})"}]}`
	eng, ctx := scriptEngine(t, lead)
	created, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "苏州精研", "convertNow": true})
	require.NoError(t, err)
	stored, err := eng.GetRecord(ctx, "lead", created.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, created, "create answers with what was committed")
	assert.Equal(t, "converted", created.Data["status"])
	assert.Equal(t, int64(2), created.Version)

	plain, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "无锡"})
	require.NoError(t, err)
	updated, err := eng.UpdateRecord(ctx, "lead", plain.ID, map[string]any{"status": "qualified", "convertNow": true}, nil)
	require.NoError(t, err)
	stored, err = eng.GetRecord(ctx, "lead", plain.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, updated, "update answers with what was committed")
	assert.Equal(t, "converted", updated.Data["status"])
	assert.Equal(t, int64(3), updated.Version)
}

func TestScripts_FailuresStopTheWrite(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t, scriptedTask, `{"$id": "lead", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [
	    {"name": "spin", "kind": "validate", "source": "if (ctx.record.name === 'loop') { while (true) {} }"},
	    {"name": "boom", "kind": "beforeSave", "source": "if (ctx.record.name === 'boom') {\n  var x = null;\n  x.explode();\n}"},
	    {"name": "sneaky", "kind": "validate", "source": "if (ctx.record.name === 'write') crm.create('task', {subject: 'x'})"},
	    {"name": "peek", "kind": "afterSave", "source": "if (ctx.record.name === 'peek' && crm.get('lead', ctx.record.name + 'x') !== null) throw new Error('leak')"}
	  ]}`)
	scenarios := []struct {
		name    string
		message string
	}{
		{"loop", "script lead.spin failed"},
		{"boom", "lead.boom"},
		{"write", "only afterSave, onStageChange and scheduled scripts may write"},
	}
	for _, s := range scenarios {
		_, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": s.name})
		require.Error(t, err, s.name)
		assert.Equal(t, engine.CodeScriptFailed, engine.CodeOf(err), "%s: %v", s.name, err)
		assert.ErrorContains(t, err, s.message)
	}
	_, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "loop"})
	assert.ErrorContains(t, err, "200ms", "the limit and its value")
	_, err = eng.CreateRecord(ctx, "lead", map[string]any{"name": "boom"})
	assert.ErrorContains(t, err, "line 3", "the line of the exception")
	page, err := eng.ListRecords(ctx, "lead", engine.ListQuery{})
	require.NoError(t, err)
	assert.Empty(t, page.Records, "no failed write left anything behind")
	_, err = eng.CreateRecord(ctx, "lead", map[string]any{"name": "fine"})
	require.NoError(t, err, "the server goes on")
}

func TestScripts_OtherTenantsIDsDoNotExist(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t, scriptedTask)
	other := engine.WithActor(context.Background(), engine.Actor{TenantID: "other", ID: "user:o", Admin: true})
	_, err := eng.SaveObject(other, []byte(scriptedTask), engine.SaveOptions{})
	require.NoError(t, err)
	secret, err := eng.CreateRecord(other, "task", map[string]any{"subject": "机密"})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "probe", "type": "object", "properties": {"target": {"type": "string", "x-crm-type": "text"}, "seen": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [{"name": "look", "kind": "beforeSave", "source": "var t = crm.get('task', ctx.record.target); var f = crm.find('task', {field: 'id', op: 'eq', value: ctx.record.target}, {limit: 5}); ctx.set('seen', JSON.stringify([t, f.length]))"}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(ctx, "probe", map[string]any{"target": secret.ID})
	require.NoError(t, err)
	assert.Equal(t, "[null,0]", rec.Data["seen"], "another tenant's id reads as one that does not exist")
}

func TestScripts_RefusedAtSave(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "x", "type": "object", "properties": {"a": {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "1 +"}}},
	  "x-crm-scripts": [{"name": "s", "kind": "validate", "source": "if (x {"}],
	  "x-crm-validations": [{"name": "r", "condition": "a ===", "message": {"zh": "x"}}]}`), engine.SaveOptions{})
	var de *schema.DefinitionError
	require.ErrorAs(t, err, &de)
	paths := map[string]string{}
	for _, p := range de.Problems {
		paths[p.Path] = p.Message
	}
	assert.Contains(t, paths["/x-crm-scripts/0/source"], "does not compile")
	assert.Contains(t, paths["/x-crm-scripts/0/source"], "line 1, column 7")
	assert.Contains(t, paths["/x-crm-validations/0/condition"], "does not compile")
	assert.Contains(t, paths["/properties/a/x-crm-formula/expression"], "does not compile")
}

func TestFormulas_RecomputedInTheBackground(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngineWithin(t, 10*time.Second, `{"$id": "item", "type": "object", "properties": {
	  "price": {"type": "number", "x-crm-type": "currency"},
	  "qty":   {"type": "integer", "x-crm-type": "integer"}}}`)
	for i := range 450 { // more than two batches
		_, err := eng.CreateRecord(ctx, "item", map[string]any{"price": 2.5, "qty": float64(i % 3)})
		require.NoError(t, err)
	}
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "item", "type": "object", "properties": {
	  "price": {"type": "number", "x-crm-type": "currency"},
	  "qty":   {"type": "integer", "x-crm-type": "integer"},
	  "total": {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "price * qty"}}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	jobs, err := eng.Jobs(ctx, 10)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, engine.JobPending, jobs[0].Status)
	assert.Equal(t, []string{"total"}, jobs[0].Fields)

	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	jobs, err = eng.Jobs(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, engine.JobRunning, jobs[0].Status, "progress is visible")
	assert.EqualValues(t, 450, jobs[0].Total)
	assert.EqualValues(t, 200, jobs[0].Done)
	for range 3 {
		_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	jobs, err = eng.Jobs(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, engine.JobDone, jobs[0].Status)
	assert.EqualValues(t, 450, jobs[0].Done)
	assert.EqualValues(t, 450, jobs[0].Changed, "every record gets its total")
	n, err := eng.CountRecords(ctx, "item", &store.Filter{Field: "total", Op: store.OpEq, Value: 5.0})
	require.NoError(t, err)
	assert.EqualValues(t, 150, n)
}

// Schedules are read in the tenant's time zone: "0 8 * * *" is eight
// o'clock in Shanghai by default, and in London once the tenant moves
// there.
func TestScripts_Scheduled(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2026, 6, 1, 7, 30, 0, 0, cst))
	runner, err := scripting.New(scripting.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Close() })
	tn := testkit.New(t, "acme", testkit.AsActor("user:li"), testkit.WithClock(clk),
		testkit.WithConfig(func(c *engine.Config) { c.Scripts = runner }),
		testkit.WithObjects(`{"$id": "digest", "type": "object", "properties": {"note": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [{"name": "morning", "kind": "scheduled", "schedule": "0 8 * * *", "source": "crm.create('digest', {note: 'open: ' + crm.find('digest', {}, {limit: 100}).length + ' on ' + ctx.today})"}]}`))
	eng, ctx := tn.Engine, tn.Admin
	notes := func() []any {
		page, err := eng.ListRecords(ctx, "digest", engine.ListQuery{})
		require.NoError(t, err)
		var out []any
		for _, r := range page.Records {
			out = append(out, r.Data["note"])
		}
		return out
	}
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, stats.Scripts, "first seen: only scheduled")
	clk.Set(time.Date(2026, 6, 1, 8, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Scripts)
	assert.Equal(t, []any{"open: 0 on 2026-06-01"}, notes())
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, stats.Scripts, "once per moment")
	clk.Set(time.Date(2026, 6, 2, 8, 0, 30, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Len(t, notes(), 2, "the next day")

	london := "Europe/London"
	_, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{TimeZone: &london})
	require.NoError(t, err)
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	clk.Set(time.Date(2026, 6, 2, 7, 59, 0, 0, mustZone(t, london)))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Len(t, notes(), 2, "not before eight in London (15:00 in Shanghai)")
	clk.Set(time.Date(2026, 6, 2, 8, 0, 0, 0, mustZone(t, london)))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, "open: 2 on 2026-06-02", notes()[2], "eight in London")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	require.NoError(t, err)
	return z
}

func TestScripts_TestBeforeSaving(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t, scriptedTask, scriptedDeal)
	res, err := eng.TestScript(ctx, "deal", "onStageChange",
		"log('moving ' + ctx.stage.from + ' → ' + ctx.stage.to); crm.create('task', {subject: 'x'}); crm.enqueue('notify', {recipients: ['li']})",
		map[string]any{"title": "t", "stage": "won", "amount": 50.0}, map[string]any{"title": "t", "stage": "open"})
	require.NoError(t, err)
	assert.Empty(t, res.Error)
	require.Len(t, res.Result.Logs, 1)
	assert.Equal(t, "moving open → won", res.Result.Logs[0].Message)
	require.Len(t, res.Writes, 1)
	assert.Equal(t, "task", res.Writes[0].Object)
	assert.Len(t, res.Result.Enqueued, 1)
	res, err = eng.TestScript(ctx, "deal", "validate", "if (ctx.record.amount > 10) ctx.addError('amount', 'too big')", map[string]any{"amount": 50.0}, nil)
	require.NoError(t, err)
	require.Len(t, res.Result.Errors, 1)
	assert.Equal(t, "too big", res.Result.Errors[0].Message)
	tasks, err := eng.ListRecords(ctx, "task", engine.ListQuery{})
	require.NoError(t, err)
	assert.Empty(t, tasks.Records, "nothing was written")

	res, err = eng.TestScript(ctx, "deal", "validate", "while (true) {}", map[string]any{}, nil)
	require.NoError(t, err)
	assert.Contains(t, res.Error, "wall time limit of 200ms")
	res, err = eng.TestScript(ctx, "deal", "validate", "if (", map[string]any{}, nil)
	require.NoError(t, err)
	assert.Contains(t, res.Error, "line 1")

	limits, err := eng.Limits(ctx)
	require.NoError(t, err)
	byName := map[string]engine.Limit{}
	for _, l := range limits {
		byName[l.Name] = l
	}
	assert.Equal(t, 200.0, byName["script.wallTime"].Value, "the tenant's current value")
	assert.Equal(t, "ms", byName["script.wallTime"].Unit)
	assert.Equal(t, 5.0, byName["automation.depth"].Value)
}

func TestAutomation_RunScript(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngine(t, scriptedTask, `{"$id": "ticket", "type": "object", "properties": {
	  "subject": {"type": "string", "x-crm-type": "text"}, "urgent": {"type": "boolean", "x-crm-type": "boolean"}},
	  "x-crm-scripts": [{"name": "escalate", "kind": "afterSave", "source": "crm.create('task', {subject: '升级：' + ctx.record.subject})"}],
	  "x-crm-automations": [{"name": "onUrgent", "trigger": {"event": "saved"}, "condition": {"field": "urgent", "op": "eq", "value": true},
	    "actions": [{"type": "runScript", "script": "escalate"}]}]}`)
	_, err := eng.CreateRecord(ctx, "ticket", map[string]any{"subject": "打印机", "urgent": false})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "ticket", map[string]any{"subject": "服务器宕机", "urgent": true})
	require.NoError(t, err)
	tasks, err := eng.ListRecords(ctx, "task", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, tasks.Records, 1, "only when the automation fires, not on every save")
	assert.Equal(t, "升级：服务器宕机", tasks.Records[0].Data["subject"])

	_, err = eng.SaveObject(ctx, []byte(`{"$id": "x", "type": "object", "properties": {"a": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "r", "trigger": {"event": "saved"}, "actions": [{"type": "runScript", "script": "missing"}]}]}`), engine.SaveOptions{})
	assert.ErrorContains(t, err, `names "missing", which is not an afterSave script`)
}

// failingReads is a store whose reads of one object fail the way a broken
// disk does, with a path and driver words in the error.
type failingReads struct{ store.Store }

func (s failingReads) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	ts, err := s.Store.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	return failingTenant{ts}, nil
}

type failingTenant struct{ store.TenantStore }

func (t failingTenant) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	if obj.Name == "task" {
		return store.Page{}, errors.New("sqlite: disk I/O error (5386) reading /var/lib/crm/tenants/acme.db")
	}
	return t.TenantStore.Find(ctx, obj, q)
}

func TestScripts_HostCallErrorsInPublicWords(t *testing.T) {
	t.Parallel()
	t.Run("a duplicate value names the field, not the store", func(t *testing.T) {
		t.Parallel()
		eng, ctx := scriptEngineWithin(t, 10*time.Second, `{"$id": "account", "type": "object", "properties": {
		  "name": {"type": "string", "x-crm-type": "text", "x-crm-unique": true}}}`,
			`{"$id": "lead", "type": "object", "properties": {"company": {"type": "string", "x-crm-type": "text"}},
		  "x-crm-scripts": [{"name": "convert", "kind": "afterSave", "source": "crm.create('account', {name: ctx.record.company})"}]}`)
		_, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为"})
		require.NoError(t, err)
		_, err = eng.CreateRecord(ctx, "lead", map[string]any{"company": "华为"})
		require.Error(t, err)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "the script's write was refused, so the lead is")
		var ve *schema.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Fields, 1)
		assert.Equal(t, "account (name): this value is already used by another record", ve.Fields[0].Message)
		assert.Equal(t, "account（name）：该值已被其他记录使用", ve.Fields[0].MessageZh)
		assert.NotContains(t, err.Error(), "store:")
		assert.NotContains(t, err.Error(), "insert account record")
		leads, err := eng.ListRecords(ctx, "lead", engine.ListQuery{})
		require.NoError(t, err)
		assert.Empty(t, leads.Records, "the lead was not written")
	})
	t.Run("a store failure is logged, not shown", func(t *testing.T) {
		t.Parallel()
		var logged testkit.Buffer
		runner, err := scripting.New(scripting.Config{Limits: scripting.Limits{WallTime: 10 * time.Second}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = runner.Close() })
		tn := testkit.New(t, "acme", testkit.WithObjects(scriptedTask, scriptedDeal),
			testkit.WithStore(func(t testing.TB) store.Store { return failingReads{sqlitestore.NewForTest(t)} }),
			testkit.WithConfig(func(c *engine.Config) {
				c.Scripts = runner
				c.Logger = slog.New(slog.NewTextHandler(&logged, nil))
			}))
		res, err := tn.Engine.TestScript(tn.Admin, "deal", "validate",
			"try { crm.find('task', null, {limit: 5}) } catch (e) { ctx.addError('title', e.message) }", map[string]any{"title": "t"}, nil)
		require.NoError(t, err)
		require.Len(t, res.Result.Errors, 1)
		msg := res.Result.Errors[0].Message
		assert.Contains(t, msg, "crm.find task: internal error")
		assert.NotContains(t, msg, "disk I/O")
		assert.NotContains(t, msg, "/var/lib")
		assert.Contains(t, logged.String(), "disk I/O error (5386)", "the cause is in the server's log")
		assert.Contains(t, logged.String(), "deal.test")
	})
}

// TestScripts_RefusedWriteRefusesTheRecordInBothLanguages: a write a
// script makes and does not catch refuses the record the script ran for,
// with the refused record's problems named by labels, in each language,
// through as many scripts as it passed; a script that catches the refusal
// reads it and goes on.
func TestScripts_RefusedWriteRefusesTheRecordInBothLanguages(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngineWithin(t, 10*time.Second,
		`{"$id": "pointsEntry", "type": "object", "x-crm-label": {"zh": "积分流水", "en": "Points entry"}, "required": ["points"], "properties": {
		  "points": {"type": "number", "x-crm-type": "number", "x-crm-label": {"zh": "积分", "en": "Points"}}},
		  "x-crm-scripts": [{"name": "balance", "kind": "validate", "source": "if (ctx.record.points < -100) { ctx.addError('points', {zh: '积分余额不足', en: 'not enough points'}); ctx.addError('', {zh: '请先充值', en: 'top up first'}) }"}]}`,
		`{"$id": "order", "type": "object", "x-crm-label": {"zh": "订单", "en": "Order"}, "properties": {
		  "redeem": {"type": "number", "x-crm-type": "number"}, "careful": {"type": "boolean", "x-crm-type": "boolean"}},
		  "x-crm-scripts": [{"name": "ledger", "kind": "afterSave", "source": "if (!ctx.record.careful) { crm.create('pointsEntry', {points: -ctx.record.redeem}); return } try { crm.create('pointsEntry', {points: -ctx.record.redeem}) } catch (e) { log(e.message) }"}]}`,
		`{"$id": "checkout", "type": "object", "x-crm-label": {"zh": "结账", "en": "Checkout"}, "properties": {
		  "redeem": {"type": "number", "x-crm-type": "number"}},
		  "x-crm-scripts": [{"name": "order", "kind": "afterSave", "source": "crm.create('order', {redeem: ctx.record.redeem})"}]}`)

	_, err := eng.CreateRecord(ctx, "order", map[string]any{"redeem": 500})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "order", ve.Object)
	assert.Equal(t, []schema.FieldError{
		{Code: "script", Message: "Points entry (Points): not enough points", MessageZh: "积分流水（积分）：积分余额不足"},
		{Code: "script", Message: "Points entry: top up first", MessageZh: "积分流水：请先充值"},
	}, ve.Fields)
	assert.Equal(t, "订单记录未通过校验", engine.PublicMessage(err, "zh"))

	_, err = eng.CreateRecord(ctx, "checkout", map[string]any{"redeem": 500})
	require.ErrorAs(t, err, &ve, "two scripts deep")
	assert.Equal(t, "checkout", ve.Object)
	require.Len(t, ve.Fields, 2)
	assert.Equal(t, "订单：积分流水（积分）：积分余额不足", ve.Fields[0].MessageZh)
	assert.Equal(t, "Order: Points entry (Points): not enough points", ve.Fields[0].Message)

	_, err = eng.CreateRecord(ctx, "order", map[string]any{"redeem": 500, "careful": true})
	require.NoError(t, err, "a refusal the script catches is the script's to handle")
	_, err = eng.CreateRecord(ctx, "order", map[string]any{"redeem": 50})
	require.NoError(t, err)

	for _, object := range []string{"order", "checkout"} {
		page, err := eng.ListRecords(ctx, object, engine.ListQuery{})
		require.NoError(t, err)
		assert.Len(t, page.Records, map[string]int{"order": 2, "checkout": 0}[object], object)
	}
	entries, err := eng.ListRecords(ctx, "pointsEntry", engine.ListQuery{})
	require.NoError(t, err)
	assert.Len(t, entries.Records, 1, "only the allowed redemption wrote an entry")
}

// TestScripts_WritesOfAScriptSeeEachOther: records a script creates in one
// write are checked inside its transaction, so the second one's
// beforeSave reads the first (a per-member sequence numbers them 1, 2).
func TestScripts_WritesOfAScriptSeeEachOther(t *testing.T) {
	t.Parallel()
	eng, ctx := scriptEngineWithin(t, 10*time.Second,
		`{"$id": "entry", "type": "object", "properties": {
		  "member": {"type": "string", "x-crm-type": "text"}, "seq": {"type": "number", "x-crm-type": "number"},
		  "key": {"type": "string", "x-crm-type": "text", "x-crm-unique": true}},
		  "x-crm-scripts": [{"name": "number", "kind": "beforeSave", "source": "var last = crm.find('entry', {field: 'member', op: 'eq', value: ctx.record.member}, {sort: ['-seq'], limit: 1}); ctx.record.seq = last.length ? last[0].seq + 1 : 1; ctx.record.key = ctx.record.member + '-' + ctx.record.seq"}]}`,
		`{"$id": "refund", "type": "object", "properties": {"member": {"type": "string", "x-crm-type": "text"}},
		  "x-crm-scripts": [{"name": "book", "kind": "afterSave", "source": "crm.create('entry', {member: ctx.record.member}); crm.create('entry', {member: ctx.record.member})"}],
		  "x-crm-automations": [{"name": "andOneMore", "trigger": {"event": "created"}, "actions": [{"type": "createRecord", "object": "entry", "values": {"member": "{{member}}"}}]}]}`)
	_, err := eng.CreateRecord(ctx, "refund", map[string]any{"member": "m1"})
	require.NoError(t, err)
	page, err := eng.ListRecords(ctx, "entry", engine.ListQuery{})
	require.NoError(t, err)
	var seqs []float64
	for _, r := range page.Records {
		seqs = append(seqs, r.Data["seq"].(float64))
	}
	assert.ElementsMatch(t, []float64{1, 2, 3}, seqs, "each entry saw those written before it in the same write")
}
