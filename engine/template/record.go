package template

import (
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/crmkit/crm/schema"
)

// Install is one recorded install, upgrade or rollback of a template in a
// tenant. The engine keeps the records; [ReadInstall] decodes one and
// [Plan.Record] encodes one.
type Install struct {
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
	// Roles, layouts (by object), views (OBJECT.NAME), reports and
	// dashboards the template defines.
	Roles, Layouts, Views, Reports, Dashboards []string
	// Menu is the template's navigation groups.
	Menu []MenuGroup

	definitions map[string]string // object → definition as the version shipped it
	before      map[string]any    // object → the tenant's definition before (string), or nil when it had none
	after       map[string]int64  // object → version after the install
	docs        map[string]*installDocs
}

// installDocs is the documents part of an install record, for one kind.
type installDocs struct {
	shipped map[string]string // key → as the version shipped it
	before  map[string]any    // key → the tenant's document before (JSON), or nil when it had none
	after   map[string]string // key → as the install left it
}

// ReadInstall decodes the install record of that id from its data.
func ReadInstall(id string, data map[string]any) Install {
	s := func(k string) string { v, _ := data[k].(string); return v }
	in := Install{ID: id, Template: s("template"), Version: s("release"), FromVersion: s("fromVersion"),
		Action: s("action"), Status: s("status"), By: s("by"),
		definitions: map[string]string{}, before: map[string]any{}, after: map[string]int64{}}
	in.At, _ = time.Parse(schema.DateTimeLayout, s("at"))
	in.docs = readInstallDocs(data)
	in.Roles = slices.Sorted(maps.Keys(in.docs[RoleDocs].shipped))
	in.Layouts = slices.Sorted(maps.Keys(in.docs[LayoutDocs].shipped))
	in.Views = slices.Sorted(maps.Keys(in.docs[ViewDocs].shipped))
	in.Reports = slices.Sorted(maps.Keys(in.docs[ReportDocs].shipped))
	in.Dashboards = slices.Sorted(maps.Keys(in.docs[DashboardDocs].shipped))
	if objs, ok := data["objects"].([]any); ok {
		for _, o := range objs {
			if n, ok := o.(string); ok {
				in.Objects = append(in.Objects, n)
			}
		}
	}
	in.Menu = menuOf(data["menu"])
	if defs, ok := data["definitions"].(map[string]any); ok {
		for k, v := range defs {
			if d, ok := v.(string); ok {
				in.definitions[k] = d
			}
		}
	}
	if b, ok := data["before"].(map[string]any); ok {
		maps.Copy(in.before, b)
	}
	if av, ok := data["after"].(map[string]any); ok {
		for k, v := range av {
			if f, ok := v.(float64); ok {
				in.after[k] = int64(f)
			}
		}
	}
	return in
}

// Active returns the newest install of name not rolled back; installs are
// newest first.
func Active(installs []Install, name string) *Install {
	for i := range installs {
		if installs[i].Template == name && installs[i].Status == "active" {
			return &installs[i]
		}
	}
	return nil
}

// Latest returns the active install of each template among installs
// (newest first), by template name.
func Latest(installs []Install) []Install {
	var out []Install
	seen := map[string]bool{}
	for _, in := range installs {
		if seen[in.Template] {
			continue
		}
		if cur := Active(installs, in.Template); cur != nil {
			out = append(out, *cur)
		}
		seen[in.Template] = true
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Template < out[j].Template })
	return out
}

// Menu joins the menus of the active installs among installs, oldest
// template first, keeping the objects shown says exist for the caller,
// each in its first group only, and dropping groups left empty.
func Menu(installs []Install, shown func(object string) bool) []MenuGroup {
	first := map[string]time.Time{} // template → its first install
	for _, in := range installs {
		if at, ok := first[in.Template]; !ok || in.At.Before(at) {
			first[in.Template] = in.At
		}
	}
	var active []*Install
	for _, name := range slices.Sorted(maps.Keys(first)) {
		if cur := Active(installs, name); cur != nil {
			active = append(active, cur)
		}
	}
	sort.SliceStable(active, func(i, j int) bool { return first[active[i].Template].Before(first[active[j].Template]) })
	var out []MenuGroup
	placed := map[string]bool{}
	for _, in := range active {
		for _, g := range in.Menu {
			mg := MenuGroup{Label: g.Label}
			for _, o := range g.Objects {
				if !placed[o] && shown(o) {
					placed[o] = true
					mg.Objects = append(mg.Objects, o)
				}
			}
			if len(mg.Objects) > 0 {
				out = append(out, mg)
			}
		}
	}
	return out
}

// Record returns the data of the install record for the plan once
// applied: what the version shipped (the next merge base), what the
// tenant had before (for rollback) and the versions after, which
// versionOf reads from the tenant's objects. at is when, by who.
func (p *Plan) Record(res *InstallResult, versionOf func(object string) (int64, bool), at, by string) map[string]any {
	tpl := p.tpl
	shipped := map[string]any{}
	objects := make([]any, len(p.defs))
	after := map[string]any{}
	for i, d := range p.defs {
		shipped[d.Name] = string(tpl.Objects[i])
		objects[i] = d.Name
	}
	for name := range p.before {
		if v, ok := versionOf(name); ok {
			after[name] = float64(v)
		}
	}
	action := "install"
	if res.FromVersion != "" {
		action = "upgrade"
	}
	data := map[string]any{
		"template": tpl.Name, "release": tpl.Version, "action": action, "status": "active",
		"objects": objects, "definitions": shipped, "before": p.before, "after": after,
		"at": at, "by": by,
	}
	if res.FromVersion != "" {
		data["fromVersion"] = res.FromVersion
	}
	if len(tpl.Menu) > 0 {
		data["menu"] = menuData(tpl.Menu)
	}
	writeInstallDocs(data, p.docs, p.docPlans)
	return data
}

// docRecordKeys are the install record's keys for a kind.
func docRecordKeys(kind string) (shipped, before, after string) {
	return kind + "s", kind + "sBefore", kind + "sAfter"
}

// readInstallDocs reads the documents part of an install record.
func readInstallDocs(data map[string]any) map[string]*installDocs {
	out := map[string]*installDocs{}
	strs := func(v any) map[string]string {
		into := map[string]string{}
		m, _ := v.(map[string]any)
		for k, v := range m {
			if s, ok := v.(string); ok {
				into[k] = s
			}
		}
		return into
	}
	for _, k := range DocKinds {
		s, b, a := docRecordKeys(k)
		d := &installDocs{shipped: strs(data[s]), before: map[string]any{}, after: strs(data[a])}
		if m, ok := data[b].(map[string]any); ok {
			maps.Copy(d.before, m)
		}
		out[k] = d
	}
	return out
}

// writeInstallDocs adds the documents part to an install record's data.
func writeInstallDocs(data map[string]any, docs map[string][]doc, plans map[string]*docPlan) {
	for _, k := range DocKinds {
		s, b, a := docRecordKeys(k)
		shipped, after := map[string]any{}, map[string]any{}
		for _, d := range docs[k] {
			shipped[d.key] = d.canon
		}
		before := map[string]any{}
		if p := plans[k]; p != nil {
			for key, v := range p.after {
				after[key] = v
			}
			before = p.before
		}
		data[s], data[b], data[a] = shipped, before, after
	}
}

// menuData is how an install record stores a menu.
func menuData(menu []MenuGroup) []any {
	out := make([]any, len(menu))
	for i, g := range menu {
		objs := make([]any, len(g.Objects))
		for j, o := range g.Objects {
			objs[j] = o
		}
		out[i] = map[string]any{"label": map[string]any{"zh": g.Label.Zh, "en": g.Label.En}, "objects": objs}
	}
	return out
}

// menuOf reads a menu stored by menuData; nil for none.
func menuOf(v any) []MenuGroup {
	list, _ := v.([]any)
	var out []MenuGroup
	for _, item := range list {
		m, _ := item.(map[string]any)
		l, _ := m["label"].(map[string]any)
		g := MenuGroup{}
		g.Label.Zh, _ = l["zh"].(string)
		g.Label.En, _ = l["en"].(string)
		objs, _ := m["objects"].([]any)
		for _, o := range objs {
			if s, ok := o.(string); ok {
				g.Objects = append(g.Objects, s)
			}
		}
		out = append(out, g)
	}
	return out
}
