// Package templates holds the industry templates as data. Each folder is a
// template: a manifest.json and one folder per kind of content, today
// objects/ (one JSON Schema object definition per file), roles/,
// layouts/, views/, reports/ and dashboards/ (one JSON document per
// file). The binary embeds them. This package lists and reads templates,
// from the embedded set or from any folder ([Load]); checking and
// installing them is the engine's job, and templates/sample makes their
// sample data.
//
// A template's content is its folders, not a list in the manifest, so a
// later kind of metadata is added as a further folder without changing
// any existing file (reports/ and dashboards/ came so). [Template.Other]
// carries the folders this loader has no type for, so that an installer
// can refuse a template whose content it cannot install rather than
// install part of it (see manifest.schema.json).
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Note: each template folder is named here. A directory embed takes every
// file below it (but names starting with "." or "_"), so a new kind of
// content in an existing template needs no change here; a new template
// adds its name.
//
//go:embed manifest.schema.json starter b2b-sales retail finance healthcare education tourism chemical
var files embed.FS

// ManifestSchema is the JSON Schema of manifest.json, documentation for
// template authors; [Load] checks the same rules in Go.
func ManifestSchema() []byte {
	b, _ := files.ReadFile("manifest.schema.json")
	return b
}

// Label is a name in Chinese and English.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Dependency names a template that must be installed first, at Version or
// a later version with the same major number.
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Manifest describes a template (manifest.json).
type Manifest struct {
	Name        string       `json:"name"`
	Version     string       `json:"version"` // semantic version: MAJOR.MINOR.PATCH
	Label       Label        `json:"label"`
	Description Label        `json:"description"`
	Depends     []Dependency `json:"depends"`
	// Optional lists content folders an installer may skip when it does
	// not know them (for example "layouts" on a server without layouts).
	// A folder not listed here that the installer does not know makes it
	// refuse the template.
	Optional []string `json:"optional,omitempty"`
	// Menu groups the template's objects for the web app's navigation, in
	// order; objects no group names are shown under "Other". Each object
	// named must be in the template or in one it depends on (the
	// installer checks).
	Menu []MenuGroup `json:"menu,omitempty"`
}

// MenuGroup is one group of the navigation: a label and objects in order.
type MenuGroup struct {
	Label   Label    `json:"label"`
	Objects []string `json:"objects"`
}

// Menu limits.
const (
	maxMenuGroups       = 20
	maxMenuGroupObjects = 50
)

var objectNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)

// Template is a manifest with its content.
type Template struct {
	Manifest
	// Objects names the object definitions in install order: an object
	// comes after the objects its lookups point at (cycles are broken by
	// name), else by name.
	Objects []string
	// Definitions are the object definitions (JSON Schema documents), in
	// the order of Objects.
	Definitions []json.RawMessage
	// Roles are the roles of roles/NAME.json ({name, label, objects}),
	// Layouts the form layouts of layouts/OBJECT.json ({object, sections,
	// related}), Views the shared list views of views/OBJECT.NAME.json
	// ({object, name, label, filter, sort, columns}), Reports the shared
	// reports of reports/NAME.json ({name, label, object, groupBy,
	// measures, chart …}), Dashboards those of dashboards/NAME.json
	// ({name, label, cards}), each in file name order.
	Roles, Layouts, Views, Reports, Dashboards []json.RawMessage
	// Other holds the content folders this package has no type for: folder
	// → file name → content.
	Other map[string]map[string][]byte
}

// KnownKinds are the content folders this package reads into typed fields.
var KnownKinds = []string{"objects", "roles", "layouts", "views", "reports", "dashboards"}

// List returns the manifests of every embedded template, by name.
func List() ([]Manifest, error) {
	dirs, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	var out []Manifest
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t, err := Get(d.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, t.Manifest)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get reads one embedded template. It returns fs.ErrNotExist (wrapped) for
// an unknown name.
func Get(name string) (*Template, error) {
	if !namePattern.MatchString(name) {
		return nil, fmt.Errorf("read template %q: %w", name, fs.ErrNotExist)
	}
	sub, err := fs.Sub(files, name)
	if err != nil {
		return nil, fmt.Errorf("read template %q: %w", name, err)
	}
	t, err := Load(sub)
	if err != nil {
		return nil, err
	}
	if t.Name != name {
		return nil, fmt.Errorf("read template %q: its manifest names it %q", name, t.Name)
	}
	return t, nil
}

// Load reads a template folder: manifest.json at its root, objects/*.json,
// roles/*.json, layouts/*.json, views/*.json, reports/*.json,
// dashboards/*.json, and any other folders into
// Other. The object files must be named after
// their $id.
func Load(fsys fs.FS) (*Template, error) {
	raw, err := fs.ReadFile(fsys, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("read template manifest: %w", err)
	}
	var t Template
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t.Manifest); err != nil {
		return nil, fmt.Errorf("read template manifest: %w", err)
	}
	if err := t.Manifest.Check(); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read template %q: %w", t.Name, err)
	}
	defs := map[string]json.RawMessage{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		kind := e.Name()
		if strings.HasPrefix(kind, ".") || strings.HasPrefix(kind, "_") {
			continue
		}
		found, err := readKind(fsys, kind)
		if err != nil {
			return nil, fmt.Errorf("read %s of template %q: %w", kind, t.Name, err)
		}
		if doc, ok := documentKinds[kind]; ok {
			docs, err := readDocuments(found, doc.key)
			if err != nil {
				return nil, fmt.Errorf("read %s of template %q: %w", kind, t.Name, err)
			}
			*doc.into(&t) = docs
			continue
		}
		if kind != "objects" {
			if t.Other == nil {
				t.Other = map[string]map[string][]byte{}
			}
			t.Other[kind] = found
			continue
		}
		for file, b := range found {
			name, ok := strings.CutSuffix(file, ".json")
			if !ok {
				return nil, fmt.Errorf("read objects of template %q: %s is not a .json file", t.Name, file)
			}
			id, err := definitionID(b)
			if err != nil {
				return nil, fmt.Errorf("read object %s of template %q: %w", file, t.Name, err)
			}
			if id != name {
				return nil, fmt.Errorf("read object %s of template %q: its $id is %q; name the file after it", file, t.Name, id)
			}
			defs[name] = b
		}
	}
	if len(defs) == 0 {
		return nil, fmt.Errorf("read template %q: it has no objects/*.json", t.Name)
	}
	t.Objects = installOrder(defs)
	for _, name := range t.Objects {
		t.Definitions = append(t.Definitions, defs[name])
	}
	return &t, nil
}

// documentKinds are the content folders of JSON documents: where each
// goes in a Template and what its files must be named after.
var documentKinds = map[string]struct {
	into func(*Template) *[]json.RawMessage
	key  func(head documentHead) string
}{
	"roles":      {into: func(t *Template) *[]json.RawMessage { return &t.Roles }, key: func(h documentHead) string { return h.Name }},
	"layouts":    {into: func(t *Template) *[]json.RawMessage { return &t.Layouts }, key: func(h documentHead) string { return h.Object }},
	"views":      {into: func(t *Template) *[]json.RawMessage { return &t.Views }, key: func(h documentHead) string { return h.Object + "." + h.Name }},
	"reports":    {into: func(t *Template) *[]json.RawMessage { return &t.Reports }, key: func(h documentHead) string { return h.Name }},
	"dashboards": {into: func(t *Template) *[]json.RawMessage { return &t.Dashboards }, key: func(h documentHead) string { return h.Name }},
}

// documentHead is what names a document.
type documentHead struct {
	Name   string `json:"name"`
	Object string `json:"object"`
}

// readDocuments takes the files of a document folder in name order; each
// must be named after what key says names it.
func readDocuments(found map[string][]byte, key func(documentHead) string) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for _, file := range slices.Sorted(maps.Keys(found)) {
		name, ok := strings.CutSuffix(file, ".json")
		if !ok {
			return nil, fmt.Errorf("%s is not a .json file", file)
		}
		var head documentHead
		if err := json.Unmarshal(found[file], &head); err != nil {
			return nil, fmt.Errorf("%s: not valid JSON: %w", file, err)
		}
		if want := key(head); want != name {
			return nil, fmt.Errorf("%s: the document is %q; name the file after it", file, want)
		}
		out = append(out, found[file])
	}
	return out, nil
}

// readKind reads the files directly in one content folder.
func readKind(fsys fs.FS, dir string) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

func definitionID(b []byte) (string, error) {
	var head struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	if head.ID == "" {
		return "", errors.New("it has no $id")
	}
	return head.ID, nil
}

// installOrder sorts object names so that the targets of each object's
// lookups come before it where the lookups allow (a cycle is broken at the
// name that sorts first), else by name.
func installOrder(defs map[string]json.RawMessage) []string {
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	targets := map[string][]string{}
	for _, n := range names {
		var doc struct {
			Properties map[string]struct {
				Target string `json:"x-crm-target"`
			} `json:"properties"`
		}
		_ = json.Unmarshal(defs[n], &doc) // the schema package reports bad definitions
		for _, p := range doc.Properties {
			if p.Target != "" && p.Target != n {
				if _, ok := defs[p.Target]; ok {
					targets[n] = append(targets[n], p.Target)
				}
			}
		}
		sort.Strings(targets[n])
	}
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string)
	visit = func(n string) {
		if state[n] != 0 {
			return
		}
		state[n] = 1
		for _, t := range targets[n] {
			visit(t)
		}
		state[n] = 2
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Check applies the rules of manifest.schema.json.
func (m *Manifest) Check() error {
	var problems []string
	if !namePattern.MatchString(m.Name) {
		problems = append(problems, fmt.Sprintf("name %q: use lower-case letters, digits and \"-\", starting with a letter", m.Name))
	}
	if _, err := ParseVersion(m.Version); err != nil {
		problems = append(problems, err.Error())
	}
	if m.Label.Zh == "" || m.Label.En == "" {
		problems = append(problems, "label needs both zh and en")
	}
	if m.Description.Zh == "" || m.Description.En == "" {
		problems = append(problems, "description needs both zh and en")
	}
	for i, d := range m.Depends {
		if !namePattern.MatchString(d.Name) || d.Name == m.Name {
			problems = append(problems, fmt.Sprintf("depends[%d]: %q is not another template's name", i, d.Name))
		}
		if _, err := ParseVersion(d.Version); err != nil {
			problems = append(problems, fmt.Sprintf("depends[%d]: %v", i, err))
		}
	}
	problems = append(problems, m.checkMenu()...)
	if len(problems) > 0 {
		return fmt.Errorf("template manifest %q: %s", m.Name, strings.Join(problems, "; "))
	}
	return nil
}

// checkMenu checks the menu's shape: labels in both languages, object
// names, no object twice. Whether the objects exist is the installer's
// check, which knows the dependencies.
func (m *Manifest) checkMenu() []string {
	var problems []string
	if len(m.Menu) > maxMenuGroups {
		problems = append(problems, fmt.Sprintf("menu: at most %d groups, not %d", maxMenuGroups, len(m.Menu)))
	}
	seen := map[string]int{}
	for i, g := range m.Menu {
		if g.Label.Zh == "" || g.Label.En == "" {
			problems = append(problems, fmt.Sprintf("menu[%d]: the label needs both zh and en", i))
		}
		if len(g.Objects) == 0 || len(g.Objects) > maxMenuGroupObjects {
			problems = append(problems, fmt.Sprintf("menu[%d]: a group names 1 to %d objects", i, maxMenuGroupObjects))
		}
		for _, o := range g.Objects {
			switch prev, dup := seen[o]; {
			case !objectNamePattern.MatchString(o):
				problems = append(problems, fmt.Sprintf("menu[%d]: %q is not an object name", i, o))
			case dup:
				problems = append(problems, fmt.Sprintf("menu[%d]: %q is already in menu[%d]", i, o, prev))
			}
			seen[o] = i
		}
	}
	return problems
}

// Version is a parsed semantic version (MAJOR.MINOR.PATCH with an
// optional -prerelease; build metadata is ignored).
type Version struct {
	Major, Minor, Patch int
	Pre                 string
}

var versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$`)

// ParseVersion parses a semantic version such as "1.2.0".
func ParseVersion(s string) (Version, error) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("version %q is not a semantic version MAJOR.MINOR.PATCH", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	v.Pre = m[4]
	return v, nil
}

// Compare returns -1, 0 or +1 as v sorts before, with or after w; a
// prerelease sorts before its release.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	return strings.Compare(v.Pre, w.Pre)
}

func sign(d int) int {
	if d < 0 {
		return -1
	}
	return 1
}
