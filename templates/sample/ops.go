package sample

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// ops are the operations of recipe expressions, by name (see expr).
var ops = map[string]*op{
	"$":    {0, 0, func(r *run, s *scope, e *expr) any { return resolve(s, e) }},
	"list": {0, -1, func(r *run, s *scope, e *expr) any { return r.evalAll(s, e.args) }},
	// obj makes an object; a member can read the members before it.
	"obj": {0, 0, func(r *run, s *scope, e *expr) any {
		m := make(map[string]any, len(e.keys))
		in := &scope{vars: m, up: s}
		for i, k := range e.keys {
			m[k] = r.eval(in, e.vals[i])
		}
		return m
	}},
	"table": {1, 1, func(r *run, s *scope, e *expr) any {
		k := fmt.Sprint(r.eval(s, e.args[0]))
		for _, want := range []string{k, "*"} {
			if i := slices.Index(e.keys, want); i >= 0 {
				return r.eval(s, e.vals[i])
			}
		}
		return nil
	}},
	// Lists.
	"pick": fn1(func(r *run, l []any) any { return pickAny(r, l) }, list),
	"w":    {0, 0, func(r *run, s *scope, e *expr) any { return e.keys[r.weighted(e.wts)] }},
	// windex draws an index of a list of weights.
	"windex": fn1(func(r *run, l []any) any {
		w := make([]float64, len(l))
		for i, x := range l {
			w[i] = num(x)
		}
		return float64(r.weighted(w))
	}, list),
	"sample": fn2(func(r *run, l []any, n float64) any { return permOf(r, l)[:min(len(l), int(n))] }, list, num),
	"some":   {3, 3, opSome},
	"map":    {2, 3, func(r *run, s *scope, e *expr) any { return r.mapList(s, e, false) }},
	"filter": {2, 3, func(r *run, s *scope, e *expr) any { return r.mapList(s, e, true) }},
	"find": {2, 3, func(r *run, s *scope, e *expr) any {
		if l := list(r.mapList(s, e, true)); len(l) > 0 {
			return l[0]
		}
		return nil
	}},
	"flatten": fn1(func(r *run, l []any) any {
		var out []any
		for _, x := range l {
			out = append(out, list(x)...)
		}
		return out
	}, list),
	"distinct": fn1(func(r *run, l []any) any {
		var out []any
		for _, x := range l {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}, list),
	"repeat": {2, 2, func(r *run, s *scope, e *expr) any {
		var out []any
		for i := range int(num(r.eval(s, e.args[0]))) {
			out = append(out, r.eval(s.child("i", float64(i)), e.args[1]))
		}
		return out
	}},
	// unfold is [first, next, while]: first, then next of the one before
	// ($it), as long as while holds of it.
	"unfold": {3, 3, func(r *run, s *scope, e *expr) any {
		var out []any
		for v := r.eval(s, e.args[0]); boolean(r.eval(s.child("it", v), e.args[2])); v = r.eval(s.child("it", v), e.args[1]) {
			if len(out) == 10_000 {
				fail("unfold: more than 10,000 elements")
			}
			out = append(out, v)
		}
		return out
	}},
	// sort is [list, key]: the list in the order of the key ($it), a
	// number, time or text.
	"sort": {2, 2, func(r *run, s *scope, e *expr) any {
		l := list(r.eval(s, e.args[0]))
		keys := make(map[int]any, len(l))
		idx := make([]int, len(l))
		for i, it := range l {
			idx[i] = i
			keys[i] = r.eval(s.child("it", it), e.args[1])
		}
		slices.SortStableFunc(idx, func(a, b int) int { return compare(keys[a], keys[b]) })
		out := make([]any, len(l))
		for i, j := range idx {
			out[i] = l[j]
		}
		return out
	}},
	"deal":   {3, 3, opDeal},
	"ledger": {5, 5, opLedger},
	"len":    fn1(func(r *run, l []any) any { return float64(len(l)) }, list),
	"at": fn2(func(r *run, l []any, i float64) any {
		if i < 0 {
			i += float64(len(l))
		}
		return l[int(i)]
	}, list, num),
	"slice": fn3(func(r *run, l []any, lo, hi float64) any { return slices.Clone(l[int(lo):min(len(l), int(hi))]) }, list, num, num),
	"append": {2, -1, func(r *run, s *scope, e *expr) any {
		return append(slices.Clone(list(r.eval(s, e.args[0]))), r.evalAll(s, e.args[1:])...)
	}},
	"reverse": fn1(func(r *run, l []any) any {
		out := slices.Clone(l)
		slices.Reverse(out)
		return out
	}, list),
	// of is [value, name]: the member of the value so named.
	"of": fn2(func(r *run, v any, name string) any {
		if m, ok := v.(map[string]any); ok {
			return m[name] // a table need not list every name
		}
		return member(v, name)
	}, anyv, str),
	// with is [value, result]: nil if the value is, else the result
	// with the value as $it.
	"with": {2, 2, func(r *run, s *scope, e *expr) any {
		v := r.eval(s, e.args[0])
		if v == nil {
			return nil
		}
		return r.eval(s.child("it", v), e.args[1])
	}},
	"in":     fn2(func(r *run, x any, l []any) any { return slices.Contains(l, x) }, anyv, list),
	"sum":    fn1(func(r *run, l []any) any { return sumOf(l) }, list),
	"rec":    fn1(func(r *run, name string) any { return pickAny(r, r.records(name)) }, str),
	"recsAt": fn2(func(r *run, name, key string) any { return r.index[[2]string{name, key}] }, str, str),
	"recs":   fn1(func(r *run, name string) any { return r.records(name) }, str),
	// seat [key, capacity] takes one of capacity places under key and is
	// true, or false when they are all taken; [key, capacity, n] takes n
	// at once or none. Records placed into something with room for a
	// number of them (students into a class, travellers on a departure)
	// never overfill it.
	"seat": {2, 3, func(r *run, s *scope, e *expr) any {
		a := r.evalAll(s, e.args)
		key, capacity, n := str(a[0]), num(a[1]), 1.0
		if len(a) == 3 {
			n = num(a[2])
		}
		if float64(r.seats[key])+n > capacity {
			return false
		}
		r.seats[key] += int(n)
		return true
	}},
	// unique is [value, retry]: value, or retry until it gives one not
	// handed out before.
	"unique": {2, 2, func(r *run, s *scope, e *expr) any {
		v := r.eval(s, e.args[0])
		for range 100_000 {
			if r.unique(fmt.Sprintf("%p\x00%v", e, v)) {
				return v
			}
			v = r.eval(s, e.args[1])
		}
		fail("unique: no new value in 100,000 draws")
		return nil
	}},
	// Numbers and chance.
	"int":       fn2(func(r *run, lo, hi float64) any { return float64(r.between(int(lo), int(hi))) }, num, num),
	"uniform":   fn2(func(r *run, lo, hi float64) any { return lo + r.r.Float64()*(hi-lo) }, num, num),
	"normal":    fn2(func(r *run, mean, sd float64) any { return mean + sd*r.r.NormFloat64() }, num, num),
	"lognormal": fn2(func(r *run, m, sigma float64) any { return r.logNormal(m, sigma) }, num, num),
	"money":     fn2(func(r *run, m, sigma float64) any { return r.money(m, sigma) }, num, num),
	"chance":    fn1(func(r *run, p float64) any { return r.chance(p) }, num),
	"add":       fold(func(a, b float64) float64 { return a + b }),
	"mul":       fold(func(a, b float64) float64 { return a * b }),
	"min":       fold(math.Min),
	"max":       fold(math.Max),
	"mod":       fn2(func(r *run, a, b float64) any { return math.Mod(a, b) }, num, num),
	"sub":       fn2(func(r *run, a, b float64) any { return a - b }, num, num),
	"div":       fn2(func(r *run, a, b float64) any { return a / b }, num, num),
	"floor":     fn1(func(r *run, a float64) any { return math.Floor(a) }, num),
	"round":     fn1(func(r *run, a float64) any { return math.Round(a) }, num),
	"round2":    fn1(func(r *run, a float64) any { return round2(a) }, num),
	"bucket":    fn2(func(r *run, v float64, cuts []any) any { return float64(bucket(v, cuts)) }, num, list),
	// Logic.
	"eq":  fn2(func(r *run, a, b any) any { return a == b }, scalar, scalar),
	"ne":  fn2(func(r *run, a, b any) any { return a != b }, scalar, scalar),
	"lt":  fn2(func(r *run, a, b float64) any { return a < b }, num, num),
	"le":  fn2(func(r *run, a, b float64) any { return a <= b }, num, num),
	"gt":  fn2(func(r *run, a, b float64) any { return a > b }, num, num),
	"ge":  fn2(func(r *run, a, b float64) any { return a >= b }, num, num),
	"not": fn1(func(r *run, a bool) any { return !a }, boolean),
	"and": {1, -1, func(r *run, s *scope, e *expr) any {
		for _, a := range e.args {
			if !boolean(r.eval(s, a)) {
				return false
			}
		}
		return true
	}},
	"or": {1, -1, func(r *run, s *scope, e *expr) any {
		for _, a := range e.args {
			if boolean(r.eval(s, a)) {
				return true
			}
		}
		return false
	}},
	"if": {2, 3, func(r *run, s *scope, e *expr) any {
		if boolean(r.eval(s, e.args[0])) {
			return r.eval(s, e.args[1])
		}
		if len(e.args) == 3 {
			return r.eval(s, e.args[2])
		}
		return nil
	}},
	// else is [value, otherwise]: the value unless it is nil.
	"else": {2, 2, func(r *run, s *scope, e *expr) any {
		if v := r.eval(s, e.args[0]); v != nil {
			return v
		}
		return r.eval(s, e.args[1])
	}},
	// cond is [test, value, test, value, ..., otherwise].
	"cond": {2, -1, func(r *run, s *scope, e *expr) any {
		a := e.args
		for ; len(a) >= 2; a = a[2:] {
			if boolean(r.eval(s, a[0])) {
				return r.eval(s, a[1])
			}
		}
		if len(a) == 1 {
			return r.eval(s, a[0])
		}
		return nil
	}},
	// Text.
	"fmt": {1, -1, func(r *run, s *scope, e *expr) any {
		args := r.evalAll(s, e.args[1:])
		for i, a := range args {
			if f, ok := a.(float64); ok && f == math.Trunc(f) {
				args[i] = int64(f)
			}
		}
		return fmt.Sprintf(str(r.eval(s, e.args[0])), args...)
	}},
	"trim": {2, -1, func(r *run, s *scope, e *expr) any {
		v := str(r.eval(s, e.args[0]))
		for _, suffix := range r.evalAll(s, e.args[1:]) {
			if t, ok := strings.CutSuffix(v, str(suffix)); ok {
				return t
			}
		}
		return v
	}},
	"substr": fn3(func(r *run, v string, lo, hi float64) any { return v[int(lo):min(len(v), int(hi))] }, str, num, num),
	"upper":  fn1(func(r *run, v string) any { return strings.ToUpper(v) }, str),
	"join":   fn2(func(r *run, l []any, sep string) any { return strings.Join(strs(l), sep) }, list, str),
	"ean13":  fn1(func(r *run, body string) any { return ean13(body) }, str),
	// Time.
	"when":      {0, 0, func(r *run, s *scope, e *expr) any { return r.when() }},
	"after":     fn3(func(r *run, t time.Time, lo, hi float64) any { return r.after(t, lo, hi) }, tm, num, num),
	"future":    fn2(func(r *run, lo, hi float64) any { return r.future(int(lo), int(hi)) }, num, num),
	"birth":     fn2(func(r *run, lo, hi float64) any { return r.birth(int(lo), int(hi)) }, num, num),
	"workHours": fn1(func(r *run, t time.Time) any { return r.workHours(t) }, tm),
	"addDays":   fn2(func(r *run, t time.Time, d float64) any { return t.AddDate(0, 0, int(d)) }, tm, num),
	"addMonths": fn2(func(r *run, t time.Time, m float64) any { return t.AddDate(0, int(m), 0) }, tm, num),
	"addYears":  fn2(func(r *run, t time.Time, y float64) any { return t.AddDate(int(y), 0, 0) }, tm, num),
	"addHours": fn2(func(r *run, t time.Time, h float64) any {
		return t.Add(time.Duration(math.Round(h*3600)) * time.Second)
	}, tm, num),
	"addMinutes": fn2(func(r *run, t time.Time, m float64) any {
		return t.Add(time.Duration(math.Round(m*60)) * time.Second)
	}, tm, num),
	"clock": fn2(func(r *run, t time.Time, h float64) any {
		t = t.In(cst)
		return time.Date(t.Year(), t.Month(), t.Day(), int(h), 0, 0, 0, cst)
	}, tm, num),
	"days":     fn2(func(r *run, a, b time.Time) any { return daysBetween(a, b) }, tm, tm),
	"before":   fn2(func(r *run, a, b time.Time) any { return a.Before(b) }, tm, tm),
	"latest":   fn1(func(r *run, l []any) any { return latest(l) }, list),
	"date":     fn1(func(r *run, t time.Time) any { return date(t) }, tm),
	"datetime": fn1(func(r *run, t time.Time) any { return datetime(t) }, tm),
	"timefmt":  fn2(func(r *run, t time.Time, layout string) any { return t.In(cst).Format(layout) }, tm, str),
	"year":     fn1(func(r *run, t time.Time) any { return float64(t.In(cst).Year()) }, tm),
	"month":    fn1(func(r *run, t time.Time) any { return float64(t.In(cst).Month()) }, tm),
	// People, places and companies (zh.go).
	"person": {0, 0, func(r *run, s *scope, e *expr) any { return r.person() }},
	"region": {0, -1, func(r *run, s *scope, e *expr) any {
		cities := r.evalAll(s, e.args)
		if len(cities) == 1 {
			cities = list(cities[0])
		}
		if len(cities) == 0 {
			return r.region()
		}
		return r.regionIn(strs(cities)...)
	}},
	// regions lists the districts of a city.
	"regions": fn1(func(r *run, city string) any {
		var out []any
		for _, rg := range zh().Regions {
			if rg.city == city {
				out = append(out, rg)
			}
		}
		return out
	}, str),
	"address":  fn1(func(r *run, rg region) any { return r.address(rg) }, reg),
	"landline": fn1(func(r *run, rg region) any { return r.landline(rg) }, reg),
	"mobile":   {0, 0, func(r *run, s *scope, e *expr) any { return r.mobile() }},
	"uscc":     fn1(func(r *run, rg region) any { return r.uscc(rg) }, reg),
	"residentID": fn3(func(r *run, rg region, birth time.Time, p person) any {
		return r.residentID(rg, birth, p.male)
	}, reg, tm, per),
	"company": fn2(func(r *run, rg region, trades []any) any {
		name, brand := r.company(rg, strs(trades))
		return map[string]any{"name": name, "brand": brand}
	}, reg, list),
	"email": {1, 2, func(r *run, s *scope, e *expr) any {
		domain := ""
		if len(e.args) == 2 {
			domain = str(r.eval(s, e.args[1]))
		}
		return r.email(per(r.eval(s, e.args[0])), domain)
	}},
	// Pipelines (sim.go).
	"path":   {5, 5, opPath},
	"stage":  fn3(func(r *run, field, name string, at time.Time) any { return Stage{field, name, at} }, str, str, tm),
	"series": {6, 6, opSeries},
	"untilNow": fn1(func(r *run, steps []any) any {
		for i, x := range steps {
			if member(x, "at").(time.Time).After(r.now) {
				return steps[:i]
			}
		}
		return steps
	}, list),
	"stageAt": fn2(func(r *run, steps []any, name string) any { return stageAt(steps, name) }, list, str),
}

// Argument conversions: each fails with the value it got.

// as returns v as a T, or fails naming what was wanted.
func as[T any](v any, want string) T {
	x, ok := v.(T)
	if !ok {
		fail("want %s, got %T %v", want, v, v)
	}
	return x
}

func num(v any) float64  { return as[float64](v, "a number") }
func str(v any) string   { return as[string](v, "a string") }
func tm(v any) time.Time { return as[time.Time](v, "a time") }
func reg(v any) region   { return as[region](v, "a region") }
func per(v any) person   { return as[person](v, "a person") }

func list(v any) []any {
	if v == nil {
		return nil
	}
	return as[[]any](v, "a list")
}

// boolean is the truth of a value: nil is false, and a record, a list
// or a text is true (so {"if": ["$lead", ...]} asks whether there is one).
func boolean(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case nil:
		return false
	case float64:
		fail("want true or false, got the number %v", v)
	}
	return true
}

func anyv(v any) any { return v }

// scalar is a value that compares: a string, number, boolean or nil.
func scalar(v any) any {
	switch v.(type) {
	case nil, string, float64, bool:
		return v
	}
	fail("want a string, number or boolean to compare, got %T", v)
	return nil
}

func strs(l []any) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = str(v)
	}
	return out
}

// fn1, fn2 and fn3 make operations of functions of evaluated arguments.

func fn1[A any](f func(*run, A) any, ca func(any) A) *op {
	return &op{1, 1, func(r *run, s *scope, e *expr) any { return f(r, ca(r.eval(s, e.args[0]))) }}
}

func fn2[A, B any](f func(*run, A, B) any, ca func(any) A, cb func(any) B) *op {
	return &op{2, 2, func(r *run, s *scope, e *expr) any {
		return f(r, ca(r.eval(s, e.args[0])), cb(r.eval(s, e.args[1])))
	}}
}

func fn3[A, B, C any](f func(*run, A, B, C) any, ca func(any) A, cb func(any) B, cc func(any) C) *op {
	return &op{3, 3, func(r *run, s *scope, e *expr) any {
		return f(r, ca(r.eval(s, e.args[0])), cb(r.eval(s, e.args[1])), cc(r.eval(s, e.args[2])))
	}}
}

// fold makes an operation that combines any number of numbers.
func fold(f func(a, b float64) float64) *op {
	return &op{1, -1, func(r *run, s *scope, e *expr) any {
		acc := num(r.eval(s, e.args[0]))
		for _, a := range e.args[1:] {
			acc = f(acc, num(r.eval(s, a)))
		}
		return acc
	}}
}

func (r *run) evalAll(s *scope, args []*expr) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = r.eval(s, a)
	}
	return out
}

// mapList evaluates the second argument for each element ($it, or the
// name the third argument gives; $i its index) of the first, and keeps
// the results or, keep, the elements it is true for.
func (r *run) mapList(s *scope, e *expr, keep bool) any {
	name := "it"
	if len(e.args) == 3 {
		name = str(r.eval(s, e.args[2]))
	}
	var out []any
	for i, it := range list(r.eval(s, e.args[0])) {
		c := s.child(name, it).child("i", float64(i))
		v := r.eval(c, e.args[1])
		switch {
		case !keep:
			out = append(out, v)
		case boolean(v):
			out = append(out, it)
		}
	}
	return out
}

// opSome is [list, lo, hi]: between lo and hi distinct elements, in list
// order.
func opSome(r *run, s *scope, e *expr) any {
	l := list(r.eval(s, e.args[0]))
	n := r.between(int(num(r.eval(s, e.args[1]))), min(int(num(r.eval(s, e.args[2]))), len(l)))
	idx := r.r.Perm(len(l))[:n]
	slices.Sort(idx)
	out := make([]any, n)
	for i, j := range idx {
		out[i] = l[j]
	}
	return out
}

// compare orders two numbers, times or texts.
func compare(a, b any) int {
	switch x := a.(type) {
	case float64:
		return cmp.Compare(x, num(b))
	case time.Time:
		return x.Compare(tm(b))
	case string:
		return strings.Compare(x, str(b))
	}
	fail("sort: %T does not order", a)
	return 0
}

func permOf(r *run, l []any) []any {
	out := make([]any, len(l))
	for i, j := range r.r.Perm(len(l)) {
		out[i] = l[j]
	}
	return out
}

func pickAny(r *run, l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[r.r.IntN(len(l))]
}

func sumOf(l []any) float64 {
	t := 0.0
	for _, v := range l {
		t += num(v)
	}
	return t
}

// bucket counts the cut points (ascending) that v is above.
func bucket(v float64, cuts []any) int {
	n := 0
	for _, c := range cuts {
		if v > num(c) {
			n++
		}
	}
	return n
}

func latest(l []any) time.Time {
	var t time.Time
	for _, v := range l {
		if x := tm(v); x.After(t) {
			t = x
		}
	}
	return t
}
