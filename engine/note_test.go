package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// noteObjects: private leads with a hidden field for reps, deals with a
// pipeline, and calls marked as activities that name a deal.
var noteObjects = []string{
	`{"$id": "lead", "type": "object", "x-crm-sharing": "private", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"}, "secret": {"type": "string", "x-crm-type": "text"}}}`,
	`{"$id": "deal", "type": "object", "x-crm-label": {"zh": "商机", "en": "Deal"}, "required": ["title"], "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "amount": {"type": "number", "x-crm-type": "currency"},
	  "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`,
	`{"$id": "call", "type": "object", "x-crm-activity": true, "properties": {
	  "subject": {"type": "string", "x-crm-type": "text"},
	  "deal": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "deal"}}}`,
}

type noteTenant struct {
	*testkit.Tenant
	clock    *testkit.Clock
	wang, li context.Context // reps of teams east and west
	zhao     context.Context // a rep who may not read deals
}

func newNoteTenant(t *testing.T) noteTenant {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clock), testkit.WithObjects(noteObjects...))
	eng, ctx := tn.Engine, tn.Admin
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{
		"lead": {Read: true, Create: true, Update: true, Delete: true, Fields: map[string]string{"secret": engine.FieldHidden}},
		"deal": {Read: true, Create: true, Update: true},
		"call": {Read: true, Create: true},
	}}))
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "outsider", Objects: map[string]engine.ObjectAccess{
		"lead": {Read: true},
	}}))
	for _, u := range []engine.NewUser{{Username: "wang", Team: "east", Role: "rep", DisplayName: "王"}, {Username: "li", Team: "west", Role: "rep"},
		{Username: "zhao", Role: "outsider"}, {Username: "test", Role: engine.AdminRole}} {
		u.Password = "a long enough password"
		_, err := eng.CreateUser(tn.Background, "acme", u)
		require.NoError(t, err)
	}
	return noteTenant{Tenant: tn, clock: clock,
		wang: tn.As(engine.Actor{ID: "user:wang", Role: "rep"}),
		li:   tn.As(engine.Actor{ID: "user:li", Role: "rep"}),
		zhao: tn.As(engine.Actor{ID: "user:zhao", Role: "outsider"}),
	}
}

func TestNotes_AddListEditDelete(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	deal, err := eng.CreateRecord(tn.wang, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)

	n1, err := eng.AddNote(tn.wang, engine.NoteInput{Object: "deal", Record: deal.ID, Body: "客户要求下周报价 @li", Mentions: []string{"li", "user:li"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"user:li"}, n1.Mentions, "mentions resolve to user ids, each once")
	assert.Equal(t, "user:wang", n1.Author)
	tn.clock.Advance(time.Minute)
	reply, err := eng.AddNote(tn.li, engine.NoteInput{Object: "deal", Record: deal.ID, Body: "收到", Parent: n1.ID})
	require.NoError(t, err)
	tn.clock.Advance(time.Minute)
	nested, err := eng.AddNote(tn.wang, engine.NoteInput{Object: "deal", Record: deal.ID, Body: "好", Parent: reply.ID})
	require.NoError(t, err)
	assert.Equal(t, n1.ID, nested.Parent, "a reply to a reply answers the same note")

	page, err := eng.Notes(tn.li, "deal", deal.ID, 2, "")
	require.NoError(t, err)
	require.Len(t, page.Notes, 2)
	assert.Equal(t, []string{nested.ID, reply.ID}, []string{page.Notes[0].ID, page.Notes[1].ID}, "newest first")
	require.True(t, page.HasNextPage)
	page, err = eng.Notes(tn.li, "deal", deal.ID, 2, page.EndCursor)
	require.NoError(t, err)
	require.Len(t, page.Notes, 1)
	assert.Equal(t, n1.ID, page.Notes[0].ID)
	assert.False(t, page.HasNextPage)

	_, err = eng.EditNote(tn.li, n1.ID, "改一下", nil, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "only the author edits")
	stale := int64(7)
	_, err = eng.EditNote(tn.wang, n1.ID, "改一下", nil, &stale)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	edited, err := eng.EditNote(tn.wang, n1.ID, "客户要求周五前报价", []string{"li"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "客户要求周五前报价", edited.Body)
	assert.False(t, edited.EditedAt.IsZero())
	assert.Equal(t, int64(2), edited.Version)
	inbox := func(user string) []engine.Notification {
		t.Helper()
		ns, err := eng.Notifications(tn.Admin, user, 50)
		require.NoError(t, err)
		return ns
	}
	got := inbox("li")
	require.Len(t, got, 1, "a mention notifies once; an edit that adds no one notifies no one")
	assert.Equal(t, "王 在商机「年框」的备注中提到了你：客户要求下周报价 @li", got[0].Message.Zh)
	assert.Equal(t, deal.ID, got[0].RecordID)
	assert.Equal(t, "deal", got[0].Object)
	assert.Empty(t, inbox("wang"), "the author is not told of the reply to their note, nor of their own mention")
	_, err = eng.EditNote(tn.wang, n1.ID, "客户要求周五前报价 @test", []string{"li", "test", "wang"}, nil)
	require.NoError(t, err)
	assert.Len(t, inbox("test"), 1, "an edit notifies whom it adds")
	assert.Len(t, inbox("li"), 1)
	assert.Empty(t, inbox("wang"))

	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteNote(tn.li, n1.ID)), "only the author or an administrator deletes")
	require.NoError(t, eng.DeleteNote(tn.wang, n1.ID))
	page, err = eng.Notes(tn.wang, "deal", deal.ID, 0, "")
	require.NoError(t, err)
	assert.Empty(t, page.Notes, "its replies went with it")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteNote(tn.wang, n1.ID)))
}

func TestNotes_RefusesBadInputAndStrangers(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	lead, err := eng.CreateRecord(tn.wang, "lead", map[string]any{"name": "王的线索"})
	require.NoError(t, err)
	other, err := eng.CreateRecord(tn.wang, "lead", map[string]any{"name": "另一条"})
	require.NoError(t, err)
	theirs, err := eng.AddNote(tn.wang, engine.NoteInput{Object: "lead", Record: other.ID, Body: "x"})
	require.NoError(t, err)

	scenarios := []struct {
		name   string
		in     engine.NoteInput
		fields map[string]string
	}{
		{"empty body", engine.NoteInput{Body: "  \n"}, map[string]string{"body": "required"}},
		{"too long", engine.NoteInput{Body: strings.Repeat("长", engine.MaxNoteBody+1)}, map[string]string{"body": "maxLength"}},
		{"not UTF-8", engine.NoteInput{Body: "a\xffb"}, map[string]string{"body": "encoding"}},
		{"unknown user", engine.NoteInput{Body: "hi", Mentions: []string{"nobody"}}, map[string]string{"mentions": "unknown"}},
		{"a user who may not see the record", engine.NoteInput{Body: "hi", Mentions: []string{"li"}}, map[string]string{"mentions": "forbidden"}},
		{"too many mentions", engine.NoteInput{Body: "hi", Mentions: make([]string, engine.MaxNoteMentions+1)}, map[string]string{"mentions": "maxItems"}},
		{"a reply to another record's note", engine.NoteInput{Body: "hi", Parent: theirs.ID}, map[string]string{"parent": "lookup"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			in := s.in
			in.Object, in.Record = "lead", lead.ID
			_, err := eng.AddNote(tn.wang, in)
			require.Error(t, err)
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
			assert.Equal(t, s.fields, fieldErrors(t, err))
		})
	}
	page, err := eng.Notes(tn.wang, "lead", lead.ID, 0, "")
	require.NoError(t, err)
	assert.Empty(t, page.Notes, "nothing was written")

	_, err = eng.AddNote(tn.li, engine.NoteInput{Object: "lead", Record: lead.ID, Body: "hi"})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another team's private lead")
	_, err = eng.Notes(tn.li, "lead", lead.ID, 0, "")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = eng.EditNote(tn.li, theirs.ID, "y", nil, nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a note of a record out of sight is no note")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteNote(tn.li, theirs.ID)))

	pub, err := eng.CreateRecord(tn.Admin, "lead", map[string]any{"name": "公共"})
	require.NoError(t, err)
	_, err = eng.TransferRecord(tn.Admin, "lead", pub.ID, "user:zhao")
	require.NoError(t, err)
	_, err = eng.Notes(tn.zhao, "lead", pub.ID, 0, "")
	require.NoError(t, err, "who reads a record reads its notes")
	_, err = eng.AddNote(tn.zhao, engine.NoteInput{Object: "lead", Record: pub.ID, Body: "hi"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "who may not change it adds none")
	_, err = eng.AddNote(tn.wang, engine.NoteInput{Object: "nosuch", Record: pub.ID, Body: "hi"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.AddNote(tn.wang, engine.NoteInput{Object: "crmUser", Record: "wang", Body: "hi"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "platform objects have no notes")
	_, err = eng.Notes(tn.wang, "lead", pub.ID, engine.MaxPageSize+1, "")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

func TestTasks_LifecycleAndLists(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	deal, err := eng.CreateRecord(tn.wang, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)
	str := func(s string) *string { return &s }

	// 2026-03-02 09:00 in Shanghai; "today" runs to 2026-03-03 00:00 +08:00.
	today, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str(" 回访客户 "), Due: str("2026-03-02T15:00:00+08:00"), Object: "deal", Record: deal.ID})
	require.NoError(t, err)
	assert.Equal(t, "回访客户", today.Subject)
	assert.Equal(t, "user:wang", today.Assignee, "the caller's by default")
	assert.Equal(t, "normal", today.Priority)
	assert.Equal(t, engine.TaskOpen, today.Status)
	late, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("报价"), Due: str("2026-03-01"), Priority: str("high")})
	require.NoError(t, err)
	later, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("合同"), Due: str("2026-03-09")})
	require.NoError(t, err)
	forLi, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("给李"), Assignee: str("li"), Object: "deal", Record: deal.ID})
	require.NoError(t, err)
	assert.Equal(t, "user:li", forLi.Assignee)

	ids := func(q engine.TaskQuery) []string {
		t.Helper()
		page, err := eng.MyTasks(tn.wang, q)
		require.NoError(t, err)
		out := []string{}
		for _, t := range page.Tasks {
			out = append(out, t.ID)
		}
		return out
	}
	assert.Equal(t, []string{today.ID}, ids(engine.TaskQuery{Filter: "today"}))
	assert.Equal(t, []string{late.ID}, ids(engine.TaskQuery{Filter: "overdue"}))
	assert.Equal(t, []string{late.ID, today.ID, later.ID}, ids(engine.TaskQuery{}), "open, by due")

	done, err := eng.CompleteTask(tn.wang, late.ID)
	require.NoError(t, err)
	assert.Equal(t, engine.TaskDone, done.Status)
	assert.Equal(t, "user:wang", done.CompletedBy)
	assert.Equal(t, []string{late.ID}, ids(engine.TaskQuery{Filter: "done"}))
	assert.Empty(t, ids(engine.TaskQuery{Filter: "overdue"}))
	assert.Len(t, ids(engine.TaskQuery{Filter: "all"}), 3)

	page, err := eng.RecordTasks(tn.li, "deal", deal.ID, 0, "")
	require.NoError(t, err)
	require.Len(t, page.Tasks, 2)
	assert.Equal(t, forLi.ID, page.Tasks[0].ID, "the newest first")

	// Who may change and see.
	_, err = eng.UpdateTask(tn.li, later.ID, engine.TaskInput{Subject: str("x")}, nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another's task without a record is out of sight")
	_, err = eng.GetTask(tn.li, today.ID)
	require.NoError(t, err, "who reads the record reads its tasks")
	_, err = eng.UpdateTask(tn.li, today.ID, engine.TaskInput{Subject: str("x")}, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "but changes only their own")
	_, err = eng.CompleteTask(tn.li, forLi.ID)
	require.NoError(t, err, "the assignee completes it")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteTask(tn.li, forLi.ID)), "only the creator deletes")
	require.NoError(t, eng.DeleteTask(tn.wang, forLi.ID))
	_, err = eng.GetTask(tn.wang, forLi.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	// Bad input: every problem at once, nothing written.
	_, err = eng.CreateTask(tn.wang, engine.TaskInput{Subject: str(""), Due: str("next week"), Priority: str("urgent"), Assignee: str("nobody"), Notes: str(strings.Repeat("x", engine.MaxTaskNotes+1))})
	assert.Equal(t, map[string]string{"subject": "required", "due": "format", "priority": "enum", "assignee": "unknown", "notes": "maxLength"}, fieldErrors(t, err))
	_, err = eng.UpdateTask(tn.wang, later.ID, engine.TaskInput{Status: str("maybe")}, nil)
	assert.Equal(t, map[string]string{"status": "enum"}, fieldErrors(t, err))
	_, err = eng.UpdateTask(tn.wang, later.ID, engine.TaskInput{Object: "deal", Record: deal.ID}, nil)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	lead, err := eng.CreateRecord(tn.wang, "lead", map[string]any{"name": "私有"})
	require.NoError(t, err)
	_, err = eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("x"), Assignee: str("li"), Object: "lead", Record: lead.ID})
	assert.Equal(t, map[string]string{"assignee": "forbidden"}, fieldErrors(t, err), "an assignee who may not see the record")
	_, err = eng.CreateTask(tn.li, engine.TaskInput{Subject: str("x"), Object: "lead", Record: lead.ID})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = eng.MyTasks(tn.wang, engine.TaskQuery{Filter: "soon"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.Len(t, ids(engine.TaskQuery{Filter: "all"}), 3, "nothing was written")
}

// TestTasks_ReminderFiresOnceAtTheDueMoment runs the worker's timer step
// with a clock moved by hand.
func TestTasks_ReminderFiresOnceAtTheDueMoment(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	str := func(s string) *string { return &s }
	task, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("回访"), Due: str("2026-03-02T03:00:00Z"), Assignee: str("li")})
	require.NoError(t, err)
	moved, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("改期"), Due: str("2026-03-02T02:00:00Z")})
	require.NoError(t, err)
	_, err = eng.UpdateTask(tn.wang, moved.ID, engine.TaskInput{Due: str("2026-03-02T05:00:00Z")}, nil)
	require.NoError(t, err)
	doneEarly, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("提前完成"), Due: str("2026-03-02T02:30:00Z")})
	require.NoError(t, err)
	_, err = eng.CompleteTask(tn.wang, doneEarly.ID)
	require.NoError(t, err)

	fired := func() int {
		t.Helper()
		stats, err := runTimers(t, eng)
		require.NoError(t, err)
		return stats
	}
	assert.Equal(t, 0, fired(), "nothing is due yet")
	tn.clock.Advance(90 * time.Minute) // 02:30: the moved task's old moment passed
	assert.Equal(t, 0, fired(), "a moved or completed task's reminder does not fire")
	tn.clock.Advance(30 * time.Minute) // 03:00
	assert.Equal(t, 1, fired())
	assert.Equal(t, 0, fired(), "once")
	tn.clock.Advance(2 * time.Hour)
	assert.Equal(t, 1, fired(), "the moved task's reminder at its new moment")
	kinds := func(user string) []string {
		t.Helper()
		ns, err := eng.Notifications(tn.Admin, user, 50)
		require.NoError(t, err)
		out := []string{}
		for _, n := range ns {
			out = append(out, n.Message.Zh)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"王 给你分配了任务：回访", "任务到期：回访"}, kinds("li"), "assigned, then reminded once")
	assert.Equal(t, []string{"任务到期：改期"}, kinds("wang"))
	_ = task
}

func runTimers(t *testing.T, eng *engine.Engine) (int, error) {
	t.Helper()
	q := eng.Queues()
	timers, due, err := q.Timers(context.Background(), "acme", 100)
	if err != nil || timers == nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		ran, err := timers.Fire(context.Background(), d.ID)
		if err != nil {
			return n, err
		}
		if ran {
			n++
		}
	}
	return n, nil
}

func TestTimeline_MergesKindsNewestFirst(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	str := func(s string) *string { return &s }
	deal, err := eng.CreateRecord(tn.wang, "deal", map[string]any{"title": "年框", "amount": 100.0})
	require.NoError(t, err)
	tn.clock.Advance(time.Minute)
	note, err := eng.AddNote(tn.wang, engine.NoteInput{Object: "deal", Record: deal.ID, Body: "第一次沟通"})
	require.NoError(t, err)
	tn.clock.Advance(time.Minute)
	call, err := eng.CreateRecord(tn.wang, "call", map[string]any{"subject": "电话", "deal": deal.ID})
	require.NoError(t, err)
	tn.clock.Advance(time.Minute)
	task, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("报价"), Object: "deal", Record: deal.ID})
	require.NoError(t, err)
	tn.clock.Advance(time.Minute)
	_, err = eng.UpdateRecord(tn.wang, "deal", deal.ID, map[string]any{"stage": "won", "amount": 120.0}, nil)
	require.NoError(t, err)
	other, err := eng.CreateRecord(tn.wang, "deal", map[string]any{"title": "别的"})
	require.NoError(t, err)
	_, err = eng.AddNote(tn.wang, engine.NoteInput{Object: "deal", Record: other.ID, Body: "不相关"})
	require.NoError(t, err)

	all := func(ctx context.Context, kinds []string, first int) []engine.TimelineItem {
		t.Helper()
		var out []engine.TimelineItem
		after := ""
		for i := 0; i < 20; i++ {
			page, err := eng.Timeline(ctx, engine.TimelineQuery{Object: "deal", Record: deal.ID, Kinds: kinds, First: first, After: after})
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Items), first)
			out = append(out, page.Items...)
			if !page.HasNextPage {
				return out
			}
			after = page.EndCursor
		}
		t.Fatal("the timeline does not end")
		return nil
	}
	kinds := func(items []engine.TimelineItem) []string {
		out := []string{}
		for _, it := range items {
			out = append(out, it.Kind+":"+it.ID)
		}
		return out
	}
	items := all(tn.wang, nil, 50)
	require.NotEmpty(t, items)
	for i := 1; i < len(items); i++ {
		assert.False(t, items[i].At.After(items[i-1].At), "newest first")
	}
	got := kinds(items)
	assert.Contains(t, got, "note:"+note.ID)
	assert.Contains(t, got, "activity:"+call.ID)
	assert.Contains(t, got, "task:"+task.ID)
	var stage, change int
	for _, it := range items {
		switch it.Kind {
		case engine.TimelineStage:
			stage++
		case engine.TimelineChange:
			change++
		}
	}
	assert.Equal(t, 2, stage, "entering open, then won")
	assert.Equal(t, 2, change, "created, then changed")
	assert.Equal(t, got, kinds(all(tn.wang, nil, 1)), "pages of one give the same list")
	assert.Equal(t, got, kinds(all(tn.wang, nil, 3)))
	assert.Equal(t, []string{"note:" + note.ID}, kinds(all(tn.wang, []string{"note"}, 10)))
	for _, it := range items {
		if it.Kind == engine.TimelineActivity {
			assert.Equal(t, "电话", it.Title)
			assert.Equal(t, "call", it.Object)
		}
		if it.Kind == engine.TimelineChange && it.Data["action"] == "update" {
			changes := it.Data["changes"].(map[string]any)
			assert.Contains(t, changes, "amount")
		}
	}

	_, err = eng.Timeline(tn.wang, engine.TimelineQuery{Object: "deal", Record: deal.ID, Kinds: []string{"gossip"}})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.Timeline(tn.wang, engine.TimelineQuery{Object: "deal", Record: deal.ID, After: "not a cursor"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.Timeline(tn.wang, engine.TimelineQuery{Object: "deal", Record: deal.ID, First: 101})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.Timeline(tn.zhao, engine.TimelineQuery{Object: "deal", Record: deal.ID})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a role that may not read deals")
}

func TestTimeline_HidesWhatTheCallerMayNotRead(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	lead, err := eng.CreateRecord(tn.Admin, "lead", map[string]any{"name": "线索", "secret": "底价 90 万"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(tn.Admin, "lead", lead.ID, map[string]any{"secret": "底价 80 万"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(tn.Admin, "lead", lead.ID, map[string]any{"name": "线索 A"}, nil)
	require.NoError(t, err)
	_, err = eng.TransferRecord(tn.Admin, "lead", lead.ID, "user:wang")
	require.NoError(t, err)
	page, err := eng.Timeline(tn.wang, engine.TimelineQuery{Object: "lead", Record: lead.ID, Kinds: []string{"change"}})
	require.NoError(t, err)
	for _, it := range page.Items {
		assert.NotContains(t, it.Data["changes"], "secret")
	}
	assert.Len(t, page.Items, 3, "created, renamed and transferred; the change of the hidden field alone is left out")
	page, err = eng.Timeline(tn.Admin, engine.TimelineQuery{Object: "lead", Record: lead.ID, Kinds: []string{"change"}})
	require.NoError(t, err)
	assert.Len(t, page.Items, 4)
}

func TestNotes_GoWithTheRecordAndComeBack(t *testing.T) {
	t.Parallel()
	tn := newNoteTenant(t)
	eng := tn.Engine
	str := func(s string) *string { return &s }
	deal, err := eng.CreateRecord(tn.wang, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)
	note, err := eng.AddNote(tn.wang, engine.NoteInput{Object: "deal", Record: deal.ID, Body: "记一笔"})
	require.NoError(t, err)
	task, err := eng.CreateTask(tn.wang, engine.TaskInput{Subject: str("回访"), Due: str("2026-03-05"), Object: "deal", Record: deal.ID})
	require.NoError(t, err)

	require.NoError(t, eng.DeleteRecord(tn.Admin, "deal", deal.ID))
	_, err = eng.GetTask(tn.wang, task.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "the task went with the record")
	res, err := eng.RestoreDeleted(tn.Admin, []string{deal.ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	page, err := eng.Notes(tn.wang, "deal", deal.ID, 0, "")
	require.NoError(t, err)
	require.Len(t, page.Notes, 1)
	assert.Equal(t, note.ID, page.Notes[0].ID)
	back, err := eng.GetTask(tn.wang, task.ID)
	require.NoError(t, err)
	assert.Equal(t, "回访", back.Subject)
	tn.clock.Set(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))
	n, err := runTimers(t, eng)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the restored task's reminder fires")

	// The tenant's export carries them; an import brings them back.
	var buf bytes.Buffer
	_, err = eng.ExportTenant(tn.Background, "acme", &buf)
	require.NoError(t, err)
	_, err = eng.ImportTenant(tn.Background, "copy", &buf)
	require.NoError(t, err)
	cp := tn.As(engine.Actor{TenantID: "copy", ID: "user:wang", Role: "rep"})
	page, err = eng.Notes(cp, "deal", deal.ID, 0, "")
	require.NoError(t, err)
	require.Len(t, page.Notes, 1)
	_, err = eng.GetTask(cp, task.ID)
	require.NoError(t, err)

	// A delete for good (retention 0) drops them.
	_, err = eng.SetRecycleRetention(tn.Admin, 0)
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(tn.Admin, "deal", deal.ID))
	_, err = eng.GetTask(tn.Admin, task.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}
