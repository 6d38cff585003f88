package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine has no approvals: they are tested over a real engine
// (approvals_test.go).

func (f *fakeEngine) ApprovalProcesses(ctx context.Context, object string) ([]engine.ApprovalProcessInfo, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) ApprovalRequests(ctx context.Context, object, id string) ([]*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) MyPendingApprovals(ctx context.Context, first int) ([]*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) SubmitForApproval(ctx context.Context, object, id, process, comment string) (*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) ApproveRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) RejectRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}

func (f *fakeEngine) RecallRequest(ctx context.Context, id, comment string) (*engine.ApprovalRequest, error) {
	return nil, fmt.Errorf("fake: no approvals")
}
