package sample

import (
	"maps"
	"math"
	"slices"
	"time"
)

// run is one generation from a recipe.
type run struct {
	*gen
	recs  map[string][]any    // the records of each step name, as their scopes' values
	index map[[2]string][]any // the records of each step name by their index
	at    string              // the step being made, for errors
	value string              // the value of it being made, for errors
	seats map[string]int      // places taken under each key (op "seat")
}

// follow runs the recipe's steps.
func (r *run) follow(rc *recipe) error {
	root := map[string]any{"n": float64(r.n), "now": r.now, "start": r.start}
	for k, v := range rc.Vocab {
		root[k] = v
	}
	return r.steps(&scope{vars: root}, rc.Steps)
}

func (r *run) steps(s *scope, steps []*step) error {
	for _, st := range steps {
		if err := r.step(s, st); err != nil {
			return err
		}
	}
	return nil
}

// step makes the records of st below scope s.
func (r *run) step(s *scope, st *step) error {
	r.at, r.value = st.name(), ""
	n := 1
	var items []any
	cs := s // each and count see the parent record as $up too
	if s.up != nil {
		cs = s.child("up", s.vars)
	}
	switch {
	case st.Each != nil:
		items = list(r.eval(cs, st.Each))
		n = len(items)
	case st.Size != nil:
		n = st.Size.of(r.n)
	case st.Count != nil:
		n = int(num(r.eval(cs, st.Count)))
	case st.Rest:
		n = r.left()
	}
	for i := range n {
		vars := make(map[string]any, 4+len(st.Let.keys)+len(st.Fields.keys))
		vars["i"] = float64(i)
		if items != nil {
			vars["item"] = items[i]
		}
		if s.up != nil {
			vars["up"] = s.vars
		}
		if err := r.record(&scope{vars: vars, up: s}, st); err != nil {
			return err
		}
	}
	return nil
}

// record makes one record of st in its own scope s.
func (r *run) record(s *scope, st *step) error {
	v := s.vars
	r.at = st.name()
	if st.If != nil {
		r.value = "if"
		if !boolean(r.eval(s, st.If)) {
			return nil
		}
	}
	r.let(s, st.Let)
	if st.Key != "" {
		v["key"] = r.key(st.Key)
	}
	if st.Created != nil {
		r.value = "created"
		v["created"] = r.eval(s, st.Created)
	}
	stages := r.stages(s, st)
	r.let(s, st.Fields)
	for _, c := range st.Then {
		for _, name := range []string{c.Into, c.Collect} {
			if name != "" {
				v[name] = []any(nil)
			}
		}
	}
	if st.Object != "" {
		if err := r.emitRecord(s, st, stages); err != nil {
			return err
		}
	}
	r.file(s, st)
	return r.steps(s, st.Then)
}

// stages evaluates the record's path along its pipelines.
func (r *run) stages(s *scope, st *step) []Stage {
	if st.Stages == nil {
		return nil
	}
	r.value = "stages"
	var out []Stage
	for _, x := range list(r.eval(s, st.Stages)) {
		sg, ok := x.(Stage)
		if !ok {
			fail("want a stage, got %T", x)
		}
		out = append(out, sg)
	}
	return out
}

// emitRecord hands out the record with the values of its fields.
func (r *run) emitRecord(s *scope, st *step, stages []Stage) error {
	v := s.vars
	data := make(map[string]any, len(st.Fields.keys))
	for _, k := range st.Fields.keys {
		if x := v[k]; x != nil {
			r.value = k
			data[k] = fieldValue(x)
		}
	}
	key, _ := v["key"].(string)
	owner, claimed := "", time.Time{}
	if st.Owner != nil {
		r.value = "owner"
		if o := r.eval(s, st.Owner); o != nil {
			owner = str(o)
		}
	}
	if st.Claimed != nil {
		r.value = "claimed"
		if c := r.eval(s, st.Claimed); c != nil {
			claimed = tm(c)
			if owner == "" || owner == PoolOwner {
				fail("a claimed record needs an owner who claimed it")
			}
		}
	}
	return r.emit(st.Object, key, tm(v["created"]), data, owner, claimed, stages...)
}

// file keeps the record for later steps: by its step's name and index,
// and in its parent's lists.
func (r *run) file(s *scope, st *step) {
	v := s.vars
	if st.Key != "" || st.Object == "" {
		r.recs[st.name()] = append(r.recs[st.name()], v)
		if st.Index != nil {
			r.value = "index"
			k := [2]string{st.name(), str(r.eval(s, st.Index))}
			r.index[k] = append(r.index[k], v)
		}
	}
	if st.Into != "" {
		s.up.vars[st.Into] = append(list(s.up.vars[st.Into]), v["key"])
	}
	if st.Collect != "" {
		s.up.vars[st.Collect] = append(list(s.up.vars[st.Collect]), v)
	}
}

// let evaluates the named values in order into the record's scope.
func (r *run) let(s *scope, o ordered[*expr]) {
	for i, k := range o.keys {
		r.value = k
		s.vars[k] = r.eval(s, o.vals[i])
	}
}

// records returns the records made so far by the step called name
// (parseRecipe checked that there is one).
func (r *run) records(name string) []any { return r.recs[name] }

// fieldValue checks that v can be stored: a date is written with date or
// datetime first.
func fieldValue(v any) any {
	switch x := v.(type) {
	case string, float64, bool:
	case []any:
		for _, e := range x {
			fieldValue(e)
		}
	case map[string]any:
		for _, e := range x {
			fieldValue(e)
		}
	case time.Time:
		fail("a time is no field value: use date or datetime")
	default:
		fail("%T is no field value", v)
	}
	return v
}

// stageAt returns when the steps reached the stage, or nil.
func stageAt(steps []any, name string) any {
	for _, x := range steps {
		if s, ok := x.(Stage); ok && s.Stage == name {
			return s.At
		}
	}
	return nil
}

// opPath is [field, from, lo, hi, stages]: the steps through stages,
// starting at from and spaced by lo to hi days (gen.path).
func opPath(r *run, s *scope, e *expr) any {
	a := r.evalAll(s, e.args)
	steps, _ := r.path(str(a[0]), tm(a[1]), num(a[2]), num(a[3]), strs(list(a[4]))...)
	out := make([]any, len(steps))
	for i, st := range steps {
		out[i] = st
	}
	return out
}

// opSeries is [from, interval, lo, hi, max, chance]: from, then again
// every interval days, lo to hi days late, in working hours, while before
// now, at most max times in all; each repeat happens with the chance. An
// interval of 0 gives from alone.
func opSeries(r *run, s *scope, e *expr) any {
	a := r.evalAll(s, e.args)
	t, interval, lo, hi := tm(a[0]), int(num(a[1])), int(num(a[2])), int(num(a[3]))
	out := []any{t}
	for interval > 0 && len(out) < int(num(a[4])) && t.AddDate(0, 0, interval).Before(r.now) && r.chance(num(a[5])) {
		t = r.workHours(t.AddDate(0, 0, interval+r.between(lo, hi)))
		if t.After(r.now) {
			break
		}
		out = append(out, t)
	}
	return out
}

// opDeal is [items, pool, chance]: for each item in turn, the next
// element of the pool with the chance while any is left, else nil (a
// member's redeemed coupons handed to the orders).
func opDeal(r *run, s *scope, e *expr) any {
	a := r.evalAll(s, e.args)
	items, pool := list(a[0]), list(a[1])
	out := make([]any, len(items))
	for i := range items {
		if len(pool) > 0 && r.chance(num(a[2])) {
			out[i], pool = pool[0], pool[1:]
		}
	}
	return out
}

// opLedger is [entries, threshold, chance, lo, hi]: a points ledger. The
// entries ({at, type, points}) are sorted by time and get the running
// balance; after an entry that leaves more than threshold, half of the
// balance (in hundreds) is redeemed with the chance, lo to hi days later.
func opLedger(r *run, s *scope, e *expr) any {
	a := r.evalAll(s, e.args)
	entries := slices.Clone(list(a[0]))
	slices.SortStableFunc(entries, func(x, y any) int { return tm(member(x, "at")).Compare(tm(member(y, "at"))) })
	var out []any
	balance := 0.0
	for _, en := range entries {
		m, ok := en.(map[string]any)
		if !ok {
			fail("ledger: want entries, got %T", en)
		}
		m = maps.Clone(m)
		balance += num(m["points"])
		m["balance"] = balance
		out = append(out, m)
		if balance > num(a[1]) && r.chance(num(a[2])) {
			use := math.Floor(balance/200) * 100
			balance -= use
			out = append(out, map[string]any{"at": r.after(tm(m["at"]), num(a[3]), num(a[4])), "type": "redeem", "points": -use, "balance": balance})
		}
	}
	return out
}
