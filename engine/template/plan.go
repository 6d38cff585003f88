package template

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
)

// Planning an install: the template is checked ([Check], then against
// the tenant's installs), then every object and document is merged three
// ways into the tenant's ([PlanInstall]); the engine applies the [Plan]
// ([Plan.Apply]) and keeps its [Plan.Record]. Planning reads the tenant
// through [Tenant] and writes nothing.

// Tenant is what planning an install or a rollback reads of the tenant it
// is for; the engine answers from a call's metadata snapshot and store.
type Tenant interface {
	// Object returns the tenant's object of that name; nil if none.
	Object(name string) *schema.Object
	// Docs returns the tenant's documents of a kind (see [DocKinds]): key
	// → JSON in the form its [DocKind.Parse] gives.
	Docs(ctx context.Context, kind string) (map[string]string, error)
	// Others counts the records of obj that are not the sample data of
	// the template of that name.
	Others(ctx context.Context, obj *schema.Object, template string) (int64, error)
	// InUse says why deleting the document of a kind and key would hurt;
	// "" when it would not.
	InUse(kind, key string) string
	// Users returns the tenant's users, active or not.
	Users() []User
	// Values counts the records of obj by their value of the text field
	// (records without one left out): at most limit+1 distinct values,
	// so that more than limit shows.
	Values(ctx context.Context, obj *schema.Object, field string, limit int) (map[string]int64, error)
}

// Check parses the template's definitions, in install order, and refuses
// what cannot be installed; reserved reports the object names the engine
// keeps for itself. A refusal is an [*Error].
func Check(tpl *Template, reserved func(name string) bool) ([]*schema.Object, error) {
	if tpl == nil || !ValidName(tpl.Name) {
		return nil, refusalOf(ErrInvalid, "template.badName")
	}
	if !ValidVersion(tpl.Version) {
		return nil, refusalOf(ErrInvalid, "template.badVersionOf", tpl.Name, tpl.Version)
	}
	for _, kind := range slices.Sorted(maps.Keys(tpl.Other)) {
		if !slices.Contains(tpl.Optional, kind) {
			return nil, refusalOf(ErrInvalid, "template.unsupportedContent", tpl.Name, kind)
		}
	}
	if len(tpl.Objects) == 0 {
		return nil, refusalOf(ErrInvalid, "template.noObjects", tpl.Name)
	}
	out := make([]*schema.Object, 0, len(tpl.Objects))
	seen := map[string]bool{}
	for _, def := range tpl.Objects {
		obj, err := schema.ParseObject(def)
		if err != nil {
			return nil, fmt.Errorf("template %q: %w", tpl.Name, err)
		}
		if reserved(obj.Name) || seen[obj.Name] {
			return nil, refusalOf(ErrInvalid, "template.reservedObject", tpl.Name, obj.Name)
		}
		seen[obj.Name] = true
		out = append(out, obj)
	}
	return out, nil
}

// CheckDependencies refuses a template whose dependencies are not among
// the active installs at a version that satisfies them.
func CheckDependencies(tpl *Template, installs []Install) error {
	for _, d := range tpl.Depends {
		cur := Active(installs, d.Name)
		if cur == nil || !Satisfies(cur.Version, d.Version) {
			have := "not installed"
			if cur != nil {
				have = "at " + cur.Version
			}
			return refusalOf(ErrConflict, "template.needsDependency", tpl.Name, d.Name, d.Version, have)
		}
	}
	return nil
}

// CheckMenu refuses a menu naming an object that is neither in the
// template (defs) nor in an installed template it depends on.
func CheckMenu(tpl *Template, defs []*schema.Object, installs []Install) error {
	have := map[string]bool{}
	for _, d := range defs {
		have[d.Name] = true
	}
	for _, dep := range tpl.Depends {
		if cur := Active(installs, dep.Name); cur != nil {
			for _, o := range cur.Objects {
				have[o] = true
			}
		}
	}
	for i, g := range tpl.Menu {
		if g.Label.Zh == "" || g.Label.En == "" || len(g.Objects) == 0 {
			return refusalOf(ErrInvalid, "navigation.badGroup", tpl.Name, i+1)
		}
		for _, o := range g.Objects {
			if !have[o] {
				return refusalOf(ErrInvalid, "navigation.unknownObject", tpl.Name, g.Label.En, o, g.Label.Zh)
			}
		}
	}
	return nil
}

// Plan is what an install will write: made by [PlanInstall], written by
// [Plan.Apply], recorded by [Plan.Record].
type Plan struct {
	tpl  *Template
	defs []*schema.Object
	// objects holds the definition to save for each object of the
	// template, in install order; nil where the object is unchanged.
	objects [][]byte
	// remaps holds, for each object of objects, the stored values to
	// replace as it is saved (field → value → new value, "" clears): the
	// conversions of fields that become user fields. undoRemaps turns
	// them back into text if a later write fails.
	remaps, undoRemaps []map[string]map[string]string
	// before maps each object the plan creates or updates to the tenant's
	// definition before (a string), or nil when it had none.
	before   map[string]any
	docs     map[string][]doc
	docPlans map[string]*docPlan // by kind
}

// saved names the objects of the plan that are saved, in install order.
func (p *Plan) saved() []string {
	var out []string
	for i, def := range p.objects {
		if def != nil {
			out = append(out, p.defs[i].Name)
		}
	}
	return out
}

// PlanInstall checks tpl, whose definitions [Check] gave as defs, against
// the tenant's installs (newest first) and plans installing it over the
// active install of the template, if any: every object and then every
// document of kinds is merged into the tenant's, and the result lists the
// plans, conflicts and notes. It refuses, with an [*Error], a template
// whose dependencies or menu the installs do not satisfy, an older
// version than the one installed, and conflicts when opts.OnConflict is
// [ConflictFail] (then with the result).
func PlanInstall(ctx context.Context, tpl *Template, defs []*schema.Object, installs []Install, t Tenant, kinds []*DocKind, opts InstallOptions) (*Plan, *InstallResult, error) {
	if err := CheckDependencies(tpl, installs); err != nil {
		return nil, nil, err
	}
	if err := CheckMenu(tpl, defs, installs); err != nil {
		return nil, nil, err
	}
	cur := Active(installs, tpl.Name)
	res := &InstallResult{Template: tpl.Name, ToVersion: tpl.Version, DryRun: opts.DryRun}
	if cur != nil {
		res.FromVersion = cur.Version
		if CompareVersions(tpl.Version, cur.Version) < 0 {
			return nil, nil, refusalOf(ErrConflict, "template.newerInstalled", tpl.Name, cur.Version, tpl.Version)
		}
	}
	plan, err := planObjects(ctx, tpl, defs, cur, t, opts, res)
	if err != nil {
		return nil, nil, err
	}
	if err := plan.planDocs(ctx, cur, t, kinds, opts.OnConflict, res); err != nil {
		return nil, nil, err
	}
	noteDropped(defs, cur, res)
	if len(res.Conflicts) > 0 && opts.OnConflict == ConflictFail {
		return nil, res, refusalOf(ErrConflict, "template.upgradeConflicts", tpl.Name, res.FromVersion, tpl.Version, len(res.Conflicts))
	}
	if unmatched := unmatchedFields(res.Users); unmatched != "" && !opts.Force && !opts.DryRun {
		return nil, res, refusalOf(ErrConflict, "template.userValuesNeedForce", tpl.Name, res.FromVersion, tpl.Version, unmatched)
	}
	if opts.DryRun && opts.Sample != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("sample data: about %d records would be written", opts.Sample.Total))
	}
	return plan, res, nil
}

// planObjects merges every object of the template into the tenant's
// definitions, adding plans, conflicts and notes to res.
func planObjects(ctx context.Context, tpl *Template, defs []*schema.Object, cur *Install, t Tenant, opts InstallOptions, res *InstallResult) (*Plan, error) {
	policy := opts.OnConflict
	base := map[string]string{}
	if cur != nil {
		base = cur.definitions
	}
	plan := &Plan{tpl: tpl, defs: defs, objects: make([][]byte, len(defs)), before: map[string]any{},
		remaps: make([]map[string]map[string]string, len(defs)), undoRemaps: make([]map[string]map[string]string, len(defs))}
	for i, def := range defs {
		name := def.Name
		var baseDef, ours []byte
		if b, ok := base[name]; ok {
			baseDef = []byte(b)
		}
		now := t.Object(name)
		if now != nil {
			ours = now.Definition
		}
		m, err := Merge(name, baseDef, ours, tpl.Objects[i], policy)
		if err != nil {
			return nil, err
		}
		switch {
		case m.Recreated:
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the object was deleted after the template was installed; it is created again", name))
		case m.Adopted:
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the tenant already has this object; the template's definition is merged into it", name))
		}
		res.Conflicts = append(res.Conflicts, m.Conflicts...)
		res.Notes = append(res.Notes, m.Notes...)
		res.Objects = append(res.Objects, ObjectPlan{Object: name, Action: m.Action, Changes: m.Changes})
		plan.objects[i] = m.Doc
		if m.Action == "update" {
			conv, remap, err := planUserConversions(ctx, t, now, m.Doc, opts.Force)
			if err != nil {
				return nil, err
			}
			for _, c := range conv {
				res.Users = append(res.Users, c)
				res.Notes = append(res.Notes, c.Text(message.En))
			}
			plan.remaps[i] = remap
			if len(conv) > 0 {
				merged, err := schema.ParseObject(m.Doc)
				if err != nil {
					return nil, fmt.Errorf("parse merged definition of %q: %w", name, err)
				}
				_, plan.undoRemaps[i] = userRollback(t.Users(), merged, now)
			}
		}
		switch m.Action {
		case "create":
			plan.before[name] = nil
		case "update":
			plan.before[name] = string(now.Definition)
		}
	}
	return plan, nil
}

// planDocs checks the template's documents and merges them into the
// tenant's, adding to the plan and res.
func (p *Plan) planDocs(ctx context.Context, cur *Install, t Tenant, kinds []*DocKind, policy ConflictPolicy, res *InstallResult) error {
	objectOf := func(name string) *schema.Object {
		for _, d := range p.defs {
			if d.Name == name {
				return d
			}
		}
		return t.Object(name)
	}
	docs, err := checkDocs(p.tpl, kinds, objectOf)
	if err != nil {
		return err
	}
	p.docs, p.docPlans = docs, map[string]*docPlan{}
	current := map[string]map[string]string{}
	for _, k := range kinds {
		if current[k.Name], err = t.Docs(ctx, k.Name); err != nil {
			return err
		}
	}
	has := func(kind, key string) bool {
		if _, ok := current[kind][key]; ok {
			return true
		}
		return slices.ContainsFunc(docs[kind], func(d doc) bool { return d.key == key })
	}
	for _, k := range kinds {
		var docBase map[string]string
		if cur != nil && cur.docs[k.Name] != nil {
			docBase = cur.docs[k.Name].shipped
		}
		if p.docPlans[k.Name], err = planDocs(k, docs[k.Name], docBase, current[k.Name], objectOf, has, policy, res); err != nil {
			return err
		}
	}
	return nil
}

// noteDropped notes the objects the installed version shipped that the
// template no longer has: they are kept.
func noteDropped(defs []*schema.Object, cur *Install, res *InstallResult) {
	if cur == nil {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(cur.definitions)) {
		if !slices.ContainsFunc(defs, func(d *schema.Object) bool { return d.Name == name }) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the object is no longer in the template; it is kept with its records", name))
		}
	}
}

// unmatchedFields names the fields of conversions with values that name
// no user, with how many such values each has; "" when there are none.
func unmatchedFields(conv []UserConversion) string {
	var out []string
	for _, c := range conv {
		if len(c.Unmatched) > 0 {
			out = append(out, fmt.Sprintf("%s.%s: %d", c.Object, c.Field, len(c.Unmatched)))
		}
	}
	return strings.Join(out, ", ")
}
