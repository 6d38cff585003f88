package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Template documents beside the objects: roles (roles/NAME.json, in the
// shape SaveRole takes), form layouts (layouts/OBJECT.json) and shared
// list views (views/OBJECT.NAME.json). Each kind is merged three ways on
// an upgrade like an object definition (base: what the installed version
// shipped; ours: the tenant's document; theirs: the new version's),
// member by member, so what the tenant added survives; is written after
// the objects; is recorded with the install; and is put back by a
// rollback. Plans name a document KIND:KEY ("role:sales",
// "layout:deal", "view:deal.open").

// docKind is one kind of template document.
type docKind struct {
	name string // "role", "layout", "view": the plan prefix and the install record's keys
	// parse decodes one document strictly and returns its key and its JSON
	// as the engine writes it, so that template text and stored documents
	// compare member by member.
	parse func(raw []byte) (key, canon string, err error)
	// check checks a document against the objects objectOf knows.
	check func(canon string, objectOf func(string) *schema.Object) error
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
	name: "role",
	parse: func(raw []byte) (string, string, error) {
		var r Role
		if err := strictDecode(raw, &r); err != nil {
			return "", "", err
		}
		c, err := canonicalJSON(r)
		return r.Name, c, err
	},
	check: func(canon string, objectOf func(string) *schema.Object) error {
		var r Role
		_ = json.Unmarshal([]byte(canon), &r)
		return access.Check(r, objectOf)
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
	name: "layout",
	parse: func(raw []byte) (string, string, error) {
		var l Layout
		if err := strictDecode(raw, &l); err != nil {
			return "", "", err
		}
		l.ReadOnly, l.Default = nil, false
		c, err := canonicalJSON(l)
		return l.Object, c, err
	},
	check: func(canon string, objectOf func(string) *schema.Object) error {
		var l Layout
		_ = json.Unmarshal([]byte(canon), &l)
		obj := objectOf(l.Object)
		if obj == nil {
			return &schema.DefinitionError{Object: "layout " + l.Object, Problems: []schema.Problem{{Path: "/object", Message: fmt.Sprintf("there is no object %q", l.Object)}}}
		}
		return checkLayout(&l, obj, objectOf)
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
	name: "view",
	parse: func(raw []byte) (string, string, error) {
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
	check: func(canon string, objectOf func(string) *schema.Object) error {
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

// docKinds are the kinds of template documents, in the order they are
// written: roles, layouts, views.
var docKinds = []*docKind{roleKind, layoutKind, viewKind}

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

// templateDoc is one document of a template, checked.
type templateDoc struct {
	key, canon string
}

// docsOf returns a template's documents of a kind.
func docsOf(tpl *template.Template, k *docKind) []json.RawMessage {
	switch k {
	case roleKind:
		return tpl.Roles
	case layoutKind:
		return tpl.Layouts
	case viewKind:
		return tpl.Views
	}
	return nil
}

// checkTemplateDocs parses the template's documents of every kind and
// checks them against the template's objects and, for objects it does not
// define, the tenant's.
func checkTemplateDocs(tpl *template.Template, objectOf func(string) *schema.Object) (map[*docKind][]templateDoc, error) {
	out := map[*docKind][]templateDoc{}
	for _, k := range docKinds {
		seen := map[string]bool{}
		for _, raw := range docsOf(tpl, k) {
			key, canon, err := k.parse(raw)
			if err != nil {
				return nil, errorOf(ErrBadRequest, nil, "template.badDocument", tpl.Name, k.name, err)
			}
			if err := k.check(canon, objectOf); err != nil {
				return nil, fmt.Errorf("template %q: %w", tpl.Name, err)
			}
			if seen[key] {
				return nil, errorOf(ErrBadRequest, nil, "template.duplicateDocument", tpl.Name, k.name, key)
			}
			seen[key] = true
			out[k] = append(out[k], templateDoc{key: key, canon: canon})
		}
		slices.SortFunc(out[k], func(a, b templateDoc) int { return strings.Compare(a.key, b.key) })
	}
	return out, nil
}

// docPlan is what an install does to the documents of one kind.
type docPlan struct {
	save   []string          // merged documents to write (JSON), in key order
	keys   []string          // their keys
	before map[string]any    // key → the tenant's document before (JSON), or nil when it had none
	after  map[string]string // key → the document as the install leaves it
}

// planDocs merges a template's documents of one kind into the tenant's,
// adding plans, conflicts and notes to res.
func planDocs(k *docKind, docs []templateDoc, base, current map[string]string, objectOf func(string) *schema.Object, policy template.ConflictPolicy, res *InstallResult) (*docPlan, error) {
	p := &docPlan{before: map[string]any{}, after: map[string]string{}}
	for _, d := range docs {
		label := k.name + ":" + d.key
		var baseDoc, ours []byte
		if b, ok := base[d.key]; ok {
			baseDoc = []byte(b)
		}
		cur, has := current[d.key]
		if has {
			ours = []byte(cur)
		}
		m, err := template.Merge(label, baseDoc, ours, []byte(d.canon), policy)
		if err != nil {
			return nil, err
		}
		if m.Adopted {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the tenant already has it; the template's is merged into it", label))
		}
		res.Conflicts = append(res.Conflicts, m.Conflicts...)
		res.Notes = append(res.Notes, m.Notes...)
		canon := d.canon
		if m.Action == "update" {
			_, canon, err = k.parse(m.Doc)
			if err == nil {
				err = k.check(canon, objectOf)
			}
			if err != nil {
				return nil, fmt.Errorf("merged %s: %w", label, err)
			}
		}
		res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: m.Action, Changes: m.Changes})
		if m.Action == "unchanged" {
			continue
		}
		p.save, p.keys = append(p.save, canon), append(p.keys, d.key)
		p.before[d.key] = nil
		if has {
			p.before[d.key] = cur
		}
		p.after[d.key] = canon
	}
	return p, nil
}

// applyDocs writes the planned documents of every kind; if one fails,
// those written before are put back.
func (e *Engine) applyDocs(ctx context.Context, ts store.TenantStore, a Actor, plans map[*docKind]*docPlan) error {
	type done struct {
		k   *docKind
		key string
	}
	var written []done
	undo := func() error {
		var errs []error
		for _, d := range slices.Backward(written) {
			errs = append(errs, e.restoreDocs(ctx, ts, a, d.k, []string{d.key}, plans[d.k].before))
		}
		return errors.Join(errs...)
	}
	for _, k := range docKinds {
		p := plans[k]
		if p == nil {
			continue
		}
		for i, canon := range p.save {
			snap, err := e.state(ctx, a.TenantID, ts)
			if err == nil {
				err = k.store(ctx, e, ts, snap, a, canon)
			}
			if err != nil {
				return errors.Join(fmt.Errorf("write %s:%s: %w", k.name, p.keys[i], err), undo())
			}
			written = append(written, done{k, p.keys[i]})
		}
	}
	return nil
}

// restoreDocs puts the documents of keys back as before says: the JSON of
// the earlier document, or nil for none.
func (e *Engine) restoreDocs(ctx context.Context, ts store.TenantStore, a Actor, k *docKind, keys []string, before map[string]any) error {
	var errs []error
	for _, key := range slices.Backward(keys) {
		snap, err := e.state(ctx, a.TenantID, ts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, _ := before[key].(string); prev != "" {
			errs = append(errs, k.store(ctx, e, ts, snap, a, prev))
		} else {
			errs = append(errs, k.drop(ctx, e, ts, snap, a, key))
		}
	}
	return errors.Join(errs...)
}

// installDocs is the documents part of an install record, per kind.
type installDocs struct {
	shipped map[string]string // key → as the version shipped it
	before  map[string]any    // key → the tenant's document before (JSON), or nil when it had none
	after   map[string]string // key → as the install left it
}

// docRecordKeys are the install record's keys for a kind.
func docRecordKeys(k *docKind) (shipped, before, after string) {
	return k.name + "s", k.name + "sBefore", k.name + "sAfter"
}

// readInstallDocs reads the documents part of an install record.
func readInstallDocs(data map[string]any) map[*docKind]*installDocs {
	out := map[*docKind]*installDocs{}
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
	for _, k := range docKinds {
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
func writeInstallDocs(data map[string]any, docs map[*docKind][]templateDoc, plans map[*docKind]*docPlan) {
	for _, k := range docKinds {
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

// planDocRollback adds the documents part of a rollback to res: documents
// the install created are deleted, those it changed restored. It returns
// the keys to put back per kind and the problems that need force.
func planDocRollback(ctx context.Context, e *Engine, r store.Reader, snap *snapshot, cur *TemplateInstall, res *InstallResult) (map[*docKind][]string, []string, error) {
	steps := map[*docKind][]string{}
	var problems []string
	for _, k := range docKinds {
		d := cur.docs[k]
		if d == nil || len(d.before) == 0 {
			continue
		}
		current, err := k.current(ctx, e, r, snap)
		if err != nil {
			return nil, nil, err
		}
		for _, key := range slices.Sorted(maps.Keys(d.before)) {
			label := k.name + ":" + key
			now, has := current[key]
			var nowDoc []byte
			if has {
				nowDoc = []byte(now)
				if after, ok := d.after[key]; ok && !template.Same(nowDoc, []byte(after)) {
					problems = append(problems, fmt.Sprintf("%s was changed after the install", label))
				}
			}
			prev, _ := d.before[key].(string)
			if prev == "" {
				if !has {
					continue
				}
				if k.inUse != nil {
					if why := k.inUse(snap, key); why != "" {
						problems = append(problems, fmt.Sprintf("%s, which the install created, %s", label, why))
					}
				}
				changes, err := template.Diff(nowDoc, nil)
				if err != nil {
					return nil, nil, fmt.Errorf("decode %s: %w", label, err)
				}
				res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: "delete", Changes: changes})
				steps[k] = append(steps[k], key)
				continue
			}
			changes, err := template.Diff(nowDoc, []byte(prev))
			if err != nil {
				return nil, nil, fmt.Errorf("decode %s: %w", label, err)
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: "restore", Changes: changes})
			steps[k] = append(steps[k], key)
		}
	}
	return steps, problems, nil
}
