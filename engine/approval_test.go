package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// approvalDeal is a deal with a discount approval: the submitter's
// manager, then (over 30 %) both directors; approval moves the deal into
// a stage that requires it and notes it, rejection clears the discount.
const approvalDeal = `{
  "$id": "deal", "type": "object",
  "x-crm-label": {"zh": "商机", "en": "Deal"},
  "properties": {
    "title":    {"type": "string", "x-crm-type": "text"},
    "discount": {"type": "number", "x-crm-type": "percent"},
    "note":     {"type": "string", "x-crm-type": "text"},
    "level":    {"type": "string", "x-crm-type": "text"},
    "stage": {"type": "string", "enum": ["draft", "approved", "won", "lost"], "x-crm-type": "picklist",
      "x-crm-pipeline": {"stages": [
        {"value": "draft", "category": "open"},
        {"value": "approved", "category": "open", "requiresApproval": "discount"},
        {"value": "won", "category": "won"},
        {"value": "lost", "category": "lost"}]}}
  },
  "required": ["title"],
  "x-crm-automations": [
    {"name": "mark", "trigger": {"event": "fieldChanged", "fields": ["level"]}, "actions": [{"type": "setFields", "values": {"note": "marked {{title}}"}}]}
  ],
  "x-crm-scripts": [
    {"name": "bigDiscounts", "kind": "validate", "source": "if (ctx.user && ctx.user.role === 'sales' && ctx.record.discount > 60) ctx.addError('discount', 'sales may not give more than 60% (' + ctx.user.id + ', ' + ctx.user.manager + ')')"}
  ],
  "x-crm-approvals": [
    {"name": "discount", "label": {"zh": "折扣审批", "en": "Discount approval"},
     "entry": {"field": "discount", "op": "gt", "value": 10},
     "steps": [
       {"name": "manager", "label": {"zh": "经理审批"}, "approvers": [{"type": "manager"}]},
       {"name": "directors", "mode": "all", "condition": {"field": "discount", "op": "gt", "value": 30},
        "approvers": [{"type": "role", "value": "director"}]}
     ],
     "onApprove": [{"type": "moveStage", "field": "stage", "stage": "approved"}, {"type": "setFields", "values": {"note": "approved {{title}}"}}],
     "onReject": [{"type": "setFields", "values": {"discount": 0}}],
     "editable": ["discount"]},
    {"name": "special", "steps": [{"approvers": [{"type": "user", "value": "dir1"}]}],
     "onApprove": [{"type": "runAutomation", "automation": "mark"}, {"type": "setFields", "values": {"title": null}}]},
    {"name": "quick", "steps": [{"condition": {"field": "discount", "op": "gt", "value": 99}, "approvers": [{"type": "user", "value": "dir1"}]}],
     "onApprove": [{"type": "setFields", "values": {"level": "A"}}, {"type": "runAutomation", "automation": "mark"}]}
  ]
}`

type approvalWorld struct {
	tn                            *testkit.Tenant
	eng                           *engine.Engine
	sales, mgr, dir1, dir2, other context.Context
}

func newApprovalWorld(t *testing.T) *approvalWorld {
	t.Helper()
	tn := testkit.New(t, "acme", testkit.WithObjects(approvalDeal))
	eng, ctx := tn.Engine, tn.Admin
	deal := map[string]engine.ObjectAccess{"deal": {Read: true, Create: true, Update: true, Delete: true}}
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: deal}))
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "director", Objects: deal}))
	for _, u := range []engine.NewUser{
		{Username: "mgr", DisplayName: "王经理", Role: "sales"},
		{Username: "li", DisplayName: "李雷", Role: "sales", Manager: "mgr"},
		{Username: "zhao", Role: "sales", Manager: "mgr"},
		{Username: "dir1", Role: "director"},
		{Username: "dir2", Role: "director"},
	} {
		u.Password = "a long enough password"
		_, err := eng.CreateUser(ctx, "acme", u)
		require.NoError(t, err)
	}
	as := func(name, role string) context.Context {
		return tn.As(engine.Actor{ID: "user:" + name, Role: role})
	}
	return &approvalWorld{tn: tn, eng: eng, sales: as("li", "sales"), mgr: as("mgr", "sales"),
		dir1: as("dir1", "director"), dir2: as("dir2", "director"), other: as("zhao", "sales")}
}

func (w *approvalWorld) deal(t *testing.T, discount float64) store.Record {
	t.Helper()
	rec, err := w.eng.CreateRecord(w.sales, "deal", map[string]any{"title": "Big order", "discount": discount, "stage": "draft"})
	require.NoError(t, err)
	return rec
}

func (w *approvalWorld) get(t *testing.T, id string) store.Record {
	t.Helper()
	rec, err := w.eng.GetRecord(w.tn.Admin, "deal", id)
	require.NoError(t, err)
	return rec
}

func decisions(req *engine.ApprovalRequest) []string {
	var out []string
	for _, task := range req.Tasks {
		out = append(out, task.StepName+":"+task.Approver+":"+task.Decision)
	}
	return out
}

func TestApproval_ManagerApproves(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	rec := w.deal(t, 20)

	_, err := w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"stage": "approved"}, nil)
	assert.Equal(t, map[string]string{"stage": "approvalRequired"}, fieldErrors(t, err), "the stage needs the approval")

	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "discount", "please")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalPending, req.Status)
	assert.Equal(t, "manager", req.StepName)
	assert.Equal(t, "user:li", req.Submitter)
	assert.Equal(t, "Big order", req.Title)
	assert.Equal(t, []string{"manager:user:mgr:pending"}, decisions(req))
	assert.Equal(t, []string{"user:mgr"}, req.Pending())

	_, err = w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "discount", "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "one pending request at a time")

	// Locked: the submitter may change nothing, the approver only the
	// editable discount; nobody deletes it.
	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"title": "Bigger"}, nil)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "pending approval")
	assert.Contains(t, engine.PublicMessage(err, "zh"), "正在审批中")
	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"discount": 15}, nil)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "the submitter is not an approver")
	_, err = w.eng.UpdateRecord(w.mgr, "deal", rec.ID, map[string]any{"title": "Bigger"}, nil)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "title is not editable")
	_, err = w.eng.UpdateRecord(w.mgr, "deal", rec.ID, map[string]any{"discount": 18, "title": "Big order"}, nil)
	require.NoError(t, err, "the approver may change the editable field (and send unchanged ones)")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(w.eng.DeleteRecord(w.sales, "deal", rec.ID)))
	_, err = w.eng.TransferRecord(w.sales, "deal", rec.ID, "user:zhao")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "no transfer while pending")

	// Only a current approver decides.
	for _, ctx := range []context.Context{w.sales, w.dir1, w.other} {
		_, err = w.eng.ApproveRequest(ctx, req.ID, "")
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
		_, err = w.eng.RejectRequest(ctx, req.ID, "")
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	}
	_, err = w.eng.ApproveRequest(w.mgr, "nope", "")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	pending, err := w.eng.MyPendingApprovals(w.mgr, 0)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, req.ID, pending[0].ID)
	none, err := w.eng.MyPendingApprovals(w.dir1, 0)
	require.NoError(t, err)
	assert.Empty(t, none)

	done, err := w.eng.ApproveRequest(w.mgr, req.ID, "ok")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, done.Status)
	assert.Equal(t, []string{"manager:user:mgr:approved", "directors::skipped"}, decisions(done), "18 % skips the directors")
	assert.Equal(t, "ok", done.Tasks[0].Comment)
	assert.False(t, done.DecidedAt.IsZero())

	got := w.get(t, rec.ID)
	assert.Equal(t, "approved", got.Data["stage"], "onApprove moved the stage through its gate")
	assert.Equal(t, "approved Big order", got.Data["note"])
	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"title": "Unlocked"}, nil)
	require.NoError(t, err, "a decided record is unlocked")
	_, err = w.eng.ApproveRequest(w.mgr, req.ID, "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "decided")

	hist, err := w.eng.ApprovalRequests(w.other, "deal", rec.ID)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, "please", hist[0].Comment)
	empty, err := w.eng.MyPendingApprovals(w.mgr, 0)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func TestApproval_AllDirectorsAndReject(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	rec := w.deal(t, 40)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "discount", "")
	require.NoError(t, err)
	req, err = w.eng.ApproveRequest(w.mgr, req.ID, "")
	require.NoError(t, err)
	assert.Equal(t, "directors", req.StepName)
	assert.ElementsMatch(t, []string{"user:dir1", "user:dir2"}, req.Pending())
	req, err = w.eng.ApproveRequest(w.dir1, req.ID, "fine by me")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalPending, req.Status, "all directors must approve")
	_, err = w.eng.ApproveRequest(w.dir1, req.ID, "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "dir1 has decided")
	req, err = w.eng.ApproveRequest(w.dir2, req.ID, "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	assert.Equal(t, "approved", w.get(t, rec.ID).Data["stage"])

	// A rejection by one director ends an "all" step and runs onReject.
	rec2 := w.deal(t, 50)
	req, err = w.eng.SubmitForApproval(w.sales, "deal", rec2.ID, "discount", "")
	require.NoError(t, err)
	_, err = w.eng.ApproveRequest(w.mgr, req.ID, "")
	require.NoError(t, err)
	req, err = w.eng.RejectRequest(w.dir2, req.ID, "too much")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalRejected, req.Status)
	assert.Equal(t, []string{"manager:user:mgr:approved", "directors:user:dir1:closed", "directors:user:dir2:rejected"}, decisions(req))
	got := w.get(t, rec2.ID)
	assert.Equal(t, 0.0, got.Data["discount"])
	assert.Equal(t, "draft", got.Data["stage"])
}

func TestApproval_EntryRecallAndRefusals(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	small := w.deal(t, 5)
	_, err := w.eng.SubmitForApproval(w.sales, "deal", small.ID, "discount", "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "entry criteria")
	_, err = w.eng.SubmitForApproval(w.sales, "deal", small.ID, "nope", "")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = w.eng.SubmitForApproval(w.sales, "deal", "missing", "discount", "")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	long := make([]rune, engine.MaxApprovalComment+1)
	for i := range long {
		long[i] = '字'
	}
	_, err = w.eng.SubmitForApproval(w.sales, "deal", small.ID, "special", string(long))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	// The manager has no manager: a manager step cannot be submitted.
	mine, err := w.eng.CreateRecord(w.mgr, "deal", map[string]any{"title": "Mine", "discount": 20})
	require.NoError(t, err)
	_, err = w.eng.SubmitForApproval(w.mgr, "deal", mine.ID, "discount", "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "no active manager")
	// A role that may not update deals may not submit them.
	require.NoError(t, w.eng.SaveRole(w.tn.Admin, engine.Role{Name: "viewer", Objects: map[string]engine.ObjectAccess{"deal": {Read: true}}}))
	viewer := w.tn.As(engine.Actor{ID: "user:viewer", Role: "viewer"})
	_, err = w.eng.SubmitForApproval(viewer, "deal", small.ID, "special", "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))

	rec := w.deal(t, 20)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "discount", "")
	require.NoError(t, err)
	_, err = w.eng.RecallRequest(w.mgr, req.ID, "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "only the submitter recalls")
	req, err = w.eng.RecallRequest(w.sales, req.ID, "wrong numbers")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalRecalled, req.Status)
	assert.Contains(t, decisions(req), "manager:user:mgr:recalled")
	_, err = w.eng.ApproveRequest(w.mgr, req.ID, "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	_, err = w.eng.RecallRequest(w.sales, req.ID, "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"discount": 25}, nil)
	require.NoError(t, err, "recalled: unlocked")
	got := w.get(t, rec.ID)
	assert.Equal(t, "draft", got.Data["stage"], "a recall changes nothing")
}

// TestApproval_Atomic: an outcome that cannot be applied (it would clear a
// required field) fails the decision and leaves everything as it was.
func TestApproval_Atomic(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	rec := w.deal(t, 1)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "special", "")
	require.NoError(t, err)
	_, err = w.eng.ApproveRequest(w.dir1, req.ID, "")
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "the record's problem, named by field")
	assert.Equal(t, "required", fieldErrors(t, err)["title"])
	assert.Contains(t, engine.PublicMessage(err, "en"), "could not be applied")
	hist, err := w.eng.ApprovalRequests(w.sales, "deal", rec.ID)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, engine.ApprovalPending, hist[0].Status)
	assert.Equal(t, []string{"step1:user:dir1:pending"}, decisions(hist[0]))
	got := w.get(t, rec.ID)
	assert.Equal(t, "Big order", got.Data["title"])
	assert.Nil(t, got.Data["note"], "the automation's change was rolled back too")
	assert.Equal(t, rec.Version, got.Version)
}

// TestApproval_AllStepsSkipped: a request whose every step is skipped is
// approved at submission, and runAutomation runs the named rule.
func TestApproval_AllStepsSkipped(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	rec := w.deal(t, 20)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "quick", "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	assert.Equal(t, []string{"step1::skipped"}, decisions(req))
	got := w.get(t, rec.ID)
	assert.Equal(t, "A", got.Data["level"])
	assert.Equal(t, "marked Big order", got.Data["note"])
}

func TestApproval_ScriptsSeeTheUser(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	_, err := w.eng.CreateRecord(w.sales, "deal", map[string]any{"title": "Huge", "discount": 70})
	require.Error(t, err)
	assert.Equal(t, "script", fieldErrors(t, err)["discount"])
	assert.ErrorContains(t, err, "(user:li, user:mgr)")
	_, err = w.eng.CreateRecord(w.dir1, "deal", map[string]any{"title": "Huge", "discount": 70})
	require.NoError(t, err, "directors may")
}

func TestApproval_Processes(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	ps, err := w.eng.ApprovalProcesses(w.sales, "deal")
	require.NoError(t, err)
	require.Len(t, ps, 3)
	assert.Equal(t, "discount", ps[0].Name)
	assert.Equal(t, "折扣审批", ps[0].Label.Zh)
	assert.Equal(t, []string{"manager", "directors"}, []string{ps[0].Steps[0].Name, ps[0].Steps[1].Name})
	_, err = w.eng.ApprovalProcesses(w.sales, "nope")
	assert.Error(t, err)
}

// TestApproval_DocsExample runs the example of docs/approvals.md: the
// definition saves, a 40 % discount goes to the manager and then both the
// director and the CFO, and the approval moves the quote and fills its
// terms.
func TestApproval_DocsExample(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/approvals.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	require.True(t, ok)
	def, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	tn := testkit.New(t, "acme", testkit.WithObjects(def))
	eng := tn.Engine
	require.NoError(t, eng.SaveRole(tn.Admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"*": {Read: true, Create: true, Update: true}}}))
	require.NoError(t, eng.SaveRole(tn.Admin, engine.Role{Name: "director", Objects: map[string]engine.ObjectAccess{"*": {Read: true, Update: true}}}))
	for _, u := range []engine.NewUser{{Username: "mgr", Role: "sales"}, {Username: "li", Role: "sales", Manager: "mgr"}, {Username: "dir", Role: "director"}, {Username: "cfo", Role: "director"}} {
		u.Password = "a long enough password"
		_, err := eng.CreateUser(tn.Admin, "acme", u)
		require.NoError(t, err)
	}
	as := func(name, role string) context.Context { return tn.As(engine.Actor{ID: "user:" + name, Role: role}) }
	li := as("li", "sales")
	q, err := eng.CreateRecord(li, "quote", map[string]any{"name": "Q", "discount": 40, "status": "inReview"})
	require.NoError(t, err)
	req, err := eng.SubmitForApproval(li, "quote", q.ID, "discount", "")
	require.NoError(t, err)
	req, err = eng.ApproveRequest(as("mgr", "sales"), req.ID, "")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"user:dir", "user:cfo"}, req.Pending())
	_, err = eng.ApproveRequest(as("cfo", "director"), req.ID, "")
	require.NoError(t, err)
	req, err = eng.ApproveRequest(as("dir", "director"), req.ID, "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
	got, err := eng.GetRecord(tn.Admin, "quote", q.ID)
	require.NoError(t, err)
	assert.Equal(t, "approved", got.Data["status"])
	assert.Equal(t, "折扣 40% 已审批", got.Data["terms"])

	small, err := eng.CreateRecord(li, "quote", map[string]any{"name": "S", "discount": 5, "status": "inReview"})
	require.NoError(t, err)
	req, err = eng.SubmitForApproval(li, "quote", small.ID, "discount", "")
	require.NoError(t, err)
	assert.Equal(t, engine.ApprovalApproved, req.Status)
}

// TestApproval_ProcessRemoved: when an administrator removes a process,
// its pending requests no longer lock their records or block a new
// submission, and deciding them says why it cannot be done.
func TestApproval_ProcessRemoved(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	rec := w.deal(t, 1)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "special", "")
	require.NoError(t, err)
	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"title": "x"}, nil)
	require.Equal(t, engine.CodeConflict, engine.CodeOf(err))

	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(approvalDeal), &doc))
	procs := doc["x-crm-approvals"].([]any)
	doc["x-crm-approvals"] = []any{procs[0], procs[2]}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	_, err = w.eng.SaveObject(w.tn.Admin, b, engine.SaveOptions{})
	require.NoError(t, err)

	_, err = w.eng.UpdateRecord(w.sales, "deal", rec.ID, map[string]any{"title": "x"}, nil)
	require.NoError(t, err, "no longer locked")
	_, err = w.eng.ApproveRequest(w.dir1, req.ID, "")
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.ErrorContains(t, err, "no longer exists")
	_, err = w.eng.SubmitForApproval(w.sales, "deal", rec.ID, "quick", "")
	require.NoError(t, err, "a new submission is not blocked")
}
