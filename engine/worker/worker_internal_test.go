package worker

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func TestConfig_Backoff(t *testing.T) {
	t.Parallel()
	cfg := Config{BaseBackoff: 10 * time.Second, MaxBackoff: time.Minute}
	cfg.defaults()
	var got []time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		got = append(got, cfg.backoff(attempt))
	}
	assert.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}, got)
}

// fakeQueues is one tenant with an outbox of webhook entries; it records
// what the worker asked of it.
type fakeQueues struct {
	entries  []Entry
	claimErr error
	calls    []string
	waits    []time.Duration
	visits   []string
}

// failingTimers is fakeQueues whose timers cannot be read.
type failingTimers struct{ fakeQueues }

func (q *failingTimers) Timers(context.Context, string, int) (Timers, []Timer, error) {
	return nil, nil, errors.New("disk on fire")
}

// TestRunDue_Visited tells the queues about each visit after its steps,
// and whether one of them failed (the due index keeps such a tenant due
// soon).
func TestRunDue_Visited(t *testing.T) {
	t.Parallel()
	q := &fakeQueues{}
	_, err := RunDue(t.Context(), q, Config{})
	require.NoError(t, err)
	assert.Equal(t, []string{"t1 failed=false"}, q.visits)

	f := &failingTimers{}
	_, err = RunDue(t.Context(), f, Config{})
	require.ErrorContains(t, err, "disk on fire")
	assert.Equal(t, []string{"t1 failed=true"}, f.visits)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := &fakeQueues{}
	_, _ = RunDue(ctx, c, Config{})
	assert.Empty(t, c.visits, "a pass cut short visits nobody")
}

func (q *fakeQueues) Tenants(context.Context) ([]string, error)            { return []string{"t1"}, nil }
func (q *fakeQueues) Jobs(context.Context, string) (Jobs, []string, error) { return nil, nil, nil }
func (q *fakeQueues) Visited(_ context.Context, tenant string, failed bool) error {
	q.visits = append(q.visits, fmt.Sprintf("%s failed=%t", tenant, failed))
	return nil
}
func (q *fakeQueues) RunScheduled(context.Context, string) (int, error)      { return 0, nil }
func (q *fakeQueues) PurgeExpired(context.Context, string, int) (int, error) { return 0, nil }
func (q *fakeQueues) Timers(context.Context, string, int) (Timers, []Timer, error) {
	return nil, nil, nil
}
func (q *fakeQueues) Outbox(context.Context, string, int) (Outbox, []Entry, error) {
	return q, q.entries, nil
}
func (q *fakeQueues) Notify(context.Context, Entry) error    { return nil }
func (q *fakeQueues) Secret(context.Context) (string, error) { return "s", nil }
func (q *fakeQueues) Claim(_ context.Context, e Entry, _ time.Duration) (Entry, error) {
	q.calls = append(q.calls, "claim "+e.ID)
	return e, q.claimErr
}
func (q *fakeQueues) Delivered(_ context.Context, e Entry) error {
	q.calls = append(q.calls, "delivered "+e.ID)
	return nil
}
func (q *fakeQueues) Retry(_ context.Context, e Entry, reason string, wait time.Duration) error {
	q.calls, q.waits = append(q.calls, "retry "+e.ID+": "+reason), append(q.waits, wait)
	return nil
}
func (q *fakeQueues) GiveUp(_ context.Context, e Entry, reason string) error {
	q.calls = append(q.calls, "dead "+e.ID+": "+reason)
	return store.ErrConflict // changed meanwhile: not counted
}

func (q *fakeQueues) Skip(_ context.Context, e Entry, reason string) error {
	q.calls = append(q.calls, "skip "+e.ID+": "+reason)
	return nil
}

func (q *fakeQueues) Channel(_ context.Context, name string) (ChannelConfig, error) {
	q.calls = append(q.calls, "channel "+name)
	switch name {
	case ChannelWeCom:
		return ChannelConfig{Channel: name, Enabled: true, Kinds: []string{"approval"}}, nil
	case ChannelEmail:
		return ChannelConfig{Channel: name, Enabled: true}, nil
	case ChannelFeishu:
		return ChannelConfig{}, errors.New("the tenant's store is down")
	}
	return ChannelConfig{}, ErrChannelOff
}

type failing struct{}

func (failing) Deliver(context.Context, Delivery) error { return errors.New("502") }

func TestRunDue_DeliveryPolicy(t *testing.T) {
	t.Parallel()
	q := &fakeQueues{entries: []Entry{
		{ID: "a", Kind: KindWebhook, Attempts: 0},
		{ID: "b", Kind: KindWebhook, Attempts: 2},
		{ID: "c", Kind: KindWebhook, Attempts: 3},
	}}
	stats, err := RunDue(context.Background(), q, Config{Webhooks: failing{}, MaxAttempts: 4, BaseBackoff: time.Second})
	require.NoError(t, err)
	assert.Equal(t, []string{"claim a", "retry a: 502", "claim b", "retry b: 502", "claim c", "dead c: 502"}, q.calls)
	assert.Equal(t, []time.Duration{time.Second, 4 * time.Second}, q.waits, "the wait doubles with each attempt")
	assert.Equal(t, Stats{Failed: 2}, stats, "an entry changed meanwhile is not counted")

	q.calls, q.claimErr = nil, store.ErrConflict
	stats, err = RunDue(context.Background(), q, Config{Webhooks: failing{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"claim a", "claim b", "claim c"}, q.calls, "an entry another worker holds is left alone")
	assert.Zero(t, stats)
}

// fakeTimers fires "ok" and "gone" (which no longer applies) and fails
// "bad"; it records what the worker asked of it.
type fakeTimers struct {
	fakeQueues
	calls []string
}

func (q *fakeTimers) Timers(context.Context, string, int) (Timers, []Timer, error) {
	return q, []Timer{{ID: "bad", Rule: "r1"}, {ID: "ok", Rule: "r2"}, {ID: "gone", Rule: "r3"}}, nil
}

func (q *fakeTimers) Fire(_ context.Context, id string) (bool, error) {
	q.calls = append(q.calls, "fire "+id)
	if id == "bad" {
		return false, errors.New("the rule leaves the record invalid")
	}
	return id == "ok", nil
}

func (q *fakeTimers) Cancel(_ context.Context, id string) error {
	q.calls = append(q.calls, "cancel "+id)
	return nil
}

func TestRunDue_AFailingTimerIsClosedAndBlocksNoOther(t *testing.T) {
	t.Parallel()
	q := &fakeTimers{}
	stats, err := RunDue(context.Background(), q, Config{})
	require.NoError(t, err)
	assert.Equal(t, []string{"fire bad", "cancel bad", "fire ok", "fire gone"}, q.calls)
	assert.Equal(t, Stats{Timers: 1}, stats)
}
