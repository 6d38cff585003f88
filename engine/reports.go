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

// Saved reports: an aggregation of one object's records (a filter, up to
// three group fields, measures, a having, an order and a limit) with the
// chart that shows it. Like saved views they are platform records
// (crmReport), shared (administrators save them; a shared report may be
// limited to roles) or personal (any signed-in user), carried by
// templates and merged on their upgrade. A report runs through
// [Engine.Aggregate] with the caller's rights, so it never counts what
// the caller could not list.

const reportObject = "crmReport"

// Chart types of a report (see docs/graphql.md, "Reports").
const (
	ChartTable      = "table"
	ChartBar        = "bar"
	ChartStackedBar = "stackedBar"
	ChartLine       = "line"
	ChartPie        = "pie"
	ChartDonut      = "donut"
	ChartFunnel     = "funnel"
	ChartKPI        = "kpi"
	ChartPivot      = "pivot"
)

// chartGroups says how many group fields each chart type takes: at least
// min, at most max.
var chartGroups = map[string]struct{ min, max int }{
	ChartTable:      {0, store.MaxGroupBy},
	ChartBar:        {1, 2},
	ChartStackedBar: {2, 2},
	ChartLine:       {1, 2},
	ChartPie:        {1, 1},
	ChartDonut:      {1, 1},
	ChartFunnel:     {1, 1},
	ChartKPI:        {0, 0},
	ChartPivot:      {2, store.MaxGroupBy},
}

// Report is a saved report.
type Report struct {
	Name        string             `json:"name"`
	Label       schema.Label       `json:"label"`
	Description schema.Label       `json:"description,omitzero"`
	Object      string             `json:"object"`
	Filter      *store.Filter      `json:"filter,omitempty"`
	GroupBy     []store.GroupBy    `json:"groupBy,omitempty"`
	Measures    []store.Measure    `json:"measures"`
	Having      []store.Having     `json:"having,omitempty"`
	Order       []store.GroupOrder `json:"order,omitempty"`
	// Limit bounds the groups of a run: 1 to [MaxReportLimit]; 0 means
	// the default of [Engine.Aggregate] (100).
	Limit int   `json:"limit,omitempty"`
	Chart Chart `json:"chart"`
	// Roles limit a shared report to the users of these roles (and
	// administrators); empty: everyone who may read its object.
	Roles []string `json:"roles,omitempty"`
	// Owner is "" for a shared report, else the principal whose personal
	// report it is (user:NAME).
	Owner string `json:"owner,omitempty"`
}

// Chart is how a report is drawn.
type Chart struct {
	// Type is one of the Chart* constants; bar, line, pie, donut and
	// funnel take the first group field as their category, stackedBar
	// and line the second as their series, pivot the first as rows and
	// the others as columns; kpi shows the first measure of one group.
	Type string `json:"type"`
}

// Bounds of reports.
const (
	// MaxReportLimit bounds the groups one run of a report returns.
	MaxReportLimit = 1000
	// maxReports bounds the reports one principal sees (shared and its
	// own).
	maxReports = 1000
)

var (
	reportNamePattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)
	roleNamePattern   = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,39}$`)
)

func reportID(name, owner string) string {
	if owner == "" {
		return name
	}
	return name + "@" + owner
}

// reportProblems checks a report's shape against its object: name, label,
// chart, limit, roles, and that its filter, groups, measures, having and
// order plan against the object. Problems carry the JSON path of what is
// wrong.
func reportProblems(r *Report, obj *schema.Object) []schema.Problem {
	var problems []schema.Problem
	add := func(path, format string, args ...any) {
		problems = append(problems, schema.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if !reportNamePattern.MatchString(r.Name) {
		add("/name", "%q is not a report name: letters and digits, starting with a lower-case letter, at most 40", r.Name)
	}
	if r.Label.Zh == "" && r.Label.En == "" {
		r.Label = schema.Label{Zh: r.Name, En: r.Name}
	}
	g, known := chartGroups[r.Chart.Type]
	switch {
	case !known:
		add("/chart/type", "unknown chart type %q: use table, bar, stackedBar, line, pie, donut, funnel, kpi or pivot", r.Chart.Type)
	case len(r.GroupBy) < g.min || len(r.GroupBy) > g.max:
		add("/groupBy", "a %s chart groups by %s", r.Chart.Type, groupCount(g.min, g.max))
	}
	if len(r.Measures) == 0 {
		add("/measures", "a report computes at least one measure (count, for example)")
	}
	if r.Limit < 0 || r.Limit > MaxReportLimit {
		add("/limit", "the limit is 1 to %d groups (0: 100), not %d", MaxReportLimit, r.Limit)
	}
	for i, role := range r.Roles {
		if !roleNamePattern.MatchString(role) {
			add(fmt.Sprintf("/roles/%d", i), "%q is not a role name", role)
		}
	}
	if r.Owner != "" && len(r.Roles) > 0 {
		add("/roles", "a personal report is its owner's alone: roles apply to shared reports")
	}
	if obj == nil {
		return problems
	}
	for i, gb := range r.GroupBy {
		if _, err := store.PlanAggregate(obj, store.Aggregation{GroupBy: []store.GroupBy{gb}}); err != nil {
			add(fmt.Sprintf("/groupBy/%d", i), "%s", queryProblem(err))
		}
	}
	for i, m := range r.Measures {
		if _, err := store.PlanAggregate(obj, store.Aggregation{Measures: []store.Measure{m}}); err != nil {
			add(fmt.Sprintf("/measures/%d", i), "%s", queryProblem(err))
		}
	}
	if f, err := normalizeFilter(obj, r.Filter); err != nil {
		add("/filter", "%s", queryProblem(err))
	} else if _, err := store.PlanFilter(obj, f); err != nil {
		add("/filter", "%s", queryProblem(err))
	}
	if len(problems) > 0 {
		return problems
	}
	if _, err := store.PlanAggregate(obj, store.Aggregation{GroupBy: r.GroupBy, Measures: r.Measures, Having: r.Having, Order: r.Order}); err != nil {
		add("", "%s", queryProblem(err))
	}
	return problems
}

// canonicalParts spells the address parts a report groups by or
// measures as the store does ("shipTo.city"), whether given so or as the
// GraphQL enums name them ("shipTo_city", see
// [schema.AddressPartName]), so that a report builder may pass either.
// Reports are kept in the store's spelling (templates write it so).
func canonicalParts(r *Report, obj *schema.Object) {
	r.GroupBy, r.Measures = slices.Clone(r.GroupBy), slices.Clone(r.Measures) // the caller's slices stay as they are
	for i := range r.GroupBy {
		if path, ok := schema.AddressPartPath(obj, r.GroupBy[i].Field); ok {
			r.GroupBy[i].Field = path
		}
	}
	for i := range r.Measures {
		if path, ok := schema.AddressPartPath(obj, r.Measures[i].Field); ok {
			r.Measures[i].Field = path
		}
	}
}

// groupCount says how many group fields a chart takes, in words.
func groupCount(min, max int) string {
	switch {
	case min == max && min == 0:
		return "nothing (leave groupBy out)"
	case min == max && min == 1:
		return "exactly 1 field"
	case min == max:
		return fmt.Sprintf("exactly %d fields", min)
	}
	return fmt.Sprintf("%d to %d fields", min, max)
}

// queryProblem is a store's or the engine's refusal of a query in words,
// with the field it names.
func queryProblem(err error) string {
	var qe *store.QueryError
	if errors.As(err, &qe) {
		if qe.Field != "" {
			return fmt.Sprintf("%s: %s", qe.Field, qe.Message)
		}
		return qe.Message
	}
	var ee *Error
	if errors.As(err, &ee) {
		return ee.Message
	}
	return err.Error()
}

// reportFields are the fields a report reads: its filter's, its group
// fields and its measures'.
func reportFields(r Report) []string {
	var out []string
	for _, g := range r.GroupBy {
		out = append(out, g.Field)
	}
	for _, m := range r.Measures {
		if m.Field != "" {
			out = append(out, m.Field)
		}
	}
	return out
}

// blockedReportField returns the first field of r that rules do not let
// the caller read unmasked ("" for none): grouping by or measuring such
// a field, or filtering on it, would tell its values.
func blockedReportField(rules *readRules, r Report) string {
	sorts := make([]store.Sort, 0, 4)
	for _, f := range reportFields(r) {
		sorts = append(sorts, store.Sort{Field: f})
	}
	field, _ := rules.Blocked(r.Filter, sorts)
	return field
}

// reportInvalid is the VALIDATION_FAILED that lists a report's problems.
func reportInvalid(name string, problems []schema.Problem) error {
	de, text := definitionProblems("report", name, problems)
	return errorOf(ErrBadRequest, de, "report.invalid", name, text)
}

// checkReport checks a report for the actor: its object exists and the
// actor may read it and every field the report uses, its shape is
// sound, and, for a shared one, the roles it names exist. Address parts
// named as the GraphQL enums name them are put in the store's spelling
// (see canonicalParts).
func checkReport(snap *snapshot, a Actor, r *Report) (*schema.Object, error) {
	obj := snap.catalog.Object(r.Object)
	if obj == nil {
		return nil, reportInvalid(r.Name, []schema.Problem{{Path: "/object", Message: fmt.Sprintf("there is no object %q", r.Object)}})
	}
	if err := snap.mayDo(a, obj, "read"); err != nil {
		return nil, err
	}
	canonicalParts(r, obj)
	if err := checkFilterSize(r.Filter); err != nil {
		return nil, err
	}
	if problems := reportProblems(r, obj); len(problems) > 0 {
		return nil, reportInvalid(r.Name, problems)
	}
	if field := blockedReportField(snap.readRules(a, obj), *r); field != "" {
		return nil, errorOf(ErrForbidden, nil, "report.roleMayNotSee", field)
	}
	for i, role := range r.Roles {
		if _, ok := snap.roles[role]; !ok {
			return nil, reportInvalid(r.Name, []schema.Problem{{Path: fmt.Sprintf("/roles/%d", i), Message: fmt.Sprintf("there is no role %q", role)}})
		}
	}
	return obj, nil
}

// SaveReport saves a report: a shared one (administrators only), or with
// personal the actor's own. A report of the same name and owner is
// replaced. Its object must exist and be readable by the actor, its
// fields readable (FORBIDDEN naming the field otherwise), and its
// groups, measures, chart and limit sound (BAD_REQUEST with the path of
// each problem).
func (e *Engine) SaveReport(ctx context.Context, r Report, personal bool) (Report, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Report{}, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if r.Owner, err = definitionOwner(a, !personal, "report.adminOnlySave"); err != nil {
		return Report{}, err
	}
	if _, err := checkReport(snap, a, &r); err != nil {
		return Report{}, err
	}
	if err := e.storeReport(ctx, ts, snap, a, r); err != nil {
		return Report{}, err
	}
	return r, nil
}

// storeReport writes a checked report, audited as a metadata change.
func (e *Engine) storeReport(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, r Report) error {
	extra := map[string]any{"object": r.Object, "name": r.Name}
	if r.Owner != "" {
		extra["owner"] = r.Owner
	}
	return e.putDefinition(ctx, ts, snap, a, reportDefinitions, reportID(r.Name, r.Owner), r.Owner, jsonMap(r), extra)
}

// decodeReport reads a stored report.
func decodeReport(rec store.Record) (Report, error) {
	var r Report
	b, _ := json.Marshal(rec.Data["definition"])
	if err := json.Unmarshal(b, &r); err != nil {
		return Report{}, fmt.Errorf("stored report %q: %w", rec.ID, err)
	}
	return r, nil
}

// loadReports reads the shared reports and, when owner is not "", that
// principal's own; object "" means of every object.
func loadReports(ctx context.Context, r store.Reader, snap *snapshot, object, owner string) ([]Report, error) {
	reports := snap.platform[reportObject]
	if reports == nil {
		return nil, nil
	}
	owners := []any{""}
	if owner != "" {
		owners = append(owners, owner)
	}
	f := store.Leaf("ownerId", store.OpIn, owners)
	if object != "" {
		f = store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, object), f}}
	}
	page, err := r.Find(ctx, reports, store.Query{Filter: &f, Sort: []store.Sort{{Field: "name"}}, Limit: maxReports})
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	out := make([]Report, 0, len(page.Records))
	for _, rec := range page.Records {
		rep, err := decodeReport(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}

// reportVisible reports whether the actor gets a report: it may read
// the report's object and every field the report uses, and a shared
// report limited to roles names the actor's (administrators get every
// shared report).
func reportVisible(snap *snapshot, a Actor, r Report) bool {
	obj := snap.catalog.Object(r.Object)
	if obj == nil || snap.mayDo(a, obj, "read") != nil {
		return false
	}
	if r.Owner == "" && len(r.Roles) > 0 && !a.Admin && !slices.Contains(r.Roles, a.Role) {
		return false
	}
	return blockedReportField(snap.readRules(a, obj), r) == ""
}

// Reports returns the reports the actor gets, of one object or ("") of
// every object: the shared ones, then its own, each by name. Shared
// reports limited to other roles, and reports over objects or fields
// the actor may not read, are left out.
func (e *Engine) Reports(ctx context.Context, object string) ([]Report, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if object != "" {
		if _, err := objectIn(snap.catalog, object); err != nil {
			return nil, err
		}
	}
	all, err := loadReports(ctx, ts, snap, object, a.ID)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(r Report) bool { return !reportVisible(snap, a, r) })
	slices.SortStableFunc(out, func(x, y Report) int { return sharedFirst(x.Owner, x.Name, y.Owner, y.Name) })
	return out, nil
}

// Report returns the report of that name the actor gets: its own first,
// then the shared one. NOT_FOUND when there is none, or none the actor
// may see.
func (e *Engine) Report(ctx context.Context, name string) (Report, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Report{}, err
	}
	return e.report(ctx, sc.ts, sc.snap, sc.actor, name)
}

// report finds the report the actor gets by name.
func (e *Engine) report(ctx context.Context, r store.Reader, snap *snapshot, a Actor, name string) (Report, error) {
	if reports := snap.platform[reportObject]; reports != nil {
		for _, id := range []string{reportID(name, a.ID), reportID(name, "")} {
			rec, err := r.Get(ctx, reports, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return Report{}, fmt.Errorf("read report %q: %w", id, err)
			}
			rep, err := decodeReport(rec)
			if err != nil {
				return Report{}, err
			}
			if reportVisible(snap, a, rep) {
				return rep, nil
			}
		}
	}
	return Report{}, errorOf(ErrNotFound, nil, "report.notFound", name)
}

// DeleteReport deletes a shared report (administrators only) or, with
// personal, one of the actor's own. NOT_FOUND when there is none.
func (e *Engine) DeleteReport(ctx context.Context, name string, personal bool) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	owner, err := definitionOwner(a, !personal, "report.adminOnlyDelete")
	if err != nil {
		return err
	}
	return e.dropReport(ctx, ts, snap, a, name, owner, true)
}

// dropReport deletes one report, audited; a missing one is NOT_FOUND
// when mustExist.
func (e *Engine) dropReport(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, name, owner string, mustExist bool) error {
	found, err := e.deleteDefinition(ctx, ts, snap, a, reportDefinitions, reportID(name, owner))
	if err == nil && !found && mustExist {
		return errorOf(ErrNotFound, nil, "report.notFound", name)
	}
	return err
}

// objectReports returns the ids of the reports (shared and personal) of
// an object.
func objectReports(ctx context.Context, r store.Reader, snap *snapshot, name string) ([]string, error) {
	reports := snap.platform[reportObject]
	if reports == nil {
		return nil, nil
	}
	var ids []string
	f := store.Leaf("object", store.OpEq, name)
	q := store.Query{Filter: &f, Limit: 500}
	for {
		page, err := r.Find(ctx, reports, q)
		if err != nil {
			return nil, fmt.Errorf("reports of %s: %w", name, err)
		}
		for _, rec := range page.Records {
			ids = append(ids, rec.ID)
		}
		if !page.HasMore || len(page.Records) == 0 {
			return ids, nil
		}
		q.After = &store.Position{ID: page.Records[len(page.Records)-1].ID}
	}
}
