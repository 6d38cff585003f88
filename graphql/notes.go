package graphql

import (
	"context"
	"errors"

	"github.com/crmkit/crm/engine"
)

// Activities is what notes, tasks and the activity timeline need
// (engine/note.go, task.go and timeline.go say who may do what). The
// server finds it on the engine it is given; an engine without it serves
// these fields with an error.
type Activities interface {
	Notes(ctx context.Context, object, record string, first int, after string) (*engine.NotePage, error)
	AddNote(ctx context.Context, in engine.NoteInput) (engine.Note, error)
	EditNote(ctx context.Context, id, body string, mentions []string, version *int64) (engine.Note, error)
	DeleteNote(ctx context.Context, id string) error
	CreateTask(ctx context.Context, in engine.TaskInput) (engine.Task, error)
	GetTask(ctx context.Context, id string) (engine.Task, error)
	UpdateTask(ctx context.Context, id string, in engine.TaskInput, version *int64) (engine.Task, error)
	CompleteTask(ctx context.Context, id string) (engine.Task, error)
	DeleteTask(ctx context.Context, id string) error
	MyTasks(ctx context.Context, q engine.TaskQuery) (*engine.TaskPage, error)
	RecordTasks(ctx context.Context, object, record string, first int, after string) (*engine.TaskPage, error)
	Timeline(ctx context.Context, q engine.TimelineQuery) (*engine.TimelinePage, error)
}

var _ Activities = (*engine.Engine)(nil)

var errNoActivities = errors.New("graphql: this server has no notes, tasks or timeline")

// activityResolvers serve notes, tasks and the timeline.
func (s *execSchema) activityResolvers(query, mutation map[string]resolver) {
	eng := s.srv.activities
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	strs := func(v any) []string {
		items, _ := v.([]any)
		out := make([]string, 0, len(items))
		for _, it := range items {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	first := func(fc *fieldCall) (int, error) {
		n, ok := fc.args["first"].(int64)
		if !ok {
			return 0, nil
		}
		if n < 1 || n > engine.MaxPageSize {
			return 0, badRequestf("first must be between 1 and %d", engine.MaxPageSize)
		}
		return int(n), nil
	}
	version := func(fc *fieldCall) *int64 {
		if v, ok := fc.args["version"].(int64); ok {
			return &v
		}
		return nil
	}
	taskInput := func(fc *fieldCall) engine.TaskInput {
		in, _ := fc.args["input"].(map[string]any)
		opt := func(k string) *string {
			v, set := in[k]
			if !set {
				return nil
			}
			s, _ := v.(string) // null clears
			return &s
		}
		return engine.TaskInput{Subject: opt("subject"), Due: opt("due"), Assignee: opt("assignee"), Priority: opt("priority"),
			Notes: opt("notes"), Status: opt("status")}
	}
	guard := func(r resolver) resolver {
		return func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			if eng == nil {
				return nil, errNoActivities
			}
			return r(ctx, p, fc)
		}
	}
	query["recordNotes"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := first(fc)
		if err != nil {
			return nil, err
		}
		return eng.Notes(ctx, str(fc.args, "object"), str(fc.args, "id"), n, str(fc.args, "after"))
	})
	query["timeline"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := first(fc)
		if err != nil {
			return nil, err
		}
		return eng.Timeline(ctx, engine.TimelineQuery{Object: str(fc.args, "object"), Record: str(fc.args, "id"),
			Kinds: strs(fc.args["kinds"]), First: n, After: str(fc.args, "after")})
	})
	query["myTasks"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := first(fc)
		if err != nil {
			return nil, err
		}
		return eng.MyTasks(ctx, engine.TaskQuery{Filter: str(fc.args, "filter"), First: n, After: str(fc.args, "after")})
	})
	query["recordTasks"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := first(fc)
		if err != nil {
			return nil, err
		}
		return eng.RecordTasks(ctx, str(fc.args, "object"), str(fc.args, "id"), n, str(fc.args, "after"))
	})
	query["taskItem"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		t, err := eng.GetTask(ctx, str(fc.args, "id"))
		if engine.CodeOf(err) == engine.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &t, nil
	})
	mutation["addNote"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := eng.AddNote(ctx, engine.NoteInput{Object: str(fc.args, "object"), Record: str(fc.args, "id"), Body: str(fc.args, "body"),
			Mentions: strs(fc.args["mentions"]), Parent: str(fc.args, "parent")})
		if err != nil {
			return nil, err
		}
		return &n, nil
	})
	mutation["editNote"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := eng.EditNote(ctx, str(fc.args, "id"), str(fc.args, "body"), strs(fc.args["mentions"]), version(fc))
		if err != nil {
			return nil, err
		}
		return &n, nil
	})
	mutation["removeNote"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return true, eng.DeleteNote(ctx, str(fc.args, "id"))
	})
	mutation["addTask"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		in := taskInput(fc)
		in.Status = nil
		in.Object, in.Record = str(fc.args, "object"), str(fc.args, "id")
		t, err := eng.CreateTask(ctx, in)
		if err != nil {
			return nil, err
		}
		return &t, nil
	})
	mutation["editTask"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		t, err := eng.UpdateTask(ctx, str(fc.args, "id"), taskInput(fc), version(fc))
		if err != nil {
			return nil, err
		}
		return &t, nil
	})
	mutation["completeTask"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		t, err := eng.CompleteTask(ctx, str(fc.args, "id"))
		if err != nil {
			return nil, err
		}
		return &t, nil
	})
	mutation["removeTask"] = guard(func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return true, eng.DeleteTask(ctx, str(fc.args, "id"))
	})
}

// activityTypeResolvers serve NoteEntry, NotePage, TaskItem, TaskPage,
// TimelineItem and TimelinePage.
func activityTypeResolvers(rs map[string]map[string]resolver) {
	fixed := func(get func(p any) any) resolver {
		return func(_ context.Context, p any, _ *fieldCall) (any, error) { return get(p), nil }
	}
	optTime := func(t interface{ IsZero() bool }, s string) any {
		if t.IsZero() {
			return nil
		}
		return s
	}
	list := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	nv := func(p any) *engine.Note { return p.(*engine.Note) }
	rs["NoteEntry"] = map[string]resolver{
		"id":        fixed(func(p any) any { return nv(p).ID }),
		"object":    fixed(func(p any) any { return nv(p).Object }),
		"recordId":  fixed(func(p any) any { return nv(p).Record }),
		"body":      fixed(func(p any) any { return nv(p).Body }),
		"mentions":  fixed(func(p any) any { return list(nv(p).Mentions) }),
		"parent":    fixed(func(p any) any { return optString(nv(p).Parent) }),
		"author":    fixed(func(p any) any { return nv(p).Author }),
		"createdAt": fixed(func(p any) any { return formatTime(nv(p).CreatedAt) }),
		"editedAt":  fixed(func(p any) any { return optTime(nv(p).EditedAt, formatTime(nv(p).EditedAt)) }),
		"version":   fixed(func(p any) any { return clampInt32(nv(p).Version) }),
	}
	npv := func(p any) *engine.NotePage { return p.(*engine.NotePage) }
	rs["NotePage"] = map[string]resolver{
		"notes": fixed(func(p any) any {
			out := make([]any, len(npv(p).Notes))
			for i := range npv(p).Notes {
				out[i] = &npv(p).Notes[i]
			}
			return out
		}),
		"hasNextPage": fixed(func(p any) any { return npv(p).HasNextPage }),
		"endCursor":   fixed(func(p any) any { return optString(npv(p).EndCursor) }),
	}
	tv := func(p any) *engine.Task { return p.(*engine.Task) }
	rs["TaskItem"] = map[string]resolver{
		"id":          fixed(func(p any) any { return tv(p).ID }),
		"subject":     fixed(func(p any) any { return tv(p).Subject }),
		"due":         fixed(func(p any) any { return optTime(tv(p).Due, formatTime(tv(p).Due)) }),
		"assignee":    fixed(func(p any) any { return tv(p).Assignee }),
		"object":      fixed(func(p any) any { return optString(tv(p).Object) }),
		"recordId":    fixed(func(p any) any { return optString(tv(p).Record) }),
		"status":      fixed(func(p any) any { return tv(p).Status }),
		"priority":    fixed(func(p any) any { return tv(p).Priority }),
		"notes":       fixed(func(p any) any { return optString(tv(p).Notes) }),
		"createdBy":   fixed(func(p any) any { return tv(p).CreatedBy }),
		"createdAt":   fixed(func(p any) any { return formatTime(tv(p).CreatedAt) }),
		"completedAt": fixed(func(p any) any { return optTime(tv(p).CompletedAt, formatTime(tv(p).CompletedAt)) }),
		"completedBy": fixed(func(p any) any { return optString(tv(p).CompletedBy) }),
		"version":     fixed(func(p any) any { return clampInt32(tv(p).Version) }),
	}
	tpv := func(p any) *engine.TaskPage { return p.(*engine.TaskPage) }
	rs["TaskPage"] = map[string]resolver{
		"tasks": fixed(func(p any) any {
			out := make([]any, len(tpv(p).Tasks))
			for i := range tpv(p).Tasks {
				out[i] = &tpv(p).Tasks[i]
			}
			return out
		}),
		"hasNextPage": fixed(func(p any) any { return tpv(p).HasNextPage }),
		"endCursor":   fixed(func(p any) any { return optString(tpv(p).EndCursor) }),
	}
	iv := func(p any) *engine.TimelineItem { return p.(*engine.TimelineItem) }
	rs["TimelineItem"] = map[string]resolver{
		"kind":     fixed(func(p any) any { return iv(p).Kind }),
		"id":       fixed(func(p any) any { return iv(p).ID }),
		"at":       fixed(func(p any) any { return formatTime(iv(p).At) }),
		"actor":    fixed(func(p any) any { return iv(p).Actor }),
		"object":   fixed(func(p any) any { return optString(iv(p).Object) }),
		"recordId": fixed(func(p any) any { return optString(iv(p).Record) }),
		"title":    fixed(func(p any) any { return optString(iv(p).Title) }),
		"data":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return rawJSON(iv(p).Data) },
	}
	ipv := func(p any) *engine.TimelinePage { return p.(*engine.TimelinePage) }
	rs["TimelinePage"] = map[string]resolver{
		"items": fixed(func(p any) any {
			out := make([]any, len(ipv(p).Items))
			for i := range ipv(p).Items {
				out[i] = &ipv(p).Items[i]
			}
			return out
		}),
		"hasNextPage": fixed(func(p any) any { return ipv(p).HasNextPage }),
		"endCursor":   fixed(func(p any) any { return optString(ipv(p).EndCursor) }),
	}
}

// activitySDL holds the types of notes, tasks and the timeline.
const activitySDL = `
"A note (or a reply to one) on a record."
type NoteEntry {
  id: ID!
  "The API name of the record's object."
  object: String!
  recordId: ID!
  body: String!
  "The user ids (user:NAME) of the users it mentions; each was notified."
  mentions: [String!]!
  "The note a reply answers; null for a note."
  parent: ID
  "The user id of its author, who alone may edit it."
  author: String!
  createdAt: DateTime!
  "When its author last changed it; null if never."
  editedAt: DateTime
  version: Int!
}

"A page of a record's notes, the newest first."
type NotePage {
  notes: [NoteEntry!]!
  hasNextPage: Boolean!
  "Pass as after for the next page."
  endCursor: String
}

"A task (待办): subject, due moment, assignee and an optional related record. Its assignee is reminded once at the due moment."
type TaskItem {
  id: ID!
  subject: String!
  due: DateTime
  "The user id (user:NAME) of whom it is assigned to."
  assignee: String!
  "The related record's object; null for none."
  object: String
  recordId: ID
  "open or done."
  status: String!
  "low, normal or high."
  priority: String!
  notes: String
  createdBy: String!
  createdAt: DateTime!
  completedAt: DateTime
  completedBy: String
  version: Int!
}

"A page of tasks."
type TaskPage {
  tasks: [TaskItem!]!
  hasNextPage: Boolean!
  endCursor: String
}

"A new task or a change of one: fields left out stay as they are; a null or empty due clears it."
input TaskItemInput {
  "Required for a new task; at most 200 characters."
  subject: String
  "A date-time (2026-12-31T09:00:00+08:00) or a date (00:00 in Asia/Shanghai)."
  due: String
  "A user name; a new task is the caller's by default."
  assignee: String
  "low, normal (the default) or high."
  priority: String
  "At most 5000 characters."
  notes: String
  "open or done (editTask only)."
  status: String
}

"One entry of a record's activity timeline."
type TimelineItem {
  "note, task, activity, stage, change, email or approval."
  kind: String!
  "The id of what it shows: a note, a task, an activity record, a stage change, an audit entry, an e-mail's outbox entry."
  id: ID!
  at: DateTime!
  "Who did it: a user id, automation or system."
  actor: String!
  "For an activity: the API name of its object (its id is recordId)."
  object: String
  recordId: ID
  "A short text naming it: an activity's title, a task's subject."
  title: String
  "The kind's details (docs/graphql.md): a note's body and mentions, a task's status and due, an activity's fields, a stage move's field, from and to, a change's action and changed fields (old and new), an e-mail's recipient and status."
  data: JSON!
}

"A page of a timeline, the newest first."
type TimelinePage {
  items: [TimelineItem!]!
  hasNextPage: Boolean!
  endCursor: String
}
`

const activitySDLQuery = `  "The notes of a record the caller may read, replies included, the newest first (first: 1–100, default 20)."
  recordNotes(object: String!, id: ID!, first: Int, after: String): NotePage!
  "The activity timeline of a record the caller may read, the newest first; kinds keeps only those kinds (note, task, activity, stage, change, email, approval)."
  timeline(object: String!, id: ID!, kinds: [String!], first: Int, after: String): TimelinePage!
  "The caller's tasks: filter today, overdue, open (the default), done or all."
  myTasks(filter: String, first: Int, after: String): TaskPage!
  "The tasks related to a record the caller may read, the newest first."
  recordTasks(object: String!, id: ID!, first: Int, after: String): TaskPage!
  "A task the caller may read (its creator, its assignee, who reads its record, administrators); null otherwise."
  taskItem(id: ID!): TaskItem
`

const activitySDLMutation = `  "Adds a note (parent: a reply) to a record the caller may change; mentions (user names, at most 20, who may read the record) are notified."
  addNote(object: String!, id: ID!, body: String!, mentions: [String!], parent: ID): NoteEntry!
  "Changes a note's text and mentions (its author only); users newly mentioned are notified."
  editNote(id: ID!, body: String!, mentions: [String!], version: Int): NoteEntry!
  "Deletes a note and its replies (its author or an administrator)."
  removeNote(id: ID!): Boolean!
  "Creates a task, related to a record (object and id) the caller may change, or to none."
  addTask(input: TaskItemInput!, object: String, id: ID): TaskItem!
  "Changes a task (its creator, its assignee or an administrator)."
  editTask(id: ID!, input: TaskItemInput!, version: Int): TaskItem!
  "Marks a task done."
  completeTask(id: ID!): TaskItem!
  "Deletes a task (its creator or an administrator)."
  removeTask(id: ID!): Boolean!
`
