package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
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
	_, err = ut.eng.UpdateRecord(ut.ctx, "student", other.ID, map[string]any{"consultant": "user:gone"}, nil)
	p := userProblem(t, err)
	assert.Equal(t, `user "gone" is deactivated: choose an active user`, p.Message)
	got, err := ut.eng.GetRecord(ut.ctx, "student", other.ID)
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
