package ferrettest_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
)

// TestTemplateUserFields_OnMongo upgrades a template whose text field
// becomes a user field on MongoDB, through FerretDB: the stored names are
// counted in the database, converted or (forced) cleared in the object's
// save, and a rollback gives the users' names back.
func TestTemplateUserFields_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:admin", Admin: true})
	for _, u := range [][2]string{{"admin", "管理员"}, {"li.ming", "李明"}} {
		_, err := eng.CreateUser(actx, "acme", engine.NewUser{Username: u[0], DisplayName: u[1], Password: "correct horse battery"})
		require.NoError(t, err)
	}
	const v1 = `{"$id": "desk", "type": "object", "x-crm-label": {"zh": "服务台", "en": "Desk"}, "properties": {
	  "title": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}},
	  "agent": {"type": "string", "maxLength": 50, "x-crm-type": "text", "x-crm-label": {"zh": "客服", "en": "Agent"}, "x-crm-indexed": true}}}`
	v2 := strings.Replace(v1, `"maxLength": 50, "x-crm-type": "text", "x-crm-label": {"zh": "客服"`, `"x-crm-type": "user", "x-crm-label": {"zh": "客服"`, 1)
	tpl := func(version, def string) *template.Template {
		return &template.Template{Name: "desk", Version: version, Objects: []json.RawMessage{json.RawMessage(def)}}
	}
	_, err = eng.InstallTemplate(actx, tpl("1.0.0", v1), template.InstallOptions{})
	require.NoError(t, err)
	for _, agent := range []string{"李明", "li.ming", "admin", "张三", "张三"} {
		_, err := eng.CreateRecord(actx, "desk", map[string]any{"title": "t", "agent": agent})
		require.NoError(t, err)
	}
	values := func() []string {
		page, err := eng.ListRecords(actx, "desk", engine.ListQuery{First: 10, Filter: &store.Filter{Field: "agent", Op: store.OpIsNull, Value: false}})
		require.NoError(t, err)
		var out []string
		for _, r := range page.Records {
			out = append(out, r.Data["agent"].(string))
		}
		slices.Sort(out)
		return out
	}

	res, err := eng.InstallTemplate(actx, tpl("1.1.0", v2), template.InstallOptions{DryRun: true})
	require.NoError(t, err)
	require.Len(t, res.Users, 1)
	assert.Equal(t, int64(3), res.Users[0].Matched)
	assert.Equal(t, []template.ValueCount{{Value: "张三", Records: 2}}, res.Users[0].Unmatched)
	_, err = eng.InstallTemplate(actx, tpl("1.1.0", v2), template.InstallOptions{})
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.Equal(t, []string{"admin", "li.ming", "张三", "张三", "李明"}, values(), "refused: nothing changed")

	_, err = eng.InstallTemplate(actx, tpl("1.1.0", v2), template.InstallOptions{Force: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"user:admin", "user:li.ming", "user:li.ming"}, values())

	_, err = eng.RollbackTemplate(actx, "desk", template.RollbackOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"李明", "李明", "管理员"}, values())
}
