package template

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
)

// User fields in templates: a template version may turn a text field that
// names colleagues into a user field (x-crm-type "user", values
// "user:USERNAME"). Upgrading to it converts the values stored: a value
// that is a username, "user:USERNAME", or the display name of exactly one
// active user becomes that user; the others are listed in the plan
// ([UserConversion]) and cleared only when the install is forced.
// Rolling back turns user values into the user's display name again (the
// username when it has none). Sample data gives user fields the tenant's
// active users ([SampleUsers]), never invented people.

// User is a user of the tenant as the conversions see them.
type User struct {
	Username    string
	DisplayName string
	Active      bool
}

// userPrefix starts a user value, as in a record's ownerId.
const userPrefix = "user:"

// MaxUserValues bounds the distinct values of one field that an upgrade
// converts to users; a field with more is refused (clean its values
// first, or convert it by hand with saveObject and remap).
const MaxUserValues = 10000

// ShownUnmatched is how many unmatched values a plan's text names per
// field; [UserConversion.Unmatched] lists them all.
const ShownUnmatched = 10

// ResolveUser returns the user value ("user:USERNAME") that v names among
// users, as a write to a user field resolves it: "user:USERNAME" or the
// username (in any case) of an active user, or the display name of
// exactly one active user (surrounding spaces ignored); false when it
// names none or several.
func ResolveUser(users []User, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false
	}
	name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(v, userPrefix)))
	for _, u := range users {
		if u.Active && u.Username == name {
			return userPrefix + u.Username, true
		}
	}
	if strings.HasPrefix(v, userPrefix) {
		return "", false
	}
	found := ""
	for _, u := range users {
		if u.Active && u.DisplayName == v {
			if found != "" {
				return "", false
			}
			found = u.Username
		}
	}
	if found == "" {
		return "", false
	}
	return userPrefix + found, true
}

// ValueCount is one distinct stored value and how many records hold it.
type ValueCount struct {
	Value   string
	Records int64
}

// UserConversion is what an upgrade does to the values of a field that
// becomes a user field.
type UserConversion struct {
	Object, Field string
	// Matched counts the records whose value names a user; they get it.
	Matched int64
	// Unmatched are the values that name no active user (or several),
	// most records first; the upgrade needs force, which clears them.
	Unmatched []ValueCount
	// Cleared is set when the upgrade is forced and clears the unmatched
	// values.
	Cleared bool
}

// UnmatchedRecords counts the records holding an unmatched value.
func (c UserConversion) UnmatchedRecords() int64 {
	var n int64
	for _, v := range c.Unmatched {
		n += v.Records
	}
	return n
}

// Text says in lang what the conversion does.
func (c UserConversion) Text(lang string) string {
	field := c.Object + "." + c.Field
	if len(c.Unmatched) == 0 {
		return message.Text(lang, "template.userValuesMatched", field, c.Matched)
	}
	var shown []string
	for _, v := range c.Unmatched[:min(len(c.Unmatched), ShownUnmatched)] {
		shown = append(shown, message.Text(lang, "template.userValueCount", v.Value, v.Records))
	}
	sep := ", "
	if lang == message.Zh {
		sep = "，"
	}
	list := strings.Join(shown, sep)
	if more := len(c.Unmatched) - len(shown); more > 0 {
		list += sep + message.Text(lang, "template.userValuesMore", more)
	}
	if c.Cleared {
		return message.Text(lang, "template.userValuesCleared", field, c.Matched, len(c.Unmatched), c.UnmatchedRecords(), list)
	}
	return message.Text(lang, "template.userValuesUnmatched", field, c.Matched, len(c.Unmatched), c.UnmatchedRecords(), list)
}

// isUser reports whether f is a user field.
func isUser(f *schema.Field) bool { return f != nil && f.Type == schema.TypeUser }

// planUserConversions finds the fields of the tenant's object now that
// the merged definition doc makes user fields, counts their stored values
// and plans their conversion: the remap (field → value → user value, or
// "" to clear when force) to save the object with.
func planUserConversions(ctx context.Context, t Tenant, now *schema.Object, doc []byte, force bool) ([]UserConversion, map[string]map[string]string, error) {
	if now == nil || doc == nil {
		return nil, nil, nil
	}
	next, err := schema.ParseObject(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("parse merged definition of %q: %w", now.Name, err)
	}
	var out []UserConversion
	var remap map[string]map[string]string
	users := t.Users()
	for _, f := range next.Fields {
		old := now.Field(f.Name)
		if !isUser(f) || old == nil || isUser(old) {
			continue
		}
		values, err := t.Values(ctx, now, f.Name, MaxUserValues)
		if err != nil {
			return nil, nil, fmt.Errorf("read the values of %s.%s: %w", now.Name, f.Name, err)
		}
		if len(values) > MaxUserValues {
			return nil, nil, refusalOf(ErrConflict, "template.userValuesTooMany", now.Name+"."+f.Name, MaxUserValues)
		}
		c := UserConversion{Object: now.Name, Field: f.Name, Cleared: force}
		m := map[string]string{}
		for _, v := range slices.Sorted(maps.Keys(values)) {
			if to, ok := ResolveUser(users, v); ok {
				c.Matched += values[v]
				if to != v {
					m[v] = to
				}
				continue
			}
			c.Unmatched = append(c.Unmatched, ValueCount{Value: v, Records: values[v]})
			if force {
				m[v] = ""
			}
		}
		slices.SortStableFunc(c.Unmatched, func(a, b ValueCount) int { return cmp.Compare(b.Records, a.Records) })
		if c.Matched == 0 && len(c.Unmatched) == 0 {
			// No stored values: nothing to convert, nothing to say.
			continue
		}
		out = append(out, c)
		if len(m) > 0 {
			if remap == nil {
				remap = map[string]map[string]string{}
			}
			remap[f.Name] = m
		}
	}
	return out, remap, nil
}

// userRollback returns the remap that turns the user values of the
// fields that are user fields in now and text fields in old back into
// text (each user's display name, or username), and those fields.
func userRollback(users []User, now, old *schema.Object) (fields []string, remap map[string]map[string]string) {
	if now == nil || old == nil {
		return nil, nil
	}
	for _, f := range now.Fields {
		o := old.Field(f.Name)
		if !isUser(f) || o == nil || isUser(o) || o.Type != schema.TypeText {
			continue
		}
		m := map[string]string{}
		for _, u := range users {
			text := u.DisplayName
			if text == "" {
				text = u.Username
			}
			m[userPrefix+u.Username] = text
		}
		if remap == nil {
			remap = map[string]map[string]string{}
		}
		remap[f.Name] = m
		fields = append(fields, f.Name)
	}
	return fields, remap
}

// SampleUsers gives the user fields of sample data the tenant's active
// users: the generator names people of its own (so that, say, a student
// and her enrolments share a consultant); each distinct name it uses is
// given the next active user in turn, by username, and keeps it.
type SampleUsers struct {
	users []string
	given map[string]string
}

// NewSampleUsers returns the assigner for the usernames of the tenant's
// active users. With none, user fields of sample records are left empty.
func NewSampleUsers(usernames []string) *SampleUsers {
	users := slices.Clone(usernames)
	slices.Sort(users)
	return &SampleUsers{users: slices.Compact(users), given: map[string]string{}}
}

// Give returns the user ("user:USERNAME") a generated name is given, the
// same one its user fields get; false when the tenant has no user.
func (s *SampleUsers) Give(name string) (string, bool) {
	if len(s.users) == 0 || name == "" {
		return "", false
	}
	to, ok := s.given[name]
	if !ok {
		to = userPrefix + s.users[len(s.given)%len(s.users)]
		s.given[name] = to
	}
	return to, true
}

// Assign returns data with the value of every user field of obj replaced
// by the user its generated value is given; data itself is not changed.
func (s *SampleUsers) Assign(obj *schema.Object, data map[string]any) map[string]any {
	out := data
	cloned := false
	for _, f := range obj.Fields {
		v, ok := data[f.Name].(string)
		if !isUser(f) || !ok || v == "" {
			continue
		}
		if !cloned {
			out, cloned = maps.Clone(data), true
		}
		to, ok := s.Give(v)
		if !ok {
			delete(out, f.Name)
			continue
		}
		out[f.Name] = to
	}
	return out
}
