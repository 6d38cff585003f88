package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// Scripts, validation rules and formulas run in the scripting sandbox. The
// order of a write is: the client's input, defaults, beforeSave scripts,
// formulas, then every check at once (the schema, pipeline moves,
// validation rules, validate scripts); in the transaction, automations'
// field changes (checked again), formulas again, the write, then
// afterSave and onStageChange scripts and automations' effects. Scripts
// that run after the write see the record as stored and may write other
// records and enqueue actions in the same transaction.

// ErrScript: a tenant's script, rule or formula failed (threw, hit a limit
// or does not compile); its message names it.
var ErrScript = errors.New("engine: script failed")

// CodeScriptFailed is the code of ErrScript.
const CodeScriptFailed Code = "SCRIPT_FAILED"

func scriptFailed(what string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "scripting: ")
	return errorOf(ErrScript, trimmed{err}, "script.failed", what, msg)
}

// trimmed is a sandbox error worded without its package prefix.
type trimmed struct{ error }

func (t trimmed) Error() string { return strings.TrimPrefix(t.error.Error(), "scripting: ") }
func (t trimmed) Unwrap() error { return t.error }

// scriptOf is the sandbox's view of one of an object's scripts.
func scriptOf(tenant string, obj *schema.Object, s schema.Script) scripting.Script {
	return scripting.Script{Tenant: tenant, ID: obj.Name + "." + s.Name, Name: obj.Name + "." + s.Name,
		Version: obj.Version, Kind: scripting.Kind(s.Kind), Source: s.Source}
}

// recordMap is a record as scripts and expressions see it: its fields and
// its system fields.
func recordMap(rec *store.Record, data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+7)
	for k, v := range data {
		out[k] = v
	}
	if rec != nil && rec.ID != "" {
		out["id"], out["version"], out["createdBy"], out["updatedBy"] = rec.ID, float64(rec.Version), rec.CreatedBy, rec.UpdatedBy
		out["ownerId"] = rec.OwnerID
		out["createdAt"] = rec.CreatedAt.UTC().Format(schema.DateTimeLayout)
		out["updatedAt"] = rec.UpdatedAt.UTC().Format(schema.DateTimeLayout)
	}
	return out
}

// check prepares and checks a record's data before it is written: old is
// the stored record of an update (nil on create), problems those found so
// far. beforeSave scripts may change data; formulas are computed; then
// every check runs and all problems come back in one
// *schema.ValidationError.
func (w *writer) check(ctx context.Context, tx store.Tx, obj *schema.Object, old *store.Record, data map[string]any, problems []schema.FieldError) (map[string]any, error) {
	var oldData map[string]any
	if old != nil {
		oldData = old.Data
	}
	// Scripts would see text that is not UTF-8 with U+FFFD in place of the
	// bad bytes, and one that wrote it back would store the replacement:
	// such fields are named now (validate names them again; one each).
	problems = append(problems, schema.EncodingProblems(obj, data)...)
	for _, s := range obj.Scripts {
		if !s.Active || s.Kind != string(scripting.KindBeforeSave) {
			continue
		}
		res, err := w.runScript(ctx, tx, obj, s, old, data, nil)
		if err != nil {
			return nil, err
		}
		problems = append(problems, scriptProblems(res)...)
		for k, v := range res.Changes {
			if f := obj.Field(k); f == nil || f.ReadOnly() {
				continue // system and engine-filled fields stay the engine's
			}
			if v == nil {
				delete(data, k)
			} else {
				data[k] = v
			}
		}
	}
	// Addresses get their division codes and names before formulas, rules
	// and validate scripts read them.
	problems = append(problems, regionProblems(obj, oldData, data)...)
	// Amounts take their canonical value, and converted amounts are
	// computed, before formulas read them.
	created := w.e.stamp() // a new record's: now
	if old != nil {
		created = old.CreatedAt
	}
	moneyProblems, err := w.money(ctx, tx, obj, oldData, created, data)
	if err != nil {
		return nil, err
	}
	problems = append(problems, moneyProblems...)
	if err := w.formulas(ctx, obj, old, data); err != nil {
		return nil, err
	}
	problems = append(problems, w.snap.resolveUsers(obj, oldData, data, w.actorUser())...)
	problems = append(problems, pipelineProblems(obj, stageMoves(obj, oldData, data), data)...)
	problems = append(problems, w.approvalGate(ctx, obj, stageMoves(obj, oldData, data))...)
	ruleProblems, err := w.validationRules(ctx, obj, old, data)
	if err != nil {
		return nil, err
	}
	problems = append(problems, ruleProblems...)
	for _, s := range obj.Scripts {
		if !s.Active || s.Kind != string(scripting.KindValidate) {
			continue
		}
		res, err := w.runScript(ctx, tx, obj, s, old, data, nil)
		if err != nil {
			return nil, err
		}
		problems = append(problems, scriptProblems(res)...)
	}
	if err := w.e.validate(w.snap, obj, data, problems); err != nil {
		return nil, err
	}
	return data, nil
}

// scriptProblems are the problems a script reported with ctx.addError,
// in both languages (a plain string stands for both).
func scriptProblems(res *scripting.Result) []schema.FieldError {
	var out []schema.FieldError
	for _, fe := range res.Errors {
		out = append(out, schema.FieldError{Field: fe.Field, Code: "script", Message: fe.Message, MessageZh: cmp.Or(fe.MessageZh, fe.Message)})
	}
	return out
}

// runScript runs one script of obj on a record. Scripts that run before
// the write (validate, beforeSave) may read but not write.
func (w *writer) runScript(ctx context.Context, tx store.Tx, obj *schema.Object, s schema.Script, old *store.Record, data map[string]any, stage *scripting.StageChange) (*scripting.Result, error) {
	r, err := w.e.scriptRunner()
	if err != nil {
		return nil, err
	}
	writes := s.Kind == string(scripting.KindAfterSave) || s.Kind == string(scripting.KindStageChange) || s.Kind == string(scripting.KindScheduled)
	host := publicHost{&scriptHost{w: w, tx: tx, writes: writes && tx != nil, script: obj.Name + "." + s.Name}}
	call := scripting.Call{Script: scriptOf(w.actor.TenantID, obj, s), Object: obj.Name, Stage: stage, Host: host, User: w.scriptUser(), Today: w.clock().today(w.e.stamp()), TimeZone: w.clock().settings.TimeZone}
	if data != nil {
		var rec *store.Record
		if old != nil {
			rec = old
		}
		call.Record = recordMap(rec, data)
	}
	if old != nil {
		call.Old = recordMap(old, old.Data)
	}
	res, err := r.Run(WithDoor(ctx, "script"), call)
	if err != nil {
		return nil, w.scriptRunFailed(obj, s, err)
	}
	return res, nil
}

// afterScripts runs afterSave scripts, and onStageChange scripts for each
// stage move, after the record is written.
func (w *writer) afterScripts(ctx context.Context, tx store.Tx, obj *schema.Object, old *store.Record, rec store.Record) error {
	if len(obj.Scripts) == 0 {
		return nil
	}
	var oldData map[string]any
	if old != nil {
		oldData = old.Data
	}
	moves := stageMoves(obj, oldData, rec.Data)
	for _, s := range obj.Scripts {
		if !s.Active {
			continue
		}
		switch s.Kind {
		case string(scripting.KindAfterSave):
			if runByAutomation(obj, s.Name) {
				continue // it runs when its automation fires, not on every save
			}
			if _, err := w.runScriptOn(ctx, tx, obj, s, old, rec, nil); err != nil {
				return err
			}
		case string(scripting.KindStageChange):
			for _, m := range moves {
				if _, err := w.runScriptOn(ctx, tx, obj, s, old, rec, &scripting.StageChange{From: m.from, To: m.to}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// runScriptOn runs a script on a stored record.
func (w *writer) runScriptOn(ctx context.Context, tx store.Tx, obj *schema.Object, s schema.Script, old *store.Record, rec store.Record, stage *scripting.StageChange) (*scripting.Result, error) {
	r, err := w.e.scriptRunner()
	if err != nil {
		return nil, err
	}
	host := publicHost{&scriptHost{w: w, tx: tx, writes: tx != nil, script: obj.Name + "." + s.Name}}
	call := scripting.Call{Script: scriptOf(w.actor.TenantID, obj, s), Object: obj.Name, Stage: stage, Host: host, User: w.scriptUser(), Today: w.clock().today(w.e.stamp()), TimeZone: w.clock().settings.TimeZone}
	if rec.ID != "" {
		call.Record = recordMap(&rec, rec.Data)
	}
	if old != nil {
		call.Old = recordMap(old, old.Data)
	}
	res, err := r.Run(WithDoor(ctx, "script"), call)
	if err != nil {
		return nil, w.scriptRunFailed(obj, s, err)
	}
	return res, nil
}

// scriptRunFailed is the error of a script of obj that did not finish: an
// engine error from the host stays what it is; a write the script made
// through crm.create or crm.update and did not catch refuses the record
// the script ran for, with the refused record's problems in each language
// (see [refusedThrough]); anything else is the script failing.
func (w *writer) scriptRunFailed(obj *schema.Object, s schema.Script, err error) error {
	var ee *Error
	if errors.As(err, &ee) {
		return err
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return obj.Invalid(refusedThrough(w.snap.catalog.Object(ve.Object), ve))
	}
	return scriptFailed(fmt.Sprintf("script %s.%s", obj.Name, s.Name), err)
}

// refusedThrough words the problems of a record of inner, refused while a
// script wrote it, as problems of the record the script ran for: each
// names the refused record's object and field by their labels, in Chinese
// and in English ("积分流水（积分）：余额不足", "Points entry (Points): …").
// inner is nil when the object is not in the catalogue (its name stands
// in).
func refusedThrough(inner *schema.Object, ve *schema.ValidationError) []schema.FieldError {
	objZh, objEn := cmp.Or(ve.Label.Zh, ve.Object), cmp.Or(ve.Label.En, ve.Object)
	out := make([]schema.FieldError, 0, len(ve.Fields))
	for _, fe := range ve.Fields {
		zh, en := cmp.Or(fe.MessageZh, fe.Message), fe.Message
		if fe.Field == "" {
			out = append(out, schema.FieldError{Code: "script",
				Message:   message.Text(message.En, "script.refused", objEn, en, objZh, zh),
				MessageZh: message.Text(message.Zh, "script.refused", objEn, en, objZh, zh)})
			continue
		}
		fieldZh, fieldEn := fe.Field, fe.Field
		if inner != nil {
			top, _, _ := strings.Cut(fe.Field, ".")
			if f := inner.Field(top); f != nil {
				fieldZh, fieldEn = fieldLabels(f)
			}
		}
		out = append(out, schema.FieldError{Code: "script",
			Message:   message.Text(message.En, "script.refusedField", objEn, fieldEn, en, objZh, fieldZh, zh),
			MessageZh: message.Text(message.Zh, "script.refusedField", objEn, fieldEn, en, objZh, fieldZh, zh)})
	}
	return out
}

// validationRules evaluates the object's validation rules: a rule whose
// condition is true reports its message on its field.
func (w *writer) validationRules(ctx context.Context, obj *schema.Object, old *store.Record, data map[string]any) ([]schema.FieldError, error) {
	if len(obj.Validations) == 0 {
		return nil, nil
	}
	r, err := w.e.scriptRunner()
	if err != nil {
		return nil, err
	}
	vars := recordMap(old, data)
	var out []schema.FieldError
	for _, rule := range obj.Validations {
		if !rule.Active {
			continue
		}
		v, err := r.EvalExpression(ctx, rule.Condition, vars)
		if err != nil {
			return nil, scriptFailed(fmt.Sprintf("validation rule %s.%s", obj.Name, rule.Name), err)
		}
		if truthy(v) {
			en, zh := rule.Message.En, rule.Message.Zh
			if en == "" {
				en = zh
			}
			if zh == "" {
				zh = en
			}
			out = append(out, schema.FieldError{Field: rule.Field, Code: "rule", Message: en, MessageZh: zh})
		}
	}
	return out, nil
}

// formulas computes the object's formula fields into data.
func (w *writer) formulas(ctx context.Context, obj *schema.Object, old *store.Record, data map[string]any) error {
	var r *scripting.Runner
	for _, f := range obj.Fields {
		if f.Formula == "" {
			continue
		}
		if r == nil {
			var err error
			if r, err = w.e.scriptRunner(); err != nil {
				return err
			}
		}
		v, err := r.EvalExpression(ctx, f.Formula, recordMap(old, data))
		if err != nil {
			return scriptFailed(fmt.Sprintf("formula %s.%s", obj.Name, f.Name), err)
		}
		v, err = formulaValue(f, v)
		if err != nil {
			return errorOf(ErrScript, err, "script.formula", obj.Name, f.Name, err)
		}
		if v == nil {
			delete(data, f.Name)
		} else {
			data[f.Name] = v
		}
	}
	return nil
}

// formulaValue converts an expression's result to the formula field's
// type; null, NaN and empty results store no value.
func formulaValue(f *schema.Field, v any) (any, error) {
	return formulaValueOf(f.Kind(), v)
}

// formulaValueOf converts an expression's result to values of kind.
func formulaValueOf(kind schema.Kind, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		v = float64(x)
	}
	switch kind {
	case schema.KindNumber, schema.KindInteger:
		n, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("the result %v is not a number", v)
		}
		if n != n { // NaN: a division by zero or a missing operand
			return nil, nil
		}
		if kind == schema.KindInteger && n != float64(int64(n)) {
			return nil, fmt.Errorf("the result %v is not a whole number", n)
		}
		return n, nil
	case schema.KindBoolean:
		return truthy(v), nil
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, nil
		}
		return x, nil
	case float64, bool:
		return fmt.Sprint(x), nil
	}
	b, _ := json.Marshal(v)
	return string(b), nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && x == x
	case int64:
		return x != 0
	case string:
		return x != ""
	}
	return true
}

// scriptRunner returns the sandbox: the one configured, or the engine's
// own, which reads each tenant's budgets from its settings.
func (e *Engine) scriptRunner() (*scripting.Runner, error) {
	if e.scripts != nil {
		return e.scripts, nil
	}
	e.own.once.Do(func() {
		e.own.runner, e.own.err = scripting.New(scripting.Config{LimitsFor: e.limitsFor, Logger: e.log, OnRun: e.noteScriptRun})
	})
	return e.own.runner, e.own.err
}

// compileDefinition checks the scripts, rules and formulas of a definition
// in the sandbox's compiler, reporting each failure at its path.
func (e *Engine) compileDefinition(tenant string, obj *schema.Object) []schema.Problem {
	if len(obj.Scripts) == 0 && len(obj.Validations) == 0 && !hasFormulas(obj) {
		return nil
	}
	r, err := e.scriptRunner()
	if err != nil {
		return []schema.Problem{{Path: "", Message: "scripts cannot run: " + err.Error()}}
	}
	var problems []schema.Problem
	for i, s := range obj.Scripts {
		if err := r.Compile(scriptOf(tenant, obj, s)); err != nil {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/x-crm-scripts/%d/source", i), Message: compileMessage(err)})
		}
	}
	for i, rule := range obj.Validations {
		if _, err := r.CompileExpression(rule.Condition); err != nil {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/x-crm-validations/%d/condition", i), Message: compileMessage(err)})
		}
	}
	for _, f := range obj.Fields {
		if f.Formula == "" {
			continue
		}
		if _, err := r.CompileExpression(f.Formula); err != nil {
			problems = append(problems, schema.Problem{Path: "/properties/" + f.Name + "/x-crm-formula/expression", Message: compileMessage(err)})
		}
	}
	return problems
}

func compileMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "scripting: "); i == 0 {
		msg = msg[len("scripting: "):]
	}
	return "does not compile: " + msg
}

func hasFormulas(obj *schema.Object) bool {
	for _, f := range obj.Fields {
		if f.Formula != "" {
			return true
		}
	}
	return false
}

// runByAutomation reports whether a runScript action names the script.
func runByAutomation(obj *schema.Object, script string) bool {
	for _, au := range obj.Automations {
		for _, act := range au.Actions {
			if act.Type == schema.ActionRunScript && act.Script == script {
				return true
			}
		}
	}
	return false
}

// scriptUser is who a script runs for (ctx.user): the writer's actor with
// the details of a signed-in user.
func (w *writer) scriptUser() *scripting.User {
	u := &scripting.User{ID: w.actor.ID, Name: w.actor.ID, Role: w.actor.Role}
	if w.actor.Admin && u.Role == "" {
		u.Role = AdminRole
	}
	if name, ok := strings.CutPrefix(w.actor.ID, "user:"); ok {
		u.Name = name
		if usr, ok := w.snap.users[name]; ok {
			if usr.DisplayName != "" {
				u.Name = usr.DisplayName
			}
			u.Team = usr.Team
			if usr.Role != "" {
				u.Role = usr.Role
			}
			if usr.Manager != "" {
				u.Manager = "user:" + usr.Manager
			}
		}
	}
	return u
}
