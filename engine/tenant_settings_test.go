package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

func TestTenantSettings_DefaultsChecksAndAccess(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	eng, ctx := tn.Engine, tn.Admin
	rep := tn.As(engine.Actor{ID: "user:rep", Role: "rep"})

	s, err := eng.TenantSettings(rep)
	require.NoError(t, err, "any signed-in caller reads them")
	assert.Equal(t, engine.DefaultTenantSettings(), s)
	assert.Equal(t, engine.TenantSettings{TimeZone: "Asia/Shanghai", Locale: "zh-CN", Currency: "CNY", FiscalYearStart: 1,
		WorkingDays: []int{1, 2, 3, 4, 5}, WorkdayStart: "09:00"}, s, "a Chinese business by default")

	_, err = eng.SetTenantSettings(rep, engine.TenantSettingsChange{Currency: ptr("USD")})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	bad := []struct {
		ch   engine.TenantSettingsChange
		says string
	}{
		{engine.TenantSettingsChange{TimeZone: ptr("Mars/Olympus")}, "Mars/Olympus"},
		{engine.TenantSettingsChange{TimeZone: ptr("Local")}, "Local"},
		{engine.TenantSettingsChange{TimeZone: ptr("")}, "IANA"},
		{engine.TenantSettingsChange{Locale: ptr("fr-FR")}, "zh-CN, en-US"},
		{engine.TenantSettingsChange{Currency: ptr("RMB")}, "RMB"},
		{engine.TenantSettingsChange{Currency: ptr("元")}, "ISO 4217"},
		{engine.TenantSettingsChange{FiscalYearStart: ptr(13)}, "13"},
		{engine.TenantSettingsChange{FiscalYearStart: ptr(0)}, "1 to 12"},
		{engine.TenantSettingsChange{WorkingDays: []int{}}, "working days"},
		{engine.TenantSettingsChange{WorkingDays: []int{1, 8}}, "working days"},
		{engine.TenantSettingsChange{WorkdayStart: ptr("9点")}, "9点"},
		{engine.TenantSettingsChange{WorkdayStart: ptr("25:00")}, "25:00"},
	}
	for _, b := range bad {
		_, err := eng.SetTenantSettings(ctx, b.ch)
		require.Error(t, err, b.says)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), b.says)
		assert.Contains(t, err.Error(), b.says)
	}
	s, err = eng.TenantSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.DefaultTenantSettings(), s, "nothing refused was kept")

	s, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{Currency: ptr(" usd "), FiscalYearStart: ptr(4),
		WorkingDays: []int{6, 1, 2, 3, 4, 5, 1}, Locale: ptr("en-US")})
	require.NoError(t, err)
	want := engine.TenantSettings{TimeZone: "Asia/Shanghai", Locale: "en-US", Currency: "USD", FiscalYearStart: 4,
		WorkingDays: []int{1, 2, 3, 4, 5, 6}, WorkdayStart: "09:00"}
	assert.Equal(t, want, s, "codes upper-cased, days sorted once each, the rest kept")
	s, err = eng.TenantSettings(rep)
	require.NoError(t, err)
	assert.Equal(t, want, s, "every caller sees the change at once")

	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "crmSetting", First: 10})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	assert.Contains(t, entries[0].Changes, "tenantSettings", "audited as a metadata change")
}

// A date's reminder fires when the tenant's working day starts, in its
// time zone; changing the zone or the start moves the reminders not yet
// fired, in the same change.
func TestTenantSettings_RemindersFollowTheClock(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := automationEngine(t)
	cst := time.FixedZone("CST", 8*3600)
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "宁德时代", "closeDate": "2026-05-10"})
	require.NoError(t, err)
	cfg := worker.Config{Webhooks: &receiver{}}
	reminded := func() bool {
		got, err := eng.GetRecord(ctx, "lead", lead.ID)
		require.NoError(t, err)
		return got.Data["reminded"] == true
	}

	_, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{WorkdayStart: ptr("08:30")})
	require.NoError(t, err)
	clk.Set(time.Date(2026, 5, 9, 8, 29, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.False(t, reminded())

	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	_, err = eng.SetTenantSettings(ctx, engine.TenantSettingsChange{TimeZone: ptr("Europe/Berlin")})
	require.NoError(t, err)
	clk.Set(time.Date(2026, 5, 9, 8, 30, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.False(t, reminded(), "08:30 in Shanghai is not 08:30 in Berlin")
	clk.Set(time.Date(2026, 5, 9, 8, 29, 0, 0, berlin))
	stats, err := worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Zero(t, stats.Timers)
	clk.Set(time.Date(2026, 5, 9, 8, 30, 0, 0, berlin))
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	assert.True(t, reminded(), "at the start of Berlin's working day")
}

// A rule changed after its reminders were scheduled moves them when they
// come due, instead of dropping them: the record was not written, so no
// write moved them.
func TestTenantSettings_ReminderOfAChangedRuleMoves(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := automationEngine(t)
	cst := time.FixedZone("CST", 8*3600)
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "比亚迪", "closeDate": "2026-05-10"})
	require.NoError(t, err)
	def := []byte(`{"$id": "lead", "type": "object", "properties": {
	  "name":      {"type": "string", "x-crm-type": "text"},
	  "reminded":  {"type": "boolean", "x-crm-type": "boolean"},
	  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"}},
	  "required": ["name"],
	  "x-crm-automations": [
	    {"name": "closeReminder", "trigger": {"event": "time", "dateField": "closeDate", "offsetDays": -1, "offsetHours": 5},
	     "actions": [{"type": "setFields", "values": {"reminded": true}}]}]}`)
	_, err = eng.SaveObject(ctx, def, engine.SaveOptions{Clear: []string{"amount", "priority", "owner", "stage"}})
	require.NoError(t, err)
	cfg := worker.Config{Webhooks: &receiver{}}

	clk.Set(time.Date(2026, 5, 9, 9, 0, 0, 0, cst)) // the old moment
	stats, err := worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "the rule now says 14:00")
	clk.Set(time.Date(2026, 5, 9, 14, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	got, err := eng.GetRecord(ctx, "lead", lead.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["reminded"])
}
