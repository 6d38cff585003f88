package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The values of user fields (schema.TypeUser). A user field stores
// "user:USERNAME", the form of a record's ownerId. A write may give that,
// the bare user name, or the display name that exactly one active user
// has; the engine stores "user:USERNAME". A value that changes must name
// an active user; a value a write leaves as it was stays, even when that
// user has since been deactivated. The look-ups read the snapshot's users
// (in memory): no query per value.

// userNames indexes the snapshot's users for resolving user field values,
// made once per snapshot (user changes make a new one).
type userNames struct {
	once sync.Once
	// byDisplay lists the active users of each display name, by user
	// name in order.
	byDisplay map[string][]string
}

// userIndex returns the display-name index of the snapshot's users.
func (s *snapshot) userIndex() *userNames {
	n := &s.userNames
	n.once.Do(func() {
		n.byDisplay = map[string][]string{}
		for _, u := range s.users {
			if u.Active && u.DisplayName != "" {
				n.byDisplay[u.DisplayName] = append(n.byDisplay[u.DisplayName], u.Username)
			}
		}
		for _, names := range n.byDisplay {
			slices.Sort(names)
		}
	})
	return n
}

// resolveUser turns what a write gives a user field into its stored form.
// old is the field's stored value ("" for none): a value that resolves to
// it is kept whatever the state of its user. "$user" is actorID, the
// acting user ("" when the actor is not a user). problem is set when the
// value names no active user or, as a display name, several. An empty
// (or blank) value clears the field: id is "".
func (s *snapshot) resolveUser(field, v, old, actorID string) (id string, problem *schema.FieldError) {
	given := strings.TrimSpace(v)
	if given == "" {
		return "", nil
	}
	if given == old {
		return old, nil
	}
	if given == CurrentUser && actorID != "" {
		given = actorID
	}
	name, prefixed := strings.CutPrefix(given, schema.UserPrefix)
	name = strings.TrimSpace(name)
	if u, ok := s.users[strings.ToLower(name)]; ok {
		id = schema.UserID(u.Username)
		if id == old || u.Active {
			return id, nil
		}
		fe := fieldError(field, schema.CodeUser, "field.userInactive", u.Username)
		return "", &fe
	}
	if !prefixed {
		// The stored user's display name names them still, though they
		// were deactivated since or another user took the same name.
		if oldName, ok := strings.CutPrefix(old, schema.UserPrefix); ok {
			if u, known := s.users[oldName]; known && u.DisplayName == given {
				return old, nil
			}
		}
		switch names := s.userIndex().byDisplay[given]; len(names) {
		case 0:
		case 1:
			return schema.UserID(names[0]), nil
		default:
			fe := fieldError(field, schema.CodeUser, "field.userAmbiguous", given, strings.Join(names, ", "))
			return "", &fe
		}
	}
	fe := fieldError(field, schema.CodeUser, "field.userNotFound", given)
	return "", &fe
}

// resolveUsers puts the user fields of data in their stored form (see
// resolveUser), in place, against oldData (nil for a new record) and for
// the acting user actorID, and
// returns the problems of the values that name nobody. A value that is
// not a string is left to the validator.
func (s *snapshot) resolveUsers(obj *schema.Object, oldData, data map[string]any, actorID string) []schema.FieldError {
	var problems []schema.FieldError
	for _, f := range obj.Fields {
		if f == nil || f.Type != schema.TypeUser {
			continue
		}
		v, ok := data[f.Name].(string)
		if !ok {
			continue
		}
		old, _ := oldData[f.Name].(string)
		id, problem := s.resolveUser(f.Name, v, old, actorID)
		switch {
		case problem != nil:
			problems = append(problems, *problem)
		case id == "":
			delete(data, f.Name)
		default:
			data[f.Name] = id
		}
	}
	return problems
}

// userRemaps checks and resolves the remap and fill options of obj's
// user fields (see [SaveOptions]): each new value must name an active
// user as a write would, and is put in its stored form; a remap to ""
// clears. It returns opts with the resolved values, and the problems of
// the values that name nobody.
func (s *snapshot) userRemaps(obj *schema.Object, opts SaveOptions) (SaveOptions, []schema.Problem) {
	var problems []schema.Problem
	var out map[string]map[string]string
	for _, name := range slices.Sorted(maps.Keys(opts.Remap)) {
		f := obj.Field(name)
		if f == nil || f.Type != schema.TypeUser {
			continue
		}
		if out == nil {
			out = maps.Clone(opts.Remap)
		}
		resolved := make(map[string]string, len(opts.Remap[name]))
		for _, old := range slices.Sorted(maps.Keys(opts.Remap[name])) {
			id, problem := s.resolveUser(name, opts.Remap[name][old], "", "")
			if problem != nil {
				problems = append(problems, schema.Problem{Path: "options/remap/" + name + "/" + old,
					Message: problem.Message + ": remap to a user (user:NAME, a user name or a display name), or to \"\" to clear"})
				continue
			}
			resolved[old] = id
		}
		out[name] = resolved
	}
	if out != nil {
		opts.Remap = out
	}
	var fill map[string]any
	for _, name := range slices.Sorted(maps.Keys(opts.Fill)) {
		f := obj.Field(name)
		v, ok := opts.Fill[name].(string)
		if f == nil || f.Type != schema.TypeUser || !ok {
			continue
		}
		id, problem := s.resolveUser(name, v, "", "")
		if problem != nil {
			problems = append(problems, schema.Problem{Path: "options/fill/" + name, Message: problem.Message})
			continue
		}
		if fill == nil {
			fill = maps.Clone(opts.Fill)
		}
		fill[name] = id
	}
	if fill != nil {
		opts.Fill = fill
	}
	return opts, problems
}

// Bounds on what a migration to user fields reports: the distinct values
// that name nobody it counts, and the ones it lists as problems (the most
// frequent first); the rest are summed up in one more problem.
const (
	maxUserConversionValues   = 1000
	maxUserConversionProblems = 50
)

// userConversion turns the stored values of the fields that become user
// fields in a definition change (from text or a picklist) into user ids,
// as a write would, and counts per field and value those that name no
// active user (or, as a display name, several).
type userConversion struct {
	snap   *snapshot
	fields []string // the fields that become user fields
	// unmatched counts the records of each field and value; beyond
	// maxUserConversionValues entries, values go to others.
	unmatched map[[2]string]*unmatchedUser
	// others counts the records whose value was not kept in unmatched,
	// per field.
	others map[string]int
	total  int // records with a value that names nobody
}

type unmatchedUser struct {
	records int
	example string
	problem schema.FieldError
}

// newUserConversion prepares the conversion of the fields of obj that
// were not user fields in prev.
func (s *snapshot) newUserConversion(prev, obj *schema.Object) *userConversion {
	c := &userConversion{snap: s, unmatched: map[[2]string]*unmatchedUser{}, others: map[string]int{}}
	for _, f := range obj.Fields {
		if f == nil || f.Type != schema.TypeUser || prev == nil {
			continue
		}
		if pf := prev.Field(f.Name); pf != nil && pf.Type != schema.TypeUser {
			c.fields = append(c.fields, f.Name)
		}
	}
	return c
}

// convert puts the values of the converted fields of the record id's
// data in their stored form, in place, and returns the fields whose value
// names nobody (nil when all convert). A value already in the stored
// form that names a user of the tenant, active or not, stays.
func (c *userConversion) convert(id string, data map[string]any) map[string]bool {
	var failed map[string]bool
	for _, name := range c.fields {
		v, ok := data[name].(string)
		if !ok {
			continue
		}
		if user, ok := strings.CutPrefix(v, schema.UserPrefix); ok && schema.IsUserID(v) {
			if _, known := c.snap.users[user]; known {
				continue
			}
		}
		resolved, problem := c.snap.resolveUser(name, v, "", "")
		switch {
		case problem != nil:
			if failed == nil {
				failed = map[string]bool{}
			}
			failed[name] = true
			c.count(name, v, id, *problem)
		case resolved == "":
			delete(data, name)
		default:
			data[name] = resolved
		}
	}
	return failed
}

func (c *userConversion) count(field, value, id string, problem schema.FieldError) {
	c.total++
	key := [2]string{field, value}
	u := c.unmatched[key]
	if u == nil {
		if len(c.unmatched) >= maxUserConversionValues {
			c.others[field]++
			return
		}
		u = &unmatchedUser{example: id, problem: problem}
		c.unmatched[key] = u
	}
	u.records++
}

// failed counts the records with a value that names nobody.
func (c *userConversion) failed() int { return c.total }

// problems lists the values that name nobody, one problem each with the
// records that hold it (most first), the option that migrates them, and
// a last one for the values past the bound.
func (c *userConversion) problems() []schema.Problem {
	keys := slices.Collect(maps.Keys(c.unmatched))
	slices.SortFunc(keys, func(x, y [2]string) int {
		if d := c.unmatched[y].records - c.unmatched[x].records; d != 0 {
			return d
		}
		if x[0] != y[0] {
			return strings.Compare(x[0], y[0])
		}
		return strings.Compare(x[1], y[1])
	})
	var out []schema.Problem
	rest := maps.Clone(c.others)
	for i, k := range keys {
		u := c.unmatched[k]
		if i >= maxUserConversionProblems {
			rest[k[0]] += u.records
			continue
		}
		remap, _ := json.Marshal(map[string]any{k[0]: map[string]string{k[1]: "user:NAME"}})
		out = append(out, schema.Problem{
			Path: "/properties/" + k[0],
			Message: fmt.Sprintf("%d stored record(s) hold %q in %s, which does not convert to a user (%s; e.g. record %s): migrate them with options remap %s or clear, or fix the value first",
				u.records, k[1], k[0], u.problem.Message, u.example, remap),
			Migration: &schema.Migration{Field: k[0], Code: schema.CodeUser, Records: u.records, Example: u.example,
				Reason: u.problem.Message, ReasonZh: u.problem.MessageZh, Value: k[1]},
		})
	}
	for _, field := range slices.Sorted(maps.Keys(rest)) {
		if rest[field] == 0 {
			continue
		}
		out = append(out, schema.Problem{Path: "/properties/" + field,
			Message: fmt.Sprintf("%d more stored record(s) hold other values in %s that do not convert to a user: clear the field, or fix the values first", rest[field], field)})
	}
	return out
}

// userCell is how an export writes a user field's value id: the user's
// display name, which an import takes back, unless another active user
// has it too or the user has none (or is gone): then the id itself.
func (s *snapshot) userCell(id string) string {
	name, ok := strings.CutPrefix(id, schema.UserPrefix)
	u, known := s.users[name]
	if !ok || !known || u.DisplayName == "" {
		return id
	}
	for _, other := range s.userIndex().byDisplay[u.DisplayName] {
		if other != name {
			return id
		}
	}
	return u.DisplayName
}

// CurrentUser, as the value a filter compares a user field or ownerId,
// createdBy or updatedBy to, stands for the caller's own id (user:NAME):
// the viewing user in lists, views, aggregates and exports, the acting
// user in automation conditions ("我的学员": consultant = "$user"). A
// caller that is not a user (an API key, a timer) matches no record
// with it. Written to a user field (or as its default), it is the
// acting user, which a caller that is not a user cannot be.
const CurrentUser = schema.CurrentUser

// principalColumns are the record's own columns that hold a user id.
var principalColumns = []string{"ownerId", "createdBy", "updatedBy"}

// withCurrentUser returns f with CurrentUser in the comparisons of user
// fields and principal columns replaced by actorID ("" for a caller that
// is not a user, which no stored value equals: "$user" stays then). f
// itself is left as it is; it is returned when nothing is replaced.
func withCurrentUser(obj *schema.Object, f *store.Filter, actorID string) *store.Filter {
	if f == nil || !mentionsCurrentUser(obj, f) {
		return f
	}
	out := substituteUser(obj, *f, actorID)
	return &out
}

func userComparison(obj *schema.Object, f store.Filter) bool {
	if slices.Contains(principalColumns, f.Field) {
		return true
	}
	field := obj.Field(f.Field)
	return field != nil && field.Type == schema.TypeUser
}

func mentionsCurrentUser(obj *schema.Object, f *store.Filter) bool {
	if f.IsLeaf() {
		if !userComparison(obj, *f) {
			return false
		}
		switch v := f.Value.(type) {
		case string:
			return v == CurrentUser
		case []any:
			return slices.Contains(v, any(CurrentUser))
		}
		return false
	}
	for i := range f.And {
		if mentionsCurrentUser(obj, &f.And[i]) {
			return true
		}
	}
	for i := range f.Or {
		if mentionsCurrentUser(obj, &f.Or[i]) {
			return true
		}
	}
	return f.Not != nil && mentionsCurrentUser(obj, f.Not)
}

func substituteUser(obj *schema.Object, f store.Filter, actorID string) store.Filter {
	if actorID == "" {
		actorID = CurrentUser // names no one
	}
	if f.IsLeaf() {
		if !userComparison(obj, f) {
			return f
		}
		switch v := f.Value.(type) {
		case string:
			if v == CurrentUser {
				f.Value = actorID
			}
		case []any:
			vals := slices.Clone(v)
			for i, e := range vals {
				if e == any(CurrentUser) {
					vals[i] = actorID
				}
			}
			f.Value = vals
		}
		return f
	}
	sub := func(in []store.Filter) []store.Filter {
		if in == nil {
			return nil
		}
		out := make([]store.Filter, len(in))
		for i, c := range in {
			out[i] = substituteUser(obj, c, actorID)
		}
		return out
	}
	f.And, f.Or = sub(f.And), sub(f.Or)
	if f.Not != nil {
		n := substituteUser(obj, *f.Not, actorID)
		f.Not = &n
	}
	return f
}

// actorUserID is a's id when a is a user ("user:NAME"), else "".
func actorUserID(a Actor) string {
	if strings.HasPrefix(a.ID, schema.UserPrefix) {
		return a.ID
	}
	return ""
}

// withDisplayNames returns rec with the values of obj's user fields
// replaced by their users' display names (where the user has one), for
// texts people read; rec itself is left as it is.
func (s *snapshot) withDisplayNames(obj *schema.Object, rec store.Record) store.Record {
	var data map[string]any
	for _, f := range obj.Fields {
		if f == nil || f.Type != schema.TypeUser {
			continue
		}
		id, ok := rec.Data[f.Name].(string)
		if !ok {
			continue
		}
		if l := s.principalLabel(id); l.Zh != "" {
			if data == nil {
				data = maps.Clone(rec.Data)
			}
			data[f.Name] = l.Zh
		}
	}
	if data != nil {
		rec.Data = data
	}
	return rec
}
