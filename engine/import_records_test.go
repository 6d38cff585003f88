package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// importTenant has stores and members: a unique mobile, a required name,
// a picklist with labels, a lookup to a store, an address, an autonumber.
func importTenant(t *testing.T) (*engine.Engine, context.Context) {
	t.Helper()
	tn := testkit.New(t, "acme")
	eng, admin := tn.Engine, tn.Admin
	for _, def := range []string{
		`{"$id": "shop", "type": "object", "x-crm-label": {"zh": "门店", "en": "Shop"}, "properties": {
		  "name": {"type": "string", "x-crm-type": "text"},
		  "code": {"type": "string", "x-crm-type": "text", "x-crm-unique": true}}}`,
		`{"$id": "member", "type": "object", "x-crm-label": {"zh": "会员", "en": "Member"}, "required": ["name"], "properties": {
		  "name":     {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "姓名", "en": "Name"}},
		  "mobile":   {"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-unique": true, "x-crm-label": {"zh": "手机号", "en": "Mobile"}},
		  "spent":    {"type": "number", "x-crm-type": "currency", "minimum": 0, "x-crm-label": {"zh": "累计消费", "en": "Spent"}},
		  "birthday": {"type": "string", "format": "date", "x-crm-type": "date", "x-crm-label": {"zh": "生日", "en": "Birthday"}},
		  "tier":     {"type": "string", "enum": ["gold", "silver"], "x-crm-type": "picklist", "x-crm-label": {"zh": "会员等级", "en": "Tier"},
		    "x-crm-options": [{"value": "gold", "label": {"zh": "金卡", "en": "Gold"}}, {"value": "silver", "label": {"zh": "银卡", "en": "Silver"}}]},
		  "shop":     {"type": "string", "x-crm-type": "lookup", "x-crm-target": "shop", "x-crm-label": {"zh": "门店", "en": "Shop"}},
		  "address":  {"type": "object", "x-crm-type": "address", "x-crm-label": {"zh": "地址", "en": "Address"}},
		  "number":   {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "M-{0000}", "x-crm-label": {"zh": "编号", "en": "Number"}}}}`,
	} {
		_, err := eng.SaveObject(admin, []byte(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	for _, s := range []map[string]any{{"name": "南京西路店", "code": "SH01"}, {"name": "淮海路店", "code": "SH02"}, {"name": "淮海路店", "code": "SH03"}} {
		_, err := eng.CreateRecord(admin, "shop", s)
		require.NoError(t, err)
	}
	return eng, admin
}

func memberByMobile(t *testing.T, eng *engine.Engine, ctx context.Context, mobile string) store.Record {
	t.Helper()
	f := store.Leaf("mobile", store.OpEq, mobile)
	page, err := eng.ListRecords(ctx, "member", engine.ListQuery{Filter: &f})
	require.NoError(t, err)
	require.Len(t, page.Records, 1, mobile)
	return page.Records[0]
}

func problemsOf(r engine.RejectedRow) map[string]string {
	out := map[string]string{}
	for _, p := range r.Problems {
		out[p.Field] = p.MessageZh
	}
	return out
}

func TestEngine_ImportRecords(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	header := []string{"姓名", "手机号", "累计消费", "生日", "会员等级", "门店", "地址", "地址（城市）", "备注"}
	columns := importvalue.MatchColumns(mustObject(t, eng, admin, "member"), header)
	require.Equal(t, "address.city", columns[7].Target())
	table := engine.ImportTable{Header: header, Rows: []engine.ImportRow{
		{Line: 2, Cells: []string{"王芳", "138 0013 8000", "¥1,200.50", "1990年5月4日", "金卡", "南京西路店", "江苏省苏州市工业园区星湖街328号", "", "老客户"}},
		{Line: 3, Cells: []string{"李雷", "13900139000", "", "", "silver", "", "上海市静安区", "上海", ""}},
		{Line: 4, Cells: []string{"韩梅梅", "13700137000", "一千", "2026-02-30", "钻石卡", "", "", "", ""}},
		{Line: 5, Cells: []string{"赵敏", "13600136000", "", "", "", "淮海路店", "", "", ""}},
		{Line: 6, Cells: []string{"", "13500135000", "-5", "", "", "人民广场店", "", "", ""}},
	}}
	var progress [][2]int
	rep, err := eng.ImportRecords(admin, "member", table, engine.ImportSpec{Columns: columns, Mode: engine.BulkCreate},
		func(done, total int) { progress = append(progress, [2]int{done, total}) })
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Rows)
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, 6, rep.LastLine)
	assert.Equal(t, [][2]int{{5, 5}}, progress)
	require.Len(t, rep.Rejected, 3)
	assert.Equal(t, 4, rep.Rejected[0].Line)
	assert.Equal(t, map[string]string{
		"累计消费": "“一千”不是数字",
		"生日":   "“2026-02-30”不是日期（2026-03-01、2026/3/1、2026年3月1日）",
		"会员等级": "“钻石卡”不是可选值之一：金卡/gold, 银卡/silver",
	}, problemsOf(rep.Rejected[0]), "every problem of the row at once")
	assert.Equal(t, 5, rep.Rejected[1].Line)
	assert.Equal(t, map[string]string{"门店": "“淮海路店”对应多条门店记录：请改按唯一字段查找"}, problemsOf(rep.Rejected[1]))
	assert.Equal(t, 6, rep.Rejected[2].Line)
	got := problemsOf(rep.Rejected[2])
	assert.Contains(t, got, "门店")
	assert.Equal(t, "找不到您可见的门店记录“人民广场店”", got["门店"])
	assert.Contains(t, got, "姓名", "the write's own validation: the name is required")
	assert.Contains(t, got, "累计消费", "and the amount may not be negative")
	assert.Equal(t, []string{"", "13500135000", "-5", "", "", "人民广场店", "", "", ""}, rep.Rejected[2].Cells, "the row as it was, for the file of rejects")

	wang := memberByMobile(t, eng, admin, "13800138000")
	assert.Equal(t, "王芳", wang.Data["name"])
	assert.Equal(t, 1200.5, wang.Data["spent"])
	assert.Equal(t, "1990-05-04", wang.Data["birthday"])
	assert.Equal(t, "gold", wang.Data["tier"])
	assert.Equal(t, map[string]any{"province": "江苏省", "city": "苏州市", "district": "工业园区", "street": "星湖街328号",
		"provinceCode": "320000", "cityCode": "320500"}, wang.Data["address"], "names resolve to division codes as far as they are in the dataset")
	assert.NotEmpty(t, wang.Data["number"], "the autonumber is the engine's")
	li := memberByMobile(t, eng, admin, "13900139000")
	assert.Equal(t, "silver", li.Data["tier"])
	assert.Equal(t, map[string]any{"province": "上海市", "city": "上海市", "district": "静安区",
		"provinceCode": "310000", "cityCode": "310100", "districtCode": "310106"}, li.Data["address"], "a part's own column wins (上海, named as the dataset names it)")
	shops := map[string]string{}
	page, err := eng.ListRecords(admin, "shop", engine.ListQuery{})
	require.NoError(t, err)
	for _, s := range page.Records {
		shops[s.ID] = s.Data["code"].(string)
	}
	assert.Equal(t, "SH01", shops[wang.Data["shop"].(string)], "found by the shop's name")

	t.Run("upsert by a unique field", func(t *testing.T) {
		spec := engine.ImportSpec{Columns: []importvalue.Column{{Field: "mobile"}, {Field: "spent"}, {Field: "name"}, {Field: "shop"}},
			Mode: engine.BulkUpsert, MatchBy: "mobile", LookupBy: map[string]string{"shop": "code"}}
		rep, err := eng.ImportRecords(admin, "member", engine.ImportTable{Header: []string{"手机", "消费", "姓名", "门店编码"}, Rows: []engine.ImportRow{
			{Line: 2, Cells: []string{"+86 138-0013-8000", "3000", "", "SH03"}},
			{Line: 3, Cells: []string{"13300133000", "10", "周杰", "SH02"}},
		}}, spec, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Created)
		assert.Equal(t, 1, rep.Updated)
		assert.Empty(t, rep.Rejected)
		wang := memberByMobile(t, eng, admin, "13800138000")
		assert.Equal(t, 3000.0, wang.Data["spent"])
		assert.Equal(t, "王芳", wang.Data["name"], "an empty cell leaves the field as it was")
		assert.Equal(t, "SH03", shops[wang.Data["shop"].(string)])
	})
	t.Run("update by a unique field finds only what exists", func(t *testing.T) {
		spec := engine.ImportSpec{Columns: []importvalue.Column{{Field: "mobile"}, {Field: "tier"}}, Mode: engine.BulkUpdate, MatchBy: "mobile"}
		rep, err := eng.ImportRecords(admin, "member", engine.ImportTable{Header: []string{"手机号", "等级"}, Rows: []engine.ImportRow{
			{Line: 2, Cells: []string{"13900139000", "金卡"}},
			{Line: 3, Cells: []string{"13100131000", "金卡"}},
		}}, spec, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Updated)
		assert.Zero(t, rep.Created)
		require.Len(t, rep.Rejected, 1)
		assert.Equal(t, map[string]string{"手机号": "找不到您可见的、值为“13100131000”的会员记录"}, problemsOf(rep.Rejected[0]))
		assert.Equal(t, "gold", memberByMobile(t, eng, admin, "13900139000").Data["tier"])
	})
	t.Run("update by id", func(t *testing.T) {
		spec := engine.ImportSpec{Columns: []importvalue.Column{{Field: engine.ImportIDColumn}, {Field: "spent"}}, Mode: engine.BulkUpdate}
		rep, err := eng.ImportRecords(admin, "member", engine.ImportTable{Header: []string{"ID", "消费"}, Rows: []engine.ImportRow{
			{Line: 2, Cells: []string{li.ID, "88"}},
			{Line: 3, Cells: []string{"nope", "1"}},
		}}, spec, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Updated)
		require.Len(t, rep.Rejected, 1)
		assert.Equal(t, 3, rep.Rejected[0].Line)
		assert.Equal(t, string(engine.CodeNotFound), rep.Rejected[0].Problems[0].Code)
	})
}

func mustObject(t *testing.T, eng *engine.Engine, ctx context.Context, name string) *schema.Object {
	t.Helper()
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	obj := cat.Object(name)
	require.NotNil(t, obj, name)
	return obj
}

func TestEngine_ImportRecordsBatches(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	table := engine.ImportTable{Header: []string{"姓名", "手机号"}}
	for i := range 1200 {
		table.Rows = append(table.Rows, engine.ImportRow{Line: i + 2, Cells: []string{fmt.Sprintf("会员%d", i), fmt.Sprintf("138%08d", i)}})
	}
	table.Rows[700].Cells[1] = table.Rows[10].Cells[1] // a mobile taken by an earlier row
	var progress [][2]int
	rep, err := eng.ImportRecords(admin, "member", table, engine.ImportSpec{Columns: []importvalue.Column{{Field: "name"}, {Field: "mobile"}}, Mode: engine.BulkCreate},
		func(done, total int) { progress = append(progress, [2]int{done, total}) })
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{500, 1200}, {1000, 1200}, {1200, 1200}}, progress)
	assert.Equal(t, 1199, rep.Created)
	require.Len(t, rep.Rejected, 1)
	assert.Equal(t, 702, rep.Rejected[0].Line)
	assert.Equal(t, "unique", rep.Rejected[0].Problems[0].Code)
	assert.Equal(t, "手机号", rep.Rejected[0].Problems[0].Field)
	n, err := eng.CountRecords(admin, "member", nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1199), n)
}

func TestEngine_ImportRecordsRefusals(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	table := engine.ImportTable{Header: []string{"a", "b"}, Rows: []engine.ImportRow{{Line: 2, Cells: []string{"x", "y"}}}}
	scenarios := []struct {
		name    string
		spec    engine.ImportSpec
		message string
	}{
		{"an unknown mode", engine.ImportSpec{Mode: "merge"}, `unknown import mode "merge"`},
		{"more columns than the file", engine.ImportSpec{Mode: engine.BulkCreate, Columns: make([]importvalue.Column, 3)}, "the mapping names 3 columns, the file has 2"},
		{"an unknown field", engine.ImportSpec{Mode: engine.BulkCreate, Columns: []importvalue.Column{{Field: "ghost"}}}, "column 1 (a) is mapped to ghost"},
		{"a field the system fills", engine.ImportSpec{Mode: engine.BulkCreate, Columns: []importvalue.Column{{Field: "number"}}}, "column 1 (a) is mapped to number, which the system fills"},
		{"a field twice", engine.ImportSpec{Mode: engine.BulkCreate, Columns: []importvalue.Column{{Field: "name"}, {Field: "name"}}}, "two columns are mapped to name"},
		{"an update without a key", engine.ImportSpec{Mode: engine.BulkUpdate, Columns: []importvalue.Column{{Field: "name"}}}, "needs a column of record ids or a unique field"},
		{"a key that is not unique", engine.ImportSpec{Mode: engine.BulkUpsert, MatchBy: "name", Columns: []importvalue.Column{{Field: "name"}}}, "it is not a unique field"},
		{"a key no column holds", engine.ImportSpec{Mode: engine.BulkUpsert, MatchBy: "mobile", Columns: []importvalue.Column{{Field: "name"}}}, "no column is mapped to it"},
		{"a lookup by a field that is no text", engine.ImportSpec{Mode: engine.BulkCreate, Columns: []importvalue.Column{{Field: "shop"}}, LookupBy: map[string]string{"shop": "ghost"}}, "shop cannot be found by shop.ghost"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := eng.ImportRecords(admin, "member", table, sc.spec, nil)
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
			assert.ErrorContains(t, err, sc.message)
		})
	}
	n, err := eng.CountRecords(admin, "member", nil)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing was written")
}
