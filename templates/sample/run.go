package sample

import "time"

// run is one generation from a recipe.
type run struct {
	*gen
	recs  map[string][]any // the records of each step name, as their scopes' values
	where string           // the step and value being made, for errors
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
	r.where = st.name()
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
		vars := map[string]any{"i": float64(i)}
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
	name := st.name()
	if st.If != nil {
		r.where = name + ".if"
		if !boolean(r.eval(s, st.If)) {
			return nil
		}
	}
	r.let(s, name, st.Let)
	if st.Key != "" {
		v["key"] = r.key(st.Key)
	}
	if st.Created != nil {
		r.where = name + ".created"
		v["created"] = r.eval(s, st.Created)
	}
	var stages []Stage
	if st.Stages != nil {
		r.where = name + ".stages"
		for _, x := range list(r.eval(s, st.Stages)) {
			sg, ok := x.(Stage)
			if !ok {
				fail("want a stage, got %T", x)
			}
			stages = append(stages, sg)
		}
	}
	r.let(s, name, st.Fields)
	for _, c := range st.Then {
		if c.Into != "" {
			v[c.Into] = []any(nil)
		}
	}
	if st.Object != "" {
		data := make(map[string]any, len(st.Fields.keys))
		for _, k := range st.Fields.keys {
			if x := v[k]; x != nil {
				r.where = name + "." + k
				data[k] = fieldValue(x)
			}
		}
		key, _ := v["key"].(string)
		if err := r.emit(st.Object, key, tm(v["created"]), data, stages...); err != nil {
			return err
		}
	}
	if st.Key != "" || st.Object == "" {
		r.recs[name] = append(r.recs[name], v)
	}
	if st.Into != "" {
		up := s.up.vars
		up[st.Into] = append(list(up[st.Into]), v["key"])
	}
	return r.steps(s, st.Then)
}

// let evaluates the named values in order into the record's scope.
func (r *run) let(s *scope, name string, o ordered[*expr]) {
	for i, k := range o.keys {
		r.where = name + "." + k
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
