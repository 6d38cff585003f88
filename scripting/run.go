package scripting

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// run is one execution: a fresh runtime, its budget and what it gathered.
// Everything that can run script code (the program, getters met while
// copying values out, an exception's message) happens while the budget is
// armed.
type run struct {
	runner    *Runner
	lim       Limits
	prog      *compiled
	call      *Call
	res       *Result
	lineShift int // wrapper lines before the author's first line

	expr  bool           // evaluating an expression
	vars  map[string]any // the expression's record
	value any            // the expression's result

	ctx      context.Context // cancelled when the wall time is up
	vm       *goja.Runtime
	record   *goja.Object // ctx.record as the script sees it
	logBytes int

	// stopped is set once the run was told to stop through Interrupt;
	// natives called before the VM notices (from a native loop) return at
	// once. Only the run's goroutine touches it.
	stopped bool
	stopPos *position

	rangeErr goja.Value  // RangeError constructor, fetched on first use
	regex    *regexGuard // the regex guards' state, when installed
}

type position struct{ line, column int }

func (x *run) execute(parent context.Context) error {
	start := time.Now()
	defer func() { x.res.Stats.Duration = time.Since(start) }()

	ctx, cancel := context.WithTimeoutCause(parent, x.lim.WallTime, timeoutError(x.lim.WallTime))
	defer cancel()
	x.ctx = ctx

	vm := goja.New()
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	vm.SetMaxCallStackSize(x.lim.MaxCallStack)
	x.vm = vm

	// The ClearInterrupt pattern (S1, S2): the callback interrupts the VM
	// when the wall time is up or the caller gives up; after the run it is
	// either stopped before it started, or waited for, so it can never
	// touch the runtime once execute returns.
	fired := make(chan struct{})
	stopTimer := context.AfterFunc(ctx, func() {
		defer close(fired)
		vm.Interrupt(context.Cause(ctx))
	})
	unwatch := x.runner.watch.add(vm)

	err := guard(x.body)
	if err != nil {
		err = x.describe(err)
	}

	unwatch()
	if !stopTimer() {
		<-fired
	}
	vm.ClearInterrupt()
	return err
}

// body runs the program and copies the results out.
func (x *run) body() error {
	if err := x.installGuards(); err != nil {
		return err
	}
	if x.expr {
		if err := x.installVars(); err != nil {
			return err
		}
		v, err := x.vm.RunProgram(x.prog.prg)
		if err != nil {
			return err
		}
		out, _, err := newExporter(x.vm, x.lim).export(v, "result", 0)
		if err != nil {
			return err
		}
		x.value = out
		return nil
	}
	if err := x.installBindings(); err != nil {
		return err
	}
	v, err := x.vm.RunProgram(x.prog.prg)
	if err != nil {
		return err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return errors.New("scripting: compiled script is not a function")
	}
	if _, err := fn(goja.Undefined()); err != nil {
		return err
	}
	return x.collect()
}

// collect gathers what the script left in ctx.record (beforeSave).
func (x *run) collect() error {
	if x.call.Script.Kind != KindBeforeSave || x.record == nil {
		return nil
	}
	out, _, err := newExporter(x.vm, x.lim).export(x.record, "ctx.record", 0)
	if err != nil {
		return err
	}
	after, ok := out.(map[string]any)
	if !ok {
		return &valueError{msg: "ctx.record: not an object"}
	}
	x.res.Changes = diff(x.call.Record, after)
	return nil
}

// stop ends the run in a way the script cannot catch: Interrupt makes the VM
// raise an uncatchable error at its next instruction (S11).
func (x *run) stop(cause error) {
	if x.stopped {
		return
	}
	x.stopped = true
	if frames := x.vm.CaptureCallStack(0, nil); len(frames) > 0 {
		x.stopPos = x.framePos(frames)
	}
	x.vm.Interrupt(cause)
}

func (x *run) framePos(frames []goja.StackFrame) *position {
	for _, f := range frames {
		p := f.Position()
		if f.SrcName() == x.prog.name && p.Line > 0 {
			return &position{line: max(p.Line-x.lineShift, 1), column: p.Column}
		}
	}
	return nil
}

// panicError is a Go panic inside the run (a host bug), recovered.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("scripting: panic in run: %v", e.value) }

// guard runs f, turning the panics that goja raises when Go code calls into
// script code (getters, toString) into errors, and recovering from any
// other panic (a host bug must not take the server down).
func guard(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			switch e := p.(type) {
			case *goja.Exception:
				err = e
			case *goja.InterruptedError:
				err = e
			case *goja.StackOverflowError:
				err = e
			default:
				err = &panicError{value: p, stack: debug.Stack()}
			}
		}
	}()
	return f()
}

// describe turns a raw failure into a ScriptError with the script's name and
// the author's position. It may read the thrown value, so it runs while the
// budget is still armed.
func (x *run) describe(err error) error {
	se := &ScriptError{Script: x.prog.name}
	var (
		ie *goja.InterruptedError
		so *goja.StackOverflowError
		ex *goja.Exception
		ve *valueError
		pe *panicError
		sc *ScriptError
	)
	switch {
	case errors.As(err, &ie):
		cause, _ := ie.Value().(error)
		if cause == nil {
			cause = fmt.Errorf("scripting: interrupted: %v", ie.Value())
		}
		se.Err = cause
		if x.stopPos != nil {
			se.Line, se.Column = x.stopPos.line, x.stopPos.column
		}
	case errors.As(err, &so):
		se.Err = newLimitError(LimitCallStack, int64(x.lim.MaxCallStack), "frames", ErrStackOverflow)
	case errors.As(err, &ex):
		se.Err = ErrException
		se.Host = ex.Unwrap() // a host call's failure the script did not catch
		se.Message = x.exceptionMessage(ex)
		if p := x.framePos(ex.Stack()); p != nil {
			se.Line, se.Column = p.line, p.column
		}
	case errors.As(err, &ve):
		se.Err = ErrException
		prefix := "TypeError: "
		if ve.tooLarge {
			prefix = "RangeError: "
		}
		se.Message = prefix + ve.msg
	case errors.As(err, &pe):
		x.runner.cfg.Logger.Error("scripting: panic in run", "script", x.prog.name, "panic", pe.value, "stack", string(pe.stack))
		se.Err = pe
	case errors.As(err, &sc):
		return sc
	default:
		se.Err = err
	}
	return se
}

// exceptionMessage renders a thrown value as "Name: message". Reading an
// object's name and message may run script code (getters), hence guard.
func (x *run) exceptionMessage(ex *goja.Exception) string {
	v := ex.Value()
	obj, ok := v.(*goja.Object)
	if !ok {
		if v == nil {
			return "uncaught exception"
		}
		return "Uncaught " + v.String()
	}
	msg := "uncaught exception"
	_ = guard(func() error {
		name, message := obj.Get("name"), obj.Get("message")
		switch {
		case message != nil && !goja.IsUndefined(message):
			n := "Error"
			if name != nil && !goja.IsUndefined(name) {
				n = name.String()
			}
			msg = n + ": " + message.String()
		default:
			msg = "Uncaught " + obj.String()
		}
		return nil
	})
	return msg
}
