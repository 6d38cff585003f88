package engine

import (
	"context"
	"sort"

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
	var groups []NavGroup
	for _, g := range template.Menu(installs, func(name string) bool { return view.Object(name) != nil }) {
		groups = append(groups, NavGroup(g))
	}
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
