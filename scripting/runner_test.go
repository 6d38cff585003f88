package scripting_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/scripting"
)

func TestRunner_Run_kinds(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{})
	ctx := context.Background()

	t.Run("validate reports field errors and sees the old record", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindValidate, `
				if (ctx.record.discount > 30 && !ctx.record.approved) {
					ctx.addError("discount", "折扣超过 30% 需要审批");
				}
				if (ctx.old && ctx.old.stage === "won" && ctx.record.stage !== "won") {
					ctx.addError("a won deal cannot be reopened");
				}`),
			Object: "deal",
			Record: map[string]any{"discount": 35, "stage": "open"},
			Old:    map[string]any{"discount": 10, "stage": "won"},
		})
		require.NoError(t, err)
		assert.Equal(t, []scripting.FieldError{
			{Field: "discount", Message: "折扣超过 30% 需要审批"},
			{Field: "", Message: "a won deal cannot be reopened"},
		}, res.Errors)
		assert.Nil(t, res.Changes)
	})

	t.Run("a message may come in both languages", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindValidate, `
				ctx.addError("discount", {zh: "折扣过高", en: "Discount too high"});
				ctx.addError("stage", {en: "Only English"});
				ctx.addError(["not", "an", "object"]);
				try { ctx.addError("x", {}); } catch (e) { ctx.addError("caught", String(e.message)); }`),
			Object: "deal",
			Record: map[string]any{},
		})
		require.NoError(t, err)
		assert.Equal(t, []scripting.FieldError{
			{Field: "discount", Message: "Discount too high", MessageZh: "折扣过高"},
			{Field: "stage", Message: "Only English", MessageZh: "Only English"},
			{Field: "", Message: "not,an,object"},
			{Field: "caught", Message: "ctx.addError: a message object needs zh or en text"},
		}, res.Errors)
	})

	t.Run("beforeSave returns changes made directly and with ctx.set", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindBeforeSave, `
				ctx.record.phone = ctx.record.phone.replace(/[^0-9+]/g, "");
				ctx.set("score", ctx.record.amount > 1000 ? 90 : 10);
				delete ctx.record.scratch;
				ctx.record.tags.push("vip");`),
			Record: map[string]any{"phone": "+86 (10) 1234-5678", "amount": 5000, "scratch": "x", "name": "same",
				"tags": []any{"a"}},
		})
		require.NoError(t, err)
		assert.Equal(t, map[string]any{
			"phone":   "+861012345678",
			"score":   int64(90),
			"scratch": nil,
			"tags":    []any{"a", "vip"},
		}, res.Changes)
	})

	t.Run("ctx.set is only for beforeSave", func(t *testing.T) {
		t.Parallel()
		_, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindValidate, `ctx.set("a", 1)`),
			Record: map[string]any{},
		})
		var se *scripting.ScriptError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, se.Message, "TypeError")
	})

	t.Run("afterSave uses the host API and enqueues actions", func(t *testing.T) {
		t.Parallel()
		h := newFakeHost()
		h.put("account", map[string]any{"id": "a1", "name": "Acme", "owner": "u1"})
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindAfterSave, `
				const acc = crm.get("account", ctx.record.accountId);
				acc.name = "changed in script only";
				const task = crm.create("task", {subject: "Follow up " + ctx.record.name, owner: acc.owner});
				crm.update("account", acc.id, {lastDeal: ctx.record.id});
				const found = crm.find("task", {owner: "u1"}, {limit: 5, sort: "-createdAt"});
				crm.enqueue("webhook", {url: "https://example.test/hook", deal: ctx.record.id, tasks: found.length});
				log("created", task.id, {n: found.length});
				if (crm.get("account", "nope") !== null) throw new Error("expected null");
				try { crm.create("task", {name: "fail"}) } catch (e) { log("caught", e.message) }`),
			Object: "deal",
			Record: map[string]any{"id": "d1", "name": "Big deal", "accountId": "a1"},
			Host:   h,
		})
		require.NoError(t, err)
		assert.Equal(t, "Acme", h.records["account"]["a1"]["name"], "script must not alias host records")
		assert.Equal(t, "d1", h.records["account"]["a1"]["lastDeal"])
		assert.Equal(t, []scripting.Action{{Type: "webhook", Payload: map[string]any{
			"url": "https://example.test/hook", "deal": "d1", "tasks": int64(1)}}}, res.Enqueued)
		assert.Equal(t, []scripting.LogEntry{
			{Level: "info", Message: `created r1 {"n":1}`},
			{Level: "info", Message: "caught crm.create: name refused"},
		}, res.Logs)
		assert.Equal(t, scripting.Stats{Duration: res.Stats.Duration, HostCalls: 7, Queries: 3, Reads: 2, Writes: 3, Enqueued: 1}, res.Stats)
	})

	t.Run("onStageChange sees the stages", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindStageChange, `console.warn(ctx.stage.from + "->" + ctx.stage.to, ctx.kind)`),
			Record: map[string]any{"id": "d1"},
			Stage:  &scripting.StageChange{From: "qualify", To: "won"},
		})
		require.NoError(t, err)
		assert.Equal(t, []scripting.LogEntry{{Level: "warn", Message: "qualify->won onStageChange"}}, res.Logs)
	})

	t.Run("scheduled gets params and no record", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindScheduled, `log(ctx.record === null, ctx.params.days)`),
			Params: map[string]any{"days": 3},
		})
		require.NoError(t, err)
		assert.Equal(t, "true 3", res.Logs[0].Message)
	})

	t.Run("log is capped", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindScheduled, `for (let i = 0; i < 10000; i++) log("line", i, "x".repeat(100))`),
		})
		require.NoError(t, err)
		assert.True(t, res.LogsTruncated)
		total := 0
		for _, l := range res.Logs {
			total += len(l.Message)
		}
		assert.LessOrEqual(t, total, scripting.DefaultLimits().MaxLogBytes)
	})

	t.Run("early return is allowed", func(t *testing.T) {
		t.Parallel()
		res, err := r.Run(ctx, scripting.Call{
			Script: script(t, scripting.KindValidate, "if (true) return;\nctx.addError('x', 'never')"),
			Record: map[string]any{},
		})
		require.NoError(t, err)
		assert.Empty(t, res.Errors)
	})
}

func TestRunner_Run_errors(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{})
	scenarios := []struct {
		name    string
		src     string
		is      error
		line    int
		column  int
		message string
	}{
		{name: "uncaught exception names line and message", src: "const o = undefined;\n\n  o.x;", is: scripting.ErrException,
			line: 3, column: 5, message: "TypeError: Cannot read property 'x' of undefined"},
		{name: "thrown error object", src: "\nthrow new RangeError('too big')", is: scripting.ErrException,
			line: 2, column: 7, message: "RangeError: too big"},
		{name: "thrown primitive", src: "throw 'plain'", is: scripting.ErrException, line: 1, message: "Uncaught plain"},
		{name: "syntax error", src: "let x = 1;\nlet y = ;", is: scripting.ErrCompile, line: 2, column: 9,
			message: "SyntaxError: Unexpected token ;"},
		{name: "closing the wrapper is refused", src: "});\n(function(){", is: scripting.ErrCompile, line: 2,
			message: "SyntaxError: unbalanced closing brace"},
		{name: "strict mode", src: "undeclared = 1", is: scripting.ErrException, line: 1,
			message: "ReferenceError: undeclared is not defined"},
		{name: "functions cannot leave", src: "ctx.addError('f', 'x'); crm.enqueue('t', {f: function(){}})", is: scripting.ErrException,
			message: "TypeError: crm.enqueue payload: value.f: a function cannot leave the script"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			res, err := r.Run(context.Background(), scripting.Call{
				Script: script(t, scripting.KindValidate, s.src),
				Record: map[string]any{},
				Host:   newFakeHost(),
			})
			require.ErrorIs(t, err, s.is)
			var se *scripting.ScriptError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "test-script", se.Script)
			if s.line > 0 {
				assert.Equal(t, s.line, se.Line, "line")
			}
			if s.column > 0 {
				assert.Equal(t, s.column, se.Column, "column")
			}
			assert.Equal(t, s.message, se.Message)
			assert.Contains(t, err.Error(), `"test-script"`)
			if s.is == scripting.ErrCompile {
				assert.Nil(t, res)
			}
		})
	}
}

func TestRunner_Compile(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{})
	s := script(t, scripting.KindValidate, "ctx.addError('a', 'b')")
	require.NoError(t, r.Compile(s))

	s.Source = "ctx.addError('a', 'b'"
	err := r.Compile(s)
	var se *scripting.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Line)
	assert.Equal(t, 22, se.Column)

	s.Kind = "sometimes"
	require.Error(t, r.Compile(s))

	s = script(t, scripting.KindValidate, strings.Repeat("(", 300)+strings.Repeat(")", 300))
	require.ErrorIs(t, r.Compile(s), scripting.ErrCompile)

	s = script(t, scripting.KindValidate, strings.Repeat(" ", scripting.DefaultLimits().MaxSourceBytes+1))
	err = r.Compile(s)
	require.ErrorIs(t, err, scripting.ErrLimit)
	assert.Contains(t, err.Error(), "source size limit of 262144 bytes")
}

func TestRunner_Run_dryRun(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{})
	reader := newFakeHost()
	reader.put("account", map[string]any{"id": "a1", "name": "Acme"})
	dry := scripting.NewDryRun(reader)
	res, err := r.Run(context.Background(), scripting.Call{
		Script: script(t, scripting.KindAfterSave, `
			const a = crm.update("account", "a1", {name: "Acme Ltd"});
			const t = crm.create("task", {subject: "call " + a.name});
			crm.enqueue("notify", {to: "owner", task: t.id});
			log(t.id)`),
		Record: map[string]any{"id": "d1"},
		Host:   dry,
	})
	require.NoError(t, err)
	assert.Equal(t, "Acme", reader.records["account"]["a1"]["name"], "a dry run writes nothing")
	assert.Empty(t, reader.actions)
	assert.Equal(t, []scripting.DryWrite{
		{Op: "update", Object: "account", ID: "a1", Data: map[string]any{"name": "Acme Ltd"}},
		{Op: "create", Object: "task", Data: map[string]any{"subject": "call Acme Ltd"}},
	}, dry.Writes())
	assert.Equal(t, []scripting.Action{{Type: "notify", Payload: map[string]any{"to": "owner", "task": "dry-run-2"}}}, dry.Actions())
	assert.Equal(t, "dry-run-2", res.Logs[0].Message)
}

func TestRunner_EvalExpression(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{Limits: limits(200 * time.Millisecond)})
	ctx := context.Background()
	scenarios := []struct {
		name   string
		expr   string
		record map[string]any
		want   any
	}{
		{name: "formula", expr: "amount * (1 - discount / 100)", record: map[string]any{"amount": 1000, "discount": 10}, want: int64(900)},
		{name: "fraction", expr: "amount / 3", record: map[string]any{"amount": 1}, want: 1.0 / 3},
		{name: "rule with a missing field", expr: `stage === "won" && !closeDate`, record: map[string]any{"stage": "won"}, want: true},
		{name: "rule with the field", expr: `stage === "won" && !closeDate`, record: map[string]any{"stage": "won", "closeDate": "2024-01-01"}, want: false},
		{name: "built-ins stay", expr: "Math.max(a, b) + String(c).length", record: map[string]any{"a": 1, "b": 2, "c": "xyz"}, want: int64(5)},
		{name: "arrays and objects", expr: "({n: items.length, first: items[0]})", record: map[string]any{"items": []any{"x", "y"}}, want: map[string]any{"n": int64(2), "first": "x"}},
		{name: "undefined is null", expr: "nothing", record: nil, want: nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.EvalExpression(ctx, s.expr, s.record)
			require.NoError(t, err)
			assert.Equal(t, s.want, got)
		})
	}

	t.Run("syntax error names the position", func(t *testing.T) {
		t.Parallel()
		_, err := r.EvalExpression(ctx, "amount * (1 - ", nil)
		var se *scripting.ScriptError
		require.ErrorAs(t, err, &se)
		require.ErrorIs(t, err, scripting.ErrCompile)
		assert.Equal(t, 1, se.Line)
		assert.Equal(t, 15, se.Column)
	})
	t.Run("statements are refused", func(t *testing.T) {
		t.Parallel()
		_, err := r.EvalExpression(ctx, "1; while(true){}", nil)
		require.ErrorIs(t, err, scripting.ErrCompile)
		_, err = r.EvalExpression(ctx, "if (a) b", nil)
		require.ErrorIs(t, err, scripting.ErrCompile)
	})
	t.Run("same budgets", func(t *testing.T) {
		t.Parallel()
		_, err := r.EvalExpression(ctx, "(() => { while (true) {} })()", nil)
		require.ErrorIs(t, err, scripting.ErrTimeout)
		_, err = r.EvalExpression(ctx, "'x'.repeat(2**30)", nil)
		require.ErrorIs(t, err, scripting.ErrException)
		assert.Contains(t, err.Error(), "RangeError")
	})
	t.Run("compiled form", func(t *testing.T) {
		t.Parallel()
		e, err := r.CompileExpression("a + b")
		require.NoError(t, err)
		for i := 0; i < 3; i++ {
			got, err := e.Eval(ctx, map[string]any{"a": i, "b": 1})
			require.NoError(t, err)
			assert.Equal(t, int64(i+1), got)
		}
	})
}
