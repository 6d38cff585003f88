package graphql

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// group holds the records that were fetched together (one page, one batch
// of lookups, the children of one batch of reverse lists). The first
// resolution of a relation on any of them loads that relation for all of
// them with one engine call, so a page never costs a call per record
// (no N+1).
type group struct {
	mu      sync.Mutex
	records []*recordValue
	batches map[string]*batch
}

// batch is one relation loaded for a whole group.
type batch struct {
	once  sync.Once
	err   error
	byID  map[string]*recordValue // lookups and multilookups: target by id
	lists map[string]*connValue   // reverse lists: page by parent id
	// history: stage changes by record id
	history map[string][]engine.StageChange
	// files: a file field's files by id (files.go)
	files map[string]engine.Attachment
}

func (g *group) add(obj *objectModel, rec store.Record) *recordValue {
	rv := &recordValue{obj: obj, rec: rec, grp: g}
	g.mu.Lock()
	g.records = append(g.records, rv)
	g.mu.Unlock()
	return rv
}

// addAll adds recs to the group, their values allocated at once (a page
// of 50 records made 50 allocations).
func (g *group) addAll(obj *objectModel, recs []store.Record) []*recordValue {
	vals := make([]recordValue, len(recs))
	out := make([]*recordValue, len(recs))
	for i, rec := range recs {
		vals[i] = recordValue{obj: obj, rec: rec, grp: g}
		out[i] = &vals[i]
	}
	g.mu.Lock()
	g.records = append(g.records, out...)
	g.mu.Unlock()
	return out
}

func (g *group) batch(key string) *batch {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.batches == nil {
		g.batches = map[string]*batch{}
	}
	b := g.batches[key]
	if b == nil {
		b = &batch{}
		g.batches[key] = b
	}
	return b
}

func (g *group) snapshot() []*recordValue {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*recordValue(nil), g.records...)
}

// targets loads, once per group, the records that fm (a lookup or
// multilookup) refers to from any record of the group, with the data
// fields the request selects on them anywhere (every field for nil, see
// fields.go).
func (s *execSchema) targets(ctx context.Context, grp *group, fm *fieldModel, rv *recordValue, fc *fieldCall) (map[string]*recordValue, error) {
	fields := fc.req.targetFields(rv.obj.typeName, fm)
	b := grp.batch(fm.refBatch)
	b.once.Do(func() {
		seen := map[string]bool{}
		var ids []string
		for _, rv := range grp.snapshot() {
			v := rv.rec.Data[fm.name]
			var refs []string
			if fm.kind == schema.KindLookup {
				if id, ok := v.(string); ok && id != "" {
					refs = []string{id}
				}
			} else {
				refs = idList(v)
			}
			for _, id := range refs {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		b.byID = map[string]*recordValue{}
		if len(ids) == 0 {
			return
		}
		recs, err := s.srv.records.GetRecords(ctx, fm.target.name, ids, fields)
		if err != nil {
			b.err = err
			return
		}
		tg := &group{}
		for _, rv := range tg.addAll(fm.target, recs) {
			b.byID[rv.rec.ID] = rv
		}
	})
	return b.byID, b.err
}

// related loads, once per group and argument set, the reverse list rev of
// every record of the group with one ListRelated call.
func (s *execSchema) related(ctx context.Context, grp *group, rev *reverseModel, q engine.ListQuery) (map[string]*connValue, error) {
	key, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	b := grp.batch("rev:" + rev.name + ":" + string(key))
	b.once.Do(func() {
		seen := map[string]bool{}
		var parents []string
		for _, rv := range grp.snapshot() {
			if !seen[rv.rec.ID] {
				seen[rv.rec.ID] = true
				parents = append(parents, rv.rec.ID)
			}
		}
		res, err := s.srv.records.ListRelated(ctx, rev.source.name, rev.field.name, parents, q)
		if err != nil {
			b.err = err
			return
		}
		children := &group{}
		b.lists = make(map[string]*connValue, len(parents))
		for _, id := range parents {
			c := newConn(rev.source, res[id], children)
			scope := limitedTo(q, store.Leaf(rev.field.name, store.OpEq, id))
			c.scope = &scope
			c.hasPrev = q.After != ""
			b.lists[id] = c
		}
	})
	return b.lists, b.err
}
