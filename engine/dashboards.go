package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Dashboards: a named row of report cards. Like reports they are
// platform records (crmDashboard), shared (administrators save them,
// optionally for some roles only) or personal, and carried by templates.
// A card shows one report; a caller gets the cards of the reports it
// gets (see [Engine.Reports]), so a dashboard never shows what its
// reader could not run.

const dashboardObject = "crmDashboard"

// Dashboard is a saved dashboard.
type Dashboard struct {
	Name  string          `json:"name"`
	Label schema.Label    `json:"label"`
	Cards []DashboardCard `json:"cards"`
	// Roles limit a shared dashboard to the users of these roles (and
	// administrators); empty: everyone.
	Roles []string `json:"roles,omitempty"`
	// Owner is "" for a shared dashboard, else the principal whose own it
	// is.
	Owner string `json:"owner,omitempty"`
}

// DashboardCard is one card of a dashboard: a report, shown Width 24ths
// of the row wide on a desktop (a phone shows one card per row).
type DashboardCard struct {
	Report string `json:"report"`
	Width  int    `json:"width"`
}

// Bounds of dashboards.
const (
	// MaxDashboardCards bounds the cards of one dashboard.
	MaxDashboardCards = 24
	// maxDashboards bounds the dashboards one principal sees.
	maxDashboards = 500
)

// dashboardProblems checks a dashboard's shape: name, label, cards and
// their widths, roles. Whether its reports exist is checked where they
// can be read.
func dashboardProblems(d *Dashboard) []schema.Problem {
	var problems []schema.Problem
	add := func(path, format string, args ...any) {
		problems = append(problems, schema.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if !reportNamePattern.MatchString(d.Name) {
		add("/name", "%q is not a dashboard name: letters and digits, starting with a lower-case letter, at most 40", d.Name)
	}
	if d.Label.Zh == "" && d.Label.En == "" {
		d.Label = schema.Label{Zh: d.Name, En: d.Name}
	}
	if len(d.Cards) == 0 || len(d.Cards) > MaxDashboardCards {
		add("/cards", "a dashboard has 1 to %d cards, not %d", MaxDashboardCards, len(d.Cards))
	}
	for i, c := range d.Cards {
		if !reportNamePattern.MatchString(c.Report) {
			add(fmt.Sprintf("/cards/%d/report", i), "%q is not a report name", c.Report)
		}
		if c.Width < 1 || c.Width > 24 {
			add(fmt.Sprintf("/cards/%d/width", i), "a card is 1 to 24 columns wide, not %d", c.Width)
		}
	}
	for i, role := range d.Roles {
		if !roleNamePattern.MatchString(role) {
			add(fmt.Sprintf("/roles/%d", i), "%q is not a role name", role)
		}
	}
	if d.Owner != "" && len(d.Roles) > 0 {
		add("/roles", "a personal dashboard is its owner's alone: roles apply to shared dashboards")
	}
	return problems
}

// missingCard is a card of a dashboard whose report is not there: its
// index among the cards and the report it names.
type missingCard struct {
	card   int
	report string
}

// missingCards returns the cards of d whose report has says is not
// there, in card order.
func missingCards(d Dashboard, has func(report string) bool) []missingCard {
	var out []missingCard
	for i, c := range d.Cards {
		if !has(c.Report) {
			out = append(out, missingCard{card: i, report: c.Report})
		}
	}
	return out
}

// cardsInvalid is the cause of the VALIDATION_FAILED of a dashboard
// whose cards name missing reports: a problem for each card (numbered
// from 1 in the words, from 0 in the path), saying where the report was
// looked for.
func cardsInvalid(name string, missing []missingCard, why string) *schema.DefinitionError {
	problems := make([]schema.Problem, len(missing))
	for i, m := range missing {
		problems[i] = schema.Problem{Path: fmt.Sprintf("/cards/%d/report", m.card), Message: fmt.Sprintf("card %d names report %q, %s", m.card+1, m.report, why)}
	}
	de, _ := definitionProblems("dashboard", name, problems)
	return de
}

func dashboardInvalid(name string, problems []schema.Problem) error {
	de, text := definitionProblems("dashboard", name, problems)
	return errorOf(ErrBadRequest, de, "dashboard.invalid", name, text)
}

// SaveDashboard saves a dashboard: a shared one (administrators only),
// or with personal the actor's own. Its cards must name reports that
// exist: shared ones for a shared dashboard, ones the actor gets (shared
// or its own) for a personal one.
func (e *Engine) SaveDashboard(ctx context.Context, d Dashboard, personal bool) (Dashboard, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if d.Owner, err = definitionOwner(a, !personal, "dashboard.adminOnlySave"); err != nil {
		return Dashboard{}, err
	}
	if problems := dashboardProblems(&d); len(problems) > 0 {
		return Dashboard{}, dashboardInvalid(d.Name, problems)
	}
	for i, role := range d.Roles {
		if _, ok := snap.roles[role]; !ok {
			return Dashboard{}, dashboardInvalid(d.Name, []schema.Problem{{Path: fmt.Sprintf("/roles/%d", i), Message: fmt.Sprintf("there is no role %q", role)}})
		}
	}
	// A shared dashboard names shared reports (each reader gets the cards
	// of those it may run); a personal one names reports its owner gets.
	var reports map[string]Report
	if personal {
		reports, err = e.visibleReports(ctx, ts, snap, a)
	} else {
		reports, err = sharedReports(ctx, ts, snap)
	}
	if err != nil {
		return Dashboard{}, err
	}
	if missing := missingCards(d, func(name string) bool { _, ok := reports[name]; return ok }); len(missing) > 0 {
		de := cardsInvalid(d.Name, missing, "which does not exist")
		return Dashboard{}, errorOf(ErrBadRequest, de, "dashboard.missingReport", d.Name, missing[0].card+1, missing[0].report)
	}
	if err := e.storeDashboard(ctx, ts, snap, a, d); err != nil {
		return Dashboard{}, err
	}
	return d, nil
}

// storeDashboard writes a checked dashboard, audited.
func (e *Engine) storeDashboard(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, d Dashboard) error {
	extra := map[string]any{"name": d.Name}
	if d.Owner != "" {
		extra["owner"] = d.Owner
	}
	return e.putDefinition(ctx, ts, snap, a, dashDefinitions, reportID(d.Name, d.Owner), d.Owner, jsonMap(d), extra)
}

// DashboardView is a dashboard as one caller gets it: the cards of the
// reports it gets, each with its report.
type DashboardView struct {
	Dashboard
	Reports []Report // one per card of Dashboard.Cards
}

// Dashboards returns the dashboards the actor gets: shared ones (those
// limited to other roles left out), then its own, each by name, with
// the cards of reports it does not get dropped.
func (e *Engine) Dashboards(ctx context.Context) ([]DashboardView, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	all, err := loadDashboards(ctx, ts, snap, a.ID)
	if err != nil {
		return nil, err
	}
	reports, err := e.visibleReports(ctx, ts, snap, a)
	if err != nil {
		return nil, err
	}
	var out []DashboardView
	for _, d := range all {
		if dashboardVisible(a, d) {
			out = append(out, withReports(d, reports))
		}
	}
	slices.SortStableFunc(out, func(x, y DashboardView) int { return sharedFirst(x.Owner, x.Name, y.Owner, y.Name) })
	return out, nil
}

// Dashboard returns the dashboard of that name the actor gets: its own
// first, then the shared one; NOT_FOUND when there is none.
func (e *Engine) Dashboard(ctx context.Context, name string) (DashboardView, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return DashboardView{}, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if dashboards := snap.platform[dashboardObject]; dashboards != nil {
		for _, id := range []string{reportID(name, a.ID), reportID(name, "")} {
			rec, err := ts.Get(ctx, dashboards, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return DashboardView{}, fmt.Errorf("read dashboard %q: %w", id, err)
			}
			d, err := decodeDashboard(rec)
			if err != nil {
				return DashboardView{}, err
			}
			if !dashboardVisible(a, d) {
				continue
			}
			reports, err := e.visibleReports(ctx, ts, snap, a)
			if err != nil {
				return DashboardView{}, err
			}
			return withReports(d, reports), nil
		}
	}
	return DashboardView{}, errorOf(ErrNotFound, nil, "dashboard.notFound", name)
}

// visibleReports returns the reports the actor gets by name, its own
// in place of shared ones of the same name.
func (e *Engine) visibleReports(ctx context.Context, r store.Reader, snap *snapshot, a Actor) (map[string]Report, error) {
	all, err := loadReports(ctx, r, snap, "", a.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]Report{}
	for _, shared := range []bool{true, false} {
		for _, rep := range all {
			if (rep.Owner == "") == shared && reportVisible(snap, a, rep) {
				out[rep.Name] = rep
			}
		}
	}
	return out, nil
}

// sharedReports returns the shared reports by name.
func sharedReports(ctx context.Context, r store.Reader, snap *snapshot) (map[string]Report, error) {
	all, err := loadReports(ctx, r, snap, "", "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Report, len(all))
	for _, rep := range all {
		out[rep.Name] = rep
	}
	return out, nil
}

// withReports keeps the cards of d whose report the caller gets.
func withReports(d Dashboard, reports map[string]Report) DashboardView {
	v := DashboardView{Dashboard: d}
	v.Cards = nil
	for _, c := range d.Cards {
		if r, ok := reports[c.Report]; ok {
			v.Cards = append(v.Cards, c)
			v.Reports = append(v.Reports, r)
		}
	}
	return v
}

// dashboardVisible reports whether a dashboard is for the actor.
func dashboardVisible(a Actor, d Dashboard) bool {
	return d.Owner != "" || len(d.Roles) == 0 || a.Admin || slices.Contains(d.Roles, a.Role)
}

func decodeDashboard(rec store.Record) (Dashboard, error) {
	var d Dashboard
	b, _ := json.Marshal(rec.Data["definition"])
	if err := json.Unmarshal(b, &d); err != nil {
		return Dashboard{}, fmt.Errorf("stored dashboard %q: %w", rec.ID, err)
	}
	return d, nil
}

// loadDashboards reads the shared dashboards and those of owner.
func loadDashboards(ctx context.Context, r store.Reader, snap *snapshot, owner string) ([]Dashboard, error) {
	dashboards := snap.platform[dashboardObject]
	if dashboards == nil {
		return nil, nil
	}
	f := store.Leaf("ownerId", store.OpIn, []any{"", owner})
	page, err := r.Find(ctx, dashboards, store.Query{Filter: &f, Sort: []store.Sort{{Field: "name"}}, Limit: maxDashboards})
	if err != nil {
		return nil, fmt.Errorf("read dashboards: %w", err)
	}
	out := make([]Dashboard, 0, len(page.Records))
	for _, rec := range page.Records {
		d, err := decodeDashboard(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// DeleteDashboard deletes a shared dashboard (administrators only) or,
// with personal, one of the actor's own. NOT_FOUND when there is none.
func (e *Engine) DeleteDashboard(ctx context.Context, name string, personal bool) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	owner, err := definitionOwner(a, !personal, "dashboard.adminOnlyDelete")
	if err != nil {
		return err
	}
	return e.dropDashboard(ctx, ts, snap, a, name, owner, true)
}

// dropDashboard deletes one dashboard, audited; a missing one is
// NOT_FOUND when mustExist.
func (e *Engine) dropDashboard(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, name, owner string, mustExist bool) error {
	found, err := e.deleteDefinition(ctx, ts, snap, a, dashDefinitions, reportID(name, owner))
	if err == nil && !found && mustExist {
		return errorOf(ErrNotFound, nil, "dashboard.notFound", name)
	}
	return err
}
