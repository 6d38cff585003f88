package engine

import (
	"slices"
	"strings"
	"sync"

	"github.com/crmkit/crm/schema"
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
// it is kept whatever the state of its user. ok is false, with the
// problem, when the value names no active user or, as a display name,
// several. An empty (or blank) value clears the field: id is "".
func (s *snapshot) resolveUser(field, v, old string) (id string, problem *schema.FieldError) {
	given := strings.TrimSpace(v)
	if given == "" {
		return "", nil
	}
	if given == old {
		return old, nil
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
		switch names := s.userIndex().byDisplay[given]; len(names) {
		case 1:
			return schema.UserID(names[0]), nil
		case 0:
			// The display name of the stored user, deactivated since,
			// names them still.
			if oldName, ok := strings.CutPrefix(old, schema.UserPrefix); ok && s.users[oldName].DisplayName == given {
				return old, nil
			}
		default:
			fe := fieldError(field, schema.CodeUser, "field.userAmbiguous", given, strings.Join(names, ", "))
			return "", &fe
		}
	}
	fe := fieldError(field, schema.CodeUser, "field.userNotFound", given)
	return "", &fe
}

// resolveUsers puts the user fields of data in their stored form (see
// resolveUser), in place, against oldData (nil for a new record), and
// returns the problems of the values that name nobody. A value that is
// not a string is left to the validator.
func (s *snapshot) resolveUsers(obj *schema.Object, oldData, data map[string]any) []schema.FieldError {
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
		id, problem := s.resolveUser(f.Name, v, old)
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
