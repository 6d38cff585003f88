package template_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
)

// deskV1 names its agent in free text; deskV2 makes the agent a user.
const deskV1 = `{"$id": "desk", "type": "object", "x-crm-label": {"zh": "服务台", "en": "Desk"},
  "properties": {
    "title": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}},
    "agent": {"type": "string", "maxLength": 50, "x-crm-type": "text", "x-crm-label": {"zh": "客服", "en": "Agent"}, "x-crm-indexed": true}
  }}`

var deskV2 = strings.Replace(deskV1, `"maxLength": 50, "x-crm-type": "text", "x-crm-label": {"zh": "客服"`, `"x-crm-type": "user", "x-crm-label": {"zh": "客服"`, 1)

var staff = []template.User{
	{Username: "alice", DisplayName: "Alice Wang", Active: true},
	{Username: "bob", DisplayName: "Bob Li", Active: true},
	{Username: "carol", DisplayName: "Carol", Active: false},
	{Username: "dan", DisplayName: "Dup Name", Active: true},
	{Username: "dana", DisplayName: "Dup Name", Active: true},
	{Username: "eve", Active: true},
}

func TestResolveUser(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"alice":        "user:alice",
		" ALICE ":      "user:alice",
		"user:bob":     "user:bob",
		"Bob Li":       "user:bob",
		" Alice Wang ": "user:alice",
		"eve":          "user:eve",
		"carol":        "", // deactivated
		"Carol":        "", // deactivated, by display name
		"user:carol":   "",
		"Dup Name":     "", // two active users have it
		"user:Bob Li":  "", // a display name is never prefixed
		"Ghost":        "",
		"":             "",
	} {
		got, ok := template.ResolveUser(staff, v)
		assert.Equal(t, want, got, "%q", v)
		assert.Equal(t, want != "", ok, "%q", v)
	}
}

func TestSampleUsers_Assign(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(deskV2))
	require.NoError(t, err)
	su := template.NewSampleUsers([]string{"bob", "alice", "bob"})
	given := func(agent string) any {
		in := map[string]any{"title": "t", "agent": agent}
		out := su.Assign(obj, in)
		assert.Equal(t, agent, in["agent"], "the generated data stays as it is")
		assert.Equal(t, "t", out["title"])
		return out["agent"]
	}
	assert.Equal(t, "user:alice", given("王芳"), "users in turn, by username")
	assert.Equal(t, "user:bob", given("李强"))
	assert.Equal(t, "user:alice", given("张伟"), "round and round")
	assert.Equal(t, "user:bob", given("李强"), "a generated person keeps their user, so related records agree")
	assert.Equal(t, map[string]any{"title": "t"}, su.Assign(obj, map[string]any{"title": "t"}), "no value, none given")

	none := template.NewSampleUsers(nil)
	assert.Equal(t, map[string]any{"title": "t"}, none.Assign(obj, map[string]any{"title": "t", "agent": "王芳"}), "without users the field stays empty")

	text, err := schema.ParseObject([]byte(deskV1))
	require.NoError(t, err)
	assert.Equal(t, "王芳", su.Assign(text, map[string]any{"agent": "王芳"})["agent"], "text fields are the generator's")
}

// deskTenant has desk at v1, installed by the template "desk" 1.0.0, with
// values in agent.
func deskTenant(t *testing.T) (*tenant, []template.Install) {
	t.Helper()
	tn := newTenant()
	tn.users = staff
	obj, err := schema.ParseObject([]byte(deskV1))
	require.NoError(t, err)
	obj.Version = 1
	tn.objects["desk"] = obj
	tn.values = map[string]map[string]int64{"desk.agent": {"alice": 3, "Bob Li": 2, "user:bob": 1, "carol": 4, "Dup Name": 1, "Ghost": 5}}
	b, err := json.Marshal(map[string]any{"template": "desk", "release": "1.0.0", "status": "active", "at": "2026-01-01T00:00:00.000000Z",
		"objects": []any{"desk"}, "definitions": map[string]any{"desk": deskV1}})
	require.NoError(t, err)
	var data map[string]any
	require.NoError(t, json.Unmarshal(b, &data))
	return tn, []template.Install{template.ReadInstall("i1", data)}
}

func deskTemplate(defs ...string) *template.Template {
	tpl := &template.Template{Name: "desk", Version: "1.1.0"}
	for _, d := range defs {
		tpl.Objects = append(tpl.Objects, json.RawMessage(d))
	}
	return tpl
}

func TestPlanInstall_TextBecomesUser(t *testing.T) {
	t.Parallel()
	tn, installs := deskTenant(t)
	tpl := deskTemplate(deskV2)
	defs, err := template.Check(tpl, func(string) bool { return false })
	require.NoError(t, err)
	planWith := func(opts template.InstallOptions) (*template.Plan, *template.InstallResult, error) {
		return template.PlanInstall(context.Background(), tpl, defs, installs, tn, nil, opts)
	}
	unmatched := []template.ValueCount{{Value: "Ghost", Records: 5}, {Value: "carol", Records: 4}, {Value: "Dup Name", Records: 1}}

	// Unforced, the upgrade is refused, naming the field, with the plan.
	_, res, err := planWith(template.InstallOptions{})
	require.ErrorIs(t, err, template.ErrConflict)
	var te *template.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, message.Key("template.userValuesNeedForce"), te.Key)
	assert.Contains(t, err.Error(), "desk.agent: 3")
	require.NotNil(t, res)
	require.Len(t, res.Users, 1)
	conv := res.Users[0]
	assert.Equal(t, template.UserConversion{Object: "desk", Field: "agent", Matched: 6, Unmatched: unmatched}, conv)
	assert.Equal(t, `desk.agent becomes a user field: 6 record(s) get the user their value names; 3 value(s) in 10 record(s) name no active user, so the upgrade needs force, which clears them: "Ghost" (5 record(s)), "carol" (4 record(s)), "Dup Name" (1 record(s))`,
		conv.Text(message.En))
	assert.Equal(t, `desk.agent 改为用户字段：6 条记录的值对应到用户；3 个值（10 条记录）找不到对应的在职用户，需要强制升级，强制升级将清空这些值：“Ghost”（5 条记录），“carol”（4 条记录），“Dup Name”（1 条记录）`,
		conv.Text(message.Zh))

	// A dry run lists them and changes nothing.
	_, res, err = planWith(template.InstallOptions{DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, []template.UserConversion{conv}, res.Users)
	assert.Contains(t, res.Notes, conv.Text(message.En))
	assert.Empty(t, tn.writes)

	// Forced, the matched values become users and the others are cleared,
	// in the object's one save.
	p, res, err := planWith(template.InstallOptions{Force: true})
	require.NoError(t, err)
	assert.True(t, res.Users[0].Cleared)
	assert.Contains(t, res.Users[0].Text(message.En), "name no active user and are cleared")
	assert.Contains(t, res.Users[0].Text(message.Zh), "将被清空")
	require.NoError(t, p.Apply(context.Background(), tn, nil))
	assert.Equal(t, []string{"save desk"}, tn.writes)
	assert.Equal(t, []map[string]map[string]string{{"agent": {"alice": "user:alice", "Bob Li": "user:bob", "carol": "", "Dup Name": "", "Ghost": ""}}}, tn.remaps)

	// Rolled back, the user values turn back into text: display names
	// (the username when there is none), of every user.
	data, err := json.Marshal(p.Record(res, func(string) (int64, bool) { return 2, true }, "2026-01-02T00:00:00.000000Z", "user:admin"))
	require.NoError(t, err)
	var stored map[string]any
	require.NoError(t, json.Unmarshal(data, &stored))
	in := template.ReadInstall("i2", stored)
	now, err := schema.ParseObject([]byte(deskV2))
	require.NoError(t, err)
	now.Version = 2
	tn.objects["desk"] = now
	tn.remaps, tn.writes = nil, nil
	rb, err := template.PlanRollback(context.Background(), &in, tn, &template.InstallResult{})
	require.NoError(t, err)
	assert.Empty(t, rb.Problems)
	require.NoError(t, rb.Apply(context.Background(), tn, nil))
	assert.Equal(t, []string{"save desk"}, tn.writes)
	assert.Equal(t, []map[string]map[string]string{{"agent": {"user:alice": "Alice Wang", "user:bob": "Bob Li", "user:carol": "Carol",
		"user:dan": "Dup Name", "user:dana": "Dup Name", "user:eve": "eve"}}}, tn.remaps)
}

func TestPlanInstall_TextBecomesUser_UndoneWhenALaterWriteFails(t *testing.T) {
	t.Parallel()
	tn, installs := deskTenant(t)
	tn.values["desk.agent"] = map[string]int64{"alice": 1}
	tpl := deskTemplate(deskV2, noteDef)
	defs, err := template.Check(tpl, func(string) bool { return false })
	require.NoError(t, err)
	p, res, err := template.PlanInstall(context.Background(), tpl, defs, installs, tn, nil, template.InstallOptions{})
	require.NoError(t, err, "every value names a user: no force needed")
	assert.Equal(t, []template.UserConversion{{Object: "desk", Field: "agent", Matched: 1}}, res.Users)
	assert.Contains(t, res.Notes, "desk.agent becomes a user field: the values of 1 record(s) each name an active user and become that user")
	tn.fail = "save note"
	require.EqualError(t, p.Apply(context.Background(), tn, nil), "refused")
	assert.Equal(t, []string{"save desk", "save desk"}, tn.writes, "desk saved, then put back")
	require.Len(t, tn.remaps, 2)
	assert.Equal(t, map[string]map[string]string{"agent": {"alice": "user:alice"}}, tn.remaps[0])
	assert.Equal(t, "Alice Wang", tn.remaps[1]["agent"]["user:alice"], "put back as text")
}

func TestPlanInstall_TextBecomesUser_Bounds(t *testing.T) {
	t.Parallel()
	tn, installs := deskTenant(t)
	many := map[string]int64{}
	for i := range template.MaxUserValues + 5 {
		many[fmt.Sprint("person ", i)] = 1
	}
	tn.values["desk.agent"] = many
	tpl := deskTemplate(deskV2)
	defs, err := template.Check(tpl, func(string) bool { return false })
	require.NoError(t, err)
	_, _, err = template.PlanInstall(context.Background(), tpl, defs, installs, tn, nil, template.InstallOptions{DryRun: true, Force: true})
	var te *template.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, message.Key("template.userValuesTooMany"), te.Key)

	// Without values there is nothing to convert or to say.
	tn.values = nil
	_, res, err := template.PlanInstall(context.Background(), tpl, defs, installs, tn, nil, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Users)

	// The text names at most ShownUnmatched values.
	c := template.UserConversion{Object: "desk", Field: "agent"}
	for i := range template.ShownUnmatched + 3 {
		c.Unmatched = append(c.Unmatched, template.ValueCount{Value: fmt.Sprint("p", i), Records: 1})
	}
	assert.True(t, strings.HasSuffix(c.Text(message.En), `"p9" (1 record(s)), and 3 more`), c.Text(message.En))
}
