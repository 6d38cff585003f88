package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Saved list views: a named filter, order and set of columns on one
// object ("open deals closing this quarter"). Administrators save shared
// views, which everyone who may read the object gets; every user may save
// personal views. A list query names a view to start from: its filter is
// and-ed with the query's, and its order applies when the query gives
// none. Views are kept as platform records (crmView); they are not part of
// the generated API, so saving one does not rebuild anything.

const viewObject = "crmView"

// View is a saved list view.
type View struct {
	Object  string        `json:"object"`
	Name    string        `json:"name"`
	Label   schema.Label  `json:"label"`
	Filter  *store.Filter `json:"filter,omitempty"`
	Sort    []store.Sort  `json:"sort,omitempty"`
	Columns []string      `json:"columns,omitempty"`
	// Owner is "" for a shared view, else the principal whose personal
	// view it is (user:NAME).
	Owner string `json:"owner,omitempty"`
}

// maxViewColumns bounds a view's columns; maxViews the views one
// principal sees of an object (shared and its own).
const (
	maxViewColumns = 50
	maxViews       = 1000
)

var viewNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)

func viewID(object, name, owner string) string {
	if owner == "" {
		return object + "." + name
	}
	return object + "." + name + "@" + owner
}

// checkView checks a view's shape against its object: name, label,
// columns. Filter and order are checked by running them.
func checkView(v *View, obj *schema.Object) error {
	var problems []schema.Problem
	if !viewNamePattern.MatchString(v.Name) {
		problems = append(problems, schema.Problem{Path: "/name", Message: fmt.Sprintf("%q is not a view name: letters and digits, starting with a lower-case letter, at most 40", v.Name)})
	}
	if v.Label.Zh == "" && v.Label.En == "" {
		v.Label = schema.Label{Zh: v.Name, En: v.Name}
	}
	if len(v.Columns) > maxViewColumns {
		problems = append(problems, schema.Problem{Path: "/columns", Message: fmt.Sprintf("at most %d columns", maxViewColumns)})
	}
	seen := map[string]bool{}
	for i, c := range v.Columns {
		if obj.Field(c) == nil && !store.IsSystemField(c) {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/columns/%d", i), Message: fmt.Sprintf("%s has no field %q", obj.Name, c)})
		}
		if seen[c] {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/columns/%d", i), Message: fmt.Sprintf("%q is there twice", c)})
		}
		seen[c] = true
	}
	if len(problems) > 0 {
		return &schema.DefinitionError{Object: "view " + v.Object + "." + v.Name, Problems: problems}
	}
	return nil
}

// tryView runs the view's filter and order once, so that a view that
// would fail is refused when it is saved, with the store's own reason.
func tryView(ctx context.Context, r store.Reader, obj *schema.Object, v View) error {
	f, err := normalizeFilter(obj, v.Filter)
	if err != nil {
		return err
	}
	if _, err := r.Find(ctx, obj, store.Query{Filter: f, Sort: v.Sort, Limit: 1}); err != nil {
		return queryFailed(obj, err)
	}
	return nil
}

// SaveView saves a view: shared (administrators only) or the actor's
// personal one. A view of the same name and owner is replaced. Its
// columns must be fields of the object, and its filter and order must
// run; a role may not save a view on fields hidden or masked for it.
func (e *Engine) SaveView(ctx context.Context, v View, shared bool) (View, error) {
	sc, err := e.writeScope(ctx, v.Object)
	if err != nil {
		return View{}, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if err := snap.mayDo(a, obj, "read"); err != nil {
		return View{}, err
	}
	if v.Owner, err = definitionOwner(a, shared, "view.adminOnlySave"); err != nil {
		return View{}, err
	}
	if err := checkView(&v, obj); err != nil {
		return View{}, err
	}
	rules := snap.readRules(a, obj)
	if err := rules.check(v.Filter, v.Sort); err != nil {
		return View{}, err
	}
	for _, c := range v.Columns {
		if rules.Hides(c) {
			return View{}, errorOf(ErrForbidden, nil, "view.roleMayNotSee", c)
		}
	}
	if err := tryView(ctx, ts, obj, v); err != nil {
		return View{}, err
	}
	if err := e.storeView(ctx, ts, snap, a, v); err != nil {
		return View{}, err
	}
	return v, nil
}

// storeView writes a checked view, audited as a metadata change.
func (e *Engine) storeView(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, v View) error {
	extra := map[string]any{"object": v.Object, "name": v.Name}
	if v.Owner != "" {
		extra["owner"] = v.Owner
	}
	return e.putDefinition(ctx, ts, snap, a, viewDefinitions, viewID(v.Object, v.Name, v.Owner), v.Owner, jsonMap(v), extra)
}

// loadViews reads the views of object: the shared ones and, when owner is
// not "", that principal's personal ones.
func loadViews(ctx context.Context, r store.Reader, snap *snapshot, object, owner string) ([]View, error) {
	views := snap.platform[viewObject]
	if views == nil {
		return nil, nil
	}
	owners := []any{""}
	if owner != "" {
		owners = append(owners, owner)
	}
	f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, object), store.Leaf("ownerId", store.OpIn, owners)}}
	page, err := r.Find(ctx, views, store.Query{Filter: &f, Sort: []store.Sort{{Field: "name"}}, Limit: maxViews})
	if err != nil {
		return nil, fmt.Errorf("read views of %s: %w", object, err)
	}
	out := make([]View, 0, len(page.Records))
	for _, rec := range page.Records {
		var v View
		b, _ := json.Marshal(rec.Data["definition"])
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("stored view %q: %w", rec.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Views returns the views of an object the actor has: the shared ones,
// then its own, each by name. Views whose filter or order use fields the
// actor's role may not see are left out, and hidden columns dropped.
func (e *Engine) Views(ctx context.Context, object string) ([]View, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	all, err := loadViews(ctx, ts, snap, obj.Name, a.ID)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(all))
	for _, v := range all {
		if rules.check(v.Filter, v.Sort) != nil {
			continue
		}
		v.Columns = slices.DeleteFunc(v.Columns, rules.Hides)
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(x, y View) int { return sharedFirst(x.Owner, x.Name, y.Owner, y.Name) })
	return out, nil
}

// view finds the view a list query names: the actor's own first, then the
// shared one.
func (e *Engine) view(ctx context.Context, r store.Reader, snap *snapshot, a Actor, obj *schema.Object, name string) (View, error) {
	views := snap.platform[viewObject]
	if views != nil {
		for _, id := range []string{viewID(obj.Name, name, a.ID), viewID(obj.Name, name, "")} {
			rec, err := r.Get(ctx, views, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return View{}, fmt.Errorf("read view %q: %w", id, err)
			}
			var v View
			b, _ := json.Marshal(rec.Data["definition"])
			if err := json.Unmarshal(b, &v); err != nil {
				return View{}, fmt.Errorf("stored view %q: %w", id, err)
			}
			return v, nil
		}
	}
	return View{}, errorOf(ErrNotFound, nil, "view.notFound", obj.Name, name, labelZh(obj))
}

// applyView applies the view q names, if any, and puts the caller's id
// for "$user" (see [CurrentUser]) in the filter.
func (e *Engine) applyView(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, obj *schema.Object, q ListQuery) (ListQuery, error) {
	if q.View != "" {
		v, err := e.view(ctx, ts, snap, a, obj, q.View)
		if err != nil {
			return q, err
		}
		q = withView(q, v)
	}
	q.Filter = withCurrentUser(obj, q.Filter, actorUserID(a))
	return q, nil
}

// withView applies a named view to a list query: the view's filter and-ed
// with the query's, its order when the query has none.
func withView(q ListQuery, v View) ListQuery {
	switch {
	case v.Filter == nil:
	case q.Filter == nil:
		q.Filter = v.Filter
	default:
		q.Filter = &store.Filter{And: []store.Filter{*v.Filter, *q.Filter}}
	}
	if len(q.Sort) == 0 {
		q.Sort = v.Sort
	}
	return q
}

// DeleteView deletes a shared view (administrators only) or one of the
// actor's own.
func (e *Engine) DeleteView(ctx context.Context, object, name string, shared bool) error {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	owner, err := definitionOwner(a, shared, "view.adminOnlyDelete")
	if err != nil {
		return err
	}
	return e.dropView(ctx, ts, snap, a, obj, name, owner, true)
}

// dropView deletes one view, audited; a missing one is NOT_FOUND when
// mustExist.
func (e *Engine) dropView(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, obj *schema.Object, name, owner string, mustExist bool) error {
	found, err := e.deleteDefinition(ctx, ts, snap, a, viewDefinitions, viewID(obj.Name, name, owner))
	if err == nil && !found && mustExist {
		return errorOf(ErrNotFound, nil, "view.notFound", obj.Name, name, labelZh(obj))
	}
	return err
}
