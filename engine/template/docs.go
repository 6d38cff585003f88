package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
)

// Template documents beside the objects: roles (roles/NAME.json, in the
// shape the engine's SaveRole takes), form layouts (layouts/OBJECT.json),
// shared list views (views/OBJECT.NAME.json), shared reports
// (reports/NAME.json) and dashboards (dashboards/NAME.json). Each kind is merged
// three ways on an upgrade like an object definition (base: what the
// installed version shipped; ours: the tenant's document; theirs: the new
// version's), member by member, so what the tenant added survives; is
// written after the objects; is recorded with the install; and is put
// back by a rollback. Plans name a document KIND:KEY ("role:sales",
// "layout:deal", "view:deal.open", "report:pipelineByStage").

// The kinds of template documents.
const (
	RoleDocs      = "role"
	LayoutDocs    = "layout"
	ViewDocs      = "view"
	ReportDocs    = "report"
	DashboardDocs = "dashboard"
)

// DocKinds are the kinds of template documents, in the order they are
// written (a dashboard's reports before it).
var DocKinds = []string{RoleDocs, LayoutDocs, ViewDocs, ReportDocs, DashboardDocs}

// Docs returns the template's documents of a kind.
func (t *Template) Docs(kind string) []json.RawMessage {
	switch kind {
	case RoleDocs:
		return t.Roles
	case LayoutDocs:
		return t.Layouts
	case ViewDocs:
		return t.Views
	case ReportDocs:
		return t.Reports
	case DashboardDocs:
		return t.Dashboards
	}
	return nil
}

// AddDocs adds documents of a kind (key → JSON) to the template, by key,
// indented as a template folder holds them.
func (t *Template) AddDocs(kind string, docs map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(docs)) {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(docs[key]), "", "  "); err != nil {
			return fmt.Errorf("export %s %q: %w", kind, key, err)
		}
		doc := json.RawMessage(pretty.Bytes())
		switch kind {
		case RoleDocs:
			t.Roles = append(t.Roles, doc)
		case LayoutDocs:
			t.Layouts = append(t.Layouts, doc)
		case ViewDocs:
			t.Views = append(t.Views, doc)
		case ReportDocs:
			t.Reports = append(t.Reports, doc)
		case DashboardDocs:
			t.Dashboards = append(t.Dashboards, doc)
		}
	}
	return nil
}

// DocKind is how to read one kind of template document. What a role, a
// layout, a view, a report or a dashboard is belongs to the engine,
// which gives each kind.
type DocKind struct {
	Name string // one of [DocKinds]: a plan's prefix and the install record's keys
	// Parse decodes one document strictly and returns its key and its JSON
	// as the engine writes it, so that template text and stored documents
	// compare member by member.
	Parse func(raw []byte) (key, canon string, err error)
	// Check checks a document against the objects objectOf knows.
	Check func(canon string, objectOf func(string) *schema.Object) error
	// CheckRefs, when set, checks the documents of other kinds that a
	// document names (a dashboard's reports): has says whether the
	// template or the tenant has the document of a kind and key. It runs
	// on each document an install writes, as merged.
	CheckRefs func(canon string, has func(kind, key string) bool) error
}

// doc is one document of a template, checked.
type doc struct {
	key, canon string
}

// checkDocs parses the template's documents of every kind and checks them
// against the objects objectOf knows.
func checkDocs(tpl *Template, kinds []*DocKind, objectOf func(string) *schema.Object) (map[string][]doc, error) {
	out := map[string][]doc{}
	for _, k := range kinds {
		seen := map[string]bool{}
		for _, raw := range tpl.Docs(k.Name) {
			key, canon, err := k.Parse(raw)
			if err != nil {
				return nil, refusalOf(ErrInvalid, "template.badDocument", tpl.Name, k.Name, err)
			}
			if err := k.Check(canon, objectOf); err != nil {
				return nil, fmt.Errorf("template %q: %w", tpl.Name, err)
			}
			if seen[key] {
				return nil, refusalOf(ErrInvalid, "template.duplicateDocument", tpl.Name, k.Name, key)
			}
			seen[key] = true
			out[k.Name] = append(out[k.Name], doc{key: key, canon: canon})
		}
		slices.SortFunc(out[k.Name], func(a, b doc) int { return strings.Compare(a.key, b.key) })
	}
	return out, nil
}

// docPlan is what an install does to the documents of one kind.
type docPlan struct {
	save []string // merged documents to write (JSON), in key order
	keys []string // their keys
	// before maps each key to the tenant's document before (JSON), or nil
	// when it had none.
	before map[string]any
	after  map[string]string // key → the document as the install leaves it
}

// planDocs merges a template's documents of one kind into the tenant's,
// adding plans, conflicts and notes to res; exists says whether the
// template or the tenant has a document (see [DocKind.CheckRefs]).
func planDocs(k *DocKind, docs []doc, base, current map[string]string, objectOf func(string) *schema.Object, exists func(kind, key string) bool, policy ConflictPolicy, res *InstallResult) (*docPlan, error) {
	p := &docPlan{before: map[string]any{}, after: map[string]string{}}
	for _, d := range docs {
		label := k.Name + ":" + d.key
		var baseDoc, ours []byte
		if b, ok := base[d.key]; ok {
			baseDoc = []byte(b)
		}
		cur, has := current[d.key]
		if has {
			ours = []byte(cur)
		}
		m, err := Merge(label, baseDoc, ours, []byte(d.canon), policy)
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
			_, canon, err = k.Parse(m.Doc)
			if err == nil {
				err = k.Check(canon, objectOf)
			}
			if err != nil {
				return nil, fmt.Errorf("merged %s: %w", label, err)
			}
		}
		res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: m.Action, Changes: m.Changes})
		if m.Action == "unchanged" {
			continue
		}
		if k.CheckRefs != nil {
			if err := k.CheckRefs(canon, exists); err != nil {
				return nil, fmt.Errorf("%s: %w", label, err)
			}
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
