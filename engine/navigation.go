package engine

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
)

// The navigation of the web app: templates group their objects into
// labelled groups (manifest "menu"), recorded with each install; every
// caller gets the groups of the tenant's templates, in install order,
// with the objects it may read, and a last group with the readable
// objects no group names.

// NavGroup is one group of the navigation.
type NavGroup struct {
	Label   schema.Label
	Objects []string
}

// OtherGroup is the label of the last group of [Engine.Navigation]: the
// objects no template's menu names.
var OtherGroup = schema.Label{Zh: "其他", En: "Other"}

// Navigation returns the menu of the caller's tenant: the groups of its
// active template installs, oldest install first, each with the objects
// the caller may read (an object named by two templates stays in the
// first), then a group [OtherGroup] with the readable objects no group
// names, by name. Empty groups are left out. For every caller.
func (e *Engine) Navigation(ctx context.Context) ([]NavGroup, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	installs, err := e.templateInstalls(ctx, ts, snap, "")
	if err != nil {
		return nil, err
	}
	view := snap.view(a)
	groups := mergedMenu(installs, func(name string) bool { return view.Object(name) != nil })
	named := map[string]bool{}
	for _, g := range groups {
		for _, o := range g.Objects {
			named[o] = true
		}
	}
	other := NavGroup{Label: OtherGroup}
	for _, o := range view.Objects {
		if !named[o.Name] {
			other.Objects = append(other.Objects, o.Name)
		}
	}
	sort.Strings(other.Objects)
	if len(other.Objects) > 0 {
		groups = append(groups, other)
	}
	return groups, nil
}

// mergedMenu joins the menus of the active installs, oldest template
// first, keeping the objects shown says exist for the caller, each in its
// first group only, and dropping groups left empty.
func mergedMenu(installs []template.Install, shown func(object string) bool) []NavGroup {
	first := map[string]time.Time{} // template → its first install
	for _, in := range installs {
		if at, ok := first[in.Template]; !ok || in.At.Before(at) {
			first[in.Template] = in.At
		}
	}
	var active []*template.Install
	for _, name := range slices.Sorted(maps.Keys(first)) {
		if cur := template.Active(installs, name); cur != nil {
			active = append(active, cur)
		}
	}
	sort.SliceStable(active, func(i, j int) bool { return first[active[i].Template].Before(first[active[j].Template]) })
	var out []NavGroup
	placed := map[string]bool{}
	for _, in := range active {
		for _, g := range in.Menu {
			ng := NavGroup{Label: g.Label}
			for _, o := range g.Objects {
				if !placed[o] && shown(o) {
					placed[o] = true
					ng.Objects = append(ng.Objects, o)
				}
			}
			if len(ng.Objects) > 0 {
				out = append(out, ng)
			}
		}
	}
	return out
}
