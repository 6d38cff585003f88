package sample

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
)

// recipeFiles hold the templates' sample data (see the package doc).
//
//go:embed recipes/*.json
var recipeFiles embed.FS

// recipe is one template's sample data: its vocabulary and the steps
// that make its records.
type recipe struct {
	// Vocab holds the lists and tables the steps read as $name.
	Vocab map[string]any `json:"vocab"`
	Steps []*step        `json:"steps"`
}

// step makes records of one object, in order: if, its lets, then created and
// stages, then its fields, each of which can read the ones before it;
// then its children once per record.
type step struct {
	// Object is the object of the records; empty for records that later
	// steps read but nobody stores (a sales team).
	Object string `json:"object"`
	// Name is what later steps call these records ({"rec": name});
	// Object if empty.
	Name string `json:"name"`
	// Key is the prefix of the records' keys; records without a key are
	// not referred to.
	Key string `json:"key"`
	// How many: one per element of Each ($item), Size of the records
	// asked for, Count per parent record, or the Rest of the size asked
	// for; one if none is given. $i counts from 0.
	Each  *expr `json:"each"`
	Size  *size `json:"size"`
	Count *expr `json:"count"`
	Rest  bool  `json:"rest"`
	// Let names values the fields use but do not store.
	Let ordered[*expr] `json:"let"`
	// If, false after the lets, skips the record.
	If      *expr          `json:"if"`
	Created *expr          `json:"created"` // when the record was created; else a let named created
	Stages  *expr          `json:"stages"`  // list of stages
	Fields  ordered[*expr] `json:"fields"`  // null values are left out
	Into    string         `json:"into"`    // a list of the parent's that collects these records' keys
	Index   *expr          `json:"index"`   // a text under which {"recsAt": [name, text]} finds the record
	Collect string         `json:"collect"` // a list of the parent's that collects these records' values (as $name.field)
	Then    []*step        `json:"then"`    // steps per record, with the record as $up
	// Owner, after the fields, names who owns the record: nil or "" the
	// installer, "pool" the object's pool, else a person's name (Record.Owner);
	// Claimed, a time, says the owner claimed it from the pool then.
	Owner   *expr `json:"owner"`
	Claimed *expr `json:"claimed"`
}

// size is a number of records relative to Options.Records: share of it
// plus one per Per, plus Plus, at least Min and, if set, at most Max.
type size struct {
	Share float64 `json:"share"`
	Per   int     `json:"per"`
	Plus  int     `json:"plus"`
	Min   int     `json:"min"`
	Max   int     `json:"max"`
}

func (z *size) of(n int) int {
	v := z.Plus + int(float64(n)*z.Share+0.5)
	if z.Per > 0 {
		v += n / z.Per
	}
	v = max(v, z.Min)
	if z.Max > 0 {
		v = min(v, z.Max)
	}
	return v
}

// reserved are the names a record's scope sets itself.
var reserved = []string{"i", "item", "up", "key", "created", "n", "now", "start"}

// parseRecipe decodes a recipe strictly: an unknown member, operation or
// misplaced name is an error, not silently bad data.
func parseRecipe(b []byte) (*recipe, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	rc := new(recipe)
	if err := dec.Decode(rc); err != nil {
		return nil, err
	}
	if len(rc.Steps) == 0 {
		return nil, fmt.Errorf("no steps")
	}
	names := map[string]bool{}
	walkSteps(rc.Steps, func(st *step) { names[st.name()] = true })
	for _, st := range rc.Steps {
		if err := st.check(rc.Vocab, names); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

func walkSteps(steps []*step, f func(*step)) {
	for _, st := range steps {
		f(st)
		walkSteps(st.Then, f)
	}
}

// exprs are the step's own expressions.
func (st *step) exprs() []*expr {
	out := append(slices.Clone(st.Let.vals), st.Fields.vals...)
	for _, e := range []*expr{st.Each, st.Count, st.If, st.Created, st.Stages, st.Index, st.Owner, st.Claimed} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// walk calls f for e and every expression in it.
func (e *expr) walk(f func(*expr)) {
	f(e)
	for _, a := range append(slices.Clone(e.args), e.vals...) {
		a.walk(f)
	}
}

// check finds the mistakes a step can show before it runs.
func (st *step) check(vocab map[string]any, names map[string]bool) error {
	name := st.name()
	if name == "" {
		return fmt.Errorf("a step without object or name")
	}
	n := 0
	for _, set := range []bool{st.Each != nil, st.Size != nil, st.Count != nil, st.Rest} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("step %s: each, size, count and rest exclude each other", name)
	}
	if st.Object == "" && (st.Owner != nil || st.Claimed != nil) {
		return fmt.Errorf("step %s: owner and claimed need an object", name)
	}
	if st.Object != "" && st.Created == nil && !slices.Contains(st.Let.keys, "created") {
		return fmt.Errorf("step %s: no created", name)
	}
	for _, k := range append(slices.Clone(st.Let.keys), st.Fields.keys...) {
		if slices.Contains(reserved, k) && !(k == "created" && st.Created == nil) {
			return fmt.Errorf("step %s: %s is a reserved name", name, k)
		}
		if _, ok := vocab[k]; ok {
			return fmt.Errorf("step %s: %s hides the vocabulary's %s", name, k, k)
		}
	}
	if err := st.checkNames(names); err != nil {
		return err
	}
	for _, c := range st.Then {
		if err := c.check(vocab, names); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
	}
	return nil
}

// checkNames checks that the records the step's expressions look up are
// those of a step of the recipe.
func (st *step) checkNames(names map[string]bool) error {
	var bad error
	for _, e := range st.exprs() {
		e.walk(func(x *expr) {
			if x.name == "rec" || x.name == "recs" || x.name == "recsAt" {
				if n, ok := x.args[0].lit.(string); !ok || !names[n] {
					bad = fmt.Errorf("step %s: %s of %v: no such step", st.name(), x.name, x.args[0])
				}
			}
		})
	}
	return bad
}

func (st *step) name() string {
	if st.Name != "" {
		return st.Name
	}
	return st.Object
}

// recipes returns the templates' recipes by template name, read once; a
// recipe that does not parse is reported by Generate.
var recipes = sync.OnceValue(func() map[string]*loaded {
	out := map[string]*loaded{}
	files, _ := recipeFiles.ReadDir("recipes")
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".json")
		b, err := recipeFiles.ReadFile(path.Join("recipes", f.Name()))
		l := &loaded{err: err}
		if err == nil {
			l.rc, l.err = parseRecipe(b)
		}
		out[name] = l
	}
	return out
})

type loaded struct {
	rc  *recipe
	err error
}
