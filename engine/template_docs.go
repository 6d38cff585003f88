package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The engine's side of template documents (roles, layouts, shared views,
// reports and dashboards; see package template): how each kind is parsed
// and checked, read from the tenant, written and deleted.

// docKind is one kind of template document.
type docKind struct {
	template.DocKind
	// current reads the tenant's documents of the kind: key → JSON.
	current func(ctx context.Context, e *Engine, r store.Reader, snap *snapshot) (map[string]string, error)
	// store writes a checked document; drop deletes one.
	store func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error
	drop  func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error
	// inUse, when set, says why deleting the document would hurt ("" when
	// it would not); a rollback then needs force.
	inUse func(snap *snapshot, key string) string
}

// strictDecode decodes JSON into v, refusing members v does not have.
func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// canonicalJSON encodes v the way documents are stored.
func canonicalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

var roleKind = &docKind{
	DocKind: template.DocKind{
		Name: template.RoleDocs,
		Parse: func(raw []byte) (string, string, error) {
			var r Role
			if err := strictDecode(raw, &r); err != nil {
				return "", "", err
			}
			c, err := canonicalJSON(r)
			return r.Name, c, err
		},
		Check: func(canon string, objectOf func(string) *schema.Object) error {
			var r Role
			_ = json.Unmarshal([]byte(canon), &r)
			return access.Check(r, objectOf)
		},
	},
	current: func(_ context.Context, _ *Engine, _ store.Reader, snap *snapshot) (map[string]string, error) {
		out := map[string]string{}
		for name, r := range snap.roles {
			out[name], _ = canonicalJSON(r)
		}
		return out, nil
	},
	store: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error {
		var r Role
		_ = json.Unmarshal([]byte(canon), &r)
		return e.storeRole(ctx, ts, snap, a, r)
	},
	drop: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error {
		return e.dropRole(ctx, ts, snap, a, key)
	},
	inUse: func(snap *snapshot, key string) string {
		n := 0
		for _, u := range snap.users {
			if u.Role == key && u.Active {
				n++
			}
		}
		if n == 0 {
			return ""
		}
		return fmt.Sprintf("is given to %d user(s)", n)
	},
}

var layoutKind = &docKind{
	DocKind: template.DocKind{
		Name: template.LayoutDocs,
		Parse: func(raw []byte) (string, string, error) {
			var l Layout
			if err := strictDecode(raw, &l); err != nil {
				return "", "", err
			}
			l.ReadOnly, l.Default = nil, false
			c, err := canonicalJSON(l)
			return l.Object, c, err
		},
		Check: func(canon string, objectOf func(string) *schema.Object) error {
			var l Layout
			_ = json.Unmarshal([]byte(canon), &l)
			obj := objectOf(l.Object)
			if obj == nil {
				return &schema.DefinitionError{Object: "layout " + l.Object, Problems: []schema.Problem{{Path: "/object", Message: fmt.Sprintf("there is no object %q", l.Object)}}}
			}
			return checkLayout(&l, obj, objectOf)
		},
	},
	current: func(ctx context.Context, _ *Engine, r store.Reader, snap *snapshot) (map[string]string, error) {
		return platformDocs(ctx, r, snap, layoutObject, nil, func(rec store.Record) string { return rec.ID })
	},
	store: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error {
		var l Layout
		_ = json.Unmarshal([]byte(canon), &l)
		return e.storeLayout(ctx, ts, snap, a, l)
	},
	drop: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error {
		return e.dropLayout(ctx, ts, snap, a, key, false)
	},
}

var viewKind = &docKind{
	DocKind: template.DocKind{
		Name: template.ViewDocs,
		Parse: func(raw []byte) (string, string, error) {
			var v View
			if err := strictDecode(raw, &v); err != nil {
				return "", "", err
			}
			if v.Owner != "" {
				return "", "", errors.New("a template's views are shared: leave owner out")
			}
			c, err := canonicalJSON(v)
			return v.Object + "." + v.Name, c, err
		},
		Check: func(canon string, objectOf func(string) *schema.Object) error {
			var v View
			_ = json.Unmarshal([]byte(canon), &v)
			obj := objectOf(v.Object)
			if obj == nil {
				return &schema.DefinitionError{Object: "view " + v.Object + "." + v.Name, Problems: []schema.Problem{{Path: "/object", Message: fmt.Sprintf("there is no object %q", v.Object)}}}
			}
			if err := checkView(&v, obj); err != nil {
				return err
			}
			return checkViewFields(v, obj)
		},
	},
	current: func(ctx context.Context, _ *Engine, r store.Reader, snap *snapshot) (map[string]string, error) {
		shared := store.Leaf("ownerId", store.OpEq, "")
		return platformDocs(ctx, r, snap, viewObject, &shared, func(rec store.Record) string {
			o, _ := rec.Data["object"].(string)
			n, _ := rec.Data["name"].(string)
			return o + "." + n
		})
	},
	store: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error {
		var v View
		_ = json.Unmarshal([]byte(canon), &v)
		return e.storeView(ctx, ts, snap, a, v)
	},
	drop: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error {
		object, name, _ := strings.Cut(key, ".")
		return e.dropView(ctx, ts, snap, a, &schema.Object{Name: object}, name, "", false)
	},
}

var reportKind = &docKind{
	DocKind: template.DocKind{
		Name: template.ReportDocs,
		Parse: func(raw []byte) (string, string, error) {
			var r Report
			if err := strictDecode(raw, &r); err != nil {
				return "", "", err
			}
			if r.Owner != "" {
				return "", "", errors.New("a template's reports are shared: leave owner out")
			}
			c, err := canonicalJSON(r)
			return r.Name, c, err
		},
		Check: func(canon string, objectOf func(string) *schema.Object) error {
			var r Report
			_ = json.Unmarshal([]byte(canon), &r)
			obj := objectOf(r.Object)
			if obj == nil {
				return &schema.DefinitionError{Object: "report " + r.Name, Problems: []schema.Problem{{Path: "/object", Message: fmt.Sprintf("there is no object %q", r.Object)}}}
			}
			if problems := reportProblems(&r, obj); len(problems) > 0 {
				return &schema.DefinitionError{Object: "report " + r.Name, Problems: problems}
			}
			return nil
		},
	},
	current: func(ctx context.Context, _ *Engine, r store.Reader, snap *snapshot) (map[string]string, error) {
		shared := store.Leaf("ownerId", store.OpEq, "")
		return platformDocs(ctx, r, snap, reportObject, &shared, func(rec store.Record) string { return rec.ID })
	},
	store: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error {
		var r Report
		_ = json.Unmarshal([]byte(canon), &r)
		return e.storeReport(ctx, ts, snap, a, r)
	},
	drop: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error {
		return e.dropReport(ctx, ts, snap, a, key, "", false)
	},
}

var dashboardKind = &docKind{
	DocKind: template.DocKind{
		Name: template.DashboardDocs,
		Parse: func(raw []byte) (string, string, error) {
			var d Dashboard
			if err := strictDecode(raw, &d); err != nil {
				return "", "", err
			}
			if d.Owner != "" {
				return "", "", errors.New("a template's dashboards are shared: leave owner out")
			}
			c, err := canonicalJSON(d)
			return d.Name, c, err
		},
		Check: func(canon string, _ func(string) *schema.Object) error {
			var d Dashboard
			_ = json.Unmarshal([]byte(canon), &d)
			if problems := dashboardProblems(&d); len(problems) > 0 {
				return &schema.DefinitionError{Object: "dashboard " + d.Name, Problems: problems}
			}
			return nil
		},
		CheckRefs: func(canon string, has func(kind, key string) bool) error {
			var d Dashboard
			_ = json.Unmarshal([]byte(canon), &d)
			missing := missingCards(d, func(report string) bool { return has(template.ReportDocs, report) })
			if len(missing) == 0 {
				return nil
			}
			de := cardsInvalid(d.Name, missing, "which is neither in the template nor in the tenant")
			return errorOf(ErrBadRequest, de, "dashboard.missingTemplateReport", d.Name, missing[0].card+1, missing[0].report)
		},
	},
	current: func(ctx context.Context, _ *Engine, r store.Reader, snap *snapshot) (map[string]string, error) {
		shared := store.Leaf("ownerId", store.OpEq, "")
		return platformDocs(ctx, r, snap, dashboardObject, &shared, func(rec store.Record) string { return rec.ID })
	},
	store: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, canon string) error {
		var d Dashboard
		_ = json.Unmarshal([]byte(canon), &d)
		return e.storeDashboard(ctx, ts, snap, a, d)
	},
	drop: func(ctx context.Context, e *Engine, ts store.TenantStore, snap *snapshot, a Actor, key string) error {
		return e.dropDashboard(ctx, ts, snap, a, key, "", false)
	},
}

// docKinds are the kinds of template documents, in the order they are
// written (that of [template.DocKinds]).
var docKinds = []*docKind{roleKind, layoutKind, viewKind, reportKind, dashboardKind}

// docKindNamed returns the kind of that name.
func docKindNamed(name string) *docKind {
	for _, k := range docKinds {
		if k.Name == name {
			return k
		}
	}
	panic("engine: no template document kind " + name)
}

// templateDocKinds are how package template reads each kind.
func templateDocKinds() []*template.DocKind {
	out := make([]*template.DocKind, len(docKinds))
	for i, k := range docKinds {
		out[i] = &k.DocKind
	}
	return out
}

// checkViewFields checks, without running it, that a view's filter and
// order name fields of its object (a template's objects may not exist
// yet when it is checked).
func checkViewFields(v View, obj *schema.Object) error {
	var problems []schema.Problem
	known := func(field string) bool {
		top, _, _ := strings.Cut(field, ".")
		return obj.Field(top) != nil || store.IsSystemField(top)
	}
	var walk func(f *store.Filter, at string)
	walk = func(f *store.Filter, at string) {
		if f == nil {
			return
		}
		if f.IsLeaf() && !known(f.Field) {
			problems = append(problems, schema.Problem{Path: at + "/field", Message: fmt.Sprintf("%s has no field %q", obj.Name, f.Field)})
		}
		for i := range f.And {
			walk(&f.And[i], fmt.Sprintf("%s/and/%d", at, i))
		}
		for i := range f.Or {
			walk(&f.Or[i], fmt.Sprintf("%s/or/%d", at, i))
		}
		walk(f.Not, at+"/not")
	}
	walk(v.Filter, "/filter")
	for i, s := range v.Sort {
		if !known(s.Field) {
			problems = append(problems, schema.Problem{Path: fmt.Sprintf("/sort/%d/field", i), Message: fmt.Sprintf("%s has no field %q", obj.Name, s.Field)})
		}
	}
	if len(problems) > 0 {
		return &schema.DefinitionError{Object: "view " + v.Object + "." + v.Name, Problems: problems}
	}
	return nil
}

// platformDocs reads the definitions kept in a platform object: key →
// JSON.
func platformDocs(ctx context.Context, r store.Reader, snap *snapshot, object string, f *store.Filter, key func(store.Record) string) (map[string]string, error) {
	out := map[string]string{}
	obj := snap.platform[object]
	if obj == nil {
		return out, nil
	}
	page, err := r.Find(ctx, obj, store.Query{Filter: f, Limit: 10_000})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", object, err)
	}
	for _, rec := range page.Records {
		out[key(rec)], _ = canonicalJSON(rec.Data["definition"])
	}
	return out, nil
}
