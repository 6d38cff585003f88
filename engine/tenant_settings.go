package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // tenants' zones, wherever the binary runs

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// A tenant's settings say how it counts time and money: its time zone
// (what "today" is, when a date's reminder fires, when a schedule's
// "9 o'clock" is, how dates group in reports), its language, its
// currency, the month its fiscal year starts and its working week. They
// live in one crmSetting record, are read with the metadata (a change
// bumps the revision, so every server sees it on its next request) and
// apply from the change on.

// tenantSettingsID is the crmSetting record of the tenant's settings.
const tenantSettingsID = "tenant"

// TenantSettings are a tenant's settings.
type TenantSettings struct {
	// TimeZone is an IANA zone name ("Asia/Shanghai").
	TimeZone string `json:"timeZone"`
	// Locale is the language the tenant works in: "zh-CN" or "en-US".
	Locale string `json:"locale"`
	// Currency is the ISO 4217 code of the tenant's money ("CNY").
	Currency string `json:"currency"`
	// FiscalYearStart is the month (1–12) the fiscal year starts in.
	FiscalYearStart int `json:"fiscalYearStart"`
	// WorkingDays are the days of the working week, ISO numbers (1 is
	// Monday, 7 Sunday), ascending.
	WorkingDays []int `json:"workingDays"`
	// WorkdayStart is when the working day starts ("09:00"): a reminder
	// due on a date fires then.
	WorkdayStart string `json:"workdayStart"`
}

// DefaultTenantSettings are the settings of a tenant that set none: a
// Chinese business.
func DefaultTenantSettings() TenantSettings {
	return TenantSettings{
		TimeZone: "Asia/Shanghai", Locale: "zh-CN", Currency: "CNY",
		FiscalYearStart: 1, WorkingDays: []int{1, 2, 3, 4, 5}, WorkdayStart: "09:00",
	}
}

// TenantSettingsChange is a change to the settings: nil fields keep their
// value.
type TenantSettingsChange struct {
	TimeZone        *string
	Locale          *string
	Currency        *string
	FiscalYearStart *int
	WorkingDays     []int // nil keeps them
	WorkdayStart    *string
}

// Locales are the languages a tenant may work in.
var Locales = []string{"zh-CN", "en-US"}

// tenantClock is a tenant's settings made ready to use: the zone loaded
// and the start of the working day as an offset from midnight.
type tenantClock struct {
	settings TenantSettings
	zone     *time.Location
	dayStart time.Duration
}

// defaultClock is the clock of a tenant without settings.
var defaultClock = mustClock(DefaultTenantSettings())

func mustClock(s TenantSettings) tenantClock {
	c, err := clockOf(s)
	if err != nil {
		panic(fmt.Sprintf("engine: default tenant settings: %v", err))
	}
	return c
}

// clockOf checks settings and makes their clock.
func clockOf(s TenantSettings) (tenantClock, error) {
	zone, err := loadZone(s.TimeZone)
	if err != nil {
		return tenantClock{}, err
	}
	start, err := time.Parse("15:04", s.WorkdayStart)
	if err != nil || len(s.WorkdayStart) != 5 {
		return tenantClock{}, fmt.Errorf("workday start %q is not a time of day HH:MM", s.WorkdayStart)
	}
	return tenantClock{settings: s, zone: zone, dayStart: time.Duration(start.Hour())*time.Hour + time.Duration(start.Minute())*time.Minute}, nil
}

// loadZone loads an IANA zone by name. "Local" and "" are refused: a
// tenant's zone must not depend on the machine the server runs on.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	zone, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	zones.Store(name, zone) // bounded by the zone database's names
	return zone, nil
}

// zones are the zones loaded, by name, shared by the tenants (loading one
// reads and parses its file: 1.4 KiB a tenant otherwise).
var zones sync.Map

// today is the tenant's date at t.
func (c tenantClock) today(t time.Time) string { return t.In(c.zone).Format(schema.DateLayout) }

// clock is the tenant's clock at this snapshot.
func (s *snapshot) clock() tenantClock {
	if s.tenantClock == nil {
		return defaultClock
	}
	return *s.tenantClock
}

// zone is the tenant's time zone at this snapshot.
func (s *snapshot) zone() *time.Location { return s.clock().zone }

// loadTenantSettings reads the tenant's settings into a snapshot. A
// stored value no API writes (the record edited by hand) leaves the
// defaults in force for what it gets wrong.
func loadTenantSettings(ctx context.Context, r store.Reader, snap *snapshot) error {
	s, err := tenantSettingsIn(ctx, r, snap.platform[settingObject])
	if err != nil {
		return err
	}
	c, err := clockOf(s)
	if err != nil {
		c = defaultClock
	}
	snap.tenantClock = &c
	return nil
}

func tenantSettingsIn(ctx context.Context, r store.Reader, settings *schema.Object) (TenantSettings, error) {
	s := DefaultTenantSettings()
	if settings == nil {
		return s, nil
	}
	rec, err := r.Get(ctx, settings, tenantSettingsID)
	if errors.Is(err, store.ErrNotFound) {
		return s, nil
	} else if err != nil {
		return s, fmt.Errorf("read the tenant's settings: %w", err)
	}
	text, _ := rec.Data["value"].(string)
	stored := DefaultTenantSettings()
	if err := json.Unmarshal([]byte(text), &stored); err != nil || checkTenantSettings(stored) != nil {
		return s, nil
	}
	return stored, nil
}

// TenantSettings returns the tenant's settings. Any signed-in caller may
// read them: the web app formats dates and money with them.
func (e *Engine) TenantSettings(ctx context.Context) (TenantSettings, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return TenantSettings{}, err
	}
	return cloneSettings(sc.snap.clock().settings), nil
}

func cloneSettings(s TenantSettings) TenantSettings {
	s.WorkingDays = slices.Clone(s.WorkingDays)
	return s
}

// checkTenantSettings returns the first problem of s as an engine error.
func checkTenantSettings(s TenantSettings) error {
	if _, err := loadZone(s.TimeZone); err != nil {
		return errorOf(ErrBadRequest, err, "settings.badTimeZone", clipText(s.TimeZone, 64))
	}
	if !slices.Contains(Locales, s.Locale) {
		return errorOf(ErrBadRequest, nil, "settings.badLocale", clipText(s.Locale, 20), strings.Join(Locales, ", "))
	}
	if _, ok := schema.Currency(s.Currency); !ok {
		return errorOf(ErrBadRequest, nil, "settings.badCurrency", clipText(s.Currency, 20))
	}
	if s.FiscalYearStart < 1 || s.FiscalYearStart > 12 {
		return errorOf(ErrBadRequest, nil, "settings.badFiscalYearStart", s.FiscalYearStart)
	}
	if len(s.WorkingDays) == 0 || len(s.WorkingDays) > 7 {
		return errorOf(ErrBadRequest, nil, "settings.badWorkingDays")
	}
	for i, d := range s.WorkingDays {
		if d < 1 || d > 7 || (i > 0 && d <= s.WorkingDays[i-1]) {
			return errorOf(ErrBadRequest, nil, "settings.badWorkingDays")
		}
	}
	if _, err := clockOf(s); err != nil {
		return errorOf(ErrBadRequest, err, "settings.badWorkdayStart", clipText(s.WorkdayStart, 20))
	}
	return nil
}

// SetTenantSettings changes the tenant's settings. Administrators only;
// audited as a metadata change. A new time zone or start of the working
// day moves the reminders (time triggers) not yet fired to their new
// moments, in the same transaction.
func (e *Engine) SetTenantSettings(ctx context.Context, ch TenantSettingsChange) (TenantSettings, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return TenantSettings{}, err
	}
	if !sc.actor.Admin {
		return TenantSettings{}, errorOf(ErrForbidden, nil, "settings.adminOnly")
	}
	old := sc.snap.clock().settings
	next := cloneSettings(old)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&next.TimeZone, ch.TimeZone)
	set(&next.Locale, ch.Locale)
	set(&next.Currency, ch.Currency)
	if ch.Currency != nil {
		next.Currency = strings.ToUpper(next.Currency)
	}
	set(&next.WorkdayStart, ch.WorkdayStart)
	if ch.FiscalYearStart != nil {
		next.FiscalYearStart = *ch.FiscalYearStart
	}
	if ch.WorkingDays != nil {
		days := slices.Clone(ch.WorkingDays)
		slices.Sort(days)
		next.WorkingDays = slices.Compact(days)
	}
	if err := checkTenantSettings(next); err != nil {
		return TenantSettings{}, err
	}
	if settingsEqual(old, next) {
		return next, nil
	}
	clock, err := clockOf(next)
	if err != nil {
		return TenantSettings{}, err // checked above
	}
	settings, err := e.platformObject(ctx, sc.ts, sc.snap, settingObject)
	if err != nil {
		return TenantSettings{}, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return TenantSettings{}, err
	}
	oldText, err := json.Marshal(old)
	if err != nil {
		return TenantSettings{}, err
	}
	text, err := json.Marshal(next)
	if err != nil {
		return TenantSettings{}, err
	}
	retime := old.TimeZone != next.TimeZone || old.WorkdayStart != next.WorkdayStart
	var jobs *schema.Object // a new currency recomputes converted amounts
	if old.Currency != next.Currency {
		if jobs, err = e.platformObject(ctx, sc.ts, sc.snap, jobObject); err != nil {
			return TenantSettings{}, err
		}
	}
	now := e.stamp()
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, settings, tenantSettingsID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.Insert(ctx, settings, store.Record{ID: tenantSettingsID, Version: 1, CreatedAt: now, UpdatedAt: now,
				CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: map[string]any{"value": string(text)}})
		case err == nil:
			upd := cur
			upd.Data = map[string]any{"value": string(text)}
			upd.Version, upd.UpdatedAt, upd.UpdatedBy = cur.Version+1, now, sc.actor.ID
			err = tx.Update(ctx, settings, upd, cur.Version)
		}
		if err != nil {
			return fmt.Errorf("store the tenant's settings: %w", err)
		}
		if retime {
			if err := w.retime(ctx, tx, clock); err != nil {
				return err
			}
		}
		if jobs != nil {
			if err := e.enqueueConvertJobs(ctx, tx, sc.snap, jobs, sc.actor); err != nil {
				return err
			}
		}
		if err := w.auditAs(ctx, tx, AuditMetadata, settingObject, tenantSettingsID, 0,
			map[string]any{"tenantSettings": map[string]any{"old": string(oldText), "new": string(text)}}); err != nil {
			return err
		}
		return tx.BumpMetaRevision(ctx)
	})
	if err != nil {
		return TenantSettings{}, fmt.Errorf("save the tenant's settings: %w", err)
	}
	return next, nil
}

func settingsEqual(a, b TenantSettings) bool {
	return slices.Equal(a.WorkingDays, b.WorkingDays) && a.TimeZone == b.TimeZone && a.Locale == b.Locale && a.Currency == b.Currency &&
		a.FiscalYearStart == b.FiscalYearStart && a.WorkdayStart == b.WorkdayStart
}

// retime moves the pending reminders of time automations to the moments
// the clock gives them, in tx; the writer counts with clock from then on.
// A timer the worker would find out of step moves then too (fireTimer):
// this spares the ones moved earlier from firing late.
func (w *writer) retime(ctx context.Context, tx store.Tx, clock tenantClock) error {
	w.newClock = &clock
	if w.timers == nil {
		return nil
	}
	pending := store.Leaf("status", store.OpEq, "pending")
	var after *store.Position
	for {
		page, err := tx.Find(ctx, w.timers, store.Query{Filter: &pending, Limit: 500, After: after})
		if err != nil {
			return fmt.Errorf("read the pending reminders to move: %w", err)
		}
		for _, t := range page.Records {
			objName, _ := t.Data["object"].(string)
			recID, _ := t.Data["record"].(string)
			obj := w.snap.catalog.Object(objName)
			if obj == nil { // a task's reminder (a moment) or a gone object's
				continue
			}
			rec, err := tx.Get(ctx, obj, recID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("read %s %q to move its reminders: %w", obj.Name, recID, err)
			}
			// Timers this inserts come later in id order and are found
			// in step when the walk reaches them.
			if err := w.scheduleTimers(ctx, tx, obj, rec); err != nil {
				return err
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			return nil
		}
		after = &store.Position{ID: page.Records[len(page.Records)-1].ID}
	}
}
