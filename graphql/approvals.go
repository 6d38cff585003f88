package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// Approving is what approval processes need (engine/approval.go says how
// they run).
type Approving interface {
	ApprovalProcesses(ctx context.Context, object string) ([]engine.ApprovalProcessInfo, error)
	ApprovalRequests(ctx context.Context, object, id string) ([]*engine.ApprovalRequest, error)
	MyPendingApprovals(ctx context.Context, first int) ([]*engine.ApprovalRequest, error)
	SubmitForApproval(ctx context.Context, object, id, process, comment string) (*engine.ApprovalRequest, error)
	ApproveRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error)
	RejectRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error)
	RecallRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error)
}

// approvalResolvers serve the approval queries and mutations.
func (s *execSchema) approvalResolvers(query, mutation map[string]resolver) {
	eng := s.srv.approvals
	arg := func(fc *fieldCall, name string) string {
		v, _ := fc.args[name].(string)
		return v
	}
	requests := func(reqs []*engine.ApprovalRequest, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		out := make([]any, len(reqs))
		for i, r := range reqs {
			out[i] = r
		}
		return out, nil
	}
	one := func(r *engine.ApprovalRequest, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	query["approvalProcesses"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		ps, err := eng.ApprovalProcesses(ctx, arg(fc, "object"))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(ps))
		for i := range ps {
			out[i] = &ps[i]
		}
		return out, nil
	}
	query["approvalRequests"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return requests(eng.ApprovalRequests(ctx, arg(fc, "object"), arg(fc, "record")))
	}
	query["myPendingApprovals"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		first := 0
		if n, ok := fc.args["first"].(int64); ok {
			if n < 1 || n > engine.MaxPendingApprovals {
				return nil, badRequestf("first must be between 1 and %d", engine.MaxPendingApprovals)
			}
			first = int(n)
		}
		return requests(eng.MyPendingApprovals(ctx, first))
	}
	mutation["submitForApproval"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return one(eng.SubmitForApproval(ctx, arg(fc, "object"), arg(fc, "id"), arg(fc, "process"), arg(fc, "comment")))
	}
	mutation["approveRequest"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return one(eng.ApproveRequest(ctx, arg(fc, "id"), arg(fc, "comment")))
	}
	mutation["rejectRequest"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return one(eng.RejectRequest(ctx, arg(fc, "id"), arg(fc, "comment")))
	}
	mutation["recallRequest"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return one(eng.RecallRequest(ctx, arg(fc, "id"), arg(fc, "comment")))
	}
}

// approvalTypeResolvers serve ApprovalProcess, ApprovalStepDefinition,
// ApprovalRequest and ApprovalStep.
func approvalTypeResolvers() (process, stepDef, request, step map[string]resolver) {
	pv := func(p any) *engine.ApprovalProcessInfo { return p.(*engine.ApprovalProcessInfo) }
	strs := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	process = map[string]resolver{
		"name":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Name, nil },
		"object":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Object, nil },
		"label":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Label, nil },
		"editable": func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(pv(p).Editable), nil },
		"steps": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pv(p).Steps))
			for i := range pv(p).Steps {
				out[i] = &pv(p).Steps[i]
			}
			return out, nil
		},
	}
	sv := func(p any) *schema.ApprovalStep { return p.(*schema.ApprovalStep) }
	stepDef = map[string]resolver{
		"name":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Name, nil },
		"label":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Label, nil },
		"mode":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return sv(p).Mode, nil },
		"hasCondition": func(_ context.Context, p any, _ *fieldCall) (any, error) { return len(sv(p).Condition) > 0, nil },
		"approvers": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(sv(p).Approvers))
			for i, a := range sv(p).Approvers {
				if a.Value != "" {
					out[i] = a.Kind + ":" + a.Value
				} else {
					out[i] = a.Kind
				}
			}
			return out, nil
		},
	}
	rv := func(p any) *engine.ApprovalRequest { return p.(*engine.ApprovalRequest) }
	optTime := func(t interface{ IsZero() bool }, s string) any {
		if t.IsZero() {
			return nil
		}
		return s
	}
	request = map[string]resolver{
		"id":           func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).ID, nil },
		"object":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Object, nil },
		"record":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Record, nil },
		"process":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Process, nil },
		"processLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).ProcessLabel, nil },
		"status":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Status, nil },
		"step":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(rv(p).Step), nil },
		"stepName":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).StepName, nil },
		"stepLabel":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).StepLabel, nil },
		"submitter":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return rv(p).Submitter, nil },
		"comment":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(rv(p).Comment), nil },
		"title":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(rv(p).Title), nil },
		"submittedAt":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return formatTime(rv(p).SubmittedAt), nil },
		"decidedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optTime(rv(p).DecidedAt, formatTime(rv(p).DecidedAt)), nil
		},
		"pendingApprovers": func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(rv(p).Pending()), nil },
		"history": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(rv(p).Tasks))
			for i := range rv(p).Tasks {
				out[i] = &rv(p).Tasks[i]
			}
			return out, nil
		},
	}
	tv := func(p any) *engine.ApprovalTask { return p.(*engine.ApprovalTask) }
	step = map[string]resolver{
		"step":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(tv(p).Step), nil },
		"stepName":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return tv(p).StepName, nil },
		"stepLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) { return tv(p).StepLabel, nil },
		"approver":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(tv(p).Approver), nil },
		"decision":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return tv(p).Decision, nil },
		"comment":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(tv(p).Comment), nil },
		"at": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optTime(tv(p).At, formatTime(tv(p).At)), nil
		},
	}
	return process, stepDef, request, step
}

// approvalSDL holds the approval types.
const approvalSDL = `
"An approval process (审批流) of an object."
type ApprovalProcess {
  name: String!
  object: String!
  label: Label!
  "The steps, in order."
  steps: [ApprovalStepDefinition!]!
  "The fields a current approver may still change while a record is pending."
  editable: [String!]!
}

"A step of an approval process."
type ApprovalStepDefinition {
  name: String!
  label: Label!
  "any: one approver decides; all: every approver must approve."
  mode: String!
  "Who decides: manager (the submitter's manager), role:NAME or user:NAME."
  approvers: [String!]!
  "Whether the step applies only to records meeting a condition (else it is skipped)."
  hasCondition: Boolean!
}

"One submission of a record to an approval process, with its history."
type ApprovalRequest {
  id: ID!
  object: String!
  record: ID!
  process: String!
  processLabel: Label!
  "pending, approved, rejected or recalled."
  status: String!
  "The index (from 0) of the current step, or of the step that decided the request."
  step: Int!
  stepName: String!
  stepLabel: Label!
  "The submitter's user id (user:NAME)."
  submitter: String!
  comment: String
  "The record's name when it was submitted."
  title: String
  submittedAt: DateTime!
  decidedAt: DateTime
  "The user ids who may still decide the current step."
  pendingApprovers: [String!]!
  "Each approver's part in each step so far, in step order."
  history: [ApprovalStep!]!
}

"One approver's part in one step of an approval request."
type ApprovalStep {
  step: Int!
  stepName: String!
  stepLabel: Label!
  "The approver's user id; null for a skipped step."
  approver: String
  "pending, approved, rejected, skipped (the step's condition did not hold), closed (another approver decided) or recalled."
  decision: String!
  comment: String
  "When decided; null while pending."
  at: DateTime
}
`

const approvalSDLQuery = `  "The active approval processes of an object."
  approvalProcesses(object: String!): [ApprovalProcess!]!
  "The approval requests of a record, the newest first (at most 100)."
  approvalRequests(object: String!, record: ID!): [ApprovalRequest!]!
  "The pending requests the caller may decide now, the oldest first (first: 1–100, default 50)."
  myPendingApprovals(first: Int): [ApprovalRequest!]!
`

const approvalSDLMutation = `  "Submits a record to one of its object's approval processes; the record is locked until the request is decided or recalled."
  submitForApproval(object: String!, id: ID!, process: String!, comment: String): ApprovalRequest!
  "Approves the current step of a pending request (current approvers only)."
  approveRequest(id: ID!, comment: String): ApprovalRequest!
  "Rejects a pending request (current approvers only)."
  rejectRequest(id: ID!, comment: String): ApprovalRequest!
  "Recalls a pending request (its submitter only)."
  recallRequest(id: ID!, comment: String): ApprovalRequest!
`
