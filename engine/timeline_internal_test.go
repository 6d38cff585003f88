package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimeline_EmailsSent: a mention of a user who chose e-mail for
// mentions enqueues an e-mail delivery about the record, which its
// timeline lists with the recipient; the text only for administrators
// and the recipient.
func TestTimeline_EmailsSent(t *testing.T) {
	t.Parallel()
	f := newNotifyFixture(t)
	f.setChannels(t, "li", map[string]any{"mention": []any{"email"}})
	wang := WithActor(f.admin, Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	_, err := f.e.AddNote(wang, NoteInput{Object: "deal", Record: f.deal, Body: "请看报价", Mentions: []string{"li"}})
	require.NoError(t, err)

	emails := func(a Actor) []TimelineItem {
		t.Helper()
		page, err := f.e.Timeline(WithActor(f.admin, a), TimelineQuery{Object: "deal", Record: f.deal, Kinds: []string{TimelineEmail}})
		require.NoError(t, err)
		return page.Items
	}
	got := emails(Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	require.Len(t, got, 1)
	assert.Equal(t, "li", got[0].Data["to"])
	assert.Equal(t, "李雷", got[0].Data["toName"])
	assert.Equal(t, OutboxPending, got[0].Data["status"])
	assert.Contains(t, got[0].Data["message"].(map[string]any)["zh"], "请看报价", "the recipient reads what they were sent")
	assert.Equal(t, "user:wang", got[0].Actor)
	other := emails(Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	require.Len(t, other, 1)
	assert.NotContains(t, other[0].Data, "message", "others see that it was sent, not what it said")
}
