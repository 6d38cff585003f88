package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// InstallOptions tune [Engine.InstallTemplate].
type InstallOptions struct {
	// DryRun computes and returns the whole plan (every definition change
	// and conflict) and changes nothing.
	DryRun bool
	// OnConflict resolves merge conflicts; zero refuses the upgrade.
	OnConflict template.ConflictPolicy
	// Sample, if set, inserts the template's sample data after the
	// metadata, unless sample data of this template is already there.
	Sample *template.SampleData
	// Progress, if set, is called as objects are saved and sample records
	// written (after each batch).
	Progress func(Progress)
}

// Progress reports how far a long template operation is.
type Progress struct {
	Phase  string // "objects", "sample" or "reset"
	Object string // the object being worked on, if one
	Done   int
	Total  int // 0 when unknown
}

// ObjectPlan is what an install does to one object.
type ObjectPlan struct {
	Object string
	// Action is "create", "update", "unchanged", "delete" (rollback) or
	// "restore" (rollback of an update).
	Action  string
	Changes []template.Change
}

// InstallResult describes an install, upgrade or rollback: done, or for a
// dry run or a refused upgrade, planned.
type InstallResult struct {
	Template    string
	FromVersion string // the version installed before; "" for a first install
	ToVersion   string
	DryRun      bool
	// Applied is true when the tenant's configuration was changed or a
	// new version recorded.
	Applied   bool
	Objects   []ObjectPlan
	Conflicts []template.Conflict
	// Notes explain choices the merge made (fields kept although the new
	// version dropped them, sample data skipped ...).
	Notes []string
	// SampleRecords is how many sample records were written.
	SampleRecords int
}

// Changed reports whether the plan changes any definition.
func (r *InstallResult) Changed() bool {
	for _, o := range r.Objects {
		if o.Action != "unchanged" {
			return true
		}
	}
	return false
}

// TemplateInstall is one recorded install, upgrade or rollback of a
// template in a tenant.
type TemplateInstall struct {
	ID          string
	Template    string
	Version     string
	FromVersion string
	Action      string // "install" or "upgrade"
	// Status is "active", or "rolledBack" once rolled back.
	Status string
	At     time.Time
	By     string
	// Objects the template defines, in install order.
	Objects []string
	// Roles, layouts (by object) and views (OBJECT.NAME) the template
	// defines.
	Roles, Layouts, Views []string
	// Menu is the template's navigation groups.
	Menu []template.MenuGroup

	definitions map[string]string // object → definition as the version shipped it
	before      map[string]any    // object → the tenant's definition before (string), or nil when it had none
	after       map[string]int64  // object → version after the install
	docs        map[*docKind]*installDocs
	version     int64 // of the platform record
}

// templateInstallObject records template installs per tenant: the merge
// base of the next upgrade and what a rollback restores.
const templateInstallObject = "crmTemplateInstall"

// SampleActor is the actor id that sample records of a template are
// created by; ResetSampleData deletes exactly the records it created.
func SampleActor(template string) string { return "template:" + template }

// InstallTemplate installs a template into the actor's tenant, or upgrades
// the installed version in place. Only administrators may.
//
//   - Installing the version already installed changes nothing (but adds
//     sample data when asked and there is none).
//   - Installing a newer version merges three ways, per object: the
//     definitions the installed version shipped (recorded at install), the
//     tenant's current definitions, and the new version's. The tenant's
//     own fields, labels and picklist values survive. When both sides
//     changed the same member differently, the conflicts are returned with
//     a CONFLICT error and nothing changes, unless opts.OnConflict picks a
//     side.
//   - An older version is refused: use [Engine.RollbackTemplate].
//
// With opts.DryRun the result is the whole plan and nothing changes. The
// result is returned with the error when conflicts refused the upgrade.
func (e *Engine) InstallTemplate(ctx context.Context, tpl *template.Template, opts InstallOptions) (*InstallResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "template.adminOnlyInstall")
	}
	defs, err := checkTemplate(tpl)
	if err != nil {
		return nil, err
	}
	installs, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	if err := checkDependencies(tpl, installs); err != nil {
		return nil, err
	}
	if err := checkMenu(tpl, defs, installs); err != nil {
		return nil, err
	}
	cur := activeInstall(installs, tpl.Name)
	res := &InstallResult{Template: tpl.Name, ToVersion: tpl.Version, DryRun: opts.DryRun}
	if cur != nil {
		res.FromVersion = cur.Version
		if template.CompareVersions(tpl.Version, cur.Version) < 0 {
			return nil, errorOf(ErrConflict, nil, "template.newerInstalled", tpl.Name, cur.Version, tpl.Version)
		}
	}
	plan, err := planObjects(tpl, defs, cur, snap, opts.OnConflict, res)
	if err != nil {
		return nil, err
	}
	if err := e.planTemplateDocs(ctx, ts, snap, tpl, defs, cur, opts.OnConflict, plan, res); err != nil {
		return nil, err
	}
	noteDropped(defs, cur, res)
	if len(res.Conflicts) > 0 && opts.OnConflict == template.ConflictFail {
		return res, errorOf(ErrConflict, nil, "template.upgradeConflicts", tpl.Name, res.FromVersion, tpl.Version, len(res.Conflicts))
	}
	if opts.DryRun {
		if opts.Sample != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("sample data: about %d records would be written", opts.Sample.Total))
		}
		return res, nil
	}
	if res.Changed() || res.FromVersion != tpl.Version {
		if err := e.applyInstall(ctx, ts, a, tpl, defs, plan, res, opts.Progress); err != nil {
			return res, err
		}
	}
	if opts.Sample != nil {
		n, note, err := e.installSample(ctx, ts, a, tpl.Name, opts.Sample, opts.Progress)
		res.SampleRecords = n
		if note != "" {
			res.Notes = append(res.Notes, note)
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// installPlan is what an install will write.
type installPlan struct {
	objects  [][]byte       // merged definition per template object, nil when unchanged
	before   map[string]any // object → the tenant's definition before (string), or nil when it had none
	docs     map[*docKind][]templateDoc
	docPlans map[*docKind]*docPlan
}

// planObjects merges every object of the template into the tenant's
// definitions, adding plans, conflicts and notes to res.
func planObjects(tpl *template.Template, defs []templateObject, cur *TemplateInstall, snap *snapshot, policy template.ConflictPolicy, res *InstallResult) (*installPlan, error) {
	base := map[string]string{}
	if cur != nil {
		base = cur.definitions
	}
	plan := &installPlan{objects: make([][]byte, len(defs)), before: map[string]any{}}
	for i, def := range defs {
		name := def.name
		var baseDef, ours []byte
		if b, ok := base[name]; ok {
			baseDef = []byte(b)
		}
		now := snap.catalog.Object(name)
		if now != nil {
			ours = now.Definition
		}
		m, err := template.Merge(name, baseDef, ours, tpl.Objects[i], policy)
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
		switch m.Action {
		case "create":
			plan.before[name] = nil
		case "update":
			plan.before[name] = string(now.Definition)
		}
	}
	return plan, nil
}

// noteDropped notes the objects the installed version shipped that the
// template no longer has: they are kept.
func noteDropped(defs []templateObject, cur *TemplateInstall, res *InstallResult) {
	if cur == nil {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(cur.definitions)) {
		if !slices.ContainsFunc(defs, func(d templateObject) bool { return d.name == name }) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the object is no longer in the template; it is kept with its records", name))
		}
	}
}

// planTemplateDocs checks the template's roles, layouts and views and
// merges them into the tenant's, adding to plan and res.
func (e *Engine) planTemplateDocs(ctx context.Context, ts store.TenantStore, snap *snapshot, tpl *template.Template, defs []templateObject, cur *TemplateInstall, policy template.ConflictPolicy, plan *installPlan, res *InstallResult) error {
	objectOf := func(name string) *schema.Object {
		for _, d := range defs {
			if d.name == name {
				return d.obj
			}
		}
		return snap.catalog.Object(name)
	}
	docs, err := checkTemplateDocs(tpl, objectOf)
	if err != nil {
		return err
	}
	plan.docs, plan.docPlans = docs, map[*docKind]*docPlan{}
	for _, k := range docKinds {
		var docBase map[string]string
		if cur != nil && cur.docs[k] != nil {
			docBase = cur.docs[k].shipped
		}
		current, err := k.current(ctx, e, ts, snap)
		if err != nil {
			return err
		}
		if plan.docPlans[k], err = planDocs(k, docs[k], docBase, current, objectOf, policy, res); err != nil {
			return err
		}
	}
	return nil
}

// applyInstall writes a planned install: the objects, then the documents,
// then the install record. What was written is undone when a later step
// fails.
func (e *Engine) applyInstall(ctx context.Context, ts store.TenantStore, a Actor, tpl *template.Template, defs []templateObject, plan *installPlan, res *InstallResult, progress func(Progress)) error {
	if err := e.applyPlan(ctx, ts, a, tpl, plan.objects, plan.before, progress); err != nil {
		return err
	}
	if err := e.applyDocs(ctx, ts, a, plan.docPlans); err != nil {
		var saved []string
		for i, p := range plan.objects {
			if p != nil {
				saved = append(saved, defs[i].name)
			}
		}
		return errors.Join(fmt.Errorf("install template %q: %w", tpl.Name, err), e.undoPlan(ctx, ts, a, saved, plan.before))
	}
	if err := e.recordInstall(ctx, ts, a, tpl, defs, plan.docs, plan.docPlans, res, plan.before); err != nil {
		return err
	}
	res.Applied = true
	e.log.InfoContext(ctx, "template installed", "tenant", a.TenantID, "template", tpl.Name, "from", res.FromVersion, "to", tpl.Version, "by", a.ID)
	return nil
}

type templateObject struct {
	name string
	obj  *schema.Object
}

// checkTemplate parses the template's definitions and refuses what the
// engine cannot install.
func checkTemplate(tpl *template.Template) ([]templateObject, error) {
	if tpl == nil || !template.ValidName(tpl.Name) {
		return nil, errorOf(ErrBadRequest, nil, "template.badName")
	}
	if !template.ValidVersion(tpl.Version) {
		return nil, errorOf(ErrBadRequest, nil, "template.badVersionOf", tpl.Name, tpl.Version)
	}
	for _, kind := range slices.Sorted(maps.Keys(tpl.Other)) {
		if !slices.Contains(tpl.Optional, kind) {
			return nil, errorOf(ErrBadRequest, nil, "template.unsupportedContent", tpl.Name, kind)
		}
	}
	if len(tpl.Objects) == 0 {
		return nil, errorOf(ErrBadRequest, nil, "template.noObjects", tpl.Name)
	}
	out := make([]templateObject, 0, len(tpl.Objects))
	seen := map[string]bool{}
	for _, def := range tpl.Objects {
		obj, err := schema.ParseObject(def)
		if err != nil {
			return nil, fmt.Errorf("template %q: %w", tpl.Name, err)
		}
		if isPlatformName(obj.Name) || seen[obj.Name] {
			return nil, errorOf(ErrBadRequest, nil, "template.reservedObject", tpl.Name, obj.Name)
		}
		seen[obj.Name] = true
		out = append(out, templateObject{name: obj.Name, obj: obj})
	}
	return out, nil
}

func checkDependencies(tpl *template.Template, installs []TemplateInstall) error {
	for _, d := range tpl.Depends {
		cur := activeInstall(installs, d.Name)
		if cur == nil || !template.Satisfies(cur.Version, d.Version) {
			have := "not installed"
			if cur != nil {
				have = "at " + cur.Version
			}
			return errorOf(ErrConflict, nil, "template.needsDependency", tpl.Name, d.Name, d.Version, have)
		}
	}
	return nil
}

// applyPlan saves the planned definitions in order; if one fails, the
// ones saved before are put back as they were.
func (e *Engine) applyPlan(ctx context.Context, ts store.TenantStore, a Actor, tpl *template.Template, planned [][]byte, before map[string]any, progress func(Progress)) error {
	var done []string
	total := 0
	for _, p := range planned {
		if p != nil {
			total++
		}
	}
	for _, def := range planned {
		if def == nil {
			continue
		}
		name, err := saveDefinition(ctx, e, ts, a, def, SaveOptions{})
		if err != nil {
			if uerr := e.undoPlan(ctx, ts, a, done, before); uerr != nil {
				return errors.Join(fmt.Errorf("install template %q: %w", tpl.Name, err), fmt.Errorf("undo the objects saved before: %w", uerr))
			}
			return err
		}
		done = append(done, name)
		if progress != nil {
			progress(Progress{Phase: "objects", Object: name, Done: len(done), Total: total})
		}
	}
	return nil
}

func (e *Engine) undoPlan(ctx context.Context, ts store.TenantStore, a Actor, done []string, before map[string]any) error {
	var errs []error
	for _, name := range slices.Backward(done) {
		prev, _ := before[name].(string)
		if prev == "" {
			errs = append(errs, e.dropObject(ctx, ts, a, name))
			continue
		}
		_, err := saveDefinition(ctx, e, ts, a, []byte(prev), SaveOptions{})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// saveDefinition saves a definition through SaveObject, or, for an object
// that was deleted (by a rollback), as the next version after the deleted
// one, which SaveObject does not know how to number.
func saveDefinition(ctx context.Context, e *Engine, ts store.TenantStore, a Actor, def []byte, opts SaveOptions) (string, error) {
	obj, err := schema.ParseObject(def)
	if err != nil {
		return "", err
	}
	hist, err := ts.ObjectHistory(ctx, obj.Name)
	if err != nil {
		return "", fmt.Errorf("read history of object %q: %w", obj.Name, err)
	}
	if n := len(hist); n == 0 || !hist[n-1].Deleted {
		info, err := e.SaveObject(ctx, def, opts)
		if err != nil {
			return "", err
		}
		return info.Object.Name, nil
	}
	if _, err := schema.NewValidator(obj); err != nil {
		return "", &schema.DefinitionError{Object: obj.Name, Problems: []schema.Problem{{Path: "", Message: err.Error()}}}
	}
	doc := store.ObjectDoc{Name: obj.Name, Version: hist[len(hist)-1].Version + 1, Definition: obj.Definition, SavedAt: e.stamp(), SavedBy: a.ID}
	if err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.SaveObject(ctx, doc, obj) }); err != nil {
		return "", fmt.Errorf("save object %q: %w", obj.Name, err)
	}
	return obj.Name, nil
}

// dropObject deletes an object with its records and their stage history.
func (e *Engine) dropObject(ctx context.Context, ts store.TenantStore, a Actor, name string) error {
	snap, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return err
	}
	cur := snap.catalog.Object(name)
	if cur == nil {
		return nil
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if hist := snap.platform[stageChangeObject]; hist != nil {
			f := store.Leaf("object", store.OpEq, name)
			for {
				page, err := tx.Find(ctx, hist, store.Query{Filter: &f, Limit: 500})
				if err != nil {
					return err
				}
				for _, r := range page.Records {
					if err := tx.Delete(ctx, hist, r.ID); err != nil {
						return err
					}
				}
				if !page.HasMore {
					break
				}
			}
		}
		return tx.DeleteObject(ctx, store.ObjectDoc{Name: name, Version: cur.Version + 1, SavedAt: e.stamp(), SavedBy: a.ID, Deleted: true})
	})
	if err != nil {
		return fmt.Errorf("delete object %q: %w", name, err)
	}
	return nil
}

// recordInstall writes the install record: what the version shipped (the
// next merge base), what the tenant had before (for rollback) and the
// versions after.
func (e *Engine) recordInstall(ctx context.Context, ts store.TenantStore, a Actor, tpl *template.Template, defs []templateObject, docs map[*docKind][]templateDoc, docPlans map[*docKind]*docPlan, res *InstallResult, before map[string]any) error {
	snap, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return err
	}
	obj, err := e.platformObject(ctx, ts, snap, templateInstallObject)
	if err != nil {
		return err
	}
	shipped := map[string]any{}
	objects := make([]any, len(defs))
	after := map[string]any{}
	for i, d := range defs {
		shipped[d.name] = string(tpl.Objects[i])
		objects[i] = d.name
	}
	for name := range before {
		if o := snap.catalog.Object(name); o != nil {
			after[name] = float64(o.Version)
		}
	}
	action := "install"
	if res.FromVersion != "" {
		action = "upgrade"
	}
	data := map[string]any{
		"template": tpl.Name, "release": tpl.Version, "action": action, "status": "active",
		"objects": objects, "definitions": shipped, "before": before, "after": after,
		"at": e.stamp().Format(schema.DateTimeLayout), "by": a.ID,
	}
	if res.FromVersion != "" {
		data["fromVersion"] = res.FromVersion
	}
	if len(tpl.Menu) > 0 {
		data["menu"] = menuData(tpl.Menu)
	}
	writeInstallDocs(data, docs, docPlans)
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID, Data: data}
	if err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, obj, rec) }); err != nil {
		return fmt.Errorf("record install of template %q: %w", tpl.Name, err)
	}
	return nil
}

// InstalledTemplates returns the tenant's active installs, one per
// template (the latest), by template name.
func (e *Engine) InstalledTemplates(ctx context.Context) ([]TemplateInstall, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	ts, snap := sc.ts, sc.snap
	all, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	var out []TemplateInstall
	seen := map[string]bool{}
	for _, in := range all {
		if seen[in.Template] {
			continue
		}
		if cur := activeInstall(all, in.Template); cur != nil {
			out = append(out, *cur)
		}
		seen[in.Template] = true
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Template < out[j].Template })
	return out, nil
}

// templateInstalls reads the install records, newest first; only of one
// template when name is set. A tenant without any has none (the platform
// object is not created just to read).
func (e *Engine) templateInstalls(ctx context.Context, r store.Reader, snap *snapshot, name string) ([]TemplateInstall, error) {
	obj := snap.platform[templateInstallObject]
	if obj == nil {
		return nil, nil
	}
	var filter *store.Filter
	if name != "" {
		f := store.Leaf("template", store.OpEq, name)
		filter = &f
	}
	var out []TemplateInstall
	var after *store.Position
	for {
		page, err := r.Find(ctx, obj, store.Query{Filter: filter, Limit: 500, After: after})
		if err != nil {
			return nil, fmt.Errorf("read template installs: %w", err)
		}
		for _, rec := range page.Records {
			out = append(out, installOf(rec))
		}
		if !page.HasMore || len(page.Records) == 0 {
			break
		}
		after = &store.Position{ID: page.Records[len(page.Records)-1].ID}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

func installOf(r store.Record) TemplateInstall {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	in := TemplateInstall{ID: r.ID, Template: s("template"), Version: s("release"), FromVersion: s("fromVersion"),
		Action: s("action"), Status: s("status"), By: s("by"), version: r.Version,
		definitions: map[string]string{}, before: map[string]any{}, after: map[string]int64{}}
	in.At, _ = time.Parse(schema.DateTimeLayout, s("at"))
	in.docs = readInstallDocs(r.Data)
	in.Roles = slices.Sorted(maps.Keys(in.docs[roleKind].shipped))
	in.Layouts = slices.Sorted(maps.Keys(in.docs[layoutKind].shipped))
	in.Views = slices.Sorted(maps.Keys(in.docs[viewKind].shipped))
	if objs, ok := r.Data["objects"].([]any); ok {
		for _, o := range objs {
			if n, ok := o.(string); ok {
				in.Objects = append(in.Objects, n)
			}
		}
	}
	in.Menu = menuOf(r.Data["menu"])
	if defs, ok := r.Data["definitions"].(map[string]any); ok {
		for k, v := range defs {
			if d, ok := v.(string); ok {
				in.definitions[k] = d
			}
		}
	}
	if b, ok := r.Data["before"].(map[string]any); ok {
		maps.Copy(in.before, b)
	}
	if av, ok := r.Data["after"].(map[string]any); ok {
		for k, v := range av {
			if f, ok := v.(float64); ok {
				in.after[k] = int64(f)
			}
		}
	}
	return in
}

// activeInstall returns the newest install of name not rolled back.
func activeInstall(installs []TemplateInstall, name string) *TemplateInstall {
	for i := range installs {
		if installs[i].Template == name && installs[i].Status == "active" {
			return &installs[i]
		}
	}
	return nil
}

// RollbackOptions tune [Engine.RollbackTemplate].
type RollbackOptions struct {
	// DryRun returns the plan and changes nothing.
	DryRun bool
	// Force rolls back objects the tenant changed after the install (their
	// later changes are lost) and deletes created objects that hold records
	// other than the template's sample data.
	Force bool
	// Progress, if set, is called as objects are restored.
	Progress func(Progress)
}

// RollbackTemplate restores the configuration from before the template's
// last install or upgrade: objects it created are deleted (with their
// records), objects it changed get their earlier definitions back (values
// in fields that did not exist then are cleared). The install record is
// marked rolled back, so the install before it is again the merge base of
// the next upgrade. Objects changed after the install, and created objects
// holding the tenant's own records, make it refuse with a CONFLICT error
// unless opts.Force. Returns a NOT_FOUND error when the template is not
// installed.
func (e *Engine) RollbackTemplate(ctx context.Context, name string, opts RollbackOptions) (*InstallResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "template.adminOnlyRollback")
	}
	installs, err := e.templateInstalls(ctx, ts, snap, name)
	if err != nil {
		return nil, err
	}
	cur := activeInstall(installs, name)
	if cur == nil {
		return nil, errorOf(ErrNotFound, nil, "template.notInstalled", name)
	}
	res := &InstallResult{Template: name, FromVersion: cur.Version, DryRun: opts.DryRun}
	if prev := activeInstall(installs[slices.IndexFunc(installs, func(i TemplateInstall) bool { return i.ID == cur.ID })+1:], name); prev != nil {
		res.ToVersion = prev.Version
	}
	steps, problems, err := planRollbackObjects(ctx, ts, snap, cur, res)
	if err != nil {
		return nil, err
	}
	docSteps, docProblems, err := planDocRollback(ctx, e, ts, snap, cur, res)
	if err != nil {
		return nil, err
	}
	problems = append(problems, docProblems...)
	if len(problems) > 0 && !opts.Force {
		return res, errorOf(ErrConflict, nil, "template.rollbackLosesWork", name, strings.Join(problems, "; "), strings.Join(problems, "；"))
	}
	if opts.DryRun {
		return res, nil
	}
	if err := e.applyRollback(ctx, ts, a, cur, steps, docSteps, opts.Progress); err != nil {
		return res, err
	}
	res.Applied = true
	e.log.InfoContext(ctx, "template rolled back", "tenant", a.TenantID, "template", name, "from", cur.Version, "by", a.ID)
	return res, nil
}

// rollbackStep puts one object back: its earlier definition, or deleted.
type rollbackStep struct {
	name string
	def  string // "" deletes
	opts SaveOptions
}

// planRollbackObjects plans putting back the objects the install cur
// created or changed, adding the plan to res. It returns the steps and the
// problems that need force: objects changed since, created objects that
// hold records other than sample data.
func planRollbackObjects(ctx context.Context, ts store.TenantStore, snap *snapshot, cur *TemplateInstall, res *InstallResult) ([]rollbackStep, []string, error) {
	var problems []string
	var steps []rollbackStep
	for _, obj := range slices.Sorted(maps.Keys(cur.before)) {
		now := snap.catalog.Object(obj)
		if now != nil && now.Version != cur.after[obj] {
			problems = append(problems, fmt.Sprintf("%s was changed after the install (version %d, the install left %d)", obj, now.Version, cur.after[obj]))
		}
		prev, _ := cur.before[obj].(string)
		if prev == "" {
			if now == nil {
				continue
			}
			own, err := ts.Count(ctx, now, &store.Filter{Field: "createdBy", Op: store.OpNe, Value: SampleActor(cur.Template)})
			if err != nil {
				return nil, nil, fmt.Errorf("count records of %q: %w", obj, err)
			}
			if own > 0 {
				problems = append(problems, fmt.Sprintf("%s, which the install created, holds %d record(s) that are not sample data", obj, own))
			}
			changes, err := template.Diff(now.Definition, nil)
			if err != nil {
				return nil, nil, fmt.Errorf("decode definition of %q: %w", obj, err)
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: obj, Action: "delete", Changes: changes})
			steps = append(steps, rollbackStep{name: obj})
			continue
		}
		old, err := schema.ParseObject([]byte(prev))
		if err != nil {
			return nil, nil, fmt.Errorf("parse recorded definition of %q: %w", obj, err)
		}
		var nowDef []byte
		if now != nil {
			nowDef = now.Definition
		}
		changes, err := template.Diff(nowDef, []byte(prev))
		if err != nil {
			return nil, nil, fmt.Errorf("decode definition of %q: %w", obj, err)
		}
		res.Objects = append(res.Objects, ObjectPlan{Object: obj, Action: "restore", Changes: changes})
		steps = append(steps, rollbackStep{name: obj, def: prev, opts: rollbackMigration(now, old)})
	}
	return steps, problems, nil
}

// applyRollback puts back the documents, then the objects, and marks the
// install cur rolled back.
func (e *Engine) applyRollback(ctx context.Context, ts store.TenantStore, a Actor, cur *TemplateInstall, steps []rollbackStep, docSteps map[*docKind][]string, progress func(Progress)) error {
	name := cur.Template
	// Roles, layouts and views go back first: they name objects that may
	// go.
	for _, k := range docKinds {
		if err := e.restoreDocs(ctx, ts, a, k, docSteps[k], cur.docs[k].before); err != nil {
			return fmt.Errorf("roll back %ss of template %q: %w", k.name, name, err)
		}
	}
	// Referring objects are restored before the objects they point at are
	// deleted: deletes go last.
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].def != "" && steps[j].def == "" })
	for i, s := range steps {
		var err error
		if s.def == "" {
			err = e.dropObject(ctx, ts, a, s.name)
		} else {
			_, err = saveDefinition(ctx, e, ts, a, []byte(s.def), s.opts)
		}
		if err != nil {
			return fmt.Errorf("roll back template %q: %w", name, err)
		}
		if progress != nil {
			progress(Progress{Phase: "objects", Object: s.name, Done: i + 1, Total: len(steps)})
		}
	}
	snap, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return err
	}
	obj := snap.platform[templateInstallObject]
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		rec, err := tx.Get(ctx, obj, cur.ID)
		if err != nil {
			return err
		}
		next := rec
		next.Data = maps.Clone(rec.Data)
		next.Data["status"] = "rolledBack"
		next.Version, next.UpdatedAt, next.UpdatedBy = rec.Version+1, e.stamp(), a.ID
		return tx.Update(ctx, obj, next, rec.Version)
	})
	if err != nil {
		return fmt.Errorf("mark install of template %q rolled back: %w", name, err)
	}
	return nil
}

// rollbackMigration clears the data the older definition cannot hold:
// fields it lacks or had with another type or target, picklist values it
// lacks. Values outside narrower lengths or ranges are not cleared: the
// rollback is refused, naming them.
func rollbackMigration(now, old *schema.Object) SaveOptions {
	var opts SaveOptions
	if now == nil {
		return opts
	}
	for _, c := range schema.Diff(now, old) {
		switch c.Kind {
		case schema.ChangeFieldRemoved, schema.ChangeTypeChanged, schema.ChangeTargetChanged:
			if !slices.Contains(opts.Clear, c.Field) {
				opts.Clear = append(opts.Clear, c.Field)
			}
		case schema.ChangeOptionsRemoved:
			if opts.Remap == nil {
				opts.Remap = map[string]map[string]string{}
			}
			m := map[string]string{}
			for _, v := range c.Removed {
				m[v] = ""
			}
			opts.Remap[c.Field] = m
		}
	}
	// Clearing a field removed from the definition is all a removed field
	// needs; remaps only apply to fields still there.
	for _, f := range opts.Clear {
		delete(opts.Remap, f)
	}
	return opts
}

// ExportTemplate returns the tenant's objects, roles, layouts, shared
// views and navigation groups (those of its installed templates) as a
// template with
// the given name and version, objects ordered so that lookup targets come
// first:
// written out as a template folder, it installs again.
func (e *Engine) ExportTemplate(ctx context.Context, name, version string) (*template.Template, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "template.adminOnlyExport")
	}
	if !template.ValidName(name) {
		return nil, errorOf(ErrBadRequest, nil, "template.badName")
	}
	if !template.ValidVersion(version) {
		return nil, errorOf(ErrBadRequest, nil, "template.badVersion", version)
	}
	cat, err := e.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	tpl := &template.Template{Name: name, Version: version}
	for _, obj := range template.DependencyOrder(cat.Objects) {
		tpl.Objects = append(tpl.Objects, obj.Definition)
	}
	installs, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	for _, g := range mergedMenu(installs, func(name string) bool { return cat.Object(name) != nil }) {
		tpl.Menu = append(tpl.Menu, template.MenuGroup(g))
	}
	for _, k := range docKinds {
		current, err := k.current(ctx, e, ts, snap)
		if err != nil {
			return nil, err
		}
		for _, key := range slices.Sorted(maps.Keys(current)) {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(current[key]), "", "  "); err != nil {
				return nil, fmt.Errorf("export %s %q: %w", k.name, key, err)
			}
			doc := json.RawMessage(pretty.Bytes())
			switch k {
			case roleKind:
				tpl.Roles = append(tpl.Roles, doc)
			case layoutKind:
				tpl.Layouts = append(tpl.Layouts, doc)
			case viewKind:
				tpl.Views = append(tpl.Views, doc)
			}
		}
	}
	return tpl, nil
}
