package worker

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deliverQueues is fakeQueues whose GiveUp succeeds.
type deliverQueues struct{ fakeQueues }

func (q *deliverQueues) Outbox(context.Context, string, int) (Outbox, []Entry, error) {
	return q, q.entries, nil
}

func (q *deliverQueues) GiveUp(_ context.Context, e Entry, reason string) error {
	q.calls = append(q.calls, "dead "+e.ID+": "+reason)
	return nil
}

// sender answers per recipient's user: "ok" is sent, "busy" fails for
// now, "bad" fails for good.
type sender struct{ sent []string }

func (s *sender) Send(_ context.Context, cfg ChannelConfig, n Note) error {
	s.sent = append(s.sent, cfg.Channel+" "+n.To.User+" "+n.MessageZh)
	switch n.To.User {
	case "busy":
		return errors.New("WeCom: error 45009: api freq out of limit")
	case "bad":
		return Permanent(errors.New("WeCom: error 93000: invalid webhook url"))
	}
	return nil
}

func note(user, kind string) map[string]any {
	return map[string]any{"kind": kind, "link": "/o/deal/1", "to": map[string]any{"user": user, "name": "N", "email": "n@example.com", "mobile": "13800000000"},
		"message": map[string]any{"zh": "你好", "en": "hello"}}
}

func TestRunDue_DeliverPolicy(t *testing.T) {
	t.Parallel()
	q := &deliverQueues{fakeQueues{entries: []Entry{
		{ID: "ok", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("ok", "approval")},
		{ID: "busy", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("busy", "approval"), Attempts: 1},
		{ID: "last", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("busy", "approval"), Attempts: 4},
		{ID: "bad", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("bad", "approval")},
		{ID: "kind", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("ok", "task")},
		{ID: "off", Kind: KindDeliver, Channel: ChannelDingTalk, Payload: note("ok", "task")},
		{ID: "down", Kind: KindDeliver, Channel: ChannelFeishu, Payload: note("ok", "task")},
		{ID: "empty", Kind: KindDeliver, Channel: ChannelEmail, Payload: map[string]any{"kind": "task"}},
	}}}
	s := &sender{}
	stats, err := RunDue(context.Background(), q, Config{Channels: s, MaxAttempts: 5, BaseBackoff: time.Second})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"claim ok", "channel wecom", "delivered ok",
		"claim busy", "channel wecom", "retry busy: WeCom: error 45009: api freq out of limit",
		"claim last", "channel wecom", "dead last: WeCom: error 45009: api freq out of limit",
		"claim bad", "channel wecom", "dead bad: WeCom: error 93000: invalid webhook url",
		"claim kind", "channel wecom", `skip kind: channel "wecom" does not take notifications of kind "task"`,
		"claim off", "channel dingtalk", `dead off: channel "dingtalk": the channel is not set up or is switched off`,
		"claim down", "channel feishu", `retry down: read the settings of channel "feishu": the tenant's store is down`,
		"claim empty", "channel email", "dead empty: deliver entry empty: the message is empty",
	}, q.calls)
	assert.Equal(t, []time.Duration{2 * time.Second, time.Second}, q.waits, "the second attempt waits twice the first")
	assert.Equal(t, []string{"wecom ok 你好", "wecom busy 你好", "wecom busy 你好", "wecom bad 你好"}, s.sent)
	assert.Equal(t, Stats{Delivered: 1, Failed: 2, Dead: 4, Skipped: 1}, stats)
}

// limitingSender answers with a rate limit for the robot "wecom".
type limitingSender struct{ sender }

func (s *limitingSender) Send(ctx context.Context, cfg ChannelConfig, n Note) error {
	_ = s.sender.Send(ctx, cfg, n)
	if cfg.Channel == ChannelWeCom {
		return RateLimited(errors.New("WeCom: error 45009: api freq out of limit"))
	}
	return nil
}

// TestRunDue_RateLimitStopsTheChannelForThePass: after a rate limit the
// channel's other entries are left due, their attempts untouched; other
// channels go on.
func TestRunDue_RateLimitStopsTheChannelForThePass(t *testing.T) {
	t.Parallel()
	q := &deliverQueues{fakeQueues{entries: []Entry{
		{ID: "w1", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("a", "approval")},
		{ID: "w2", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("b", "approval")},
		{ID: "e1", Kind: KindDeliver, Channel: ChannelEmail, Payload: note("c", "approval")},
		{ID: "w3", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("d", "approval")},
	}}}
	s := &limitingSender{}
	stats, err := RunDue(context.Background(), q, Config{Channels: s, BaseBackoff: time.Second})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"claim w1", "channel wecom", "retry w1: WeCom: error 45009: api freq out of limit",
		"claim e1", "channel email", "delivered e1",
	}, q.calls)
	assert.Equal(t, Stats{Delivered: 1, Failed: 1}, stats)
	assert.Equal(t, []time.Duration{time.Minute}, q.waits, "a rate limit waits out the services' minute, not the 1s backoff")
	assert.True(t, IsRateLimited(fmt.Errorf("wrapped: %w", RateLimited(errors.New("x")))))
	assert.Nil(t, RateLimited(nil))
}

// TestRunDue_RateLimitWaitsWhatTheServiceSays: a rate limit the service
// keeps for longer (DingTalk's 10 minutes, a Retry-After) is waited out,
// up to the longest backoff; a short one still waits a minute.
func TestRunDue_RateLimitWaitsWhatTheServiceSays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		said, want time.Duration
	}{
		{10 * time.Minute, 10 * time.Minute},
		{5 * time.Second, time.Minute},
		{-time.Hour, time.Minute},
		{3 * time.Hour, time.Hour},
	} {
		q := &deliverQueues{fakeQueues{entries: []Entry{{ID: "d1", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("a", "approval")}}}}
		s := senderFunc(func(context.Context, ChannelConfig, Note) error {
			return RateLimitedFor(errors.New("DingTalk: error 130101: send too fast"), c.said)
		})
		_, err := RunDue(context.Background(), q, Config{Channels: s, BaseBackoff: time.Second})
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{c.want}, q.waits, "said %s", c.said)
	}
	// A long backoff is not shortened by a short rate limit.
	q := &deliverQueues{fakeQueues{entries: []Entry{{ID: "d1", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("a", "approval"), Attempts: 8}}}}
	s := senderFunc(func(context.Context, ChannelConfig, Note) error { return RateLimited(errors.New("limited")) })
	_, err := RunDue(context.Background(), q, Config{Channels: s, BaseBackoff: 10 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{2560 * time.Second}, q.waits)
}

type senderFunc func(context.Context, ChannelConfig, Note) error

func (f senderFunc) Send(ctx context.Context, cfg ChannelConfig, n Note) error { return f(ctx, cfg, n) }

func TestRunDue_DeliverWaitsWithoutASender(t *testing.T) {
	t.Parallel()
	q := &deliverQueues{fakeQueues{entries: []Entry{{ID: "a", Kind: KindDeliver, Channel: ChannelWeCom, Payload: note("ok", "task")}}}}
	stats, err := RunDue(context.Background(), q, Config{})
	require.NoError(t, err)
	assert.Empty(t, q.calls)
	assert.Zero(t, stats)
}

func TestNoteOf(t *testing.T) {
	t.Parallel()
	n, err := NoteOf("e1", note("u1", "mention"))
	require.NoError(t, err)
	assert.Equal(t, Note{ID: "e1", Kind: "mention", Link: "/o/deal/1", MessageZh: "你好", MessageEn: "hello",
		To: Person{User: "u1", Name: "N", Email: "n@example.com", Mobile: "13800000000"}}, n)
	_, err = NoteOf("e2", "text")
	assert.ErrorContains(t, err, "not an object")
	assert.True(t, IsPermanent(Permanent(errors.New("x"))))
	assert.False(t, IsPermanent(errors.New("x")))
	assert.Nil(t, Permanent(nil))
	assert.True(t, ChannelConfig{}.Accepts("task"))
	assert.False(t, ChannelConfig{Kinds: []string{"approval"}}.Accepts("task"))
}
