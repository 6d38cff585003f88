package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// notifyFixture is a tenant with a hierarchy and a deal owned by li:
//
//	ceo (admin) ← mgr (sales, inactive) ← li (sales, team east)
//	wang (sales, team east), zhao (sales, team east, inactive), han (support)
type notifyFixture struct {
	e     *Engine
	admin context.Context
	ts    store.TenantStore
	deal  string // id of li's deal
}

func newNotifyFixture(t *testing.T) notifyFixture {
	t.Helper()
	ctx := context.Background()
	e, err := New(Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	admin := WithActor(ctx, Actor{TenantID: "acme", ID: "system", Admin: true})
	require.NoError(t, e.SaveRole(admin, Role{Name: "sales", Objects: map[string]ObjectAccess{"*": {Read: true, Create: true, Update: true}}}))
	require.NoError(t, e.SaveRole(admin, Role{Name: "support", Objects: map[string]ObjectAccess{"*": {Read: true}}}))
	pw := "correct horse battery"
	for _, u := range []NewUser{
		{Username: "ceo", DisplayName: "CEO", Role: AdminRole},
		{Username: "mgr", DisplayName: "Manager", Role: "sales", Manager: "ceo"},
		{Username: "li", DisplayName: "李雷", Role: "sales", Manager: "mgr", Team: "east", Email: " li@example.com ", Mobile: "138-0013 8000"},
		{Username: "wang", DisplayName: "王", Role: "sales", Team: "east"},
		{Username: "zhao", DisplayName: "赵", Role: "sales", Team: "east"},
		{Username: "han", DisplayName: "韩梅", Role: "support"},
	} {
		u.Password = pw
		_, err := e.CreateUser(admin, "acme", u)
		require.NoError(t, err, u.Username)
	}
	off := false
	for _, name := range []string{"mgr", "zhao"} {
		_, err := e.UpdateUser(admin, "acme", name, UserChange{Active: &off})
		require.NoError(t, err)
	}
	_, err = e.SaveObject(admin, []byte(`{"$id": "deal", "type": "object", "x-crm-label": {"zh": "商机", "en": "Deal"},
		"properties": {"name": {"type": "string", "x-crm-type": "text"}}}`), SaveOptions{})
	require.NoError(t, err)
	li := WithActor(ctx, Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	rec, err := e.CreateRecord(li, "deal", map[string]any{"name": "杭州项目"})
	require.NoError(t, err)
	ts, err := e.tenantStore(ctx, "acme")
	require.NoError(t, err)
	return notifyFixture{e: e, admin: admin, ts: ts, deal: rec.ID}
}

// send runs notify as actor in a transaction of its own; fail, when set,
// makes the transaction fail after notify.
func (f notifyFixture) send(t *testing.T, actor string, n notice, fail error) error {
	t.Helper()
	ctx := context.Background()
	snap, err := f.e.state(ctx, "acme", f.ts)
	require.NoError(t, err)
	w, err := f.e.newWriter(ctx, f.ts, snap, Actor{TenantID: "acme", ID: actor})
	require.NoError(t, err)
	return f.ts.WithTx(ctx, func(tx store.Tx) error {
		if err := w.notify(ctx, tx, n); err != nil {
			return err
		}
		return fail
	})
}

// entries returns the inbox entries of rule by user, and the outbox
// deliveries of rule.
func (f notifyFixture) entries(t *testing.T, rule string) (map[string][]store.Record, []store.Record) {
	t.Helper()
	ctx := context.Background()
	snap, err := f.e.state(ctx, "acme", f.ts)
	require.NoError(t, err)
	out := map[string][]store.Record{}
	if inbox := snap.platform[notificationObject]; inbox != nil {
		mine := store.Leaf("rule", store.OpEq, rule)
		page, err := f.ts.Find(ctx, inbox, store.Query{Filter: &mine})
		require.NoError(t, err)
		for _, r := range page.Records {
			u, _ := r.Data["user"].(string)
			out[u] = append(out[u], r)
		}
	}
	var deliveries []store.Record
	if ob := snap.platform[outboxObject]; ob != nil {
		only := store.Filter{And: []store.Filter{store.Leaf("kind", store.OpEq, "deliver"), store.Leaf("rule", store.OpEq, rule)}}
		page, err := f.ts.Find(ctx, ob, store.Query{Filter: &only, Sort: []store.Sort{{Field: "channel"}}})
		require.NoError(t, err)
		deliveries = page.Records
	}
	return out, deliveries
}

func usersOf(m map[string][]store.Record) []string {
	out := make([]string, 0, len(m))
	for u := range m {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

func msg(s string) schema.Label { return schema.Label{Zh: s, En: s} }

// TestWriter_Notify_Recipients: each kind of recipient resolves to the
// active users it names, each once; the actor is left out unless alone.
func TestWriter_Notify_Recipients(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	scenarios := []struct {
		name  string
		actor string
		to    []recipient
		want  []string
	}{
		{"a user, by name or user:NAME", "system", []recipient{{"user", "wang"}, {"user", "user:han"}}, []string{"han", "wang"}},
		{"an inactive or unknown user reaches nobody", "system", []recipient{{"user", "zhao"}, {"user", "ghost"}}, nil},
		{"a role: its active users only", "system", []recipient{{"role", "sales"}}, []string{"li", "wang"}},
		{"a team: its active members only", "system", []recipient{{"team", "east"}}, []string{"li", "wang"}},
		{"the record's owner", "system", []recipient{{"owner", ""}}, []string{"li"}},
		{"the owner's manager: the first active one up the chain", "system", []recipient{{"manager", ""}}, []string{"ceo"}},
		{"duplicates reach each user once", "system", []recipient{{"owner", ""}, {"user", "li"}, {"team", "east"}, {"role", "sales"}}, []string{"li", "wang"}},
		{"the actor is left out of several", "user:li", []recipient{{"team", "east"}}, []string{"wang"}},
		{"the actor alone is kept", "user:li", []recipient{{"owner", ""}}, []string{"li"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			g := f
			require.NoError(t, g.send(t, s.actor, notice{Kind: NoticeAutomation, To: s.to, Object: "deal", Record: g.deal, Message: msg("跟进"), Actor: s.actor, Rule: s.name}, nil))
			got, _ := g.entries(t, s.name)
			if s.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, s.want, usersOf(got))
			for u, es := range got {
				require.Len(t, es, 1, u)
				d := es[0].Data
				assert.Equal(t, NoticeAutomation, d["kind"])
				assert.Equal(t, "deal", d["object"])
				assert.Equal(t, g.deal, d["record"])
				assert.Equal(t, false, d["read"])
				assert.Equal(t, map[string]any{"zh": "跟进", "en": "跟进"}, d["message"])
				assert.Equal(t, s.name, d["rule"])
				if s.actor != "system" {
					assert.Equal(t, s.actor, d["actor"])
				}
			}
		})
	}
}

// setChannels stores user's channel choices as the preferences page does.
func (f notifyFixture) setChannels(t *testing.T, user string, channels map[string]any) {
	t.Helper()
	ctx := context.Background()
	snap, err := f.e.state(ctx, "acme", f.ts)
	require.NoError(t, err)
	prefs, err := f.e.platformObject(ctx, f.ts, snap, notificationPreferenceObject)
	require.NoError(t, err)
	require.NoError(t, f.ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, prefs, store.Record{ID: user, Version: 1, Data: map[string]any{"channels": channels}})
	}))
}

// TestWriter_Notify_Channels: each channel a user chose for the kind gets
// one outbox delivery with the user's addresses, the text and the link;
// other kinds and unknown channels get none.
func TestWriter_Notify_Channels(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	email, mobile := "li@example.com", "13800138000" // as the fixture gave them, normalised
	f.setChannels(t, "li", map[string]any{"approval": []any{"feishu", "email", "pager"}, "mention": []any{"wecom"}})

	n := notice{Kind: NoticeApproval, To: []recipient{{"owner", ""}, {"user", "wang"}}, Object: "deal", Record: f.deal,
		Message: schema.Label{Zh: "请审批", En: "Please approve"}, Actor: "user:han", Rule: "channels"}
	require.NoError(t, f.send(t, "user:han", n, nil))
	inbox, deliveries := f.entries(t, "channels")
	assert.Equal(t, []string{"li", "wang"}, usersOf(inbox))
	require.Len(t, deliveries, 2, "li's approval channels; wang chose none")
	for i, ch := range []string{"email", "feishu"} {
		d := deliveries[i].Data
		assert.Equal(t, "deliver", d["kind"])
		assert.Equal(t, ch, d["channel"])
		assert.Equal(t, OutboxPending, d["status"])
		assert.Equal(t, inbox["li"][0].ID, d["notification"])
		assert.Equal(t, map[string]any{
			"to":      map[string]any{"user": "li", "name": "李雷", "email": email, "mobile": mobile},
			"message": map[string]any{"zh": "请审批", "en": "Please approve"},
			"link":    "/o/deal/" + f.deal,
			"kind":    "approval",
		}, d["payload"])
	}

	n.Kind, n.Rule = NoticeTask, "other kind"
	require.NoError(t, f.send(t, "user:han", n, nil))
	_, deliveries = f.entries(t, "other kind")
	assert.Empty(t, deliveries, "li chose no channel for tasks")
}

// TestWriter_Notify_RolledBack: a write that fails after notify leaves no
// inbox entry and no delivery.
func TestWriter_Notify_RolledBack(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	f.setChannels(t, "wang", map[string]any{"system": []any{"email"}})
	boom := errors.New("boom")
	err := f.send(t, "system", notice{Kind: NoticeSystem, To: []recipient{{"user", "wang"}}, Message: msg("x"), Rule: "rollback"}, boom)
	require.ErrorIs(t, err, boom)
	inbox, deliveries := f.entries(t, "rollback")
	assert.Empty(t, inbox)
	assert.Empty(t, deliveries)

	require.NoError(t, f.send(t, "system", notice{Kind: NoticeSystem, To: []recipient{{"user", "wang"}}, Message: msg("x"), Rule: "rollback"}, nil))
	inbox, deliveries = f.entries(t, "rollback")
	assert.Len(t, inbox["wang"], 1)
	assert.Len(t, deliveries, 1)
	assert.NotContains(t, deliveries[0].Data["payload"], "record")
	assert.Equal(t, "", deliveries[0].Data["payload"].(map[string]any)["link"], "no record, no link")
}

// TestWriter_Notify_Refused: malformed notices are refused with the
// catalogue's words and write nothing.
func TestWriter_Notify_Refused(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	scenarios := []struct {
		name string
		n    notice
		key  string
	}{
		{"unknown kind", notice{Kind: "gossip", To: []recipient{{"user", "li"}}, Message: msg("x")}, "notify.badKind"},
		{"no message", notice{Kind: NoticeSystem, To: []recipient{{"user", "li"}}, Message: schema.Label{Zh: " "}}, "notify.noMessage"},
		{"unknown recipient kind", notice{Kind: NoticeSystem, To: []recipient{{"everyone", ""}}, Message: msg("x")}, "notify.badRecipient"},
		{"a role without a name", notice{Kind: NoticeSystem, To: []recipient{{"role", ""}}, Message: msg("x")}, "notify.badRecipient"},
		{"owner without a record", notice{Kind: NoticeSystem, To: []recipient{{"owner", ""}}, Message: msg("x")}, "notify.ownerNeedsRecord"},
		{"owner of an unknown object", notice{Kind: NoticeSystem, To: []recipient{{"manager", ""}}, Object: "ghost", Record: "r1", Message: msg("x")}, "notify.noObject"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			s.n.Rule = "refused"
			err := f.send(t, "system", s.n, nil)
			var ee *Error
			require.ErrorAs(t, err, &ee)
			assert.EqualValues(t, s.key, ee.Key)
			assert.NotEmpty(t, ee.MessageZh)
		})
	}
	inbox, _ := f.entries(t, "refused")
	assert.Empty(t, inbox)
}

// TestWriter_Notify_Bounds: texts are cut to maxNoticeMessage characters,
// a missing language takes the other, and more than MaxNoticeRecipients
// users are refused.
func TestWriter_Notify_Bounds(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	long := strings.Repeat("长", maxNoticeMessage+10)
	require.NoError(t, f.send(t, "system", notice{Kind: NoticeSystem, To: []recipient{{"user", "li"}}, Message: schema.Label{Zh: long}, Rule: "long"}, nil))
	inbox, _ := f.entries(t, "long")
	m := inbox["li"][0].Data["message"].(map[string]any)
	assert.Equal(t, maxNoticeMessage, utf8.RuneCountInString(m["zh"].(string)))
	assert.Equal(t, m["zh"], m["en"])

	users := map[string]User{}
	for i := range MaxNoticeRecipients + 1 {
		users[fmt.Sprintf("u%04d", i)] = User{Username: fmt.Sprintf("u%04d", i), Role: "crowd", Active: true}
	}
	w := &writer{snap: &snapshot{users: users}}
	_, err := w.recipients(context.Background(), nil, notice{Kind: NoticeSystem, To: []recipient{{"role", "crowd"}}})
	var ee *Error
	require.ErrorAs(t, err, &ee)
	assert.EqualValues(t, "notify.tooManyRecipients", ee.Key)
	delete(users, "u0000")
	got, err := w.recipients(context.Background(), nil, notice{Kind: NoticeSystem, To: []recipient{{"role", "crowd"}}})
	require.NoError(t, err)
	assert.Len(t, got, MaxNoticeRecipients)
}

// TestActiveManager: the walk up skips inactive managers and stops at
// the top, at an unknown name and at a loop.
func TestActiveManager(t *testing.T) {
	t.Parallel()
	users := map[string]User{
		"a": {Username: "a", Manager: "b", Active: true},
		"b": {Username: "b", Manager: "c"},
		"c": {Username: "c", Manager: "d"},
		"d": {Username: "d", Active: true},
		"x": {Username: "x", Manager: "y", Active: true},
		"y": {Username: "y", Manager: "x"},
		"g": {Username: "g", Manager: "ghost", Active: true},
	}
	assert.Equal(t, "d", activeManager(users, "a"))
	assert.Equal(t, "", activeManager(users, "d"))
	assert.Equal(t, "", activeManager(users, "x"), "a loop of inactive managers")
	assert.Equal(t, "", activeManager(users, "g"))
	assert.Equal(t, "", activeManager(users, "nobody"))
}
