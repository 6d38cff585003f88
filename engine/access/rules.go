package access

import (
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/store"
)

// Rules is what one caller may see of one object: the fields hidden from
// it or masked for it and, when Owners is not nil, the owners whose
// records it sees. A record the caller may not see is for it as if it did
// not exist.
type Rules struct {
	Hidden, Masked map[string]bool
	Owners         map[string]bool // nil: every record
}

// Hides reports whether the caller may not see field at all.
func (r *Rules) Hides(field string) bool { return r.Hidden[field] }

// Blocked returns the first field of sorts, then of f, that the caller
// may not sort or filter on (hidden or masked: its values would leak
// through which records match or their order), and whether it was a sort;
// "" when there is none.
func (r *Rules) Blocked(f *store.Filter, sorts []store.Sort) (field string, sort bool) {
	if len(r.Hidden) == 0 && len(r.Masked) == 0 {
		return "", false
	}
	for _, so := range sorts {
		if r.blocks(so.Field) {
			return so.Field, true
		}
	}
	return r.blockedIn(f), false
}

// blocks reports whether field (or the field a dotted path starts with)
// is hidden or masked.
func (r *Rules) blocks(field string) bool {
	top := topField(field)
	return r.Hidden[top] || r.Masked[top]
}

// blockedIn returns the first condition field of f that r blocks.
func (r *Rules) blockedIn(f *store.Filter) string {
	if f == nil {
		return ""
	}
	if f.IsLeaf() {
		if r.blocks(f.Field) {
			return f.Field
		}
		return ""
	}
	for i := range f.And {
		if b := r.blockedIn(&f.And[i]); b != "" {
			return b
		}
	}
	for i := range f.Or {
		if b := r.blockedIn(&f.Or[i]); b != "" {
			return b
		}
	}
	return r.blockedIn(f.Not)
}

// Scope narrows a filter to the records the caller sees.
func (r *Rules) Scope(f *store.Filter) *store.Filter {
	if r.Owners == nil {
		return f
	}
	owners := make([]any, 0, len(r.Owners))
	for _, o := range slices.Sorted(maps.Keys(r.Owners)) { // one query text per circle
		owners = append(owners, o)
	}
	leaf := store.Leaf("ownerId", store.OpIn, owners)
	if f == nil {
		return &leaf
	}
	return &store.Filter{And: []store.Filter{leaf, *f}}
}

// Sees reports whether the caller sees the record.
func (r *Rules) Sees(rec *store.Record) bool {
	return r.Owners == nil || r.Owners[rec.OwnerID]
}

// Show returns the records the caller sees, without hidden fields and
// with masked ones masked.
func (r *Rules) Show(recs []store.Record) []store.Record {
	if r.Owners == nil && len(r.Hidden) == 0 && len(r.Masked) == 0 {
		return recs
	}
	out := make([]store.Record, 0, len(recs))
	for _, rec := range recs {
		if r.Sees(&rec) {
			out = append(out, r.ShowOne(rec))
		}
	}
	return out
}

// ShowOne returns rec without the fields the caller may not see and with
// masked ones masked, whether or not the caller sees the record: a writer
// gets back what it wrote even when that moved the record out of its
// sight.
func (r *Rules) ShowOne(rec store.Record) store.Record {
	if len(r.Hidden) == 0 && len(r.Masked) == 0 {
		return rec
	}
	data := make(map[string]any, len(rec.Data))
	for k, v := range rec.Data {
		switch {
		case r.Hidden[k]:
		case r.Masked[k]:
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

// KeepMasked removes from a patch of cur the masked fields whose value is
// the masked form of the stored one: a form that sends back what it
// showed changes nothing. The patch itself is not changed.
func (r *Rules) KeepMasked(patch map[string]any, cur *store.Record) map[string]any {
	if len(r.Masked) == 0 {
		return patch
	}
	var out map[string]any
	for k := range r.Masked {
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

// FilterFields lists the fields a filter's conditions name.
func FilterFields(f *store.Filter) []string {
	if f == nil {
		return nil
	}
	if f.IsLeaf() {
		return []string{f.Field}
	}
	var out []string
	for i := range f.And {
		out = append(out, FilterFields(&f.And[i])...)
	}
	for i := range f.Or {
		out = append(out, FilterFields(&f.Or[i])...)
	}
	return append(out, FilterFields(f.Not)...)
}

// topField is the field a dotted path (owner.name) starts with.
func topField(path string) string {
	top, _, _ := strings.Cut(path, ".")
	return top
}
