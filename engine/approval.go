package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Approvals (审批流). An object's approval processes (x-crm-approvals,
// package schema) let a user submit a record; the steps' approvers decide
// in order, each step by any one or all of its approvers, steps whose
// condition does not hold are skipped; the last approval runs the
// process's onApprove actions, a rejection its onReject actions. While a
// request is pending the record is locked: writes are refused, except a
// current approver's changes to the fields the process leaves editable
// (and the engine's own writes: the CLI, the worker's timers, sample
// data). A pipeline
// stage that requires a process is entered only by that process's
// approval.
//
// A request is a crmApprovalRequest record; each approver's part of a
// step is a crmApprovalTask record (pending until decided, then
// approved, rejected, closed when another approver decided an "any"
// step, recalled; a skipped step leaves one task, decision skipped,
// without approver). They are written in the transaction of the record
// changes and notifications, on every store.

const (
	approvalRequestObject = "crmApprovalRequest"
	approvalTaskObject    = "crmApprovalTask"
)

// Statuses of an [ApprovalRequest].
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalRecalled = "recalled"
)

// Decisions of an [ApprovalTask].
const (
	DecisionPending  = "pending"
	DecisionApproved = "approved"
	DecisionRejected = "rejected"
	DecisionSkipped  = "skipped"  // the step's condition did not hold
	DecisionClosed   = "closed"   // another approver decided the "any" step
	DecisionRecalled = "recalled" // the submitter recalled the request
)

// Bounds of approvals.
const (
	// MaxApprovalComment is the longest comment, in characters.
	MaxApprovalComment = 2000
	// MaxStepUsers bounds the users one step resolves to (a role with
	// more active users is refused at submission).
	MaxStepUsers = 100
	// MaxPendingApprovals is the most requests myPendingApprovals returns.
	MaxPendingApprovals = 100
	// maxRequestHistory bounds the requests of one record that
	// ApprovalRequests returns, the newest first.
	maxRequestHistory = 100
	// maxTasksPerRequest bounds the tasks read per request (10 steps of
	// at most MaxStepUsers approvers).
	maxTasksPerRequest = schema.MaxApprovalSteps * MaxStepUsers
)

// ApprovalRequest is one submission of a record to an approval process,
// with its history.
type ApprovalRequest struct {
	ID           string
	Object       string
	Record       string
	Process      string
	ProcessLabel schema.Label
	// Status is one of ApprovalPending, ApprovalApproved, ApprovalRejected,
	// ApprovalRecalled.
	Status string
	// Step is the index (from 0) of the current step, or of the step that
	// decided the request.
	Step      int
	StepName  string
	StepLabel schema.Label
	Submitter string // actor id (user:NAME)
	Comment   string
	// Title names the record (its name, subject …) as it was at
	// submission.
	Title       string
	SubmittedAt time.Time
	DecidedAt   time.Time // zero while pending
	// Tasks are the approvers' parts of the steps so far, in step order.
	Tasks []ApprovalTask
}

// ApprovalTask is one approver's part in one step of a request.
type ApprovalTask struct {
	ID        string
	Step      int
	StepName  string
	StepLabel schema.Label
	Approver  string // actor id (user:NAME); "" for a skipped step
	Decision  string // one of the Decision* constants
	Comment   string
	At        time.Time // when decided; zero while pending
	CreatedAt time.Time
}

// Pending returns the actor ids who may still decide the request's
// current step.
func (r *ApprovalRequest) Pending() []string {
	var out []string
	for _, t := range r.Tasks {
		if t.Decision == DecisionPending {
			out = append(out, t.Approver)
		}
	}
	return out
}

// ApprovalProcessInfo is an approval process as callers see it.
type ApprovalProcessInfo struct {
	Object string
	schema.ApprovalProcess
}

type approvalActingKey struct{}

// approvalActing returns the process whose decision is being applied in
// ctx ("" when none): its writes pass the lock and its stage gate.
func approvalActing(ctx context.Context) string {
	p, _ := ctx.Value(approvalActingKey{}).(string)
	return p
}

// ApprovalProcesses lists the active approval processes of object, for
// anyone who may read it.
func (e *Engine) ApprovalProcesses(ctx context.Context, object string) ([]ApprovalProcessInfo, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	out := []ApprovalProcessInfo{}
	for _, p := range sc.obj.Approvals {
		if p.Active {
			out = append(out, ApprovalProcessInfo{Object: sc.obj.Name, ApprovalProcess: p})
		}
	}
	return out, nil
}

// approvalWriter prepares a writer for an approval operation: the
// platform objects of requests and tasks, and the inbox.
func (e *Engine) approvalWriter(ctx context.Context, sc scope) (*writer, error) {
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return nil, err
	}
	if err := w.prepareApprovals(ctx); err != nil {
		return nil, err
	}
	if err := w.prepareNotify(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// prepareApprovals readies the platform objects of approvals.
func (w *writer) prepareApprovals(ctx context.Context) error {
	var err error
	if w.approvalReqs == nil {
		if w.approvalReqs, err = w.e.platformObject(ctx, w.ts, w.snap, approvalRequestObject); err != nil {
			return err
		}
	}
	if w.approvalTasks == nil {
		if w.approvalTasks, err = w.e.platformObject(ctx, w.ts, w.snap, approvalTaskObject); err != nil {
			return err
		}
	}
	return nil
}

func checkComment(comment string) error {
	if n := utf8.RuneCountInString(comment); n > MaxApprovalComment {
		return errorOf(ErrBadRequest, nil, "approval.commentTooLong", n, MaxApprovalComment)
	}
	if !utf8.ValidString(comment) {
		return errorOf(ErrBadRequest, nil, "approval.commentEncoding")
	}
	return nil
}

// SubmitForApproval submits the record id of object to its approval
// process with an optional comment. The caller must be allowed to change
// the record; the record must meet the process's entry criteria and have
// no pending request. The steps whose condition does not hold are
// skipped; the first remaining step's approvers are notified (a process
// whose steps are all skipped is approved at once). The record is locked
// until the request is decided or recalled.
func (e *Engine) SubmitForApproval(ctx context.Context, object, id, process, comment string) (*ApprovalRequest, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return nil, err
	}
	obj := sc.obj
	p := obj.Approval(process)
	if p == nil || !p.Active {
		return nil, errorOf(ErrBadRequest, nil, "approval.noSuchProcess", object, process, labelZh(obj))
	}
	if err := checkComment(comment); err != nil {
		return nil, err
	}
	if err := sc.snap.mayDo(sc.actor, obj, "update"); err != nil {
		return nil, err
	}
	w, err := e.approvalWriter(ctx, sc.scope)
	if err != nil {
		return nil, err
	}
	var req *ApprovalRequest
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := changeable(ctx, tx, sc.snap, sc.actor, obj, id)
		if err != nil {
			return err
		}
		if pending, err := w.pendingRequest(ctx, tx, obj, id); err != nil {
			return err
		} else if pending != nil {
			return errorOf(ErrConflict, nil, "approval.alreadyPending", object, id, processName(obj, pending.Process), labelZh(obj))
		}
		ok, err := filterHolds(obj, p.Entry, cur)
		if err != nil {
			return fmt.Errorf("entry criteria of approval process %s.%s: %w", obj.Name, p.Name, err)
		}
		if !ok {
			return errorOf(ErrConflict, nil, "approval.entryNotMet", object, id, p.Name, labelZh(obj), labelOr(p.Label, p.Name))
		}
		now := e.stamp()
		title := ""
		if f := titleField(obj, sc.snap.readRules(sc.actor, obj)); f != "" {
			title, _ = cur.Data[f].(string)
			title = truncate(title, 500)
		}
		data := map[string]any{"object": obj.Name, "record": id, "process": p.Name, "status": ApprovalPending,
			"step": 0, "submitter": sc.actor.ID, "submittedAt": now.Format(schema.DateTimeLayout)}
		if comment != "" {
			data["comment"] = comment
		}
		if title != "" {
			data["title"] = title
		}
		r := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: data}
		if err := tx.Insert(ctx, w.approvalReqs, r); err != nil {
			return fmt.Errorf("write approval request of %s %q: %w", obj.Name, id, err)
		}
		req = approvalRequestOf(obj, r)
		if err := w.enterStep(ctx, tx, obj, p, req, cur, 0); err != nil {
			return err
		}
		req, err = w.loadRequest(ctx, tx, r.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// enterStep moves req to step from or, skipping the steps whose condition
// does not hold on rec, a later one: its approvers get a task each and a
// notification. Past the last step the request is approved.
func (w *writer) enterStep(ctx context.Context, tx store.Tx, obj *schema.Object, p *schema.ApprovalProcess, req *ApprovalRequest, rec store.Record, from int) error {
	now := w.e.stamp()
	for i := from; i < len(p.Steps); i++ {
		st := &p.Steps[i]
		ok, err := filterHolds(obj, st.Condition, rec)
		if err != nil {
			return fmt.Errorf("condition of step %s of approval process %s.%s: %w", st.Name, obj.Name, p.Name, err)
		}
		if !ok {
			if err := w.insertTask(ctx, tx, req, i, st.Name, "", DecisionSkipped, now); err != nil {
				return err
			}
			continue
		}
		users, err := w.stepApprovers(obj, p, st, req.Submitter)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := w.insertTask(ctx, tx, req, i, st.Name, u, DecisionPending, time.Time{}); err != nil {
				return err
			}
		}
		if err := w.setRequest(ctx, tx, req.ID, map[string]any{"step": i}); err != nil {
			return err
		}
		to := make([]recipient, len(users))
		for j, u := range users {
			to[j] = recipient{Kind: "user", Value: u}
		}
		who := w.displayName(req.Submitter)
		title := titleOr(req.Title, req.Record)
		msg := schema.Label{
			Zh: message.Text("zh", "approval.noticePending", who, labelZh(obj), title, labelOr(p.Label, p.Name), labelOr(st.Label, st.Name)),
			En: message.Text("en", "approval.noticePending", who, obj.Name, title, p.Name, st.Name),
		}
		return w.notify(ctx, tx, notice{Kind: "approval", To: to, Object: obj.Name, Record: req.Record, Message: msg, Actor: w.actor.ID, Rule: "approval:" + p.Name})
	}
	return w.conclude(ctx, tx, obj, p, req, ApprovalApproved, len(p.Steps)-1)
}

// stepApprovers resolves a step's approvers to the actor ids of active
// users, without duplicates; the submitter approves only when named as a
// user. A step that resolves to nobody refuses the submission.
func (w *writer) stepApprovers(obj *schema.Object, p *schema.ApprovalProcess, st *schema.ApprovalStep, submitter string) ([]string, error) {
	var out []string
	add := func(name string) {
		id := "user:" + name
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	subName, isUser := strings.CutPrefix(submitter, "user:")
	for _, a := range st.Approvers {
		switch a.Kind {
		case schema.ApproverManager:
			sub, ok := w.snap.users[subName]
			if !isUser || !ok || sub.Manager == "" {
				return nil, errorOf(ErrConflict, nil, "approval.noManager", st.Name, p.Name, labelOr(st.Label, st.Name), labelOr(p.Label, p.Name))
			}
			if m, ok := w.snap.users[sub.Manager]; ok && m.Active {
				add(m.Username)
			}
		case schema.ApproverRole:
			for _, name := range slices.Sorted(maps.Keys(w.snap.users)) {
				u := w.snap.users[name]
				if u.Active && u.Role == a.Value && name != subName {
					add(name)
				}
			}
		case schema.ApproverUser:
			name := strings.TrimPrefix(a.Value, "user:")
			if u, ok := w.snap.users[name]; ok && u.Active {
				add(name)
			}
		}
		if len(out) > MaxStepUsers {
			return nil, errorOf(ErrConflict, nil, "approval.tooManyApprovers", st.Name, MaxStepUsers, labelOr(st.Label, st.Name))
		}
	}
	if len(out) == 0 {
		return nil, errorOf(ErrConflict, nil, "approval.noApprover", st.Name, p.Name, obj.Name, labelOr(st.Label, st.Name), labelOr(p.Label, p.Name))
	}
	return out, nil
}

func (w *writer) insertTask(ctx context.Context, tx store.Tx, req *ApprovalRequest, step int, stepName, approver, decision string, at time.Time) error {
	now := w.e.stamp()
	data := map[string]any{"request": req.ID, "object": req.Object, "record": req.Record, "step": step, "stepName": stepName, "decision": decision}
	if approver != "" {
		data["approver"] = approver
	}
	if !at.IsZero() {
		data["at"] = at.Format(schema.DateTimeLayout)
	}
	t := store.Record{ID: w.e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID, Data: data}
	if err := tx.Insert(ctx, w.approvalTasks, t); err != nil {
		return fmt.Errorf("write approval step of request %q: %w", req.ID, err)
	}
	return nil
}

// setRequest changes fields of a request in tx.
func (w *writer) setRequest(ctx context.Context, tx store.Tx, id string, set map[string]any) error {
	return w.setPlatform(ctx, tx, w.approvalReqs, id, set)
}

func (w *writer) setPlatform(ctx context.Context, tx store.Tx, obj *schema.Object, id string, set map[string]any) error {
	cur, err := tx.Get(ctx, obj, id)
	if err != nil {
		return fmt.Errorf("read %s %q: %w", obj.Name, id, err)
	}
	next := cur
	next.Data = maps.Clone(cur.Data)
	maps.Copy(next.Data, set)
	next.Version = cur.Version + 1
	next.UpdatedAt = w.e.stamp()
	next.UpdatedBy = w.actor.ID
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return fmt.Errorf("write %s %q: %w", obj.Name, id, err)
	}
	return nil
}

// ApproveRequest records the caller's approval of the current step of a
// pending request, with an optional comment. Only a current approver may
// decide (FORBIDDEN otherwise). When the step is decided (any: this
// approval; all: the last one) the request moves to the next step that
// applies, or, after the last, is approved: the process's onApprove
// actions change the record, which is unlocked, and the submitter is
// told.
func (e *Engine) ApproveRequest(ctx context.Context, id, comment string) (*ApprovalRequest, error) {
	return e.decide(ctx, id, comment, DecisionApproved)
}

// RejectRequest records the caller's rejection of a pending request: the
// request is rejected at once (in "any" and "all" steps alike), the
// process's onReject actions change the record, which is unlocked, and
// the submitter is told. Only a current approver may reject.
func (e *Engine) RejectRequest(ctx context.Context, id, comment string) (*ApprovalRequest, error) {
	return e.decide(ctx, id, comment, DecisionRejected)
}

// RecallRequest withdraws a pending request: only its submitter may,
// while it is pending. The record is unlocked and nothing else changes;
// the approvers who were waiting are told.
func (e *Engine) RecallRequest(ctx context.Context, id, comment string) (*ApprovalRequest, error) {
	return e.decide(ctx, id, comment, DecisionRecalled)
}

// decide applies one decision (approve, reject or recall) to a request.
func (e *Engine) decide(ctx context.Context, id, comment, decision string) (*ApprovalRequest, error) {
	if err := checkComment(comment); err != nil {
		return nil, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	w, err := e.approvalWriter(ctx, sc)
	if err != nil {
		return nil, err
	}
	var req *ApprovalRequest
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		req, err = w.loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		obj := sc.snap.catalog.Object(req.Object)
		if obj == nil {
			return errorOf(ErrConflict, nil, "approval.objectGone", req.Object)
		}
		p := obj.Approval(req.Process)
		if p == nil {
			return errorOf(ErrConflict, nil, "approval.processGone", req.Process, req.Object, labelZh(obj))
		}
		if err := w.actOn(ctx, tx, obj, p, req, comment, decision); err != nil {
			return err
		}
		req, err = w.loadRequest(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// actOn checks that the actor may make the decision and makes it.
func (w *writer) actOn(ctx context.Context, tx store.Tx, obj *schema.Object, p *schema.ApprovalProcess, req *ApprovalRequest, comment, decision string) error {
	now := w.e.stamp()
	mine := w.myTasks(req)
	if decision == DecisionRecalled {
		if req.Submitter != w.actor.ID {
			return errorOf(ErrForbidden, nil, "approval.notSubmitter")
		}
	} else if req.Status == ApprovalPending && len(mine) == 0 {
		return errorOf(ErrForbidden, nil, "approval.notApprover")
	}
	if req.Status != ApprovalPending {
		return errorOf(ErrConflict, nil, "approval.notPending", req.Status, statusZh(req.Status))
	}
	rec, err := tx.Get(ctx, obj, req.Record)
	if errors.Is(err, store.ErrNotFound) {
		return errorOf(ErrConflict, err, "approval.recordGone", obj.Name, req.Record, labelZh(obj))
	} else if err != nil {
		return fmt.Errorf("read %s record %q: %w", obj.Name, req.Record, err)
	}
	set := func(t ApprovalTask, d, c string) error {
		s := map[string]any{"decision": d, "at": now.Format(schema.DateTimeLayout)}
		if c != "" {
			s["comment"] = c
		}
		return w.setPlatform(ctx, tx, w.approvalTasks, t.ID, s)
	}
	pending := []ApprovalTask{}
	for _, t := range req.Tasks {
		if t.Decision == DecisionPending {
			pending = append(pending, t)
		}
	}
	switch decision {
	case DecisionRecalled:
		for _, t := range pending {
			if err := set(t, DecisionRecalled, ""); err != nil {
				return err
			}
		}
		if err := w.setRequest(ctx, tx, req.ID, map[string]any{"status": ApprovalRecalled, "decidedAt": now.Format(schema.DateTimeLayout)}); err != nil {
			return err
		}
		if comment != "" {
			if err := w.insertTask(ctx, tx, req, req.Step, p.Steps[min(req.Step, len(p.Steps)-1)].Name, w.actor.ID, DecisionRecalled, now); err != nil {
				return err
			}
			if err := w.commentLastTask(ctx, tx, req.ID, comment); err != nil {
				return err
			}
		}
		to := make([]recipient, 0, len(pending))
		for _, t := range pending {
			to = append(to, recipient{Kind: "user", Value: t.Approver})
		}
		title := titleOr(req.Title, req.Record)
		msg := schema.Label{
			Zh: message.Text("zh", "approval.noticeRecalled", w.displayName(w.actor.ID), labelZh(obj), title, labelOr(p.Label, p.Name)),
			En: message.Text("en", "approval.noticeRecalled", w.displayName(w.actor.ID), obj.Name, title, p.Name),
		}
		if len(to) == 0 {
			return nil
		}
		return w.notify(ctx, tx, notice{Kind: "approval", To: to, Object: obj.Name, Record: req.Record, Message: msg, Actor: w.actor.ID, Rule: "approval:" + p.Name})
	case DecisionRejected:
		for _, t := range pending {
			d, c := DecisionClosed, ""
			if t.Approver == w.actor.ID {
				d, c = DecisionRejected, comment
			}
			if err := set(t, d, c); err != nil {
				return err
			}
		}
		return w.conclude(ctx, tx, obj, p, req, ApprovalRejected, req.Step)
	}
	// Approved: this approver's task, then the step if it is decided.
	for _, t := range mine {
		if err := set(t, DecisionApproved, comment); err != nil {
			return err
		}
	}
	step := p.Steps[min(req.Step, len(p.Steps)-1)]
	if step.Mode == schema.ApprovalAll && len(pending) > len(mine) {
		return nil
	}
	for _, t := range pending {
		if t.Approver != w.actor.ID {
			if err := set(t, DecisionClosed, ""); err != nil {
				return err
			}
		}
	}
	return w.enterStep(ctx, tx, obj, p, req, rec, req.Step+1)
}

// commentLastTask puts the recall's comment on the task just written for it.
func (w *writer) commentLastTask(ctx context.Context, tx store.Tx, request, comment string) error {
	f := store.Filter{And: []store.Filter{store.Leaf("request", store.OpEq, request), store.Leaf("decision", store.OpEq, DecisionRecalled), store.Leaf("approver", store.OpEq, w.actor.ID)}}
	page, err := tx.Find(ctx, w.approvalTasks, store.Query{Filter: &f, Limit: 1})
	if err != nil {
		return fmt.Errorf("read approval steps of request %q: %w", request, err)
	}
	if len(page.Records) == 0 {
		return nil
	}
	return w.setPlatform(ctx, tx, w.approvalTasks, page.Records[0].ID, map[string]any{"comment": comment})
}

// myTasks returns the actor's pending tasks of req.
func (w *writer) myTasks(req *ApprovalRequest) []ApprovalTask {
	var out []ApprovalTask
	for _, t := range req.Tasks {
		if t.Decision == DecisionPending && t.Approver == w.actor.ID && w.actor.ID != "" {
			out = append(out, t)
		}
	}
	return out
}

// conclude ends req with status (approved or rejected): the process's
// actions for it change the record (in the same transaction; a failing
// action fails the decision), and the submitter is told.
func (w *writer) conclude(ctx context.Context, tx store.Tx, obj *schema.Object, p *schema.ApprovalProcess, req *ApprovalRequest, status string, step int) error {
	now := w.e.stamp()
	if err := w.setRequest(ctx, tx, req.ID, map[string]any{"status": status, "step": max(step, 0), "decidedAt": now.Format(schema.DateTimeLayout)}); err != nil {
		return err
	}
	actions := p.OnApprove
	if status == ApprovalRejected {
		actions = p.OnReject
	}
	if err := w.runApprovalActions(context.WithValue(ctx, approvalActingKey{}, p.Name), tx, obj, p, req.Record, actions); err != nil {
		return err
	}
	title := titleOr(req.Title, req.Record)
	var msg schema.Label
	if status == ApprovalApproved {
		msg = schema.Label{
			Zh: message.Text("zh", "approval.noticeApproved", labelZh(obj), title, labelOr(p.Label, p.Name)),
			En: message.Text("en", "approval.noticeApproved", obj.Name, title, p.Name),
		}
	} else {
		msg = schema.Label{
			Zh: message.Text("zh", "approval.noticeRejected", labelZh(obj), title, labelOr(p.Label, p.Name), w.displayName(w.actor.ID)),
			En: message.Text("en", "approval.noticeRejected", obj.Name, title, p.Name, w.displayName(w.actor.ID)),
		}
	}
	// The submitter is told even when they decided it themselves (a
	// process whose every step was skipped).
	return w.notify(ctx, tx, notice{Kind: "approval", To: []recipient{{Kind: "user", Value: req.Submitter}}, Object: obj.Name, Record: req.Record, Message: msg, Actor: w.actor.ID, Rule: "approval:" + p.Name})
}

// runApprovalActions applies an outcome's actions to the record, in order:
// field changes and stage moves as one update (with the record's own
// automations, validation and stage rules), then each named automation's
// actions.
func (w *writer) runApprovalActions(ctx context.Context, tx store.Tx, obj *schema.Object, p *schema.ApprovalProcess, id string, actions []schema.ApprovalAction) error {
	if len(actions) == 0 {
		return nil
	}
	rec, err := tx.Get(ctx, obj, id)
	if err != nil {
		return fmt.Errorf("read %s record %q: %w", obj.Name, id, err)
	}
	patch := map[string]any{}
	var automations []*schema.Automation
	for _, act := range actions {
		switch act.Type {
		case schema.ApprovalSetFields:
			for _, k := range sortedKeys(act.Values) {
				patch[k] = fill(act.Values[k], rec)
			}
		case schema.ApprovalMoveStage:
			patch[act.Field] = act.Stage
		case schema.ApprovalRunAutomation:
			for i := range obj.Automations {
				if obj.Automations[i].Name == act.Automation {
					automations = append(automations, &obj.Automations[i])
				}
			}
		}
	}
	if len(patch) > 0 {
		if rec, err = w.update(ctx, tx, obj, rec, patch); err != nil {
			return approvalActionFailed(obj, p, err)
		}
	}
	for _, au := range automations {
		if err := w.runTimed(ctx, tx, obj, au, rec); err != nil {
			return approvalActionFailed(obj, p, err)
		}
		if rec, err = tx.Get(ctx, obj, id); err != nil {
			return fmt.Errorf("read %s record %q: %w", obj.Name, id, err)
		}
	}
	return nil
}

func approvalActionFailed(obj *schema.Object, p *schema.ApprovalProcess, cause error) error {
	var ee *Error
	if errors.As(cause, &ee) && ee.Kind != ErrConflict && ee.Kind != ErrBadRequest {
		return cause
	}
	return errorOf(ErrConflict, cause, "approval.actionFailed", p.Name, obj.Name,
		message.New("text.perLanguage", describeIn(cause, message.En), describeIn(cause, message.Zh)), labelOr(p.Label, p.Name), labelZh(obj))
}

// pendingRequest returns the pending request of a record, or nil (also
// for a request whose process no longer exists).
func (w *writer) pendingRequest(ctx context.Context, tx store.Reader, obj *schema.Object, id string) (*ApprovalRequest, error) {
	if w.approvalReqs == nil {
		return nil, nil
	}
	f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, id), store.Leaf("status", store.OpEq, ApprovalPending)}}
	page, err := tx.Find(ctx, w.approvalReqs, store.Query{Filter: &f, Limit: 5})
	if err != nil {
		return nil, fmt.Errorf("read approval requests of %s %q: %w", obj.Name, id, err)
	}
	for _, r := range page.Records {
		// A request of a process an administrator has since removed
		// neither locks the record nor blocks a new submission.
		if r.Data["object"] == obj.Name && obj.Approval(apText(r.Data["process"])) != nil {
			return approvalRequestOf(obj, r), nil
		}
	}
	return nil, nil
}

// loadRequest reads a request with its tasks.
func (w *writer) loadRequest(ctx context.Context, tx store.Reader, id string) (*ApprovalRequest, error) {
	r, err := tx.Get(ctx, w.approvalReqs, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorOf(ErrNotFound, err, "approval.noSuchRequest", id)
	} else if err != nil {
		return nil, fmt.Errorf("read approval request %q: %w", id, err)
	}
	req := approvalRequestOf(w.snap.catalog.Object(apText(r.Data["object"])), r)
	byReq, err := readTasks(ctx, tx, w.approvalTasks, []string{id})
	if err != nil {
		return nil, err
	}
	req.Tasks = byReq[id]
	labelTasks(w.snap.catalog.Object(req.Object), req)
	return req, nil
}

// readTasks reads the tasks of the requests ids, in step and creation
// order.
func readTasks(ctx context.Context, r store.Reader, tasks *schema.Object, ids []string) (map[string][]ApprovalTask, error) {
	out := map[string][]ApprovalTask{}
	if tasks == nil || len(ids) == 0 {
		return out, nil
	}
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	f := store.Leaf("request", store.OpIn, list)
	page, err := r.Find(ctx, tasks, store.Query{Filter: &f, Limit: maxTasksPerRequest * len(ids)})
	if err != nil {
		return nil, fmt.Errorf("read approval steps: %w", err)
	}
	for _, t := range page.Records {
		req := apText(t.Data["request"])
		out[req] = append(out[req], approvalTaskOf(t))
	}
	for _, ts := range out {
		slices.SortStableFunc(ts, func(a, b ApprovalTask) int {
			if a.Step != b.Step {
				return a.Step - b.Step
			}
			return a.CreatedAt.Compare(b.CreatedAt)
		})
	}
	return out, nil
}

func apText(v any) string {
	s, _ := v.(string)
	return s
}

func apInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	}
	return 0
}

func apTime(v any) time.Time {
	t, _ := time.Parse(schema.DateTimeLayout, apText(v))
	return t
}

func approvalRequestOf(obj *schema.Object, r store.Record) *ApprovalRequest {
	req := &ApprovalRequest{ID: r.ID, Object: apText(r.Data["object"]), Record: apText(r.Data["record"]), Process: apText(r.Data["process"]),
		Status: apText(r.Data["status"]), Step: apInt(r.Data["step"]), Submitter: apText(r.Data["submitter"]), Comment: apText(r.Data["comment"]),
		Title: apText(r.Data["title"]), SubmittedAt: apTime(r.Data["submittedAt"]), DecidedAt: apTime(r.Data["decidedAt"])}
	if obj != nil {
		if p := obj.Approval(req.Process); p != nil {
			req.ProcessLabel = p.Label
			if req.Step < len(p.Steps) {
				req.StepName, req.StepLabel = p.Steps[req.Step].Name, p.Steps[req.Step].Label
			}
		}
	}
	return req
}

func approvalTaskOf(r store.Record) ApprovalTask {
	return ApprovalTask{ID: r.ID, Step: apInt(r.Data["step"]), StepName: apText(r.Data["stepName"]), Approver: apText(r.Data["approver"]),
		Decision: apText(r.Data["decision"]), Comment: apText(r.Data["comment"]), At: apTime(r.Data["at"]), CreatedAt: r.CreatedAt}
}

// labelTasks names the steps of req's tasks from its process.
func labelTasks(obj *schema.Object, req *ApprovalRequest) {
	if obj == nil {
		return
	}
	p := obj.Approval(req.Process)
	if p == nil {
		return
	}
	for i := range req.Tasks {
		if s := req.Tasks[i].Step; s < len(p.Steps) {
			req.Tasks[i].StepLabel = p.Steps[s].Label
		}
	}
}

// ApprovalRequests returns the approval requests of one record, the
// newest first (at most 100), with their history, for anyone who may
// read the record.
func (e *Engine) ApprovalRequests(ctx context.Context, object, id string) ([]*ApprovalRequest, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	rec, err := sc.ts.Get(ctx, sc.obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(sc.obj, id, err)
	} else if err != nil {
		return nil, fmt.Errorf("read %s record %q: %w", object, id, err)
	}
	if len(sc.rules.Show([]store.Record{rec})) == 0 {
		return nil, notFound(sc.obj, id, nil)
	}
	reqs := sc.snap.platform[approvalRequestObject]
	out := []*ApprovalRequest{}
	if reqs == nil {
		return out, nil
	}
	f := store.Leaf("record", store.OpEq, id)
	page, err := sc.ts.Find(ctx, reqs, store.Query{Filter: &f, Sort: []store.Sort{{Field: "submittedAt", Desc: true}}, Limit: maxRequestHistory})
	if err != nil {
		return nil, fmt.Errorf("read approval requests of %s %q: %w", object, id, err)
	}
	return e.withTasks(ctx, sc.scope, page.Records, func(r store.Record) bool { return r.Data["object"] == object })
}

func (e *Engine) withTasks(ctx context.Context, sc scope, recs []store.Record, keep func(store.Record) bool) ([]*ApprovalRequest, error) {
	out := []*ApprovalRequest{}
	var ids []string
	for _, r := range recs {
		if keep(r) {
			out = append(out, approvalRequestOf(sc.snap.catalog.Object(apText(r.Data["object"])), r))
			ids = append(ids, r.ID)
		}
	}
	tasks, err := readTasks(ctx, sc.ts, sc.snap.platform[approvalTaskObject], ids)
	if err != nil {
		return nil, err
	}
	for _, req := range out {
		req.Tasks = tasks[req.ID]
		labelTasks(sc.snap.catalog.Object(req.Object), req)
	}
	return out, nil
}

// MyPendingApprovals returns the pending requests the caller may decide
// now, the oldest first, at most first (1–100; zero means 50).
func (e *Engine) MyPendingApprovals(ctx context.Context, first int) ([]*ApprovalRequest, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	if first == 0 {
		first = 50
	}
	if first < 1 || first > MaxPendingApprovals {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRange", MaxPendingApprovals)
	}
	tasks, reqs := sc.snap.platform[approvalTaskObject], sc.snap.platform[approvalRequestObject]
	out := []*ApprovalRequest{}
	if tasks == nil || reqs == nil || sc.actor.ID == "" {
		return out, nil
	}
	f := store.Filter{And: []store.Filter{store.Leaf("approver", store.OpEq, sc.actor.ID), store.Leaf("decision", store.OpEq, DecisionPending)}}
	page, err := sc.ts.Find(ctx, tasks, store.Query{Filter: &f, Limit: first})
	if err != nil {
		return nil, fmt.Errorf("read pending approvals: %w", err)
	}
	var ids []string
	for _, t := range page.Records {
		if id := apText(t.Data["request"]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	recs, err := sc.ts.GetMany(ctx, reqs, ids)
	if err != nil {
		return nil, fmt.Errorf("read pending approval requests: %w", err)
	}
	out, err = e.withTasks(ctx, sc, recs, func(r store.Record) bool { return r.Data["status"] == ApprovalPending })
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *ApprovalRequest) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	return out, nil
}

// filterHolds evaluates a condition (a filter in the query model's JSON
// form; empty holds) on a record.
func filterHolds(obj *schema.Object, cond json.RawMessage, rec store.Record) (bool, error) {
	if len(cond) == 0 {
		return true, nil
	}
	var f store.Filter
	if err := json.Unmarshal(cond, &f); err != nil {
		return false, err
	}
	nf, err := normalizeFilter(obj, &f)
	if err != nil {
		return false, err
	}
	return store.Match(nf, &rec), nil
}

// approvalLock refuses a change of a record that is pending approval:
// changed are the fields the write changes. A current approver may
// change the fields the process leaves editable; the process's own
// actions and the engine's system processes pass.
func (w *writer) approvalLock(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, changed []string, deleting bool) error {
	if len(obj.Approvals) == 0 || approvalActing(ctx) != "" || w.systemWriter() {
		return nil
	}
	if !deleting && len(changed) == 0 {
		return nil
	}
	if w.approvalReqs == nil {
		reqs := w.snap.platform[approvalRequestObject]
		if reqs == nil {
			return nil // no request was ever made in this tenant
		}
		w.approvalReqs = reqs
	}
	req, err := w.pendingRequest(ctx, tx, obj, cur.ID)
	if err != nil || req == nil {
		return err
	}
	p := obj.Approval(req.Process)
	name := labelOr(schema.Label{}, req.Process)
	if p != nil {
		name = labelOr(p.Label, p.Name)
	}
	if deleting {
		return errorOf(ErrConflict, nil, "approval.lockedDelete", obj.Name, cur.ID, req.Process, labelZh(obj), name)
	}
	var refused []string
	editable := p != nil && w.isPendingApprover(ctx, tx, req.ID)
	for _, f := range changed {
		if !editable || !slices.Contains(p.Editable, f) {
			refused = append(refused, f)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return errorOf(ErrConflict, nil, "approval.locked", obj.Name, cur.ID, req.Process, strings.Join(refused, ", "), labelZh(obj), name)
}

// systemWriter reports whether the writer is the engine's own: the CLI
// and worker ("system") and a template's sample data ("template:NAME"),
// which write records as they stand (a sample contract already signed),
// not as someone moving them.
func (w *writer) systemWriter() bool {
	return w.actor.ID == "system" || strings.HasPrefix(w.actor.ID, "template:")
}

// isPendingApprover reports whether the actor has a pending task in the
// request.
func (w *writer) isPendingApprover(ctx context.Context, tx store.Tx, request string) bool {
	tasks := w.approvalTasks
	if tasks == nil {
		tasks = w.snap.platform[approvalTaskObject]
	}
	if tasks == nil || w.actor.ID == "" {
		return false
	}
	f := store.Filter{And: []store.Filter{store.Leaf("request", store.OpEq, request), store.Leaf("approver", store.OpEq, w.actor.ID), store.Leaf("decision", store.OpEq, DecisionPending)}}
	page, err := tx.Find(ctx, tasks, store.Query{Filter: &f, Limit: 1})
	return err == nil && len(page.Records) > 0
}

// changedFields are the fields of patch whose value differs between old
// and data (both normalized).
func changedFields(patch, old, data map[string]any) []string {
	var out []string
	for _, k := range sortedKeys(patch) {
		if !reflect.DeepEqual(old[k], data[k]) {
			out = append(out, k)
		}
	}
	return out
}

// approvalGate returns a problem for each stage move into a stage that
// requires an approval process, unless that process's approval is being
// applied in ctx or the engine writes for itself (systemWriter).
func (w *writer) approvalGate(ctx context.Context, obj *schema.Object, moves []stageMove) []schema.FieldError {
	if w.systemWriter() {
		return nil
	}
	var out []schema.FieldError
	for _, m := range moves {
		st := m.field.Pipeline.Stage(m.to)
		if st == nil || st.RequiresApproval == "" || approvalActing(ctx) == st.RequiresApproval {
			continue
		}
		name := st.RequiresApproval
		if p := obj.Approval(name); p != nil {
			name = labelOr(p.Label, p.Name)
		}
		out = append(out, fieldError(m.field.Name, "approvalRequired", "field.approvalRequired", m.to, st.RequiresApproval, optionZh(m.field, m.to), name))
	}
	return out
}

func labelOr(l schema.Label, name string) string {
	if l.Zh != "" {
		return l.Zh
	}
	return name
}

func titleOr(title, id string) string {
	if title != "" {
		return title
	}
	return id
}

func processName(obj *schema.Object, name string) string {
	if p := obj.Approval(name); p != nil && p.Label.En != "" {
		return p.Label.En
	}
	return name
}

func statusZh(status string) string {
	switch status {
	case ApprovalApproved:
		return "已通过"
	case ApprovalRejected:
		return "已驳回"
	case ApprovalRecalled:
		return "已撤回"
	}
	return "审批中"
}

// displayName is how a notification names an actor.
func (w *writer) displayName(actorID string) string {
	if u, ok := w.snap.users[strings.TrimPrefix(actorID, "user:")]; ok && u.DisplayName != "" {
		return u.DisplayName
	}
	return strings.TrimPrefix(actorID, "user:")
}
