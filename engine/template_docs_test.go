package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
)

const agentV1 = `{"name": "agent", "label": {"zh": "客服", "en": "Agent"},
  "objects": {"ticket": {"read": true, "create": true, "update": true, "fields": {"priority": "readOnly"}}}}`

// agentV2 lets agents read notes too and stops hiding nothing else.
const agentV2 = `{"name": "agent", "label": {"zh": "客服", "en": "Agent"},
  "objects": {"ticket": {"read": true, "create": true, "update": true, "fields": {"priority": "readOnly"}},
              "note": {"read": true, "create": true}}}`

const leadV1 = `{"name": "lead", "label": {"zh": "组长", "en": "Team lead"},
  "objects": {"*": {"read": true, "create": true, "update": true, "delete": true}}}`

func withRoles(t *template.Template, roles ...string) *template.Template {
	for _, r := range roles {
		t.Roles = append(t.Roles, json.RawMessage(r))
	}
	return t
}

func rolesByName(t *testing.T, eng *engine.Engine, ctx context.Context) map[string]engine.Role {
	t.Helper()
	roles, err := eng.Roles(ctx)
	require.NoError(t, err)
	out := map[string]engine.Role{}
	for _, r := range roles {
		out[r.Name] = r
	}
	return out
}

func planOf(res *template.InstallResult, name string) string {
	for _, o := range res.Objects {
		if o.Object == name {
			return o.Action
		}
	}
	return ""
}

func TestTemplateRoles_InstallUpgradeRollback(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	res, err := eng.InstallTemplate(ctx, withRoles(tpl("1.0.0", noteV1, ticketV1), agentV1, leadV1), template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "create", planOf(res, "role:agent"))
	assert.Equal(t, "create", planOf(res, "role:lead"))
	roles := rolesByName(t, eng, ctx)
	require.Contains(t, roles, "agent")
	assert.Equal(t, engine.FieldReadOnly, roles["agent"].Objects["ticket"].Fields["priority"])
	installs, err := eng.InstalledTemplates(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"agent", "lead"}, installs[0].Roles)

	again, err := eng.InstallTemplate(ctx, withRoles(tpl("1.0.0", noteV1, ticketV1), agentV1, leadV1), template.InstallOptions{})
	require.NoError(t, err)
	assert.False(t, again.Applied, "installing the same version again changes nothing")
	assert.Equal(t, "unchanged", planOf(again, "role:agent"))

	// The tenant hides a field from agents; the new version lets them see
	// notes. Both survive the upgrade.
	agent := roles["agent"]
	acc := agent.Objects["ticket"]
	acc.Fields["title"] = engine.FieldReadOnly
	agent.Objects["ticket"] = acc
	require.NoError(t, eng.SaveRole(ctx, agent))
	plan, err := eng.InstallTemplate(ctx, withRoles(tpl("1.1.0", noteV1, ticketV1), agentV2, leadV1), template.InstallOptions{DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, "update", planOf(plan, "role:agent"))
	assert.Equal(t, "unchanged", planOf(plan, "role:lead"))
	assert.Empty(t, plan.Conflicts)
	assert.Equal(t, engine.FieldReadOnly, rolesByName(t, eng, ctx)["agent"].Objects["ticket"].Fields["title"], "a dry run changes nothing")
	assert.NotContains(t, rolesByName(t, eng, ctx)["agent"].Objects, "note")

	_, err = eng.InstallTemplate(ctx, withRoles(tpl("1.1.0", noteV1, ticketV1), agentV2, leadV1), template.InstallOptions{})
	require.NoError(t, err)
	merged := rolesByName(t, eng, ctx)["agent"]
	assert.Equal(t, map[string]string{"priority": engine.FieldReadOnly, "title": engine.FieldReadOnly}, merged.Objects["ticket"].Fields, "the tenant's rule survives")
	assert.Equal(t, engine.ObjectAccess{Read: true, Create: true}, merged.Objects["note"], "the new version's access arrives")

	// Removals merge too: the new version no longer lets agents create
	// notes; the tenant's delete stays.
	merged.Objects["note"] = engine.ObjectAccess{Read: true, Create: true, Delete: true}
	require.NoError(t, eng.SaveRole(ctx, merged))
	noCreate := edit(t, agentV2, func(d map[string]any) {
		delete(d["objects"].(map[string]any)["note"].(map[string]any), "create")
	})
	plan, err = eng.InstallTemplate(ctx, withRoles(tpl("1.2.0", noteV1, ticketV1), noCreate, leadV1), template.InstallOptions{DryRun: true})
	require.NoError(t, err)
	assert.Empty(t, plan.Conflicts)

	// A real conflict: both sides set the same field rule differently.
	hideTitle := edit(t, agentV2, func(d map[string]any) {
		d["objects"].(map[string]any)["ticket"].(map[string]any)["fields"].(map[string]any)["title"] = "hidden"
	})
	conflicted, err := eng.InstallTemplate(ctx, withRoles(tpl("1.2.0", noteV1, ticketV1), hideTitle, leadV1), template.InstallOptions{})
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	require.Len(t, conflicted.Conflicts, 1)
	assert.Equal(t, "role:agent", conflicted.Conflicts[0].Object)
	assert.Equal(t, "/objects/ticket/fields/title", conflicted.Conflicts[0].Path)
	assert.JSONEq(t, `"readOnly"`, string(conflicted.Conflicts[0].Ours))
	assert.JSONEq(t, `"hidden"`, string(conflicted.Conflicts[0].Theirs))

	// Rollback of 1.1.0 gives the role back as it was before that upgrade;
	// the change made since needs force.
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "role:agent was changed after the install")
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{Force: true})
	require.NoError(t, err)
	back := rolesByName(t, eng, ctx)["agent"]
	assert.NotContains(t, back.Objects, "note")
	assert.Equal(t, engine.FieldReadOnly, back.Objects["ticket"].Fields["title"], "the tenant's rule from before the upgrade is back")

	// Rolling back the first install deletes the roles it created, unless
	// a user holds one.
	_, err = eng.CreateUser(ctx, "acme", engine.NewUser{Username: "zhang", Password: "a long enough password", Role: "lead"})
	require.NoError(t, err)
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "role:lead, which the install created, is given to 1 user(s)")
	role := "agent"
	_, err = eng.UpdateUser(ctx, "acme", "zhang", engine.UserChange{Role: &role})
	require.NoError(t, err)
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{Force: true})
	require.NoError(t, err)
	assert.Empty(t, rolesByName(t, eng, ctx))
}

func TestTemplateRoles_Refusals(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	for name, role := range map[string]string{
		"unknown object":      `{"name": "x", "objects": {"invoice": {"read": true}}}`,
		"unknown field":       `{"name": "x", "objects": {"ticket": {"read": true, "fields": {"nope": "hidden"}}}}`,
		"masked picklist":     `{"name": "x", "objects": {"ticket": {"read": true, "fields": {"priority": "masked"}}}}`,
		"unknown member":      `{"name": "x", "objects": {"ticket": {"read": true, "write": true}}}`,
		"the built-in admin":  `{"name": "admin", "objects": {}}`,
		"not a role at all":   `["agent"]`,
		"two roles, one name": agentV1,
	} {
		tp := withRoles(tpl("1.0.0", noteV1, ticketV1), role)
		if name == "two roles, one name" {
			tp = withRoles(tp, agentV1)
		}
		_, err := eng.InstallTemplate(ctx, tp, template.InstallOptions{})
		require.Error(t, err, name)
		assert.Contains(t, []engine.Code{engine.CodeBadRequest, engine.CodeValidation}, engine.CodeOf(err), "%s: %v", name, err)
	}
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Empty(t, cat.Objects, "a refused template installs nothing")
	assert.Empty(t, rolesByName(t, eng, ctx))
}

func TestTemplateRoles_Export(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.InstallTemplate(ctx, withRoles(tpl("1.0.0", noteV1, ticketV1), agentV1), template.InstallOptions{})
	require.NoError(t, err)
	out, err := eng.ExportTemplate(ctx, "my-helpdesk", "0.1.0")
	require.NoError(t, err)
	require.Len(t, out.Roles, 1)
	other, octx, _ := newEngine(t)
	_, err = other.InstallTemplate(octx, out, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, rolesByName(t, eng, ctx), rolesByName(t, other, octx))
}

const ticketLayoutV1 = `{"object": "ticket", "sections": [{"label": {"zh": "工单", "en": "Ticket"}, "fields": ["title", "status"]}], "related": ["note.ticket"]}`

const openTicketsV1 = `{"object": "ticket", "name": "open", "label": {"zh": "未关闭", "en": "Open"},
  "filter": {"field": "status", "op": "in", "value": ["open", "doing"]}, "columns": ["title", "status"]}`

func withDocs(t *template.Template, layouts, views []string) *template.Template {
	for _, l := range layouts {
		t.Layouts = append(t.Layouts, json.RawMessage(l))
	}
	for _, v := range views {
		t.Views = append(t.Views, json.RawMessage(v))
	}
	return t
}

func TestTemplateDocs_LayoutsAndViews(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	v1 := withDocs(tpl("1.0.0", noteV1, ticketV1), []string{ticketLayoutV1}, []string{openTicketsV1})
	res, err := eng.InstallTemplate(ctx, v1, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "create", planOf(res, "layout:ticket"))
	assert.Equal(t, "create", planOf(res, "view:ticket.open"))
	for _, title := range []string{"a", "b"} {
		_, err := eng.CreateRecord(ctx, "ticket", map[string]any{"title": title, "status": "open"})
		require.NoError(t, err)
	}
	page, err := eng.ListRecords(ctx, "ticket", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Len(t, page.Records, 2, "the template's view works")
	l, err := eng.Layout(ctx, "ticket")
	require.NoError(t, err)
	assert.False(t, l.Default)
	assert.Equal(t, []string{"note.ticket"}, l.Related)

	// The tenant adds a section; the new version orders the view. Both
	// survive.
	l.Sections = append(l.Sections, engine.LayoutSection{Label: schemaLabel("其他", "More"), Fields: []string{"priority"}})
	l.ReadOnly = nil
	_, err = eng.SaveLayout(ctx, l)
	require.NoError(t, err)
	openV2 := edit(t, openTicketsV1, func(d map[string]any) { d["sort"] = []any{map[string]any{"field": "title", "desc": true}} })
	v2 := withDocs(tpl("1.1.0", noteV1, ticketV1), []string{ticketLayoutV1}, []string{openV2})
	res, err = eng.InstallTemplate(ctx, v2, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "unchanged", planOf(res, "layout:ticket"), "the tenant's layout is kept as it is")
	assert.Equal(t, "update", planOf(res, "view:ticket.open"))
	l, err = eng.Layout(ctx, "ticket")
	require.NoError(t, err)
	assert.Len(t, l.Sections, 2)
	page, err = eng.ListRecords(ctx, "ticket", engine.ListQuery{View: "open"})
	require.NoError(t, err)
	assert.Equal(t, "b", page.Records[0].Data["title"], "the new version's order")

	// Export carries them; the copy installs into another tenant.
	out, err := eng.ExportTemplate(ctx, "my-helpdesk", "0.1.0")
	require.NoError(t, err)
	require.Len(t, out.Layouts, 1)
	require.Len(t, out.Views, 1)
	other, octx, _ := newEngine(t)
	_, err = other.InstallTemplate(octx, out, template.InstallOptions{})
	require.NoError(t, err)
	ol, err := other.Layout(octx, "ticket")
	require.NoError(t, err)
	assert.Equal(t, l, ol)

	// Rollback of 1.1.0 restores the view; of 1.0.0 removes both (the
	// layout was changed since, so only with force).
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
	require.NoError(t, err)
	views, err := eng.Views(ctx, "ticket")
	require.NoError(t, err)
	require.Len(t, views, 1)
	assert.Empty(t, views[0].Sort)
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
	assert.ErrorContains(t, err, "layout:ticket was changed after the install")
	_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{Force: true})
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Empty(t, cat.Objects)

	bad := withDocs(tpl("1.0.0", noteV1, ticketV1), []string{`{"object": "ticket", "sections": [{"label": {"en": "x"}, "fields": ["nope"]}]}`}, nil)
	_, err = eng.InstallTemplate(ctx, bad, template.InstallOptions{})
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	bad = withDocs(tpl("1.0.0", noteV1, ticketV1), nil, []string{`{"object": "ticket", "name": "x", "filter": {"field": "nope", "op": "eq", "value": 1}}`})
	_, err = eng.InstallTemplate(ctx, bad, template.InstallOptions{})
	assert.ErrorContains(t, err, `ticket has no field "nope"`)
	bad = withDocs(tpl("1.0.0", noteV1, ticketV1), nil, []string{`{"object": "ticket", "name": "x", "owner": "user:li"}`})
	_, err = eng.InstallTemplate(ctx, bad, template.InstallOptions{})
	assert.ErrorContains(t, err, "a template's views are shared")
	cat, err = eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Empty(t, cat.Objects, "refused templates install nothing")
}
