package engine

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The activity timeline of a record: one list, the newest first, of what
// happened to it and around it —
//
//   - note: its notes and replies (crmNote);
//   - task: tasks related to it (crmTask);
//   - activity: records of objects marked as activities (x-crm-activity:
//     calls, visits, follow-ups …) whose lookup names it, as the caller
//     may read them;
//   - stage: its moves along a pipeline (crmStageChange), of pipeline
//     fields the caller may read;
//   - change: its creation, field changes and restores (the audit trail),
//     without the fields the caller may not read and with masked ones
//     masked;
//   - email: e-mails sent about it (outbox entries of kind "deliver" on the
//     email channel); the text only for administrators and its recipient;
//   - approval: its approval requests (crmApprovalRequest), at their
//     submission, with their process, status, step and comment.
//
// A new kind's source goes in timelineSources like the others: a platform
// object, the field of its moment, a filter on the record and a function
// making the item.
//
// Each source is read in its own order (its moment, then id, both
// descending) from the cursor, at most first+1 records, and the sources
// are merged: a page costs at most first+1 reads per source, however long
// the record's history.

// Kinds of timeline items.
const (
	TimelineNote     = "note"
	TimelineTask     = "task"
	TimelineActivity = "activity"
	TimelineStage    = "stage"
	TimelineChange   = "change"
	TimelineEmail    = "email"
	TimelineApproval = "approval"
)

// TimelineKinds are the kinds of timeline items.
var TimelineKinds = []string{TimelineNote, TimelineTask, TimelineActivity, TimelineStage, TimelineChange, TimelineEmail, TimelineApproval}

// TimelineQuery selects a page of a record's timeline.
type TimelineQuery struct {
	Object, Record string
	// Kinds keeps only these kinds; empty: all.
	Kinds []string
	// First is the page size, 1 to MaxPageSize; zero: DefaultPageSize.
	First int
	// After is the EndCursor of the previous page.
	After string
}

// TimelineItem is one entry of a timeline.
type TimelineItem struct {
	Kind string
	// ID is the id of what the item shows (a note, a task, an activity
	// record, a stage change, an audit entry, an outbox entry).
	ID    string
	At    time.Time
	Actor string // who did it: an actor id, "automation", "system"
	// Object and Record name the record an item of kind activity is (its
	// object and id); "" otherwise.
	Object, Record string
	// Title is a short text naming the item (an activity's title, a
	// task's subject); "" when there is none.
	Title string
	// Data holds the kind's details (see docs/graphql.md).
	Data map[string]any
}

// TimelinePage is one page of a timeline.
type TimelinePage struct {
	Items       []TimelineItem
	HasNextPage bool
	EndCursor   string
}

// timelineSource is where the items of one kind come from.
type timelineSource struct {
	kind   string
	obj    *schema.Object
	filter store.Filter
	at     string // the field of the moment: a date-time field, or "createdAt"
	item   func(r store.Record) (TimelineItem, bool)
	// failed, when set, returns what went wrong in item (nil: nothing).
	failed func() error
}

// timelineCursor is a position in a timeline's order: moment, kind and
// id, each descending.
type timelineCursor struct {
	At   string `json:"at"`
	Kind string `json:"k"`
	ID   string `json:"id"`
}

func (c timelineCursor) encode() string {
	b, _ := json.Marshal(c) // strings only
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTimelineCursor(s string) (*timelineCursor, error) {
	if len(s) > 1024 {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorTooLong")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	var c timelineCursor
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.ID == "" || !slices.Contains(TimelineKinds, c.Kind) {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	if _, err := time.Parse(schema.DateTimeLayout, c.At); err != nil {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	return &c, nil
}

// before is the filter of a source's records that come after c in the
// timeline's order.
func (src timelineSource) before(c *timelineCursor) store.Filter {
	var at any = c.At
	if src.at == "createdAt" {
		t, _ := time.Parse(schema.DateTimeLayout, c.At) // checked by decodeTimelineCursor
		at = t
	}
	or := []store.Filter{store.Leaf(src.at, store.OpLt, at)}
	switch {
	case src.kind < c.Kind:
		or = append(or, store.Leaf(src.at, store.OpEq, at))
	case src.kind == c.Kind:
		or = append(or, store.Filter{And: []store.Filter{store.Leaf(src.at, store.OpEq, at), store.Leaf("id", store.OpLt, c.ID)}})
	}
	return store.Filter{Or: or}
}

// Timeline returns a page of the timeline of a record the caller may
// read.
func (e *Engine) Timeline(ctx context.Context, q TimelineQuery) (*TimelinePage, error) {
	first := q.First
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 1 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRangeGot", MaxPageSize, first)
	}
	kinds := map[string]bool{}
	for _, k := range q.Kinds {
		if !slices.Contains(TimelineKinds, k) {
			return nil, errorOf(ErrBadRequest, nil, "timeline.unknownKind", clipText(k, 40), strings.Join(TimelineKinds, ", "))
		}
		kinds[k] = true
	}
	var cur *timelineCursor
	if q.After != "" {
		var err error
		if cur, err = decodeTimelineCursor(q.After); err != nil {
			return nil, err
		}
	}
	at, err := e.reachRecord(ctx, q.Object, q.Record, false)
	if err != nil {
		return nil, err
	}
	var items []TimelineItem
	for _, src := range e.timelineSources(ctx, at) {
		if len(kinds) > 0 && !kinds[src.kind] {
			continue
		}
		f := src.filter
		if cur != nil {
			f = store.Filter{And: []store.Filter{src.filter, src.before(cur)}}
		}
		page, err := at.sc.ts.Find(ctx, src.obj, store.Query{Filter: &f, Sort: []store.Sort{{Field: src.at, Desc: true}, {Field: "id", Desc: true}}, Limit: first + 1})
		if err != nil {
			return nil, fmt.Errorf("read the %s items of the timeline of %s %q: %w", src.kind, at.obj.Name, at.rec.ID, err)
		}
		for _, r := range page.Records {
			if it, ok := src.item(r); ok {
				items = append(items, it)
			}
		}
		if src.failed != nil {
			if err := src.failed(); err != nil {
				return nil, fmt.Errorf("read the timeline of %s %q: %w", at.obj.Name, at.rec.ID, err)
			}
		}
	}
	slices.SortFunc(items, func(a, b TimelineItem) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Kind, a.Kind); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	out := &TimelinePage{Items: items}
	if len(items) > first {
		out.Items, out.HasNextPage = items[:first], true
	}
	if out.Items == nil {
		out.Items = []TimelineItem{}
	}
	if n := len(out.Items); n > 0 {
		last := out.Items[n-1]
		out.EndCursor = timelineCursor{At: last.At.UTC().Format(schema.DateTimeLayout), Kind: last.Kind, ID: last.ID}.encode()
	}
	return out, nil
}

// timelineSources are the sources of the timeline of at.rec, as its
// caller may see them.
func (e *Engine) timelineSources(ctx context.Context, at recordAt) []timelineSource {
	snap, a, obj, id := at.sc.snap, at.sc.actor, at.obj, at.rec.ID
	ofRecord := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, id), store.Leaf("object", store.OpEq, obj.Name)}}
	rules := snap.readRules(a, obj)
	var out []timelineSource
	if p := snap.platform[noteObject]; p != nil {
		out = append(out, timelineSource{kind: TimelineNote, obj: p, filter: ofRecord, at: "at", item: func(r store.Record) (TimelineItem, bool) {
			n := noteOf(r)
			d := map[string]any{"body": n.Body, "mentions": anyList(n.Mentions), "version": n.Version}
			if n.Parent != "" {
				d["parent"] = n.Parent
			}
			if !n.EditedAt.IsZero() {
				d["editedAt"] = n.EditedAt.Format(time.RFC3339Nano)
			}
			return TimelineItem{Kind: TimelineNote, ID: r.ID, At: recordMoment(r, "at"), Actor: n.Author, Data: d}, true
		}})
	}
	if p := snap.platform[taskObject]; p != nil {
		out = append(out, timelineSource{kind: TimelineTask, obj: p, filter: ofRecord, at: "at", item: func(r store.Record) (TimelineItem, bool) {
			t := taskOf(r)
			d := map[string]any{"assignee": t.Assignee, "status": t.Status, "priority": t.Priority, "version": t.Version}
			if !t.Due.IsZero() {
				d["due"] = t.Due.Format(time.RFC3339Nano)
			}
			if !t.CompletedAt.IsZero() {
				d["completedAt"] = t.CompletedAt.Format(time.RFC3339Nano)
				d["completedBy"] = t.CompletedBy
			}
			return TimelineItem{Kind: TimelineTask, ID: r.ID, At: recordMoment(r, "at"), Actor: t.CreatedBy, Title: t.Subject, Data: d}, true
		}})
	}
	out = append(out, e.activitySources(at)...)
	if p := snap.platform[stageChangeObject]; p != nil {
		out = append(out, timelineSource{kind: TimelineStage, obj: p, filter: ofRecord, at: "at", item: func(r store.Record) (TimelineItem, bool) {
			field, _ := r.Data["field"].(string)
			if f := obj.Field(field); f == nil || rules.Hides(field) || rules.Masked[field] {
				return TimelineItem{}, false
			}
			by, _ := r.Data["by"].(string)
			d := map[string]any{"field": field, "to": r.Data["to"]}
			if from, ok := r.Data["from"].(string); ok && from != "" {
				d["from"] = from
			}
			if s, ok := r.Data["seconds"]; ok {
				d["seconds"] = s
			}
			return TimelineItem{Kind: TimelineStage, ID: r.ID, At: recordMoment(r, "at"), Actor: by, Data: d}, true
		}})
	}
	if p := snap.platform[auditObject]; p != nil {
		f := store.Filter{And: []store.Filter{ofRecord, store.Leaf("action", store.OpIn, []any{AuditCreate, AuditUpdate, AuditRestore})}}
		var failed error
		out = append(out, timelineSource{kind: TimelineChange, obj: p, filter: f, at: "createdAt", failed: func() error { return failed }, item: func(r store.Record) (TimelineItem, bool) {
			changes := map[string]any{}
			raw, err := creationChanges(ctx, at.sc.ts, p, obj, r)
			if err != nil {
				failed = err
				return TimelineItem{}, false
			}
			for k, v := range raw {
				switch f := obj.Field(k); {
				case k == "ownerId":
					changes[k] = v
				case f == nil || rules.Hides(k):
				case rules.Masked[k] || f.Sensitive:
					changes[k] = maskedChange(v)
				default:
					changes[k] = v
				}
			}
			action, _ := r.Data["action"].(string)
			if action == AuditUpdate && len(changes) == 0 {
				return TimelineItem{}, false // it changed only what the caller may not see
			}
			return TimelineItem{Kind: TimelineChange, ID: r.ID, At: entryMoment(r), Actor: entryActor(r),
				Data: map[string]any{"action": action, "changes": changes}}, true
		}})
	}
	if p := snap.platform[approvalRequestObject]; p != nil {
		out = append(out, timelineSource{kind: TimelineApproval, obj: p, filter: ofRecord, at: "submittedAt", item: func(r store.Record) (TimelineItem, bool) {
			req := approvalRequestOf(obj, r)
			d := map[string]any{"process": req.Process, "processLabel": map[string]any{"zh": req.ProcessLabel.Zh, "en": req.ProcessLabel.En},
				"status": req.Status, "step": req.Step, "stepLabel": map[string]any{"zh": req.StepLabel.Zh, "en": req.StepLabel.En}}
			if req.Comment != "" {
				d["comment"] = req.Comment
			}
			if !req.DecidedAt.IsZero() {
				d["decidedAt"] = req.DecidedAt.Format(time.RFC3339Nano)
			}
			title := req.ProcessLabel.Zh
			if title == "" {
				title = req.Process
			}
			return TimelineItem{Kind: TimelineApproval, ID: r.ID, At: recordMoment(r, "submittedAt"), Actor: req.Submitter, Title: title, Data: d}, true
		}})
	}
	if p := snap.platform[outboxObject]; p != nil && p.Field("channel") != nil {
		f := store.Filter{And: []store.Filter{ofRecord, store.Leaf("kind", store.OpEq, "deliver"), store.Leaf("channel", store.OpEq, "email")}}
		out = append(out, timelineSource{kind: TimelineEmail, obj: p, filter: f, at: "createdAt", item: func(r store.Record) (TimelineItem, bool) {
			payload, _ := r.Data["payload"].(map[string]any)
			to, _ := payload["to"].(map[string]any)
			user, _ := to["user"].(string)
			d := map[string]any{"to": user, "status": r.Data["status"]}
			if name, ok := to["name"].(string); ok {
				d["toName"] = name
			}
			if a.Admin || identityOf(a.ID) == user {
				d["message"] = payload["message"]
			}
			if s, ok := r.Data["deliveredAt"].(string); ok {
				d["deliveredAt"] = s
			}
			return TimelineItem{Kind: TimelineEmail, ID: r.ID, At: r.CreatedAt, Actor: r.CreatedBy, Data: d}, true
		}})
	}
	return out
}

// identityOf is the user name of an actor id ("user:NAME"), "" for others.
func identityOf(actorID string) string {
	if name, ok := strings.CutPrefix(actorID, "user:"); ok {
		return name
	}
	return ""
}

// maskedChange masks the old and new values of an audited change.
func maskedChange(v any) any {
	m, _ := v.(map[string]any)
	out := map[string]any{"old": nil, "new": nil}
	if m["old"] != nil {
		out["old"] = maskedValue
	}
	if m["new"] != nil {
		out["new"] = maskedValue
	}
	return out
}

// recordMoment reads a record's date-time field, its creation when it
// has none.
func recordMoment(r store.Record, field string) time.Time {
	if s, ok := r.Data[field].(string); ok {
		if t, err := time.Parse(schema.DateTimeLayout, s); err == nil {
			return t
		}
	}
	return r.CreatedAt
}

// activitySources are the activity objects' records that refer to at.rec
// through a lookup, as the caller may read them: one source per object.
func (e *Engine) activitySources(at recordAt) []timelineSource {
	snap, a := at.sc.snap, at.sc.actor
	var out []timelineSource
	for _, act := range snap.catalog.Objects {
		if !act.Activity || snap.mayDo(a, act, "read") != nil {
			continue
		}
		rules := snap.readRules(a, act)
		var or []store.Filter
		for _, f := range act.Fields {
			if f.Kind() == schema.KindLookup && f.Target == at.obj.Name && !rules.Hides(f.Name) && !rules.Masked[f.Name] {
				or = append(or, store.Leaf(f.Name, store.OpEq, at.rec.ID))
			}
		}
		if len(or) == 0 {
			continue
		}
		filter := store.Filter{Or: or}
		if scoped := rules.Scope(&filter); scoped != nil {
			filter = *scoped
		}
		title := titleField(act, rules)
		out = append(out, timelineSource{kind: TimelineActivity, obj: act, filter: filter, at: "createdAt", item: func(r store.Record) (TimelineItem, bool) {
			shown := rules.ShowOne(r)
			it := TimelineItem{Kind: TimelineActivity, ID: r.ID, At: r.CreatedAt, Actor: r.CreatedBy, Object: act.Name, Record: r.ID, Data: shown.Data}
			if title != "" {
				it.Title, _ = shown.Data[title].(string)
			}
			return it, true
		}})
	}
	return out
}
