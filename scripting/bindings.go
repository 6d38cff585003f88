package scripting

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// installBindings defines ctx, and crm, log and console when the script
// names them: the whole surface a script has besides the language.
func (x *run) installBindings() error {
	vm, call := x.vm, x.call
	c := vm.NewObject()
	set := func(k string, v any) {
		_ = c.Set(k, v)
	}
	set("kind", string(call.Script.Kind))
	set("object", call.Object)
	rec, err := toJS(vm, mapOrNil(call.Record), 0)
	if err != nil {
		return fmt.Errorf("scripting: ctx.record: %w", err)
	}
	if o, ok := rec.(*goja.Object); ok {
		x.record = o
	}
	set("record", rec)
	old, err := toJS(vm, mapOrNil(call.Old), 0)
	if err != nil {
		return fmt.Errorf("scripting: ctx.old: %w", err)
	}
	set("old", old)
	if call.Stage != nil {
		set("stage", vm.NewObject())
		st := c.Get("stage").(*goja.Object)
		_ = st.Set("from", call.Stage.From)
		_ = st.Set("to", call.Stage.To)
	}
	if call.Params != nil {
		p, err := toJS(vm, call.Params, 0)
		if err != nil {
			return fmt.Errorf("scripting: ctx.params: %w", err)
		}
		set("params", p)
	}
	if u := call.User; u != nil {
		uo := vm.NewObject()
		_ = uo.Set("id", u.ID)
		_ = uo.Set("name", u.Name)
		_ = uo.Set("role", u.Role)
		_ = uo.Set("team", u.Team)
		_ = uo.Set("manager", u.Manager)
		_ = uo.Set("isAdmin", u.Role == "admin")
		set("user", uo)
	} else {
		set("user", goja.Null())
	}
	if call.Today != "" {
		set("today", call.Today)
	}
	if call.TimeZone != "" {
		set("timeZone", call.TimeZone)
	}
	switch call.Script.Kind {
	case KindValidate, KindBeforeSave:
		set("addError", x.addError)
	}
	if call.Script.Kind == KindBeforeSave && x.record != nil {
		set("set", x.setField)
	}
	if err := vm.Set("ctx", c); err != nil {
		return err
	}
	s := x.prog.scan
	if s.has("crm") {
		crm := vm.NewObject()
		_ = crm.Set("find", x.find)
		_ = crm.Set("get", x.get)
		_ = crm.Set("create", x.create)
		_ = crm.Set("update", x.update)
		_ = crm.Set("enqueue", x.enqueue)
		if err := vm.Set("crm", crm); err != nil {
			return err
		}
	}
	if s.has("log") {
		if err := vm.Set("log", x.logger("info")); err != nil {
			return err
		}
	}
	if s.has("console") {
		con := vm.NewObject()
		for _, level := range []string{"log", "info", "warn", "error", "debug"} {
			l := level
			if l == "log" {
				l = "info"
			}
			_ = con.Set(level, x.logger(l))
		}
		if err := vm.Set("console", con); err != nil {
			return err
		}
	}
	return nil
}

func mapOrNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// installVars defines an expression's free names: the record's fields, and
// null for any other name the expression uses that is not a built-in.
func (x *run) installVars() error {
	g := x.vm.GlobalObject()
	for name := range x.prog.scan.idents {
		if v, ok := x.vars[name]; ok {
			jv, err := toJS(x.vm, v, 0)
			if err != nil {
				return fmt.Errorf("scripting: field %q: %w", name, err)
			}
			if err := g.Set(name, jv); err != nil {
				return err
			}
			continue
		}
		if cur := g.Get(name); cur == nil {
			if err := g.Set(name, goja.Null()); err != nil {
				return err
			}
		}
	}
	return nil
}

// throwType throws a catchable TypeError.
func (x *run) throwType(format string, args ...any) {
	panic(x.vm.NewTypeError(fmt.Sprintf(format, args...)))
}

// throwRange throws a catchable RangeError (S4).
func (x *run) throwRange(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if x.rangeErr == nil {
		x.rangeErr = x.vm.Get("RangeError")
	}
	o, err := x.vm.New(x.rangeErr, x.vm.ToValue(msg))
	if err != nil {
		panic(x.vm.NewTypeError(msg))
	}
	panic(o)
}

// throwValue throws the error of a bad value crossing the boundary.
func (x *run) throwValue(where string, err error) {
	var ve *valueError
	if errors.As(err, &ve) && ve.tooLarge {
		x.throwRange("%s: %s", where, ve.msg)
	}
	x.throwType("%s: %s", where, err.Error())
}

func (x *run) exportArg(v goja.Value, where string) any {
	out, _, err := newExporter(x.vm, x.lim).export(v, "value", 0)
	if err != nil {
		x.throwValue(where, err)
	}
	return out
}

func (x *run) exportMap(v goja.Value, where string) map[string]any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	m, ok := x.exportArg(v, where).(map[string]any)
	if !ok {
		x.throwType("%s: an object is expected", where)
	}
	return m
}

func (x *run) stringArg(call goja.FunctionCall, i int, where, what string) string {
	v := call.Argument(i)
	if _, ok := v.Export().(string); !ok || v.String() == "" {
		x.throwType("%s: %s must be a non-empty string", where, what)
	}
	return v.String()
}

func (x *run) importValue(v any, where string) goja.Value {
	jv, err := toJS(x.vm, v, 0)
	if err != nil {
		x.throwValue(where, err)
	}
	return jv
}

func (x *run) addError(call goja.FunctionCall) goja.Value {
	if x.stopped {
		return goja.Undefined()
	}
	field, msg := "", call.Argument(0)
	if len(call.Arguments) > 1 {
		field = call.Argument(0).String()
		msg = call.Argument(1)
	}
	fe := FieldError{Field: field}
	if obj, ok := msg.(*goja.Object); ok && obj.ClassName() == "Object" {
		// {zh, en}: the message in both languages; the caller's language
		// is chosen when it is shown, the other stands in for a missing one.
		zh, en := x.messageText(obj, "zh"), x.messageText(obj, "en")
		if zh == "" && en == "" {
			x.throwType("ctx.addError: a message object needs zh or en text")
		}
		fe.Message, fe.MessageZh = cmp.Or(en, zh), cmp.Or(zh, en)
	} else {
		fe.Message = msg.String()
	}
	if len(fe.Message)+len(fe.MessageZh) > x.lim.MaxValueBytes {
		x.throwRange("ctx.addError: message longer than %d bytes", x.lim.MaxValueBytes)
	}
	x.res.Errors = append(x.res.Errors, fe)
	return goja.Undefined()
}

// messageText is the text of a message object's language key, "" when
// it has none.
func (x *run) messageText(obj *goja.Object, lang string) string {
	v := obj.Get(lang)
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

func (x *run) setField(call goja.FunctionCall) goja.Value {
	if x.stopped {
		return goja.Undefined()
	}
	field := x.stringArg(call, 0, "ctx.set", "the field name")
	v := call.Argument(1)
	x.exportArg(v, "ctx.set("+field+")") // checks the value now, where the author can see the position
	if err := x.record.Set(field, v); err != nil {
		x.throwType("ctx.set: %s", err.Error())
	}
	return goja.Undefined()
}

// host returns the call's Host after counting the call (S11).
func (x *run) host(where string) Host {
	if x.call.Host == nil {
		x.throwType("%s: no host is available to this run", where)
	}
	x.res.Stats.HostCalls++
	if x.res.Stats.HostCalls > x.lim.MaxHostCalls {
		x.stop(newLimitError(LimitHostCalls, int64(x.lim.MaxHostCalls), "calls", ErrLimit))
		return nil
	}
	return x.call.Host
}

// query is host for crm.find and crm.get, which count as queries too.
func (x *run) query(where string) Host {
	h := x.host(where)
	if h == nil {
		return nil
	}
	x.res.Stats.Queries++
	if x.res.Stats.Queries > x.lim.MaxQueries {
		x.stop(newLimitError(LimitQueries, int64(x.lim.MaxQueries), "queries", ErrLimit))
		return nil
	}
	return h
}

// hostFailed turns a host error into a catchable exception, unless the run's
// context is done, which ends the run uncatchably.
func (x *run) hostFailed(where string, err error) goja.Value {
	if x.ctx.Err() != nil {
		x.stop(context.Cause(x.ctx))
		return goja.Undefined()
	}
	panic(x.vm.NewGoError(fmt.Errorf("%s: %w", where, err)))
}

func (x *run) countReads(n int) bool {
	x.res.Stats.Reads += n
	if x.res.Stats.Reads > x.lim.MaxReads {
		x.stop(newLimitError(LimitReads, int64(x.lim.MaxReads), "records", ErrLimit))
		return false
	}
	return true
}

func (x *run) countWrite() bool {
	x.res.Stats.Writes++
	if x.res.Stats.Writes > x.lim.MaxWrites {
		x.stop(newLimitError(LimitWrites, int64(x.lim.MaxWrites), "records", ErrLimit))
		return false
	}
	return true
}

// defaultFindLimit is crm.find's limit when the script gives none.
const defaultFindLimit = 100

func (x *run) find(call goja.FunctionCall) goja.Value {
	const where = "crm.find"
	if x.stopped {
		return goja.Undefined()
	}
	object := x.stringArg(call, 0, where, "the object name")
	filter := x.exportMap(call.Argument(1), where+" filter")
	opts := FindOptions{Limit: defaultFindLimit}
	if o := x.exportMap(call.Argument(2), where+" options"); o != nil {
		if l, ok := o["limit"]; ok {
			n, isInt := l.(int64)
			if !isInt || n < 1 {
				x.throwType("%s: limit must be a positive integer", where)
			}
			opts.Limit = int(min(n, int64(x.lim.MaxReads)+1))
		}
		switch s := o["sort"].(type) {
		case nil:
		case string:
			opts.Sort = []string{s}
		case []any:
			for _, e := range s {
				f, ok := e.(string)
				if !ok {
					x.throwType("%s: sort must be a field name or a list of them", where)
				}
				opts.Sort = append(opts.Sort, f)
			}
		default:
			x.throwType("%s: sort must be a field name or a list of them", where)
		}
	}
	h := x.query(where)
	if h == nil {
		return goja.Undefined()
	}
	// Ask for one more than the budget allows: getting it proves the
	// script wanted more than it may read, without loading more.
	remaining := x.lim.MaxReads - x.res.Stats.Reads
	opts.Limit = min(opts.Limit, remaining+1)
	rows, err := h.Find(x.ctx, object, filter, opts)
	if err != nil {
		return x.hostFailed(where, err)
	}
	if len(rows) > opts.Limit {
		rows = rows[:opts.Limit]
	}
	if !x.countReads(len(rows)) {
		return goja.Undefined()
	}
	items := make([]any, len(rows))
	for i, row := range rows {
		items[i] = x.importValue(row, where)
	}
	return x.vm.NewArray(items...)
}

func (x *run) get(call goja.FunctionCall) goja.Value {
	const where = "crm.get"
	if x.stopped {
		return goja.Undefined()
	}
	object := x.stringArg(call, 0, where, "the object name")
	id := x.stringArg(call, 1, where, "the id")
	h := x.query(where)
	if h == nil {
		return goja.Undefined()
	}
	rec, err := h.Get(x.ctx, object, id)
	if err != nil {
		return x.hostFailed(where, err)
	}
	if rec == nil {
		return goja.Null()
	}
	if !x.countReads(1) {
		return goja.Undefined()
	}
	return x.importValue(rec, where)
}

func (x *run) create(call goja.FunctionCall) goja.Value {
	const where = "crm.create"
	if x.stopped {
		return goja.Undefined()
	}
	object := x.stringArg(call, 0, where, "the object name")
	data := x.exportMap(call.Argument(1), where)
	if data == nil {
		x.throwType("%s: the record must be an object", where)
	}
	h := x.host(where)
	if h == nil || !x.countWrite() {
		return goja.Undefined()
	}
	rec, err := h.Create(x.ctx, object, data)
	if err != nil {
		return x.hostFailed(where, err)
	}
	return x.importValue(mapOrNil(rec), where)
}

func (x *run) update(call goja.FunctionCall) goja.Value {
	const where = "crm.update"
	if x.stopped {
		return goja.Undefined()
	}
	object := x.stringArg(call, 0, where, "the object name")
	id := x.stringArg(call, 1, where, "the id")
	patch := x.exportMap(call.Argument(2), where)
	if patch == nil {
		x.throwType("%s: the patch must be an object", where)
	}
	h := x.host(where)
	if h == nil || !x.countWrite() {
		return goja.Undefined()
	}
	rec, err := h.Update(x.ctx, object, id, patch)
	if err != nil {
		return x.hostFailed(where, err)
	}
	return x.importValue(mapOrNil(rec), where)
}

func (x *run) enqueue(call goja.FunctionCall) goja.Value {
	const where = "crm.enqueue"
	if x.stopped {
		return goja.Undefined()
	}
	typ := x.stringArg(call, 0, where, "the action type")
	payload := x.exportMap(call.Argument(1), where+" payload")
	h := x.host(where)
	if h == nil {
		return goja.Undefined()
	}
	x.res.Stats.Enqueued++
	if x.res.Stats.Enqueued > x.lim.MaxEnqueued {
		x.stop(newLimitError(LimitEnqueued, int64(x.lim.MaxEnqueued), "actions", ErrLimit))
		return goja.Undefined()
	}
	a := Action{Type: typ, Payload: payload}
	if err := h.Enqueue(x.ctx, a); err != nil {
		return x.hostFailed(where, err)
	}
	x.res.Enqueued = append(x.res.Enqueued, a)
	return goja.Undefined()
}

// logger returns log(...) for one level: arguments joined by spaces,
// objects as JSON, all of it within MaxLogBytes.
func (x *run) logger(level string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		if x.stopped || x.res.LogsTruncated {
			return goja.Undefined()
		}
		room := x.lim.MaxLogBytes - x.logBytes
		var b strings.Builder
		for i, a := range call.Arguments {
			if i > 0 {
				b.WriteByte(' ')
			}
			if b.Len() > room {
				break
			}
			b.WriteString(x.formatLog(a, room-b.Len()))
		}
		msg := b.String()
		if len(msg) > room {
			msg = msg[:max(room, 0)]
			x.res.LogsTruncated = true
		}
		x.logBytes += len(msg)
		x.res.Logs = append(x.res.Logs, LogEntry{Level: level, Message: msg})
		return goja.Undefined()
	}
}

func (x *run) formatLog(v goja.Value, room int) string {
	if s, ok := v.(goja.String); ok {
		if s.Length() > room+1 {
			s = s.Substring(0, room+1)
		}
		return s.String()
	}
	if _, ok := v.(*goja.Object); !ok {
		if v == nil {
			return "undefined"
		}
		return v.String()
	}
	lim := x.lim
	lim.MaxValueBytes = min(lim.MaxValueBytes, room+64)
	out, _, err := newExporter(x.vm, lim).export(v, "value", 0)
	if err != nil {
		return "[unprintable: " + err.Error() + "]"
	}
	data, err := json.Marshal(out)
	if err != nil {
		return "[unprintable]"
	}
	return string(data)
}
