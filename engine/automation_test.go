package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

const taskDef = `{"$id": "task", "type": "object", "properties": {
  "subject": {"type": "string", "x-crm-type": "text"},
  "deal":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "lead"},
  "owner":   {"type": "string", "x-crm-type": "text"}},
  "required": ["subject"]}`

const leadDef = `{"$id": "lead", "type": "object", "properties": {
  "name":      {"type": "string", "x-crm-type": "text"},
  "amount":    {"type": "number", "x-crm-type": "currency"},
  "priority":  {"type": "string", "enum": ["normal", "high"], "x-crm-type": "picklist"},
  "owner":     {"type": "string", "x-crm-type": "text"},
  "reminded":  {"type": "boolean", "x-crm-type": "boolean"},
  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
  "stage":     {"type": "string", "enum": ["open", "won", "lost"], "default": "open", "x-crm-type": "picklist",
    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}, {"value": "lost", "category": "lost"}]}}},
  "required": ["name"],
  "x-crm-automations": [
    {"name": "bigDeal", "trigger": {"event": "saved"}, "condition": {"field": "amount", "op": "gt", "value": 100000},
     "actions": [{"type": "setFields", "values": {"priority": "high"}},
                 {"type": "notify", "recipients": ["role:admin"], "message": {"zh": "大单：{{name}}", "en": "Big deal: {{name}}"}}]},
    {"name": "assign", "trigger": {"event": "created"}, "actions": [{"type": "assignRoundRobin", "field": "owner", "values": ["li", "wang", "zhao"]}]},
    {"name": "wonTask", "trigger": {"event": "stageEntered", "field": "stage", "stages": ["won"]},
     "actions": [{"type": "createRecord", "object": "task", "values": {"subject": "交付 {{name}}", "deal": "{{id}}", "owner": "{{owner}}"}},
                 {"type": "webhook", "url": "https://erp.example.com/hooks/won"}]},
    {"name": "closeReminder", "trigger": {"event": "time", "dateField": "closeDate", "offsetDays": -1},
     "condition": {"field": "stage", "op": "eq", "value": "open"},
     "actions": [{"type": "notify", "recipients": ["user:{{owner}}"], "message": {"zh": "{{name}} 明天截止"}},
                 {"type": "setFields", "values": {"reminded": true}}]}
  ]}`

// automationEngine is an engine with the lead and task objects, a
// controllable clock, and an admin context.
func automationEngine(t *testing.T) (*engine.Engine, context.Context, *testkit.Clock) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.AsActor("user:li"), testkit.WithClock(clk), testkit.WithObjects(taskDef, leadDef))
	for _, name := range []string{"li", "boss"} { // administrators: role:admin reaches both
		_, err := tn.Engine.CreateUser(tn.Admin, "acme", engine.NewUser{Username: name, Password: "correct horse battery"})
		require.NoError(t, err)
	}
	return tn.Engine, tn.Admin, clk
}

func TestAutomation_FieldActions(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := automationEngine(t)
	var owners []any
	for _, amount := range []float64{200000, 10, 5, 7} {
		rec, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "华为云", "amount": amount})
		require.NoError(t, err)
		owners = append(owners, rec.Data["owner"])
		if amount > 100000 {
			assert.Equal(t, "high", rec.Data["priority"], "condition holds: the field is set in the same write")
		} else {
			assert.Nil(t, rec.Data["priority"], "condition false: nothing set")
		}
	}
	assert.Equal(t, []any{"li", "wang", "zhao", "li"}, owners, "round robin in turn")

	rec, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "x", "amount": 1.0})
	require.NoError(t, err)
	rec, err = eng.UpdateRecord(ctx, "lead", rec.ID, map[string]any{"amount": 500000.0}, nil)
	require.NoError(t, err)
	assert.Equal(t, "high", rec.Data["priority"], "saved fires on updates too")
	assert.Equal(t, "wang", rec.Data["owner"], "created does not fire on updates")
}

func TestAutomation_EffectsAreAtomicWithTheWrite(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := automationEngine(t)
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "比亚迪", "amount": 150000.0})
	require.NoError(t, err)
	notes, err := eng.Notifications(ctx, "", 10)
	require.NoError(t, err)
	require.Len(t, notes, 1, "the notification of bigDeal, to the administrators but li, who made the change")
	assert.Equal(t, "boss", notes[0].Recipient)
	assert.Equal(t, schema.Label{Zh: "大单：比亚迪", En: "Big deal: 比亚迪"}, notes[0].Message)
	assert.Equal(t, lead.ID, notes[0].RecordID)

	_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	tasks, err := eng.ListRecords(ctx, "task", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, tasks.Records, 1)
	assert.Equal(t, map[string]any{"subject": "交付 比亚迪", "deal": lead.ID, "owner": "li"}, tasks.Records[0].Data)
	assert.Equal(t, "user:li", tasks.Records[0].CreatedBy)
	entries, err := eng.Outbox(ctx, engine.OutboxPending, 10)
	require.NoError(t, err)
	var webhooks []engine.OutboxEntry
	for _, e := range entries {
		if e.Kind == "webhook" {
			webhooks = append(webhooks, e)
		}
	}
	require.Len(t, webhooks, 1)
	assert.Equal(t, "https://erp.example.com/hooks/won", webhooks[0].URL)
	assert.Equal(t, lead.ID, webhooks[0].Payload["record"].(map[string]any)["id"])

	// A write that fails leaves no effect behind.
	_, err = eng.CreateRecord(ctx, "lead", map[string]any{"amount": 900000.0}) // no name
	require.Error(t, err)
	after, err := eng.Outbox(ctx, "", 10)
	require.NoError(t, err)
	assert.Len(t, after, len(entries))
	notes, err = eng.Notifications(ctx, "", 10)
	require.NoError(t, err)
	assert.Len(t, notes, 2, "the move to won saved the big deal again; the failed write notified nobody")
}

func TestAutomation_LoopIsStopped(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := automationEngine(t)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "echo", "type": "object", "properties": {"n": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "again", "trigger": {"event": "created"}, "actions": [{"type": "createRecord", "object": "echo", "values": {"n": "{{n}}!"}}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "echo", map[string]any{"n": "a"})
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "automations nested more than 5 deep (echo.again → echo.again → echo.again → echo.again → echo.again → echo.again)")
	page, err := eng.ListRecords(ctx, "echo", engine.ListQuery{})
	require.NoError(t, err)
	assert.Empty(t, page.Records, "nothing of the loop was written")
}

func TestAutomation_BadEffectNamesTheRule(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := automationEngine(t)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "note", "type": "object", "properties": {"text": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "mkTask", "trigger": {"event": "created"}, "actions": [{"type": "createRecord", "object": "task", "values": {"owner": "x"}}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "note", map[string]any{"text": "a"})
	assert.ErrorContains(t, err, `automation "mkTask" of note could not create a task record: task subject is required`)
	assert.Equal(t, `note的自动化规则“mkTask”无法创建task记录：task subject 必填`, engine.PublicMessage(err, "zh"),
		"the cause is in the caller's language too")
}

// receiver is a Deliverer that records calls, fails while told to, and
// keeps the effect of each delivery id once, as an idempotent receiver
// does.
type receiver struct {
	mu       sync.Mutex
	calls    []worker.Delivery
	effects  map[string]int
	failures int
	block    chan struct{} // when set, Deliver waits for it or ctx
}

func (r *receiver) Deliver(ctx context.Context, d worker.Delivery) error {
	r.mu.Lock()
	r.calls = append(r.calls, d)
	block := r.block
	if r.failures > 0 {
		r.failures--
		r.mu.Unlock()
		return errors.New("502 bad gateway")
	}
	r.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.effects == nil {
		r.effects = map[string]int{}
	}
	r.effects[d.ID]++
	return nil
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func TestWorker_RetriesWithBackoffThenDeadLetter(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := automationEngine(t)
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "n"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)

	rcv := &receiver{failures: 2}
	cfg := worker.Config{Webhooks: rcv, MaxAttempts: 3, BaseBackoff: 10 * time.Second}
	stats, err := worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Failed)
	_, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, rcv.count(), "not before the backoff")
	clk.Advance(10 * time.Second)
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Failed, "second failure")
	clk.Advance(10 * time.Second)
	_, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 2, rcv.count(), "the second backoff is twice the first")
	clk.Advance(10 * time.Second)
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Delivered)
	d := rcv.calls[2]
	assert.Equal(t, rcv.calls[0].ID, d.ID, "the same idempotency key on every attempt")
	assert.Equal(t, 3, d.Attempt)
	assert.NotEmpty(t, d.Secret)
	assert.Contains(t, string(d.Body), `"rule":"wonTask"`)

	// An endpoint that never answers ends in the dead letters.
	lead2, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "m"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "lead", lead2.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	rcv.failures = 100
	for range 3 {
		_, err = worker.RunDue(ctx, eng.Queues(), cfg)
		require.NoError(t, err)
		clk.Advance(time.Hour)
	}
	dead, err := eng.Outbox(ctx, engine.OutboxDead, 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, 3, dead[0].Attempts)
	assert.Equal(t, "502 bad gateway", dead[0].LastError)

	rcv.failures = 0
	retried, err := eng.RetryOutbox(ctx, dead[0].ID)
	require.NoError(t, err)
	assert.Equal(t, engine.OutboxPending, retried.Status)
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Delivered)
	_, err = eng.RetryOutbox(ctx, dead[0].ID)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "a delivered entry is not sent again")
}

// TestWorker_StopMidDeliveryThenRestart stops the worker while a delivery
// is in flight: after a restart every action is delivered, each once at
// the receiver.
func TestWorker_StopMidDeliveryThenRestart(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := automationEngine(t)
	for i := range 3 {
		lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": string(rune('a' + i))})
		require.NoError(t, err)
		_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"stage": "won"}, nil)
		require.NoError(t, err)
	}
	rcv := &receiver{block: make(chan struct{})}
	workerCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		_, _ = worker.RunDue(workerCtx, eng.Queues(), worker.Config{Webhooks: rcv, Lease: time.Minute})
		close(done)
	}()
	require.Eventually(t, func() bool { return rcv.count() == 1 }, 10*time.Second, time.Millisecond, "the first delivery is in flight")
	stop() // the process goes away mid-delivery
	<-done

	rcv.mu.Lock()
	rcv.block = nil
	rcv.mu.Unlock()
	cfg := worker.Config{Webhooks: rcv, Lease: time.Minute}
	stats, err := worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 2, stats.Delivered, "the entry in flight is leased")
	clk.Advance(time.Minute)
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Delivered, "after the lease it is delivered")

	pending, err := eng.Outbox(ctx, engine.OutboxPending, 10)
	require.NoError(t, err)
	var webhooksPending int
	for _, e := range pending {
		if e.Kind == "webhook" {
			webhooksPending++
		}
	}
	assert.Zero(t, webhooksPending)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	assert.Len(t, rcv.effects, 3, "every action arrived")
	for id, n := range rcv.effects {
		assert.Equal(t, 1, n, "once: %s", id)
	}
}

func TestTimer_FiresAtItsTime(t *testing.T) {
	t.Parallel()
	eng, ctx, clk := automationEngine(t)
	lead, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "宁德时代", "closeDate": "2026-05-10"})
	require.NoError(t, err)
	other, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "已赢", "closeDate": "2026-05-10"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "lead", other.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	cfg := worker.Config{Webhooks: &receiver{}}

	// A date's reminder fires when the working day starts in the tenant's
	// zone: 09:00 in Shanghai by default.
	cst := time.FixedZone("CST", 8*3600)
	clk.Set(time.Date(2026, 5, 9, 8, 59, 0, 0, cst)) // due 2026-05-09 09:00
	stats, err := worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "not yet")

	// Moving the date reschedules; the old moment never fires.
	_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"closeDate": "2026-05-12"}, nil)
	require.NoError(t, err)
	clk.Set(time.Date(2026, 5, 9, 10, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 0, stats.Timers, "the won lead's condition is false and the other moved")

	clk.Set(time.Date(2026, 5, 11, 9, 0, 0, 0, cst))
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, stats.Timers)
	assert.Zero(t, stats.Delivered, "the timer's notification is written as it fires, not delivered later")
	got, err := eng.GetRecord(ctx, "lead", lead.ID)
	require.NoError(t, err)
	assert.Equal(t, true, got.Data["reminded"])
	assert.Equal(t, "automation", got.UpdatedBy)
	notes, err := eng.Notifications(ctx, "li", 10)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	assert.Equal(t, "宁德时代 明天截止", notes[0].Message.Zh)

	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "a timer fires once")
	_, err = eng.UpdateRecord(ctx, "lead", lead.ID, map[string]any{"name": "宁德时代（二期）"}, nil)
	require.NoError(t, err)
	stats, err = worker.RunDue(ctx, eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Zero(t, stats.Timers, "an unrelated change does not re-arm it")
}

var _ store.Store = (*sqlitestore.Store)(nil)
