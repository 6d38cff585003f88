package engine

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Roles in templates. A template's roles/NAME.json holds a role in the
// shape SaveRole takes. Installing merges each role three ways like an
// object definition (base: the role the installed version shipped; ours:
// the tenant's role; theirs: the new version's), member by member, so an
// object or field rule the tenant added survives an upgrade. Plans name a
// role "role:NAME"; rollback restores the roles from before the install.

// rolePlanPrefix marks a role among the plans of an install.
const rolePlanPrefix = "role:"

// templateRole is one role of a template, checked.
type templateRole struct {
	role      Role
	canonical string // its JSON as the engine writes it: the merge base of the next upgrade
}

// canonicalRole decodes a role strictly and re-encodes it the way stored
// roles are encoded, so that template text and stored roles compare
// member by member.
func canonicalRole(raw []byte) (Role, string, error) {
	var r Role
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Role{}, "", err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Role{}, "", err
	}
	return r, string(b), nil
}

// checkTemplateRoles parses the template's roles and checks them against
// the template's objects and, for objects it does not define, the
// tenant's.
func checkTemplateRoles(tpl *Template, defs []templateObject, cat *Catalog) ([]templateRole, error) {
	objects := map[string]*schema.Object{}
	for _, d := range defs {
		objects[d.name] = d.obj
	}
	objectOf := func(name string) *schema.Object {
		if o := objects[name]; o != nil {
			return o
		}
		return cat.Object(name)
	}
	var out []templateRole
	seen := map[string]bool{}
	for _, raw := range tpl.Roles {
		r, canon, err := canonicalRole(raw)
		if err != nil {
			return nil, newError(ErrBadRequest,
				fmt.Sprintf("template %q: a role is not {name, label, objects: {object: {read, create, update, delete, fields}}}: %v", tpl.Name, err),
				fmt.Sprintf("模板 %q：角色格式不正确：%v", tpl.Name, err), nil)
		}
		if err := checkRole(r, objectOf); err != nil {
			return nil, fmt.Errorf("template %q: %w", tpl.Name, err)
		}
		if seen[r.Name] {
			return nil, newError(ErrBadRequest, fmt.Sprintf("template %q: role %q is there twice", tpl.Name, r.Name),
				fmt.Sprintf("模板 %q：角色 %q 重复", tpl.Name, r.Name), nil)
		}
		seen[r.Name] = true
		out = append(out, templateRole{role: r, canonical: canon})
	}
	slices.SortFunc(out, func(a, b templateRole) int { return cmp.Compare(a.role.Name, b.role.Name) })
	return out, nil
}

// roleJSON is a stored role as the merge sees it.
func roleJSON(r Role) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// rolePlan is the roles part of an install plan.
type rolePlan struct {
	save   []Role            // merged roles to write, in name order
	before map[string]any    // role → the tenant's role before (JSON string), or nil when it had none
	after  map[string]string // role → the role as the install leaves it (JSON)
}

// planRoles merges the template's roles into the tenant's, adding plans,
// conflicts and notes to res.
func planRoles(tpl *Template, roles []templateRole, base map[string]string, snap *snapshot, objectOf func(string) *schema.Object, opts InstallOptions, res *InstallResult) (*rolePlan, error) {
	p := &rolePlan{before: map[string]any{}, after: map[string]string{}}
	for _, tr := range roles {
		name := tr.role.Name
		theirs, err := decodeOrdered([]byte(tr.canonical))
		if err != nil {
			return nil, fmt.Errorf("decode template role %q: %w", name, err)
		}
		baseVal := absent
		if b, ok := base[name]; ok {
			if baseVal, err = decodeOrdered([]byte(b)); err != nil {
				return nil, fmt.Errorf("decode recorded role %q: %w", name, err)
			}
		}
		cur, has := snap.roles[name]
		if !has {
			res.Objects = append(res.Objects, ObjectPlan{Object: rolePlanPrefix + name, Action: "create", Changes: diffDefinitions(absent, theirs)})
			p.save = append(p.save, tr.role)
			p.before[name] = nil
			p.after[name] = tr.canonical
			continue
		}
		ours, err := decodeOrdered([]byte(roleJSON(cur)))
		if err != nil {
			return nil, fmt.Errorf("decode role %q: %w", name, err)
		}
		if isAbsent(baseVal) && !sameValue(ours, theirs) {
			res.Notes = append(res.Notes, fmt.Sprintf("role %s: the tenant already has this role; the template's is merged into it", name))
		}
		m := &merger{object: rolePlanPrefix + name, theirsWin: opts.OnConflict == ConflictTakeTheirs}
		merged := m.merge("", baseVal, ours, theirs)
		res.Conflicts = append(res.Conflicts, m.conflicts...)
		res.Notes = append(res.Notes, m.notes...)
		changes := diffDefinitions(ours, merged)
		if len(changes) == 0 {
			res.Objects = append(res.Objects, ObjectPlan{Object: rolePlanPrefix + name, Action: "unchanged"})
			continue
		}
		r, canon, err := canonicalRole(encodeOrdered(merged))
		if err != nil {
			return nil, fmt.Errorf("merged role %q: %w", name, err)
		}
		if err := checkRole(r, objectOf); err != nil {
			return nil, fmt.Errorf("merged role %q: %w", name, err)
		}
		res.Objects = append(res.Objects, ObjectPlan{Object: rolePlanPrefix + name, Action: "update", Changes: changes})
		p.save = append(p.save, r)
		p.before[name] = roleJSON(cur)
		p.after[name] = canon
	}
	return p, nil
}

// applyRoles writes the planned roles; if one fails, those written before
// are put back.
func (e *Engine) applyRoles(ctx context.Context, ts store.TenantStore, a Actor, p *rolePlan) error {
	var done []string
	for _, r := range p.save {
		snap, err := e.state(ctx, a.TenantID, ts)
		if err == nil {
			err = e.storeRole(ctx, ts, snap, a, r)
		}
		if err != nil {
			return errors.Join(err, e.restoreRoles(ctx, ts, a, done, p.before))
		}
		done = append(done, r.Name)
	}
	return nil
}

// restoreRoles puts the named roles back as before says: the JSON of the
// earlier role, or nil for none.
func (e *Engine) restoreRoles(ctx context.Context, ts store.TenantStore, a Actor, names []string, before map[string]any) error {
	var errs []error
	for _, name := range slices.Backward(names) {
		snap, err := e.state(ctx, a.TenantID, ts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		prev, _ := before[name].(string)
		if prev == "" {
			errs = append(errs, e.dropRole(ctx, ts, snap, a, name))
			continue
		}
		r, _, err := canonicalRole([]byte(prev))
		if err != nil {
			errs = append(errs, fmt.Errorf("recorded role %q: %w", name, err))
			continue
		}
		errs = append(errs, e.storeRole(ctx, ts, snap, a, r))
	}
	return errors.Join(errs...)
}

// installRoles reads the roles part of an install record.
func installRoles(data map[string]any) (shipped map[string]string, before map[string]any, after map[string]string) {
	shipped, before, after = map[string]string{}, map[string]any{}, map[string]string{}
	strs := func(v any, into map[string]string) {
		m, _ := v.(map[string]any)
		for k, v := range m {
			if s, ok := v.(string); ok {
				into[k] = s
			}
		}
	}
	strs(data["roles"], shipped)
	strs(data["rolesAfter"], after)
	if b, ok := data["rolesBefore"].(map[string]any); ok {
		maps.Copy(before, b)
	}
	return shipped, before, after
}

// planRoleRollback adds the roles part of a rollback to res: roles the
// install created are deleted, roles it changed restored. It returns the
// steps and the problems that need force.
func planRoleRollback(cur *TemplateInstall, snap *snapshot, res *InstallResult) (names []string, problems []string) {
	for _, name := range slices.Sorted(maps.Keys(cur.rolesBefore)) {
		now, has := snap.roles[name]
		var nowVal any = absent
		if has {
			nowVal, _ = decodeOrdered([]byte(roleJSON(now)))
			if after, ok := cur.rolesAfter[name]; ok {
				if afterVal, err := decodeOrdered([]byte(after)); err == nil && !sameValue(nowVal, afterVal) {
					problems = append(problems, fmt.Sprintf("role %s was changed after the install", name))
				}
			}
		}
		prev, _ := cur.rolesBefore[name].(string)
		if prev == "" {
			if !has {
				continue
			}
			var holders int
			for _, u := range snap.users {
				if u.Role == name && u.Active {
					holders++
				}
			}
			if holders > 0 {
				problems = append(problems, fmt.Sprintf("role %s, which the install created, is given to %d user(s)", name, holders))
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: rolePlanPrefix + name, Action: "delete", Changes: diffDefinitions(nowVal, absent)})
			names = append(names, name)
			continue
		}
		prevVal, _ := decodeOrdered([]byte(prev))
		res.Objects = append(res.Objects, ObjectPlan{Object: rolePlanPrefix + name, Action: "restore", Changes: diffDefinitions(nowVal, prevVal)})
		names = append(names, name)
	}
	return names, problems
}
