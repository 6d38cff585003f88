package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// TestTimeline_Approvals: a record's approval requests are on its
// timeline, with their process and status.
func TestTimeline_Approvals(t *testing.T) {
	t.Parallel()
	w := newApprovalWorld(t)
	deal := w.deal(t, 20)
	req, err := w.eng.SubmitForApproval(w.sales, "deal", deal.ID, "discount", "请批")
	require.NoError(t, err)
	page, err := w.eng.Timeline(w.sales, engine.TimelineQuery{Object: "deal", Record: deal.ID, Kinds: []string{engine.TimelineApproval}})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	it := page.Items[0]
	assert.Equal(t, req.ID, it.ID)
	assert.Equal(t, "user:li", it.Actor)
	assert.Equal(t, "折扣审批", it.Title)
	assert.Equal(t, engine.ApprovalPending, it.Data["status"])
	assert.Equal(t, "请批", it.Data["comment"])
}
