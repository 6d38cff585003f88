package scripting

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

func (x *run) installStringGuards(s *scan) {
	if !(s.has("repeat") || s.has("padStart") || s.has("padEnd") || s.has("concat") ||
		s.has("replace") || s.has("replaceAll") || s.has("split") || s.has("raw")) {
		return
	}
	strCtor := x.vm.Get("String").(*goja.Object)
	proto := strCtor.Get("prototype").(*goja.Object)
	if s.has("repeat") {
		x.wrap(proto, "repeat", func(c goja.FunctionCall) {
			n := float64(x.thisString(c).Length()) * c.Argument(0).ToFloat()
			x.checkStringLength("String.prototype.repeat", n)
			x.account(int64(n))
		})
	}
	for _, name := range []string{"padStart", "padEnd"} {
		if s.has(name) {
			where := "String.prototype." + name
			x.wrap(proto, name, func(c goja.FunctionCall) {
				n := c.Argument(0).ToFloat()
				x.checkStringLength(where, n)
				x.account(int64(max(n-float64(x.thisString(c).Length()), 0)))
			})
		}
	}
	if s.has("concat") {
		x.wrap(proto, "concat", func(c goja.FunctionCall) {
			n := x.thisString(c).Length()
			for _, a := range c.Arguments {
				n += x.str(a).Length()
				x.checkStringLength("String.prototype.concat", float64(n))
			}
			x.account(int64(n))
		})
	}
	for _, name := range []string{"replace", "replaceAll"} {
		if !s.has(name) {
			continue
		}
		where := "String.prototype." + name
		orig, ok := goja.AssertFunction(proto.Get(name))
		if !ok {
			continue
		}
		_ = proto.Set(name, func(c goja.FunctionCall) goja.Value {
			args := append([]goja.Value(nil), c.Arguments...)
			// A RegExp pattern dispatches to RegExp.prototype[Symbol.replace],
			// guarded on its own.
			if _, isObj := c.Argument(0).(*goja.Object); !isObj && len(args) > 1 {
				args[1] = x.boundedReplacer(where, x.thisString(c), args[1])
			}
			return x.callOrig(orig, goja.FunctionCall{This: c.This, Arguments: args})
		})
	}
	if s.has("split") {
		x.wrapAfter(proto, "split", func(c goja.FunctionCall, out goja.Value) {
			n := x.lengthOf(out)
			x.checkArrayLength("String.prototype.split", n)
			x.account(n * elementBytes * 2)
		})
	}
	if s.has("raw") {
		x.wrap(strCtor, "raw", func(c goja.FunctionCall) {
			if o, ok := c.Argument(0).(*goja.Object); ok {
				if raw, ok := o.Get("raw").(*goja.Object); ok {
					x.checkArrayLength("String.raw", x.lengthOf(raw))
				}
			}
		})
	}
}

// str is ToString for any value (goja keeps numbers as numbers in
// ToString), running toString for objects.
func (x *run) str(v goja.Value) goja.String {
	if s, ok := v.(goja.String); ok {
		return s
	}
	if v == nil {
		v = goja.Undefined()
	}
	return x.vm.ToValue(v.String()).(goja.String)
}

func (x *run) thisString(c goja.FunctionCall) goja.String {
	if s, ok := c.This.(goja.String); ok {
		return s
	}
	return x.str(c.This)
}

// boundedReplacer returns a replacer function standing in for repl (a
// function or a replacement pattern) that counts the length of the result
// as matches are replaced: 'x'.repeat(1e6).replace(/x/g, '$`') would
// otherwise build a string of 5e11 code units inside one native call.
func (x *run) boundedReplacer(where string, subject goja.String, repl goja.Value) goja.Value {
	fn, isFn := goja.AssertFunction(repl)
	var pattern goja.String
	if !isFn {
		pattern = x.str(repl)
	}
	total := subject.Length()
	return x.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		x.checkBudget() // called once per match, from inside replace
		var out goja.String
		if isFn {
			out = x.str(x.callOrig(fn, goja.FunctionCall{This: goja.Undefined(), Arguments: c.Arguments}))
		} else {
			out = x.substitute(pattern, c.Arguments)
		}
		total += out.Length()
		x.checkStringLength(where, float64(total))
		x.account(int64(out.Length()))
		return out
	})
}

// substitute expands a replacement pattern ($$, $&, $`, $', $n, $nn,
// $<name>) for one match, from the arguments a replacer function receives:
// (matched, p1 … pn, position, string[, groups]).
func (x *run) substitute(pattern goja.String, args []goja.Value) goja.String {
	n := len(args)
	var groups *goja.Object
	if n > 0 {
		if g, ok := args[n-1].(*goja.Object); ok {
			groups = g
			n--
		}
	}
	if n < 3 {
		return pattern
	}
	matched := x.str(args[0])
	str := x.str(args[n-1])
	pos := int(args[n-2].ToInteger())
	caps := args[1 : n-2]
	var b goja.StringBuilder
	l := pattern.Length()
	lit := 0 // start of the pending literal run
	flush := func(end int) {
		if end > lit {
			b.WriteString(pattern.Substring(lit, end))
		}
	}
	for i := 0; i < l; i++ {
		if pattern.CharAt(i) != '$' || i+1 >= l {
			continue
		}
		next := pattern.CharAt(i + 1)
		skip := 0
		var part goja.Value
		switch {
		case next == '$':
			part, skip = x.vm.ToValue("$"), 1
		case next == '&':
			part, skip = matched, 1
		case next == '`':
			part, skip = str.Substring(0, min(max(pos, 0), str.Length())), 1
		case next == '\'':
			tail := min(max(pos, 0)+matched.Length(), str.Length())
			part, skip = str.Substring(tail, str.Length()), 1
		case next >= '0' && next <= '9':
			d, used := int(next-'0'), 1
			if i+2 < l {
				if d2 := pattern.CharAt(i + 2); d2 >= '0' && d2 <= '9' {
					if dd := d*10 + int(d2-'0'); dd >= 1 && dd <= len(caps) {
						d, used = dd, 2
					}
				}
			}
			if d >= 1 && d <= len(caps) {
				part, skip = caps[d-1], used
				if goja.IsUndefined(part) {
					part = x.vm.ToValue("")
				}
			}
		case next == '<' && groups != nil:
			rest := pattern.Substring(i+2, l).String()
			if end := strings.IndexByte(rest, '>'); end >= 0 {
				v := groups.Get(rest[:end])
				if v == nil || goja.IsUndefined(v) {
					v = x.vm.ToValue("")
				}
				part = v
				skip = 1 + utf16Len(rest[:end]) + 1
			}
		}
		if part == nil {
			continue
		}
		flush(i)
		b.WriteString(x.str(part))
		i += skip
		lit = i + 1
	}
	flush(l)
	return b.String()
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// installRegexGuards guards exec and test (see regex.go) and bounds the
// replacement strings of replace.
func (x *run) installRegexGuards(s *scan) error {
	names := []string{"exec", "test", "match", "matchAll", "replace", "replaceAll", "search", "split", "RegExp"}
	need := false
	for _, n := range names {
		need = need || s.has(n)
	}
	if !need {
		return nil
	}
	g, err := x.newRegexGuard()
	if err != nil {
		return err
	}
	x.regex = g
	proto := x.vm.Get("RegExp").(*goja.Object).Get("prototype").(*goja.Object)
	// Replacing exec on the prototype turns goja's fast paths off for every
	// RegExp (its prototype is no longer the standard one), so the symbol
	// methods call exec through the guard for each match.
	for _, name := range []string{"exec", "test"} {
		if orig, ok := goja.AssertFunction(proto.Get(name)); ok {
			_ = proto.Set(name, x.guardedMatch(orig))
		}
	}
	if orig, ok := goja.AssertFunction(proto.GetSymbol(goja.SymReplace)); ok {
		_ = proto.SetSymbol(goja.SymReplace, func(c goja.FunctionCall) goja.Value {
			x.checkBudget()
			if len(c.Arguments) > 1 {
				args := append([]goja.Value(nil), c.Arguments...)
				args[1] = x.boundedReplacer("RegExp.prototype[Symbol.replace]", x.str(args[0]), args[1])
				c.Arguments = args
			}
			return x.callOrig(orig, c)
		})
	}
	return nil
}

// guardedMatch wraps exec or test: one match, with the budget checked
// before and after and, when goja would use regexp2, the match checked
// first (see checkMatch).
func (x *run) guardedMatch(orig goja.Callable) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		x.checkBudget()
		input := x.str(c.Argument(0)) // ToString once: it may run script code
		if rx, ok := c.This.(*goja.Object); ok {
			x.checkMatch(rx, input)
		}
		x.checkBudget()
		out := x.callOrig(orig, goja.FunctionCall{This: c.This, Arguments: []goja.Value{input}})
		x.checkBudget()
		return out
	}
}

// checkBudget ends the run, uncatchably, once its budget is spent or it
// was told to stop: natives that call back into the guards (a split over
// every position of a long string) unwind at once instead of running to
// their end.
func (x *run) checkBudget() {
	if x.stopped {
		x.unwind()
	}
	if x.ctx.Err() != nil {
		x.abort(context.Cause(x.ctx))
	}
}

// abort stops the run with cause and unwinds the native calls in progress.
func (x *run) abort(cause error) {
	x.stop(cause)
	x.unwind()
}

// unwind raises the VM's uncatchable InterruptedError from Go code: the
// run has been interrupted, so running any code makes the VM produce it,
// and a panic with it unwinds through goja's natives to the run, past
// every try/catch.
func (x *run) unwind() {
	_, err := x.vm.RunProgram(interruptProbe())
	if err == nil {
		err = errors.New("scripting: the run was stopped")
	}
	panic(err)
}

// interruptProbe and the other programs the guards run are compiled on
// first use: a process that runs no script compiles none (and does not
// touch the compiler's code at start; docs/performance.md, "Memory at
// start").
var interruptProbe = sync.OnceValue(func() *goja.Program { return goja.MustCompile("probe", "0", true) })

// installJSONGuards bounds JSON.parse by nesting (goja's parser recurses on
// the Go stack) and JSON.stringify by the size of the text it would write.
func (x *run) installJSONGuards() {
	j, ok := x.vm.Get("JSON").(*goja.Object)
	if !ok {
		return
	}
	x.wrap(j, "parse", func(c goja.FunctionCall) {
		text := x.str(c.Argument(0))
		if nestingDepth(text.String(), maxNesting) > maxNesting {
			x.throwRange("JSON.parse: text nested deeper than the nesting limit of %d", maxNesting)
		}
		x.account(int64(text.Length()) * 4)
	})
	x.wrap(j, "stringify", func(c goja.FunctionCall) {
		gap := int64(0)
		switch sp := c.Argument(2).(type) {
		case goja.String:
			gap = int64(min(sp.Length(), 10))
		default:
			if !goja.IsUndefined(sp) {
				gap = min(max(sp.ToInteger(), 0), 10)
			}
		}
		est := &sizeEstimate{x: x, gap: gap, onPath: map[*goja.Object]bool{}}
		est.walk(c.Argument(0), 0)
		x.account(est.size)
	})
}

// sizeEstimate walks a value the way JSON.stringify will, adding up the
// text it would produce and stopping with a RangeError past the limits.
type sizeEstimate struct {
	x      *run
	gap    int64
	size   int64
	nodes  int64
	onPath map[*goja.Object]bool
}

func (e *sizeEstimate) add(n int64) {
	e.size += n
	e.nodes++
	if e.size > int64(e.x.lim.MaxStringLength) {
		e.x.checkStringLength("JSON.stringify", float64(e.size))
	}
	if e.nodes > int64(e.x.lim.MaxArrayLength) {
		e.x.throwRange("JSON.stringify: more values than the %s limit of %d", LimitArrayLength, e.x.lim.MaxArrayLength)
	}
}

func (e *sizeEstimate) walk(v goja.Value, depth int) {
	if depth > maxNesting {
		e.x.throwRange("JSON.stringify: value nested deeper than the nesting limit of %d", maxNesting)
	}
	indent := e.gap * int64(depth+1)
	switch t := v.(type) {
	case goja.String:
		e.add(int64(t.Length()) + 2 + indent)
		return
	case *goja.Object:
		if e.onPath[t] {
			return // stringify reports the cycle itself
		}
		if t.ClassName() == "Function" {
			return
		}
		e.onPath[t] = true
		defer delete(e.onPath, t)
		if t.ClassName() == "Array" {
			n := e.x.lengthOf(t)
			e.x.checkArrayLength("JSON.stringify", n)
			e.add(2 + indent)
			for i := int64(0); i < n; i++ {
				e.walk(t.Get(itoa(i)), depth+1)
			}
			return
		}
		e.add(2 + indent)
		for _, k := range t.Keys() {
			e.add(int64(len(k)) + 3)
			e.walk(t.Get(k), depth+1)
		}
		return
	}
	e.add(5 + indent) // null, true, a number
}

// removeDynamicCode replaces eval and the function constructors by functions
// that throw: goja's parser recurses on the Go stack, and
// eval('['.repeat(1e6)) killed the process here with a fatal stack overflow.
// Tenant code is compiled once, from the saved script, with source maps
// disabled (S8).
func (x *run) removeDynamicCode(s *scan) {
	if !(s.has("eval") || s.has("Function") || s.has("constructor")) {
		return
	}
	vm := x.vm
	refuse := func() *goja.Object {
		ctor := vm.Get("EvalError")
		o, err := vm.New(ctor, vm.ToValue("dynamic code is disabled in scripts"))
		if err != nil {
			panic(vm.NewTypeError("dynamic code is disabled in scripts"))
		}
		panic(o)
	}
	// A constructor, so that `new Function(…)` reaches it too.
	thrower := vm.ToValue(func(goja.ConstructorCall) *goja.Object { return refuse() }).(*goja.Object)
	g := vm.GlobalObject()
	_ = g.Set("eval", thrower)
	fnProto := vm.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	_ = thrower.DefineDataProperty("prototype", fnProto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = g.Set("Function", thrower)
	// constructor is read-only on the generator and async function
	// prototypes: redefine rather than assign.
	_ = fnProto.DefineDataProperty("constructor", thrower, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	protos, err := vm.RunProgram(functionProtos())
	if err != nil {
		panic(err)
	}
	list := protos.(*goja.Object)
	for i := 0; i < 2; i++ {
		if p, ok := list.Get(itoa(int64(i))).(*goja.Object); ok {
			_ = p.DefineDataProperty("constructor", thrower, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
}

var functionProtos = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("setup", "[Object.getPrototypeOf(function*(){}), Object.getPrototypeOf(async function(){})]", true)
})
