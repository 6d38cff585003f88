package engine

import (
	"encoding/json"
	"sync"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Record-level access, applied here with the rules of package [access].
// A role says what a principal may do with an object
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

// readRules is what one actor may see of one object ([access.Rules]),
// with the filter check that turns a refusal into an engine error.
type readRules struct{ access.Rules }

// readRules resolves the actor's rules for obj.
func (s *snapshot) readRules(a Actor, obj *schema.Object) *readRules {
	r := &readRules{access.Rules{Hidden: s.fieldsAt(a, obj, FieldHidden), Masked: s.fieldsAt(a, obj, FieldMasked)}}
	r.Owners, _ = s.sharing(a, obj)
	return r
}

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
	field, sort := r.Blocked(f, sorts)
	switch {
	case field == "":
		return nil
	case sort:
		return errorOf(ErrForbidden, nil, "access.roleNotSort", field)
	}
	return errorOf(ErrForbidden, nil, "access.roleNotFilter", field)
}

// fieldsAt is the set of fields of obj at one access level for the actor;
// a roll-up the actor could not compute itself is hidden.
func (s *snapshot) fieldsAt(a Actor, obj *schema.Object, level string) map[string]bool {
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return nil
	}
	out := acc.FieldsAt(obj, level)
	for _, f := range obj.Fields {
		// A converted amount tells its source's value: it is as hidden
		// or masked as the source.
		if f.ConvertedFrom != "" && out[f.ConvertedFrom] {
			out[f.Name] = true
		}
	}
	if level == FieldHidden {
		for _, f := range obj.Fields {
			if f.Rollup != nil && !s.seesRollupSources(a, f.Rollup) {
				if out == nil {
					out = map[string]bool{}
				}
				out[f.Name] = true
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
			fields = append(fields, access.FilterFields(&cond)...)
		}
	}
	for _, f := range fields {
		if acc.Conceals(f) {
			return false
		}
	}
	return true
}

// sharing returns the owners of the records of obj that the actor sees
// and those whose records it may change; nil means every record.
func (s *snapshot) sharing(a Actor, obj *schema.Object) (read, edit map[string]bool) {
	if _, restricted := s.access(a, obj.Name); !restricted {
		return nil, nil
	}
	read, edit = access.Sharing(obj.Sharing, func() access.Circle { return s.circle(a) })
	return s.poolSharing(a, obj, read), edit // pool.go
}

// circles caches each actor's circle for the snapshot's lifetime; a change
// of a user bumps the metadata revision, which makes a new snapshot.
type circles struct {
	mu sync.Mutex
	by map[string]access.Circle
}

// circle is whose records the actor reaches through the management chain
// and its team.
func (s *snapshot) circle(a Actor) access.Circle {
	s.circles.mu.Lock()
	defer s.circles.mu.Unlock()
	if c, ok := s.circles.by[a.ID]; ok {
		return c
	}
	members := make([]access.Member, 0, len(s.users))
	for _, u := range s.users {
		members = append(members, access.Member{Username: u.Username, Manager: u.Manager, Team: u.Team})
	}
	c := access.CircleOf(a.ID, members)
	if s.circles.by == nil {
		s.circles.by = map[string]access.Circle{}
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
	if rec.OwnerID == PoolOwner && obj.Pool != nil { // pool.go
		if s.managesPool(a, obj) {
			return nil
		}
		return errorOf(ErrForbidden, nil, "pool.claimFirst", obj.Name, labelZh(obj))
	}
	if edit != nil && !edit[rec.OwnerID] {
		return errorOf(ErrForbidden, nil, "access.ownerChainOnly", obj.Name, labelZh(obj))
	}
	return nil
}
