package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Form layouts: how an object's record page arranges its fields, in
// labelled sections of one to four columns, and which related lists it
// shows below them. Administrators save one layout per object; an object
// without one gets a default (every field, in definition order, in one
// section). What a role may not see is left out of the layout it gets, and
// the fields it may not change are listed as read-only, so a form built
// from the layout needs no other knowledge of the role. Layouts are
// platform records (crmLayout).

const layoutObject = "crmLayout"

// Layout is the record page of one object.
type Layout struct {
	Object   string          `json:"object"`
	Sections []LayoutSection `json:"sections"`
	// Related names the related lists under the form, each as the reverse
	// list's source: "contact.account" lists the contacts whose account is
	// the record.
	Related []string `json:"related,omitempty"`
	// ReadOnly lists the fields of the layout the actor may not change (by
	// its role, or because the server computes them); filled when a
	// layout is read, ignored when one is saved.
	ReadOnly []string `json:"readOnly,omitempty"`
	// Default is true for the layout made up when none is saved.
	Default bool `json:"default,omitempty"`
}

// LayoutSection is one labelled group of fields.
type LayoutSection struct {
	Label   schema.Label `json:"label"`
	Columns int          `json:"columns,omitempty"` // 1 to 4; 0 means 2
	Fields  []string     `json:"fields"`
}

// checkLayout checks a layout against its object and the catalog: every
// field exists and is placed once, every related list is a lookup of
// another object to this one.
func checkLayout(l *Layout, obj *schema.Object, objectOf func(string) *schema.Object) error {
	var problems []schema.Problem
	if len(l.Sections) == 0 {
		problems = append(problems, schema.Problem{Path: "/sections", Message: "needs at least one section"})
	}
	placed := map[string]bool{}
	for i, s := range l.Sections {
		at := fmt.Sprintf("/sections/%d", i)
		if s.Label.Zh == "" && s.Label.En == "" {
			problems = append(problems, schema.Problem{Path: at + "/label", Message: "needs a label in Chinese or English"})
		}
		if s.Columns < 0 || s.Columns > 4 {
			problems = append(problems, schema.Problem{Path: at + "/columns", Message: "must be 1 to 4"})
		}
		for j, f := range s.Fields {
			switch {
			case obj.Field(f) == nil && !store.IsSystemField(f):
				problems = append(problems, schema.Problem{Path: fmt.Sprintf("%s/fields/%d", at, j), Message: fmt.Sprintf("%s has no field %q", obj.Name, f)})
			case placed[f]:
				problems = append(problems, schema.Problem{Path: fmt.Sprintf("%s/fields/%d", at, j), Message: fmt.Sprintf("%q is placed twice", f)})
			}
			placed[f] = true
		}
	}
	for i, rel := range l.Related {
		src, field, _ := strings.Cut(rel, ".")
		so := objectOf(src)
		var f *schema.Field
		if so != nil {
			f = so.Field(field)
		}
		if f == nil || f.Target != obj.Name || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/related/%d", i), Message: fmt.Sprintf("%q is not a lookup of another object to %s (write OBJECT.FIELD)", rel, obj.Name)})
		}
	}
	if len(problems) > 0 {
		return &schema.DefinitionError{Object: "layout " + l.Object, Problems: problems}
	}
	for i := range l.Sections {
		if l.Sections[i].Columns == 0 {
			l.Sections[i].Columns = 2
		}
	}
	l.ReadOnly, l.Default = nil, false
	return nil
}

// SaveLayout saves an object's layout (administrators only).
func (e *Engine) SaveLayout(ctx context.Context, l Layout) (Layout, error) {
	sc, err := e.writeScope(ctx, l.Object)
	if err != nil {
		return Layout{}, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return Layout{}, errorOf(ErrForbidden, nil, "layout.adminOnly")
	}
	if err := checkLayout(&l, obj, snap.catalog.Object); err != nil {
		return Layout{}, err
	}
	if err := e.storeLayout(ctx, ts, snap, a, l); err != nil {
		return Layout{}, err
	}
	return l, nil
}

// storeLayout writes a checked layout, audited as a metadata change.
func (e *Engine) storeLayout(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, l Layout) error {
	return e.putDefinition(ctx, ts, snap, a, layoutDefinitions, l.Object, "", jsonMap(l), nil)
}

// storedLayout reads the saved layout of object; ok is false when there
// is none.
func storedLayout(ctx context.Context, r store.Reader, snap *snapshot, object string) (l Layout, ok bool, err error) {
	layouts := snap.platform[layoutObject]
	if layouts == nil {
		return Layout{}, false, nil
	}
	rec, err := r.Get(ctx, layouts, object)
	if errors.Is(err, store.ErrNotFound) {
		return Layout{}, false, nil
	}
	if err != nil {
		return Layout{}, false, fmt.Errorf("read layout of %q: %w", object, err)
	}
	b, _ := json.Marshal(rec.Data["definition"])
	if err := json.Unmarshal(b, &l); err != nil {
		return Layout{}, false, fmt.Errorf("stored layout of %q: %w", object, err)
	}
	return l, true, nil
}

// defaultLayout places every field of obj, in definition order, in one
// section, with every related list.
func defaultLayout(obj *schema.Object, cat *Catalog) Layout {
	l := Layout{Object: obj.Name, Default: true, Sections: []LayoutSection{{Label: schema.Label{Zh: "详细信息", En: "Details"}, Columns: 2}}}
	for _, f := range obj.Fields {
		l.Sections[0].Fields = append(l.Sections[0].Fields, f.Name)
	}
	for _, o := range cat.Objects {
		for _, f := range o.Fields {
			if f.Target == obj.Name && (f.Kind() == schema.KindLookup || f.Kind() == schema.KindLookupList) {
				l.Related = append(l.Related, o.Name+"."+f.Name)
			}
		}
	}
	return l
}

// Layout returns the layout of an object as the actor gets it: the saved
// one or the default, without the fields and related lists the actor's
// role may not see, with the fields it may not change listed in ReadOnly.
func (e *Engine) Layout(ctx context.Context, object string) (Layout, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return Layout{}, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	l, ok, err := storedLayout(ctx, ts, snap, obj.Name)
	if err != nil {
		return Layout{}, err
	}
	if !ok {
		l = defaultLayout(obj, snap.catalog)
	}
	view := snap.view(a)
	acc, restricted := snap.access(a, obj.Name)
	sections := l.Sections[:0:0]
	for _, s := range l.Sections {
		s.Fields = slices.DeleteFunc(slices.Clone(s.Fields), func(f string) bool { return rules.Hides(f) || (obj.Field(f) == nil && !store.IsSystemField(f)) })
		if len(s.Fields) == 0 {
			continue
		}
		for _, f := range s.Fields {
			fd := obj.Field(f)
			if fd == nil || fd.ReadOnly() || (restricted && (acc.Fields[f] == FieldReadOnly || !acc.Update)) {
				l.ReadOnly = append(l.ReadOnly, f)
			}
		}
		sections = append(sections, s)
	}
	l.Sections = sections
	l.Related = slices.DeleteFunc(slices.Clone(l.Related), func(rel string) bool {
		src, field, _ := strings.Cut(rel, ".")
		so := view.Object(src)
		return so == nil || so.Field(field) == nil
	})
	return l, nil
}

// DeleteLayout removes an object's saved layout, so that it gets the
// default again (administrators only).
func (e *Engine) DeleteLayout(ctx context.Context, object string) error {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return errorOf(ErrForbidden, nil, "layout.adminOnly")
	}
	return e.dropLayout(ctx, ts, snap, a, obj.Name, true)
}

// dropLayout deletes a saved layout, audited; a missing one is NOT_FOUND
// when mustExist.
func (e *Engine) dropLayout(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, object string, mustExist bool) error {
	found, err := e.deleteDefinition(ctx, ts, snap, a, layoutDefinitions, object)
	if err == nil && !found && mustExist {
		return errorOf(ErrNotFound, nil, "layout.notFound", object)
	}
	return err
}
