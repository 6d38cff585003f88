package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/crmkit/crm/engine/apiname"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Template installs: package [github.com/crmkit/crm/engine/template]
// checks a template and plans an install or a rollback; the engine reads
// what planning needs ([planTenant]), applies the plan through its own
// object, document and record writes, and keeps the install records.

// templateInstallObject records template installs per tenant: the merge
// base of the next upgrade and what a rollback restores.
const templateInstallObject = "crmTemplateInstall"

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
func (e *Engine) InstallTemplate(ctx context.Context, tpl *template.Template, opts template.InstallOptions) (*template.InstallResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "template.adminOnlyInstall")
	}
	defs, err := template.Check(tpl, isPlatformName)
	if err != nil {
		return nil, refusal(err)
	}
	if err := checkTemplateNames(tpl.Name, defs, snap.catalog); err != nil {
		return nil, err
	}
	installs, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	plan, res, err := template.PlanInstall(ctx, tpl, defs, installs, planTenant{e, ts, snap}, templateDocKinds(), opts)
	if err != nil {
		return res, refusal(err)
	}
	if opts.Sample != nil {
		if err := sampleNeedsUsers(snap, tpl.Name, defs); err != nil {
			return res, err
		}
	}
	if opts.DryRun {
		return res, nil
	}
	if res.Changed() || res.FromVersion != tpl.Version {
		if err := e.applyInstall(ctx, ts, a, tpl, plan, res, opts.Progress); err != nil {
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

// sampleNeedsUsers refuses sample data whose user fields the tenant has
// no active user to give: sample data never invents people.
func sampleNeedsUsers(snap *snapshot, name string, defs []*schema.Object) error {
	for _, u := range snap.users {
		if u.Active {
			return nil
		}
	}
	var fields []string
	for _, d := range defs {
		for _, f := range d.Fields {
			if f.Type == schema.TypeUser {
				fields = append(fields, d.Name+"."+f.Name)
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return errorOf(ErrConflict, nil, "template.sampleNeedsUser", name, strings.Join(fields, ", "))
}

// checkTemplateNames refuses, before anything is written, a template
// with an object whose names in the generated API would be the
// platform's own, another object's of the template or one of the
// tenant's other objects' (see package apiname); a name an object
// already had in the tenant stays its own.
func checkTemplateNames(name string, defs []*schema.Object, cat *Catalog) error {
	others := slices.Clone(defs)
	for _, o := range cat.Objects {
		if !slices.ContainsFunc(defs, func(d *schema.Object) bool { return d.Name == o.Name }) {
			others = append(others, o)
		}
	}
	for _, d := range defs {
		if clashes := apiname.Clashes(d, cat.Object(d.Name), others); len(clashes) > 0 {
			return fmt.Errorf("template %q: %w", name, apiNamesTaken(d.Name, clashes))
		}
	}
	return nil
}

// refusal turns a refusal of package template into the engine's error of
// the same kind and text; other errors pass as they are.
func refusal(err error) error {
	te, ok := err.(*template.Error)
	if !ok {
		return err
	}
	kind := ErrBadRequest
	if te.Kind == template.ErrConflict {
		kind = ErrConflict
	}
	return errorOf(kind, nil, te.Key, te.Args...)
}

// planTenant is what planning a template install or rollback reads of a
// tenant: the call's metadata snapshot and its store.
type planTenant struct {
	e    *Engine
	ts   store.TenantStore
	snap *snapshot
}

var _ template.Tenant = planTenant{}

func (t planTenant) Object(name string) *schema.Object { return t.snap.catalog.Object(name) }

func (t planTenant) Docs(ctx context.Context, kind string) (map[string]string, error) {
	return docKindNamed(kind).current(ctx, t.e, t.ts, t.snap)
}

func (t planTenant) Others(ctx context.Context, obj *schema.Object, name string) (int64, error) {
	return t.ts.Count(ctx, obj, &store.Filter{Field: "createdBy", Op: store.OpNe, Value: template.SampleActor(name)})
}

func (t planTenant) Users() []template.User {
	out := make([]template.User, 0, len(t.snap.users))
	for _, name := range slices.Sorted(maps.Keys(t.snap.users)) {
		u := t.snap.users[name]
		out = append(out, template.User{Username: u.Username, DisplayName: u.DisplayName, Active: u.Active})
	}
	return out
}

// Values groups the records by the field in the store when it can
// aggregate, else reads them in pages; either way at most limit+1
// distinct values are kept.
func (t planTenant) Values(ctx context.Context, obj *schema.Object, field string, limit int) (map[string]int64, error) {
	out := map[string]int64{}
	has := store.Leaf(field, store.OpIsNull, false)
	if agg, ok := t.ts.(store.Aggregator); ok {
		groups, err := agg.Aggregate(ctx, obj, store.Aggregation{Filter: &has, GroupBy: []store.GroupBy{{Field: field}},
			Measures: []store.Measure{{Op: store.MeasureCount}}, Limit: limit + 1})
		if err == nil {
			for _, g := range groups {
				if v, ok := g.Keys[0].(string); ok && v != "" {
					n, _ := g.Values[0].(int64)
					out[v] += n
				}
			}
			return out, nil
		}
		// A store that cannot group this field (sensitive values) is read
		// in pages below.
	}
	var after *store.Position
	for {
		page, err := t.ts.Find(ctx, obj, store.Query{Filter: &has, Limit: 500, After: after})
		if err != nil {
			return nil, fmt.Errorf("read %s records: %w", obj.Name, err)
		}
		for _, r := range page.Records {
			if v, ok := r.Data[field].(string); ok && v != "" {
				if _, seen := out[v]; !seen && len(out) > limit {
					return out, nil
				}
				out[v]++
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			return out, nil
		}
		after = &store.Position{ID: page.Records[len(page.Records)-1].ID}
	}
}

func (t planTenant) InUse(kind, key string) string {
	if k := docKindNamed(kind); k.inUse != nil {
		return k.inUse(t.snap, key)
	}
	return ""
}

// applyInstall writes a planned install (see [template.Plan.Apply]),
// then the install record.
func (e *Engine) applyInstall(ctx context.Context, ts store.TenantStore, a Actor, tpl *template.Template, plan *template.Plan, res *template.InstallResult, progress func(template.Progress)) error {
	if err := plan.Apply(ctx, templateWriter{e, ts, a}, progress); err != nil {
		return err
	}
	if err := e.recordInstall(ctx, ts, a, tpl, plan, res); err != nil {
		return err
	}
	res.Applied = true
	e.log.InfoContext(ctx, "template installed", "tenant", a.TenantID, "template", tpl.Name, "from", res.FromVersion, "to", tpl.Version, "by", a.ID)
	return nil
}

// templateWriter writes what a template plan says into a tenant, as the
// actor a: objects through saveDefinition and dropObject, documents
// through their kind, each on the tenant's current snapshot.
type templateWriter struct {
	e  *Engine
	ts store.TenantStore
	a  Actor
}

var _ template.Writer = templateWriter{}

func (w templateWriter) SaveObject(ctx context.Context, def []byte, clearFields []string, remap map[string]map[string]string) (string, error) {
	return saveDefinition(ctx, w.e, w.ts, w.a, def, SaveOptions{Clear: clearFields, Remap: remap})
}

func (w templateWriter) DropObject(ctx context.Context, name string) error {
	return w.e.dropObject(ctx, w.ts, w.a, name)
}

func (w templateWriter) PutDoc(ctx context.Context, kind, canon string) error {
	snap, err := w.e.state(ctx, w.a.TenantID, w.ts)
	if err != nil {
		return err
	}
	return docKindNamed(kind).store(ctx, w.e, w.ts, snap, w.a, canon)
}

func (w templateWriter) DropDoc(ctx context.Context, kind, key string) error {
	snap, err := w.e.state(ctx, w.a.TenantID, w.ts)
	if err != nil {
		return err
	}
	return docKindNamed(kind).drop(ctx, w.e, w.ts, snap, w.a, key)
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

// dropObject deletes an object with its records, their stage history
// and pending timers, audited (see removeObject); its layout and views
// are the rollback's documents, which it restores on its own.
func (e *Engine) dropObject(ctx context.Context, ts store.TenantStore, a Actor, name string) error {
	snap, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return err
	}
	cur := snap.catalog.Object(name)
	if cur == nil {
		return nil
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, cur, nil)
		if err != nil {
			return err
		}
		return e.removeObject(ctx, tx, w, cur, n)
	})
	if err != nil {
		return fmt.Errorf("delete object %q: %w", name, err)
	}
	return nil
}

// recordInstall writes the install record of an applied plan.
func (e *Engine) recordInstall(ctx context.Context, ts store.TenantStore, a Actor, tpl *template.Template, plan *template.Plan, res *template.InstallResult) error {
	snap, err := e.state(ctx, a.TenantID, ts)
	if err != nil {
		return err
	}
	obj, err := e.platformObject(ctx, ts, snap, templateInstallObject)
	if err != nil {
		return err
	}
	versionOf := func(name string) (int64, bool) {
		if o := snap.catalog.Object(name); o != nil {
			return o.Version, true
		}
		return 0, false
	}
	data := plan.Record(res, versionOf, e.stamp().Format(schema.DateTimeLayout), a.ID)
	now := e.stamp()
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID, Data: data}
	if err := ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, obj, rec) }); err != nil {
		return fmt.Errorf("record install of template %q: %w", tpl.Name, err)
	}
	return nil
}

// InstalledTemplates returns the tenant's active installs, one per
// template (the latest), by template name.
func (e *Engine) InstalledTemplates(ctx context.Context) ([]template.Install, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	ts, snap := sc.ts, sc.snap
	all, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	return template.Latest(all), nil
}

// templateInstalls reads the install records, newest first; only of one
// template when name is set. A tenant without any has none (the platform
// object is not created just to read).
func (e *Engine) templateInstalls(ctx context.Context, r store.Reader, snap *snapshot, name string) ([]template.Install, error) {
	obj := snap.platform[templateInstallObject]
	if obj == nil {
		return nil, nil
	}
	var filter *store.Filter
	if name != "" {
		f := store.Leaf("template", store.OpEq, name)
		filter = &f
	}
	var out []template.Install
	var after *store.Position
	for {
		page, err := r.Find(ctx, obj, store.Query{Filter: filter, Limit: 500, After: after})
		if err != nil {
			return nil, fmt.Errorf("read template installs: %w", err)
		}
		for _, rec := range page.Records {
			out = append(out, template.ReadInstall(rec.ID, rec.Data))
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

// RollbackTemplate restores the configuration from before the template's
// last install or upgrade: objects it created are deleted (with their
// records), objects it changed get their earlier definitions back (values
// in fields that did not exist then are cleared). The install record is
// marked rolled back, so the install before it is again the merge base of
// the next upgrade. Objects changed after the install, and created objects
// holding the tenant's own records, make it refuse with a CONFLICT error
// unless opts.Force. Returns a NOT_FOUND error when the template is not
// installed.
func (e *Engine) RollbackTemplate(ctx context.Context, name string, opts template.RollbackOptions) (*template.InstallResult, error) {
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
	cur := template.Active(installs, name)
	if cur == nil {
		return nil, errorOf(ErrNotFound, nil, "template.notInstalled", name)
	}
	res := &template.InstallResult{Template: name, FromVersion: cur.Version, DryRun: opts.DryRun}
	if prev := template.Active(installs[slices.IndexFunc(installs, func(i template.Install) bool { return i.ID == cur.ID })+1:], name); prev != nil {
		res.ToVersion = prev.Version
	}
	rb, err := template.PlanRollback(ctx, cur, planTenant{e, ts, snap}, res)
	if err != nil {
		return nil, err
	}
	if problems := rb.Problems; len(problems) > 0 && !opts.Force {
		return res, errorOf(ErrConflict, nil, "template.rollbackLosesWork", name, strings.Join(problems, "; "), strings.Join(problems, "；"))
	}
	if opts.DryRun {
		return res, nil
	}
	if err := e.applyRollback(ctx, ts, a, cur, rb, opts.Progress); err != nil {
		return res, err
	}
	res.Applied = true
	e.log.InfoContext(ctx, "template rolled back", "tenant", a.TenantID, "template", name, "from", cur.Version, "by", a.ID)
	return res, nil
}

// applyRollback puts back the documents and the objects (see
// [template.Rollback.Apply]) and marks the install cur rolled back.
func (e *Engine) applyRollback(ctx context.Context, ts store.TenantStore, a Actor, cur *template.Install, rb *template.Rollback, progress func(template.Progress)) error {
	name := cur.Template
	if err := rb.Apply(ctx, templateWriter{e, ts, a}, progress); err != nil {
		return err
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
	tpl.Menu = template.Menu(installs, func(name string) bool { return cat.Object(name) != nil })
	for _, k := range docKinds {
		current, err := k.current(ctx, e, ts, snap)
		if err != nil {
			return nil, err
		}
		if err := tpl.AddDocs(k.Name, current); err != nil {
			return nil, err
		}
	}
	return tpl, nil
}
