package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Roles are tenant metadata that administrators edit: what a principal
// with the role may do with each object (read, create, update, delete)
// and which fields are hidden from it or read-only for it. Administrators
// (and principals without a role) are not restricted. The checks are made
// here, so every door — GraphQL, scripts' host API, exports of the API —
// goes through them.

const roleObject = "crmRole"

// Role is a named set of permissions; see [access.Role].
type Role = access.Role

// ObjectAccess is what a role may do with one object; see
// [access.ObjectAccess].
type ObjectAccess = access.ObjectAccess

// Field access levels of a role; see package [access].
const (
	FieldHidden   = access.Hidden
	FieldReadOnly = access.ReadOnly
	FieldMasked   = access.Masked
)

// access returns what the actor may do with an object; restricted is
// false for principals without a role and for administrators.
func (s *snapshot) access(a Actor, object string) (acc ObjectAccess, restricted bool) {
	if a.Admin || a.Role == "" {
		return access.Full, false
	}
	r, ok := s.roles[a.Role]
	if !ok {
		return ObjectAccess{}, true // an unknown role may do nothing
	}
	return r.Object(object), true
}

// mayDo refuses an operation the actor's role does not allow.
func (s *snapshot) mayDo(a Actor, obj *schema.Object, op string) error {
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return nil
	}
	if acc.Allows(op) {
		return nil
	}
	return errorOf(ErrForbidden, nil, "role.mayNot", a.Role, opNames[op], obj.Name, labelZh(obj))
}

// opNames name the operations of [ObjectAccess] in messages.
var opNames = map[string]message.Message{"read": message.New("role.opRead"), "create": message.New("role.opCreate"),
	"update": message.New("role.opUpdate"), "delete": message.New("role.opDelete")}

// writeProblems reports the fields of a write that the actor may not set.
func (s *snapshot) writeProblems(a Actor, obj *schema.Object, data map[string]any) []schema.FieldError {
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return nil
	}
	var out []schema.FieldError
	for _, f := range acc.Unwritable(obj, data) {
		delete(data, f)
		out = append(out, fieldError(f, "forbidden", "field.roleMayNotChange"))
	}
	return out
}

// loadRoles reads the tenant's roles into a snapshot.
func loadRoles(ctx context.Context, ts store.TenantStore, snap *snapshot) error {
	snap.roles = map[string]Role{}
	obj := snap.platform[roleObject]
	if obj == nil {
		return nil
	}
	page, err := ts.Find(ctx, obj, store.Query{Sort: []store.Sort{{Field: "id"}}})
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	for _, r := range page.Records {
		b, err := json.Marshal(r.Data["definition"])
		if err != nil {
			return err
		}
		var role Role
		if err := json.Unmarshal(b, &role); err != nil {
			return fmt.Errorf("stored role %q: %w", r.ID, err)
		}
		snap.roles[r.ID] = role
	}
	return nil
}

// Roles lists the tenant's roles by name. Administrators only.
func (e *Engine) Roles(ctx context.Context) ([]Role, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, snap := sc.actor, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "role.adminOnlyRead")
	}
	out := make([]Role, 0, len(snap.roles))
	for _, r := range snap.roles {
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y Role) int {
		if x.Name < y.Name {
			return -1
		}
		if x.Name > y.Name {
			return 1
		}
		return 0
	})
	return out, nil
}

// SaveRole creates or replaces a role; the change applies from the next
// request of every principal with it, and is audited. Administrators only.
func (e *Engine) SaveRole(ctx context.Context, role Role) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return errorOf(ErrForbidden, nil, "role.adminOnlyChange")
	}
	if err := access.Check(role, snap.catalog.Object); err != nil {
		return err
	}
	return e.storeRole(ctx, ts, snap, a, role)
}

// storeRole writes a checked role, audited, and bumps the metadata
// revision so that it applies from the next request.
func (e *Engine) storeRole(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, role Role) error {
	return e.putDefinition(ctx, ts, snap, a, roleDefinitions, role.Name, "", jsonMap(role), nil)
}

// DeleteRole removes a role. Users who still have it may do nothing until
// they get another, so a role that active users have is refused.
func (e *Engine) DeleteRole(ctx context.Context, name string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return errorOf(ErrForbidden, nil, "role.adminOnlyChange")
	}
	if _, ok := snap.roles[name]; !ok {
		return errorOf(ErrNotFound, nil, "role.notFound", name)
	}
	var holders []string
	for _, u := range snap.users {
		if u.Role == name && u.Active {
			holders = append(holders, u.Username)
		}
	}
	if len(holders) > 0 {
		slices.Sort(holders)
		return errorOf(ErrConflict, nil, "role.inUse", name, strings.Join(holders, ", "), strings.Join(holders, "、"))
	}
	return e.dropRole(ctx, ts, snap, a, name)
}

// dropRole deletes a role record, audited.
func (e *Engine) dropRole(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, name string) error {
	_, err := e.deleteDefinition(ctx, ts, snap, a, roleDefinitions, name)
	return err
}

// CallerAccess is what the caller may do with one object: the operations
// its role allows and the fields it may read but not change (ReadOnly) or
// sees masked (Masked), by name. Hidden fields are not named: for the
// caller they do not exist.
type CallerAccess struct {
	Read, Create, Update, Delete bool
	ReadOnly, Masked             []string
}

// Access returns what the caller may do with object, for screens that
// offer only what will be allowed. Returns a BAD_REQUEST error for an
// object the caller cannot see.
func (e *Engine) Access(ctx context.Context, object string) (CallerAccess, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return CallerAccess{}, err
	}
	a, snap := sc.actor, sc.snap
	obj, err := objectIn(snap.view(a), object)
	if err != nil {
		return CallerAccess{}, err
	}
	acc, _ := snap.access(a, obj.Name)
	out := CallerAccess{Read: acc.Read, Create: acc.Create, Update: acc.Update, Delete: acc.Delete}
	for f := range snap.fieldsAt(a, obj, FieldReadOnly) {
		out.ReadOnly = append(out.ReadOnly, f)
	}
	for f := range snap.fieldsAt(a, obj, FieldMasked) {
		out.Masked = append(out.Masked, f)
	}
	slices.Sort(out.ReadOnly)
	slices.Sort(out.Masked)
	return out, nil
}
