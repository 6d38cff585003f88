package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Tasks and reminders: every tenant has tasks (crmTask: subject, due,
// assignee, an optional related record, status open/done, priority,
// notes). Anyone signed in may create a task for themselves or assign one
// to an active user; a task related to a record needs a caller who may
// change the record and an assignee who may read it. A task is read by
// its creator, its assignee, administrators and whoever reads its
// record; it is changed by its creator, its assignee and administrators,
// and deleted by its creator and administrators. The related record is
// set when the task is created and stays.
//
// A task with a due moment in the future gets one reminder: a timer
// (crmTimer, rule "reminder") that the worker fires at the due moment,
// notifying the assignee (kind "task") once. Moving the due moment moves
// the timer; completing or deleting the task cancels it. Assigning a task
// to someone else notifies them (kind "assignment").

const (
	taskObject = "crmTask"
	// taskReminderRule names the timers of task reminders.
	taskReminderRule = "reminder"
	// MaxTaskSubject bounds a task's subject, in characters.
	MaxTaskSubject = 200
	// MaxTaskNotes bounds a task's notes, in characters.
	MaxTaskNotes = 5000
	// MaxOpenTasks bounds the open tasks of one assignee.
	MaxOpenTasks = 10_000
)

// Task statuses and priorities.
const (
	TaskOpen = "open"
	TaskDone = "done"
)

var taskPriorities = []string{"low", "normal", "high"}

// Task is a task as its readers see it.
type Task struct {
	ID       string
	Subject  string
	Due      time.Time // zero: none
	Assignee string    // actor id (user:NAME)
	Object   string    // the related record's object; "" for none
	Record   string
	Status   string
	Priority string
	Notes    string
	// CreatedBy is the actor id of who created it.
	CreatedBy   string
	CreatedAt   time.Time
	CompletedAt time.Time // zero while open
	CompletedBy string
	Version     int64
}

// TaskInput is a new task, or a change of one: nil fields are left as
// they are (a new task's subject is required; its assignee defaults to
// the caller, its priority to normal). An empty Due clears it.
type TaskInput struct {
	Subject  *string
	Due      *string // RFC 3339 date-time, or a date (00:00 in the tenant's zone)
	Assignee *string // user name or actor id
	Priority *string
	Notes    *string
	Status   *string // updates only: open or done
	// Object and Record relate a new task to a record.
	Object, Record string
}

// TaskQuery selects tasks.
type TaskQuery struct {
	// Filter of the caller's own tasks: "today" (open, due today in the
	// tenant's zone), "overdue" (open, due before now), "open", "done" or
	// "all" (the default: "open").
	Filter string
	First  int
	After  string
}

// TaskPage is one page of tasks.
type TaskPage struct {
	Tasks       []Task
	HasNextPage bool
	EndCursor   string
}

func taskOf(r store.Record) Task {
	t := Task{ID: r.ID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Version: r.Version}
	t.Subject, _ = r.Data["subject"].(string)
	t.Assignee, _ = r.Data["assignee"].(string)
	t.Object, _ = r.Data["object"].(string)
	t.Record, _ = r.Data["record"].(string)
	t.Status, _ = r.Data["status"].(string)
	t.Priority, _ = r.Data["priority"].(string)
	t.Notes, _ = r.Data["notes"].(string)
	t.CompletedBy, _ = r.Data["completedBy"].(string)
	if s, ok := r.Data["due"].(string); ok {
		t.Due, _ = time.Parse(schema.DateTimeLayout, s)
	}
	if s, ok := r.Data["completedAt"].(string); ok {
		t.CompletedAt, _ = time.Parse(schema.DateTimeLayout, s)
	}
	return t
}

// parseDue reads a due moment: an RFC 3339 date-time, or a date, which
// means 00:00 of that day in zone.
func parseDue(s string, zone *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation(schema.DateLayout, s, zone); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// taskChanges applies in to data (a new task's when isNew) and returns
// the problems, all at once.
func (e *Engine) taskChanges(sc scope, in TaskInput, data map[string]any, isNew bool) []schema.FieldError {
	var problems []schema.FieldError
	if in.Subject != nil || isNew {
		s := ""
		if in.Subject != nil {
			s = strings.TrimSpace(*in.Subject)
		}
		switch n := utf8.RuneCountInString(s); {
		case !utf8.ValidString(s):
			problems = append(problems, fieldError("subject", "encoding", "task.textEncoding"))
		case n == 0:
			problems = append(problems, fieldError("subject", "required", "task.subjectEmpty"))
		case n > MaxTaskSubject:
			problems = append(problems, fieldError("subject", "maxLength", "task.subjectTooLong", n, MaxTaskSubject))
		default:
			data["subject"] = s
		}
	}
	if in.Notes != nil {
		switch n := utf8.RuneCountInString(*in.Notes); {
		case !utf8.ValidString(*in.Notes):
			problems = append(problems, fieldError("notes", "encoding", "task.textEncoding"))
		case n > MaxTaskNotes:
			problems = append(problems, fieldError("notes", "maxLength", "task.notesTooLong", n, MaxTaskNotes))
		case n == 0:
			delete(data, "notes")
		default:
			data["notes"] = *in.Notes
		}
	}
	if in.Due != nil {
		if *in.Due == "" {
			delete(data, "due")
		} else if t, ok := parseDue(*in.Due, sc.snap.zone()); !ok || len(*in.Due) > 64 {
			problems = append(problems, fieldError("due", "format", "task.dueFormat", clipText(*in.Due, 64)))
		} else {
			data["due"] = t.Format(schema.DateTimeLayout)
		}
	}
	if in.Priority != nil || isNew {
		p := "normal"
		if in.Priority != nil {
			p = *in.Priority
		}
		if !contains(taskPriorities, p) {
			problems = append(problems, fieldError("priority", "enum", "task.priority", clipText(p, 40)))
		} else {
			data["priority"] = p
		}
	}
	if in.Assignee != nil || isNew {
		name := sc.actor.ID
		if in.Assignee != nil && *in.Assignee != "" {
			name = *in.Assignee
		}
		if u, ok := sc.snap.activeUser(name); ok {
			data["assignee"] = u.ActorID()
		} else {
			problems = append(problems, fieldError("assignee", "unknown", "task.unknownAssignee", clipText(name, 100)))
		}
	}
	if in.Status != nil {
		if *in.Status != TaskOpen && *in.Status != TaskDone {
			problems = append(problems, fieldError("status", "enum", "task.status", clipText(*in.Status, 40)))
		} else if *in.Status != data["status"] {
			data["status"] = *in.Status
			if *in.Status == TaskDone {
				data["completedAt"] = e.stamp().Format(schema.DateTimeLayout)
				data["completedBy"] = sc.actor.ID
			} else {
				delete(data, "completedAt")
				delete(data, "completedBy")
			}
		}
	}
	return problems
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CreateTask creates a task; problems with the input come back together
// as a validation error of crmTask's fields.
func (e *Engine) CreateTask(ctx context.Context, in TaskInput) (Task, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Task{}, err
	}
	var at *recordAt
	if in.Object != "" || in.Record != "" {
		obj, err := objectIn(sc.snap.catalog, in.Object)
		if err != nil {
			return Task{}, err
		}
		r, err := e.reachIn(ctx, sc, obj, in.Record, true)
		if err != nil {
			return Task{}, err
		}
		at = &r
	}
	w, tasks, err := e.attachedWriter(ctx, sc, taskObject)
	if err != nil {
		return Task{}, err
	}
	timers, err := e.platformObject(ctx, sc.ts, sc.snap, timerObject)
	if err != nil {
		return Task{}, err
	}
	now := e.stamp()
	data := map[string]any{"status": TaskOpen, "at": now.Format(schema.DateTimeLayout)}
	in.Status = nil
	problems := e.taskChanges(sc, in, data, true)
	if at != nil {
		data["object"], data["record"] = at.obj.Name, at.rec.ID
		if a, ok := data["assignee"].(string); ok {
			if u, _ := sc.snap.activeUser(a); !sc.snap.userSees(sc.actor.TenantID, u, at.obj, &at.rec) {
				problems = append(problems, fieldError("assignee", "forbidden", "task.assigneeCannotSee", u.Username))
			}
		}
	}
	if len(problems) > 0 {
		return Task{}, tasks.Invalid(problems)
	}
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, OwnerID: sc.actor.ID, Data: data}
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		f := store.Filter{And: []store.Filter{store.Leaf("assignee", store.OpEq, data["assignee"]), store.Leaf("status", store.OpEq, TaskOpen)}}
		n, err := tx.Count(ctx, tasks, &f)
		if err != nil {
			return fmt.Errorf("count open tasks: %w", err)
		}
		if n >= MaxOpenTasks {
			return errorOf(ErrConflict, nil, "task.tooManyOpen", MaxOpenTasks)
		}
		if err := tx.Insert(ctx, tasks, rec); err != nil {
			return fmt.Errorf("create task: %w", err)
		}
		if err := w.scheduleReminder(ctx, tx, timers, rec); err != nil {
			return err
		}
		return w.notifyAssigned(ctx, tx, rec, "")
	})
	if err != nil {
		return Task{}, err
	}
	return taskOf(rec), nil
}

// notifyAssigned tells a task's assignee that it is theirs, unless they
// gave it to themselves or were its assignee before.
func (w *writer) notifyAssigned(ctx context.Context, tx store.Tx, rec store.Record, before string) error {
	a, _ := rec.Data["assignee"].(string)
	if a == "" || a == w.actor.ID || a == before {
		return nil
	}
	subject, _ := rec.Data["subject"].(string)
	object, _ := rec.Data["object"].(string)
	record, _ := rec.Data["record"].(string)
	who := w.actorName()
	msg := schema.Label{Zh: message.Text(message.Zh, "task.assignedNotice", who, subject), En: message.Text(message.En, "task.assignedNotice", who, subject)}
	return w.notify(ctx, tx, notice{Kind: "assignment", To: []recipient{{Kind: "user", Value: a}}, Object: object, Record: record, Message: msg, Actor: w.actor.ID})
}

// actorName is how notifications name the writer's actor.
func (w *writer) actorName() string {
	if u, ok := w.snap.users[strings.TrimPrefix(w.actor.ID, "user:")]; ok && u.DisplayName != "" {
		return u.DisplayName
	}
	return w.actor.ID
}

// scheduleReminder brings the task's reminder in line with it: one
// pending timer at its due moment while it is open and due in the
// future, none otherwise. A reminder that fired stays fired.
func (w *writer) scheduleReminder(ctx context.Context, tx store.Tx, timers *schema.Object, task store.Record) error {
	due, _ := task.Data["due"].(string)
	dueAt, err := time.Parse(schema.DateTimeLayout, due)
	want := err == nil && task.Data["status"] == TaskOpen && dueAt.After(w.e.stamp())
	f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, task.ID), store.Leaf("rule", store.OpEq, taskReminderRule)}}
	page, err := tx.Find(ctx, timers, store.Query{Filter: &f, Limit: 100})
	if err != nil {
		return fmt.Errorf("read the reminder of task %q: %w", task.ID, err)
	}
	keep := false
	for _, t := range page.Records {
		if t.Data["status"] != "pending" {
			continue
		}
		if want && t.Data["dueAt"] == due && !keep {
			keep = true
			continue
		}
		if err := tx.Delete(ctx, timers, t.ID); err != nil {
			return fmt.Errorf("cancel the reminder of task %q: %w", task.ID, err)
		}
	}
	if !want || keep {
		return nil
	}
	now := w.e.stamp()
	timer := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID,
		Data: map[string]any{"object": taskObject, "record": task.ID, "rule": taskReminderRule, "dueAt": due, "status": "pending"}}
	if err := tx.Insert(ctx, timers, timer); err != nil {
		return fmt.Errorf("schedule the reminder of task %q: %w", task.ID, err)
	}
	return nil
}

// fireReminder runs a due reminder timer t in tx: the assignee of a task
// still open and due at the timer's moment is notified. ran is false when
// the reminder no longer applies.
func (w *writer) fireReminder(ctx context.Context, tx store.Tx, timers *schema.Object, t store.Record) (ran bool, err error) {
	status := "cancelled"
	tasks := w.snap.platform[taskObject]
	id, _ := t.Data["record"].(string)
	if tasks != nil {
		task, err := tx.Get(ctx, tasks, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return false, fmt.Errorf("read task %q: %w", id, err)
		case task.Data["status"] == TaskOpen && task.Data["due"] == t.Data["dueAt"]:
			subject, _ := task.Data["subject"].(string)
			object, _ := task.Data["object"].(string)
			record, _ := task.Data["record"].(string)
			a, _ := task.Data["assignee"].(string)
			msg := schema.Label{Zh: message.Text(message.Zh, "task.dueNotice", subject), En: message.Text(message.En, "task.dueNotice", subject)}
			if err := w.notify(ctx, tx, notice{Kind: "task", To: []recipient{{Kind: "user", Value: a}}, Object: object, Record: record, Message: msg}); err != nil {
				return false, err
			}
			status, ran = "done", true
		}
	}
	return ran, w.closeTimer(ctx, tx, timers, t.ID, status)
}

// taskFor reads a task for the caller: NOT_FOUND unless they may read it.
func (e *Engine) taskFor(ctx context.Context, r store.Reader, sc scope, tasks *schema.Object, id string) (store.Record, error) {
	missing := errorOf(ErrNotFound, nil, "task.notFound", clipText(id, 100))
	if tasks == nil || id == "" || len(id) > maxIDLength {
		return store.Record{}, missing
	}
	rec, err := r.Get(ctx, tasks, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Record{}, missing
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("read task %q: %w", id, err)
	}
	if sc.actor.Admin || rec.CreatedBy == sc.actor.ID || rec.Data["assignee"] == sc.actor.ID {
		return rec, nil
	}
	object, _ := rec.Data["object"].(string)
	if obj := sc.snap.catalog.Object(object); obj != nil {
		if _, err := e.reachIn(ctx, sc, obj, fmt.Sprint(rec.Data["record"]), false); err == nil {
			return rec, nil
		}
	}
	return store.Record{}, missing
}

// GetTask returns a task the caller may read.
func (e *Engine) GetTask(ctx context.Context, id string) (Task, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Task{}, err
	}
	rec, err := e.taskFor(ctx, sc.ts, sc, sc.snap.platform[taskObject], id)
	if err != nil {
		return Task{}, err
	}
	return taskOf(rec), nil
}

// UpdateTask changes a task: its creator, its assignee or an
// administrator. version, when not nil, must be the stored one.
func (e *Engine) UpdateTask(ctx context.Context, id string, in TaskInput, version *int64) (Task, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Task{}, err
	}
	if in.Object != "" || in.Record != "" {
		return Task{}, errorOf(ErrBadRequest, nil, "task.relatedFixed")
	}
	cur, err := e.taskFor(ctx, sc.ts, sc, sc.snap.platform[taskObject], id)
	if err != nil {
		return Task{}, err
	}
	if !sc.actor.Admin && cur.CreatedBy != sc.actor.ID && cur.Data["assignee"] != sc.actor.ID {
		return Task{}, errorOf(ErrForbidden, nil, "task.mayNotChange")
	}
	w, tasks, err := e.attachedWriter(ctx, sc, taskObject)
	if err != nil {
		return Task{}, err
	}
	timers, err := e.platformObject(ctx, sc.ts, sc.snap, timerObject)
	if err != nil {
		return Task{}, err
	}
	var next store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, tasks, id)
		if err != nil {
			return fmt.Errorf("read task %q: %w", id, err)
		}
		if version != nil && *version != cur.Version {
			return errorOf(ErrConflict, nil, "task.stale", *version, cur.Version)
		}
		data := cloneMap(cur.Data)
		problems := e.taskChanges(sc, in, data, false)
		if object, _ := data["object"].(string); object != "" && data["assignee"] != cur.Data["assignee"] {
			if obj := sc.snap.catalog.Object(object); obj != nil {
				rel, err := tx.Get(ctx, obj, fmt.Sprint(data["record"]))
				u, _ := sc.snap.activeUser(fmt.Sprint(data["assignee"]))
				if err == nil && !sc.snap.userSees(sc.actor.TenantID, u, obj, &rel) {
					problems = append(problems, fieldError("assignee", "forbidden", "task.assigneeCannotSee", u.Username))
				}
			}
		}
		if len(problems) > 0 {
			return tasks.Invalid(problems)
		}
		next = cur
		next.Data = data
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, e.stamp(), sc.actor.ID
		if err := tx.Update(ctx, tasks, next, cur.Version); err != nil {
			return fmt.Errorf("update task %q: %w", id, err)
		}
		if err := w.scheduleReminder(ctx, tx, timers, next); err != nil {
			return err
		}
		before, _ := cur.Data["assignee"].(string)
		return w.notifyAssigned(ctx, tx, next, before)
	})
	if errors.Is(err, store.ErrConflict) {
		return Task{}, errorOf(ErrConflict, err, "task.changedMeanwhile")
	}
	if err != nil {
		return Task{}, err
	}
	return taskOf(next), nil
}

// CompleteTask marks a task done (see [Engine.UpdateTask] for who may).
func (e *Engine) CompleteTask(ctx context.Context, id string) (Task, error) {
	done := TaskDone
	return e.UpdateTask(ctx, id, TaskInput{Status: &done}, nil)
}

// DeleteTask deletes a task and its reminder: its creator or an
// administrator.
func (e *Engine) DeleteTask(ctx context.Context, id string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	tasks := sc.snap.platform[taskObject]
	cur, err := e.taskFor(ctx, sc.ts, sc, tasks, id)
	if err != nil {
		return err
	}
	if !sc.actor.Admin && cur.CreatedBy != sc.actor.ID {
		return errorOf(ErrForbidden, nil, "task.mayNotDelete")
	}
	return sc.ts.WithTx(ctx, func(tx store.Tx) error {
		if timers := sc.snap.platform[timerObject]; timers != nil {
			if err := deleteByRecord(ctx, tx, timers, id); err != nil {
				return err
			}
		}
		if err := tx.Delete(ctx, tasks, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete task %q: %w", id, err)
		}
		return nil
	})
}

// MyTasks returns a page of the caller's tasks (those assigned to them):
// by due moment, the earliest first (tasks without one before them, as
// the store orders missing values), except "done", the last completed
// first.
func (e *Engine) MyTasks(ctx context.Context, q TaskQuery) (*TaskPage, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	mine := store.Leaf("assignee", store.OpEq, sc.actor.ID)
	f := store.Filter{And: []store.Filter{mine}}
	sorts := []store.Sort{{Field: "due"}}
	now := e.stamp()
	switch q.Filter {
	case "today":
		zone := sc.snap.zone()
		y, m, d := now.In(zone).Date()
		start := time.Date(y, m, d, 0, 0, 0, 0, zone).UTC()
		f.And = append(f.And, store.Leaf("status", store.OpEq, TaskOpen),
			store.Leaf("due", store.OpGte, start.Format(schema.DateTimeLayout)),
			store.Leaf("due", store.OpLt, start.AddDate(0, 0, 1).Format(schema.DateTimeLayout)))
	case "overdue":
		f.And = append(f.And, store.Leaf("status", store.OpEq, TaskOpen), store.Leaf("due", store.OpLt, now.Format(schema.DateTimeLayout)))
	case "", "open":
		f.And = append(f.And, store.Leaf("status", store.OpEq, TaskOpen))
	case "done":
		f.And = append(f.And, store.Leaf("status", store.OpEq, TaskDone))
		sorts = []store.Sort{{Field: "completedAt", Desc: true}}
	case "all":
	default:
		return nil, errorOf(ErrBadRequest, nil, "task.filter", clipText(q.Filter, 40))
	}
	return e.taskPage(ctx, sc, &f, sorts, q.First, q.After)
}

// RecordTasks returns a page of the tasks related to a record the caller
// may read, the newest first.
func (e *Engine) RecordTasks(ctx context.Context, object, record string, first int, after string) (*TaskPage, error) {
	if first < 0 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRangeGot", MaxPageSize, first)
	}
	at, err := e.reachRecord(ctx, object, record, false)
	if err != nil {
		return nil, err
	}
	f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, at.rec.ID), store.Leaf("object", store.OpEq, at.obj.Name)}}
	return e.taskPage(ctx, at.sc, &f, newestFirst, first, after)
}

func (e *Engine) taskPage(ctx context.Context, sc scope, f *store.Filter, sorts []store.Sort, first int, after string) (*TaskPage, error) {
	out := &TaskPage{Tasks: []Task{}}
	if first < 0 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRangeGot", MaxPageSize, first)
	}
	tasks := sc.snap.platform[taskObject]
	if tasks == nil {
		return out, nil
	}
	res, err := list(ctx, sc.ts, tasks, ListQuery{Filter: f, Sort: sorts, First: first, After: after})
	if err != nil {
		return nil, err
	}
	for _, r := range res.Records {
		out.Tasks = append(out.Tasks, taskOf(r))
	}
	out.HasNextPage, out.EndCursor = res.HasNextPage, res.EndCursor
	return out, nil
}
