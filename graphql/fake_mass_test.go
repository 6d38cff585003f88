package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine has no mass actions: they are tested over a real
// engine (mass_test.go).

func (f *fakeEngine) StartMassChange(ctx context.Context, object string, sel engine.MassSelection, act engine.MassAction) (*engine.MassOutcome, error) {
	return nil, fmt.Errorf("fake: no mass actions")
}

func (f *fakeEngine) MassChangeResult(ctx context.Context, jobID string) (*engine.MassOutcome, error) {
	return nil, fmt.Errorf("fake: no mass actions")
}
