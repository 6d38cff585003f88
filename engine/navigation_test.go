package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
)

const articleDef = `{"$id": "article", "type": "object", "x-crm-label": {"zh": "知识", "en": "Article"},
  "properties": {"title": {"type": "string", "x-crm-type": "text"}, "ticket": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "ticket"}}}`

// TestEngine_Navigation: the menu is the groups of the installed
// templates in install order, each with what the caller may read, and a
// last group with the rest; a menu naming an object neither the template
// nor its dependencies have is refused.
func TestEngine_Navigation(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	service := schema.Label{Zh: "服务", En: "Service"}
	knowledge := schema.Label{Zh: "知识库", En: "Knowledge"}

	groups, err := eng.Navigation(ctx)
	require.NoError(t, err)
	assert.Empty(t, groups, "nothing yet")

	helpdesk := tpl("1.0.0", ticketV1, noteV1)
	helpdesk.Menu = []template.MenuGroup{{Label: service, Objects: []string{"ticket"}}}
	_, err = eng.InstallTemplate(ctx, helpdesk, template.InstallOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, json.RawMessage(`{"$id": "memo", "type": "object", "properties": {"text": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)

	kb := &template.Template{Name: "kb", Version: "1.0.0", Objects: []json.RawMessage{json.RawMessage(articleDef)},
		Depends: []template.Dependency{{Name: "helpdesk", Version: "1.0.0"}},
		Menu:    []template.MenuGroup{{Label: knowledge, Objects: []string{"article", "note"}}, {Label: service, Objects: []string{"ticket"}}}}
	bad := *kb
	bad.Menu = []template.MenuGroup{{Label: knowledge, Objects: []string{"article", "ghost"}}}
	_, err = eng.InstallTemplate(ctx, &bad, template.InstallOptions{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, `names object "ghost", which is neither in the template nor in a template it depends on`)
	bad.Menu = []template.MenuGroup{{Label: schema.Label{Zh: "知识库"}, Objects: []string{"article"}}}
	_, err = eng.InstallTemplate(ctx, &bad, template.InstallOptions{})
	assert.ErrorContains(t, err, "needs a label in zh and en")
	_, err = eng.InstallTemplate(ctx, kb, template.InstallOptions{})
	require.NoError(t, err, "note is the dependency's")

	groups, err = eng.Navigation(ctx)
	require.NoError(t, err)
	assert.Equal(t, []engine.NavGroup{
		{Label: service, Objects: []string{"ticket"}},
		{Label: knowledge, Objects: []string{"article", "note"}},
		{Label: engine.OtherGroup, Objects: []string{"memo"}},
	}, groups, "install order; ticket stays in the first group that names it; the rest under Other")

	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "agent", Objects: map[string]engine.ObjectAccess{"article": {Read: true}, "memo": {Read: true}}}))
	agent := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li", Role: "agent"})
	groups, err = eng.Navigation(agent)
	require.NoError(t, err)
	assert.Equal(t, []engine.NavGroup{
		{Label: knowledge, Objects: []string{"article"}},
		{Label: engine.OtherGroup, Objects: []string{"memo"}},
	}, groups, "what the role may read; empty groups left out")

	exported, err := eng.ExportTemplate(ctx, "mine", "1.0.0")
	require.NoError(t, err)
	assert.Equal(t, []template.MenuGroup{
		{Label: service, Objects: []string{"ticket"}},
		{Label: knowledge, Objects: []string{"article", "note"}},
	}, exported.Menu, "an export carries the menu, without the computed Other")

	_, err = eng.RollbackTemplate(ctx, "kb", template.RollbackOptions{})
	require.NoError(t, err)
	groups, err = eng.Navigation(ctx)
	require.NoError(t, err)
	assert.Equal(t, []engine.NavGroup{
		{Label: service, Objects: []string{"ticket"}},
		{Label: engine.OtherGroup, Objects: []string{"memo", "note"}},
	}, groups, "a rolled-back template's groups go with it")
}
