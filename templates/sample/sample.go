// Package sample generates realistic Chinese sample data for the industry
// templates: deterministic for a seed and a reference date, at a size the
// caller chooses.
//
// The data is meant to be worth looking at in a demo and to exercise the
// platform in a benchmark: names drawn by surname frequency, companies and
// addresses in real provinces, cities and districts, valid mobile numbers,
// resident ID numbers and unified social credit codes (with their check
// characters), amounts from log-normal distributions, dates spread over
// the two years before the reference date with more recent activity, and
// records that respect the templates' lookups and pipelines: each record
// carries the path it took through its stages, with the fields each stage
// requires filled.
//
// What a template's data is made of is data too: recipes/<template>.json
// holds its vocabulary (products, phrases, lists) and the steps that make
// its records: which objects, how many relative to Options.Records, which
// field gets which vocabulary, number range, date window or weighted
// picklist choice, which lookups point where, and the path through each
// pipeline (recipe.go and expr.go say how a recipe is written, ops.go
// lists its operations). The Go code is the interpreter, the shared
// Chinese names, places and identifiers of zh.go (vocabulary in
// vocab/zh.json), and the few simulations a recipe parameterises (a
// series of visits, a points ledger). A recipe is decoded strictly: an
// unknown member or operation, or a name out of scope, is an error that
// names the step and field. Editing a recipe changes the data for every
// seed; testdata/<template>.golden holds a digest of each template's
// data, rewritten with go test -update.
package sample

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// Options choose the data.
type Options struct {
	// Records is about how many records to generate in all; zero means
	// 1,000. Reference data (products, stores, courses ...) is part of it.
	Records int
	// Seed selects the data: the same seed, size and Now give the same
	// records.
	Seed int64
	// Now is the reference date: data spans the two years before it and a
	// little after (planned activities). Zero means the current day
	// (midnight, China Standard Time).
	Now time.Time
}

// Record is one generated record. Lookup and multilookup values in Data
// are Keys of records generated before it.
type Record struct {
	Object    string
	Key       string
	Data      map[string]any
	CreatedAt time.Time
	// Stages is the path along the record's pipelines, oldest first; the
	// last step of each field is the field's value.
	Stages []Stage
	// Owner is who owns the record: "" the one who installs the data,
	// PoolOwner the object's customer pool (公海), else a person's name,
	// which the installer gives a user of the tenant as it gives user
	// fields (the same name, the same user).
	Owner string
	// ClaimedAt, when set, is when the owner claimed the record from the
	// object's pool: it counts toward the owner's claims of that day.
	ClaimedAt time.Time
}

// PoolOwner is the Owner of a record in its object's customer pool.
const PoolOwner = "pool"

// Stage is one step along a pipeline.
type Stage struct {
	Field string
	Stage string
	At    time.Time
}

// Templates lists the templates that have sample data, by name.
func Templates() []string {
	return slices.Sorted(maps.Keys(recipes()))
}

// Has reports whether the template has sample data.
func Has(template string) bool {
	_, ok := recipes()[template]
	return ok
}

// Generate calls emit for each record of the template's sample data,
// parents before the records that refer to them, and stops at the first
// error emit returns.
func Generate(ctx context.Context, template string, opts Options, emit func(Record) error) error {
	rc, ok := recipes()[template]
	switch {
	case !ok:
		return fmt.Errorf("sample: no sample data for template %q", template)
	case rc.err != nil:
		return fmt.Errorf("sample: recipe %s: %w", template, rc.err)
	}
	return rc.rc.generate(ctx, template, opts, emit)
}

// generate runs the recipe; a mistake in it comes back as an error that
// names the step and the value being made.
func (rc *recipe) generate(ctx context.Context, template string, opts Options, emit func(Record) error) (err error) {
	if opts.Records <= 0 {
		opts.Records = 1000
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(cst)
	now = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
	h := fnv.New64a()
	h.Write([]byte(template))
	g := &gen{
		ctx:   ctx,
		r:     rand.New(rand.NewPCG(uint64(opts.Seed), h.Sum64())),
		now:   now,
		start: now.AddDate(-2, 0, 0),
		n:     opts.Records,
		emitf: emit,
		used:  map[string]bool{},
	}
	r := &run{gen: g, recs: map[string][]any{}, index: map[[2]string][]any{}, seats: map[string]int{}}
	defer func() {
		if x := recover(); x != nil {
			msg := fmt.Sprint(x)
			if re, ok := x.(recipeError); ok {
				msg = re.msg
			}
			where := r.at
			if r.value != "" {
				where += "." + r.value
			}
			err = fmt.Errorf("sample: recipe %s: %s: %s", template, where, msg)
		}
	}()
	return r.follow(rc)
}

// cst is China Standard Time, which has no daylight saving.
var cst = time.FixedZone("CST", 8*3600)

// gen is the state of one generation run.
type gen struct {
	ctx     context.Context
	r       *rand.Rand
	now     time.Time // reference date, midnight CST
	start   time.Time // two years before now
	n       int       // records asked for
	emitted int
	emitf   func(Record) error
	used    map[string]bool // values of unique fields handed out
	seq     int
}

// emit hands out one record.
func (g *gen) emit(object, key string, created time.Time, data map[string]any, owner string, claimed time.Time, stages ...Stage) error {
	if err := g.ctx.Err(); err != nil {
		return err
	}
	for k, v := range data {
		if v == nil {
			delete(data, k)
		}
	}
	// Steps of one field never go back in time.
	last := map[string]time.Time{}
	for i, s := range stages {
		if prev, ok := last[s.Field]; ok && s.At.Before(prev) {
			stages[i].At = prev
		}
		last[s.Field] = stages[i].At
	}
	g.emitted++
	return g.emitf(Record{Object: object, Key: key, Data: data, CreatedAt: created, Stages: stages, Owner: owner, ClaimedAt: claimed})
}

// key returns a new record key with the given prefix.
func (g *gen) key(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s%d", prefix, g.seq)
}

// left is how many records remain of the size asked for.
func (g *gen) left() int { return max(0, g.n-g.emitted) }
