// Package access owns what a role may do and what a caller sees: the
// [Role] model (operations per object, fields hidden, read-only or masked)
// and its check, the masking of values ([Mask]), the reading [Rules] of
// one caller for one object (which records, which fields, which filters
// and sorts it may use), and the sharing [Circle] of a user in a
// management hierarchy. It holds no state: the engine loads roles and
// users from a tenant's platform records, resolves a caller's rules from
// them and turns a refusal into its own errors.
package access

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/crmkit/crm/schema"
)

// AdminRole is the built-in role of administrators; no stored role may
// take its name.
const AdminRole = "admin"

// Field access levels of a role.
const (
	Hidden   = "hidden"
	ReadOnly = "readOnly"
	// Masked shows a text value with its middle hidden (see [Mask])
	// and may not be filtered or sorted on, which would reveal the value.
	// The role may still enter a value (a new client's phone) or replace
	// it; a masked value sent back unchanged keeps the stored one.
	Masked = "masked"
)

// Role is a named set of permissions.
type Role struct {
	Name  string       `json:"name"`
	Label schema.Label `json:"label"`
	// Objects maps an object name to its access; "*" applies to every
	// object not listed. An object in neither gets no access.
	Objects map[string]ObjectAccess `json:"objects"`
}

// ObjectAccess is what a role may do with one object.
type ObjectAccess struct {
	Read   bool `json:"read,omitempty"`
	Create bool `json:"create,omitempty"`
	Update bool `json:"update,omitempty"`
	Delete bool `json:"delete,omitempty"`
	// Fields maps a field to "hidden", "readOnly" or "masked"; others are
	// editable (when the role may create or update).
	Fields map[string]string `json:"fields,omitempty"`
}

// Full is the access of a caller no role restricts.
var Full = ObjectAccess{Read: true, Create: true, Update: true, Delete: true}

// Object returns what the role may do with object.
func (r Role) Object(object string) ObjectAccess {
	if acc, ok := r.Objects[object]; ok {
		return acc
	}
	return r.Objects["*"]
}

// Allows reports whether the access allows op: "read", "create",
// "update" or "delete".
func (a ObjectAccess) Allows(op string) bool {
	switch op {
	case "read":
		return a.Read
	case "create":
		return a.Create
	case "update":
		return a.Update
	case "delete":
		return a.Delete
	}
	return false
}

// FieldsAt is the set of fields of obj at level; nil when there are none.
func (a ObjectAccess) FieldsAt(obj *schema.Object, level string) map[string]bool {
	var out map[string]bool
	for f, l := range a.Fields {
		if l == level && obj.Field(f) != nil {
			if out == nil {
				out = map[string]bool{}
			}
			out[f] = true
		}
	}
	return out
}

// Conceals reports whether the value of field (or of the field a dotted
// path starts with) is hidden or masked.
func (a ObjectAccess) Conceals(field string) bool {
	l := a.Fields[topField(field)]
	return l == Hidden || l == Masked
}

// Unwritable lists, in the object's order, the fields of obj set in data
// that the access does not let a caller change: hidden and read-only ones.
func (a ObjectAccess) Unwritable(obj *schema.Object, data map[string]any) []string {
	var out []string
	for _, f := range obj.Fields {
		if _, set := data[f.Name]; !set {
			continue
		}
		if l := a.Fields[f.Name]; l == Hidden || l == ReadOnly {
			out = append(out, f.Name)
		}
	}
	return out
}

var namePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)

// Check checks a role against the objects objectOf knows; it returns a
// [*schema.DefinitionError] listing every problem.
func Check(role Role, objectOf func(string) *schema.Object) error {
	var problems []schema.Problem
	if !namePattern.MatchString(role.Name) || role.Name == AdminRole {
		problems = append(problems, schema.Problem{Path: "/name", Message: fmt.Sprintf("%q is not a role name: letters and digits, starting with a lower-case letter; \"admin\" is built in", role.Name)})
	}
	for _, obj := range slices.Sorted(maps.Keys(role.Objects)) {
		o := objectOf(obj)
		if obj != "*" && o == nil {
			problems = append(problems, schema.Problem{Path: "/objects/" + obj, Message: fmt.Sprintf("there is no object %q", obj)})
			continue
		}
		problems = append(problems, checkFields(obj, o, role.Objects[obj].Fields)...)
	}
	if len(problems) > 0 {
		return &schema.DefinitionError{Object: "role " + role.Name, Problems: problems}
	}
	return nil
}

// checkFields checks the field levels a role gives on object name (o, or
// nil for "*").
func checkFields(name string, o *schema.Object, levels map[string]string) []schema.Problem {
	var problems []schema.Problem
	for _, f := range slices.Sorted(maps.Keys(levels)) {
		level := levels[f]
		at := "/objects/" + name + "/fields/" + f
		if level != Hidden && level != ReadOnly && level != Masked {
			problems = append(problems, schema.Problem{Path: at, Message: `must be "hidden", "readOnly" or "masked"`})
		}
		if o == nil {
			continue
		}
		fd := o.Field(f)
		if fd == nil {
			problems = append(problems, schema.Problem{Path: at, Message: fmt.Sprintf("%s has no field %q", name, f)})
			continue
		}
		if level == Masked && (fd.Kind() != schema.KindString || fd.Type == schema.TypePicklist) {
			problems = append(problems, schema.Problem{Path: at, Message: fmt.Sprintf("only text values can be masked; %s is a %s field", f, fd.Type)})
		}
	}
	return problems
}
