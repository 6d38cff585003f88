package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// userStudent has a user field, consultant, and automations that set it:
// "assign" sets it from the record's ownerId when a student is created
// with assign = true, "rotate" hands it round robin when rotate = true.
const userStudent = `{"$id": "student", "type": "object", "x-crm-label": {"zh": "学员", "en": "Student"}, "required": ["name"],
  "properties": {
    "name": {"type": "string", "x-crm-type": "text"},
    "consultant": {"type": "string", "x-crm-type": "user", "x-crm-label": {"zh": "顾问", "en": "Consultant"}},
    "assign": {"type": "boolean", "x-crm-type": "boolean"},
    "rotate": {"type": "boolean", "x-crm-type": "boolean"},
    "setTo": {"type": "string", "x-crm-type": "text"}
  },
  "x-crm-automations": [
    {"name": "assign", "trigger": {"event": "created"}, "condition": {"field": "assign", "op": "eq", "value": true},
     "actions": [{"type": "setFields", "values": {"consultant": "{{setTo}}"}}]},
    {"name": "rotate", "trigger": {"event": "created"}, "condition": {"field": "rotate", "op": "eq", "value": true},
     "actions": [{"type": "assignRoundRobin", "field": "consultant", "values": ["user:li", "user:gone", "user:wang"]}]}
  ]}`

type userTenant struct {
	tn  *testkit.Tenant
	eng *engine.Engine
	ctx context.Context
}

// newUserTenant has li (李雷), wang (王芳), two users named 张伟 (zhang1,
// zhang2) and gone (赵六), deactivated.
func newUserTenant(t *testing.T) userTenant {
	t.Helper()
	tn := testkit.New(t, "acme", testkit.WithObjects(userStudent))
	eng := tn.Engine
	for _, u := range []engine.NewUser{
		{Username: "li", DisplayName: "李雷"},
		{Username: "wang", DisplayName: "王芳"},
		{Username: "zhang1", DisplayName: "张伟"},
		{Username: "zhang2", DisplayName: "张伟"},
		{Username: "gone", DisplayName: "赵六"},
	} {
		u.Password = "correct horse battery"
		_, err := eng.CreateUser(tn.Admin, "acme", u)
		require.NoError(t, err)
	}
	return userTenant{tn: tn, eng: eng, ctx: tn.Admin}
}

func (ut userTenant) deactivate(t *testing.T, name string) {
	t.Helper()
	off := false
	_, err := ut.eng.UpdateUser(ut.ctx, "acme", name, engine.UserChange{Active: &off})
	require.NoError(t, err)
}

// userProblem is the one problem of err: its field, code and messages.
func userProblem(t *testing.T, err error) schema.FieldError {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 1, "%v", ve.Fields)
	return ve.Fields[0]
}

// TestEngine_UserField_Write: a user field takes user:NAME, a bare user
// name or the display name of one active user, and stores user:NAME;
// anything else is refused with a field error naming the value.
func TestEngine_UserField_Write(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	ut.deactivate(t, "gone")
	scenarios := []struct {
		name, given, want string
	}{
		{name: "user id", given: "user:li", want: "user:li"},
		{name: "bare user name", given: "wang", want: "user:wang"},
		{name: "user name with spaces and capitals", given: "  LI ", want: "user:li"},
		{name: "display name", given: "王芳", want: "user:wang"},
		{name: "display name with spaces", given: " 李雷 ", want: "user:li"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": s.name, "consultant": s.given})
			require.NoError(t, err)
			assert.Equal(t, s.want, rec.Data["consultant"])
		})
	}
	refused := []struct {
		name, given, en, zh string
	}{
		{name: "nobody", given: "韩梅梅", en: `no active user is named "韩梅梅"`, zh: "没有名为“韩梅梅”的在职用户"},
		{name: "unknown user id", given: "user:nobody", en: `no active user is named "user:nobody"`, zh: "没有名为“user:nobody”的在职用户"},
		{name: "display name of two users", given: "张伟", en: `"张伟" is the display name of several users (zhang1, zhang2): give the user name`,
			zh: "“张伟”是多个用户的显示名（zhang1, zhang2）：请填写用户名"},
		{name: "deactivated user", given: "gone", en: `user "gone" is deactivated: choose an active user`, zh: "用户“gone”已停用：请选择在职用户"},
		{name: "deactivated user's id", given: "user:gone", en: `user "gone" is deactivated: choose an active user`, zh: "用户“gone”已停用：请选择在职用户"},
		{name: "deactivated user's display name", given: "赵六", en: `no active user is named "赵六"`, zh: "没有名为“赵六”的在职用户"},
		{name: "a malformed id", given: "user:", en: `no active user is named "user:"`, zh: "没有名为“user:”的在职用户"},
	}
	for _, s := range refused {
		t.Run(s.name, func(t *testing.T) {
			_, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": s.name, "consultant": s.given})
			require.Error(t, err)
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
			p := userProblem(t, err)
			assert.Equal(t, "consultant", p.Field)
			assert.Equal(t, schema.CodeUser, p.Code)
			assert.Equal(t, s.en, p.Message)
			assert.Equal(t, s.zh, p.MessageZh)
		})
	}
	t.Run("not a string", func(t *testing.T) {
		_, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "x", "consultant": 7})
		assert.Equal(t, map[string]string{"consultant": schema.CodeType}, fieldErrors(t, err))
	})
	t.Run("empty clears", func(t *testing.T) {
		rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "empty", "consultant": "li"})
		require.NoError(t, err)
		rec, err = ut.eng.UpdateRecord(ut.ctx, "student", rec.ID, map[string]any{"consultant": " "}, nil)
		require.NoError(t, err)
		assert.NotContains(t, rec.Data, "consultant")
	})
	t.Run("nothing stored when refused", func(t *testing.T) {
		page, err := ut.eng.ListRecords(ut.ctx, "student", engine.ListQuery{First: 100})
		require.NoError(t, err)
		for _, r := range page.Records {
			if c, ok := r.Data["consultant"]; ok {
				assert.True(t, schema.IsUserID(c.(string)), "%v", c)
			}
		}
	})
}

// TestEngine_UserField_Deactivated: a value naming a user deactivated
// since stays through updates that leave it (given again in any form, or
// not given), and cannot be set anew.
func TestEngine_UserField_Deactivated(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "张三", "consultant": "gone"})
	require.NoError(t, err)
	other, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "李四", "consultant": "li"})
	require.NoError(t, err)
	ut.deactivate(t, "gone")

	for _, same := range []any{nil, "user:gone", "gone", "赵六"} {
		patch := map[string]any{"name": "张三 " + rec.ID}
		if same != nil {
			patch["consultant"] = same
		}
		got, err := ut.eng.UpdateRecord(ut.ctx, "student", rec.ID, patch, nil)
		require.NoError(t, err, "%v", same)
		assert.Equal(t, "user:gone", got.Data["consultant"], "%v", same)
	}
	shared, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "王五", "consultant": "zhang2"})
	require.NoError(t, err)
	got, err := ut.eng.UpdateRecord(ut.ctx, "student", shared.ID, map[string]any{"consultant": "张伟"}, nil)
	require.NoError(t, err, "a display name two users share names the one stored")
	assert.Equal(t, "user:zhang2", got.Data["consultant"])

	_, err = ut.eng.UpdateRecord(ut.ctx, "student", other.ID, map[string]any{"consultant": "user:gone"}, nil)
	p := userProblem(t, err)
	assert.Equal(t, `user "gone" is deactivated: choose an active user`, p.Message)
	got, err = ut.eng.GetRecord(ut.ctx, "student", other.ID)
	require.NoError(t, err)
	assert.Equal(t, "user:li", got.Data["consultant"], "nothing changed")
}

// TestEngine_UserField_Automations: an automation's setFields resolves a
// user value as a write does, and a round robin over a user field skips
// deactivated users.
func TestEngine_UserField_Automations(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	ut.deactivate(t, "gone")
	rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "a", "assign": true, "setTo": "王芳"})
	require.NoError(t, err)
	assert.Equal(t, "user:wang", rec.Data["consultant"])

	_, err = ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "b", "assign": true, "setTo": "nobody"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no active user is named "nobody"`)

	var got []any
	for i := range 3 {
		rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": "r" + string(rune('0'+i)), "rotate": true})
		require.NoError(t, err)
		got = append(got, rec.Data["consultant"])
	}
	assert.Equal(t, []any{"user:li", "user:wang", "user:wang"}, got, "gone is skipped: its turn goes to the next active user")
}

// TestEngine_UserField_Bulk: bulk writes and imports resolve user values
// row by row; a row naming nobody is rejected with the field's problem.
func TestEngine_UserField_Bulk(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	res, err := ut.eng.WriteRecords(ut.ctx, "student", []engine.BulkWrite{
		{Action: engine.BulkCreate, Data: map[string]any{"name": "a", "consultant": "李雷"}},
		{Action: engine.BulkCreate, Data: map[string]any{"name": "b", "consultant": "张伟"}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	assert.Equal(t, "user:li", res[0].Record.Data["consultant"])
	require.Error(t, res[1].Err)
	assert.Equal(t, map[string]string{"consultant": schema.CodeUser}, fieldErrors(t, res[1].Err))

	cat, err := ut.eng.Catalog(ut.ctx)
	require.NoError(t, err)
	assert.Equal(t, []importvalue.Column{{Field: "consultant"}}, importvalue.MatchColumns(cat.Object("student"), []string{"顾问"}),
		"a user column maps by the field's label, as a text one does")
	table := engine.ImportTable{Header: []string{"姓名", "顾问"}, Rows: []engine.ImportRow{
		{Line: 2, Cells: []string{"c", "wang"}},
		{Line: 3, Cells: []string{"d", "user:li"}},
		{Line: 4, Cells: []string{"e", "王芳"}},
		{Line: 5, Cells: []string{"f", "韩梅梅"}},
	}}
	rep, err := ut.eng.ImportRecords(ut.ctx, "student", table, engine.ImportSpec{
		Columns: []importvalue.Column{{Field: "name"}, {Field: "consultant"}}, Mode: engine.BulkCreate}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Created)
	require.Len(t, rep.Rejected, 1)
	assert.Equal(t, 5, rep.Rejected[0].Line)
	require.Len(t, rep.Rejected[0].Problems, 1)
	assert.Equal(t, "没有名为“韩梅梅”的在职用户", rep.Rejected[0].Problems[0].MessageZh)
	page, err := ut.eng.ListRecords(ut.ctx, "student", engine.ListQuery{First: 100})
	require.NoError(t, err)
	byName := map[string]any{}
	for _, r := range page.Records {
		byName[r.Data["name"].(string)] = r.Data["consultant"]
	}
	assert.Equal(t, map[string]any{"a": "user:li", "c": "user:wang", "d": "user:li", "e": "user:wang"}, byName)
}

// studentWith is the definition of student whose consultant field is of
// type typ (text, picklist or user), without automations.
func studentWith(t *testing.T, typ string) json.RawMessage {
	t.Helper()
	consultant := map[string]any{"type": "string", "x-crm-type": typ}
	if typ == "picklist" {
		consultant["enum"] = []any{"李雷", "wang", "韩梅梅", "张伟"}
	}
	return def(t, map[string]any{"$id": "student", "type": "object", "x-crm-label": map[string]any{"zh": "学员", "en": "Student"},
		"required":   []any{"name"},
		"properties": map[string]any{"name": map[string]any{"type": "string", "x-crm-type": "text"}, "consultant": consultant}})
}

// consultants maps each student's name to its consultant (nil: none).
func consultants(t *testing.T, ut userTenant) map[string]any {
	t.Helper()
	page, err := ut.eng.ListRecords(ut.ctx, "student", engine.ListQuery{First: 100})
	require.NoError(t, err)
	out := map[string]any{}
	for _, r := range page.Records {
		out[r.Data["name"].(string)] = r.Data["consultant"]
	}
	return out
}

// TestEngine_UserField_Migration: a text or picklist field becomes a user
// field when every stored value converts as a write would, or is
// remapped or cleared by the save's options; otherwise the save is
// refused with one problem per value that names nobody, with the records
// that hold it, and nothing changes.
func TestEngine_UserField_Migration(t *testing.T) {
	t.Parallel()
	for _, from := range []string{"text", "picklist"} {
		t.Run(from, func(t *testing.T) {
			t.Parallel()
			ut := newUserTenant(t)
			_, err := ut.eng.SaveObject(ut.ctx, studentWith(t, "text"), engine.SaveOptions{})
			require.NoError(t, err, "the automations go")
			_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, from), engine.SaveOptions{})
			require.NoError(t, err)
			stored := map[string]any{"a": "李雷", "b": "李雷", "c": "wang", "d": "韩梅梅", "e": "韩梅梅", "f": "张伟", "g": nil}
			if from == "text" {
				stored["h"] = "user:li"
				stored["i"] = "user:gone"
			}
			for name, c := range stored {
				data := map[string]any{"name": name}
				if c != nil {
					data["consultant"] = c
				}
				_, err := ut.eng.CreateRecord(ut.ctx, "student", data)
				require.NoError(t, err)
			}
			ut.deactivate(t, "gone")

			_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{})
			var de *schema.DefinitionError
			require.ErrorAs(t, err, &de)
			var got []schema.Migration
			for _, p := range de.Problems {
				require.NotNil(t, p.Migration, p.Message)
				m := *p.Migration
				m.Example = ""
				got = append(got, m)
				assert.Contains(t, p.Message, "options remap")
			}
			assert.Equal(t, []schema.Migration{
				{Field: "consultant", Code: schema.CodeUser, Records: 2, Value: "韩梅梅",
					Reason: `no active user is named "韩梅梅"`, ReasonZh: "没有名为“韩梅梅”的在职用户"},
				{Field: "consultant", Code: schema.CodeUser, Records: 1, Value: "张伟",
					Reason:   `"张伟" is the display name of several users (zhang1, zhang2): give the user name`,
					ReasonZh: "“张伟”是多个用户的显示名（zhang1, zhang2）：请填写用户名"},
			}, got)
			assert.Equal(t, stored["d"], consultants(t, ut)["d"], "nothing changed")

			_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{Remap: map[string]map[string]string{
				"consultant": {"韩梅梅": "nobody", "张伟": "zhang2"}}})
			require.ErrorAs(t, err, &de)
			require.Len(t, de.Problems, 1)
			assert.Equal(t, "options/remap/consultant/韩梅梅", de.Problems[0].Path)

			_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{Remap: map[string]map[string]string{
				"consultant": {"韩梅梅": "王芳", "张伟": ""}}})
			require.NoError(t, err)
			want := map[string]any{"a": "user:li", "b": "user:li", "c": "user:wang", "d": "user:wang", "e": "user:wang", "f": nil, "g": nil}
			if from == "text" {
				want["h"] = "user:li"
				want["i"] = "user:gone" // names a user of the tenant already
			}
			assert.Equal(t, want, consultants(t, ut))

			_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "text"), engine.SaveOptions{})
			require.NoError(t, err, "back to text: user ids are text")
			assert.Equal(t, want, consultants(t, ut))
		})
	}
}

// TestEngine_UserField_MigrationClear: clear takes every value of a field
// that becomes a user field; a remap of an existing user field hands its
// records to another user.
func TestEngine_UserField_MigrationClear(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	_, err := ut.eng.SaveObject(ut.ctx, studentWith(t, "text"), engine.SaveOptions{})
	require.NoError(t, err)
	for _, c := range []string{"韩梅梅", "李雷"} {
		_, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": c, "consultant": c})
		require.NoError(t, err)
	}
	_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{Clear: []string{"consultant"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"韩梅梅": nil, "李雷": nil}, consultants(t, ut))

	page, err := ut.eng.ListRecords(ut.ctx, "student", engine.ListQuery{First: 10})
	require.NoError(t, err)
	for _, r := range page.Records {
		_, err := ut.eng.UpdateRecord(ut.ctx, "student", r.ID, map[string]any{"consultant": "li"}, nil)
		require.NoError(t, err)
	}
	ut.deactivate(t, "li")
	_, err = ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{Remap: map[string]map[string]string{"consultant": {"user:li": "王芳"}}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"韩梅梅": "user:wang", "李雷": "user:wang"}, consultants(t, ut), "li's students go to wang")
}

// TestEngine_UserField_Reading: groups by a user field are labelled with
// display names, exports write display names (the id where another user
// shares it), and a notify action's user:{{field}} reaches the user a
// user field names, as it does for a text field holding a name.
func TestEngine_UserField_Reading(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	notifying := `{"$id": "lesson", "type": "object", "x-crm-label": {"zh": "课程", "en": "Lesson"}, "required": ["name"],
	  "properties": {"name": {"type": "string", "x-crm-type": "text"},
	    "teacher": {"type": "string", "x-crm-type": "user", "x-crm-label": {"zh": "老师", "en": "Teacher"}},
	    "assistant": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"},
	    "actions": [{"type": "notify", "recipients": ["user:{{teacher}}", "user:{{assistant}}"], "message": {"zh": "新课 {{name}}，老师 {{teacher}}", "en": "New lesson {{name}} by {{teacher}}"}}]}]}`
	_, err := ut.eng.SaveObject(ut.ctx, json.RawMessage(notifying), engine.SaveOptions{})
	require.NoError(t, err)
	for _, l := range []map[string]any{
		{"name": "语文", "teacher": "李雷", "assistant": "王芳"},
		{"name": "数学", "teacher": "li"},
		{"name": "英语", "teacher": "zhang1"},
		{"name": "体育"},
	} {
		_, err := ut.eng.CreateRecord(ut.ctx, "lesson", l)
		require.NoError(t, err)
	}

	res, err := ut.eng.Aggregate(ut.ctx, "lesson", engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "teacher"}},
		Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	labels := map[any]string{}
	for _, g := range res.Groups {
		labels[g.Keys[0].Value] = g.Keys[0].Label.Zh
	}
	assert.Equal(t, map[any]string{"user:li": "李雷", "user:zhang1": "张伟", nil: "（空）"}, labels)

	var rows [][]any
	err = ut.eng.ExportRecords(ut.ctx, "lesson", engine.ExportQuery{Columns: []string{"name", "teacher"}, Sort: []store.Sort{{Field: "name"}}},
		func(engine.ExportHeader) error { return nil }, func(c []any) error { rows = append(rows, c); return nil })
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"体育", nil}, {"数学", "李雷"}, {"英语", "user:zhang1"}, {"语文", "李雷"}}, rows,
		"张伟 names two users: the id says which")

	for name, want := range map[string]int{"li": 2, "wang": 1, "zhang1": 1} {
		page, err := ut.eng.MyNotifications(ut.tn.As(engine.Actor{ID: "user:" + name, Admin: true}), false, 10, "")
		require.NoError(t, err)
		assert.Len(t, page.Notices, want, name)
		if name == "wang" {
			assert.Equal(t, schema.Label{Zh: "新课 语文，老师 李雷", En: "New lesson 语文 by 李雷"}, page.Notices[0].Message, "display names in the text")
		}
	}
}

// TestEngine_UserField_CurrentUser: "$user" in a filter on a user field
// or ownerId is the caller: a shared view 我的学员 lists each user's own
// students, an aggregate and a direct filter too; an automation's
// condition compares with the acting user.
func TestEngine_UserField_CurrentUser(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	mine := `{"$id": "student", "type": "object", "x-crm-label": {"zh": "学员", "en": "Student"}, "required": ["name"],
	  "properties": {"name": {"type": "string", "x-crm-type": "text"},
	    "consultant": {"type": "string", "x-crm-type": "user"},
	    "byMe": {"type": "boolean", "x-crm-type": "boolean"},
	    "mineBefore": {"type": "integer", "x-crm-type": "integer"}},
	  "x-crm-scripts": [{"name": "count", "kind": "beforeSave",
	    "source": "ctx.set('mineBefore', crm.find('student', {field: 'consultant', op: 'eq', value: '$user'}, {limit: 50}).length)"}],
	  "x-crm-automations": [{"name": "mine", "trigger": {"event": "created"},
	    "condition": {"field": "consultant", "op": "eq", "value": "$user"},
	    "actions": [{"type": "setFields", "values": {"byMe": true}}]}]}`
	_, err := ut.eng.SaveObject(ut.ctx, json.RawMessage(mine), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, ut.eng.SaveRole(ut.ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"student": {Read: true, Create: true, Update: true}}}))
	li := ut.tn.As(engine.Actor{ID: "user:li", Role: "sales"})
	wang := ut.tn.As(engine.Actor{ID: "user:wang", Role: "sales"})
	key := ut.tn.As(engine.Actor{ID: "key:k1", Role: "sales"})
	for _, s := range []struct {
		ctx              context.Context
		name, consultant string
	}{{li, "a", "li"}, {li, "b", "wang"}, {wang, "c", "wang"}, {wang, "d", "li"}, {li, "e", "li"}} {
		_, err := ut.eng.CreateRecord(s.ctx, "student", map[string]any{"name": s.name, "consultant": s.consultant})
		require.NoError(t, err)
	}
	_, err = ut.eng.SaveView(ut.ctx, engine.View{Object: "student", Name: "mine", Label: schema.Label{Zh: "我的学员", En: "My students"},
		Filter: &store.Filter{Field: "consultant", Op: store.OpEq, Value: "$user"}, Sort: []store.Sort{{Field: "name"}}}, true)
	require.NoError(t, err)

	names := func(ctx context.Context, q engine.ListQuery) []string {
		t.Helper()
		page, err := ut.eng.ListRecords(ctx, "student", q)
		require.NoError(t, err)
		var out []string
		for _, r := range page.Records {
			out = append(out, r.Data["name"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"a", "d", "e"}, names(li, engine.ListQuery{View: "mine"}))
	assert.Equal(t, []string{"b", "c"}, names(wang, engine.ListQuery{View: "mine"}))
	assert.Empty(t, names(key, engine.ListQuery{View: "mine"}), "an API key is no user")
	assert.Equal(t, []string{"b", "c"}, names(wang, engine.ListQuery{Sort: []store.Sort{{Field: "name"}},
		Filter: &store.Filter{Field: "consultant", Op: store.OpIn, Value: []any{"$user"}}}))
	assert.Equal(t, []string{"b", "e"}, names(li, engine.ListQuery{Sort: []store.Sort{{Field: "name"}},
		Filter: &store.Filter{And: []store.Filter{{Field: "ownerId", Op: store.OpEq, Value: "$user"},
			{Not: &store.Filter{Field: "name", Op: store.OpEq, Value: "a"}}}}}))
	assert.Equal(t, []string{"a", "c", "e"}, names(li, engine.ListQuery{Sort: []store.Sort{{Field: "name"}},
		Filter: &store.Filter{Field: "byMe", Op: store.OpEq, Value: true}}), "the automation compared with the acting user (b and d were created by the other)")

	rec, err := ut.eng.CreateRecord(wang, "student", map[string]any{"name": "f"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, rec.Data["mineBefore"], "a script's crm.find compares with the acting user")
	err = ut.eng.DeleteRecord(ut.ctx, "student", rec.ID)
	require.NoError(t, err)

	res, err := ut.eng.Aggregate(wang, "student", engine.AggregateQuery{View: "mine", Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	require.Len(t, res.Groups, 1)
	assert.EqualValues(t, 2, res.Groups[0].Values[0])
	res, err = ut.eng.Aggregate(li, "student", engine.AggregateQuery{View: "mine", Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	assert.EqualValues(t, 3, res.Groups[0].Values[0], "not wang's kept answer")
}

// TestEngine_UserField_WriteCurrentUser: "$user" written to a user field,
// as its default or by an automation's setFields is the acting user; a
// caller that is not a user gets no default and cannot write it.
func TestEngine_UserField_WriteCurrentUser(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	withDefault := `{"$id": "visit", "type": "object", "x-crm-label": {"zh": "拜访", "en": "Visit"},
	  "properties": {"name": {"type": "string", "x-crm-type": "text"},
	    "rep": {"type": "string", "x-crm-type": "user", "default": "$user"},
	    "checker": {"type": "string", "x-crm-type": "user"}},
	  "x-crm-automations": [{"name": "check", "trigger": {"event": "updated"},
	    "actions": [{"type": "setFields", "values": {"checker": "$user"}}]}]}`
	_, err := ut.eng.SaveObject(ut.ctx, json.RawMessage(withDefault), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, ut.eng.SaveRole(ut.ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"visit": {Read: true, Create: true, Update: true}}}))
	li := ut.tn.As(engine.Actor{ID: "user:li", Role: "sales"})
	wang := ut.tn.As(engine.Actor{ID: "user:wang", Role: "sales"})
	key := ut.tn.As(engine.Actor{ID: "key:k1", Role: "sales"})

	rec, err := ut.eng.CreateRecord(li, "visit", map[string]any{"name": "a"})
	require.NoError(t, err)
	assert.Equal(t, "user:li", rec.Data["rep"], "the default is the creator")
	rec, err = ut.eng.UpdateRecord(wang, "visit", rec.ID, map[string]any{"name": "b"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "user:wang", rec.Data["checker"], "setFields $user is the acting user")
	assert.Equal(t, "user:li", rec.Data["rep"])
	rec, err = ut.eng.UpdateRecord(wang, "visit", rec.ID, map[string]any{"rep": "$user"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "user:wang", rec.Data["rep"], "written by a client")

	rec, err = ut.eng.CreateRecord(key, "visit", map[string]any{"name": "c"})
	require.NoError(t, err)
	assert.NotContains(t, rec.Data, "rep", "an API key is no user: no default")
	_, err = ut.eng.CreateRecord(key, "visit", map[string]any{"name": "d", "rep": "$user"})
	assert.Equal(t, map[string]string{"rep": schema.CodeUser}, fieldErrors(t, err))
}

// TestEngine_UserField_MassAndMerge: a mass update resolves the value it
// sets per record (a record whose value it leaves as it was keeps a
// deactivated user); a merge takes a user value like any other, and one
// naming a deactivated user is a change the survivor cannot take.
func TestEngine_UserField_MassAndMerge(t *testing.T) {
	t.Parallel()
	ut := newUserTenant(t)
	_, err := ut.eng.SaveObject(ut.ctx, studentWith(t, "user"), engine.SaveOptions{})
	require.NoError(t, err)
	ids := map[string]string{}
	for name, c := range map[string]string{"a": "li", "b": "gone", "c": "wang"} {
		rec, err := ut.eng.CreateRecord(ut.ctx, "student", map[string]any{"name": name, "consultant": c})
		require.NoError(t, err)
		ids[name] = rec.ID
	}
	ut.deactivate(t, "gone")

	rep, err := ut.eng.MassChange(ut.ctx, "student", engine.MassSelection{IDs: []string{ids["a"], ids["c"]}},
		engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"consultant": "王芳"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Selected)
	assert.Equal(t, 0, rep.Failed)
	assert.Equal(t, map[string]any{"a": "user:wang", "b": "user:gone", "c": "user:wang"}, consultants(t, ut))

	rep, err = ut.eng.MassChange(ut.ctx, "student", engine.MassSelection{All: true},
		engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"consultant": "user:gone"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Failed, "a and c may not get a deactivated user; b keeps its own")
	assert.Equal(t, map[string]any{"a": "user:wang", "b": "user:gone", "c": "user:wang"}, consultants(t, ut))

	_, err = ut.eng.MergeRecords(ut.ctx, "student", ids["a"], []string{ids["b"]}, map[string]string{"consultant": ids["b"]})
	assert.Equal(t, map[string]string{"consultant": schema.CodeUser}, fieldErrors(t, err))
	_, err = ut.eng.UpdateRecord(ut.ctx, "student", ids["c"], map[string]any{"consultant": "li"}, nil)
	require.NoError(t, err)
	res, err := ut.eng.MergeRecords(ut.ctx, "student", ids["a"], []string{ids["c"]}, map[string]string{"consultant": ids["c"]})
	require.NoError(t, err)
	assert.Equal(t, "user:li", res.Survivor.Data["consultant"])
}
