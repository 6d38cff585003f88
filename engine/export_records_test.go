package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

func exportAll(t *testing.T, eng *engine.Engine, ctx context.Context, q engine.ExportQuery) (engine.ExportHeader, [][]any, error) {
	t.Helper()
	var (
		header engine.ExportHeader
		rows   [][]any
	)
	err := eng.ExportRecords(ctx, "member", q, func(h engine.ExportHeader) error { header = h; return nil },
		func(cells []any) error { rows = append(rows, cells); return nil })
	return header, rows, err
}

func TestEngine_ExportRecords(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	page, err := eng.ListRecords(admin, "shop", engine.ListQuery{Sort: []store.Sort{{Field: "code"}}})
	require.NoError(t, err)
	shop := page.Records[0].ID
	for _, m := range []map[string]any{
		{"name": "王芳", "mobile": "13800138000", "spent": 1200.5, "tier": "gold", "shop": shop, "birthday": "1990-05-04",
			"address": map[string]any{"province": "江苏省", "city": "苏州市", "district": "工业园区", "street": "星湖街328号"}},
		{"name": "李雷", "mobile": "13900139000", "tier": "silver"},
	} {
		_, err := eng.CreateRecord(admin, "member", m)
		require.NoError(t, err)
	}
	header, rows, err := exportAll(t, eng, admin, engine.ExportQuery{
		Columns: []string{"name", "spent", "tier", "shop", "address", "owner", "createdAt"}, Sort: []store.Sort{{Field: "name", Desc: true}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"姓名", "累计消费", "会员等级", "门店", "地址", "负责人", "创建时间"}, header.Labels)
	assert.Equal(t, int64(2), header.Rows)
	require.Len(t, rows, 2)
	assert.Equal(t, []any{"王芳", 1200.5, "金卡", "南京西路店", "江苏省苏州市工业园区星湖街328号"}, rows[0][:5], "labels, titles, one line of address; numbers stay numbers")
	assert.Equal(t, []any{"李雷", nil, "银卡", nil, nil}, rows[1][:5])
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, rows[0][6], "in the tenant's zone")

	header, _, err = exportAll(t, eng, admin, engine.ExportQuery{Lang: "en", Columns: []string{"name", "tier"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"Name", "Tier"}, header.Labels)

	header, rows, err = exportAll(t, eng, admin, engine.ExportQuery{Filter: &store.Filter{Field: "tier", Op: store.OpEq, Value: "silver"}})
	require.NoError(t, err)
	assert.Equal(t, "姓名", header.Labels[0], "every field, in the definition's order")
	assert.Equal(t, []string{"ownerId", "createdAt", "updatedAt"}, header.Columns[len(header.Columns)-3:])
	require.Len(t, rows, 1)
	assert.Equal(t, "李雷", rows[0][0])

	_, err = eng.SaveView(admin, engine.View{Object: "member", Name: "gold", Filter: &store.Filter{Field: "tier", Op: store.OpEq, Value: "gold"},
		Columns: []string{"mobile", "name"}}, true)
	require.NoError(t, err)
	header, rows, err = exportAll(t, eng, admin, engine.ExportQuery{View: "gold"})
	require.NoError(t, err)
	assert.Equal(t, []string{"手机号", "姓名"}, header.Labels, "a view's columns")
	assert.Equal(t, [][]any{{"13800138000", "王芳"}}, rows)

	_, _, err = exportAll(t, eng, admin, engine.ExportQuery{Columns: []string{"ghost"}})
	require.Error(t, err)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, `no column "ghost"`)
}

// TestEngine_ExportRecordsFieldNamedOwner: a field called owner is the
// field; the record's owner is ownerId.
func TestEngine_ExportRecordsFieldNamedOwner(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	_, err := tn.Engine.SaveObject(tn.Admin, []byte(`{"$id": "lead", "type": "object", "properties": {
	  "owner": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "对接人", "en": "Contact person"}}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = tn.Engine.CreateRecord(tn.Admin, "lead", map[string]any{"owner": "王工"})
	require.NoError(t, err)
	var header engine.ExportHeader
	var rows [][]any
	err = tn.Engine.ExportRecords(tn.Admin, "lead", engine.ExportQuery{Columns: []string{"owner", "ownerId"}},
		func(h engine.ExportHeader) error { header = h; return nil }, func(c []any) error { rows = append(rows, c); return nil })
	require.NoError(t, err)
	assert.Equal(t, []string{"对接人", "负责人"}, header.Labels)
	require.Len(t, rows, 1)
	assert.Equal(t, "王工", rows[0][0])
	assert.NotEqual(t, "王工", rows[0][1], "the record's owner")
}
