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

const leaseDef = `{"$id": "lease", "type": "object", "properties": {
  "name":     {"type": "string", "x-crm-type": "text"},
  "endsOn":   {"type": "string", "format": "date", "x-crm-type": "date"},
  "reminded": {"type": "boolean", "x-crm-type": "boolean"}}}`

const leaseWithReminder = `{"$id": "lease", "type": "object", "properties": {
  "name":     {"type": "string", "x-crm-type": "text"},
  "endsOn":   {"type": "string", "format": "date", "x-crm-type": "date"},
  "reminded": {"type": "boolean", "x-crm-type": "boolean"}},
  "x-crm-automations": [
    {"name": "endReminder", "trigger": {"event": "time", "dateField": "endsOn", "offsetDays": -3},
     "actions": [{"type": "setFields", "values": {"reminded": true}}]}]}`

// A time rule added to an object with records reaches the records nobody
// writes again: those whose moment is still ahead get a timer; those whose
// moment has passed get none (no burst of stale reminders).
func TestTimerJob_NewRuleReachesExistingRecords(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(leaseDef))
	eng, ctx := tn.Engine, tn.Admin
	ids := map[string]string{}
	for name, ends := range map[string]any{"ahead": "2026-05-20", "past": "2026-05-05", "long gone": "2025-12-31", "open-ended": nil} {
		rec, err := eng.CreateRecord(ctx, "lease", map[string]any{"name": name, "endsOn": ends})
		require.NoError(t, err)
		ids[name] = rec.ID
	}

	_, err := eng.SaveObject(ctx, []byte(leaseWithReminder), engine.SaveOptions{})
	require.NoError(t, err)
	runJobs(t, tn)
	jobs, err := eng.Jobs(ctx, 10)
	require.NoError(t, err)
	require.NotEmpty(t, jobs)
	assert.Equal(t, engine.JobScheduleTimers, jobs[0].Kind)
	assert.Equal(t, engine.JobDone, jobs[0].Status)
	assert.Equal(t, int64(4), jobs[0].Done)
	assert.Equal(t, int64(1), jobs[0].Changed, "one lease has its moment ahead")

	// Saving the same rules again starts nothing.
	_, err = eng.SaveObject(ctx, []byte(leaseWithReminder), engine.SaveOptions{})
	require.NoError(t, err)
	again, err := eng.Jobs(ctx, 10)
	require.NoError(t, err)
	assert.Len(t, again, len(jobs))

	cst := time.FixedZone("CST", 8*3600)
	clk.Set(time.Date(2026, 5, 17, 9, 0, 0, 0, cst)) // three days before the 20th, working day start
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	for name, id := range ids {
		rec, err := eng.GetRecord(ctx, "lease", id)
		require.NoError(t, err)
		if name == "ahead" {
			assert.Equal(t, true, rec.Data["reminded"], name)
		} else {
			assert.Nil(t, rec.Data["reminded"], name)
		}
	}
}

// Moving a rule to another moment schedules the records again at the new
// one.
func TestTimerJob_MovedRuleReschedules(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(leaseWithReminder))
	eng, ctx := tn.Engine, tn.Admin
	rec, err := eng.CreateRecord(ctx, "lease", map[string]any{"name": "A 座", "endsOn": "2026-05-20"})
	require.NoError(t, err)

	_, err = eng.SaveObject(ctx, []byte(`{"$id": "lease", "type": "object", "properties": {
  "name":     {"type": "string", "x-crm-type": "text"},
  "endsOn":   {"type": "string", "format": "date", "x-crm-type": "date"},
  "reminded": {"type": "boolean", "x-crm-type": "boolean"}},
  "x-crm-automations": [
    {"name": "endReminder", "trigger": {"event": "time", "dateField": "endsOn", "offsetDays": -10},
     "actions": [{"type": "setFields", "values": {"reminded": true}}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	runJobs(t, tn)

	cst := time.FixedZone("CST", 8*3600)
	clk.Set(time.Date(2026, 5, 10, 9, 0, 0, 0, cst))
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers, "due ten days before now")
	got, err := eng.GetRecord(ctx, "lease", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["reminded"])

	clk.Set(time.Date(2026, 5, 17, 9, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "the old moment is gone")
}

// A time rule whose own write moves the date it fires on ("remind again
// later") fires, and its write schedules the next reminder.
func TestTimer_RuleMovingItsOwnDate(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(`{"$id": "lease", "type": "object", "properties": {
  "name":     {"type": "string", "x-crm-type": "text"},
  "endsOn":   {"type": "string", "format": "date", "x-crm-type": "date"},
  "reminded": {"type": "boolean", "x-crm-type": "boolean"}},
  "x-crm-automations": [
    {"name": "extend", "trigger": {"event": "time", "dateField": "endsOn", "offsetDays": -3},
     "actions": [{"type": "setFields", "values": {"reminded": true, "endsOn": "2026-06-30"}}]}]}`))
	eng, ctx := tn.Engine, tn.Admin
	rec, err := eng.CreateRecord(ctx, "lease", map[string]any{"name": "B 座", "endsOn": "2026-05-20"})
	require.NoError(t, err)

	cst := time.FixedZone("CST", 8*3600)
	clk.Set(time.Date(2026, 5, 17, 9, 0, 0, 0, cst))
	stats, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	assert.Zero(t, stats.Failed)
	got, err := eng.GetRecord(ctx, "lease", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["reminded"])
	assert.Equal(t, "2026-06-30", got.Data["endsOn"])

	_, err = eng.UpdateRecord(ctx, "lease", rec.ID, map[string]any{"reminded": false}, nil)
	require.NoError(t, err)
	clk.Set(time.Date(2026, 6, 27, 9, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers, "the write of the first firing scheduled the next")
	got, err = eng.GetRecord(ctx, "lease", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["reminded"])
}
