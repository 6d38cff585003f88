// Package template owns what a template is and the pure half of
// installing one: the [Template] bundle (object definitions, roles,
// layouts, views, reports, dashboards, menu) and its [SampleData] as the
// engine takes them, template names and semantic versions, the order
// objects install in, the three-way merge of definitions and documents
// ([Merge], [Diff]), the checks that refuse a template ([Check],
// [CheckDependencies], [CheckMenu]), the plans of an install or upgrade ([PlanInstall]) and of
// a rollback ([PlanRollback]) with their options and results, the install
// records ([Install]) and the menu they make ([Menu]), and the lookups
// and stage paths of sample records ([SampleRecord.Resolved],
// [StagePath]); and the order in which a plan is applied and undone when
// a write fails ([Plan.Apply], [Rollback.Apply]) and sample data is
// written in batches ([SampleData.Write]). It reads a tenant only through
// the [Tenant] and writes only through the [Writer] and [BatchWriter] it
// is given, which the engine implements.
package template

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crmkit/crm/schema"
)

// Template is an installable bundle of metadata: object definitions (with
// their scripts, rules and automations), roles, layouts, shared views and
// a menu (see templates/ and its manifest.schema.json). The engine takes
// templates as data; where they come from (the embedded set, a folder) is
// the caller's business.
type Template struct {
	Name        string
	Version     string // semantic version, MAJOR.MINOR.PATCH
	Label       schema.Label
	Description schema.Label
	Depends     []Dependency
	// Objects are the object definitions, in install order.
	Objects []json.RawMessage
	// Roles (in the shape the engine's SaveRole takes), Layouts, shared
	// Views, shared Reports and Dashboards are JSON documents installed
	// after the objects.
	Roles, Layouts, Views, Reports, Dashboards []json.RawMessage
	// Other holds content kinds the engine cannot install yet (kind →
	// file → content). A kind not listed in Optional makes an install
	// refuse the template, so that it never installs part of one.
	Other    map[string]map[string][]byte
	Optional []string
	// Menu groups objects for the navigation of the web app; every object
	// named must be in the template or in a template it depends on.
	Menu []MenuGroup
}

// Dependency names a template that must be installed first, at Version
// or later within the same major version.
type Dependency struct {
	Name    string
	Version string
}

// MenuGroup is one labelled group of a template's menu.
type MenuGroup struct {
	Label   schema.Label
	Objects []string
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// ValidName reports whether name can name a template: lower-case letters,
// digits and hyphens, starting with a letter, at most 63 characters.
func ValidName(name string) bool { return namePattern.MatchString(name) }

// ValidVersion reports whether s is a semantic version,
// MAJOR.MINOR.PATCH[-pre][+build].
func ValidVersion(s string) bool {
	_, ok := parseVersion(s)
	return ok
}

func parseVersion(s string) (v [3]int, ok bool) {
	core, _, _ := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && pre == "" {
		return v, false
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (len(p) > 1 && p[0] == '0') || strings.ContainsAny(p, "+-") {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// CompareVersions orders semantic versions (-1, 0 or 1); a prerelease
// comes before its release.
func CompareVersions(a, b string) int {
	va, _ := parseVersion(a)
	vb, _ := parseVersion(b)
	for i := range 3 {
		if va[i] != vb[i] {
			if va[i] < vb[i] {
				return -1
			}
			return 1
		}
	}
	pa := preOf(a)
	pb := preOf(b)
	switch {
	case pa == pb:
		return 0
	case pa == "":
		return 1
	case pb == "":
		return -1
	}
	return strings.Compare(pa, pb)
}

func preOf(s string) string {
	core, _, _ := strings.Cut(s, "+")
	_, pre, _ := strings.Cut(core, "-")
	return pre
}

// Satisfies reports whether version have meets the requirement want: the
// same major version, not older.
func Satisfies(have, want string) bool {
	vh, ok1 := parseVersion(have)
	vw, ok2 := parseVersion(want)
	return ok1 && ok2 && vh[0] == vw[0] && CompareVersions(have, want) >= 0
}

// DependencyOrder orders objects so that each comes after the objects its
// lookups point at, where cycles allow; else by name.
func DependencyOrder(objs []*schema.Object) []*schema.Object {
	byName := map[string]*schema.Object{}
	for _, o := range objs {
		byName[o.Name] = o
	}
	names := slices.Sorted(maps.Keys(byName))
	var out []*schema.Object
	state := map[string]int{}
	var visit func(string)
	visit = func(n string) {
		if state[n] != 0 {
			return
		}
		state[n] = 1
		var targets []string
		for _, f := range byName[n].Fields {
			if f.Target != "" && f.Target != n && byName[f.Target] != nil {
				targets = append(targets, f.Target)
			}
		}
		sort.Strings(targets)
		for _, t := range targets {
			visit(t)
		}
		state[n] = 2
		out = append(out, byName[n])
	}
	for _, n := range names {
		visit(n)
	}
	return out
}
