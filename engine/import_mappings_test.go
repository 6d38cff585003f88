package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
)

func TestEngine_ImportMappings(t *testing.T) {
	t.Parallel()
	member := func(extra string) string {
		return `{"$id": "member", "type": "object", "properties": {
		  "name":   {"type": "string", "x-crm-type": "text"},
		  "mobile": {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
		  "address": {"type": "object", "x-crm-type": "address"}` + extra + `}}`
	}
	tn := testkit.New(t, "acme", testkit.WithObjects(member(`, "wechat": {"type": "string", "x-crm-type": "text"}`)))
	eng, admin := tn.Engine, tn.Admin
	li := tn.As(engine.Actor{ID: "user:li"})
	wang := tn.As(engine.Actor{ID: "user:wang"})

	monthly := engine.ImportMapping{Object: "member", Name: "每月会员表", Columns: map[string]string{
		"姓名": "name", "手机": "mobile", "城市": "address.city", "微信": "wechat", "备注": ""}, Mode: engine.BulkUpsert, MatchBy: "mobile"}
	saved, err := eng.SaveImportMapping(li, monthly, false)
	require.NoError(t, err)
	assert.Equal(t, "member.每月会员表@user:li", saved.ID)
	assert.Equal(t, "user:li", saved.Owner)
	shared, err := eng.SaveImportMapping(admin, engine.ImportMapping{Object: "member", Name: "标准", Columns: map[string]string{"姓名": "name"}}, true)
	require.NoError(t, err)
	assert.Equal(t, engine.BulkCreate, shared.Mode, "create unless told")

	scenarios := []struct {
		name    string
		ctx     context.Context
		mapping engine.ImportMapping
		shared  bool
		code    engine.Code
	}{
		{"a field the object lacks", li, engine.ImportMapping{Object: "member", Name: "x", Columns: map[string]string{"昵称": "nickname"}}, false, engine.CodeBadRequest},
		{"no name", li, engine.ImportMapping{Object: "member", Name: " ", Columns: map[string]string{"姓名": "name"}}, false, engine.CodeBadRequest},
		{"an unknown mode", li, engine.ImportMapping{Object: "member", Name: "x", Mode: "merge"}, false, engine.CodeBadRequest},
		{"shared by a user", li, engine.ImportMapping{Object: "member", Name: "x"}, true, engine.CodeForbidden},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := eng.SaveImportMapping(sc.ctx, sc.mapping, sc.shared)
			require.Error(t, err)
			assert.Equal(t, sc.code, engine.CodeOf(err))
		})
	}

	list, err := eng.ImportMappings(li, "member")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"标准", "每月会员表"}, []string{list[0].Name, list[1].Name}, "shared ones first")
	list, err = eng.ImportMappings(wang, "member")
	require.NoError(t, err)
	require.Len(t, list, 1, "another user's own mappings are not theirs")

	header := []string{"手机", "姓名", "来源", "城市"}
	spec, err := eng.ImportMappingSpec(li, saved.ID, "member", header)
	require.NoError(t, err)
	assert.Equal(t, []importvalue.Column{{Field: "mobile"}, {Field: "name"}, {}, {Field: "address", Part: "city"}}, spec.Columns,
		"by header, whatever their order; columns it does not name left out")
	assert.Equal(t, engine.BulkUpsert, spec.Mode)
	assert.Equal(t, "mobile", spec.MatchBy)
	_, err = eng.ImportMappingSpec(wang, saved.ID, "member", header)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	_, err = eng.SaveObject(admin, []byte(member("")), engine.SaveOptions{})
	require.NoError(t, err, "wechat is gone")
	list, err = eng.ImportMappings(li, "member")
	require.NoError(t, err)
	assert.Equal(t, []string{"wechat"}, list[1].Stale, "reported")
	_, err = eng.ImportMappingSpec(li, saved.ID, "member", header)
	require.Error(t, err, "not applied without it")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.Contains(t, engine.PublicMessage(err, "zh"), "wechat")

	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteImportMapping(wang, saved.ID)), "nor theirs to delete")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteImportMapping(li, shared.ID)), "a shared one is the administrators'")
	require.NoError(t, eng.DeleteImportMapping(li, saved.ID))
	require.NoError(t, eng.DeleteImportMapping(admin, shared.ID))
	list, err = eng.ImportMappings(li, "member")
	require.NoError(t, err)
	assert.Empty(t, list)
}
