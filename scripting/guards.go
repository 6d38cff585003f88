package scripting

import (
	"math"
	"strconv"

	"github.com/dop251/goja"
)

// Guards for built-ins that Interrupt cannot stop. A built-in runs to its end
// once called: 'x'.repeat(2**30) allocated 256 MiB and more past the
// interrupt, [].fill over a length of 1e9 was killed by the kernel for
// memory, Array.from({length: 1e8}) ran 61 s. Each guard checks its
// arguments before the built-in runs and throws a catchable RangeError when
// the result would pass MaxStringLength or MaxArrayLength (S4), and counts
// what it lets through against MaxAllocBytes, which ends the run uncatchably
// (S5). Guards are installed per run, only for the names the script can
// reach (see scan).

// arrayWalkers are Array.prototype methods whose work or result grows with
// this.length, whatever the array holds (a sparse array or an array-like of
// huge length costs nothing to make).
var arrayWalkers = []string{
	"at", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex",
	"findLast", "findLastIndex", "flatMap", "forEach", "includes", "indexOf",
	"keys", "lastIndexOf", "map", "pop", "reduce", "reduceRight", "reverse",
	"shift", "slice", "some", "sort", "splice", "toReversed", "toSorted",
	"toSpliced", "values", "with",
}

// removedGlobals are binary-data constructors; CRM scripts have no use for
// them and each allocates its length at once.
var removedGlobals = []string{
	"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array",
	"BigInt64Array", "BigUint64Array",
}

// elementBytes is what one array slot costs (a goja Value interface).
const elementBytes = 16

func (x *run) installGuards() error {
	vm, s := x.vm, x.prog.scan
	g := vm.GlobalObject()
	arrayCtor := vm.Get("Array").(*goja.Object)
	arrayProto := arrayCtor.Get("prototype").(*goja.Object)

	// Spread, for-of and destructuring reach the array iterator without
	// naming it, and String(a), `${a}` and a + '' reach join: join always,
	// the iterator when the syntax or a name that iterates is there.
	if s.iterates || s.dynamic {
		x.wrapSym(arrayProto, goja.SymIterator, func(c goja.FunctionCall) { x.checkThisLength("Array.prototype[Symbol.iterator]", c) })
	}
	x.setJoin(arrayProto, "join", false)

	if s.has("toLocaleString") {
		x.setJoin(arrayProto, "toLocaleString", true)
	}
	for _, name := range arrayWalkers {
		if s.has(name) {
			n := name
			x.wrap(arrayProto, n, func(c goja.FunctionCall) { x.checkThisLength("Array.prototype."+n, c) })
		}
	}
	if s.has("concat") {
		x.wrap(arrayProto, "concat", x.checkConcat)
	}
	if s.has("push") || s.has("unshift") {
		for _, n := range []string{"push", "unshift"} {
			name := n
			x.wrap(arrayProto, name, func(c goja.FunctionCall) {
				l := x.checkThisLength("Array.prototype."+name, c)
				x.checkArrayLength("Array.prototype."+name, l+int64(len(c.Arguments)))
			})
		}
	}
	if s.has("flat") {
		x.wrap(arrayProto, "flat", x.checkFlat)
	}
	if s.has("fill") || s.has("map") || s.has("slice") || s.has("filter") {
		// Dense results: count them against the allocation budget.
		for _, n := range []string{"fill", "map", "slice", "filter"} {
			name := n
			if s.has(name) {
				x.wrapAfter(arrayProto, name, func(c goja.FunctionCall, out goja.Value) {
					x.account(x.lengthOf(out) * elementBytes)
				})
			}
		}
	}
	if s.has("from") {
		x.wrap(arrayCtor, "from", func(c goja.FunctionCall) {
			if o, ok := c.Argument(0).(*goja.Object); ok && o.GetSymbol(goja.SymIterator) == nil {
				x.checkArrayLength("Array.from", x.lengthOf(o))
			}
		})
	}
	if s.has("apply") {
		fnProto := vm.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
		x.wrap(fnProto, "apply", func(c goja.FunctionCall) {
			if o, ok := c.Argument(1).(*goja.Object); ok {
				x.checkArrayLength("Function.prototype.apply", x.lengthOf(o))
			}
		})
	}
	if s.has("Reflect") {
		refl := vm.Get("Reflect").(*goja.Object)
		for _, n := range []string{"apply", "construct"} {
			x.wrap(refl, n, func(c goja.FunctionCall) {
				idx := 1
				if n == "apply" {
					idx = 2
				}
				if o, ok := c.Argument(idx).(*goja.Object); ok {
					x.checkArrayLength("Reflect."+n, x.lengthOf(o))
				}
			})
		}
	}
	x.installStringGuards(s)
	if s.has("JSON") || s.has("parse") || s.has("stringify") {
		x.installJSONGuards()
	}
	if err := x.installRegexGuards(s); err != nil {
		return err
	}

	for _, name := range removedGlobals {
		if s.has(name) {
			_ = g.Delete(name)
		}
	}
	x.removeDynamicCode(s)
	return nil
}

// wrap replaces obj[name] by a function that runs check and then the
// original.
func (x *run) wrap(obj *goja.Object, name string, check func(goja.FunctionCall)) {
	orig, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		return
	}
	_ = obj.Set(name, func(c goja.FunctionCall) goja.Value {
		check(c)
		return x.callOrig(orig, c)
	})
}

// wrapAfter replaces obj[name] by a function that runs the original and then
// after with its result.
func (x *run) wrapAfter(obj *goja.Object, name string, after func(goja.FunctionCall, goja.Value)) {
	orig, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		return
	}
	_ = obj.Set(name, func(c goja.FunctionCall) goja.Value {
		out := x.callOrig(orig, c)
		after(c, out)
		return out
	})
}

func (x *run) wrapSym(obj *goja.Object, sym *goja.Symbol, check func(goja.FunctionCall)) {
	orig, ok := goja.AssertFunction(obj.GetSymbol(sym))
	if !ok {
		return
	}
	_ = obj.SetSymbol(sym, func(c goja.FunctionCall) goja.Value {
		check(c)
		return x.callOrig(orig, c)
	})
}

// callOrig calls a built-in and rethrows what it threw, uncatchable errors
// included.
func (x *run) callOrig(orig goja.Callable, c goja.FunctionCall) goja.Value {
	out, err := orig(c.This, c.Arguments...)
	if err != nil {
		panic(err)
	}
	return out
}

// lengthOf is ToLength(v.length) for objects and the length of strings.
func (x *run) lengthOf(v goja.Value) int64 {
	switch t := v.(type) {
	case goja.String:
		return int64(t.Length())
	case *goja.Object:
		l := t.Get("length")
		if l == nil {
			return 0
		}
		f := l.ToFloat()
		if math.IsNaN(f) || f <= 0 {
			return 0
		}
		return int64(min(f, 1<<53))
	}
	return 0
}

func (x *run) checkThisLength(where string, c goja.FunctionCall) int64 {
	o, ok := c.This.(*goja.Object)
	if !ok {
		return 0
	}
	n := x.lengthOf(o)
	x.checkArrayLength(where, n)
	return n
}

func (x *run) checkArrayLength(where string, n int64) {
	if n > int64(x.lim.MaxArrayLength) {
		x.throwRange("%s: length %d exceeds the %s limit of %d", where, n, LimitArrayLength, x.lim.MaxArrayLength)
	}
}

func (x *run) checkStringLength(where string, n float64) {
	if n > float64(x.lim.MaxStringLength) {
		x.throwRange("%s: a string of %s code units exceeds the %s limit of %d", where,
			strconv.FormatFloat(n, 'f', -1, 64), LimitStringLength, x.lim.MaxStringLength)
	}
}

// account counts bytes produced by a guarded built-in; past MaxAllocBytes
// the run ends uncatchably (S5).
func (x *run) account(n int64) {
	x.res.Stats.AllocBytes += n
	if x.res.Stats.AllocBytes > x.lim.MaxAllocBytes {
		x.stop(newLimitError(LimitAllocBytes, x.lim.MaxAllocBytes, "bytes", ErrLimit))
	}
}

func (x *run) checkConcat(c goja.FunctionCall) {
	total := x.checkThisLength("Array.prototype.concat", c)
	for _, a := range c.Arguments {
		if o, ok := a.(*goja.Object); ok && o.ClassName() == "Array" {
			total += x.lengthOf(o)
		} else {
			total++
		}
		x.checkArrayLength("Array.prototype.concat", total)
	}
	x.account(total * elementBytes)
}

// checkFlat counts the elements flat would produce, visiting at most
// MaxArrayLength of them.
func (x *run) checkFlat(c goja.FunctionCall) {
	depth := 1.0
	if d := c.Argument(0); !goja.IsUndefined(d) {
		depth = d.ToFloat()
	}
	o, ok := c.This.(*goja.Object)
	if !ok {
		return
	}
	var count int64
	var walk func(a *goja.Object, depth float64)
	walk = func(a *goja.Object, depth float64) {
		n := x.lengthOf(a)
		x.checkArrayLength("Array.prototype.flat", n)
		for i := int64(0); i < n; i++ {
			e, isObj := a.Get(strconv.FormatInt(i, 10)).(*goja.Object)
			if isObj && depth >= 1 && e.ClassName() == "Array" {
				walk(e, depth-1)
			} else {
				count++
			}
			x.checkArrayLength("Array.prototype.flat", count)
		}
	}
	walk(o, min(depth, maxDepth))
	x.account(count * elementBytes)
}

// setJoin replaces join (or toLocaleString) by a Go implementation that
// checks the result's length as it grows: an array of a million references
// to one long string joins into terabytes, which no length check on the
// array alone catches.
func (x *run) setJoin(proto *goja.Object, name string, locale bool) {
	where := "Array.prototype." + name
	_ = proto.Set(name, func(c goja.FunctionCall) goja.Value {
		o, ok := c.This.(*goja.Object)
		if !ok {
			o = c.This.ToObject(x.vm)
		}
		n := x.checkThisLength(where, c)
		sep := x.vm.ToValue(",").(goja.String)
		if !locale {
			if s := c.Argument(0); !goja.IsUndefined(s) {
				sep = x.str(s)
			}
		}
		var b goja.StringBuilder
		total := 0
		limit := x.lim.MaxStringLength
		for i := int64(0); i < n; i++ {
			if i > 0 {
				total += sep.Length()
				if total > limit {
					x.checkStringLength(where, float64(total))
				}
				b.WriteString(sep)
			}
			e := o.Get(strconv.FormatInt(i, 10))
			if e == nil || goja.IsUndefined(e) || goja.IsNull(e) {
				continue
			}
			var part goja.String
			if locale {
				eo := e.ToObject(x.vm)
				fn, ok := goja.AssertFunction(eo.Get("toLocaleString"))
				if !ok {
					x.throwType("%s: toLocaleString is not a function", where)
				}
				part = x.str(x.callOrig(fn, goja.FunctionCall{This: e}))
			} else {
				part = x.str(e)
			}
			total += part.Length()
			if total > limit {
				x.checkStringLength(where, float64(total))
			}
			b.WriteString(part)
		}
		x.account(int64(total))
		return b.String()
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
