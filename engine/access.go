package engine

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Record-level access. A role says what a principal may do with an object
// and its fields (roles.go); an object's organisation-wide default
// (x-crm-sharing) says which of its records a principal with a role sees:
//
//   - readWrite (the default): every record;
//   - readOnly: every record, but only the owner and the people above the
//     owner in the management chain change or delete one;
//   - private: the owner and the people above the owner see and change a
//     record; the members of the owner's team see it.
//
// Administrators and principals without a role see everything. The owner
// of a record is the principal that created it until someone who may
// change it hands it to another user. A record a principal may not see is
// indistinguishable from one that does not exist: it is absent from
// lists, counts, relations, kanban columns and scripts' queries, and a
// read or write of it is NOT_FOUND.

// readRules is what one actor may see of one object: the fields its role
// hides or masks and, when owners is not nil, the owners whose records it
// sees.
type readRules struct {
	hidden, masked map[string]bool
	owners         map[string]bool
}

// readRules resolves the actor's rules for obj.
func (s *snapshot) readRules(a Actor, obj *schema.Object) *readRules {
	r := &readRules{hidden: s.fieldsAt(a, obj, FieldHidden), masked: s.fieldsAt(a, obj, FieldMasked)}
	r.owners, _ = s.sharing(a, obj)
	return r
}

// hides reports whether the actor may not see field at all.
func (r *readRules) hides(field string) bool { return r.hidden[field] }

// check refuses filters and sorts on fields hidden or masked for the
// actor: their values would leak through which records match or their
// order.
//
// Every filter a caller gives passes here, whatever the door (GraphQL,
// scripts, saved views, boards, related lists), so this is also where its
// size is bounded, before any store sees it.
func (r *readRules) check(f *store.Filter, sorts []store.Sort) error {
	if err := checkFilterSize(f); err != nil {
		return err
	}
	if len(r.hidden) == 0 && len(r.masked) == 0 {
		return nil
	}
	blocked := func(field string) bool {
		top, _, _ := strings.Cut(field, ".")
		return r.hidden[top] || r.masked[top]
	}
	for _, so := range sorts {
		if blocked(so.Field) {
			return errorOf(ErrForbidden, nil, "access.roleNotSort", so.Field)
		}
	}
	var walk func(f *store.Filter) error
	walk = func(f *store.Filter) error {
		if f == nil {
			return nil
		}
		if f.IsLeaf() {
			if blocked(f.Field) {
				return errorOf(ErrForbidden, nil, "access.roleNotFilter", f.Field)
			}
			return nil
		}
		for i := range f.And {
			if err := walk(&f.And[i]); err != nil {
				return err
			}
		}
		for i := range f.Or {
			if err := walk(&f.Or[i]); err != nil {
				return err
			}
		}
		return walk(f.Not)
	}
	return walk(f)
}

// scope narrows a filter to the records the actor sees.
func (r *readRules) scope(f *store.Filter) *store.Filter {
	if r.owners == nil {
		return f
	}
	owners := make([]any, 0, len(r.owners))
	for _, o := range slices.Sorted(maps.Keys(r.owners)) { // one query text per circle
		owners = append(owners, o)
	}
	leaf := store.Leaf("ownerId", store.OpIn, owners)
	if f == nil {
		return &leaf
	}
	return &store.Filter{And: []store.Filter{leaf, *f}}
}

// sees reports whether the actor sees the record.
func (r *readRules) sees(rec *store.Record) bool {
	return r.owners == nil || r.owners[rec.OwnerID]
}

// show returns the records the actor sees, without hidden fields and with
// masked ones masked.
func (r *readRules) show(recs []store.Record) []store.Record {
	if r.owners == nil && len(r.hidden) == 0 && len(r.masked) == 0 {
		return recs
	}
	out := make([]store.Record, 0, len(recs))
	for _, rec := range recs {
		if r.sees(&rec) {
			out = append(out, r.showOne(rec))
		}
	}
	return out
}

// showOne returns rec without the fields the actor may not see and with
// masked ones masked, whether or not the actor sees the record: a writer
// gets back what it wrote even when that moved the record out of its
// sight.
func (r *readRules) showOne(rec store.Record) store.Record {
	if len(r.hidden) == 0 && len(r.masked) == 0 {
		return rec
	}
	data := make(map[string]any, len(rec.Data))
	for k, v := range rec.Data {
		switch {
		case r.hidden[k]:
		case r.masked[k]:
			if s, ok := v.(string); ok {
				data[k] = Mask(s)
			}
		default:
			data[k] = v
		}
	}
	rec.Data = data
	return rec
}

// keepMasked removes from a patch of cur the masked fields whose value is
// the masked form of the stored one: a form that sends back what it
// showed changes nothing.
func (r *readRules) keepMasked(patch map[string]any, cur *store.Record) map[string]any {
	if len(r.masked) == 0 {
		return patch
	}
	var out map[string]any
	for k := range r.masked {
		v, ok := patch[k].(string)
		stored, _ := cur.Data[k].(string)
		if ok && stored != "" && v == Mask(stored) {
			if out == nil {
				out = maps.Clone(patch)
			}
			delete(out, k)
		}
	}
	if out == nil {
		return patch
	}
	return out
}

// Mask hides the middle of a value shown to a role that may see only part
// of it: 13812345678 → 138****5678, 110101199003071234 →
// 110***********1234, zhang.san@example.com → z***@example.com.
func Mask(s string) string {
	if local, domain, ok := strings.Cut(s, "@"); ok && local != "" && domain != "" {
		r := []rune(local)
		return string(r[0]) + "***@" + domain
	}
	r := []rune(s)
	n := len(r)
	keep := func(head, tail int) string {
		return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
	}
	switch {
	case n >= 11:
		return keep(3, 4)
	case n >= 7:
		return keep(2, 2)
	case n >= 3:
		return keep(1, 1)
	}
	return strings.Repeat("*", n)
}

// fieldsAt is the set of fields of obj at one access level for the actor.
func (s *snapshot) fieldsAt(a Actor, obj *schema.Object, level string) map[string]bool {
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return nil
	}
	var out map[string]bool
	add := func(f string) {
		if out == nil {
			out = map[string]bool{}
		}
		out[f] = true
	}
	for f, l := range acc.Fields {
		if l == level && obj.Field(f) != nil {
			add(f)
		}
	}
	if level == FieldHidden {
		for _, f := range obj.Fields {
			if f.Rollup != nil && !s.seesRollupSources(a, f.Rollup) {
				add(f.Name)
			}
		}
	}
	return out
}

// seesRollupSources reports whether the actor could compute a roll-up
// itself: it reads the child object, every child record (no sharing rule
// hides one), and the lookup, summed and condition fields unmasked. A
// roll-up is readable only where its sources are: a count over private
// records counts records the reader may not know of, and a sum of a field
// hidden from the reader tells it the field's values.
func (s *snapshot) seesRollupSources(a Actor, ru *schema.Rollup) bool {
	child := s.catalog.Object(ru.Object)
	if child == nil {
		return true // no child records exist
	}
	acc, restricted := s.access(a, child.Name)
	if !restricted {
		return true
	}
	if !acc.Read {
		return false
	}
	if read, _ := s.sharing(a, child); read != nil {
		return false
	}
	fields := []string{ru.Via, ru.Field}
	if len(ru.Condition) > 0 {
		var cond store.Filter
		if json.Unmarshal(ru.Condition, &cond) == nil {
			fields = append(fields, filterFields(&cond)...)
		}
	}
	for _, f := range fields {
		top, _, _ := strings.Cut(f, ".")
		if l := acc.Fields[top]; l == FieldHidden || l == FieldMasked {
			return false
		}
	}
	return true
}

// filterFields lists the fields a filter's conditions name.
func filterFields(f *store.Filter) []string {
	if f == nil {
		return nil
	}
	if f.IsLeaf() {
		return []string{f.Field}
	}
	var out []string
	for i := range f.And {
		out = append(out, filterFields(&f.And[i])...)
	}
	for i := range f.Or {
		out = append(out, filterFields(&f.Or[i])...)
	}
	return append(out, filterFields(f.Not)...)
}

// sharing returns the owners of the records of obj that the actor sees
// and those whose records it may change; nil means every record.
func (s *snapshot) sharing(a Actor, obj *schema.Object) (read, edit map[string]bool) {
	if _, restricted := s.access(a, obj.Name); !restricted {
		return nil, nil
	}
	switch obj.Sharing {
	case schema.SharingReadOnly:
		return nil, s.circle(a).edit
	case schema.SharingPrivate:
		c := s.circle(a)
		return c.read, c.edit
	}
	return nil, nil
}

// circle is whose records one actor reaches through the management chain
// and its team.
type circle struct {
	edit map[string]bool // the actor and everyone below it
	read map[string]bool // edit and the actor's team
}

// circles caches each actor's circle for the snapshot's lifetime; a change
// of a user bumps the metadata revision, which makes a new snapshot.
type circles struct {
	mu sync.Mutex
	by map[string]circle
}

func (s *snapshot) circle(a Actor) circle {
	s.circles.mu.Lock()
	defer s.circles.mu.Unlock()
	if c, ok := s.circles.by[a.ID]; ok {
		return c
	}
	c := circle{edit: map[string]bool{a.ID: true}, read: map[string]bool{a.ID: true}}
	if me, ok := strings.CutPrefix(a.ID, "user:"); ok {
		reports := map[string][]string{}
		for _, u := range s.users {
			if u.Manager != "" {
				reports[u.Manager] = append(reports[u.Manager], u.Username)
			}
		}
		queue := []string{me}
		for len(queue) > 0 {
			next := queue[0]
			queue = queue[1:]
			for _, r := range reports[next] {
				id := "user:" + r
				if !c.edit[id] {
					c.edit[id], c.read[id] = true, true
					queue = append(queue, r)
				}
			}
		}
		if team := s.users[me].Team; team != "" {
			for _, u := range s.users {
				if u.Team == team {
					c.read["user:"+u.Username] = true
				}
			}
		}
	}
	if s.circles.by == nil {
		s.circles.by = map[string]circle{}
	}
	s.circles.by[a.ID] = c
	return c
}

// mayChange refuses a change of rec by the actor when the object's
// sharing does not let it: NOT_FOUND for a record it does not see,
// FORBIDDEN for one it sees but may not change.
func (s *snapshot) mayChange(a Actor, obj *schema.Object, rec *store.Record) error {
	read, edit := s.sharing(a, obj)
	if read != nil && !read[rec.OwnerID] {
		return notFound(obj, rec.ID, nil)
	}
	if edit != nil && !edit[rec.OwnerID] {
		return errorOf(ErrForbidden, nil, "access.ownerChainOnly", obj.Name, labelZh(obj))
	}
	return nil
}
