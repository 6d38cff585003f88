package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Notes and comments on records. A note belongs to one record of a
// business object (crmNote: object, record, body, mentions, parent,
// author); a reply names the note it answers (one level: a reply to a
// reply answers the same note). Who may read a record may read its notes;
// who may change it may add notes to it; only a note's author edits it;
// its author or an administrator deletes it (with its replies). Notes go
// with their record into the recycle bin and come back with it (see
// recycle_attached.go), and travel with the tenant's export.
//
// A note may @mention users: each must be an active user who may read the
// record (a mention never shows a note to someone who could not see it);
// each mentioned user gets a notification of kind "mention", once — an
// edit notifies only the users it adds.

const (
	noteObject = "crmNote"
	// MaxNoteBody bounds a note's text, in characters.
	MaxNoteBody = 10_000
	// MaxNoteMentions bounds the users one note mentions.
	MaxNoteMentions = 20
	// MaxRecordNotes bounds the notes of one record, replies included.
	MaxRecordNotes = 5_000
	// maxNoticeExcerpt is how much of a note a mention's notification
	// quotes, in characters.
	maxNoticeExcerpt = 140
)

// Note is a note on a record as its readers see it.
type Note struct {
	ID     string
	Object string
	Record string
	Body   string
	// Mentions are the actor ids (user:NAME) of the users it mentions.
	Mentions []string
	// Parent is the note a reply answers; "" for a note.
	Parent    string
	Author    string // actor id
	CreatedAt time.Time
	// EditedAt is when the author last changed it; zero if never.
	EditedAt time.Time
	Version  int64
}

// NoteInput is a new note.
type NoteInput struct {
	Object, Record string
	Body           string
	// Mentions name users by user name (or actor id, user:NAME).
	Mentions []string
	// Parent, when set, makes the note a reply to that note of the same
	// record.
	Parent string
}

// NotePage is one page of a record's notes, the newest first.
type NotePage struct {
	Notes       []Note
	HasNextPage bool
	EndCursor   string
}

// noteOf reads a stored note.
func noteOf(r store.Record) Note {
	n := Note{ID: r.ID, CreatedAt: r.CreatedAt, Version: r.Version}
	n.Object, _ = r.Data["object"].(string)
	n.Record, _ = r.Data["record"].(string)
	n.Body, _ = r.Data["body"].(string)
	n.Parent, _ = r.Data["parent"].(string)
	n.Author, _ = r.Data["author"].(string)
	n.Mentions = stringList(r.Data["mentions"])
	if s, ok := r.Data["editedAt"].(string); ok {
		n.EditedAt, _ = time.Parse(schema.DateTimeLayout, s)
	}
	return n
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, el := range list {
		if s, ok := el.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// recordAt is a record the caller reaches: its scope, object and record.
type recordAt struct {
	sc  scope
	obj *schema.Object
	rec store.Record
}

// reachRecord reads the record object/id for the caller: NOT_FOUND when
// there is none or the caller may not read it; with change set, FORBIDDEN
// when they may not change it (the role's update right and the object's
// sharing).
func (e *Engine) reachRecord(ctx context.Context, object, id string, change bool) (recordAt, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return recordAt{}, err
	}
	obj, err := objectIn(sc.snap.catalog, object)
	if err != nil {
		return recordAt{}, err
	}
	return e.reachIn(ctx, sc, obj, id, change)
}

func (e *Engine) reachIn(ctx context.Context, sc scope, obj *schema.Object, id string, change bool) (recordAt, error) {
	if err := sc.snap.mayDo(sc.actor, obj, "read"); err != nil {
		return recordAt{}, err
	}
	if id == "" || len(id) > maxIDLength {
		return recordAt{}, notFound(obj, id, nil)
	}
	rec, err := sc.ts.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return recordAt{}, notFound(obj, id, err)
	}
	if err != nil {
		return recordAt{}, fmt.Errorf("read %s record %q: %w", obj.Name, id, err)
	}
	if !sc.snap.readRules(sc.actor, obj).Sees(&rec) {
		return recordAt{}, notFound(obj, id, nil)
	}
	if change {
		if err := sc.snap.mayDo(sc.actor, obj, "update"); err != nil {
			return recordAt{}, err
		}
		if err := sc.snap.mayChange(sc.actor, obj, &rec); err != nil {
			return recordAt{}, err
		}
	}
	return recordAt{sc: sc, obj: obj, rec: rec}, nil
}

// newestFirst orders notes and tasks the newest first.
var newestFirst = []store.Sort{{Field: "at", Desc: true}, {Field: "id", Desc: true}}

// maxIDLength bounds the ids callers name.
const maxIDLength = 200

// userActor is the actor a user acts as.
func userActor(tenant string, u User) Actor {
	a := Actor{TenantID: tenant, ID: u.ActorID(), Admin: u.Role == AdminRole}
	if !a.Admin {
		a.Role = u.Role
	}
	return a
}

// userSees reports whether the user may read rec of obj.
func (s *snapshot) userSees(tenant string, u User, obj *schema.Object, rec *store.Record) bool {
	a := userActor(tenant, u)
	return s.mayDo(a, obj, "read") == nil && s.readRules(a, obj).Sees(rec)
}

// activeUser resolves a user name or actor id to an active user.
func (s *snapshot) activeUser(name string) (User, bool) {
	u, ok := s.users[strings.TrimPrefix(name, "user:")]
	return u, ok && u.Active
}

// mentionProblems resolves the mentions of a note on at.rec to actor ids,
// each once, in the order given; it reports the names that are no active
// user or a user who may not read the record.
func (e *Engine) mentionProblems(at recordAt, names []string) ([]string, []schema.FieldError) {
	if len(names) > MaxNoteMentions {
		return nil, []schema.FieldError{fieldError("mentions", "maxItems", "note.tooManyMentions", len(names), MaxNoteMentions)}
	}
	var ids []string
	var problems []schema.FieldError
	for _, name := range names {
		u, ok := at.sc.snap.activeUser(name)
		switch {
		case !ok:
			problems = append(problems, fieldError("mentions", "unknown", "note.unknownUser", clipText(name, 100)))
		case !at.sc.snap.userSees(at.sc.actor.TenantID, u, at.obj, &at.rec):
			problems = append(problems, fieldError("mentions", "forbidden", "note.mentionCannotSee", u.Username))
		case !slices.Contains(ids, u.ActorID()):
			ids = append(ids, u.ActorID())
		}
	}
	return ids, problems
}

// noteBodyProblems checks a note's text.
func noteBodyProblems(body string) []schema.FieldError {
	switch n := utf8.RuneCountInString(body); {
	case !utf8.ValidString(body):
		return []schema.FieldError{fieldError("body", "encoding", "note.bodyEncoding")}
	case strings.TrimSpace(body) == "":
		return []schema.FieldError{fieldError("body", "required", "note.bodyEmpty")}
	case n > MaxNoteBody:
		return []schema.FieldError{fieldError("body", "maxLength", "note.bodyTooLong", n, MaxNoteBody)}
	}
	return nil
}

// attachedWriter prepares a writer for a note or task write (it is
// ready to notify) and the platform object name.
func (e *Engine) attachedWriter(ctx context.Context, sc scope, name string) (*writer, *schema.Object, error) {
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return nil, nil, err
	}
	obj, err := e.platformObject(ctx, sc.ts, sc.snap, name)
	if err != nil {
		return nil, nil, err
	}
	return w, obj, nil
}

// AddNote adds a note (or a reply) to a record the caller may change and
// notifies the users it mentions. Problems with the input come back
// together as a validation error of crmNote's fields (body, mentions,
// parent).
func (e *Engine) AddNote(ctx context.Context, in NoteInput) (Note, error) {
	at, err := e.reachRecord(ctx, in.Object, in.Record, true)
	if err != nil {
		return Note{}, err
	}
	w, notes, err := e.attachedWriter(ctx, at.sc, noteObject)
	if err != nil {
		return Note{}, err
	}
	problems := noteBodyProblems(in.Body)
	mentions, mp := e.mentionProblems(at, in.Mentions)
	problems = append(problems, mp...)
	if len(problems) > 0 {
		return Note{}, notes.Invalid(problems)
	}
	now := e.stamp()
	data := map[string]any{"object": at.obj.Name, "record": at.rec.ID, "body": in.Body, "author": at.sc.actor.ID,
		"at": now.Format(schema.DateTimeLayout), "mentions": anyList(mentions)}
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: at.sc.actor.ID, UpdatedBy: at.sc.actor.ID, OwnerID: at.sc.actor.ID, Data: data}
	err = at.sc.ts.WithTx(ctx, func(tx store.Tx) error {
		if in.Parent != "" {
			parent, err := tx.Get(ctx, notes, in.Parent)
			if errors.Is(err, store.ErrNotFound) || err == nil && (parent.Data["record"] != at.rec.ID || parent.Data["object"] != at.obj.Name) {
				return notes.Invalid([]schema.FieldError{fieldError("parent", "lookup", "note.parentNotFound", clipText(in.Parent, 100))})
			}
			if err != nil {
				return fmt.Errorf("read note %q: %w", in.Parent, err)
			}
			if p, _ := parent.Data["parent"].(string); p != "" {
				data["parent"] = p // a reply to a reply answers the same note
			} else {
				data["parent"] = parent.ID
			}
		}
		f := store.Leaf("record", store.OpEq, at.rec.ID)
		n, err := tx.Count(ctx, notes, &f)
		if err != nil {
			return fmt.Errorf("count notes of %s %q: %w", at.obj.Name, at.rec.ID, err)
		}
		if n >= MaxRecordNotes {
			return errorOf(ErrConflict, nil, "note.tooMany", MaxRecordNotes)
		}
		if err := tx.Insert(ctx, notes, rec); err != nil {
			return fmt.Errorf("add note to %s %q: %w", at.obj.Name, at.rec.ID, err)
		}
		return w.notifyMentions(ctx, tx, at, in.Body, mentions)
	})
	if err != nil {
		return Note{}, err
	}
	return noteOf(rec), nil
}

// notifyMentions tells each mentioned user about the note, in tx.
func (w *writer) notifyMentions(ctx context.Context, tx store.Tx, at recordAt, body string, mentions []string) error {
	if len(mentions) == 0 {
		return nil
	}
	var to []recipient
	for _, m := range mentions {
		if m != w.actor.ID { // no one is told of their own mention
			to = append(to, recipient{Kind: "user", Value: m})
		}
	}
	if len(to) == 0 {
		return nil
	}
	who := w.actor.ID
	if u, ok := w.snap.users[strings.TrimPrefix(who, "user:")]; ok && u.DisplayName != "" {
		who = u.DisplayName
	}
	title := recordTitle(at.sc.snap, at.obj, at.rec)
	excerpt := clipText(strings.Join(strings.Fields(body), " "), maxNoticeExcerpt)
	msg := schema.Label{
		Zh: message.Text(message.Zh, "note.mentionNotice", who, labelZh(at.obj), title, excerpt),
		En: message.Text(message.En, "note.mentionNotice", who, labelEn(at.obj), title, excerpt),
	}
	return w.notify(ctx, tx, notice{Kind: "mention", To: to, Object: at.obj.Name, Record: at.rec.ID, Message: msg, Actor: w.actor.ID})
}

// recordTitle names a record in a message: the value of its title field
// as anybody who sees the record may read it, else its id.
func recordTitle(snap *snapshot, obj *schema.Object, rec store.Record) string {
	if f := titleField(obj, &readRules{}); f != "" {
		if s, ok := rec.Data[f].(string); ok && s != "" {
			return clipText(s, 100)
		}
	}
	return rec.ID
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// noteAt reads a note and its record for the caller; NOT_FOUND when the
// caller may not read the record.
func (e *Engine) noteAt(ctx context.Context, tx store.Reader, sc scope, notes *schema.Object, id string, change bool) (store.Record, recordAt, error) {
	missing := errorOf(ErrNotFound, nil, "note.notFound", clipText(id, 100))
	if notes == nil || id == "" || len(id) > maxIDLength {
		return store.Record{}, recordAt{}, missing
	}
	rec, err := tx.Get(ctx, notes, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Record{}, recordAt{}, missing
	}
	if err != nil {
		return store.Record{}, recordAt{}, fmt.Errorf("read note %q: %w", id, err)
	}
	n := noteOf(rec)
	obj := sc.snap.catalog.Object(n.Object)
	if obj == nil {
		return store.Record{}, recordAt{}, missing
	}
	at, err := e.reachIn(ctx, sc, obj, n.Record, change)
	if CodeOf(err) == CodeNotFound {
		return store.Record{}, recordAt{}, missing
	}
	return rec, at, err
}

// EditNote changes the text and mentions of a note: its author only.
// Users the edit adds to the mentions are notified; version, when not
// nil, must be the stored one.
func (e *Engine) EditNote(ctx context.Context, id, body string, mentions []string, version *int64) (Note, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Note{}, err
	}
	notes := sc.snap.platform[noteObject]
	rec, at, err := e.noteAt(ctx, sc.ts, sc, notes, id, false)
	if err != nil {
		return Note{}, err
	}
	if rec.Data["author"] != sc.actor.ID {
		return Note{}, errorOf(ErrForbidden, nil, "note.authorOnly")
	}
	w, notes, err := e.attachedWriter(ctx, sc, noteObject)
	if err != nil {
		return Note{}, err
	}
	problems := noteBodyProblems(body)
	ids, mp := e.mentionProblems(at, mentions)
	if problems = append(problems, mp...); len(problems) > 0 {
		return Note{}, notes.Invalid(problems)
	}
	var next store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, notes, id)
		if err != nil {
			return fmt.Errorf("read note %q: %w", id, err)
		}
		if version != nil && *version != cur.Version {
			return errorOf(ErrConflict, nil, "note.stale", *version, cur.Version)
		}
		before := stringList(cur.Data["mentions"])
		var added []string
		for _, m := range ids {
			if !slices.Contains(before, m) {
				added = append(added, m)
			}
		}
		next = cur
		next.Data = cloneMap(cur.Data)
		next.Data["body"] = body
		next.Data["mentions"] = anyList(ids)
		now := e.stamp()
		next.Data["editedAt"] = now.Format(schema.DateTimeLayout)
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, sc.actor.ID
		if err := tx.Update(ctx, notes, next, cur.Version); err != nil {
			return fmt.Errorf("edit note %q: %w", id, err)
		}
		return w.notifyMentions(ctx, tx, at, body, added)
	})
	if errors.Is(err, store.ErrConflict) {
		return Note{}, errorOf(ErrConflict, err, "note.changedMeanwhile")
	}
	if err != nil {
		return Note{}, err
	}
	return noteOf(next), nil
}

// DeleteNote deletes a note with its replies: its author, or an
// administrator. The caller must still read the note's record.
func (e *Engine) DeleteNote(ctx context.Context, id string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	notes := sc.snap.platform[noteObject]
	rec, _, err := e.noteAt(ctx, sc.ts, sc, notes, id, false)
	if err != nil {
		return err
	}
	if rec.Data["author"] != sc.actor.ID && !sc.actor.Admin {
		return errorOf(ErrForbidden, nil, "note.authorOnly")
	}
	return sc.ts.WithTx(ctx, func(tx store.Tx) error {
		if err := deleteWhere(ctx, tx, notes, store.Leaf("parent", store.OpEq, id)); err != nil {
			return fmt.Errorf("delete replies of note %q: %w", id, err)
		}
		if err := tx.Delete(ctx, notes, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete note %q: %w", id, err)
		}
		return nil
	})
}

// Notes returns a page of the notes of a record the caller may read,
// replies included, the newest first (first: 1–100, default 20).
func (e *Engine) Notes(ctx context.Context, object, record string, first int, after string) (*NotePage, error) {
	if first < 0 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRangeGot", MaxPageSize, first)
	}
	at, err := e.reachRecord(ctx, object, record, false)
	if err != nil {
		return nil, err
	}
	out := &NotePage{Notes: []Note{}}
	notes := at.sc.snap.platform[noteObject]
	if notes == nil {
		return out, nil
	}
	f := store.Leaf("record", store.OpEq, at.rec.ID)
	res, err := list(ctx, at.sc.ts, notes, ListQuery{Filter: &f, Sort: newestFirst, First: first, After: after})
	if err != nil {
		return nil, err
	}
	for _, r := range res.Records {
		if r.Data["object"] == at.obj.Name {
			out.Notes = append(out.Notes, noteOf(r))
		}
	}
	out.HasNextPage, out.EndCursor = res.HasNextPage, res.EndCursor
	return out, nil
}
