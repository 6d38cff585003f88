package scripting_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/scripting"
)

// nestingHost runs another script of the same tenant from its Create, as
// the engine does when a script writes a record that has a script.
type nestingHost struct {
	*fakeHost
	r     *scripting.Runner
	inner scripting.Script
	ran   bool
}

func (h *nestingHost) Create(ctx context.Context, object string, data map[string]any) (map[string]any, error) {
	res, err := h.r.Run(ctx, scripting.Call{Script: h.inner, Object: object, Record: data})
	if err != nil {
		return nil, err
	}
	h.ran = len(res.Logs) == 1
	return map[string]any{"id": "x"}, nil
}

// TestRunner_NestedRunUsesTheOuterSlot: with one slot per tenant, a run
// started from a host call of a run of the same tenant must not wait for
// the slot its caller holds (it would wait until the caller's time is up).
func TestRunner_NestedRunUsesTheOuterSlot(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{Limits: scripting.Limits{MaxConcurrent: 1, WallTime: 5 * time.Second}})
	host := &nestingHost{fakeHost: newFakeHost(), r: r,
		inner: scripting.Script{Tenant: "acme", ID: "inner", Version: 1, Kind: scripting.KindAfterSave, Source: "log('inner ran')"}}
	outer := scripting.Script{Tenant: "acme", ID: "outer", Version: 1, Kind: scripting.KindAfterSave, Source: "crm.create('task', {subject: 'x'})"}
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(context.Background(), scripting.Call{Script: outer, Object: "deal", Record: map[string]any{}, Host: host})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(4 * time.Second):
		t.Fatal("the nested run waited for the slot its caller holds")
	}
	assert.True(t, host.ran)
	assert.Zero(t, r.InFlight("acme"), "the slot is given back")
}
